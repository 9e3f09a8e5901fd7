"""The live pipeline without Qt: frames -> tracker -> SignStream (window, classifier, decoder) -> frozen results.

Everything here is plain Python so it can be driven frame by frame in tests; `session.py` runs it
in threads, `presenter.py` turns its results into what the window shows, and the window only ever
sees frozen values.

Pieces:
* `CapturedFrame` / `PipelineResult`: immutable, stamped with the capture frame id, the source's
  timestamp and `time.perf_counter()` instants, so the UI can drop stale results and measure
  capture -> result latency.
* `LatestSlot`: a bounded, latest-only hand-over between the capture thread and the landmark
  worker. A producer never blocks; an unconsumed frame is replaced and counted as dropped.
* `LivePipeline`: one `process(frame)` call per frame; runs the classifier every N frames.
* `RateMeter`: events per second, for the status bar and the benchmarks.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

import numpy as np

from ..core.decoder import DecoderConfig, DecoderState
from ..core.landmarks import LandmarkFrame
from ..core.runtime import Classifier, Prediction
from ..core.stream import SignStream

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
    end_of_stream: bool = False   # not a frame: the file ended (the decoder closes what is open)

    @staticmethod
    def end(frame_id: int, timestamp_ms: int, position: int | None, generation: int) -> "CapturedFrame":
        return CapturedFrame(frame_id, np.zeros((0, 0, 3), np.uint8), timestamp_ms, time.perf_counter(),
                             position, generation, end_of_stream=True)


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
    labels: tuple[str, ...] = ()
    model_name: str | None = None
    coverage: float = 0.0                   # how much of the model window holds real frames
    track_ms: float = 0.0
    classify_ms: float = 0.0
    timings: dict = field(default_factory=dict)   # tracker's pose_ms / hands_ms / total_ms
    position: int | None = None
    generation: int = 0
    decoder: DecoderState | None = None     # the sign decoder after this frame (None without a model)

    @property
    def latency_ms(self) -> float:
        return (self.done_at - self.captured_at) * 1000.0

    @property
    def top(self) -> tuple[Prediction, ...]:
        """Top-5 of this frame's raw probabilities (the window shows the presenter's smoothed
        top instead, so nothing computes this on the worker's path)."""
        if self.probs is None:
            return ()
        order = np.argsort(-self.probs)[:5]
        return tuple(Prediction(self.labels[i], float(self.probs[i])) for i in order)


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
    """tracker -> `SignStream` (ring window, classifier every N frames, sign decoder), one frame
    at a time.

    Call `process` from one thread (the tracker is not thread-safe). `set_classifier`,
    `set_threshold` and `reset` may be called from any thread; they take effect at the start of
    the next `process`.
    """

    def __init__(self, tracker=None, classifier: Classifier | None = None, classify_every: int = 2,
                 decoder: DecoderConfig | None = None) -> None:
        if classify_every < 1:
            raise ValueError("classify_every must be >= 1")
        self.tracker = tracker
        self.classify_every = classify_every
        self.decoder_config = decoder
        self._lock = threading.Lock()
        self._pending: tuple[Classifier | None] | None = None
        self._threshold: float | None = None
        self._reset = False
        self.classifier: Classifier | None = None
        self.stream: SignStream | None = None
        self._since_classify = 0
        self._install(classifier)

    @property
    def window(self):
        """The model's ring window (None without a model)."""
        return self.stream.ring if self.stream is not None else None

    def _install(self, clf: Classifier | None) -> None:
        self.classifier = clf
        self.stream = SignStream(clf, config=self.decoder_config) if clf is not None else None
        self._since_classify = self.classify_every - 1  # classify on the first frame

    def set_classifier(self, clf: Classifier | None) -> None:
        with self._lock:
            self._pending = (clf,)

    def set_threshold(self, value: float) -> None:
        """The confidence a sign needs (the user's override of the model's threshold)."""
        with self._lock:
            self._threshold = float(value)

    def reset(self) -> None:
        """Forget the window and the decoder's state (a seek or a new source); next frame."""
        with self._lock:
            self._reset = True

    def process(self, frame: CapturedFrame) -> PipelineResult:
        with self._lock:
            pending, self._pending = self._pending, None
            reset, self._reset = self._reset, False
            threshold, self._threshold = self._threshold, None
        if pending is not None:
            self._install(pending[0])
        elif reset and self.stream is not None:
            self.stream.reset()
            self._since_classify = self.classify_every - 1
        if threshold is not None and self.stream is not None:
            self.stream.set_threshold(threshold)

        if frame.end_of_stream:
            return self._finish(frame)
        t0 = time.perf_counter()
        lm: LandmarkFrame | None = None
        timings: dict = {}
        if self.tracker is not None:
            lm = self.tracker.track(frame.bgr, frame.timestamp_ms)
            timings = dict(getattr(self.tracker, "last_timings", {}) or {})
        t1 = time.perf_counter()

        clf, step, coverage = self.classifier, None, 0.0
        if clf is not None and lm is not None and self.stream is not None:
            self._since_classify += 1
            due = self._since_classify >= self.classify_every
            if due:
                self._since_classify = 0
            step = self.stream.push(lm, classify=due)
            coverage = self.stream.ring.coverage
        t2 = time.perf_counter()
        probs = step.probs if step is not None else None
        return PipelineResult(
            frame_id=frame.frame_id, timestamp_ms=frame.timestamp_ms, captured_at=frame.captured_at,
            done_at=t2, bgr=frame.bgr, landmarks=lm, probs=probs,
            labels=tuple(clf.labels) if clf is not None else (),
            model_name=clf.name if clf is not None else None, coverage=coverage,
            track_ms=(t1 - t0) * 1000.0, classify_ms=(t2 - t1) * 1000.0 if probs is not None else 0.0,
            timings=timings, position=frame.position, generation=frame.generation,
            decoder=step.state if step is not None else None,
        )

    def _finish(self, frame: CapturedFrame) -> PipelineResult:
        """End of a file: classify the last window if it was not, close the open sign."""
        clf, step = self.classifier, None
        if clf is not None and self.stream is not None:
            step = self.stream.finish()
        now = time.perf_counter()
        return PipelineResult(
            frame_id=frame.frame_id, timestamp_ms=frame.timestamp_ms, captured_at=frame.captured_at,
            done_at=now, bgr=frame.bgr, landmarks=None, probs=step.probs if step is not None else None,
            labels=tuple(clf.labels) if clf is not None else (),
            model_name=clf.name if clf is not None else None, position=frame.position,
            generation=frame.generation, decoder=step.state if step is not None else None,
        )


__all__ = ["CapturedFrame", "LatestSlot", "LivePipeline", "PipelineResult", "RateMeter"]
