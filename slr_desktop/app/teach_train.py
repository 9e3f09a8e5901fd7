"""The Train button's worker: `slr-train teach` in a separate process (QProcess), so the app never
imports torch or the trainer, stays responsive, and can cancel at any moment.

The child prints one JSON object per line (`--progress-json`): `progress` events drive the bar,
`done` carries the report, `error` a one-line message. The child writes the model and its card
atomically at the very end, so a cancel (SIGTERM, then SIGKILL) leaves nothing half-written;
temporary files of a killed write are removed here.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

TRAINER_MODULE = "trainer.teach"
MISSING_TRAINER = ("Training needs the trainer, which is not installed with this app: "
                   "pip install 'slr-desktop[train]' (or install the onnx package)")


def parse_line(line: str) -> dict | None:
    """One stdout line of the child -> its event dict, or None for anything else."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) and "event" in obj else None


def teach_command(data: Path, out: Path, base: Path | None, name: str) -> list[str]:
    """The child's arguments after the Python interpreter."""
    args = ["-m", TRAINER_MODULE, str(data), str(out), "--progress-json", "--name", name]
    if base is not None:
        args += ["--base", str(base)]
    return args


def remove_partial(out: Path) -> int:
    """Temporary files an interrupted atomic write of `out` or its card left beside them."""
    n = 0
    for target in (out, out.with_suffix(".md")):
        for p in target.parent.glob(f".{target.name}.*.part"):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n


class TeachProcess(QObject):
    """Runs one teach at a time. Signals: progress(fraction, message), finished(report or None,
    error text; "" on success, "cancelled" when the user cancelled)."""

    progress = Signal(float, str)
    finished = Signal(object, str)

    def __init__(self, parent=None, python: str | None = None) -> None:
        super().__init__(parent)
        self.python = python or sys.executable
        self.proc: QProcess | None = None
        self.out: Path | None = None
        self.report: dict | None = None
        self.error = ""
        self.started_at = 0.0
        self._buf = b""
        self._stderr = b""
        self._cancelled = False

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def start(self, data: Path, out: Path, base: Path | None, name: str) -> None:
        if self.running:
            raise RuntimeError("a teach is already running")
        self.out, self.report, self.error = Path(out), None, ""
        self._buf, self._stderr, self._cancelled = b"", b"", False
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        proc.setProcessEnvironment(env)
        proc.readyReadStandardOutput.connect(self._read_stdout)
        proc.readyReadStandardError.connect(self._read_stderr)
        proc.finished.connect(self._finished)
        proc.errorOccurred.connect(self._error)
        self.proc = proc
        self.started_at = time.perf_counter()
        proc.start(self.python, teach_command(Path(data), self.out, base, name))

    def cancel(self, wait_s: float = 3.0) -> None:
        """SIGTERM (the child cleans up like Ctrl+C), SIGKILL if it has not gone in `wait_s`."""
        if not self.running:
            return
        self._cancelled = True
        self.proc.terminate()
        if not self.proc.waitForFinished(int(wait_s * 1000)):
            self.proc.kill()
            self.proc.waitForFinished(2000)

    def _read_stdout(self) -> None:
        self._buf += bytes(self.proc.readAllStandardOutput())
        *lines, self._buf = self._buf.split(b"\n")
        for raw in lines:
            ev = parse_line(raw.decode("utf-8", "replace"))
            if ev is None:
                continue
            kind = ev.get("event")
            if kind == "progress":
                self.progress.emit(float(ev.get("fraction", 0.0)), str(ev.get("message", "")))
            elif kind == "done":
                self.report = ev
            elif kind == "error":
                self.error = str(ev.get("message", "teach failed"))

    def _read_stderr(self) -> None:
        self._stderr = (self._stderr + bytes(self.proc.readAllStandardError()))[-20000:]

    def _error(self, err) -> None:
        if err == QProcess.ProcessError.FailedToStart:
            self.error = f"could not start {self.python}"
            self._finished(-1, None)

    def _finished(self, code, status) -> None:
        if self.proc is None:
            return
        self._read_stdout()
        self._read_stderr()
        proc, self.proc = self.proc, None
        proc.deleteLater()
        if self._cancelled:
            remove_partial(self.out)
            self.finished.emit(None, "cancelled")
            return
        if code == 0 and self.report is not None:
            self.finished.emit(self.report, "")
            return
        remove_partial(self.out)
        err = self.error or self._stderr_line()
        if not err and status == QProcess.ExitStatus.CrashExit:
            err = "the trainer was killed or crashed; no model was written"
        self.finished.emit(None, err or f"the trainer stopped (exit code {code}); no model was written")

    def _stderr_line(self) -> str:
        text = self._stderr.decode("utf-8", "replace")
        if f"No module named '{TRAINER_MODULE.split('.')[0]}'" in text or "No module named 'onnx'" in text:
            return MISSING_TRAINER
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return lines[-1] if lines else ""


__all__ = ["MISSING_TRAINER", "TeachProcess", "parse_line", "remove_partial", "teach_command"]
