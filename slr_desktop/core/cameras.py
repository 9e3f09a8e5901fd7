"""Which cameras exist, with a name a person recognises, without opening them where possible.

PySide6-Essentials has no QtMultimedia (no `QMediaDevices`), so the app asks the system itself:
on Linux the V4L2 capture nodes and their driver's name come from sysfs (reading it opens no
device: no light blinks, no second-long wait, no fight with an app that holds the camera); on
other systems OpenCV probes indices 0..4 (`core.video.list_cameras`).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

SYSFS_V4L = Path("/sys/class/video4linux")


@dataclass(frozen=True)
class CameraDevice:
    index: int          # what OpenCV opens (/dev/video<index> on Linux)
    name: str = ""      # the driver's name for it, if known

    @property
    def title(self) -> str:
        return f"Camera {self.index} – {self.name}" if self.name else f"Camera {self.index}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def v4l_cameras(root: Path = SYSFS_V4L) -> list[CameraDevice]:
    """Linux: one entry per camera. A USB camera shows as two nodes (video0 for frames, video1 for
    metadata); the frame node is the one whose sysfs `index` is 0."""
    out = []
    for node in sorted(root.glob("video*")):
        m = re.fullmatch(r"video(\d+)", node.name)
        if m is None:
            continue
        if _read(node / "index") not in ("", "0"):
            continue
        out.append(CameraDevice(int(m.group(1)), _read(node / "name")))
    return sorted(out, key=lambda c: c.index)


def find_cameras(probe: Callable[[], list[int]] | None = None, root: Path = SYSFS_V4L,
                 platform: str = sys.platform) -> list[CameraDevice]:
    """The cameras that exist on this machine (an empty list when there are none)."""
    if platform.startswith("linux"):
        return v4l_cameras(root) if root.is_dir() else []
    if probe is None:
        from .video import list_cameras as probe
    return [CameraDevice(i) for i in probe()]


__all__ = ["CameraDevice", "find_cameras", "v4l_cameras"]
