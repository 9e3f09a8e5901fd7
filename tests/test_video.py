"""Video probing and reading: every kind of bad file gives a one-line VideoError; truncation ends cleanly."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from slr_desktop.core.video import VideoError, VideoSource, probe_video


def _err(path) -> str:
    with pytest.raises(VideoError) as e:
        probe_video(path)
    msg = str(e.value)
    assert msg and "\n" not in msg
    return msg


def test_probe_real_clip(small_clip):
    info = probe_video(small_clip)
    assert (info.width, info.height) == (288, 192)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    assert 58 <= info.frame_count <= 62
    assert info.duration_s == pytest.approx(info.frame_count / info.fps)


def test_missing(tmp_path):
    assert "not found" in _err(tmp_path / "absent.mp4")


def test_directory(tmp_path):
    assert "directory" in _err(tmp_path)


def test_zero_length(tmp_path):
    p = tmp_path / "empty.mp4"
    p.touch()
    assert "empty (0 bytes)" in _err(p)


def test_random_bytes_mp4(tmp_path):
    p = tmp_path / "noise.mp4"
    p.write_bytes(np.random.default_rng(0).bytes(50_000))
    assert "not a video" in _err(p)


def test_text_file(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("these are not the frames you are looking for\n" * 50)
    assert "not a video" in _err(p)


def test_truncated_moov_at_end(tmp_path, signing_clip):
    """05732.mp4 keeps its index (moov) at the end: half the bytes cannot even be opened."""
    p = tmp_path / "half.mp4"
    data = signing_clip.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    assert "corrupt or truncated" in _err(p)
    with pytest.raises(VideoError):
        VideoSource(p)


def test_truncated_stream_ends_cleanly(tmp_path, small_clip):
    """24955.mp4 has its index first: half the bytes decode part-way, then the stream just ends."""
    p = tmp_path / "half.mp4"
    data = small_clip.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    probe_video(p)  # the first frame is fine
    with VideoSource(p) as src:
        frames = list(src)
        assert 0 < src.frames_read == len(frames) < src.expected_frames
        assert src.ended_early
        assert src.read() is None  # stays ended


def test_file_timestamps(small_clip):
    with VideoSource(small_clip) as src:
        assert not src.is_camera and src.fps == pytest.approx(29.97, abs=0.01)
        stamps = [ts for _, ts in src]
        assert not src.ended_early
    assert stamps[0] == 0 and len(stamps) == 60
    assert np.all(np.diff(stamps) > 0)
    assert stamps[30] == round(30 * 1000 / src.fps)


def test_rewind(small_clip, tmp_path):
    with VideoSource(small_clip) as src:
        first = src.read()
        for _ in range(5):
            src.read()
        src.rewind()
        again = src.read()
    assert again[1] == 0 and np.array_equal(first[0], again[0])


def test_release_is_idempotent(small_clip):
    src = VideoSource(small_clip)
    src.release()
    src.release()
    assert src.read() is None


def test_other_copy_of_real_clip_by_extension(tmp_path, small_clip):
    """The container is recognised by content, not by the file name."""
    p = tmp_path / "clip.bin"
    shutil.copy(small_clip, p)
    assert probe_video(p).width == 288
