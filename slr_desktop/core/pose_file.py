"""`.pose` files (the `pose-format` library of sign.mt and the sign-language-processing tools) <->
`LandmarkSequence`, so landmarks can be brought in and taken out without a video.

Writing: three components in MediaPipe Holistic naming — `POSE_LANDMARKS` (33 points),
`LEFT_HAND_LANDMARKS`, `RIGHT_HAND_LANDMARKS` (21 each; the signer's own sides, as in Holistic)
— point format `XYZC`, x and y in pixels of the frame (`header.dimensions`), z as MediaPipe gives
it, confidence 1 where a point was tracked and 0 where it is missing, at the clip's fps.

Reading: any file with those components (pose-format's own Holistic export has FACE_LANDMARKS and
POSE_WORLD_LANDMARKS too; they are ignored) is mapped to our 75 points *by component and point
name*, not by position; a point the file does not have, or whose confidence is 0, is masked.
Person 0 of multi-person files. Limits, by the format: one fps and no per-frame clock (a
variable-frame-rate clip comes back on a uniform clock), and no gloss or provenance.

pose-format is an optional dependency (`pip install 'slr-desktop[pose]'`): it pulls PyAV, which
the app needs for nothing else. Without it, using a .pose file is one clear error line.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from .atomic import atomic_write_bytes
from .errors import UserError
from .landmarks import LandmarkSequence
from .layout import HAND_EDGES, HAND_NAMES, LAYOUT, POSE_EDGES, POSE_NAMES

POSE_SUFFIX = ".pose"
POSE_COMPONENT = "POSE_LANDMARKS"
HAND_COMPONENTS = ("LEFT_HAND_LANDMARKS", "RIGHT_HAND_LANDMARKS")
POINT_FORMAT = "XYZC"


class PoseFileError(UserError):
    """A .pose file that cannot be read or written (one line), or pose-format is missing."""


def is_pose_file(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() == POSE_SUFFIX


def _pf():
    try:
        import pose_format
        from pose_format.numpy import NumPyPoseBody
        from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions
    except ImportError:
        raise PoseFileError(".pose files need the optional package pose-format: "
                            "pip install 'slr-desktop[pose]' (or pip install pose-format)") from None
    return pose_format, NumPyPoseBody, PoseHeader, PoseHeaderComponent, PoseHeaderDimensions


def require_pose_format() -> None:
    """Raise `PoseFileError` (one line, with the install command) when pose-format is missing."""
    _pf()


def mediapipe_hand_name(name: str) -> str:
    """Our hand point name -> MediaPipe's HandLandmark name (`index_mcp` -> `INDEX_FINGER_MCP`)."""
    finger, _, joint = name.partition("_")
    if finger in ("index", "middle", "ring"):
        return f"{finger}_FINGER_{joint}".upper()
    return name.upper()


def our_point_names() -> list[tuple[str, str]]:
    """(component, MediaPipe point name) of each of our 75 points, in layout order."""
    return ([(POSE_COMPONENT, n.upper()) for n in POSE_NAMES]
            + [(HAND_COMPONENTS[0], mediapipe_hand_name(n)) for n in HAND_NAMES]
            + [(HAND_COMPONENTS[1], mediapipe_hand_name(n)) for n in HAND_NAMES])


def to_pose(seq: LandmarkSequence):
    """A `pose_format.Pose` holding the sequence (see the module docstring for the convention)."""
    pose_format, NumPyPoseBody, PoseHeader, Component, Dimensions = _pf()
    colours = [(255, 0, 0)], [(0, 128, 255)], [(0, 200, 0)]
    components = [Component(POSE_COMPONENT, [n.upper() for n in POSE_NAMES], list(POSE_EDGES), colours[0],
                            POINT_FORMAT)]
    components += [Component(name, [mediapipe_hand_name(n) for n in HAND_NAMES], list(HAND_EDGES), c, POINT_FORMAT)
                   for name, c in zip(HAND_COMPONENTS, colours[1:])]
    header = PoseHeader(version=0.2, dimensions=Dimensions(seq.width, seq.height, 0), components=components)
    scale = np.array([seq.width, seq.height, 1.0])
    data = (seq.points.astype(np.float64) * scale).astype(np.float32)[:, None]     # (T, 1, 75, 3)
    conf = seq.mask.astype(np.float32)[:, None]                                     # (T, 1, 75)
    return pose_format.Pose(header, NumPyPoseBody(fps=float(seq.fps), data=data, confidence=conf))


def pose_bytes(seq: LandmarkSequence) -> bytes:
    """The `.pose` file's bytes."""
    buf = io.BytesIO()
    to_pose(seq).write(buf)
    return buf.getvalue()


def write_pose(seq: LandmarkSequence, path: str | os.PathLike) -> None:
    """Write a `.pose` file atomically."""
    atomic_write_bytes(path, pose_bytes(seq))


def from_pose(pose, source: str = "") -> LandmarkSequence:
    """A `pose_format.Pose` with MediaPipe Holistic components -> our 75-point sequence."""
    header, body = pose.header, pose.body
    name = Path(source).name or "pose"
    flat: dict[tuple[str, str], int] = {}
    start = 0
    for comp in header.components:
        for i, point in enumerate(comp.points):
            flat.setdefault((comp.name.upper(), str(point).upper()), start + i)
        start += len(comp.points)
    ours = [(c, n.upper()) for c, n in zip([POSE_COMPONENT] * LAYOUT.n_pose + [HAND_COMPONENTS[0]] * LAYOUT.n_hand
                                          + [HAND_COMPONENTS[1]] * LAYOUT.n_hand, LAYOUT.names)]
    # MediaPipe's names first, ours (`index_mcp`) as a fallback for files other tools wrote
    index = np.array([flat.get(mp, flat.get((c, n.rpartition(".")[2]), -1))
                      for mp, (c, n) in zip(our_point_names(), ours)])           # (75,)
    if not (index >= 0).any():
        found = ", ".join(c.name for c in header.components) or "none"
        raise PoseFileError(f"{name}: no MediaPipe Holistic landmarks ({POSE_COMPONENT}, "
                            f"{', '.join(HAND_COMPONENTS)}); its components: {found}")
    width, height = int(header.dimensions.width), int(header.dimensions.height)
    if width <= 0 or height <= 0:
        raise PoseFileError(f"{name}: no frame size in the header (width {width}, height {height})")
    data = np.asarray(np.ma.getdata(body.data), np.float64)                        # (T, P, N, D)
    conf = np.asarray(np.ma.getdata(body.confidence), np.float64)                  # (T, P, N)
    if data.ndim != 4 or data.shape[0] == 0 or data.shape[1] == 0:
        raise PoseFileError(f"{name}: no frames or no person in the file (data shape {data.shape})")
    t, dims = data.shape[0], data.shape[3]
    known = index >= 0
    pts = np.zeros((t, LAYOUT.n_points, 3), np.float64)
    pts[:, known, :min(dims, 3)] = data[:, 0][:, index[known], :3]
    mask = np.zeros((t, LAYOUT.n_points), bool)
    mask[:, known] = conf[:, 0][:, index[known]] > 0
    mask &= np.isfinite(pts).all(-1)
    pts /= np.array([width, height, 1.0])
    pts[~mask] = 0.0
    meta = dict(pose_file=name, pose_components=[c.name for c in header.components],
                pose_points_mapped=int(known.sum()), people_in_file=int(data.shape[1]),
                time_axis="uniform (.pose has one fps, no per-frame clock)")
    return LandmarkSequence(points=pts.astype(np.float32), mask=mask, fps=float(body.fps), width=width,
                            height=height, source=str(source), meta=meta)


def read_pose(path: str | os.PathLike) -> LandmarkSequence:
    """Read a `.pose` file. Raises `PoseFileError` (one line) for a missing or malformed file."""
    pose_format = _pf()[0]
    path = Path(path)
    try:
        buf = path.read_bytes()
    except OSError as e:
        raise PoseFileError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        pose = pose_format.Pose.read(buf)
    except Exception as e:        # the library raises struct/value/index errors on bad bytes
        raise PoseFileError(f"{path.name}: not a readable .pose file (truncated or another format; "
                            f"{type(e).__name__})") from None
    return from_pose(pose, str(path))


__all__ = ["POSE_SUFFIX", "PoseFileError", "from_pose", "is_pose_file", "our_point_names", "pose_bytes",
           "mediapipe_hand_name", "read_pose", "require_pose_format", "to_pose", "write_pose"]
