"""The live session: one landmark worker for the app's lifetime, one capture thread per source.

* `LandmarkWorker` owns the MediaPipe `Tracker` (created and closed on its own thread, as MediaPipe
  graphs must be used from one thread) and runs `LivePipeline.process` on the newest frame.
* `LiveSession` wires the capture thread, the worker and a set of `SessionCallbacks`; the Qt
  window passes callbacks that emit signals, tests pass plain functions.
* `measure_live` runs a session on a looped clip and reports latency (benchmark, soak test).

Callbacks are called from the worker threads: they must only hand data over, never touch widgets.
"""
from __future__ import annotations

import itertools
import os
import threading
import time
from typing import Any, Callable

from ..core.errors import one_line
from ..core.timing import stats
from .capture import CaptureWorker
from .events import EventKind, SessionCallbacks
from .live import CapturedFrame, LatestSlot, LivePipeline, RateMeter
from .sources import SourceSpec, looping_spec


class LandmarkWorker(threading.Thread):
    """Creates the tracker, then processes the newest frame of the slot until stopped."""

    def __init__(self, slot: LatestSlot, pipeline: LivePipeline, callbacks: SessionCallbacks,
                 tracker_factory: Callable[[], Any] | None, meter: RateMeter,
                 classify_meter: RateMeter) -> None:
        super().__init__(name="slr-landmarks", daemon=True)
        self.slot = slot
        self.pipeline = pipeline
        self.cb = callbacks
        self.tracker_factory = tracker_factory
        self.meter = meter
        self.classify_meter = classify_meter
        self._halt = threading.Event()
        self.tracker_ready = threading.Event()
        self.closed = threading.Event()
        self._last_error = ""

    def stop(self) -> None:
        self._halt.set()
        self.slot.close()

    def run(self) -> None:
        tracker = None
        try:
            if self.tracker_factory is not None:
                try:
                    tracker = self.tracker_factory()
                except Exception as e:
                    from ..core.bundles import BundleError

                    kind = EventKind.BUNDLE if isinstance(e, BundleError) else EventKind.TRACKER
                    self.cb.event(kind, one_line(e))
            self.pipeline.tracker = tracker
            self.tracker_ready.set()
            while not self._halt.is_set():
                frame = self.slot.get(timeout=0.2)
                if frame is None or self._halt.is_set():
                    continue
                try:
                    result = self.pipeline.process(frame)
                except Exception as e:  # one bad frame must not kill the worker
                    msg = one_line(e)
                    if msg != self._last_error:
                        self._last_error = msg
                        self.cb.event(EventKind.PIPELINE, msg)
                    continue
                if not frame.end_of_stream:
                    self.meter.tick()
                if result.probs is not None:
                    self.classify_meter.tick()
                self.cb.result(result)
        finally:
            self.tracker_ready.set()
            self.pipeline.tracker = None
            if tracker is not None:
                tracker.close()
            self.closed.set()



class LiveSession:
    """One landmark worker for the app's lifetime and one capture worker per opened source."""

    def __init__(self, callbacks: SessionCallbacks | None = None,
                 tracker_factory: Callable[[], Any] | None = None, classify_every: int = 2,
                 fast: bool = False, drop_late: bool = False) -> None:
        self.cb = callbacks or SessionCallbacks()
        self.tracker_factory = tracker_factory
        self.fast = fast
        self.drop_late = drop_late      # files: drop frames to keep real time (cameras always do)
        self.slot: LatestSlot[CapturedFrame] = LatestSlot()
        self.pipeline = LivePipeline(classify_every=classify_every)
        self.capture_meter = RateMeter()
        self.landmark_meter = RateMeter()
        self.classify_meter = RateMeter()
        self._frame_ids = itertools.count()
        self._generation = 0
        self.worker: LandmarkWorker | None = None
        self.capture: CaptureWorker | None = None
        self.spec: SourceSpec | None = None

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def dropped(self) -> int:
        return self.slot.dropped

    def start(self) -> None:
        if self.worker is None:
            self.worker = LandmarkWorker(self.slot, self.pipeline, self.cb, self.tracker_factory,
                                         self.landmark_meter, self.classify_meter)
            self.worker.start()

    def set_classifier(self, clf) -> None:
        self.pipeline.set_classifier(clf)

    def open(self, spec: SourceSpec, playing: bool = True, backoff: tuple[float, float] = (0.5, 8.0)) -> None:
        """Replace the current source (the old capture thread is stopped and joined first)."""
        self.start()
        self._stop_capture(timeout=1.0)
        self._generation += 1
        self.slot.clear()
        self.pipeline.reset()
        self.spec = spec
        self.capture = CaptureWorker(spec, self.slot, self.cb, self.capture_meter, self._frame_ids,
                                     lambda: self._generation, fast=self.fast, playing=playing, drop_late=self.drop_late,
                                     backoff=backoff,
                                     ready=self.worker.tracker_ready if self.worker is not None else None)
        self.capture.start()

    def close_source(self) -> None:
        self._stop_capture(timeout=1.0)
        self._generation += 1
        self.slot.clear()
        self.spec = None

    def play(self) -> None:
        if self.capture is not None:
            self.capture.play()

    def pause(self) -> None:
        if self.capture is not None:
            self.capture.pause()

    def seek(self, index: int) -> None:
        if self.capture is not None:
            self._generation += 1
            self.pipeline.reset()
            self.capture.seek(index)

    def _stop_capture(self, timeout: float) -> None:
        cap, self.capture = self.capture, None
        if cap is not None:
            cap.stop()
            cap.join(timeout)

    def stop(self, timeout: float = 1.0) -> float:
        """Stop both threads, release the source and close MediaPipe. Returns seconds taken."""
        t0 = time.perf_counter()
        cap, self.capture = self.capture, None
        if cap is not None:
            cap.stop()
        if self.worker is not None:
            self.worker.stop()
        if cap is not None:
            cap.join(max(0.05, timeout - (time.perf_counter() - t0)))
        if self.worker is not None:
            self.worker.join(max(0.05, timeout - (time.perf_counter() - t0)))
        return time.perf_counter() - t0

    @property
    def alive_threads(self) -> list[threading.Thread]:
        return [t for t in (self.capture, self.worker) if t is not None and t.is_alive()]



def default_tracker_factory(pose_model: str = "lite", bundle_dir=None, parallel: bool = True):
    """The tracker the app and the benchmarks use (called on the landmark worker's thread)."""
    from ..core.tracker import Tracker, TrackerConfig

    return Tracker(TrackerConfig(pose_model=pose_model, bundle_dir=bundle_dir, parallel=parallel))


def measure_live(path: str | os.PathLike, model_path: str | os.PathLike | None, seconds: float,
                 warmup_s: float = 1.0, classify_every: int = 2, pose_model: str = "lite",
                 bundle_dir=None, sample=None, sample_every_s: float = 0.0) -> dict:
    """Run the app's threads (no Qt) on `path` looped, paced at its fps, for `seconds` after warm-up.

    `sample(elapsed_s)`, if given, is called about every `sample_every_s` seconds from this thread
    (the soak test samples memory with it). Returns latency figures, counts and the stop time.
    """
    from ..core.runtime import Classifier

    records: list[tuple[float, float, bool]] = []   # (t, capture->result ms, classified)
    events: list[tuple[str, str]] = []

    def on_result(r) -> None:
        now = time.perf_counter()
        records.append((now, (now - r.captured_at) * 1000.0, r.probs is not None))

    session = LiveSession(SessionCallbacks(result=on_result, event=lambda k, m: events.append((k, m))),
                          tracker_factory=lambda: default_tracker_factory(pose_model, bundle_dir),
                          classify_every=classify_every)
    session.set_classifier(Classifier(model_path) if model_path else None)
    spec = looping_spec(path)
    session.open(spec)
    cap_worker = session.capture
    try:
        session.worker.tracker_ready.wait(60)
        t_start = time.perf_counter()
        while time.perf_counter() - t_start < warmup_s:
            time.sleep(0.05)
        t_warm = time.perf_counter()
        base = (session.capture_meter.count, session.landmark_meter.count, session.dropped)
        next_sample = 0.0
        while (elapsed := time.perf_counter() - t_warm) < seconds:
            if sample is not None and elapsed >= next_sample:
                sample(elapsed)
                next_sample += sample_every_s
            time.sleep(min(0.05, max(0.0, seconds - elapsed)))
            if session.worker is not None and not session.worker.is_alive():
                break
        if sample is not None:
            sample(time.perf_counter() - t_warm)
        t_end = time.perf_counter()
        counts = (session.capture_meter.count - base[0], session.landmark_meter.count - base[1],
                  session.dropped - base[2])
        loops = getattr(cap_worker.source if cap_worker is not None else None, "loops", None)
    finally:
        stop_s = session.stop(timeout=2.0)
    steady = [(ms, c) for t, ms, c in records if t_warm <= t <= t_end]
    lat_all = [ms for ms, _ in steady]
    lat_cls = [ms for ms, c in steady if c]
    span = max(1e-9, t_end - t_warm)
    return {
        "seconds": round(span, 2), "warmup_s": warmup_s, "classify_every": classify_every,
        "source_fps": round(spec.fps, 3), "frames_captured": counts[0], "frames_processed": counts[1],
        "frames_dropped": counts[2], "processed_fps": round(counts[1] / span, 2),
        "drop_fraction": round(counts[2] / counts[0], 4) if counts[0] else 0.0,
        "latency_all": stats(lat_all), "latency_classified": stats(lat_cls),
        "loops": loops, "stop_s": round(stop_s, 3),
        "threads_left": [t.name for t in session.alive_threads],
        "events": events[:20],
    }


__all__ = ["LandmarkWorker", "LiveSession", "default_tracker_factory", "measure_live"]
