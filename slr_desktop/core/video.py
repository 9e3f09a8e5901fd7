"""Frame sources: video files and cameras behind one `read() -> (bgr, timestamp_ms)` interface.

Files are stamped from the frame index and the container fps (deterministic: the same clip gives
the same timestamps on every machine and at any processing speed); cameras from a monotonic clock,
because their real rate drifts with light and load. `probe_video` turns the many ways a file can
be unusable into one-line `VideoError` messages before any tracking starts.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# FFmpeg inside OpenCV prints demuxer complaints ("moov atom not found") straight to stderr; we
# report problems ourselves in one line. Read once, when OpenCV first uses its FFmpeg backend.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

from .errors import UserError

DEFAULT_FPS = 30.0
# what the app's Open dialog offers and `slr-train extract` picks up from a folder
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")


class VideoError(UserError):
    """A video that cannot be used; the message is one line meant for the user."""


@dataclass(frozen=True)
class VideoInfo:
    fps: float          # container fps (DEFAULT_FPS when the container has none)
    frame_count: int    # as the container claims it; may be approximate
    width: int
    height: int
    duration_s: float


def _container_kind(head: bytes) -> str | None:
    """Name of a known video container from the first bytes, else None."""
    if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "MP4/MOV"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "Matroska/WebM"
    if head[:3] == b"FLV":
        return "FLV"
    if head[:4] == b"OggS":
        return "Ogg"
    if head[:4] == b"\x30\x26\xb2\x75":
        return "ASF/WMV"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "MPEG"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "MPEG-TS"
    if head[:4] == b"GIF8":
        return "GIF"
    return None


def _fps_or_default(fps: float) -> float:
    return float(fps) if fps and math.isfinite(fps) and 0.0 < fps <= 1000.0 else DEFAULT_FPS


def _check_file(path: Path) -> bytes:
    """Raise for missing / directory / empty / unreadable files; return the first bytes."""
    if not path.exists():
        raise VideoError(f"video not found: {path}")
    if path.is_dir():
        raise VideoError(f"{path} is a directory, not a video file")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError as e:
        raise VideoError(f"cannot read {path}: {e.strerror or e}") from None
    if size == 0:
        raise VideoError(f"{path.name} is empty (0 bytes)")
    return head


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """Check a video file can be decoded and return its basic properties.

    Raises `VideoError` with a message that says which of these it is: missing, empty, not a
    video (or a format OpenCV cannot read), or a known container that is corrupt/truncated.
    """
    import cv2

    path = Path(path)
    head = _check_file(path)
    kind = _container_kind(head)

    def fail() -> VideoError:
        if kind is None:
            return VideoError(f"{path.name} is not a video file OpenCV can read (unknown or unsupported format)")
        return VideoError(f"{path.name} looks like a {kind} video but is corrupt or truncated "
                          f"(no frame could be decoded)")

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise fail()
        ok, frame = cap.read()
        if not ok or frame is None or frame.size == 0:
            raise fail()
        fps = _fps_or_default(cap.get(cv2.CAP_PROP_FPS))
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        h, w = frame.shape[:2]
    finally:
        cap.release()
    count = max(count, 1)
    return VideoInfo(fps=fps, frame_count=count, width=int(w), height=int(h), duration_s=count / fps)


class VideoSource:
    """A video file (path) or a camera (int index) read frame by frame.

    `read()` returns `(bgr uint8 (H, W, 3), timestamp_ms int)` or None at the end. A file that
    breaks part-way (truncated download, damaged sector) ends the stream cleanly; `frames_read`,
    `expected_frames` and `ended_early` say what happened.
    """

    def __init__(self, source: str | os.PathLike | int, width: int | None = None,
                 height: int | None = None) -> None:
        import cv2

        self.is_camera = isinstance(source, int)
        self.source = source
        if self.is_camera:
            self._cap = cv2.VideoCapture(source)
            if not self._cap.isOpened():
                self._cap.release()
                raise VideoError(f"camera {source} cannot be opened (in use, missing or no permission)")
            if width:
                self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            if height:
                self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            self.name = f"camera {source}"
        else:
            path = Path(source)
            head = _check_file(path)
            self._cap = cv2.VideoCapture(str(path))
            if not self._cap.isOpened():
                self._cap.release()
                kind = _container_kind(head)
                raise VideoError(f"{path.name} is not a video file OpenCV can read" if kind is None
                                 else f"{path.name} looks like a {kind} video but is corrupt or truncated")
            self.name = path.name
        self.fps = _fps_or_default(self._cap.get(cv2.CAP_PROP_FPS))
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        self.expected_frames = 0 if self.is_camera else int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.frames_read = 0
        self.ended = False
        self._t0: float | None = None

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> "VideoSource":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    # -- reading ---------------------------------------------------------------------------
    def read(self) -> tuple[np.ndarray, int] | None:
        if self._cap is None or self.ended:
            return None
        try:
            ok, frame = self._cap.read()
        except Exception:  # cv2.error on some damaged streams
            ok, frame = False, None
        if not ok or frame is None or frame.size == 0:
            self.ended = True
            return None
        if self.is_camera:
            now = time.monotonic()
            if self._t0 is None:
                self._t0 = now
            ts = int(round((now - self._t0) * 1000.0))
        else:
            ts = int(round(self.frames_read * 1000.0 / self.fps))
        if frame.shape[1] and not self.width:
            self.height, self.width = frame.shape[:2]
        self.frames_read += 1
        return frame, ts

    def __iter__(self):
        while (item := self.read()) is not None:
            yield item

    def rewind(self) -> None:
        """Start a file again from frame 0 (looping playback); timestamps restart at 0."""
        self.seek(0)

    def seek(self, frame_index: int) -> None:
        """Continue a file from `frame_index` (timeline scrubbing); timestamps stay index / fps."""
        import cv2

        if self.is_camera or self._cap is None:
            return
        index = max(0, int(frame_index))
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        self.frames_read = index
        self.ended = False

    @property
    def ended_early(self) -> bool:
        """True when a file stopped well short of the frame count its container claims.

        Container counts are approximate (±1-2 frames), so a small shortfall is not an error.
        """
        if self.is_camera or not self.ended or self.expected_frames <= 0:
            return False
        return self.frames_read < self.expected_frames - max(2, int(0.02 * self.expected_frames))


class LoopingVideo:
    """A video file played in an endless loop as one continuous stream, like a camera that keeps
    showing the same clip: timestamps keep increasing across the loops (`FrameSource` protocol)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._src = VideoSource(path)
        self.fps = self._src.fps
        self.loops = 0
        self._offset_ms = 0
        self._last_ms = -1

    def read(self) -> tuple[np.ndarray, int] | None:
        item = self._src.read()
        if item is None:
            if self._src.frames_read == 0:
                return None  # nothing decodes: end instead of spinning
            self._offset_ms = self._last_ms + int(round(1000.0 / self.fps))
            self._src.rewind()
            self.loops += 1
            item = self._src.read()
            if item is None:
                return None
        bgr, ts = item
        self._last_ms = ts + self._offset_ms
        return bgr, self._last_ms

    def release(self) -> None:
        self._src.release()


def list_cameras(max_index: int = 5) -> list[int]:
    """Indices 0..max_index-1 of cameras that open and deliver a frame."""
    import cv2

    found = []
    prev = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        for i in range(max_index):
            cap = cv2.VideoCapture(i)
            try:
                if cap.isOpened() and cap.read()[0]:
                    found.append(i)
            finally:
                cap.release()
    finally:
        cv2.utils.logging.setLogLevel(prev)
    return found


__all__ = ["DEFAULT_FPS", "VIDEO_EXTENSIONS", "LoopingVideo", "VideoError", "VideoInfo", "VideoSource",
           "list_cameras", "probe_video"]
