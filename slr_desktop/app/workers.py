"""The pipeline's threads, still without Qt: capture -> latest-frame slot -> landmark worker.

* `CaptureWorker` reads a camera or a video file. A camera is read as fast as it delivers and never
  waits for the tracker (the slot is latest-only); a lost camera is reopened with backoff. A file
  is paced at its own frame rate while playing (or run as fast as the worker consumes, `fast=True`),
  and can be paused and seeked.
* `LandmarkWorker` owns the MediaPipe `Tracker` (created and closed on its own thread, as MediaPipe
  graphs must be used from one thread) and runs `LivePipeline.process` on the newest frame.
* `LiveSession` wires both and a set of `SessionCallbacks`; the Qt window passes callbacks that
  emit signals, tests may pass plain functions.

Callbacks are called from the worker threads: they must only hand data over, never touch widgets.
"""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from .pipeline import CapturedFrame, LatestSlot, LivePipeline, PipelineResult, RateMeter


class FrameSource(Protocol):
    def read(self) -> tuple[np.ndarray, int] | None: ...
    def release(self) -> None: ...


@dataclass(frozen=True)
class SourceSpec:
    """How to open a source. `open` returns a `FrameSource` or raises (VideoError, OSError, ...)."""

    kind: str                                   # "camera" | "file"
    open: Callable[[], FrameSource]
    label: str = ""
    camera_index: int | None = None
    path: Path | None = None
    fps: float = 30.0
    frame_count: int = 0
    width: int = 0
    height: int = 0

    @property
    def is_camera(self) -> bool:
        return self.kind == "camera"


def camera_spec(index: int) -> SourceSpec:
    from ..core.video import VideoSource

    return SourceSpec("camera", lambda: VideoSource(index), label=f"Camera {index}", camera_index=index)


def file_spec(path: str | Path) -> SourceSpec:
    """Probe a video file (raises VideoError when it is unreadable) and describe it."""
    from ..core.video import VideoSource, probe_video

    path = Path(path)
    info = probe_video(path)
    return SourceSpec("file", lambda: VideoSource(path), label=path.name, path=path,
                      fps=float(info.fps) if info.fps and info.fps > 0 else 30.0,
                      frame_count=int(info.frame_count or 0), width=int(info.width), height=int(info.height))


@dataclass
class SessionCallbacks:
    """Hooks the threads call. Defaults do nothing."""

    result: Callable[[PipelineResult], Any] = lambda r: None
    # kind: "camera-lost" | "camera-ok" | "no-camera" | "open-failed" | "ended" | "bundle" | "tracker" | "pipeline"
    event: Callable[[str, str], Any] = lambda kind, msg: None
    position: Callable[[int, bool], Any] = lambda pos, playing: None   # file frame index, playing
    opened: Callable[[SourceSpec], Any] = lambda spec: None


class CaptureWorker(threading.Thread):
    """Reads one source into a `LatestSlot` until `stop()`; releases the source on its own thread."""

    def __init__(self, spec: SourceSpec, slot: LatestSlot, callbacks: SessionCallbacks,
                 meter: RateMeter, frame_ids: itertools.count, generation: Callable[[], int],
                 fast: bool = False, playing: bool = True, backoff: tuple[float, float] = (0.5, 8.0),
                 fail_limit: int = 3, ready: threading.Event | None = None) -> None:
        super().__init__(name=f"slr-capture-{spec.kind}", daemon=True)
        self.spec = spec
        self.slot = slot
        self.cb = callbacks
        self.meter = meter
        self.fast = fast
        self.backoff = backoff
        self.fail_limit = fail_limit
        self._frame_ids = frame_ids
        self._generation = generation
        self._ctrl = threading.Condition()
        self._halt = False
        self._playing = playing if spec.kind == "file" else True
        self._seek_to: int | None = None
        self._ended = False
        self._pos = 0                      # index of the next file frame to read
        self._anchor: tuple[float, int] | None = None   # (wall perf_counter, source ms) for pacing
        self.source: FrameSource | None = None
        self.released = threading.Event()
        # a file waits for the tracker before its first frame, so the clip's start is not dropped
        self._ready = ready

    # -- control (any thread) --------------------------------------------------------------
    def stop(self) -> None:
        with self._ctrl:
            self._halt = True
            self._ctrl.notify_all()

    def play(self) -> None:
        with self._ctrl:
            if not self._playing and self._ended:
                self._seek_to = 0          # play at the end starts over
            self._playing = True
            self._anchor = None
            self._ctrl.notify_all()

    def pause(self) -> None:
        with self._ctrl:
            self._playing = False
            self._ctrl.notify_all()

    def seek(self, index: int) -> None:
        with self._ctrl:
            self._seek_to = max(0, int(index))
            self._ended = False
            self._anchor = None
            self._ctrl.notify_all()

    @property
    def playing(self) -> bool:
        return self._playing

    # -- thread ----------------------------------------------------------------------------
    def run(self) -> None:
        try:
            try:
                self.source = self.spec.open()
            except Exception as e:  # VideoError, OSError, a fake source's error: all user-facing
                self.cb.event("no-camera" if self.spec.is_camera else "open-failed", _one_line(e))
                return
            self.cb.opened(self.spec)
            if self.spec.is_camera:
                self._run_camera()
            else:
                self._run_file()
        finally:
            self._release()

    def _release(self) -> None:
        src, self.source = self.source, None
        if src is not None:
            try:
                src.release()
            except Exception:
                pass
        self.released.set()

    def _push(self, bgr: np.ndarray, ts: int, position: int | None) -> None:
        self.meter.tick()
        self.slot.put(CapturedFrame(next(self._frame_ids), bgr, int(ts), time.perf_counter(),
                                    position, self._generation()))

    def _read(self):
        try:
            return self.source.read() if self.source is not None else None
        except Exception:
            return None  # a device error is handled like a failed read

    def _run_camera(self) -> None:
        failures = 0
        while not self._halt:
            item = self._read()
            if item is not None:
                failures = 0
                self._push(item[0], item[1], None)
                continue
            failures += 1
            if failures < self.fail_limit:
                continue
            if not self._reconnect():
                return
            failures = 0

    def _reconnect(self) -> bool:
        """Camera lost: report it, then reopen with exponential backoff. False when stopped."""
        delay, max_delay = self.backoff
        name = self.spec.label or "Camera"
        while not self._halt:
            self.cb.event("camera-lost", f"{name} stopped delivering frames — retrying in {delay:.1f} s")
            if self.source is not None:
                try:
                    self.source.release()
                except Exception:
                    pass
                self.source = None
            with self._ctrl:
                self._ctrl.wait_for(lambda: self._halt, delay)
            if self._halt:
                return False
            try:
                self.source = self.spec.open()
            except Exception:
                self.source = None
            item = self._read() if self.source is not None else None
            if item is not None:
                self.cb.event("camera-ok", f"{name} is back")
                self._push(item[0], item[1], None)
                return True
            delay = min(delay * 2.0, max_delay)
        return False

    def _seek_source(self, index: int) -> None:
        seek = getattr(self.source, "seek", None)
        if seek is not None:
            seek(index)
        else:  # no random access: reopen and skip (fine for short clips)
            if self.source is not None:
                self.source.release()
            self.source = self.spec.open()
            for _ in range(index):
                if self.source.read() is None:
                    break
        self._pos = index

    def _run_file(self) -> None:
        fps = self.spec.fps or 30.0
        if self._ready is not None:
            while not self._halt and not self._ready.wait(0.05):
                pass
        while True:
            with self._ctrl:
                if self._halt:
                    return
                seek_to, self._seek_to = self._seek_to, None
                playing = self._playing
            if seek_to is not None:
                try:
                    self._seek_source(seek_to)
                except Exception as e:
                    self.cb.event("open-failed", _one_line(e))
                    return
                if not playing:  # show the frame at the new position
                    item = self._read()
                    if item is not None:
                        self._push(item[0], item[1], self._pos)
                        self._pos += 1
                        self._seek_source(self._pos - 1)  # stay on it: play resumes from here
                    self.cb.position(seek_to, False)
                    continue
            if not playing:
                with self._ctrl:
                    self._ctrl.wait_for(lambda: self._halt or self._playing or self._seek_to is not None)
                continue

            item = self._read()
            if item is None:
                with self._ctrl:
                    self._playing = False
                    self._ended = True
                self.cb.position(max(0, self._pos - 1), False)
                self.cb.event("ended", f"{self.spec.label}: end of video")
                continue
            bgr, ts = item
            if not self.fast:
                self._pace(int(ts), fps)
                if self._halt:
                    return
            pos = self._pos
            self._pos += 1
            self._push(bgr, ts, pos)
            self.cb.position(pos, True)
            if self.fast:  # back-pressure instead of drops: every frame gets tracked
                while not self._halt and not self.slot.wait_empty(0.1):
                    pass

    def _pace(self, ts: int, fps: float) -> None:
        now = time.perf_counter()
        if self._anchor is None:
            self._anchor = (now, ts)
            return
        wall0, ts0 = self._anchor
        due = wall0 + (ts - ts0) / 1000.0
        if due - now > 1.0 or ts < ts0:  # clock jump (odd file): re-anchor instead of stalling
            self._anchor = (now, ts)
            return
        if due > now:
            with self._ctrl:
                self._ctrl.wait_for(lambda: self._halt or self._seek_to is not None or not self._playing,
                                    due - now)


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

                    kind = "bundle" if isinstance(e, BundleError) else "tracker"
                    self.cb.event(kind, _one_line(e))
            self.pipeline.tracker = tracker
            self.tracker_ready.set()
            while not self._halt.is_set():
                frame = self.slot.get(timeout=0.2)
                if frame is None or self._halt.is_set():
                    continue
                try:
                    result = self.pipeline.process(frame)
                except Exception as e:  # one bad frame must not kill the worker
                    msg = _one_line(e)
                    if msg != self._last_error:
                        self._last_error = msg
                        self.cb.event("pipeline", msg)
                    continue
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
                 fast: bool = False) -> None:
        self.cb = callbacks or SessionCallbacks()
        self.tracker_factory = tracker_factory
        self.fast = fast
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
                                     lambda: self._generation, fast=self.fast, playing=playing,
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


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


__all__ = [
    "CaptureWorker", "FrameSource", "LandmarkWorker", "LiveSession", "SessionCallbacks", "SourceSpec",
    "camera_spec", "file_spec",
]
