"""Leak-free train / val / test splits of landmark sequences (stratified, by group, k-fold).

A split *unit* never crosses splits: a real sequence and its augmented copies (same `origin`), and
in group mode a whole group (recorder, video). Held-out splits keep real rows only.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from slr_desktop.core.landmarks import LandmarkSequence

from .errors import ConfigError, DataError


@dataclass
class SplitConfig:
    """How to hold data out.

    stratified: per label, a seeded random share of the split units goes to val / test.
    group:      whole groups go to a split (`test_groups` / `val_groups` by name, else seeded).
    kfold:      stratified k-fold over the units; fold `fold` is the test set, val is drawn
                from the rest.
    A *unit* is the group when every group holds one label (wlasl50: group = source sequence;
    extracted sets: group = video), else the recording session when the rows carry
    `meta["session"]` (cafe_words: one run of 30 near-identical sequences), else the origin
    sequence; a real sequence and its augmented copies are always one unit.
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
    if not labels:
        raise DataError(f"no label has {cfg.min_real_per_class} or more real sequences "
                        f"(split.min_real_per_class); nothing to train on")

    # origin -> group (the real sequence decides), origin -> label
    origin_group: dict[str, str] = {}
    origin_label: dict[str, str] = {}
    origin_session: dict[str, str] = {}
    for s in keep:
        o = _meta(s, "origin")
        if s.meta.get("real", True) or o not in origin_group:
            origin_group[o] = _meta(s, "group")
            origin_label[o] = s.gloss
            # a session never spans labels or groups: prefix both so that holds whatever the data says
            origin_session[o] = (f"{origin_group[o]}|{s.gloss}|{s.meta['session']}" if s.meta.get("session")
                                 else o)
    group_labels: dict[str, set[str]] = defaultdict(set)
    for o, g in origin_group.items():
        group_labels[g].add(origin_label[o])
    single_label_groups = all(len(v) == 1 for v in group_labels.values())
    sessions = any(origin_session[o] != o for o in origin_session)
    unit_of = (lambda o: origin_group[o]) if single_label_groups else (lambda o: origin_session[o])
    unit_word = "groups" if single_label_groups else "sessions" if sessions else "origin sequences"
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
            raise ConfigError(f"split: unknown group(s) {sorted(unknown)}; the data has {sorted(all_groups)[:10]}")
        if test_g & val_g:
            raise ConfigError(f"split: group(s) both in test_groups and val_groups: {sorted(test_g & val_g)}")
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
            train_units = {origin_session[o]: origin_label[o] for o, sp in split_of_origin.items() if sp == "train"}
            share = cfg.val_fraction / max(1e-9, 1.0 - cfg.test_fraction)
            assign = _stratified_assign(train_units, min(share, 0.9), 0.0, rng)
            split_of_origin.update({o: assign[origin_session[o]] for o, sp in split_of_origin.items()
                                    if sp == "train"})
            note = (f"; val shares group(s) {rest} with train (too few groups), drawn by "
                    f"{'session' if sessions else 'origin sequence'}")
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


__all__ = ["SplitConfig", "Splits", "build_splits"]
