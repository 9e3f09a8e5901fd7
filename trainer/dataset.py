"""The torch Dataset of fixed model windows, for training and evaluation.

The windows themselves are numpy (`trainer.windows`, which `slr-train teach` uses without torch);
this module adds torch's per-worker randomness and tensors.

Glossary of shapes: T frames, P = 75 points, C = 3 channels (x, y, z model coordinates).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT

from .windows import WindowMaker, align_to  # noqa: F401  (align_to: re-exported)


class WindowDataset(Dataset):
    """Fixed model windows as a torch Dataset: (landmarks (T, 75, 3), mask (T, 75), label).

    The windows are `windows.WindowMaker`'s (augment, placement and idle pool as documented
    there). seed: None draws each item's randomness from torch's generator (distinct per
    DataLoader worker and epoch, reproducible under torch.manual_seed); an int: item i always
    draws the same numbers (evaluation windows).
    """

    def __init__(self, seqs: Sequence[LandmarkSequence], labels: Sequence[str], seq_len: int,
                 fps: float, augment=None, idle_pool: Sequence[LandmarkSequence] | None = None,
                 placement: str = "centre", seed: int | None = None) -> None:
        self.maker = WindowMaker(seqs, labels, seq_len, fps, augment=augment, idle_pool=idle_pool,
                                 placement=placement)
        self.seed = seed
        m = self.maker
        self.labels, self.seq_len, self.fps, self.placement = m.labels, m.seq_len, m.fps, m.placement
        self.seqs, self.skipped, self.targets, self.augment = m.seqs, m.skipped, m.targets, m.augment

    def __len__(self) -> int:
        return len(self.maker)

    def _rng(self, i: int) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(int(torch.randint(0, 2**62, ()).item()))
        return np.random.default_rng([self.seed, i])

    def window(self, i: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Item i as numpy: points (T, 75, 3) float32, mask (T, 75) float32, label."""
        return self.maker.window(i, self._rng(i))

    def __getitem__(self, i: int):
        pts, mask, y = self.window(i)
        return torch.from_numpy(pts), torch.from_numpy(mask), y

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every item stacked: X (N, T, 75, 3) float32, M (N, T, 75) float32, y (N,) int64."""
        if len(self) == 0:
            return (np.zeros((0, self.seq_len, LAYOUT.n_points, LAYOUT.channels), np.float32),
                    np.zeros((0, self.seq_len, LAYOUT.n_points), np.float32), np.zeros(0, np.int64))
        items = [self.window(i) for i in range(len(self))]
        return (np.stack([a for a, _, _ in items]), np.stack([b for _, b, _ in items]),
                np.array([c for _, _, c in items], np.int64))


def live_condition_windows(seqs: Sequence[LandmarkSequence], labels: Sequence[str], seq_len: int,
                           fps: float, idle_pool: Sequence[LandmarkSequence] | None = None,
                           seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deterministic "live-condition" evaluation windows.

    Every held-out sequence (no augmentation) is placed at a seeded random offset inside the
    window and padded with real idle frames (from `idle_pool`, else held edge frames), as the
    live ring buffer sees a sign between rest poses. Returns X (N, T, 75, 3), M (N, T, 75),
    y (N,) int64 as numpy.
    """
    return WindowDataset(seqs, labels, seq_len, fps, augment=None, idle_pool=idle_pool,
                         placement="random", seed=seed).arrays()


__all__ = ["WindowDataset", "align_to", "live_condition_windows"]
