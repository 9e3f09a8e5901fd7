""".pose interchange (pose-format): our landmarks out and back on real clips, Holistic files mapped by
point name, `classify` on a .pose file, `extract --format pose` + `import pose`, and one-line errors."""
from __future__ import annotations

import dataclasses
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.classify import classify_sequence
from slr_desktop.core.clip import track_video
from slr_desktop.core.layout import LAYOUT, POSE_NAMES
from slr_desktop.core.pose_file import PoseFileError, read_pose, to_pose, write_pose
from slr_desktop.core.runtime import Classifier
from slr_desktop.core.tracker import Tracker, TrackerConfig

pose_format = pytest.importorskip("pose_format", reason="install.sh installs the [pose] extra")
from pose_format.numpy import NumPyPoseBody  # noqa: E402
from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tracked(signing_clip, small_clip):
    out = {}
    for clip in (signing_clip, small_clip):
        with Tracker(TrackerConfig()) as tracker:
            out[clip.name] = track_video(clip, tracker)
    return out


def _window_probs(seq, clf) -> np.ndarray:
    return np.stack([w.probs for w in classify_sequence(seq, clf).windows])


def test_round_trip_on_real_clips_gives_the_same_probabilities(tracked, tmp_path, random_model):
    models = [Classifier(random_model), Classifier(ROOT / "models" / "cafe-words.onnx")]
    worst = 0.0
    for name, seq in tracked.items():
        path = tmp_path / f"{name}.pose"
        write_pose(seq, path)
        back = read_pose(path)
        assert back.points.shape == seq.points.shape and (back.width, back.height) == (seq.width, seq.height)
        assert np.array_equal(back.mask, seq.mask)
        assert np.abs(back.points - seq.points).max() < 1e-6          # float32 pixels and back
        assert abs(back.fps - seq.fps) < 1e-4
        # .pose has one fps and no per-frame clock: compare against the same landmarks on that
        # uniform clock (the container's own timestamps differ from index / fps by < 1 ms)
        uniform = dataclasses.replace(seq, timestamps_ms=None)
        for clf in models:
            a, b = _window_probs(uniform, clf), _window_probs(back, clf)
            assert a.shape == b.shape
            worst = max(worst, float(np.abs(a - b).max()))
    print(f"\n.pose round trip: max |dp| over all windows, 2 clips x 2 models = {worst:.2e}")
    assert worst < 1e-5


HOLISTIC_HAND = ["WRIST", "THUMB_CMC", "THUMB_MCP", "THUMB_IP", "THUMB_TIP"] + [
    f"{f}_{j}" for f in ("INDEX_FINGER", "MIDDLE_FINGER", "RING_FINGER", "PINKY") for j in ("MCP", "PIP", "DIP", "TIP")]


def _holistic_pose(seq, pose_order: list[str], with_pose: bool = True):
    """What pose-format's own MediaPipe Holistic export writes (five components, face mesh and
    world landmarks included), filled from our tracked sequence; pose points in `pose_order`."""
    t = len(seq)
    px = seq.points.astype(np.float64) * np.array([seq.width, seq.height, 1.0])
    comps, data, conf = [], [], []

    def add(name, points, values, c):
        comps.append(PoseHeaderComponent(name, points, [(0, 1)], [(255, 0, 0)], "XYZC"))
        data.append(values)
        conf.append(c)

    pose_idx = [POSE_NAMES.index(n.lower()) for n in pose_order]
    if with_pose:
        vis = np.where(seq.mask[:, pose_idx], 0.7, 0.0)
        add("POSE_LANDMARKS", pose_order, px[:, pose_idx], vis)
    add("FACE_LANDMARKS", [str(i) for i in range(468)], np.full((t, 468, 3), 5.0), np.ones((t, 468)))
    for name, part in (("LEFT_HAND_LANDMARKS", LAYOUT.left_hand), ("RIGHT_HAND_LANDMARKS", LAYOUT.right_hand)):
        # MediaPipe's HandLandmark names (INDEX_FINGER_MCP, ...); this file lacks the pinky
        add(name, HOLISTIC_HAND[:17], px[:, part][:, :17], seq.mask[:, part][:, :17].astype(float))
    add("POSE_WORLD_LANDMARKS", pose_order, np.full((t, 33, 3), 9.0), np.ones((t, 33)))
    d = np.concatenate(data, axis=1)[:, None].astype(np.float32)
    c = np.concatenate(conf, axis=1)[:, None].astype(np.float32)
    header = PoseHeader(0.2, PoseHeaderDimensions(seq.width, seq.height, 0), comps)
    buf = io.BytesIO()
    pose_format.Pose(header, NumPyPoseBody(fps=seq.fps, data=d, confidence=c)).write(buf)
    return buf.getvalue()


def test_holistic_files_are_mapped_by_point_name(tracked, tmp_path):
    seq = tracked["05732.mp4"]
    shuffled = [n.upper() for n in reversed(POSE_NAMES)]          # another order: names decide
    path = tmp_path / "holistic.pose"
    path.write_bytes(_holistic_pose(seq, shuffled))
    back = read_pose(path)
    pose = LAYOUT.pose
    assert np.array_equal(back.mask[:, pose], seq.mask[:, pose])
    assert np.abs(back.points[:, pose] - seq.points[:, pose]).max() < 1e-6
    for part in (LAYOUT.left_hand, LAYOUT.right_hand):
        has = slice(part.start, part.start + 17)
        assert np.array_equal(back.mask[:, has], seq.mask[:, has])
        assert np.abs(back.points[:, has] - seq.points[:, has]).max() < 1e-6
        assert not back.mask[:, part.start + 17:part.stop].any()   # the pinky the file lacks: masked
        assert not back.points[:, part.start + 17:part.stop].any()
    assert back.meta["pose_points_mapped"] == 33 + 2 * 17

    path.write_bytes(_holistic_pose(seq, shuffled, with_pose=False))
    assert not read_pose(path).mask[:, pose].any()


def test_non_holistic_corrupt_and_missing_files_are_one_line(tmp_path, tracked, monkeypatch):
    seq = tracked["24955.mp4"]
    op = to_pose(seq)
    for c in op.header.components:
        c.name = "pose_keypoints_2d" if c.name == "POSE_LANDMARKS" else c.name.lower() + "_openpose"
    buf = io.BytesIO()
    op.write(buf)
    cases = {"openpose.pose": buf.getvalue(), "corrupt.pose": b"\x00\x01garbage", "empty.pose": b""}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(PoseFileError, match="no MediaPipe Holistic landmarks.*pose_keypoints_2d"):
        read_pose(tmp_path / "openpose.pose")
    for name in ("corrupt.pose", "empty.pose", "missing.pose"):
        with pytest.raises(PoseFileError) as e:
            read_pose(tmp_path / name)
        assert "\n" not in str(e.value) and name in str(e.value)
    monkeypatch.setitem(sys.modules, "pose_format", None)        # not installed
    with pytest.raises(PoseFileError, match=r"pip install 'slr-desktop\[pose\]'"):
        read_pose(tmp_path / "openpose.pose")


def test_classify_accepts_a_pose_file(tracked, tmp_path, random_model, capsys):
    from slr_desktop import cli

    seq = tracked["24955.mp4"]
    write_pose(seq, tmp_path / "go.pose")
    assert cli.main(["classify", str(tmp_path / "go.pose"), "--model", str(random_model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    top = classify_sequence(seq, Classifier(random_model)).top
    assert [p["label"] for p in out["top"]] == [p.label for p in top]
    assert np.allclose([p["prob"] for p in out["top"]], [p.prob for p in top], atol=1e-6)
    assert out["video"]["frames"] == len(seq)
    (tmp_path / "bad.pose").write_bytes(b"nope")
    assert cli.main(["classify", str(tmp_path / "bad.pose"), "--model", str(random_model)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("slr-desktop classify: error: bad.pose") and "\n" not in err


def test_extract_format_pose_then_import_pose(tmp_path, small_clip):
    """Videos -> .pose files (extract) -> our landmark set (import): the same landmarks as --format npz."""
    import shutil

    from trainer.extract import extract_all, find_jobs, import_pose
    from trainer.landmark_sets import load_set

    videos = tmp_path / "videos" / "go"
    videos.mkdir(parents=True)
    shutil.copy(small_clip, videos / "24955.mp4")
    s1 = extract_all(find_jobs(tmp_path / "videos", out_suffix=".pose"), tmp_path / "poses", progress=False)
    assert (s1.extracted, s1.failures) == (1, []) and (tmp_path / "poses" / "go" / "24955.pose").is_file()
    s2 = import_pose(tmp_path / "poses", tmp_path / "set", progress=False)
    assert (s2.extracted, s2.failures) == (1, [])
    extract_all(find_jobs(tmp_path / "videos"), tmp_path / "npz", progress=False)
    (a,), (b,) = load_set(tmp_path / "set"), load_set(tmp_path / "npz")
    assert a.gloss == b.gloss == "go" and a.meta["id"] == "go/24955"
    assert np.array_equal(a.mask, b.mask) and np.abs(a.points - b.points).max() < 1e-6
