"""`slr-desktop classify` on real clips joined the way people sign: segments, status, subtitles.

Videos are built with ffmpeg from the shared WLASL clips (same size and frame rate, a 1 s freeze
frame after each clip, `tpad`), as issue 17 asks; the bundled wlasl50 model must give one segment
per clip, in order, and nothing for a still picture, a test pattern or a single frame.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from test_classify import run_cli

ROOT = Path(__file__).resolve().parents[1]
WLASL50 = ROOT / "models" / "wlasl50.onnx"
# shared clips whose gloss wlasl50 knows and gets right on its own (docs/transfer.json: rank 1)
SEQUENCE = [("05732.mp4", "before"), ("09960.mp4", "change"), ("11767.mp4", "color"), ("24955.mp4", "go"),
            ("56557.mp4", "table"), ("62964.mp4", "what")]

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


def join(clips: list[Path], out: Path, gap_s: float = 1.0) -> Path:
    """Clips scaled to 640x480 at 30 fps, each followed by `gap_s` of its last frame, concatenated."""
    parts = []
    for i, c in enumerate(clips):
        part = out.parent / f"{out.stem}_{i}.mp4"
        ffmpeg("-i", str(c), "-an", "-vf",
               "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,fps=30,"
               f"tpad=stop_mode=clone:stop_duration={gap_s}", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(part))
        parts.append(part)
    listing = out.parent / f"{out.stem}.txt"
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
    ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out))
    return out


def classify(video: Path, *extra) -> dict:
    p = run_cli("classify", video, "--model", WLASL50, "--json", "--no-progress", *extra)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.mark.slow
def test_joined_signs_come_out_in_order_with_nothing_extra(tmp_path, shared_dir):
    clips = [shared_dir / "datasets" / "wlasl_clips" / f for f, _ in SEQUENCE]
    video = join(clips, tmp_path / "joined.mp4")
    srt, vtt = tmp_path / "joined.srt", tmp_path / "joined.vtt"
    doc = classify(video, "--srt", srt, "--vtt", vtt)
    labels = [s["label"] for s in doc["segments"]]
    truth = [g for _, g in SEQUENCE]
    # in order, nothing extra, nothing wrong, and at most one sign missed: the bundled wlasl50
    # (61% top-1 held out) gives all six at its 15 fps, but misses 'table' tracking every frame
    it = iter(truth)
    assert all(lab in it for lab in labels) and len(labels) >= len(truth) - 1, doc["transcript"]
    assert doc["status"] == "sign" and doc["transcript"] == " ".join(labels)
    starts = [s["start_s"] for s in doc["segments"]]
    assert starts == sorted(starts) and all(s["end_s"] > s["start_s"] for s in doc["segments"])
    assert all(s["prob"] >= doc["model"]["threshold"] and len(s["top"]) == 5 for s in doc["segments"])
    # subtitles: one cue per segment, in order
    text = srt.read_text()
    assert text.count(" --> ") == len(labels) and text.index("before") < text.index("what")
    assert vtt.read_text().startswith("WEBVTT") and vtt.read_text().count(" --> ") == len(labels)


@pytest.mark.slow
def test_a_clip_looped_is_one_entry_per_pass(tmp_path, small_clip):
    video = join([small_clip] * 3, tmp_path / "looped.mp4")
    doc = classify(video)
    assert [s["label"] for s in doc["segments"]] == ["go"] * 3, doc["transcript"]


def test_a_still_picture_is_not_a_sign(tmp_path, signing_clip):
    still = tmp_path / "still.png"
    ffmpeg("-ss", "0.5", "-i", str(signing_clip), "-frames:v", "1", str(still))
    video = tmp_path / "still.mp4"
    ffmpeg("-loop", "1", "-i", str(still), "-t", "3", "-r", "30", "-pix_fmt", "yuv420p", str(video))
    doc = classify(video)
    assert doc["segments"] == [] and doc["status"] in ("no_sign", "no_person")
    assert doc["top_confident"] is False


def test_a_test_pattern_is_no_person(tmp_path):
    video = tmp_path / "pattern.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=30", "-pix_fmt", "yuv420p", str(video))
    doc = classify(video)
    assert doc["segments"] == [] and doc["status"] == "no_person" and doc["top_confident"] is False


def test_a_single_frame_claims_nothing(tmp_path, signing_clip):
    """One frame is a picture, not a clip: refused in one line, never a confident answer."""
    video = tmp_path / "one.mp4"
    ffmpeg("-ss", "1.0", "-i", str(signing_clip), "-frames:v", "1", "-an", str(video))
    p = run_cli("classify", video, "--model", WLASL50, "--no-progress")
    assert p.returncode == 2 and p.stdout == "" and "still image, not a video clip" in p.stderr


@pytest.mark.slow
def test_decoding_while_tracking_equals_replaying_the_sequence(tmp_path, shared_dir):
    """`classify_video` decodes each frame on its own thread as soon as it is tracked; its
    segments, status, windows and top equal `classify_sequence` on the finished sequence of a
    fresh tracking of the same file (two signs, freeze frames: the decoder's frozen-picture path)."""
    import numpy as np

    from slr_desktop.classify import classify_sequence, classify_video
    from slr_desktop.core.clip import track_video
    from slr_desktop.core.runtime import Classifier
    from slr_desktop.core.tracker import Tracker

    clips = shared_dir / "datasets" / "wlasl_clips"
    video = join([clips / "05732.mp4", clips / "24955.mp4"], tmp_path / "two.mp4")
    live = classify_video(video, WLASL50)
    assert 0 < live.timing["first_frame_s"] < live.timing["wall_s"]
    clf = Classifier(WLASL50)
    with Tracker() as tr:
        seq = track_video(video, tr, fps=clf.meta.fps)   # the frames classify tracks
    replay = classify_sequence(seq, clf)
    assert [s.to_json() for s in live.segments] == [s.to_json() for s in replay.segments]
    assert live.status == replay.status and [s.label for s in live.segments] == ["before", "go"]
    assert np.array_equal(np.stack([w.probs for w in live.windows]), np.stack([w.probs for w in replay.windows]))
    assert live.top == replay.top and live.confident_windows == replay.confident_windows
