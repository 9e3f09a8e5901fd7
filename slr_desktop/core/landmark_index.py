"""The `index.csv` of a landmark set and its file names: one format for import, extract and the
app's recorder.

A landmark set is a folder with one sub-folder per sign (`safe_name(gloss)`), one `.npz` per
sequence (`LandmarkSequence.save`) and an `index.csv` listing them (`INDEX_COLUMNS`). The trainer
(`trainer.landmark_sets`) and the app's Teach window both write sets, and the app never imports
the trainer, so the format lives here.
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Iterable

from .atomic import atomic_open
from .landmarks import LandmarkSequence

INDEX_NAME = "index.csv"
INDEX_COLUMNS = ("id", "gloss", "group", "real", "origin", "n_frames", "file", "all_zero")
IDLE_LABEL = "-"


def safe_name(text: str, max_len: int = 100) -> str:
    """A file-name component from any gloss/id: no separators, no leading dot or dash.

    `../x` -> `_.._x`, `a/b` -> `a_b`, `fall in love` -> `fall_in_love`, `-` -> `_-`.
    """
    s = re.sub(r"[^A-Za-z0-9_.+-]", "_", str(text))[:max_len]
    if not s or s[0] in ".-":
        s = "_" + s
    return s


def clean_stale_parts(root: str | os.PathLike) -> int:
    """Remove temporary `*.part` files left by an interrupted atomic write under `root`."""
    n = 0
    for p in Path(root).rglob("*.part"):
        try:
            p.unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n


def index_row(seq: LandmarkSequence, file: str) -> dict:
    m = seq.meta
    return dict(id=m.get("id", ""), gloss=seq.gloss, group=m.get("group", ""),
                real="1" if m.get("real", True) else "0", origin=m.get("origin", ""),
                n_frames=str(len(seq)), file=file, all_zero="1" if m.get("all_zero") else "0")


def write_index(path: str | os.PathLike, rows: Iterable[dict]) -> None:
    """Write `index.csv` atomically (one row per sequence, `INDEX_COLUMNS`)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=INDEX_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    with atomic_open(path, "w") as f:
        f.write(buf.getvalue())


__all__ = ["IDLE_LABEL", "INDEX_COLUMNS", "INDEX_NAME", "clean_stale_parts", "index_row", "safe_name", "write_index"]
