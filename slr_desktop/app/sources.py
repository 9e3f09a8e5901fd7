"""Frame sources the capture thread can open: cameras, video files, a file played in a loop.

A `SourceSpec` says how to open a source (`open()` returns a `FrameSource`, or raises a one-line
error) and what the window needs to know before the first frame (kind, label, fps, frame count).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from ..core.video import DEFAULT_FPS, LoopingVideo, VideoSource, probe_video


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
    fps: float = DEFAULT_FPS
    frame_count: int = 0
    width: int = 0
    height: int = 0
    realtime: bool = False     # a file that stands in for a camera: drop late frames, never wait

    @property
    def is_camera(self) -> bool:
        return self.kind == "camera"


def camera_spec(index: int) -> SourceSpec:
    return SourceSpec("camera", lambda: VideoSource(index), label=f"Camera {index}", camera_index=index)


def file_spec(path: str | Path) -> SourceSpec:
    """Probe a video file (raises VideoError when it is unreadable) and describe it."""
    path = Path(path)
    info = probe_video(path)
    return SourceSpec("file", lambda: VideoSource(path), label=path.name, path=path, fps=info.fps,
                      frame_count=int(info.frame_count or 0), width=int(info.width), height=int(info.height))


def looping_spec(path: str | os.PathLike) -> SourceSpec:
    """A `SourceSpec` for the app's capture thread that plays `path` in a loop at its own fps,
    like a camera that keeps showing the same clip (benchmarks, the soak test, demos)."""
    path = Path(path)
    info = probe_video(path)
    return SourceSpec("file", lambda: LoopingVideo(path), label=f"{path.name} (looped)", path=path,
                      fps=info.fps, frame_count=0, width=info.width, height=info.height, realtime=True)


__all__ = ["FrameSource", "SourceSpec", "camera_spec", "file_spec", "looping_spec"]
