"""Open-set training data and figures: an "other sign" class and what a confidence gate accepts.

A model learns to say "a sign I do not know" from real signs outside its vocabulary: the
sequences of the `other` sets are relabelled to one extra class (`OtherConfig.label`). They are
split on their own, never mixed into the known data's split:

    test   sequences of `test_groups` (e.g. the recorder the known test split holds out) and of a
           seeded share `test_label_fraction` of each set's glosses (split by gloss, so the
           out-of-vocabulary test signs are glosses the other class never saw)
    val    a stratified share of the rest (by set and gloss, over origin sequences)
    train  the rest, optionally capped at `max_train` sequences per set (seeded)

A set is a dir, or a mapping {dir, test_groups, test_label_fraction, max_train, exclude_labels}
that overrides the section's defaults for that set. The held-out test sequences are scored as
out-of-vocabulary signs; they never train or calibrate anything.

The decision the decoder makes, and every figure here measures: a window is "sign X" only when
its argmax is a vocabulary label (not the idle label, not the unknown label) with probability
>= threshold (`accepted`). No torch here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from slr_desktop.core.landmarks import LandmarkSequence

DEFAULT_UNKNOWN_LABEL = "?"
CURVE_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(20))   # 0.0 .. 0.95


@dataclass
class OtherConfig:
    sets: list = field(default_factory=list)          # dirs, or {dir: ..., <per-set overrides>}
    label: str = DEFAULT_UNKNOWN_LABEL
    exclude_labels: list[str] = field(default_factory=list)   # glosses never used as "other"
    test_groups: list[str] | None = None     # None: the known split's test_groups (group split)
    test_label_fraction: float = 0.0         # seeded share of each set's glosses held out
    max_train: int | None = None             # cap on training sequences per set (seeded)
    val_fraction: float | None = None        # None: the known split's val_fraction
    seed: int = 0

    PER_SET = ("test_groups", "test_label_fraction", "max_train", "exclude_labels")

    def __post_init__(self) -> None:
        if isinstance(self.sets, (str, dict)):
            self.sets = [self.sets]
        sets = []
        for s in self.sets:
            s = {"dir": s} if not isinstance(s, dict) else dict(s)
            unknown = set(s) - {"dir", *self.PER_SET}
            if "dir" not in s or unknown:
                raise ValueError(f"other.sets entries are dirs or mappings with 'dir' and "
                                 f"{', '.join(self.PER_SET)}; got {s}")
            s["dir"] = str(s["dir"])
            sets.append(s)
        self.sets = sets
        self.label = str(self.label)
        if not self.label:
            raise ValueError("other.label must not be empty")
        self.exclude_labels = [str(x) for x in self.exclude_labels]
        if self.test_groups is not None:
            self.test_groups = [str(g) for g in self.test_groups]
        for s in [vars(self)] + self.sets:
            f = s.get("test_label_fraction", 0.0)
            if not 0.0 <= float(f) < 1.0:
                raise ValueError("other test_label_fraction must be in [0, 1)")
            m = s.get("max_train")
            if m is not None and int(m) < 1:
                raise ValueError("other max_train must be >= 1")
        if self.val_fraction is not None and not 0.0 <= self.val_fraction < 1.0:
            raise ValueError("other.val_fraction must be in [0, 1)")

    def for_set(self, s: dict) -> dict:
        """The rules of one set: its own overrides, else the section's defaults."""
        return {k: s.get(k, getattr(self, k)) for k in self.PER_SET}


@dataclass
class OtherSplit:
    train: list[LandmarkSequence]
    val: list[LandmarkSequence]
    test: list[LandmarkSequence]
    description: str


def as_other(seq: LandmarkSequence, label: str) -> LandmarkSequence:
    """A copy labelled `label`; the original gloss stays in meta['source_gloss']."""
    return replace(seq, gloss=label, meta=dict(seq.meta, source_gloss=seq.gloss, other=True))


def split_other(cfg: OtherConfig, known_labels: Sequence[str], known_test_groups: Sequence[str] | None,
                val_fraction: float, sets: dict[str, list[LandmarkSequence]] | None = None) -> OtherSplit:
    """Relabel and split the other sets (see the module docstring). `sets` maps dir -> sequences
    (loaded here when None). Glosses of the vocabulary are never used as "other"."""
    from .landmark_sets import load_set

    known = set(known_labels)
    val_f = cfg.val_fraction if cfg.val_fraction is not None else val_fraction
    out = {"train": [], "val": [], "test": []}
    notes = []
    for i, s in enumerate(cfg.sets):
        rules = cfg.for_set(s)
        rng = np.random.default_rng([cfg.seed, i])
        seqs = sets[s["dir"]] if sets is not None else load_set(s["dir"])
        drop = known | set(rules["exclude_labels"])
        seqs = [q for q in seqs if q.meta.get("real", True) and q.gloss not in drop and q.mask.any()]
        test_groups = rules["test_groups"] if rules["test_groups"] is not None else (known_test_groups or [])
        glosses = sorted({q.gloss for q in seqs})
        rng.shuffle(glosses)
        n_held = int(round(rules["test_label_fraction"] * len(glosses)))
        held = set(glosses[:n_held])
        parts = {"train": [], "val": [], "test": []}
        by_gloss: dict[str, list[LandmarkSequence]] = defaultdict(list)
        for q in sorted(seqs, key=lambda q: str(q.meta.get("id", ""))):
            if q.gloss in held or str(q.meta.get("group", "")) in set(test_groups):
                parts["test"].append(q)
            else:
                by_gloss[q.gloss].append(q)
        for g in sorted(by_gloss):
            qs = by_gloss[g]
            order = rng.permutation(len(qs))
            n_val = int(round(val_f * len(qs))) if len(qs) >= 2 else 0
            for j, k in enumerate(order):
                parts["val" if j < n_val else "train"].append(qs[k])
        if rules["max_train"] is not None and len(parts["train"]) > rules["max_train"]:
            keep = np.sort(rng.choice(len(parts["train"]), int(rules["max_train"]), replace=False))
            parts["train"] = [parts["train"][k] for k in keep]
        for k in out:
            out[k] += [as_other(q, cfg.label) for q in parts[k]]
        held_txt = f"{len(held)}/{len(glosses)} glosses held out (seed {cfg.seed})" if held else "no gloss held out"
        grp_txt = f", groups {sorted(test_groups)} held out" if test_groups else ""
        notes.append(f"{s['dir']}: {held_txt}{grp_txt}; train {len(parts['train'])} / val {len(parts['val'])}"
                     f" / test {len(parts['test'])}")
    desc = f"other class {cfg.label!r} from " + "; ".join(notes)
    return OtherSplit(out["train"], out["val"], out["test"], desc)


# -- what a confidence gate accepts ---------------------------------------------------------
def accepted(preds: Sequence[int], max_probs: Sequence[float], labels: Sequence[str], threshold: float,
             idle_label: str | None = None, unknown_label: str | None = None) -> np.ndarray:
    """(N,) bool: argmax is a vocabulary label (not idle, not unknown) with prob >= threshold."""
    preds, p = np.asarray(preds, np.int64), np.asarray(max_probs, np.float64)
    vocab = np.array([lab not in (idle_label, unknown_label) for lab in labels], bool)
    return vocab[preds] & (p >= threshold) if len(preds) else np.zeros(0, bool)


def acceptance_curve(preds, max_probs, labels, idle_label=None, unknown_label=None,
                     thresholds=CURVE_THRESHOLDS) -> dict[str, float]:
    """Share accepted at each threshold ("0.5" -> fraction)."""
    return {f"{t:g}": float(accepted(preds, max_probs, labels, t, idle_label, unknown_label).mean())
            if len(preds) else float("nan") for t in thresholds}


def calibrate_threshold(preds, max_probs, labels, idle_label=None, unknown_label=None,
                        target: float = 0.9, step: float = 0.01) -> float:
    """The highest threshold (on a `step` grid) at which >= `target` of these known-sign windows
    are still accepted. Call it on validation windows only, never on test windows."""
    best = 0.0
    for t in np.arange(0.0, 1.0, step):
        if accepted(preds, max_probs, labels, float(t), idle_label, unknown_label).mean() >= target:
            best = float(round(t, 4))
    return best


__all__ = ["CURVE_THRESHOLDS", "DEFAULT_UNKNOWN_LABEL", "OtherConfig", "OtherSplit", "acceptance_curve",
           "accepted", "as_other", "calibrate_threshold", "split_other"]
