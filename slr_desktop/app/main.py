"""Entry point used by `slr-desktop` (slr_desktop/cli.py): build the QApplication and the window.

`run(args)` takes the CLI namespace: `source` (video path or camera index string), `model`,
`screenshot` (PNG path, grabbed just before exiting), `exit_after` (seconds) and `verbose`. With a
screenshot but no `exit_after` the app exits after `DEFAULT_SCREENSHOT_AFTER` seconds. Returns the
exit code.

MediaPipe's C++ logging writes straight to file descriptor 2 and cannot be switched off, so
(unless `verbose`) fd 2 goes to /dev/null while the app runs, as for `classify`; Python's own
stderr (warnings, tracebacks) and faulthandler's crash report stay on the real terminal.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..core.package_data import ICON_NAME, resource
from ..desktop_entry import APP_ID

DEFAULT_SCREENSHOT_AFTER = 6.0


def create_app():
    from PySide6.QtWidgets import QApplication

    from . import theme
    from .settings import APP, ORG

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setDesktopFileName(APP_ID)  # ties the window to the menu entry of install-desktop-entry
    icon = resource(ICON_NAME)
    if icon.is_file():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    theme.apply_dark(app)
    return app


def run(args) -> int:
    import faulthandler

    from ..classify import native_stderr_silenced

    verbose = bool(getattr(args, "verbose", False))
    saved = sys.stderr
    with native_stderr_silenced(not verbose) as err:
        sys.stderr = err
        crash_reports = not verbose and not faulthandler.is_enabled()
        if crash_reports:
            faulthandler.enable(err)
        try:
            return _run(args)
        finally:
            if crash_reports:
                faulthandler.disable()
            sys.stderr = saved


def _run(args) -> int:
    from PySide6.QtCore import QTimer

    from .main_window import MainWindow
    from .settings import SettingsStore

    source = getattr(args, "source", None)
    model = getattr(args, "model", None)
    screenshot = getattr(args, "screenshot", None)
    exit_after = getattr(args, "exit_after", None)
    if screenshot and exit_after is None:
        exit_after = DEFAULT_SCREENSHOT_AFTER

    app = create_app()
    win = MainWindow(store=SettingsStore())
    win.show()
    if exit_after is not None:
        win.loop_action.setChecked(True)  # a timed demo of a short clip keeps playing until the grab
        win.hint.hide()                   # ...and shows the app, not the first-run hint
    win.start(source=source, model=model)

    if exit_after is not None:
        def finish() -> None:
            st = win.stats()
            print(f"capture {st['capture_fps']:.1f} fps, landmarks {st['landmarks_fps']:.1f} fps "
                  f"({st['track_ms']:.1f} ms/frame), classifier {st['classifier_fps']:.1f} fps "
                  f"({st['classify_ms']:.1f} ms/window), dropped {st['dropped']}/{st['frames_captured']}, "
                  f"capture->result latency {st['latency_ms']:.0f} ms")
            if screenshot:
                out = Path(screenshot)
                out.parent.mkdir(parents=True, exist_ok=True)
                if not win.grab().save(str(out)):
                    print(f"could not write screenshot {out}", file=sys.stderr)
                else:
                    print(f"screenshot written to {out}")
            win.close()
            app.quit()

        QTimer.singleShot(int(max(0.0, float(exit_after)) * 1000), finish)

    app.exec()
    if not win._closed:
        win.close()
    skip_exit_collection()
    return 0


def skip_exit_collection() -> None:
    """Let the process end promptly once the window has closed and everything is saved.

    Measured: after the window closed, the process lingered 1.2-1.8 s, nearly all of it in the
    interpreter's final garbage collections over the millions of objects MediaPipe's import
    brings (protobuf descriptors, matplotlib); `python -c "import mediapipe"` alone lingers
    0.8 s, and 0.1 s with this. The threads are joined and the settings saved before this runs,
    and objects are still freed by reference counting; only the cycle search at exit is skipped.
    """
    import gc

    gc.disable()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    """Stand-alone launcher (`python -m slr_desktop.app.main`) for when the CLI is not installed."""
    import argparse

    p = argparse.ArgumentParser(prog="slr-desktop")
    p.add_argument("--source")
    p.add_argument("--model")
    p.add_argument("--screenshot")
    p.add_argument("--exit-after", type=float)
    p.add_argument("--verbose", action="store_true")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
