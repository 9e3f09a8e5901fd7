"""The capture thread: reads one source into the latest-frame slot, never waiting for the tracker.

A camera is read as fast as it delivers and never waits for the tracker (the slot is latest-only);
a lost camera is reopened with backoff. A file is paced at its own frame rate while playing (or run
as fast as the worker consumes, `fast=True`), and can be paused and seeked. Every frame of a file
is tracked (the next frame waits for the worker, so playback slows down on a slow machine instead
of skipping): what a file yields must not depend on the CPU. `drop_late=True` asks for real-time
dropping instead, as for a camera. No Qt here: the window
passes callbacks that emit signals, tests pass plain functions.
"""
from __future__ import annotations

import itertools
import threading
import time
from typing import Callable

import numpy as np

from ..core.errors import one_line
from ..core.video import DEFAULT_FPS
from .events import EventKind, SessionCallbacks
from .live import CapturedFrame, LatestSlot, RateMeter
from .sources import FrameSource, SourceSpec


class CaptureWorker(threading.Thread):
    """Reads one source into a `LatestSlot` until `stop()`; releases the source on its own thread."""

    def __init__(self, spec: SourceSpec, slot: LatestSlot, callbacks: SessionCallbacks,
                 meter: RateMeter, frame_ids: itertools.count, generation: Callable[[], int],
                 fast: bool = False, playing: bool = True, backoff: tuple[float, float] = (0.5, 8.0),
                 drop_late: bool = False,
                 fail_limit: int = 3, ready: threading.Event | None = None) -> None:
        super().__init__(name=f"slr-capture-{spec.kind}", daemon=True)
        self.spec = spec
        self.slot = slot
        self.cb = callbacks
        self.meter = meter
        self.fast = fast
        self.drop_late = drop_late
        self.backoff = backoff
        self.fail_limit = fail_limit
        self._frame_ids = frame_ids
        self._generation = generation
        self._ctrl = threading.Condition()
        self._halt = False
        self._playing = playing if spec.kind == "file" else True
        self.speed = 1.0                   # file playback rate (Playback → Speed)
        self._seek_to: int | None = None
        self._ended = False
        self._pos = 0                      # index of the next file frame to read
        self._last_ts = 0                  # timestamp of the last frame read (for end-of-stream)
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

    def set_speed(self, speed: float) -> None:
        """Play a file at `speed` times its frame rate (every frame is still tracked)."""
        with self._ctrl:
            self.speed = max(0.05, float(speed))
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
                self.cb.event(EventKind.NO_CAMERA if self.spec.is_camera else EventKind.OPEN_FAILED, one_line(e))
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
            self.cb.event(EventKind.CAMERA_LOST, f"{name} stopped delivering frames — retrying in {delay:.1f} s")
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
                self.cb.event(EventKind.CAMERA_OK, f"{name} is back")
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
        fps = self.spec.fps or DEFAULT_FPS
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
                    self.cb.event(EventKind.OPEN_FAILED, one_line(e))
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
                # tell the worker too, so the sign decoder closes the last sign of the file
                self.slot.put(CapturedFrame.end(next(self._frame_ids), self._last_ts, max(0, self._pos - 1),
                                                self._generation()))
                # ...and let it take that before anything else: a loop restart's first frame must
                # not replace it in the latest-only slot (the file's last sign would be lost)
                while not self._halt and not self.slot.wait_empty(0.1):
                    pass
                self.cb.event(EventKind.ENDED, f"{self.spec.label}: end of video")
                continue
            bgr, ts = item
            self._last_ts = int(ts)
            if not self.fast:
                self._pace(int(ts), fps)
                if self._halt:
                    return
            pos = self._pos
            self._pos += 1
            self._push(bgr, ts, pos)
            self.cb.position(pos, True)
            if self.fast or not (self.drop_late or self.spec.realtime):  # back-pressure: every frame tracked
                while not self._halt and not self.slot.wait_empty(0.1):
                    pass

    def _pace(self, ts: int, fps: float) -> None:
        now = time.perf_counter()
        if self._anchor is None:
            self._anchor = (now, ts)
            return
        wall0, ts0 = self._anchor
        due = wall0 + (ts - ts0) / 1000.0 / self.speed
        if due - now > 1.0 / min(1.0, self.speed) or ts < ts0:  # clock jump (odd file): re-anchor instead of stalling
            self._anchor = (now, ts)
            return
        if due > now:
            with self._ctrl:
                self._ctrl.wait_for(lambda: self._halt or self._seek_to is not None or not self._playing,
                                    due - now)



__all__ = ["CaptureWorker"]
