"""Frame sources: video files and cameras behind one `read() -> (bgr, timestamp_ms)` interface.

Files are stamped with the container's presentation timestamps (OpenCV's `CAP_PROP_POS_MSEC`
after each read), so a variable-frame-rate phone video keeps its real clock and every consumer
(`window.resample`, the live `RingWindow`, playback pacing) resamples to the model's fps from
real times; a container without timestamps (a raw stream) falls back to index / average fps.
Both are deterministic: the same clip gives the same timestamps on every machine and at any
processing speed. Cameras are stamped from a monotonic clock, because their real rate drifts
with light and load. `probe_video` turns the many ways a file can be unusable (missing, empty,
an image, audio only, corrupt, truncated) into one-line `VideoError` messages before any
tracking starts.
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
from .file_kind import container_kind, image_kind, no_video_stream

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


def _unusable(path: Path, head: bytes) -> VideoError:
    """The most precise one-line reason a file that OpenCV cannot decode is unusable."""
    kind = container_kind(head)
    no_video = no_video_stream(path, head, kind)
    if no_video is not None:
        return VideoError(f"{path.name} is {no_video}: there is no video stream to track")
    if kind is None:
        return VideoError(f"{path.name} is not a video file OpenCV can read (unknown or unsupported format)")
    return VideoError(f"{path.name} looks like a {kind} video but is corrupt or truncated "
                      f"(no frame could be decoded)")


def _fps_or_default(fps: float) -> float:
    return float(fps) if fps and math.isfinite(fps) and 0.0 < fps <= 1000.0 else DEFAULT_FPS


def _frame_count(value: float) -> int:
    """The container's frame count, 0 when it has none or an absurd one (raw streams report
    garbage such as -1.9e14)."""
    return int(value) if value and math.isfinite(value) and 0 < value < 1e9 else 0


def _check_file(path: Path) -> bytes:
    """Raise for missing / directory / empty / unreadable files and still images; return the
    first bytes."""
    if not path.exists():
        if path.is_symlink():
            raise VideoError(f"{path} is a broken symbolic link (its target {os.readlink(path)} does not exist)")
        raise VideoError(f"video not found: {path}")
    if path.is_dir():
        raise VideoError(f"{path} is a directory, not a video file")
    if not path.is_file():
        raise VideoError(f"{path} is not a regular file (a device, pipe or socket), not a video file")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError as e:
        raise VideoError(f"cannot read {path}: {e.strerror or e}") from None
    if size == 0:
        raise VideoError(f"{path.name} is empty (0 bytes)")
    image = image_kind(head)
    if image is not None:
        raise VideoError(f"{path.name} is a {image} image, not a video")
    return head


def _open_capture(path: Path):
    """`cv2.VideoCapture` of a file -> (capture, fd to close or None).

    OpenCV crashes (SIGSEGV) on a path that is not valid UTF-8 (a file name with undecodable
    bytes, which Python carries as lone surrogates); such a file is opened by descriptor through
    /proc/self/fd where there is one, and refused in one line elsewhere.
    """
    import cv2

    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        if not os.path.isdir("/proc/self/fd"):
            raise VideoError(f"{path.name.encode('utf-8', 'backslashreplace').decode('ascii', 'replace')}: "
                             f"the file name is not valid UTF-8; rename the file") from None
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            raise VideoError(f"cannot read {path}: {e.strerror or e}") from None
        return cv2.VideoCapture(f"/proc/self/fd/{fd}"), fd
    return cv2.VideoCapture(name), None


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """Check a video file can be decoded and return its basic properties.

    Raises `VideoError` with a message that says which of these it is: missing, empty, not a
    video (or a format OpenCV cannot read), or a known container that is corrupt/truncated.
    """
    import cv2

    path = Path(path)
    head = _check_file(path)
    cap, fd = _open_capture(path)
    try:
        if not cap.isOpened():
            raise _unusable(path, head)
        try:
            ok, frame = cap.read()
        except Exception:  # cv2.error on some damaged streams
            ok, frame = False, None
        if not ok or frame is None or frame.size == 0:
            raise _unusable(path, head)
        fps = _fps_or_default(cap.get(cv2.CAP_PROP_FPS))
        count = _frame_count(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        h, w = frame.shape[:2]
    finally:
        cap.release()
        if fd is not None:
            os.close(fd)
    count = max(count, 1)
    return VideoInfo(fps=fps, frame_count=count, width=int(w), height=int(h), duration_s=count / fps)


class VideoSource:
    """A video file (path) or a camera (int index) read frame by frame.

    `read()` returns `(bgr uint8 (H, W, 3), timestamp_ms int)` or None at the end. A file's
    timestamps are its presentation timestamps (strictly increasing; `index * 1000 / fps` for a
    frame whose container gives none, `timestamps_from_container` says whether all were real).
    A file that breaks part-way (truncated download, damaged sector) ends the stream cleanly;
    `frames_read`, `expected_frames` and `ended_early` say what happened.
    """

    def __init__(self, source: str | os.PathLike | int, width: int | None = None,
                 height: int | None = None) -> None:
        import cv2

        self.is_camera = isinstance(source, int)
        self.source = source
        self._fd: int | None = None
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
            self._cap, self._fd = _open_capture(path)
            if not self._cap.isOpened():
                self.release()
                raise _unusable(path, head)
            self.name = path.name
        self.fps = _fps_or_default(self._cap.get(cv2.CAP_PROP_FPS))
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        self.expected_frames = 0 if self.is_camera else _frame_count(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frames_read = 0
        self.ended = False
        self.timestamps_from_container = not self.is_camera
        self._t0: float | None = None
        self._last_ms: float | None = None   # previous file timestamp (exact), None after a seek
        self._last_int: int | None = None

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> "VideoSource":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

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
            ts = self._file_timestamp()
        if frame.shape[1] and not self.width:
            self.height, self.width = frame.shape[:2]
        self.frames_read += 1
        return frame, ts

    def _file_timestamp(self) -> int:
        """The presentation time of the frame just read, in ms.

        OpenCV's FFmpeg backend reports it (relative to the stream start) after each read. A
        value that does not move forward (a raw stream without timestamps reports 0 for every
        frame) is replaced by the previous time plus one average frame period, or by index /
        fps right after a seek, so the clock always increases and stays on the file's timeline.
        """
        import cv2

        pos = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        last = self._last_ms
        if math.isfinite(pos) and pos >= 0 and (pos > last if last is not None
                                                 else pos > 0 or self.frames_read == 0):
            ms = float(pos)
        else:
            self.timestamps_from_container = False
            ms = last + 1000.0 / self.fps if last is not None else self.frames_read * 1000.0 / self.fps
        self._last_ms = ms
        ts = int(round(ms))
        # whole milliseconds must still increase (frames closer than 1 ms apart)
        if self._last_int is not None and ts <= self._last_int:
            ts = self._last_int + 1
        self._last_int = ts
        return ts

    def __iter__(self):
        while (item := self.read()) is not None:
            yield item

    def rewind(self) -> None:
        """Start a file again from frame 0 (looping playback); timestamps restart at 0."""
        self.seek(0)

    def seek(self, frame_index: int) -> None:
        """Continue a file from frame `frame_index` (timeline scrubbing).

        The next frame keeps its own presentation timestamp (for a variable-frame-rate file that
        is not index / fps), so timestamps stay on the file's timeline; a jump back restarts the
        clock's monotonic check.
        """
        import cv2

        if self.is_camera or self._cap is None:
            return
        index = max(0, int(frame_index))
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        self.frames_read = index
        self.ended = False
        self._last_ms = self._last_int = None

    @property
    def ended_early(self) -> bool:
        """True when a file stopped well short of the length its container claims.

        Compared in time, not in frames (a variable-frame-rate file has fewer frames than its
        duration x average fps suggests), with the slack of container counts (±1-2 frames).
        """
        if self.is_camera or not self.ended or self.expected_frames <= 0:
            return False
        period = 1000.0 / self.fps
        claimed_ms = self.expected_frames * period
        got_ms = (self._last_ms + period) if self._last_ms is not None else self.frames_read * period
        return got_ms < claimed_ms - max(2, 0.02 * self.expected_frames) * period


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
