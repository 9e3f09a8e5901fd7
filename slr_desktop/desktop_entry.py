"""`slr-desktop install-desktop-entry`: put SLR Desktop in the Linux application menu.

Writes, for the current user only (XDG Base Directory + Desktop Entry specs, no root needed):

    $XDG_DATA_HOME/applications/slr-desktop.desktop              (default ~/.local/share/...)
    $XDG_DATA_HOME/icons/hicolor/scalable/apps/slr-desktop.svg

`Exec` is the absolute path of the `slr-desktop` launcher of *this* installation (pipx venv,
.venv or system), so the menu entry starts the same app that wrote it. `--remove` deletes both
files. Menus notice new files in these folders by themselves; nothing else is run.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .core.atomic import atomic_write_bytes, atomic_write_text
from .core.errors import UserError, run_cli
from .core.package_data import ICON_NAME, resource

PROG = "slr-desktop install-desktop-entry"
APP_ID = "slr-desktop"        # desktop file id, icon name and Qt's desktopFileName
_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def data_home() -> Path:
    """$XDG_DATA_HOME if it is an absolute path (the spec says to ignore a relative one), else ~/.local/share."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def entry_paths(base: Path | None = None) -> tuple[Path, Path]:
    base = data_home() if base is None else base
    return (base / "applications" / f"{APP_ID}.desktop",
            base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg")


def launcher() -> list[str]:
    """The command that starts this installation's app: its `slr-desktop` script, else `python -m`."""
    script = Path(sys.executable).parent / "slr-desktop"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "slr_desktop.cli"]


def _quote(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry spec asks when it holds reserved characters."""
    if not arg or _RESERVED & set(arg):
        return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return arg


def desktop_entry(exec_argv: list[str]) -> str:
    # no %f: the app takes a file only behind --source, and an empty %f would leave a bare flag
    exec_line = " ".join(_quote(a) for a in exec_argv).replace("%", "%%")
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.5",
        "Name=SLR Desktop",
        "GenericName=Sign Language Recognition",
        "Comment=Recognise sign language live from a webcam or a video file",
        f"Exec={exec_line}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;Utility;Accessibility;",
        "Keywords=sign language;ASL;webcam;gesture;",
        f"StartupWMClass={APP_ID}",
        "",
    ])


def install(base: Path | None = None) -> tuple[Path, Path]:
    """Write the icon and the desktop entry (atomically); returns their paths."""
    icon_src = resource(ICON_NAME)
    if not icon_src.is_file():
        raise UserError(f"the app icon is missing from this installation ({icon_src}); reinstall slr-desktop")
    desktop, icon = entry_paths(base)
    atomic_write_bytes(icon, icon_src.read_bytes())
    atomic_write_text(desktop, desktop_entry(launcher()))
    return desktop, icon


def remove(base: Path | None = None) -> list[Path]:
    removed = []
    for p in entry_paths(base):
        if p.is_file():
            p.unlink()
            removed.append(p)
    return removed


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog=PROG, description="Add SLR Desktop (with its icon) to your application "
                                "menu, for this user: $XDG_DATA_HOME/applications and icons (~/.local/share).")
    p.add_argument("--remove", action="store_true", help="remove the menu entry and icon written before")
    args = p.parse_args(argv)

    def body() -> int:
        if args.remove:
            gone = remove()
            print("\n".join(f"removed {x}" for x in gone) if gone else "no desktop entry was installed")
            return 0
        desktop, icon = install()
        print(f"desktop entry: {desktop}\nicon:          {icon}\n"
              f"SLR Desktop is now in your application menu (log out and in if it does not show yet).")
        return 0

    return run_cli(PROG, body, (UserError, OSError))


__all__ = ["APP_ID", "data_home", "desktop_entry", "entry_paths", "install", "launcher", "main", "remove"]
