"""The live pipeline without Qt: frames -> tracker -> RingWindow -> classifier -> frozen results.

Everything here is plain Python so it can be driven frame by frame in tests; `workers.py` runs it
in threads and the window only ever sees the frozen `PipelineResult`s.

Pieces:
* `CapturedFrame` / `PipelineResult`: immutable, stamped with the capture frame id, the source's
  timestamp and `time.perf_counter()` instants, so the UI can drop stale results and measure
  capture -> result latency.
* `LatestSlot`: a bounded, latest-only hand-over between the capture thread and the landmark
  worker. A producer never blocks; an unconsumed frame is replaced and counted as dropped.
* `LivePipeline`: one `process(frame)` call per frame; runs the classifier every N frames.
* `RateMeter`, `PredictionSmoother`, `SignDecider`: small state machines the UI uses.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

import numpy as np

from ..core.landmarks import LandmarkFrame
from ..core.runtime import Classifier, Prediction
from ..core.window import RingWindow

T = TypeVar("T")


@dataclass(frozen=True)
class CapturedFrame:
    """One frame from a source. `position` is the file frame index (None for a camera)."""

    frame_id: int
    bgr: np.ndarray            # (H, W, 3) uint8, un-mirrored
    timestamp_ms: int          # source clock (file position or camera clock)
    captured_at: float         # time.perf_counter() when read returned
    position: int | None = None
    generation: int = 0        # bumped on seek / source change: older results are stale


@dataclass(frozen=True)
class PipelineResult:
    """What the UI draws for one processed frame."""

    frame_id: int
    timestamp_ms: int
    captured_at: float
    done_at: float
    bgr: np.ndarray                         # the frame the landmarks were computed on
    landmarks: LandmarkFrame | None         # None when no tracker is available
    probs: np.ndarray | None                # (K,) when the classifier ran on this frame
    top: tuple[Prediction, ...] = ()
    labels: tuple[str, ...] = ()
    model_name: str | None = None
    coverage: float = 0.0                   # how much of the model window holds real frames
    track_ms: float = 0.0
    classify_ms: float = 0.0
    timings: dict = field(default_factory=dict)   # tracker's pose_ms / hands_ms / total_ms
    position: int | None = None
    generation: int = 0

    @property
    def latency_ms(self) -> float:
        return (self.done_at - self.captured_at) * 1000.0


class LatestSlot(Generic[T]):
    """Single-item, latest-only hand-over. `put` never blocks; `get` waits for a new item."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._closed = False
        self.dropped = 0
        self.delivered = 0

    def put(self, item: T) -> bool:
        """Store `item`; returns True when it replaced an unconsumed one (counted as dropped)."""
        with self._cond:
            replaced = self._item is not None
            if replaced:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()
            return replaced

    def get(self, timeout: float | None = None) -> T | None:
        """The newest item, or None on timeout or when closed."""
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            if item is not None:
                self.delivered += 1
                self._cond.notify_all()
            return item

    def wait_empty(self, timeout: float) -> bool:
        """Block until the consumer took the item (used when a file runs as fast as possible)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._item is None or self._closed, timeout)

    def clear(self) -> None:
        with self._cond:
            self._item = None
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class RateMeter:
    """Events per second over the last `window_s` seconds. `tick` from any one thread."""

    def __init__(self, window_s: float = 1.0, clock: Callable[[], float] = time.perf_counter) -> None:
        self.window_s = window_s
        self._clock = clock
        self._ticks: deque[float] = deque()
        self.count = 0

    def tick(self) -> None:
        now = self._clock()
        self._ticks.append(now)
        self.count += 1
        while self._ticks and now - self._ticks[0] > self.window_s:
            self._ticks.popleft()

    @property
    def rate(self) -> float:
        ticks = list(self._ticks)  # copy: another thread may tick meanwhile
        if not ticks or self._clock() - ticks[-1] > self.window_s:
            return 0.0
        if len(ticks) < 2:
            return 1.0 / self.window_s
        return (len(ticks) - 1) / max(ticks[-1] - ticks[0], 1e-6)


class LivePipeline:
    """tracker -> RingWindow -> classifier, one frame at a time.

    Call `process` from one thread (the tracker is not thread-safe). `set_classifier` may be called
    from any thread; the swap happens at the start of the next `process`.
    """

    def __init__(self, tracker=None, classifier: Classifier | None = None,
                 classify_every: int = 2, top_k: int = 5) -> None:
        if classify_every < 1:
            raise ValueError("classify_every must be >= 1")
        self.tracker = tracker
        self.classify_every = classify_every
        self.top_k = top_k
        self._lock = threading.Lock()
        self._pending: tuple[Classifier | None] | None = None
        self._reset = False
        self.classifier: Classifier | None = None
        self.window: RingWindow | None = None
        self._since_classify = 0
        self._install(classifier)

    def _install(self, clf: Classifier | None) -> None:
        self.classifier = clf
        self.window = RingWindow(clf.meta.seq_len, clf.meta.fps) if clf is not None else None
        self._since_classify = self.classify_every - 1  # classify on the first frame

    def set_classifier(self, clf: Classifier | None) -> None:
        with self._lock:
            self._pending = (clf,)

    def reset(self) -> None:
        """Forget the window (a seek or a new source); takes effect on the next frame."""
        with self._lock:
            self._reset = True

    def process(self, frame: CapturedFrame) -> PipelineResult:
        with self._lock:
            pending, self._pending = self._pending, None
            reset, self._reset = self._reset, False
        if pending is not None:
            self._install(pending[0])
        elif reset and self.window is not None:
            self.window.clear()
            self._since_classify = self.classify_every - 1

        t0 = time.perf_counter()
        lm: LandmarkFrame | None = None
        timings: dict = {}
        if self.tracker is not None:
            lm = self.tracker.track(frame.bgr, frame.timestamp_ms)
            timings = dict(getattr(self.tracker, "last_timings", {}) or {})
        t1 = time.perf_counter()

        clf, probs, top, classify_ms, coverage = self.classifier, None, (), 0.0, 0.0
        if clf is not None and lm is not None and self.window is not None:
            self.window.push(lm)
            coverage = self.window.coverage
            self._since_classify += 1
            if self._since_classify >= self.classify_every:
                self._since_classify = 0
                pts, mask = self.window.snapshot()
                probs = clf.predict(pts, mask)
                top = tuple(clf.top(probs, self.top_k))
        t2 = time.perf_counter()
        if probs is not None:
            classify_ms = (t2 - t1) * 1000.0
        return PipelineResult(
            frame_id=frame.frame_id, timestamp_ms=frame.timestamp_ms, captured_at=frame.captured_at,
            done_at=t2, bgr=frame.bgr, landmarks=lm, probs=probs, top=top,
            labels=tuple(clf.labels) if clf is not None else (),
            model_name=clf.name if clf is not None else None, coverage=coverage,
            track_ms=(t1 - t0) * 1000.0, classify_ms=classify_ms, timings=timings,
            position=frame.position, generation=frame.generation,
        )


class PredictionSmoother:
    """Exponential moving average of probability vectors; resets when the label set changes."""

    def __init__(self, alpha: float = 0.5) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError("alpha must be in (0, 1]")
        self.alpha = alpha
        self.value: np.ndarray | None = None

    def reset(self) -> None:
        self.value = None

    def update(self, probs: np.ndarray) -> np.ndarray:
        probs = np.asarray(probs, np.float64)
        if self.value is None or self.value.shape != probs.shape:
            self.value = probs.copy()
        else:
            self.value = self.alpha * probs + (1.0 - self.alpha) * self.value
        return self.value


@dataclass(frozen=True)
class SignState:
    current: str | None          # the sign shown large, or None below threshold / idle
    prob: float
    history: tuple[str, ...]     # recognised signs, newest last
    new_sign: bool               # True when `current` was just appended to the history


class SignDecider:
    """Threshold + idle gate and a short history of recognised signs.

    A sign enters the history when it first passes the gate; it can enter again only after the
    gate closed (idle, below threshold or another sign) in between, so holding a sign logs it once.
    """

    def __init__(self, threshold: float = 0.5, idle_label: str | None = None, history: int = 8) -> None:
        self.threshold = threshold
        self.idle_label = idle_label
        self._history: deque[str] = deque(maxlen=history)
        self._last: str | None = None

    def reset(self) -> None:
        self._last = None

    def clear_history(self) -> None:
        self._history.clear()
        self._last = None

    def update(self, labels, probs: np.ndarray) -> SignState:
        i = int(np.argmax(probs))
        label, p = labels[i], float(probs[i])
        current = label if (p >= self.threshold and label != self.idle_label) else None
        new = current is not None and current != self._last
        if new:
            self._history.append(current)
        self._last = current
        return SignState(current, p, tuple(self._history), new)


__all__ = [
    "CapturedFrame", "LatestSlot", "LivePipeline", "PipelineResult", "PredictionSmoother",
    "RateMeter", "SignDecider", "SignState",
]
