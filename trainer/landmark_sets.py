"""Landmark sets on disk: a folder of `.npz` sequences with an `index.csv`. No torch here.

A *set* is a folder of `.npz` files written by `LandmarkSequence.save` (`slr-train import` /
`slr-train extract`), one sequence per file, with provenance in `seq.meta`:

    dataset  where it came from            id      unique within the set
    group    split unit that must not be    real    False for synthetic (augmented) copies
             shared between splits          origin  id of the real sequence a copy came from,
             (recorder, source sequence,            else its own id
             video)

Reading a set must stay light (`slr-train import` and the app's recorder use it), so this module
imports numpy and the app's core only.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

import numpy as np

from slr_desktop.core.atomic import atomic_open
from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT

from .errors import DataError

INDEX_NAME = "index.csv"
INDEX_COLUMNS = ("id", "gloss", "group", "real", "origin", "n_frames", "file", "all_zero")
CACHE_NAME = ".set_cache.npz"
IDLE_LABEL = "-"


# -- file helpers shared by import and extract -----------------------------------------------
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


# -- loading a set ------------------------------------------------------------------------------
def _set_files(root: Path) -> list[Path]:
    """Every `.npz` under root except hidden files/folders (temp files, the cache), sorted."""
    files = [p for p in root.rglob("*.npz")
             if not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _fingerprint(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(root).as_posix()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _fill_meta(seq: LandmarkSequence, rel: str, dataset: str) -> LandmarkSequence:
    """Defaults for files written without full provenance (id = relative path)."""
    m = seq.meta
    m.setdefault("id", rel[:-4] if rel.endswith(".npz") else rel)
    m.setdefault("dataset", dataset)
    m.setdefault("real", True)
    m.setdefault("origin", m["id"])
    m.setdefault("group", m["origin"])
    return seq


def _write_cache(path: Path, fp: str, seqs: list[LandmarkSequence]) -> None:
    lengths = np.array([len(s) for s in seqs], np.int64)
    ts = [s.timestamps_ms for s in seqs]
    head = [dict(gloss=s.gloss, source=s.source, meta=s.meta, fps=s.fps, size=[s.width, s.height],
                 has_ts=s.timestamps_ms is not None) for s in seqs]
    arrays = dict(
        fingerprint=np.str_(fp), layout_id=np.str_(LAYOUT.id), lengths=lengths,
        points=np.concatenate([s.points for s in seqs]), mask=np.concatenate([s.mask for s in seqs]),
        timestamps=np.concatenate([t for t in ts if t is not None] or [np.zeros(0)]),
        head=np.str_(json.dumps(head)),
    )
    with atomic_open(path, "wb") as f:
        np.savez_compressed(f, **arrays)


def _read_cache(path: Path, fp: str) -> list[LandmarkSequence] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["fingerprint"]) != fp or str(z["layout_id"]) != LAYOUT.id:
                return None
            lengths, points, mask = z["lengths"], z["points"], z["mask"]
            timestamps, head = z["timestamps"], json.loads(str(z["head"]))
    except Exception:  # any damage (truncated, bit-flipped, old format): rebuild from the files
        return None
    out, start, tstart = [], 0, 0
    for n, h in zip(lengths.tolist(), head):
        ts = None
        if h["has_ts"]:
            ts, tstart = timestamps[tstart:tstart + n], tstart + n
        out.append(LandmarkSequence(points=points[start:start + n], mask=mask[start:start + n],
                                    fps=h["fps"], width=h["size"][0], height=h["size"][1],
                                    gloss=h["gloss"], source=h["source"], timestamps_ms=ts,
                                    meta=h["meta"]))
        start += n
    return out


def load_set(path: str | os.PathLike, cache: bool = True) -> list[LandmarkSequence]:
    """Every sequence under `path` (recursive), sorted by relative file path.

    A file that cannot be used (truncated, NaN coordinates, another layout, ...) is a
    `LandmarkFileError` naming it; a missing or empty folder a `DataError`.

    The per-sample `.npz` files are the format of record; with `cache` a consolidated
    `.set_cache.npz` is kept beside them (rebuilt whenever any file's name, size or mtime
    changes) because opening ~4,500 small archives dominates start-up. A read-only folder just
    goes without the cache.
    """
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"landmark set folder not found: {root}" if not root.exists()
                        else f"{root} is a file, not a landmark set folder")
    files = _set_files(root)
    if not files:
        raise DataError(f"no .npz sequences under {root}")
    fp = _fingerprint(root, files)
    cache_path = root / CACHE_NAME
    if cache and cache_path.is_file():
        seqs = _read_cache(cache_path, fp)
        if seqs is not None:
            return seqs
    seqs = []
    for p in files:
        rel = p.relative_to(root).as_posix()
        seqs.append(_fill_meta(LandmarkSequence.load(p), rel, root.name))
    ids = Counter(s.meta["id"] for s in seqs)
    dup = [k for k, v in ids.items() if v > 1]
    if dup:
        raise DataError(f"{root}: duplicate sequence ids: {', '.join(sorted(dup)[:5])}")
    if cache:
        try:
            _write_cache(cache_path, fp, seqs)
        except OSError:
            pass
    return seqs


def idle_sequences(seqs: Iterable[LandmarkSequence], label: str | None = IDLE_LABEL) -> list[LandmarkSequence]:
    """Real idle sequences usable as padding: label `label`, real, and something tracked.

    cafe_words' 60 all-zero "-" rows (nothing tracked, flagged `all_zero`) are excluded.
    label None: any label (the caller already chose the idle sequences).
    """
    out = []
    for s in seqs:
        if (label is not None and s.gloss != label) or not s.meta.get("real", True) or s.meta.get("all_zero"):
            continue
        if not s.mask.any():
            continue
        out.append(s)
    return out


__all__ = [
    "CACHE_NAME", "IDLE_LABEL", "INDEX_COLUMNS", "INDEX_NAME", "clean_stale_parts", "idle_sequences",
    "index_row", "load_set", "safe_name", "write_index",
]
