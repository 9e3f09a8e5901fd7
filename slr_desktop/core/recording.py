"""Teach projects on disk: named folders of recorded takes, as landmark sets. No Qt here.

A project is `platformdirs.user_data_dir("slr-desktop")/projects/<name>` (or `$SLR_PROJECTS_DIR`)
in exactly the format `slr-train import` writes, so `slr-train teach`, `train` and `evaluate`
read it as they read any landmark set:

    <project>/<safe_name(sign)>/0001.npz     one take: `LandmarkSequence.save`, landmarks only
    <project>/index.csv                      `landmark_index.INDEX_COLUMNS`, rebuilt from the files
    <project>/project.json                   the project's own settings (its signs' order)

Safety: a take is written in one atomic step (temporary file, fsync, rename) when it is finished,
so an app killed mid-take loses that take only; the index is rebuilt from the take files whenever
the project changes or opens, so a kill between the two writes leaves nothing inconsistent; left
over temporary files are removed on open.

Names are what users type, so they are checked here with answers a user can act on.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_write_text
from .errors import UserError
from .landmark_index import IDLE_LABEL, INDEX_NAME, clean_stale_parts, index_row, safe_name, write_index
from .landmarks import LandmarkSequence
from .layout import LAYOUT

ENV_PROJECTS_DIR = "SLR_PROJECTS_DIR"
PROJECT_FILE = "project.json"
MAX_NAME = 40
NOTHING = IDLE_LABEL            # the gloss of a recorded "no sign" (the bundled models' idle label)
NOTHING_TEXT = "(no sign)"      # how the app shows it
_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class BadNameError(UserError):
    """A sign or project name we cannot use; the message says why and what would work."""


def projects_dir() -> Path:
    env = os.environ.get(ENV_PROJECTS_DIR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("slr-desktop")) / "projects"


def check_name(name: str, what: str = "sign name", taken: tuple[str, ...] | list[str] = ()) -> str:
    """The name, stripped, or `BadNameError` with a one-line reason.

    Allowed: 1..40 ASCII letters, digits, '-' and '_', starting with a letter or digit, and not
    the same as one in `taken` ignoring case (folders differ only by case on some systems).
    """
    raw = name
    name = (name or "").strip()
    if not name:
        raise BadNameError(f"the {what} is empty")
    if name == NOTHING:
        raise BadNameError(f"'{NOTHING}' is reserved for 'no sign': use the '+ No Sign' button instead")
    if "/" in name or "\\" in name:
        raise BadNameError(f"{what} {raw!r} contains a slash; use letters, digits, '-' or '_'")
    if name in (".", "..") or name.startswith("."):
        raise BadNameError(f"{what} {raw!r} starts with a dot; use letters, digits, '-' or '_'")
    if any(c.isspace() for c in name):
        suggestion = re.sub(r"\s+", "-", name)
        raise BadNameError(f"{what} {raw!r} contains a space; write e.g. {suggestion!r} instead")
    if not name.isascii():
        bad = "".join(sorted({c for c in name if not c.isascii()}))
        raise BadNameError(f"{what} {raw!r} contains non-ASCII characters ({bad}); use A-Z, a-z, 0-9, '-' or '_'")
    if len(name) > MAX_NAME:
        raise BadNameError(f"{what} is longer than {MAX_NAME} characters")
    if not _NAME_OK.match(name):
        bad = "".join(sorted({c for c in name if not (c.isalnum() or c in "-_")}))
        why = f"contains {bad!r}" if bad else "must start with a letter or digit"
        raise BadNameError(f"{what} {raw!r} {why}; use A-Z, a-z, 0-9, '-' or '_'")
    for t in taken:
        if t.lower() == name.lower():
            raise BadNameError(f"there is already a {what.split()[0]} called {t!r}")
    return name


@dataclass(frozen=True)
class Take:
    """One recorded take of a sign (a file of the project)."""

    sign: str
    path: Path
    number: int
    n_frames: int
    duration_s: float
    hands: bool                 # at least one frame had a hand
    recorded_at: str = ""

    @property
    def flagged(self) -> bool:
        """A take of a sign in which no hand was seen (a recorded 'no sign' needs none)."""
        return not self.hands and self.sign != NOTHING

    @property
    def label(self) -> str:
        flag = "  ⚠ no hands" if self.flagged else ""
        return f"take {self.number}: {self.duration_s:.1f} s{flag}"


def has_hands(seq: LandmarkSequence) -> bool:
    return bool(seq.mask[:, LAYOUT.n_pose:].any())


class Project:
    """A named folder of signs and takes. All writes are atomic; `refresh()` re-reads the disk."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.name = self.root.name
        self._signs: list[str] = []
        self._takes: dict[str, list[Take]] = {}
        self.damaged: list[Path] = []     # take files that could not be read (left on disk)
        self.read_only = False            # opened, but its folder cannot be written

    # ------------------------------------------------------------------ create / open / list
    @classmethod
    def create(cls, name: str, parent: str | os.PathLike | None = None) -> "Project":
        parent = Path(parent) if parent is not None else projects_dir()
        taken = [p.name for p in parent.iterdir() if p.is_dir()] if parent.is_dir() else []
        name = check_name(name, "project name", taken)
        proj = cls(parent / name)
        proj.root.mkdir(parents=True, exist_ok=False)
        proj._save_settings()
        proj._write_index()
        return proj

    @classmethod
    def open(cls, root: str | os.PathLike) -> "Project":
        root = Path(root)
        if not root.is_dir():
            raise UserError(f"no teach project at {root}")
        proj = cls(root)
        proj.refresh()
        try:
            # what a killed write leaves: temporary files, a half-made rename, a folder being deleted
            clean_stale_parts(root)
            for p in root.glob(".re*-*"):
                if p.is_dir() and p.name.startswith((".rename-", ".removed-")):
                    shutil.rmtree(p, ignore_errors=True)
            proj._write_index()        # the files are the truth: the index follows them
        except OSError:                # a read-only project can still be viewed and trained from
            proj.read_only = True
        return proj

    @staticmethod
    def list(parent: str | os.PathLike | None = None) -> list[str]:
        parent = Path(parent) if parent is not None else projects_dir()
        if not parent.is_dir():
            return []
        return sorted(p.name for p in parent.iterdir() if p.is_dir() and not p.name.startswith("."))

    # ------------------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Re-read the signs and takes from disk (the files are the truth, the settings only keep
        the order in which the signs were added)."""
        takes: dict[str, list[Take]] = {}
        damaged: list[Path] = []
        folders = sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        for folder in folders:
            for f in sorted(folder.glob("*.npz")):
                if f.name.startswith("."):
                    continue
                try:
                    seq = LandmarkSequence.load(f)
                except Exception:      # a damaged file is not a take; it stays, listed in `damaged`
                    damaged.append(f)
                    continue
                takes.setdefault(seq.gloss, []).append(self._take(seq, f))
        names = {f.name for f in folders}
        order = [s for s in self._settings().get("signs", []) if s in takes or safe_name(s) in names]
        order += sorted(s for s in takes if s not in order)
        self.damaged = damaged
        self._signs = order
        self._takes = {s: sorted(takes.get(s, []), key=lambda t: t.number) for s in order}

    @staticmethod
    def _take(seq: LandmarkSequence, path: Path) -> Take:
        try:
            number = int(path.stem)
        except ValueError:
            number = 0
        return Take(seq.gloss, path, number, len(seq), seq.duration_s, has_hands(seq),
                    str(seq.meta.get("recorded_at", "")))

    @property
    def signs(self) -> list[str]:
        return list(self._signs)

    def takes(self, sign: str) -> list[Take]:
        return list(self._takes.get(sign, []))

    def counts(self) -> dict[str, int]:
        return {s: len(self._takes.get(s, [])) for s in self._signs}

    def load_take(self, take: Take) -> LandmarkSequence:
        return LandmarkSequence.load(take.path)

    @property
    def has_nothing(self) -> bool:
        return NOTHING in self._signs

    # ------------------------------------------------------------------------------ editing
    def folder(self, sign: str) -> Path:
        return self.root / safe_name(sign)

    def add_sign(self, name: str) -> str:
        """Add an empty sign (`NOTHING` adds the project's 'no sign'). Returns the checked name."""
        name = NOTHING if name == NOTHING else check_name(name, "sign name", self._signs)
        if name in self._signs:
            return name
        self.folder(name).mkdir(parents=True, exist_ok=True)
        self._signs.append(name)
        self._takes[name] = []
        self._save_settings()
        return name

    def rename_sign(self, old: str, new: str) -> str:
        if old not in self._signs:
            raise UserError(f"no sign called {old!r}")
        if old == NOTHING:
            raise BadNameError("'no sign' cannot be renamed")
        new = check_name(new, "sign name", [s for s in self._signs if s != old])
        if new == old:
            return new
        src, dst = self.folder(old), self.folder(new)
        if dst.exists():
            raise BadNameError(f"a folder {dst.name!r} already exists in the project")
        # every take is rewritten with its new gloss in a hidden folder, which then becomes the
        # sign's folder in one rename; only then does the old folder go. A kill in between leaves
        # the old sign (and maybe a copy under the new name), never a half-renamed one.
        tmp = self.root / f".rename-{safe_name(new)}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for take in self.takes(old):
            seq = self.load_take(take)
            seq.gloss = new
            seq.meta.update(id=self._take_id(new, take.number), origin=self._take_id(new, take.number), label=new)
            seq.save(tmp / take.path.name)
        os.replace(tmp, dst)
        self._discard(src)
        i = self._signs.index(old)
        self._signs[i] = new
        self._save_settings()
        self.refresh()
        self._write_index()
        return new

    def remove_sign(self, name: str) -> None:
        if name not in self._signs:
            raise UserError(f"no sign called {name!r}")
        self._discard(self.folder(name))
        self._signs.remove(name)
        self._takes.pop(name, None)
        self._save_settings()
        self._write_index()

    def _discard(self, folder: Path) -> None:
        """Remove a folder in one atomic step (a rename out of sight), then delete it."""
        if folder.exists():
            trash = self.root / f".removed-{folder.name}-{os.getpid()}-{time.time_ns()}"
            os.replace(folder, trash)
            shutil.rmtree(trash, ignore_errors=True)

    def _take_id(self, sign: str, number: int) -> str:
        return f"{self.name}:{sign}:{number:04d}"

    def save_take(self, sign: str, seq: LandmarkSequence, replace: Take | None = None) -> Take:
        """Write a finished take (atomically) as the sign's next take, or over `replace`."""
        if sign not in self._signs:
            self.add_sign(sign)
        if replace is not None:
            number = replace.number
        else:
            existing = [t.number for t in self._takes.get(sign, [])]
            on_disk = [int(p.stem) for p in self.folder(sign).glob("*.npz") if p.stem.isdigit()]
            number = max(existing + on_disk + [0]) + 1
        take_id = self._take_id(sign, number)
        meta = dict(seq.meta)
        meta.update(id=take_id, origin=take_id, group=meta.get("group") or f"{self.name}:user",
                    dataset=self.name, real=True, label=sign, kind="real",
                    recorded_at=meta.get("recorded_at") or time.strftime("%Y-%m-%dT%H:%M:%S"),
                    no_hands=not has_hands(seq), all_zero=not bool(seq.mask.any()))
        out = LandmarkSequence(points=seq.points, mask=seq.mask, fps=seq.fps, width=seq.width, height=seq.height,
                               gloss=sign, source=seq.source, timestamps_ms=seq.timestamps_ms, meta=meta,
                               image_motion=seq.image_motion)
        path = self.folder(sign) / f"{number:04d}.npz"
        out.save(path)
        take = self._take(out, path)
        lst = [t for t in self._takes.get(sign, []) if t.number != number] + [take]
        self._takes[sign] = sorted(lst, key=lambda t: t.number)
        self._write_index()
        return take

    def delete_take(self, take: Take) -> None:
        try:
            take.path.unlink()
        except FileNotFoundError:
            pass
        self._takes[take.sign] = [t for t in self._takes.get(take.sign, []) if t.path != take.path]
        self._write_index()

    # --------------------------------------------------------------------------- bookkeeping
    def _settings(self) -> dict:
        try:
            return json.loads((self.root / PROJECT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_settings(self) -> None:
        data = self._settings()
        data.update(format=1, signs=self._signs)
        atomic_write_text(self.root / PROJECT_FILE, json.dumps(data, indent=1, sort_keys=True))

    def _write_index(self) -> None:
        rows = []
        for sign in self._signs:
            for take in self._takes.get(sign, []):
                try:
                    seq = LandmarkSequence.load(take.path)
                except Exception:
                    continue
                rows.append(index_row(seq, take.path.relative_to(self.root).as_posix()))
        write_index(self.root / INDEX_NAME, rows)

    def summary(self) -> dict:
        """Counts for the UI and the trainer's report: takes per sign, takes without hands."""
        return {s: dict(takes=len(ts), no_hands=sum(t.flagged for t in ts)) for s, ts in self._takes.items()}


def trim_to_hands(seq: LandmarkSequence, margin_s: float = 0.25) -> LandmarkSequence:
    """The part of a recording where hands are in view, plus `margin_s` either side (the hands
    rising and falling, as the live window sees them). A take with no hand is returned whole."""
    hands = seq.mask[:, LAYOUT.n_pose:].any(axis=1)
    if not hands.any():
        return seq
    ts = seq.timestamps_ms if seq.timestamps_ms is not None else np.arange(len(seq)) * 1000.0 / seq.fps
    first, last = int(np.argmax(hands)), int(len(hands) - 1 - np.argmax(hands[::-1]))
    lo = int(np.searchsorted(ts, ts[first] - margin_s * 1000.0, side="left"))
    hi = int(np.searchsorted(ts, ts[last] + margin_s * 1000.0, side="right"))
    sl = slice(lo, max(hi, lo + 1))
    return LandmarkSequence(points=seq.points[sl], mask=seq.mask[sl], fps=seq.fps, width=seq.width,
                            height=seq.height, gloss=seq.gloss, source=seq.source,
                            timestamps_ms=None if seq.timestamps_ms is None else seq.timestamps_ms[sl],
                            meta=dict(seq.meta, trimmed_from=len(seq)),
                            image_motion=None if seq.image_motion is None else seq.image_motion[sl])


__all__ = ["ENV_PROJECTS_DIR", "NOTHING", "NOTHING_TEXT", "BadNameError", "Project", "Take", "check_name",
           "has_hands", "projects_dir", "trim_to_hands"]
