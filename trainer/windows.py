"""Fixed model windows from landmark sequences, in numpy (no torch): training and teaching.

`WindowMaker` is the numpy core of the torch `dataset.WindowDataset`; `slr-train teach` uses it
directly, so teaching a model needs numpy, onnx and onnxruntime only. Windows are built only with
`slr_desktop.core.window` (resample, to_model_coords via resample, fit_window), so trainer, clip
classification and the live app share one implementation.

Glossary of shapes: T frames, P = 75 points, C = 3 channels (x, y, z model coordinates).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.window import fit_window, resample

from .augment import body_frame
from .landmark_sets import idle_sequences


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


def tile_indices(n: int, length: int, start: int) -> np.ndarray:
    """n indices into a clip of `length` frames starting at `start`, ping-ponging at the ends."""
    if length == 1:
        return np.zeros(n, np.int64)
    period = 2 * (length - 1)
    k = (start + np.arange(n)) % period
    return np.where(k < length, k, period - k)


class WindowMaker:
    """Fixed model windows: (landmarks (T, 75, 3) float32, mask (T, 75) float32, label int).

    seqs are resampled to `fps` once (window.resample, model coordinates). Per item:
      augment   an `AugmentConfig`, an `Augmenter`, or any callable (points, mask) -> (points, mask)
      placement "centre": window.fit_window (centre crop / edge pad, as for clips);
                "random": the (augmented, speed-scaled) sign at a random offset inside the
                window, idle frames around it: from `idle_pool` (real idle sequences aligned to
                the sign's shoulders) or, without a pool, the sign's first/last frame held with
                the hands removed. A sign longer than the window is randomly cropped.
    Sequences whose gloss is not in `labels` are left out (`self.skipped` counts them).
    """

    def __init__(self, seqs: Sequence[LandmarkSequence], labels: Sequence[str], seq_len: int,
                 fps: float, augment=None, idle_pool: Sequence[LandmarkSequence] | None = None,
                 placement: str = "centre") -> None:
        if placement not in ("centre", "random"):
            raise ValueError(f"placement must be 'centre' or 'random', got {placement!r}")
        if seq_len < 1 or fps <= 0:
            raise ValueError("seq_len must be >= 1 and fps > 0")
        self.labels = list(labels)
        self.seq_len, self.fps, self.placement = int(seq_len), float(fps), placement
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

    def window(self, i: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
        """Item i as numpy: points (T, 75, 3) float32, mask (T, 75) float32, label."""
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

    def arrays(self, seed: int, indices: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Items stacked, item i drawn with `default_rng([seed, i])`: X (N, T, 75, 3) float32,
        M (N, T, 75) float32, y (N,) int64."""
        idx = range(len(self)) if indices is None else indices
        items = [self.window(i, np.random.default_rng([seed, i])) for i in idx]
        if not items:
            return (np.zeros((0, self.seq_len, LAYOUT.n_points, LAYOUT.channels), np.float32),
                    np.zeros((0, self.seq_len, LAYOUT.n_points), np.float32), np.zeros(0, np.int64))
        return (np.stack([a for a, _, _ in items]), np.stack([b for _, b, _ in items]),
                np.array([c for _, _, c in items], np.int64))

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
            idx = tile_indices(k, ipts.shape[0], int(rng.integers(0, max(1, 2 * ipts.shape[0] - 2))))
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


__all__ = ["WindowMaker", "align_to", "tile_indices"]
