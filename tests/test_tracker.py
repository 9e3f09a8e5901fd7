"""Tracker on real WLASL clips: detection rates, hand assignment, timestamps, parallel == serial."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import CLIPS

from slr_desktop.core.clip import timing_summary, track_video
from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.tracker import HANDEDNESS_TO_PART, Tracker, TrackerConfig, assign_hands
from slr_desktop.core.video import VideoSource

# small real clips (288x192) with two-handed and one-handed signs; 24955 'go', 01586 'agreement'
CLIP_NAMES = ("24955.mp4", "01586.mp4")


@pytest.fixture(scope="module")
def tracked() -> dict[str, tuple[LandmarkSequence, list[dict]]]:
    """Each clip tracked once per session (parallel tracker, fresh per clip)."""
    out = {}
    for name in CLIP_NAMES:
        timings: list[dict] = []
        with Tracker(TrackerConfig(parallel=True)) as tr:
            out[name] = (track_video(CLIPS / name, tr, timings=timings), timings)
    return out


@pytest.mark.parametrize("name", CLIP_NAMES)
def test_detection_rates(tracked, name):
    seq, timings = tracked[name]
    pose = seq.mask[:, 0]
    hands = seq.mask[:, LAYOUT.left_hand.start] | seq.mask[:, LAYOUT.right_hand.start]
    assert pose.mean() >= 0.9
    assert hands.mean() >= 0.6
    assert seq.points.dtype == np.float32 and seq.points.shape[1:] == (75, 3)
    assert (seq.width, seq.height) == (288, 192) and seq.fps == pytest.approx(29.97, abs=0.01)
    assert seq.source.endswith(name) and not seq.meta["truncated"]
    # missing parts are zeros; hands and upper body are inside (or near) the image (the legs are
    # extrapolated far below a head-and-shoulders frame, so they are not checked)
    missing = ~seq.mask
    assert np.all(seq.points[missing] == 0)
    near = list(LAYOUT.points_for())
    xy = seq.points[:, near, :2][seq.mask[:, near]]
    assert np.all((xy > -0.5) & (xy < 1.5))
    s = timing_summary(timings)
    assert s["frames"] == len(seq) and s["total_ms_median"] > 0


@pytest.mark.parametrize("name", CLIP_NAMES)
def test_hands_go_to_their_own_wrist(tracked, name):
    seq, _ = tracked[name]
    scale = np.array([seq.width, seq.height])
    checked = 0
    for t in range(len(seq)):
        if not seq.mask[t, 0]:
            continue
        lw, rw = seq.points[t, LAYOUT.left_wrist, :2], seq.points[t, LAYOUT.right_wrist, :2]
        for part, own, other in ((LAYOUT.left_hand, lw, rw), (LAYOUT.right_hand, rw, lw)):
            if seq.mask[t, part.start]:
                wrist = seq.points[t, part.start, :2]
                d_own = np.linalg.norm((wrist - own) * scale)
                d_other = np.linalg.norm((wrist - other) * scale)
                both = seq.mask[t, LAYOUT.left_hand.start] and seq.mask[t, LAYOUT.right_hand.start]
                if not both:
                    assert d_own <= d_other
                checked += 1
        if seq.mask[t, LAYOUT.left_hand.start] and seq.mask[t, LAYOUT.right_hand.start]:
            # two hands: the chosen assignment is the cheaper of the two
            l, r = seq.points[t, LAYOUT.left_hand.start, :2], seq.points[t, LAYOUT.right_hand.start, :2]
            kept = np.linalg.norm((l - lw) * scale) + np.linalg.norm((r - rw) * scale)
            swapped = np.linalg.norm((l - rw) * scale) + np.linalg.norm((r - lw) * scale)
            assert kept <= swapped + 1e-3
    assert checked > 10


def test_signer_left_is_image_right(tracked):
    """Un-mirrored frames of a signer facing the camera: their left side is on the image's right."""
    seq, _ = tracked["24955.mp4"]
    ok = seq.mask[:, 0]
    assert np.mean(seq.points[ok, LAYOUT.left_shoulder, 0] > seq.points[ok, LAYOUT.right_shoulder, 0]) > 0.95


def test_assign_hands_conflict():
    pose = np.array([[0.7, 0.6], [0.3, 0.6]])     # left wrist (image right), right wrist
    # both hands are nearer the left wrist; the farther one must take the right slot
    hands = np.array([[0.68, 0.6], [0.55, 0.6]])
    assert assign_hands(hands, pose, 640, 480) == [1, 2]
    assert assign_hands(hands[::-1].copy(), pose, 640, 480) == [2, 1]
    assert assign_hands(hands[1:], pose, 640, 480) == [1]
    assert assign_hands(np.array([[0.31, 0.5]]), pose, 640, 480) == [2]
    # a third detected hand is left out
    three = np.array([[0.7, 0.6], [0.3, 0.6], [0.5, 0.1]])
    assert assign_hands(three, pose, 640, 480) == [1, 2, None]


def test_assign_uses_pixel_distance():
    # on a square frame the hand is nearer the right wrist; on a 10:1 wide frame its x offset
    # from the right wrist is 80 px against 20 px from the left one, and the left wrist wins
    pose = np.array([[0.6, 0.5], [0.5, 0.2]])
    hand = np.array([[0.58, 0.22]])
    assert assign_hands(hand, pose, 100, 100) == [2]
    assert assign_hands(hand, pose, 1000, 100) == [1]


def test_handedness_mapping_matches_pose(small_clip):
    """The fallback label mapping agrees with the pose-wrist assignment on a real clip."""
    import cv2
    import mediapipe as mp

    agree = total = 0
    with Tracker(TrackerConfig(parallel=False)) as tr, VideoSource(small_clip) as src:
        for bgr, ts in src:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            img = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            t = tr._mp_timestamp(ts)
            pose, hands = tr._pose.detect_for_video(img, t), tr._hands.detect_for_video(img, t)
            if not pose.pose_landmarks or not hands.hand_landmarks:
                continue
            p = pose.pose_landmarks[0]
            wrists = np.array([[p[15].x, p[15].y], [p[16].x, p[16].y]])
            parts = assign_hands(np.array([[h[0].x, h[0].y] for h in hands.hand_landmarks]),
                                 wrists, rgb.shape[1], rgb.shape[0])
            for part, cats in zip(parts, hands.handedness):
                total += 1
                agree += HANDEDNESS_TO_PART[cats[0].category_name] == part
    assert total > 20 and agree / total > 0.9


def test_timestamps_non_increasing_and_close(small_clip):
    with VideoSource(small_clip) as src:
        frames = [src.read()[0] for _ in range(4)]
    tr = Tracker(TrackerConfig(parallel=True))
    try:
        out = [tr.track(frames[0], 100), tr.track(frames[1], 100), tr.track(frames[2], 50),
               tr.track(frames[3], 0)]
        # the caller's clock is kept on the frame; MediaPipe got strictly increasing stamps
        assert [f.timestamp_ms for f in out] == [100, 100, 50, 0]
        assert [f.frame_index for f in out] == [0, 1, 2, 3]
        assert tr._last_mp_ts == 103
        assert set(tr.last_timings) == {"pose_ms", "hands_ms", "total_ms"}
    finally:
        tr.close()
    tr.close()  # idempotent
    assert tr.closed
    with pytest.raises(RuntimeError):
        tr.track(frames[0], 200)


def test_parallel_equals_serial(tracked):
    name = CLIP_NAMES[0]
    seq_par, _ = tracked[name]
    with Tracker(TrackerConfig(parallel=False)) as tr:
        seq_ser = track_video(CLIPS / name, tr)
    assert np.array_equal(seq_par.mask, seq_ser.mask)
    np.testing.assert_allclose(seq_par.points, seq_ser.points, atol=1e-4)


def test_config_validation():
    with pytest.raises(ValueError):
        TrackerConfig(pose_model="heavy")
    with pytest.raises(ValueError):
        TrackerConfig(min_detection_confidence=1.5)


def test_handedness_fallback_without_pose(signing_clip):
    """A crop around the signer's right hand (05732 'before', frames 18-69, a one-handed sign):
    pose is lost on many frames, and there the label fallback must still say *right* hand, as the
    pose-wrist assignment does on the full frames."""
    with VideoSource(signing_clip) as src:
        frames = [f for f, _ in src][18:70]
    with Tracker() as tr:
        out = [tr.track(np.ascontiguousarray(f[200:380, 80:280]), i * 33) for i, f in enumerate(frames)]
    fallback = [f for f in out if f.handedness_fallback]
    assert len(fallback) >= 5
    assert all(not f.present[0] for f in fallback)
    right = sum(bool(f.present[2] and not f.present[1]) for f in fallback)
    assert right / len(fallback) >= 0.9


def test_direct_calls_equal_the_public_api(tracked):
    """The C-level landmarker calls (the default) give bit-identical frames to MediaPipe's public
    `detect_for_video`, and on this mediapipe the direct path is really the one in use."""
    name = CLIP_NAMES[1]
    seq_direct, _ = tracked[name]
    with Tracker(TrackerConfig(direct_calls=False)) as tr:
        assert not tr.direct_calls
        seq_public = track_video(CLIPS / name, tr)
    with Tracker() as tr:
        assert tr.direct_calls
    assert np.array_equal(seq_direct.mask, seq_public.mask)
    assert np.array_equal(seq_direct.points, seq_public.points)


def test_mediapipe_import_defers_unused_task_families():
    """A fresh interpreter: the tracker's MediaPipe import leaves matplotlib and sounddevice
    unloaded, and a deferred module still works on first use."""
    import subprocess
    import sys

    code = ("import sys\nfrom slr_desktop.core.mediapipe_import import import_mediapipe\n"
            "mp = import_mediapipe()\nassert mp.Image and mp.ImageFormat.SRGB\n"
            "assert 'matplotlib.pyplot' not in sys.modules and 'sounddevice' not in sys.modules\n"
            "from mediapipe.tasks.python.vision import drawing_utils\n"
            "assert drawing_utils.DrawingSpec and 'matplotlib.pyplot' in sys.modules\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
