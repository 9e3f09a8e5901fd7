"""A training run's folder: every input checked before anything is written, no result lost.

`slr-train train` calls `check_run` first (no writes: the config's data and idle-pool folders hold
landmark files, the output folder is writable, and a folder that holds a result is only touched
with `--resume` or `--overwrite`), then loads the data and checks a resumed checkpoint, and only
then `start_run` creates the folder (and, with `--overwrite`, removes the previous run's files).
"""
from __future__ import annotations

import os
from pathlib import Path

from slr_desktop.core.atomic import check_output_dir
from slr_desktop.core.errors import UserError

from .errors import ConfigError, DataError

RESULTS = ("best.pt", "last.pt", "test_metrics.json")
OUTPUTS = RESULTS + ("log.csv", "curves.png", "config.yaml", "test_confusion.png", "test_per_class.csv")


class RunFolderError(UserError):
    """A run folder that must not be written (it holds a result), or cannot be."""


def check_set_dir(path: str | os.PathLike, key: str) -> Path:
    """A landmark set folder that exists and holds at least one `.npz` (cheap: no file is read)."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{key}: landmark set folder not found: {p}")
    if not p.is_dir():
        raise DataError(f"{key}: {p} is a file, not a landmark set folder")
    for f in p.rglob("*.npz"):
        if not any(part.startswith(".") for part in f.relative_to(p).parts):
            return p
    raise DataError(f"{key}: no landmark files (.npz) under {p} (run `slr-train import` or `slr-train extract` first)")


def check_run(data: list[str], idle_pool: list[str], out: str | os.PathLike, resume: bool = False,
              overwrite: bool = False) -> Path:
    """Check a run's inputs and output folder without writing anything; returns the folder."""
    if resume and overwrite:
        raise ConfigError("--resume continues the run in the folder and --overwrite replaces it: give one")
    if not data:
        raise ConfigError("no training data: give --data DIR (or data: [DIR] in the config)")
    for d in data:
        check_set_dir(d, "data")
    for d in idle_pool:
        check_set_dir(d, "idle_pool")
    out = check_output_dir(out, "--out folder")
    held = [n for n in RESULTS if (out / n).exists()]
    if held and not (resume or overwrite):
        raise RunFolderError(f"{out} already holds a run ({', '.join(held)}); pass --resume to continue it, "
                             f"--overwrite to replace it, or choose another --out")
    if held and resume and not (out / "last.pt").is_file():  # a fresh start would replace best.pt
        raise RunFolderError(f"cannot resume {out}: it holds {', '.join(held)} but no last.pt; "
                             f"--overwrite replaces the run, or choose another --out")
    return out


def start_run(out: str | os.PathLike, overwrite: bool = False) -> Path:
    """Create the run folder; with `overwrite`, remove the previous run's files (only those)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if overwrite:
        for name in OUTPUTS:
            (out / name).unlink(missing_ok=True)
    for stale in out.glob(".*.part"):  # temp files of atomic writes a killed run left behind
        stale.unlink(missing_ok=True)
    return out


__all__ = ["OUTPUTS", "RESULTS", "RunFolderError", "check_run", "check_set_dir", "start_run"]
