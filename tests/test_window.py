"""Window building: resampling on the source clock, crop/pad, the live ring buffer, model coords."""
from __future__ import annotations

import numpy as np
import pytest

from slr_desktop.core.landmarks import LandmarkFrame, LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.window import (
    RingWindow,
    fit_window,
    resample,
    resample_indices,
    to_model_coords,
    window_spans,
    windows_for,
)

N = LAYOUT.n_points


def _frame(i: int, ts: float, w: int = 640, h: int = 480) -> LandmarkFrame:
    """A frame whose every x coordinate encodes its index (x = i / 1000) so samples are traceable."""
    pts = np.zeros((N, 3), np.float32)
    pts[:, 0] = i / 1000.0
    pts[:, 1] = 0.5
    return LandmarkFrame(points=pts, present=np.array([True, i % 2 == 0, True]),
                         timestamp_ms=int(ts), frame_index=i, width=w, height=h)


def _seq(timestamps, w=640, h=480, fps=30.0) -> LandmarkSequence:
    return LandmarkSequence.from_frames([_frame(i, t, w, h) for i, t in enumerate(timestamps)], fps=fps)


def _index_of(points: np.ndarray, w=640, h=480) -> np.ndarray:
    """Recover the source frame index from model-coordinate points."""
    return np.rint(points[:, 0, 0] / (w / h) * 1000.0).astype(int)


def test_to_model_coords_aspect():
    pts = np.array([[[0.5, 0.5, 0.1]]], np.float32)
    out = to_model_coords(pts, 640, 480)
    np.testing.assert_allclose(out[0, 0], [0.5 * 4 / 3, 0.5, 0.1 * 4 / 3], rtol=1e-6)
    assert pts[0, 0, 0] == 0.5  # input untouched
    # a unit step in x and in y now have the same length in pixels
    a = to_model_coords(np.array([[0.0, 0.0, 0], [1 / 640, 1 / 480, 0]], np.float32), 640, 480)
    assert a[1, 0] == pytest.approx(a[1, 1])


def test_resample_irregular_timestamps():
    # a 30 fps source with jitter and one dropped stretch (100 -> 250 ms)
    ts = [0, 31, 68, 100, 250, 266, 301, 333, 370, 400]
    pts, mask, times = resample(_seq(ts), fps=10.0)
    idx = _index_of(pts)
    # grid 0, 100, 200, 300, 400 -> nearest frames 0, 3, 4 (250 ms is 50 ms from 200, 100 ms
    # is 100 ms away), 6, 9
    assert idx.tolist() == [0, 3, 4, 6, 9]
    np.testing.assert_allclose(times, [0, 0.1, 0.25, 0.301, 0.4])
    assert mask.dtype == np.float32 and mask.shape == (5, N)
    # per-part mask follows the chosen frames (left hand present on even frames only)
    assert mask[:, LAYOUT.left_hand.start].tolist() == [1, 0, 1, 1, 0]


def test_resample_upsamples_by_repeating():
    pts, _, _ = resample(_seq([0, 100, 200]), fps=20.0)
    assert _index_of(pts).tolist() == [0, 0, 1, 1, 2]


def test_resample_indices_live_grid_pads_at_start():
    idx = resample_indices(np.array([1000.0, 1033, 1066, 1100]), fps=10.0, end_ms=1100.0, n=4)
    # grid 800, 900, 1000, 1100: the first two reach back before the buffer -> oldest frame
    assert idx.tolist() == [0, 0, 0, 3]


def test_fit_window_crop_and_pad():
    pts = np.arange(10, dtype=np.float32)[:, None, None] * np.ones((1, N, 3), np.float32)
    mask = np.ones((10, N), np.float32)
    crop, _ = fit_window(pts, mask, 6)
    assert crop[:, 0, 0].tolist() == [2, 3, 4, 5, 6, 7]           # centred
    pad, pmask = fit_window(pts[:4], mask[:4], 9)
    assert pad[:, 0, 0].tolist() == [0, 0, 0, 1, 2, 3, 3, 3, 3]   # edge-padded both sides
    assert pmask.shape == (9, N)
    same, _ = fit_window(pts, mask, 10)
    assert np.array_equal(same, pts)
    with pytest.raises(ValueError):
        fit_window(pts[:0], mask[:0], 4)


def test_window_spans_cover_the_clip():
    spans = window_spans(50, seq_len=16, stride=8, fps=15.0)
    assert [s.start for s in spans] == [0, 8, 16, 24, 32, 34]
    assert spans[-1].stop == 50 and spans[-1].end_s == pytest.approx(50 / 15)
    short = window_spans(10, 16, 8, 15.0)
    assert len(short) == 1 and (short[0].start, short[0].stop) == (0, 10)
    pts = np.zeros((10, N, 3), np.float32)
    x, m = windows_for(pts, np.ones((10, N), np.float32), short, 16)
    assert x.shape == (1, 16, N, 3) and m.shape == (1, 16, N)


def test_ring_window_edge_padding_before_full():
    ring = RingWindow(seq_len=8, fps=10.0)
    with pytest.raises(ValueError):
        ring.snapshot()
    for i in range(3):
        ring.push(_frame(i, i * 100))
    pts, mask = ring.snapshot()
    assert pts.shape == (8, N, 3) and mask.shape == (8, N)
    assert _index_of(pts).tolist() == [0, 0, 0, 0, 0, 0, 1, 2]   # newest last, oldest repeated
    assert ring.coverage == pytest.approx(200 / 800)


def test_ring_window_resamples_faster_camera():
    """A 30 fps camera feeding a 10 fps model: every third frame, newest last."""
    ring = RingWindow(seq_len=5, fps=10.0)
    for i in range(60):
        ring.push(_frame(i, i * 1000 / 30))
    pts, _ = ring.snapshot()
    assert _index_of(pts).tolist() == [47, 50, 53, 56, 59]
    assert ring.coverage == 1.0
    # old frames are dropped: only ~ window span + 0.5 s is kept
    assert len(ring) <= int((0.5 + 0.5) * 30) + 2


def test_ring_window_slower_camera_repeats_frames():
    ring = RingWindow(seq_len=6, fps=30.0)
    for i in range(20):
        ring.push(_frame(i, i * 100))  # a 10 fps camera
    idx = _index_of(ring.snapshot()[0]).tolist()
    assert idx[-1] == 19 and idx == sorted(idx) and len(set(idx)) < 6


def test_ring_window_clock_reset():
    ring = RingWindow(seq_len=4, fps=10.0)
    for i in range(10):
        ring.push(_frame(i, 5000 + i * 100))
    ring.push(_frame(99, 0))  # a looped file restarts at 0
    assert len(ring) == 1
    assert _index_of(ring.snapshot()[0]).tolist() == [99] * 4
    ring.clear()
    assert len(ring) == 0 and ring.coverage == 0.0


def test_ring_window_uses_frame_aspect():
    ring = RingWindow(seq_len=2, fps=10.0)
    f = _frame(500, 0, w=1920, h=1080)
    ring.push(f)
    pts, _ = ring.snapshot()
    assert pts[0, 0, 0] == pytest.approx(0.5 * 1920 / 1080)
