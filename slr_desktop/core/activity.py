"""Hand activity from landmarks and pixels: is someone there, are hands in view, have they paused?

The sign decoder's rest cues (core/decoder.py). Cheap per frame: a few points per hand and a
32x24 grid of pixels, never the whole image.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from .landmarks import LandmarkFrame
from .layout import LAYOUT

# wrist and finger tips of a hand: enough to see a hand move, cheap to compute per frame
_HAND_TIPS = (0, 4, 8, 12, 16, 20)
FALLBACK_SCALE = 0.35   # shoulder width in units of image height when no pose is found
FROZEN_MOTION = 0.05    # a frame whose pixels changed less than this (grey levels) is a frozen image


class HandActivity:
    """Per-frame cues from landmarks: someone there, hands visible, hands paused.

    A pause is measured as the spread of the wrist and finger tips over the last `still_s`
    seconds, in shoulder widths (the pose's shoulders, else a typical width), so it does not
    depend on frame size, frame rate or distance to the camera, and one frame of tracker jitter or
    a hand that flickers in and out of detection does not break it.
    """

    def __init__(self, still_range: float = 0.08, still_s: float = 0.4) -> None:
        self.still_range = still_range
        self.still_s = still_s
        self.last_person_ms: float | None = None
        self.last_hands_ms: float | None = None
        self.last_rest_ms: float | None = None     # the last frame with no hand or paused hands
        self.pause_since_ms: float | None = None   # when the current pause began (None: moving)
        self.last_pause_ms: float | None = None    # the last frame with visible, paused hands
        self.frozen_since_ms: float | None = None  # the image stopped changing (a still picture)
        self._recent: deque[tuple[float, int, np.ndarray]] = deque()   # (t, part, (6, 2) scaled points)
        self._scale = FALLBACK_SCALE

    def reset(self) -> None:
        self.last_person_ms = self.last_hands_ms = self.last_rest_ms = self.pause_since_ms = None
        self.last_pause_ms = self.frozen_since_ms = None
        self._recent.clear()
        self._scale = FALLBACK_SCALE

    def update(self, frame: LandmarkFrame) -> None:
        t = float(frame.timestamp_ms)
        pose, left, right = (bool(v) for v in frame.present)
        if pose or left or right:
            self.last_person_ms = t
        if left or right:
            self.last_hands_ms = t
        aspect = frame.width / frame.height if frame.height else 1.0
        pts = frame.points[:, :2] * np.array([aspect, 1.0], np.float32)
        if pose:
            w = float(np.linalg.norm(pts[LAYOUT.left_shoulder] - pts[LAYOUT.right_shoulder]))
            if w > 1e-3:
                self._scale = w
        frozen = frame.image_motion is not None and frame.image_motion <= FROZEN_MOTION
        if frozen:
            if self.frozen_since_ms is None:
                self.frozen_since_ms = t
        else:
            self.frozen_since_ms = None
        for part, here in ((LAYOUT.left_hand, left), (LAYOUT.right_hand, right)):
            if not here:
                continue
            tips = pts[[part.start + i for i in _HAND_TIPS]] / self._scale
            if frozen:
                # a frozen image: whatever the tracker's jitter says, nothing moved
                last = next((p for _, q, p in reversed(self._recent) if q == part.start), None)
                tips = last if last is not None else tips
            self._recent.append((t, part.start, tips))
        while self._recent and t - self._recent[0][0] > self.still_s * 1000.0 * 1.5:
            self._recent.popleft()
        spread = self.spread(t) if (left or right) else None
        paused = spread is not None and spread <= self.still_range
        if paused:
            self.last_pause_ms = t
            if self.pause_since_ms is None:
                self.pause_since_ms = t - self.still_s * 1000.0
        elif left or right:
            self.pause_since_ms = None          # the hands moved: a pause ended
        if not (left or right) or paused:
            self.last_rest_ms = t

    def person(self, t_ms: float, lost_s: float) -> bool:
        return self.last_person_ms is not None and t_ms - self.last_person_ms <= lost_s * 1000.0

    def hands(self, t_ms: float, lost_s: float) -> bool:
        return self.last_hands_ms is not None and t_ms - self.last_hands_ms <= lost_s * 1000.0

    def spread(self, t_ms: float) -> float | None:
        """How far the visible hands moved over the last `still_s` seconds (shoulder widths), or
        None when there is not enough history to say."""
        since = t_ms - self.still_s * 1000.0
        recent = [(t, part, p) for t, part, p in self._recent if t >= since]
        if not recent or recent[0][0] - since > 0.25 * self.still_s * 1000.0:
            return None
        out = 0.0
        for part in {part for _, part, _ in recent}:
            pts = np.stack([p for _, q, p in recent if q == part])       # (n, 6, 2)
            if len(pts) < 3:
                return None
            out = max(out, float((pts.max(0) - pts.min(0)).max()))
        return out

    def paused(self, t_ms: float) -> bool:
        """The visible hands stayed within `still_range` for the last `still_s` seconds."""
        spread = self.spread(t_ms)
        return spread is not None and spread <= self.still_range


__all__ = ["FROZEN_MOTION", "HandActivity"]
