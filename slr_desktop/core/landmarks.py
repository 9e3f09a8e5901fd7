"""Landmark containers: one tracked frame, and a whole sequence with its `.npz` file format.

The `.npz` format is what `slr-train extract` and `slr-train import` write and what the trainer
reads; it stores image-normalised coordinates plus the image size, so the aspect correction of
`window.to_model_coords` is applied the same way for every source.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic import atomic_write_bytes
from .errors import UserError, one_line
from .layout import LAYOUT

FORMAT_VERSION = 1
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """`np.savez_compressed` as bytes, but reproducible: numpy stamps every member with the wall
    clock, so the same arrays gave different files. Fixed stamps make equal data equal bytes (the
    extract engines are compared byte for byte; a rerun does not churn files). `np.load` reads it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(value), allow_pickle=False)
    return buf.getvalue()


class LandmarkFileError(UserError, ValueError):
    """A landmark `.npz` that cannot be used; one line that names the file."""


@dataclass(frozen=True)
class LandmarkFrame:
    """Tracker output for one video frame.

    points:  (75, 3) float32, image-normalised x, y (un-mirrored image) and relative z; zeros where
             a part is missing.
    present: (3,) bool, whether pose / left hand / right hand were found.
    """

    points: np.ndarray
    present: np.ndarray
    timestamp_ms: int
    frame_index: int
    width: int
    height: int
    handedness_fallback: bool = False  # True when hands were assigned by handedness (no pose)
    point_mask: np.ndarray | None = None   # (75,) when finer than per part (imported sets)
    image_motion: float | None = None      # mean pixel change from the previous frame (0: frozen image)

    @property
    def mask(self) -> np.ndarray:
        """(75,) float32 per-point presence."""
        if self.point_mask is not None:
            return np.asarray(self.point_mask, np.float32)
        return LAYOUT.point_mask(self.present)

    @staticmethod
    def empty(timestamp_ms: int, frame_index: int, width: int, height: int) -> "LandmarkFrame":
        return LandmarkFrame(
            points=np.zeros((LAYOUT.n_points, LAYOUT.channels), np.float32),
            present=np.zeros(3, bool),
            timestamp_ms=timestamp_ms,
            frame_index=frame_index,
            width=width,
            height=height,
        )


@dataclass
class LandmarkSequence:
    """A tracked clip or an imported sample.

    points: (T, 75, 3) float32 image-normalised; mask: (T, 75) bool per-point presence (finer than
    per-part so that a set that lacks some pose points can mask just those); timestamps_ms: (T,)
    float64, or None when the source has no clock (then `fps` is nominal).
    meta: free provenance (dataset, group, real, origin, ...), stored as JSON.
    """

    points: np.ndarray
    mask: np.ndarray
    fps: float
    width: int
    height: int
    gloss: str = ""
    source: str = ""
    timestamps_ms: np.ndarray | None = None
    meta: dict = field(default_factory=dict)
    image_motion: np.ndarray | None = None   # (T,) per-frame pixel change when tracked from video

    def __post_init__(self) -> None:
        self.points = np.asarray(self.points, np.float32)
        self.mask = np.asarray(self.mask, bool)
        if self.points.ndim != 3 or self.points.shape[1:] != (LAYOUT.n_points, LAYOUT.channels):
            raise ValueError(f"points must be (T, {LAYOUT.n_points}, {LAYOUT.channels}), got {self.points.shape}")
        if self.mask.shape != self.points.shape[:2]:
            raise ValueError(f"mask must be {self.points.shape[:2]}, got {self.mask.shape}")
        if self.timestamps_ms is not None:
            self.timestamps_ms = np.asarray(self.timestamps_ms, np.float64)
        if self.image_motion is not None:
            self.image_motion = np.asarray(self.image_motion, np.float32)

    def __len__(self) -> int:
        return int(self.points.shape[0])

    @property
    def duration_s(self) -> float:
        if self.timestamps_ms is not None and len(self) > 1:
            return float(self.timestamps_ms[-1] - self.timestamps_ms[0]) / 1000.0 + 1.0 / self.fps
        return len(self) / self.fps

    @staticmethod
    def from_frames(frames: list[LandmarkFrame], fps: float, **kw) -> "LandmarkSequence":
        if not frames:
            raise ValueError("no frames")
        return LandmarkSequence(
            points=np.stack([f.points for f in frames]),
            mask=np.stack([f.mask for f in frames]) > 0,
            fps=fps,
            width=frames[0].width,
            height=frames[0].height,
            timestamps_ms=np.array([f.timestamp_ms for f in frames], np.float64),
            image_motion=(np.array([np.nan if f.image_motion is None else f.image_motion for f in frames],
                                   np.float32) if any(f.image_motion is not None for f in frames) else None),
            **kw,
        )

    def frames(self) -> list[LandmarkFrame]:
        """The sequence as tracker frames on its own clock (replays a recording through the live
        pipeline or the decoder exactly as the tracker would have delivered it)."""
        ts = (self.timestamps_ms if self.timestamps_ms is not None
              else np.arange(len(self), dtype=np.float64) * (1000.0 / self.fps))
        out = []
        for i in range(len(self)):
            m = self.mask[i]
            present = np.array([bool(m[s].any()) for s in LAYOUT.part_slices()])
            motion = None
            if self.image_motion is not None and np.isfinite(self.image_motion[i]):
                motion = float(self.image_motion[i])
            out.append(LandmarkFrame(self.points[i], present, int(round(float(ts[i]))), i, self.width,
                                     self.height, point_mask=m, image_motion=motion))
        return out

    def save(self, path: str | os.PathLike) -> None:
        """Write a compressed `.npz` atomically."""
        atomic_write_bytes(path, self.to_npz_bytes())

    def to_npz_bytes(self) -> bytes:
        """The `.npz` file's bytes (deterministic: the same sequence gives the same bytes)."""
        arrays = dict(
            points=self.points,
            mask=self.mask,
            fps=np.float64(self.fps),
            size=np.array([self.width, self.height], np.int64),
            gloss=np.str_(self.gloss),
            source=np.str_(self.source),
            meta=np.str_(json.dumps(self.meta, sort_keys=True)),
            layout_id=np.str_(LAYOUT.id),
            format_version=np.int64(FORMAT_VERSION),
        )
        if self.timestamps_ms is not None:
            arrays["timestamps_ms"] = self.timestamps_ms
        if self.image_motion is not None:
            arrays["image_motion"] = self.image_motion
        return npz_bytes(arrays)

    @staticmethod
    def load(path: str | os.PathLike) -> "LandmarkSequence":
        """Read a `.npz` written by `save`. Raises `LandmarkFileError` naming the file for anything
        unusable: not a readable archive (truncated, bit-flipped), a missing field, another
        layout, wrong shapes, NaN/Inf coordinates, a bad frame rate or clock."""
        path = Path(path)

        def bad(why: str) -> LandmarkFileError:
            return LandmarkFileError(f"{path}: {why}")

        try:
            with np.load(path, allow_pickle=False) as z:
                missing = [k for k in ("points", "mask", "fps", "size", "layout_id") if k not in z.files]
                if missing:
                    raise bad(f"not a landmark file (lacks {', '.join(missing)})")
                layout_id = str(z["layout_id"])
                if layout_id != LAYOUT.id:
                    raise bad(f"landmark layout {layout_id!r}, expected {LAYOUT.id!r}")
                size = np.asarray(z["size"]).reshape(-1)
                fields = dict(
                    points=z["points"], mask=z["mask"], fps=float(z["fps"]),
                    gloss=str(z["gloss"]) if "gloss" in z.files else "",
                    source=str(z["source"]) if "source" in z.files else "",
                    timestamps_ms=z["timestamps_ms"] if "timestamps_ms" in z.files else None,
                    image_motion=z["image_motion"] if "image_motion" in z.files else None,
                    meta=json.loads(str(z["meta"])) if "meta" in z.files else {},
                )
        except LandmarkFileError:
            raise
        except FileNotFoundError:
            raise bad("file not found") from None
        except Exception as e:  # BadZipFile, EOFError, zlib/CRC errors, bad JSON, object arrays...
            raise bad(f"unreadable landmark file, corrupt or truncated ({one_line(e)[:120]})") from None
        if size.size != 2 or not np.all(size > 0):
            raise bad(f"bad frame size {size.tolist()}")
        if not (np.isfinite(fields["fps"]) and fields["fps"] > 0):
            raise bad(f"bad frame rate {fields['fps']}")
        if not isinstance(fields["meta"], dict):
            raise bad("meta is not a JSON object")
        try:
            seq = LandmarkSequence(width=int(size[0]), height=int(size[1]), **fields)
        except (TypeError, ValueError) as e:
            raise bad(one_line(e)) from None
        if len(seq) == 0:
            raise bad("no frames")
        if not np.isfinite(seq.points).all():
            raise bad("NaN or infinite landmark coordinates")
        ts = seq.timestamps_ms
        if ts is not None and (ts.shape != (len(seq),) or not np.isfinite(ts).all()
                               or np.any(np.diff(ts) <= 0)):
            raise bad("timestamps are not one increasing number per frame")
        return seq
