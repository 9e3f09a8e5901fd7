"""What the live session's threads report to the window, and how (plain callbacks, no Qt)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from .live import PipelineResult
from .sources import SourceSpec


class EventKind(str, Enum):
    """Things that happen to a source or the tracker. A `str` enum: compares equal to its value."""

    CAMERA_LOST = "camera-lost"     # a camera stopped delivering; retrying with backoff
    CAMERA_OK = "camera-ok"         # ...and is back
    NO_CAMERA = "no-camera"         # a camera could not be opened at all
    OPEN_FAILED = "open-failed"     # a file could not be opened or seeked
    ENDED = "ended"                 # a file reached its end
    BUNDLE = "bundle"               # a MediaPipe bundle is missing or tampered: no landmarks
    TRACKER = "tracker"             # the tracker could not start for another reason
    PIPELINE = "pipeline"           # one frame failed (reported once per distinct message)

    def __str__(self) -> str:
        return self.value


@dataclass
class SessionCallbacks:
    """Hooks the threads call. Defaults do nothing."""

    result: Callable[[PipelineResult], Any] = lambda r: None
    event: Callable[[EventKind, str], Any] = lambda kind, msg: None
    position: Callable[[int, bool], Any] = lambda pos, playing: None   # file frame index, playing
    opened: Callable[[SourceSpec], Any] = lambda spec: None



__all__ = ["EventKind", "SessionCallbacks"]
