"""`classify` tracks a file at the model's fps: only the frames the model's resampling uses.

`window.frames_at_fps` must keep exactly the frames `window.resample_indices` picks (plus the last,
which fixes the grid), so the clip windows are those of tracking every frame; `track_video(fps=)`
and `classify_video` must track about half of a 30 fps clip for a 15 fps model and all of it for a
30 fps model, on the container's own timestamps.
"""
from __future__ import annotations

import numpy as np
import pytest

from slr_desktop.core import window
from slr_desktop.core.landmarks import LandmarkSequence


def _clock(n: int, fps: float, jitter_ms: float, rng: np.random.Generator) -> np.ndarray:
    """Integer-ms presentation timestamps as `VideoSource` gives them: strictly increasing, with
    optional jitter (a variable-frame-rate phone video)."""
    t = np.arange(n) * 1000.0 / fps + rng.uniform(-jitter_ms, jitter_ms, n) * (np.arange(n) > 0)
    ts = np.round(np.maximum.accumulate(t)).astype(np.int64)
    for i in range(1, n):
        ts[i] = max(ts[i], ts[i - 1] + 1)
    return ts.astype(np.float64)


@pytest.mark.parametrize("model_fps", [15.0, 30.0])
@pytest.mark.parametrize("src_fps", [24.0, 23.976, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0, 120.0])
def test_frames_at_fps_keeps_exactly_the_frames_resampling_uses(src_fps, model_fps):
    """Random clip lengths and jitter: the kept frames are the resampled ones plus the last, in
    order, and resampling the kept frames picks the same frames as resampling all of them."""
    rng = np.random.default_rng(int(src_fps * 1000 + model_fps))
    for case in range(60):
        n = int(rng.choice([1, 2, 3, 7, int(rng.integers(4, 400))]))
        jitter = float(rng.choice([0.0, 0.0, 2.0, 0.4 * 1000.0 / src_fps]))
        t = _clock(n, src_fps, jitter, rng)
        kept = [ts for _, ts in window.frames_at_fps(((i, ts) for i, ts in enumerate(t)), model_fps)]
        used = t[window.resample_indices(t, model_fps)]
        assert kept == sorted(set(kept)), (case, n, jitter)               # in order, each once
        assert set(kept) == set(used) | {t[-1]}, (case, n, jitter)        # exactly those
        again = np.asarray(kept)[window.resample_indices(np.asarray(kept), model_fps)]
        assert np.array_equal(again, used), (case, n, jitter)             # the same windows
        if src_fps >= 1.5 * model_fps and n > 20:
            assert len(kept) <= n * model_fps / src_fps * 1.1 + 2
        if src_fps <= model_fps and jitter == 0:
            assert len(kept) == n                                          # a slower file: every frame


@pytest.fixture(scope="module")
def model_15fps(tmp_path_factory):
    """A real exported CNN-Mamba (random weights) whose window is 32 frames at 15 fps."""
    from trainer.export import build_test_model

    out = tmp_path_factory.mktemp("models15") / "random-15fps.onnx"
    return build_test_model(out, labels=[f"sign{i}" for i in range(12)], seed=1, fps=15.0, seq_len=32)


@pytest.fixture(scope="module")
def tracked_small(small_clip):
    from slr_desktop.core.clip import track_video
    from slr_desktop.core.tracker import Tracker

    with Tracker() as tr:
        return track_video(small_clip, tr)


def test_resampled_windows_of_the_kept_frames_equal_those_of_every_frame(tracked_small, model_15fps):
    """The real clip's every-frame landmarks: keeping only `frames_at_fps`'s frames leaves the
    model's resampled points, mask, times and every clip window's probabilities unchanged."""
    from slr_desktop.classify import clip_windows
    from slr_desktop.core.decoder import Status
    from slr_desktop.core.runtime import Classifier

    seq = tracked_small
    frames = seq.frames()
    kept = [f for f, _ in window.frames_at_fps(((f, f.timestamp_ms) for f in frames), 15.0)]
    assert len(kept) < 0.6 * len(frames)
    sub = LandmarkSequence.from_frames(kept, fps=seq.fps)
    for a, b in zip(window.resample(seq, 15.0), window.resample(sub, 15.0)):
        assert np.array_equal(a, b)
    clf = Classifier(model_15fps)
    full, part = (clip_windows(s, clf, 4, 5, [], Status.SIGN) for s in (seq, sub))
    assert [(w.start_s, w.end_s) for w in full.windows] == [(w.start_s, w.end_s) for w in part.windows]
    assert np.array_equal(np.stack([w.probs for w in full.windows]), np.stack([w.probs for w in part.windows]))
    assert full.seen == part.seen and full.seen["frames"] == len(window.resample(seq, 15.0)[0])


def test_track_video_at_fps_tracks_the_resampled_frames_on_the_containers_clock(small_clip, tracked_small):
    """`track_video(fps=15)` on a real 29.97 fps clip tracks the frames resampling picks, stamped
    with the container's timestamps (the same as every-frame tracking gives them), and counts
    decoded frames for its progress."""
    from slr_desktop.core.clip import track_video
    from slr_desktop.core.tracker import Tracker

    every = tracked_small.timestamps_ms
    calls = []
    with Tracker() as tr:
        seq = track_video(small_clip, tr, progress=lambda done, exp: calls.append(done), fps=15.0)
    want = sorted(set(every[window.resample_indices(every, 15.0)]) | {every[-1]})
    assert seq.timestamps_ms.tolist() == want and np.all(np.diff(seq.timestamps_ms) > 0)
    assert 28 <= len(seq) <= 32 and len(every) == 60
    assert seq.meta["frames_read"] == 60 and seq.meta["frames_tracked"] == len(seq) and seq.meta["track_fps"] == 15
    assert seq.duration_s == pytest.approx(tracked_small.duration_s)
    assert len(calls) == len(seq) and calls[-1] == 60


def test_classify_tracks_half_a_30fps_clip_for_a_15fps_model_and_all_for_a_30fps_model(
        small_clip, model_15fps, random_model):
    """`classify_video` on a real 29.97 fps clip (60 frames): a 15 fps model tracks about half the
    frames, `every_frame` all of them, with the same windows and duration; a 30 fps model tracks
    every frame at its own fps."""
    from slr_desktop.classify import classify_video

    half = classify_video(small_clip, model_15fps)
    every = classify_video(small_clip, model_15fps, every_frame=True)
    thirty = classify_video(small_clip, random_model)
    assert half.video["frames"] == every.video["frames"] == thirty.video["frames"] == 60
    assert 28 <= half.timing["frames"] <= 32 and half.timing["tracked"] == "model fps"
    assert every.timing["frames"] == 60 and every.timing["tracked"] == "every frame"
    assert thirty.timing["frames"] == 60 and thirty.timing["tracked"] == "model fps"
    assert half.video["duration_s"] == every.video["duration_s"]
    assert [(w.start_s, w.end_s) for w in half.windows] == [(w.start_s, w.end_s) for w in every.windows]
    assert half.seen["frames"] == every.seen["frames"] == 30
    assert set(half.seen) == {"frames", "pose", "left_hand", "right_hand"} and half.seen["pose"] > 0.9
