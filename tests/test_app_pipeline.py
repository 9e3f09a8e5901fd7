"""The app's pure core, no Qt: latest-frame slot, live pipeline, capture threads, shutdown."""
from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from slr_desktop.app.capture import CaptureWorker
from slr_desktop.app.events import SessionCallbacks
from slr_desktop.app.live import CapturedFrame, LatestSlot, LivePipeline, RateMeter
from slr_desktop.app.presenter import PredictionSmoother, SignDecider
from slr_desktop.app.session import LiveSession
from slr_desktop.app.sources import SourceSpec
from slr_desktop.core.landmarks import LandmarkFrame
from slr_desktop.core.layout import LAYOUT


class FakeTracker:
    """Returns a fixed full-body frame; records calls and whether it was closed."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self.closed = False
        self.last_timings = {"pose_ms": 1.0, "hands_ms": 1.0, "total_ms": 2.0}

    def track(self, bgr, ts):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        pts = np.random.default_rng(self.calls).random((LAYOUT.n_points, 3)).astype(np.float32)
        h, w = bgr.shape[:2]
        return LandmarkFrame(pts, np.ones(3, bool), int(ts), self.calls - 1, w, h)

    def close(self):
        self.closed = True


class FakeCamera:
    """Delivers `good` frames, then read() fails (returns None) forever — a camera unplugged."""

    def __init__(self, good: int = 10**9, shape=(48, 64, 3)) -> None:
        self.good = good
        self.n = 0
        self.shape = shape
        self.released = False

    def read(self):
        if self.n >= self.good:
            return None
        self.n += 1
        time.sleep(0.005)
        return np.full(self.shape, self.n % 255, np.uint8), self.n * 33

    def release(self):
        self.released = True


def _frame(i: int, ts: int, gen: int = 0) -> CapturedFrame:
    return CapturedFrame(i, np.zeros((48, 64, 3), np.uint8), ts, time.perf_counter(), None, gen)


# ------------------------------------------------------------------------------ LatestSlot
def test_latest_slot_keeps_newest_and_counts_drops():
    slot = LatestSlot()
    assert slot.put(1) is False
    assert slot.put(2) is True
    assert slot.put(3) is True
    assert slot.get(0.01) == 3
    assert slot.dropped == 2 and slot.delivered == 1
    assert slot.get(0.01) is None  # nothing new: times out


def test_latest_slot_producer_never_blocks_and_close_wakes_consumer():
    slot = LatestSlot()
    got = []
    t = threading.Thread(target=lambda: got.append(slot.get(5.0)))
    t.start()
    time.sleep(0.05)
    slot.close()
    t.join(1.0)
    assert not t.is_alive() and got == [None]
    t0 = time.perf_counter()
    for i in range(1000):
        slot.put(i)
    assert time.perf_counter() - t0 < 0.5


def test_rate_meter():
    now = [0.0]
    m = RateMeter(window_s=1.0, clock=lambda: now[0])
    for _ in range(31):
        m.tick()
        now[0] += 1 / 30
    now[0] -= 1 / 30
    assert m.rate == pytest.approx(30.0, rel=0.05)
    now[0] += 2.0
    assert m.rate == 0.0


def test_sign_decider_threshold_idle_and_history():
    labels = ["idle", "go", "before"]
    d = SignDecider(threshold=0.6, idle_label="idle")
    assert d.update(labels, np.array([0.9, 0.05, 0.05])).current is None  # idle never shown
    s = d.update(labels, np.array([0.1, 0.8, 0.1]))
    assert s.current == "go" and s.new_sign and s.history == ("go",)
    s = d.update(labels, np.array([0.1, 0.85, 0.05]))
    assert not s.new_sign and s.history == ("go",)  # held: logged once
    assert d.update(labels, np.array([0.3, 0.4, 0.3])).current is None  # below threshold
    s = d.update(labels, np.array([0.0, 0.9, 0.1]))
    assert s.new_sign and s.history == ("go", "go")


def test_smoother():
    s = PredictionSmoother(alpha=0.5)
    np.testing.assert_allclose(s.update(np.array([1.0, 0.0])), [1.0, 0.0])
    np.testing.assert_allclose(s.update(np.array([0.0, 1.0])), [0.5, 0.5])
    np.testing.assert_allclose(s.update(np.array([0.2, 0.3, 0.5])), [0.2, 0.3, 0.5])  # new label set


# ----------------------------------------------------------------------------- LivePipeline
def test_live_pipeline_classifies_every_n_frames(random_model):
    from slr_desktop.core.runtime import Classifier

    clf = Classifier(random_model)
    pipe = LivePipeline(FakeTracker(), clf, classify_every=3)
    results = [pipe.process(_frame(i, i * 33)) for i in range(9)]
    ran = [r.probs is not None for r in results]
    assert ran == [True, False, False, True, False, False, True, False, False]
    r = results[-3]
    assert r.probs.shape == (len(clf.labels),) and abs(float(r.probs.sum()) - 1.0) < 1e-4
    assert len(r.top) == 5 and r.top[0].prob >= r.top[-1].prob
    assert r.frame_id == 6 and r.timestamp_ms == 198 and r.labels == tuple(clf.labels)
    assert r.track_ms >= 0 and r.classify_ms > 0 and r.latency_ms >= 0
    assert 0 < r.coverage <= 1
    with pytest.raises(Exception):
        r.frame_id = 1  # frozen


def test_live_pipeline_without_tracker_passes_frames_through():
    r = LivePipeline(None, None).process(_frame(0, 0))
    assert r.landmarks is None and r.probs is None and r.bgr.shape == (48, 64, 3)


# --------------------------------------------------------------------------- capture thread
def _capture(spec, **kw):
    slot = LatestSlot()
    events = []
    cb = SessionCallbacks(event=lambda k, m: events.append((k, m)))
    w = CaptureWorker(spec, slot, cb, RateMeter(), itertools.count(), lambda: 0, **kw)
    return w, slot, events


def test_camera_lost_is_retried_with_backoff_and_recovers():
    opened = []

    def open_camera():
        # first camera dies after 5 frames; the reopened one works
        cam = FakeCamera(good=5 if not opened else 10**9)
        opened.append(cam)
        return cam

    w, slot, events = _capture(SourceSpec("camera", open_camera, label="Fake cam"), backoff=(0.05, 0.2))
    w.start()
    deadline = time.time() + 3
    while time.time() < deadline and not any(k == "camera-ok" for k, _ in events):
        slot.get(0.05)
    w.stop()
    w.join(1.0)
    kinds = [k for k, _ in events]
    assert "camera-lost" in kinds and "camera-ok" in kinds, events
    assert "retrying" in dict(events)["camera-lost"]
    assert len(opened) >= 2 and opened[0].released
    assert not w.is_alive() and w.released.is_set() and opened[-1].released


def test_camera_that_never_opens_reports_no_camera():
    def fail():
        raise OSError("camera 7 cannot be opened")

    w, _, events = _capture(SourceSpec("camera", fail))
    w.start()
    w.join(1.0)
    assert events == [("no-camera", "camera 7 cannot be opened")]


def test_file_paced_at_its_fps_and_fast_mode_drops_nothing(small_clip):
    from slr_desktop.app.sources import file_spec

    spec = file_spec(small_clip)
    # paced: 15 frames of a 29.97 fps file take about half a second
    w, slot, _ = _capture(spec)
    t0 = time.perf_counter()
    w.start()
    got = 0
    while got < 15:
        if slot.get(1.0) is not None:
            got += 1
    paced = time.perf_counter() - t0
    w.stop()
    w.join(1.0)
    assert 0.35 < paced < 1.5
    # fast: a slow consumer still receives every frame, in order
    w, slot, events = _capture(spec, fast=True)
    w.start()
    positions = []
    while not any(k == "ended" for k, _ in events) or slot._item is not None:
        f = slot.get(0.2)
        if f is not None and not f.end_of_stream:   # the end marker is not a frame
            positions.append(f.position)
            time.sleep(0.002)
    w.stop()
    w.join(1.0)
    assert positions == list(range(len(positions))) and len(positions) >= spec.frame_count - 2
    assert slot.dropped == 0


def test_session_stops_threads_and_closes_tracker_fast():
    tracker = FakeTracker(delay=0.02)
    results = []
    s = LiveSession(SessionCallbacks(result=results.append), tracker_factory=lambda: tracker)
    s.open(SourceSpec("camera", lambda: FakeCamera()))
    deadline = time.time() + 3
    while len(results) < 5 and time.time() < deadline:
        time.sleep(0.02)
    assert len(results) >= 5
    cam = s.capture.source
    took = s.stop(timeout=1.0)
    assert took < 1.0 and not s.alive_threads
    assert tracker.closed and cam.released
    # frame ids increase; the camera was never blocked by the slower tracker
    ids = [r.frame_id for r in results]
    assert ids == sorted(ids) and s.dropped > 0


@pytest.mark.slow
def test_real_tracker_session_shutdown_under_a_second(signing_clip):
    """MediaPipe and a real file: stop() joins both threads and closes the graphs in < 1 s."""
    from slr_desktop.app.session import default_tracker_factory
    from slr_desktop.app.sources import file_spec

    results = []
    s = LiveSession(SessionCallbacks(result=results.append), tracker_factory=default_tracker_factory)
    s.open(file_spec(signing_clip))
    deadline = time.time() + 20
    while len(results) < 10 and time.time() < deadline:
        time.sleep(0.05)
    assert len(results) >= 10 and results[-1].landmarks is not None
    took = s.stop(timeout=1.0)
    assert took < 1.0 and not s.alive_threads
    assert s.worker.closed.is_set()
