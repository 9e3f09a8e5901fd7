"""`slr-desktop` command line.

    slr-desktop [--source SRC] [--model PATH] [--screenshot OUT.png] [--exit-after S]   # the app
    slr-desktop classify VIDEO [--model PATH] [--top 5] [--json] [--stride N] ...      # no GUI
    slr-desktop benchmark ...                                                           # if installed
    slr-desktop install-desktop-entry [--remove]          # Linux application menu entry + icon
    slr-desktop --version

A first argument that names a subcommand selects it; anything else is parsed as app options
(so `slr-desktop --source clip.mp4` needs no `app` subcommand). Heavy modules (Qt, MediaPipe,
onnxruntime) are imported only by the branch that needs them, which keeps `--help` instant.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from typing import Callable, Sequence

from .core.package_data import version

PROG = "slr-desktop"


def _classify(argv: list[str]) -> int:
    from . import classify

    p = argparse.ArgumentParser(prog=f"{PROG} classify",
                                description="Recognise the signs in a video file and print the top labels.")
    classify.add_arguments(p)
    return classify.run(p.parse_args(argv))


def _benchmark(argv: list[str]) -> int:
    if importlib.util.find_spec("slr_desktop.benchmark") is None:
        print(f"{PROG} benchmark: error: the benchmark module is not installed", file=sys.stderr)
        return 2
    mod = importlib.import_module("slr_desktop.benchmark")
    return int(mod.main(argv) or 0)


def _desktop_entry(argv: list[str]) -> int:
    from .desktop_entry import main as install_entry

    return install_entry(argv)


# name -> (one-line help, handler(argv) -> exit code)
SUBCOMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {
    "classify": ("classify a video file or a .pose file without the GUI (see classify --help)", _classify),
    "benchmark": ("measure tracking/classification speed and accuracy (see benchmark --help)", _benchmark),
    "install-desktop-entry": ("add SLR Desktop and its icon to the Linux application menu", _desktop_entry),
}


def app_parser() -> argparse.ArgumentParser:
    epilog = "subcommands:\n" + "\n".join(f"  {name:<22} {text}" for name, (text, _) in SUBCOMMANDS.items())
    epilog += (f"\n\nexamples:\n  {PROG}\n  {PROG} --source 0\n"
               f"  {PROG} --source clip.mp4 --screenshot shot.png --exit-after 10\n"
               f"  {PROG} classify clip.mp4 --json")
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Live sign language recognition from a webcam or a video file.",
        epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    p.add_argument("--source", metavar="SRC",
                   help="camera index (e.g. 0) or video file path (default: the last used / first camera)")
    p.add_argument("--model", metavar="PATH", help="ONNX classifier model (default: models/DEFAULT)")
    p.add_argument("--pose-model", choices=("lite", "full"), default=None,
                   help="MediaPipe pose model (default: from settings, else lite)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="save a screenshot of the main window before exiting (with --exit-after)")
    p.add_argument("--exit-after", type=float, metavar="SECONDS",
                   help="quit automatically after this many seconds (demos, smoke tests)")
    p.add_argument("--verbose", action="store_true", help="keep MediaPipe's and Qt's native log output on stderr")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return SUBCOMMANDS[argv[0]][1](argv[1:])
    args = app_parser().parse_args(argv)
    if args.exit_after is not None and args.exit_after <= 0:
        app_parser().error("--exit-after must be > 0")
    if args.screenshot:  # an unwritable path fails now, not after the demo ran
        from .core.atomic import OutputError, check_output_file
        from .core.errors import one_line

        try:
            check_output_file(args.screenshot, "--screenshot file")
        except OutputError as e:
            print(f"{PROG}: error: {one_line(e)}", file=sys.stderr)
            return 2
    try:
        from .app.main import run  # lazy: Qt is only needed for the GUI
    except ModuleNotFoundError as e:
        if e.name not in ("slr_desktop.app", "slr_desktop.app.main"):
            raise
        print(f"{PROG}: error: the desktop app is not installed in this build "
              f"(try '{PROG} classify VIDEO')", file=sys.stderr)
        return 2
    return int(run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
