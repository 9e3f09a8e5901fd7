"""The main window's file side: Open (remembering the folder), Open Recent, drag-and-drop, the
title, Export Transcript and Copy History.

A mixin of `MainWindow` (it uses the window's settings, presenter, status bar and the sources
mixin's `open_video`): the window's methods grouped by what they are about, in a file of their own.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog

from ..core.errors import one_line
from ..core.video import VIDEO_EXTENSIONS

VIDEO_FILTER = f"Videos ({' '.join('*' + e for e in VIDEO_EXTENSIONS)});;All files (*)"
# Export Transcript's formats: dialog filter -> extension (core/transcript.py writes each)
EXPORT_FILTERS = {
    "SubRip subtitles (*.srt)": ".srt",
    "CSV table (*.csv)": ".csv",
    "WebVTT subtitles (*.vtt)": ".vtt",
    "Plain text (*.txt)": ".txt",
}
APP_TITLE = "SLR Desktop"


def export_path(path: str, chosen_filter: str) -> Path:
    """The file to write: the typed name if it has a known extension, else the filter's."""
    from ..core.transcript import WRITERS

    p = Path(path)
    if p.suffix.lower() in WRITERS:
        return p
    return p.with_name(p.name + EXPORT_FILTERS.get(chosen_filter, ".srt"))


class FilesMixin:
    """Video files in (dialog, recent, dropped) and the recognised signs out (export, copy)."""

    # -- opening ---------------------------------------------------------------------------
    def start_dir(self) -> str:
        """Where the Open / Export dialogs start: the last folder used (kept between runs)."""
        d = self.settings.last_dir
        if d and Path(d).is_dir():
            return d
        if self.spec is not None and self.spec.path is not None:
            return str(self.spec.path.parent)
        return str(Path.home())

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video", self.start_dir(), VIDEO_FILTER)
        if path:
            self.open_video(path)

    def remember_file(self, path: Path) -> None:
        self.settings.add_recent(path)
        self._save_settings()

    def clear_recent(self) -> None:
        self.settings.clear_recent()
        self._save_settings()

    def update_title(self) -> None:
        """`clip.mp4 — SLR Desktop` (the camera's name for a camera)."""
        name = None
        if self.spec is not None:
            name = self.spec.path.name if self.spec.path is not None else self.spec.label
        self.setWindowTitle(f"{name} — {APP_TITLE}" if name else APP_TITLE)
        if self.spec is not None and self.spec.path is not None:
            self.setWindowFilePath(str(self.spec.path))

    # -- drag and drop ---------------------------------------------------------------------
    @staticmethod
    def _dropped_file(mime) -> Path | None:
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, ev) -> None:
        if self._dropped_file(ev.mimeData()) is not None:
            ev.acceptProposedAction()
        else:
            ev.ignore()

    def dragMoveEvent(self, ev) -> None:
        self.dragEnterEvent(ev)

    def dropEvent(self, ev) -> None:
        """A video opens; a model file (.onnx) loads (a bad one says why, as from the menu)."""
        path = self._dropped_file(ev.mimeData())
        if path is None:
            ev.ignore()
            return
        ev.acceptProposedAction()
        if path.suffix.lower() == ".onnx":
            self.load_model(path)
        else:
            self.open_video(path)

    # -- what was recognised, out ----------------------------------------------------------
    def export_transcript(self, path: str | Path) -> bool:
        """Write the current source's segments (SRT, CSV, VTT or TXT by extension)."""
        from ..core import transcript

        segments = self.presenter.segments
        try:
            transcript.write(path, segments)
        except Exception as e:  # OSError, a read-only folder, an unknown extension
            self.show_error("Cannot export the transcript", one_line(e))
            return False
        self.settings.last_dir = str(Path(path).resolve().parent)
        self._save_settings()
        self.status.message(f"Transcript saved: {len(segments)} sign{'s' * (len(segments) != 1)} → {path}", 6000)
        return True

    def export_transcript_dialog(self) -> None:
        if not self.presenter.segments:
            self.status.message("Nothing recognised yet: there is no transcript to export.", 5000)
            return
        stem = self.spec.path.stem if self.spec is not None and self.spec.path is not None else "transcript"
        start = str(Path(self.start_dir()) / f"{stem}.srt")
        path, chosen = QFileDialog.getSaveFileName(self, "Export transcript", start, ";;".join(EXPORT_FILTERS))
        if path:
            self.export_transcript(export_path(path, chosen))

    def copy_history(self) -> None:
        text = self.presenter.history_text()
        if not text:
            self.status.message("The history is empty: nothing to copy.", 4000)
            return
        QApplication.clipboard().setText(text)
        n = len(self.presenter.entries)
        self.status.message(f"Copied {n} sign{'s' * (n != 1)} to the clipboard.", 4000)


__all__ = ["EXPORT_FILTERS", "FilesMixin", "VIDEO_FILTER", "export_path"]
