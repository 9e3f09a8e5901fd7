"""The idle pool shipped with the app: real idle ("-") landmark sequences, in our 75-point layout.

An installed app has no data set beside it, yet teaching it new signs from a few recordings needs
real idle frames to place those recordings between (training does the same with `--idle-pool`).
`resources/idle_pool.npz` (built by scripts/make_idle_pool.py) holds 40 tracked idle sequences of
each of the two recorders of the MIT-licensed traduttore `cafe_words` set; its `meta` carries the
provenance and the licence text, which must travel with any copy.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .errors import UserError
from .landmarks import LandmarkSequence
from .layout import LAYOUT
from .package_data import IDLE_POOL_NAME, resource

FORMAT_VERSION = 1


def idle_pool_path() -> Path:
    return resource(IDLE_POOL_NAME)


def idle_pool_meta(path: str | os.PathLike | None = None) -> dict:
    """The pool's provenance: dataset, source commit, selection, precision, licence and its text."""
    with np.load(Path(path) if path else idle_pool_path(), allow_pickle=False) as z:
        return json.loads(str(z["meta"]))


def load_idle_pool(path: str | os.PathLike | None = None) -> list[LandmarkSequence]:
    """Every sequence of the pool (default: the shipped one), gloss "-", `meta["group"]` = recorder.

    Raises `UserError` (one line) when the file is missing, unreadable or of another layout.
    """
    p = Path(path) if path else idle_pool_path()
    try:
        with np.load(p, allow_pickle=False) as z:
            if str(z["layout_id"]) != LAYOUT.id or int(z["format_version"]) != FORMAT_VERSION:
                raise UserError(f"{p}: idle pool of layout {str(z['layout_id'])!r} / format "
                                f"{int(z['format_version'])}, expected {LAYOUT.id!r} / {FORMAT_VERSION}")
            points = z["points"].astype(np.float32)                  # (F, 75, 3)
            mask, lengths = z["mask"], z["lengths"]                  # (F, 75), (N,)
            ids, groups = z["ids"], z["groups"]
            meta = json.loads(str(z["meta"]))
    except FileNotFoundError:
        raise UserError(f"idle pool not found: {p} (reinstall slr-desktop, or run scripts/make_idle_pool.py)") from None
    except (OSError, KeyError, ValueError) as e:
        raise UserError(f"{p}: not a readable idle pool ({e})") from None
    common = dict(dataset=meta["dataset"], real=True, idle_pool=True, licence=meta["licence"],
                  nominal_fps=meta["nominal_fps"], assumed_size=meta["assumed_size"])
    out, start = [], 0
    for n, sid, group in zip(lengths.tolist(), ids.tolist(), groups.tolist()):
        out.append(LandmarkSequence(
            points=points[start:start + n], mask=mask[start:start + n], fps=float(meta["fps"]),
            width=int(meta["width"]), height=int(meta["height"]), gloss=meta["label"],
            source=f"{p.name}::{sid}", meta=dict(common, id=sid, group=group, origin=sid)))
        start += n
    return out


__all__ = ["FORMAT_VERSION", "idle_pool_meta", "idle_pool_path", "load_idle_pool"]
