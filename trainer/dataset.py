"""Landmark sets on disk, leak-free splits, and the torch Dataset of fixed model windows.

A *set* is a folder of `.npz` files written by `LandmarkSequence.save` (`slr-train import` /
`slr-train extract`), one sequence per file, with provenance in `seq.meta`:

    dataset  where it came from            id      unique within the set
    group    split unit that must not be    real    False for synthetic (augmented) copies
             shared between splits          origin  id of the real sequence a copy came from,
             (recorder, source sequence,            else its own id
             video)

Windows are built only with `slr_desktop.core.window` (resample, to_model_coords via resample,
fit_window), so trainer, clip classification and the live app share one implementation.

Glossary of shapes: T frames, P = 75 points, C = 3 channels (x, y, z model coordinates).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from slr_desktop.core.atomic import atomic_open
from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.window import fit_window, resample

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
    except (OSError, KeyError, ValueError):
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

    The per-sample `.npz` files are the format of record; with `cache` a consolidated
    `.set_cache.npz` is kept beside them (rebuilt whenever any file's name, size or mtime
    changes) because opening ~4,500 small archives dominates start-up. A read-only folder just
    goes without the cache.
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"landmark set folder not found: {root}")
    files = _set_files(root)
    if not files:
        raise FileNotFoundError(f"no .npz sequences under {root}")
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
        raise ValueError(f"{root}: duplicate sequence ids: {', '.join(sorted(dup)[:5])}")
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


# -- splits ---------------------------------------------------------------------------------------
@dataclass
class SplitConfig:
    """How to hold data out.

    stratified: per label, a seeded random share of the split units goes to val / test.
    group:      whole groups go to a split (`test_groups` / `val_groups` by name, else seeded).
    kfold:      stratified k-fold over the units; fold `fold` is the test set, val is drawn
                from the rest.
    A *unit* is the group when every group holds one label (wlasl50: group = source sequence;
    extracted sets: group = video), else the origin sequence; a real sequence and its augmented
    copies are always one unit.
    """

    method: str = "stratified"
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 0
    fold: int = 0
    n_folds: int = 5
    test_groups: list[str] | None = None
    val_groups: list[str] | None = None
    min_real_per_class: int = 2

    def __post_init__(self) -> None:
        if self.method not in ("stratified", "group", "kfold"):
            raise ValueError(f"method must be stratified|group|kfold, got {self.method!r}")
        for f in ("val_fraction", "test_fraction"):
            if not 0.0 <= getattr(self, f) < 1.0:
                raise ValueError(f"{f} must be in [0, 1)")
        if self.val_fraction + self.test_fraction >= 1.0:
            raise ValueError("val_fraction + test_fraction must be < 1")
        if self.n_folds < 2 or not 0 <= self.fold < self.n_folds:
            raise ValueError(f"need n_folds >= 2 and 0 <= fold < n_folds, got {self.fold}/{self.n_folds}")
        if self.min_real_per_class < 1:
            raise ValueError("min_real_per_class must be >= 1")
        if self.test_groups is not None:
            self.test_groups = [str(g) for g in self.test_groups]
        if self.val_groups is not None:
            self.val_groups = [str(g) for g in self.val_groups]


@dataclass
class Splits:
    train: list[LandmarkSequence]
    val: list[LandmarkSequence]
    test: list[LandmarkSequence]
    labels: list[str]
    description: str
    dropped_labels: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: dict(sorted(Counter(s.gloss for s in part).items()))
                for name, part in (("train", self.train), ("val", self.val), ("test", self.test))}


def _meta(s: LandmarkSequence, key: str) -> str:
    return str(s.meta.get(key, s.meta.get("id", "")))


def _stratified_assign(units: dict[str, str], val_f: float, test_f: float,
                       rng: np.random.Generator) -> dict[str, str]:
    """units: unit -> label. Per label, shuffle and cut test / val / train shares.

    Every label keeps >= 1 train unit; with >= 2 units a positive fraction gets >= 1 unit.
    """
    by_label: dict[str, list[str]] = defaultdict(list)
    for u, lab in sorted(units.items()):
        by_label[lab].append(u)
    out = {}
    for lab in sorted(by_label):
        us = by_label[lab]
        rng.shuffle(us)
        n = len(us)
        n_test = 0 if test_f <= 0 or n < 2 else max(1, int(round(n * test_f)))
        n_test = min(n_test, n - 1)
        n_val = 0 if val_f <= 0 or n - n_test < 2 else max(1, int(round(n * val_f)))
        n_val = min(n_val, n - n_test - 1)
        for i, u in enumerate(us):
            out[u] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
    return out


def _kfold_assign(units: dict[str, str], n_folds: int, fold: int, val_f: float,
                  rng: np.random.Generator) -> dict[str, str]:
    """Stratified k-fold: per label, shuffled units dealt round-robin into folds (continuing
    across labels so fold sizes stay even); fold `fold` is test, val is a stratified share of
    the other folds."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for u, lab in sorted(units.items()):
        by_label[lab].append(u)
    fold_of, k = {}, 0
    for lab in sorted(by_label):
        us = by_label[lab]
        rng.shuffle(us)
        for u in us:
            fold_of[u] = k % n_folds
            k += 1
    out = {u: "test" for u, f in fold_of.items() if f == fold}
    rest = {u: units[u] for u in units if u not in out}
    out.update(_stratified_assign(rest, val_f, 0.0, rng))
    return out


def _greedy_groups(groups: dict[str, int], fractions: list[tuple[str, float]],
                   rng: np.random.Generator) -> dict[str, str]:
    """Assign whole groups (name -> real count) in seeded order until each split's share is met."""
    names = sorted(groups)
    rng.shuffle(names)
    total = sum(groups.values())
    out, i = {}, 0
    for split, frac in fractions:
        got = 0
        while i < len(names) - 1 and frac > 0 and got < frac * total:   # keep >= 1 for train
            out[names[i]] = split
            got += groups[names[i]]
            i += 1
    for n in names[i:]:
        out[n] = "train"
    return out


def build_splits(seqs: Sequence[LandmarkSequence], cfg: SplitConfig) -> Splits:
    """Leak-free train / val / test.

    Rules: labels with fewer than `min_real_per_class` real sequences are dropped; a real
    sequence and its augmented copies (same `origin`) always land in one split; augmented
    copies are then removed from val and test (held-out metrics on real rows only); in "group"
    mode no group is in two splits (test groups are always disjoint; val is disjoint too when
    at least two groups remain for train + val, else it is drawn from the train groups and the
    description says so). Output lists are sorted by id.
    """
    rng = np.random.default_rng(cfg.seed)
    real_counts = Counter(s.gloss for s in seqs if s.meta.get("real", True))
    labels = sorted(g for g, n in real_counts.items() if n >= cfg.min_real_per_class)
    dropped = sorted({s.gloss for s in seqs} - set(labels))
    keep = [s for s in seqs if s.gloss in set(labels)]

    # origin -> group (the real sequence decides), origin -> label
    origin_group: dict[str, str] = {}
    origin_label: dict[str, str] = {}
    for s in keep:
        o = _meta(s, "origin")
        if s.meta.get("real", True) or o not in origin_group:
            origin_group[o] = _meta(s, "group")
            origin_label[o] = s.gloss
    group_labels: dict[str, set[str]] = defaultdict(set)
    for o, g in origin_group.items():
        group_labels[g].add(origin_label[o])
    single_label_groups = all(len(v) == 1 for v in group_labels.values())
    unit_of = (lambda o: origin_group[o]) if single_label_groups else (lambda o: o)
    unit_word = "groups" if single_label_groups else "origin sequences"
    units = {unit_of(o): origin_label[o] for o in origin_group}

    note = ""
    if cfg.method == "stratified":
        assign = _stratified_assign(units, cfg.val_fraction, cfg.test_fraction, rng)
        split_of_origin = {o: assign[unit_of(o)] for o in origin_group}
        desc = (f"stratified by label over {unit_word}, val {cfg.val_fraction:g} / test "
                f"{cfg.test_fraction:g}, seed {cfg.seed}")
        if not single_label_groups:
            note = "; groups span labels, so groups are shared between splits (within-group split)"
    elif cfg.method == "kfold":
        assign = _kfold_assign(units, cfg.n_folds, cfg.fold, cfg.val_fraction, rng)
        split_of_origin = {o: assign[unit_of(o)] for o in origin_group}
        desc = (f"kfold: stratified {cfg.n_folds}-fold over {unit_word}, test fold {cfg.fold}, val "
                f"{cfg.val_fraction:g} of the rest, seed {cfg.seed}")
        if not single_label_groups:
            note = "; groups span labels, so groups are shared between splits"
    else:  # group
        all_groups = set(origin_group.values())
        test_g = set(cfg.test_groups or [])
        val_g = set(cfg.val_groups or [])
        unknown = (test_g | val_g) - all_groups
        if unknown:
            raise ValueError(f"unknown groups {sorted(unknown)}; have {sorted(all_groups)[:10]}")
        if test_g & val_g:
            raise ValueError(f"groups both in test and val: {sorted(test_g & val_g)}")
        real_per_group = Counter(origin_group[o] for o in origin_group)
        if cfg.test_groups is None and single_label_groups:
            assign = _stratified_assign(units, cfg.val_fraction if cfg.val_groups is None else 0.0,
                                        cfg.test_fraction, rng)
            group_split = assign
        elif cfg.test_groups is None:
            fr = [("test", cfg.test_fraction)]
            if cfg.val_groups is None:
                fr.append(("val", cfg.val_fraction))
            group_split = _greedy_groups({g: n for g, n in real_per_group.items() if g not in val_g},
                                         fr, rng)
        else:
            group_split = {g: "test" for g in test_g}
        for g in val_g:
            group_split[g] = "val"
        rest = sorted(g for g in all_groups if group_split.get(g, "train") == "train")
        want_val = (cfg.val_fraction > 0 and cfg.val_groups is None
                    and not any(v == "val" for v in group_split.values()))
        if want_val and len(rest) >= 2:
            group_split.update(_greedy_groups({g: real_per_group[g] for g in rest},
                                              [("val", cfg.val_fraction)], rng))
        split_of_origin = {o: group_split.get(g, "train") for o, g in origin_group.items()}
        if want_val and len(rest) < 2:
            # too few groups: val is a stratified share of the train group's origin sequences
            train_units = {o: origin_label[o] for o, sp in split_of_origin.items() if sp == "train"}
            share = cfg.val_fraction / max(1e-9, 1.0 - cfg.test_fraction)
            split_of_origin.update(_stratified_assign(train_units, min(share, 0.9), 0.0, rng))
            note = f"; val shares group(s) {rest} with train (too few groups)"
        by = defaultdict(set)
        for o, sp in split_of_origin.items():
            by[sp].add(origin_group[o])

        def shown(sp: str) -> str:
            return ",".join(sorted(by[sp])) if len(by[sp]) <= 6 else f"{len(by[sp])} groups"
        val_txt = "drawn from the train groups" if note else f"[{shown('val')}]"
        desc = (f"group split (test groups disjoint), test groups [{shown('test')}], val "
                f"{val_txt}, seed {cfg.seed}")
    out: dict[str, list[LandmarkSequence]] = {"train": [], "val": [], "test": []}
    for s in keep:
        sp = split_of_origin[_meta(s, "origin")]
        if sp != "train" and not s.meta.get("real", True):
            continue   # augmented copies follow their origin, then leave held-out splits
        out[sp].append(s)
    for v in out.values():
        v.sort(key=lambda s: _meta(s, "id"))
    n = {k: len(v) for k, v in out.items()}
    desc += f"{note}; {len(labels)} labels, train {n['train']} / val {n['val']} / test {n['test']}"
    if dropped:
        desc += f"; dropped labels with < {cfg.min_real_per_class} real: {', '.join(dropped)}"
    return Splits(out["train"], out["val"], out["test"], labels, desc, dropped)


# -- windows ----------------------------------------------------------------------------------------
def body_frame(points: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Mean shoulder midpoint (2,) and shoulder width over frames with both shoulders, or None."""
    ls, rs = LAYOUT.left_shoulder, LAYOUT.right_shoulder
    ok = (mask[:, ls] > 0) & (mask[:, rs] > 0)
    if not ok.any():
        return None
    a, b = points[ok, ls, :2], points[ok, rs, :2]
    width = float(np.linalg.norm(a - b, axis=-1).mean())
    if width <= 1e-6:
        return None
    return ((a + b) / 2).mean(0), width


def align_to(points: np.ndarray, mask: np.ndarray, target: tuple[np.ndarray, float] | None) -> np.ndarray:
    """Move/scale `points` so their shoulders match `target` (centre, width); masked stay zero."""
    src = body_frame(points, mask)
    if src is None or target is None:
        return np.where(mask[..., None] > 0, points, 0.0).astype(np.float32)
    (c0, w0), (c1, w1) = src, target
    k = w1 / w0
    out = points.copy()
    out[..., :2] = (points[..., :2] - c0) * k + c1
    out[..., 2] = points[..., 2] * k
    return np.where(mask[..., None] > 0, out, 0.0).astype(np.float32)


def _tile(n: int, length: int, start: int) -> np.ndarray:
    """n indices into a clip of `length` frames starting at `start`, ping-ponging at the ends."""
    if length == 1:
        return np.zeros(n, np.int64)
    period = 2 * (length - 1)
    k = (start + np.arange(n)) % period
    return np.where(k < length, k, period - k)


class WindowDataset(Dataset):
    """Fixed model windows: (landmarks (T, 75, 3) float32, mask (T, 75) float32, label int).

    seqs are resampled to `fps` once (window.resample, model coordinates). Per item:
      augment   an `AugmentConfig`, an `Augmenter`, or any callable (points, mask) -> (points, mask)
      placement "centre": window.fit_window (centre crop / edge pad, as for clips);
                "random": the (augmented, speed-scaled) sign at a random offset inside the
                window, idle frames around it: from `idle_pool` (real idle sequences aligned to
                the sign's shoulders) or, without a pool, the sign's first/last frame held with
                the hands removed. A sign longer than the window is randomly cropped.
      seed      None: randomness from torch's generator (distinct per DataLoader worker and
                epoch, reproducible under torch.manual_seed); an int: item i always draws the
                same numbers (evaluation windows).
    Sequences whose gloss is not in `labels` are left out (`self.skipped` counts them).
    """

    def __init__(self, seqs: Sequence[LandmarkSequence], labels: Sequence[str], seq_len: int,
                 fps: float, augment=None, idle_pool: Sequence[LandmarkSequence] | None = None,
                 placement: str = "centre", seed: int | None = None) -> None:
        if placement not in ("centre", "random"):
            raise ValueError(f"placement must be 'centre' or 'random', got {placement!r}")
        if seq_len < 1 or fps <= 0:
            raise ValueError("seq_len must be >= 1 and fps > 0")
        self.labels = list(labels)
        self.seq_len, self.fps, self.placement, self.seed = int(seq_len), float(fps), placement, seed
        index = {lab: i for i, lab in enumerate(self.labels)}
        self.seqs = [s for s in seqs if s.gloss in index]
        self.skipped = len(seqs) - len(self.seqs)
        self.targets = [index[s.gloss] for s in self.seqs]
        self._data = [resample(s, self.fps)[:2] for s in self.seqs]      # (T', 75, 3), (T', 75)
        self.augment = self._make_augment(augment)
        pool = idle_sequences(idle_pool or [], label=None) if idle_pool else []
        self._idle = [resample(s, self.fps)[:2] for s in pool]

    @staticmethod
    def _make_augment(augment):
        if augment is None:
            return None
        from .augment import AugmentConfig, Augmenter
        if isinstance(augment, AugmentConfig):
            return Augmenter(augment)
        return augment

    def __len__(self) -> int:
        return len(self.seqs)

    def _rng(self, i: int) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(int(torch.randint(0, 2**62, ()).item()))
        return np.random.default_rng([self.seed, i])

    def window(self, i: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Item i as numpy: points (T, 75, 3) float32, mask (T, 75) float32, label."""
        rng = self._rng(i)
        pts, mask = self._data[i]
        if self.augment is not None:
            from .augment import Augmenter
            if isinstance(self.augment, Augmenter):
                pts, mask = self.augment(pts, mask, rng=rng)
            else:
                pts, mask = self.augment(pts, mask)
        if self.placement == "random":
            pts, mask = self._place(pts, mask, rng)
        pts, mask = fit_window(pts, mask, self.seq_len)
        return (np.ascontiguousarray(pts, np.float32), np.ascontiguousarray(mask, np.float32),
                self.targets[i])

    def __getitem__(self, i: int):
        pts, mask, y = self.window(i)
        return torch.from_numpy(pts), torch.from_numpy(mask), y

    def _place(self, pts: np.ndarray, mask: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        t, n = pts.shape[0], self.seq_len
        if t >= n:
            start = int(rng.integers(0, t - n + 1))
            return pts[start:start + n], mask[start:start + n]
        before = int(rng.integers(0, n - t + 1))
        after = n - t - before
        pb, mb = self._idle_frames(pts, mask, before, rng, at_start=True)
        pa, ma = self._idle_frames(pts, mask, after, rng, at_start=False)
        return np.concatenate([pb, pts, pa]), np.concatenate([mb, mask, ma])

    def _idle_frames(self, pts: np.ndarray, mask: np.ndarray, k: int, rng: np.random.Generator,
                     at_start: bool) -> tuple[np.ndarray, np.ndarray]:
        if k == 0:
            return pts[:0], mask[:0]
        if self._idle:
            ipts, imask = self._idle[int(rng.integers(len(self._idle)))]
            idx = _tile(k, ipts.shape[0], int(rng.integers(0, max(1, 2 * ipts.shape[0] - 2))))
            p, m = ipts[idx], imask[idx].copy()
            # only pose points the sign itself has (wlasl50 keeps 11 of 33): otherwise which
            # points exist would tell idle frames from sign frames
            m[:, LAYOUT.pose] *= mask[:, LAYOUT.pose].max(axis=0)
            return align_to(p, m, body_frame(pts, mask)), m
        # no pool: hold the sign's edge frame, hands down (removed)
        j = 0 if at_start else pts.shape[0] - 1
        m = mask[j].copy()
        m[LAYOUT.n_pose:] = 0.0
        p = np.where(m[:, None] > 0, pts[j], 0.0)
        return np.repeat(p[None], k, 0).astype(np.float32), np.repeat(m[None], k, 0)


def live_condition_windows(seqs: Sequence[LandmarkSequence], labels: Sequence[str], seq_len: int,
                           fps: float, idle_pool: Sequence[LandmarkSequence] | None = None,
                           seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deterministic "live-condition" evaluation windows.

    Every held-out sequence (no augmentation) is placed at a seeded random offset inside the
    window and padded with real idle frames (from `idle_pool`, else held edge frames), as the
    live ring buffer sees a sign between rest poses. Returns X (N, T, 75, 3), M (N, T, 75),
    y (N,) int64 as numpy.
    """
    ds = WindowDataset(seqs, labels, seq_len, fps, augment=None, idle_pool=idle_pool,
                       placement="random", seed=seed)
    if len(ds) == 0:
        return (np.zeros((0, seq_len, LAYOUT.n_points, 3), np.float32),
                np.zeros((0, seq_len, LAYOUT.n_points), np.float32), np.zeros(0, np.int64))
    items = [ds.window(i) for i in range(len(ds))]
    return (np.stack([a for a, _, _ in items]), np.stack([b for _, b, _ in items]),
            np.array([c for _, _, c in items], np.int64))


__all__ = [
    "CACHE_NAME", "INDEX_COLUMNS", "INDEX_NAME", "SplitConfig", "Splits", "WindowDataset",
    "align_to", "body_frame", "build_splits", "clean_stale_parts", "idle_sequences", "index_row",
    "live_condition_windows", "load_set", "safe_name", "write_index",
]
