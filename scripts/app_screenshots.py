"""Screenshots of the app in each decoder state and at the window's smallest and a large size.

    python scripts/app_screenshots.py [--out docs/screenshots]      # under xvfb-run or offscreen

Each shot plays a real clip in the real window (MediaPipe, the bundled models) and grabs the
window the first time the sign panel reaches the state, with the clip paused there:
  state_no_person.png   a video with nobody in it (a test pattern)   -> "no one there"
  state_no_sign.png     WLASL 05732 with its first frame (hands down) held 2 s  -> "no sign"
  state_signing.png     WLASL 05732 while the sign is not decided yet  -> "signing (not sure yet)"
  state_sign.png        WLASL 05732 'before', wlasl50                  -> "before"
  state_unknown.png     WLASL 04821 'bald', cafe-words (the default model; not a café sign)  -> "unknown sign"
  window_860x560.png / window_1600x1000.png   the whole window at the minimum and a large size
PNGs are reduced to 256 colours to stay small.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLR_SHARED_DIR", ROOT.parent / "shared"))
CLIPS = SHARED / "datasets" / "wlasl_clips"
os.environ.setdefault("SLR_MEDIAPIPE_DIR", str(SHARED / "mediapipe"))
os.environ.setdefault("SLR_NO_DIALOGS", "1")


def no_person_clip(folder: Path) -> Path:
    out = folder / "no_person.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30",
                    "-t", "4", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def resting_clip(folder: Path, clip: Path) -> Path:
    """The clip with its first frame (the signer at rest, hands down) held for 2 s before it."""
    out = folder / "resting.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-vf",
                    "tpad=start_mode=clone:start_duration=2", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def shrink(path: Path) -> None:
    from PIL import Image

    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each state")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="slr_shots_"))
    os.environ["SLR_SETTINGS_FILE"] = str(tmp / "settings.ini")

    from PySide6.QtCore import QTimer

    from slr_desktop.app.main import create_app
    from slr_desktop.app.main_window import MainWindow
    from slr_desktop.app.settings import SettingsStore
    from slr_desktop.core.segments import Status

    wlasl50, cafe = ROOT / "models" / "wlasl50.onnx", ROOT / "models" / "cafe-words.onnx"
    before, bald = CLIPS / "05732.mp4", CLIPS / "04821.mp4"
    jobs = [  # (file, model, source, wanted status, size)
        ("state_no_person.png", wlasl50, no_person_clip(tmp), Status.NO_PERSON, (1100, 680)),
        ("state_no_sign.png", wlasl50, resting_clip(tmp, before), Status.NO_SIGN, (1100, 680)),
        ("state_signing.png", wlasl50, before, Status.SIGNING, (1100, 680)),
        ("state_sign.png", wlasl50, before, Status.SIGN, (1100, 680)),
        ("state_unknown.png", cafe, bald, Status.UNKNOWN, (1100, 680)),
        ("window_860x560.png", wlasl50, before, Status.SIGN, (860, 560)),
        ("window_1600x1000.png", wlasl50, before, Status.SIGN, (1600, 1000)),
    ]
    app = create_app()
    store = SettingsStore()
    win = MainWindow(store=store)
    win.hint.hide()
    win.show()
    win.start(source=str(before), model=str(wlasl50))
    failures: list[str] = []
    state = {"job": -1, "waited": 0.0, "grab_in": None}

    def next_job() -> None:
        state["job"] += 1
        state["waited"], state["grab_in"] = 0.0, None
        if state["job"] >= len(jobs):
            win.close()
            app.quit()
            return
        name, model, source, _, size = jobs[state["job"]]
        win.showNormal()
        win.resize(*size)
        if win.classifier is None or win.classifier.path != Path(model):
            win.load_model(model)
        win.open_source(str(source))

    def tick() -> None:
        if state["job"] >= len(jobs):
            return
        name, _, _, wanted, _ = jobs[state["job"]]
        if state["grab_in"] is not None:
            state["grab_in"] -= 0.05
            if state["grab_in"] <= 0:
                win._render()
                path = out / name
                win.grab().save(str(path))
                shrink(path)
                print(f"{path} ({path.stat().st_size // 1024} KB): {win.sign_panel.sign.text()!r} / "
                      f"{win.sign_panel.detail.text()!r}")
                next_job()
            return
        state["waited"] += 0.05
        if win.presenter.state.status == wanted and (win.presenter.state.bars or wanted == Status.NO_PERSON):
            if win._playing:
                win.toggle_play()
            state["grab_in"] = 0.6
        elif state["waited"] > args.timeout:
            failures.append(f"{name}: never reached {wanted}")
            next_job()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(50)
    QTimer.singleShot(0, next_job)
    app.exec()
    for f in failures:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
