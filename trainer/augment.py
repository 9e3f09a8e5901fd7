"""Landmark augmentation on model-coordinate sequences (numpy, one sequence at a time).

Shapes: points (T, 75, 3) model coordinates (x, z in units of image height, see
`window.to_model_coords`), mask (T, 75) float32. Every transform keeps masked points exactly
zero, so the model never sees a fabricated point where the tracker found none.

Order: temporal (speed, frame drop) -> hand drop -> mirror -> spatial (rotate / scale / aspect /
shift about the shoulder centre) -> jitter. Each step is a small method so that tests can check
one at a time; a config value of 0 (or a (1, 1) range) switches a step off.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from slr_desktop.core.layout import LAYOUT


@dataclass
class AugmentConfig:
    """Ranges of the random transforms. `mirror_p` defaults to 0 so that its effect (training
    for left-handed signers) is a switch whose value can be measured, not a silent default."""

    mirror_p: float = 0.0                 # flip x about the body centre + swap sides
    rotate_deg: float = 10.0              # in-plane rotation, uniform +-
    scale: tuple[float, float] = (0.85, 1.15)
    aspect: float = 0.1                   # extra x scale, uniform 1 +- aspect
    shift: float = 0.1                    # translation, uniform +-, units of image height
    speed: tuple[float, float] = (0.5, 2.0)   # playback speed, log-uniform (1 = unchanged)
    frame_drop_p: float = 0.1             # per frame: repeat the previous frame instead
    hand_drop_p: float = 0.05             # per hand: mask it for one run of frames
    hand_drop_max_frac: float = 0.5       # longest run, as a fraction of the sequence
    jitter_std: float = 0.005             # Gaussian noise on present points

    def __post_init__(self) -> None:
        self.scale = tuple(float(v) for v in self.scale)   # type: ignore[assignment]
        self.speed = tuple(float(v) for v in self.speed)   # type: ignore[assignment]
        for f in ("mirror_p", "frame_drop_p", "hand_drop_p"):
            if not 0.0 <= getattr(self, f) <= 1.0:
                raise ValueError(f"{f} must be a probability in [0, 1]")
        if not 0.0 < self.hand_drop_max_frac <= 1.0:
            raise ValueError("hand_drop_max_frac must be in (0, 1]")
        for f in ("rotate_deg", "aspect", "shift", "jitter_std"):
            if getattr(self, f) < 0:
                raise ValueError(f"{f} must be >= 0")
        if self.aspect >= 1.0:
            raise ValueError("aspect must be < 1")
        for f in ("scale", "speed"):
            lo, hi = getattr(self, f)
            if not 0.0 < lo <= hi:
                raise ValueError(f"{f} must be a range 0 < lo <= hi, got {(lo, hi)}")

    @classmethod
    def off(cls) -> "AugmentConfig":
        """Identity: every transform switched off."""
        return cls(mirror_p=0.0, rotate_deg=0.0, scale=(1.0, 1.0), aspect=0.0, shift=0.0,
                   speed=(1.0, 1.0), frame_drop_p=0.0, hand_drop_p=0.0, jitter_std=0.0)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["scale"], d["speed"] = list(self.scale), list(self.speed)
        return d


def body_frame(points: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Mean shoulder midpoint (2,) and shoulder width over frames with both shoulders, or None.

    The one shoulder-centre helper of the trainer: augmentation rotates about it, idle padding
    is aligned to it.
    """
    ls, rs = LAYOUT.left_shoulder, LAYOUT.right_shoulder
    ok = (mask[:, ls] > 0) & (mask[:, rs] > 0)
    if not ok.any():
        return None
    a, b = points[ok, ls, :2], points[ok, rs, :2]
    width = float(np.linalg.norm(a - b, axis=-1).mean())
    if width <= 1e-6:
        return None
    return ((a + b) / 2).mean(0), width


def body_centre(points: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(2,) x, y centre: the shoulder midpoint (`body_frame`), else the mean of all present points."""
    frame = body_frame(points, mask)
    if frame is not None:
        return frame[0]
    present = mask > 0
    if present.any():
        return points[present][:, :2].mean(0)
    return np.zeros(2, np.float32)


class Augmenter:
    """Random augmentation: `aug(points, mask) -> (points, mask)` (new arrays, float32)."""

    def __init__(self, cfg: AugmentConfig | None = None, seed: int | None = None) -> None:
        self.cfg = cfg or AugmentConfig()
        self.rng = np.random.default_rng(seed)
        self._perm = LAYOUT.mirror_permutation()

    def __call__(self, points: np.ndarray, mask: np.ndarray,
                 rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
        """rng: draw from this generator instead of the Augmenter's own (per-item seeding)."""
        rng = rng or self.rng
        pts = np.asarray(points, np.float32)
        m = np.asarray(mask, np.float32)
        if pts.shape[0] == 0:
            return pts.copy(), m.copy()
        pts, m = self.speed(pts, m, rng)
        pts, m = self.frame_drop(pts, m, rng)
        m = self.hand_drop(m, rng)
        pts, m = self.mirror(pts, m, rng)
        pts = self.spatial(pts, m, rng)
        pts = self.jitter(pts, m, rng)
        pts = np.where(m[..., None] > 0, pts, 0.0).astype(np.float32)
        return pts, m

    # -- temporal --------------------------------------------------------------------------
    def speed(self, pts: np.ndarray, m: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
        """Play back at a log-uniform speed: T -> round(T / speed) frames; linear interpolation
        between neighbours where both have the point, else the nearer frame."""
        lo, hi = self.cfg.speed
        if lo == hi == 1.0:
            return pts, m
        s = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        t = pts.shape[0]
        n = max(1, int(round(t / s)))
        if n == t or t == 1:
            return pts, m
        pos = np.linspace(0.0, t - 1, n)
        i0 = np.floor(pos).astype(np.int64)
        i1 = np.minimum(i0 + 1, t - 1)
        w = (pos - i0).astype(np.float32)[:, None, None]
        both = (m[i0] > 0) & (m[i1] > 0)                                   # (n, 75)
        near = np.where(w[..., 0] < 0.5, i0[:, None], i1[:, None])         # (n, 75)
        cols = np.arange(pts.shape[1])[None, :]
        lerp = pts[i0] * (1 - w) + pts[i1] * w
        out = np.where(both[..., None], lerp, pts[near, cols])
        mask = np.where(both, 1.0, m[near, cols]).astype(np.float32)
        return out.astype(np.float32), mask

    def frame_drop(self, pts: np.ndarray, m: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
        """Each frame (but the first) is, with probability p, a repeat of the previous one —
        what a stalled tracker or a dropped camera frame looks like."""
        p, t = self.cfg.frame_drop_p, pts.shape[0]
        if p <= 0 or t < 2:
            return pts, m
        keep = rng.random(t) >= p
        keep[0] = True
        idx = np.maximum.accumulate(np.where(keep, np.arange(t), 0))
        return pts[idx], m[idx]

    def hand_drop(self, m: np.ndarray, rng) -> np.ndarray:
        """Per hand with probability p: mask it for one run of frames (a lost detection)."""
        p, t = self.cfg.hand_drop_p, m.shape[0]
        if p <= 0:
            return m
        m = m.copy()
        longest = max(1, int(t * self.cfg.hand_drop_max_frac))
        for part in (LAYOUT.left_hand, LAYOUT.right_hand):
            if rng.random() < p:
                run = int(rng.integers(1, longest + 1))
                start = int(rng.integers(0, t - run + 1))
                m[start:start + run, part] = 0.0
        return m

    # -- spatial ----------------------------------------------------------------------------
    def mirror(self, pts: np.ndarray, m: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
        """With probability mirror_p: x -> 2 cx - x about the body centre, then swap body sides
        and hands (`LAYOUT.mirror_permutation`), i.e. the same sign by a left-handed signer."""
        if self.cfg.mirror_p <= 0 or rng.random() >= self.cfg.mirror_p:
            return pts, m
        return mirror(pts, m, self._perm)

    def spatial(self, pts: np.ndarray, m: np.ndarray, rng) -> np.ndarray:
        """Rotation, scale, aspect jitter about the shoulder centre, then a shift (x, y)."""
        c = self.cfg
        if c.rotate_deg == 0 and c.scale == (1.0, 1.0) and c.aspect == 0 and c.shift == 0:
            return pts
        centre = body_centre(pts, m)
        theta = math.radians(rng.uniform(-c.rotate_deg, c.rotate_deg))
        s = rng.uniform(*c.scale)
        a = rng.uniform(1.0 - c.aspect, 1.0 + c.aspect)
        shift = rng.uniform(-c.shift, c.shift, size=2)
        rot = np.array([[math.cos(theta), -math.sin(theta)],
                        [math.sin(theta), math.cos(theta)]], np.float32)
        xy = (pts[..., :2] - centre) * np.array([s * a, s], np.float32)   # (T, 75, 2)
        out = pts.copy()
        out[..., :2] = xy @ rot.T + centre + shift
        out[..., 2] = pts[..., 2] * s
        return out.astype(np.float32)

    def jitter(self, pts: np.ndarray, m: np.ndarray, rng) -> np.ndarray:
        if self.cfg.jitter_std <= 0:
            return pts
        return (pts + rng.normal(0.0, self.cfg.jitter_std, pts.shape)).astype(np.float32)


def mirror(pts: np.ndarray, m: np.ndarray, perm: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic mirror (see `Augmenter.mirror`)."""
    perm = LAYOUT.mirror_permutation() if perm is None else perm
    cx = body_centre(pts, m)[0]
    out = pts.copy()
    out[..., 0] = 2.0 * cx - pts[..., 0]
    out = out[:, perm]
    mask = m[:, perm]
    return np.where(mask[..., None] > 0, out, 0.0).astype(np.float32), mask.astype(np.float32)


__all__ = ["AugmentConfig", "Augmenter", "body_centre", "body_frame", "mirror"]
