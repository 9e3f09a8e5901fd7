"""From landmark sequences to fixed model windows: one implementation for trainer, clips and live.

The exported model takes `landmarks (B, T, 75, 3)` in *model coordinates* and `mask (B, T, 75)`;
normalisation (centre, scale, masking) happens inside the ONNX graph. This module does the parts
that depend on the source rather than the model:

* aspect correction: x and z are multiplied by width/height so that both axes are in units of the
  image height (rotation and shoulder-width scaling are then meaningful for any frame size);
* resampling to the model's fps by nearest frame on the source's own clock;
* a fixed `seq_len` window: clips are centre-cropped or edge-padded (the signer holds still before
  and after), live frames go through a time-stamped ring buffer.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator, TypeVar

import numpy as np

from .landmarks import LandmarkFrame, LandmarkSequence
from .layout import LAYOUT


def to_model_coords(points: np.ndarray, width: int, height: int) -> np.ndarray:
    """Image-normalised (..., 3) -> isotropic coordinates in units of image height."""
    out = np.array(points, dtype=np.float32, copy=True)
    aspect = float(width) / float(height) if height else 1.0
    out[..., 0] *= aspect
    out[..., 2] *= aspect
    return out


def resample_indices(timestamps_ms: np.ndarray, fps: float, end_ms: float | None = None,
                     n: int | None = None) -> np.ndarray:
    """Indices of the source frames nearest to a uniform `fps` grid.

    Without `end_ms`/`n` the grid spans the clip from its first frame; with them it is the `n`
    grid points ending at `end_ms` (live use), clipped to the first frame when it reaches back
    before the buffer (edge padding).
    """
    t = np.asarray(timestamps_ms, np.float64)
    if t.size == 0:
        raise ValueError("no frames to resample")
    step = 1000.0 / fps
    if end_ms is None:
        count = int(np.floor((t[-1] - t[0]) / step + 1e-6)) + 1
        grid = t[0] + step * np.arange(count)
    else:
        assert n is not None
        grid = end_ms - step * np.arange(n - 1, -1, -1)
    right = np.clip(np.searchsorted(t, grid), 0, t.size - 1)
    left = np.clip(right - 1, 0, t.size - 1)
    choose_left = np.abs(grid - t[left]) <= np.abs(t[right] - grid)
    return np.where(choose_left, left, right)


T = TypeVar("T")


def frames_at_fps(items: Iterable[tuple[T, float]], fps: float) -> Iterator[tuple[T, float]]:
    """`(frame, timestamp_ms)` items -> only those `resample_indices(timestamps, fps)` picks (the
    frame nearest each grid point `1000 / fps` ms apart from the first frame, ties to the earlier
    one), plus the last frame, which fixes the grid's length. Streaming (one item of look-ahead),
    so a file can be tracked on these frames alone: resampling them again picks the same frames,
    and a 30 fps file costs a 15 fps model half the tracking."""
    step = 1000.0 / fps
    t0: float | None = None
    k = 0
    prev = last_out = None
    for item in items:
        ts = item[1]
        if t0 is None:
            t0 = ts
        while t0 + step * k <= ts:      # `item` is the first frame at or after grid point k
            g = t0 + step * k
            pick = prev if prev is not None and abs(g - prev[1]) <= abs(ts - g) else item
            if pick is not last_out:
                last_out = pick
                yield pick
            k += 1
        prev = item
    if prev is not None and prev is not last_out:
        yield prev


def sequence_timestamps(seq: LandmarkSequence) -> np.ndarray:
    if seq.timestamps_ms is not None:
        return seq.timestamps_ms
    return np.arange(len(seq), dtype=np.float64) * (1000.0 / seq.fps)


def resample(seq: LandmarkSequence, fps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequence -> (points (T', 75, 3) model coords, mask (T', 75) float32, times_s (T',))."""
    ts = sequence_timestamps(seq)
    idx = resample_indices(ts, fps)
    pts = to_model_coords(seq.points[idx], seq.width, seq.height)
    mask = seq.mask[idx].astype(np.float32)
    times = (ts[idx] - ts[0]) / 1000.0
    return pts, mask, times


def seen_shares(mask: np.ndarray) -> dict:
    """(T, 75) mask of a resampled clip -> its frame count and the share of frames with a pose, a
    left and a right hand (the signer's): what tracking fewer frames must not lose."""
    out: dict = {"frames": int(len(mask))}
    for name in ("pose", "left_hand", "right_hand"):
        part = getattr(LAYOUT, name)
        out[name] = round(float((mask[:, part] > 0).any(1).mean()), 4) if len(mask) else 0.0
    return out


def fit_window(points: np.ndarray, mask: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Centre-crop a longer sequence or edge-pad a shorter one (equally both sides) to `seq_len`."""
    t = points.shape[0]
    if t == 0:
        raise ValueError("empty sequence")
    if t >= seq_len:
        start = (t - seq_len) // 2
        return points[start:start + seq_len], mask[start:start + seq_len]
    before = (seq_len - t) // 2
    idx = np.clip(np.arange(seq_len) - before, 0, t - 1)
    return points[idx], mask[idx]


@dataclass(frozen=True)
class WindowSpan:
    start: int   # first resampled frame
    stop: int    # one past the last
    start_s: float
    end_s: float


def window_spans(n_frames: int, seq_len: int, stride: int, fps: float) -> list[WindowSpan]:
    """Sliding windows over a resampled clip; a clip shorter than `seq_len` is one padded window."""
    if n_frames <= seq_len:
        return [WindowSpan(0, n_frames, 0.0, n_frames / fps)]
    starts = list(range(0, n_frames - seq_len + 1, stride))
    if starts[-1] != n_frames - seq_len:
        starts.append(n_frames - seq_len)
    return [WindowSpan(s, s + seq_len, s / fps, (s + seq_len) / fps) for s in starts]


def windows_for(points: np.ndarray, mask: np.ndarray, spans: list[WindowSpan],
                seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack the windows of `spans` into model inputs (N, seq_len, 75, 3), (N, seq_len, 75)."""
    outs = [fit_window(points[s.start:s.stop], mask[s.start:s.stop], seq_len) for s in spans]
    return np.stack([o[0] for o in outs]), np.stack([o[1] for o in outs])


class RingWindow:
    """Live sliding window: keeps the newest frames and samples `seq_len` of them at `fps`.

    Frames arrive at whatever rate the camera and tracker manage; `snapshot()` resamples on the
    frames' own timestamps so the model always sees its training frame rate. Before the buffer
    covers a whole window the oldest frame is repeated (edge padding, as for short clips).
    """

    def __init__(self, seq_len: int, fps: float) -> None:
        self.seq_len = seq_len
        self.fps = fps
        span_ms = seq_len * 1000.0 / fps
        self._keep_ms = span_ms + 500.0
        self._frames: deque[tuple[float, np.ndarray, np.ndarray]] = deque()

    def __len__(self) -> int:
        return len(self._frames)

    def clear(self) -> None:
        self._frames.clear()

    @property
    def last_ms(self) -> float | None:
        """Timestamp of the newest frame, or None when empty."""
        return self._frames[-1][0] if self._frames else None

    def cut(self, t_ms: float) -> None:
        """Forget frames older than `t_ms` (the decoder's pause before a new sign); later
        snapshots edge-pad from the first kept frame, as after a seek."""
        while len(self._frames) > 1 and self._frames[0][0] < t_ms:
            self._frames.popleft()

    def push(self, frame: LandmarkFrame) -> None:
        pts = to_model_coords(frame.points, frame.width, frame.height)
        t = float(frame.timestamp_ms)
        if self._frames and t <= self._frames[-1][0]:
            # a clock going backwards (e.g. a looped file) starts a new window
            self._frames.clear()
        self._frames.append((t, pts, frame.mask))
        while self._frames and t - self._frames[0][0] > self._keep_ms:
            self._frames.popleft()

    @property
    def coverage(self) -> float:
        """Fraction of the window span covered by real frames (0..1)."""
        if len(self._frames) < 2:
            return 0.0
        span = self._frames[-1][0] - self._frames[0][0]
        return min(1.0, span / (self.seq_len * 1000.0 / self.fps))

    @property
    def real_s(self) -> float:
        """Seconds of real footage in the window (0 .. seq_len / fps)."""
        return self.coverage * self.seq_len / self.fps

    def snapshot(self, centred: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(seq_len, 75, 3) model coords and (seq_len, 75) float32 mask, newest frame last.

        centred: when the frames cover less than a window, put them in the middle with edge
        padding on both sides, as `fit_window` does for a whole clip (the end of a file, where no
        frame follows), instead of padding only before them (live: the newest frame is now)."""
        if not self._frames:
            raise ValueError("no frames yet")
        ts = np.fromiter((f[0] for f in self._frames), np.float64, len(self._frames))
        span = self.seq_len * 1000.0 / self.fps
        end = ts[-1]
        if centred and ts[-1] - ts[0] < span:
            end = ts[-1] + 0.5 * (span - (ts[-1] - ts[0]))   # the grid overhangs both ends equally
        idx = resample_indices(ts, self.fps, end_ms=end, n=self.seq_len)
        pts = np.stack([self._frames[i][1] for i in idx])
        mask = np.stack([self._frames[i][2] for i in idx]).astype(np.float32)
        return pts, mask


def iter_batches(n: int, batch: int) -> Iterator[slice]:
    for s in range(0, n, batch):
        yield slice(s, min(n, s + batch))


__all__ = [
    "LAYOUT", "RingWindow", "WindowSpan", "fit_window", "frames_at_fps", "iter_batches", "resample",
    "resample_indices", "seen_shares", "sequence_timestamps", "to_model_coords", "window_spans", "windows_for",
]
