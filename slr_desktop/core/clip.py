"""Whole-clip tracking: a video file -> `LandmarkSequence`.

Shared by `slr-desktop classify`, the trainer's `extract` command and the benchmark, so a clip
is tracked the same way everywhere (the container's presentation timestamps, VIDEO-mode tracking
from frame 0).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np

from .landmarks import LandmarkFrame, LandmarkSequence
from .read_ahead import read_ahead
from .tracker import Tracker
from .video import VideoError, VideoSource
from .window import frames_at_fps

# progress(frames_done, frames_expected) — frames_expected is the container's claim (0 if unknown)
Progress = Callable[[int, int], None]
MIN_FRAMES = 2   # one decodable frame is a still (a GIF, a one-frame file), not a sign


def track_video(path: str | os.PathLike, tracker: Tracker, progress: Progress | None = None,
                timings: list[dict[str, float]] | None = None,
                sink: Callable[[LandmarkFrame], None] | None = None, fps: float | None = None
                ) -> LandmarkSequence:
    """Track every frame of a video file, or with `fps` only the frames resampling to `fps` uses
    (`window.frames_at_fps`: a model's windows get the same frames, for a fraction of the work).

    The tracker should be fresh (or at least not mid-way through another clip): VIDEO mode
    carries state from frame to frame. Pass a list as `timings` to collect the tracker's
    per-frame `last_timings`. Frames are decoded a few ahead on a thread (`read_ahead`). `sink`
    gets every tracked frame as soon as it is tracked (`classify` decodes signs on another thread
    while tracking goes on); `progress` counts decoded frames (a few ahead of the tracked ones). A
    file that breaks part-way gives the frames before the break; `seq.meta` records `frames_read`
    (decoded), `frames_tracked`, `track_fps` (`fps`, None for every frame), `expected_frames` and
    `truncated`. Timestamps stay the container's.
    Raises `VideoError` when fewer than `MIN_FRAMES` frames decode.
    """
    path = Path(path)
    frames: list[LandmarkFrame] = []
    with VideoSource(path) as src:
        expected = src.expected_frames
        decoded = read_ahead(src)   # decoding overlaps tracking; closed before the source is released
        try:
            items = decoded if fps is None else frames_at_fps(decoded, fps)
            for bgr, ts in items:
                frames.append(tracker.track(bgr, ts))
                if sink is not None:
                    sink(frames[-1])
                if timings is not None:
                    timings.append(dict(tracker.last_timings))
                if progress is not None:
                    progress(src.frames_read, expected)
        finally:
            decoded.close()
        src_fps, truncated, read = src.fps, src.ended_early, src.frames_read
    if not frames:
        raise VideoError(f"{path.name}: no frame could be decoded (corrupt or unsupported video)")
    if len(frames) < MIN_FRAMES:
        raise VideoError(f"{path.name} has only {len(frames)} decodable frame: a still image, not a video clip")
    return LandmarkSequence.from_frames(
        frames, fps=src_fps, source=str(path),
        meta={"frames_read": read, "frames_tracked": len(frames), "track_fps": fps,
              "expected_frames": expected, "truncated": bool(truncated),
              "pose_model": tracker.config.pose_model,
              "handedness_fallback_frames": int(np.sum([f.handedness_fallback for f in frames]))},
    )


def timing_summary(timings: list[dict[str, float]]) -> dict[str, float]:
    """Median per-frame ms of each timing key (pose_ms, hands_ms, total_ms) plus the frame count."""
    if not timings:
        return {"frames": 0}
    out: dict[str, float] = {"frames": len(timings)}
    for key in timings[0]:
        out[f"{key.removesuffix('_ms')}_ms_median"] = round(float(np.median([t[key] for t in timings])), 2)
    return out


__all__ = ["Progress", "timing_summary", "track_video"]
