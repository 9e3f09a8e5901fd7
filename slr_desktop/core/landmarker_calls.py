"""One landmarker call per frame, as cheap as MediaPipe allows, with the landmarks as numpy arrays.

`PoseLandmarker.detect_for_video` / `HandLandmarker.detect_for_video` (the Tasks ctypes API of
mediapipe >= 0.10.30) send every call through the landmarker's own dispatcher thread (a thread
hop and two wake-ups per call) and turn every landmark, world landmarks included, into a Python
dataclass: ~250 us of Python and four extra wake-ups per frame for pose + hands, more on a busy
machine where every wake-up waits for a core. `direct_detector` calls the same C function from the
caller's thread and copies x, y, z of the image landmarks with one numpy view.

Thread rule (what the dispatcher guarantees, kept here): a landmarker's C functions are never
called from two threads at once. The `Tracker` calls pose from its caller's thread and hands from
its one hands thread, and never closes a landmarker while a call runs.

When the internals are not there (another mediapipe version), `detector` falls back to the public
method, converted to the same `Detections`; tests check that both paths agree bit for bit.
"""
from __future__ import annotations

import ctypes
from typing import Callable, NamedTuple

import numpy as np


class Detections(NamedTuple):
    """What one landmarker found on one frame (instances in MediaPipe's order)."""

    points: list[np.ndarray]            # per instance (K, 3) float32 image-normalised x, y, z
    handedness: list[tuple[str, float]]  # hands only: best (label, score) per instance


Detect = Callable[[object, int], Detections]   # (mp.Image, timestamp_ms) -> Detections
NONE = Detections([], [])


def public_detector(landmarker) -> Detect:
    """The documented path: `detect_for_video`, its dataclasses converted to `Detections`."""
    def detect(image, ts: int) -> Detections:
        res = landmarker.detect_for_video(image, ts)
        lists = res.pose_landmarks if hasattr(res, "pose_landmarks") else res.hand_landmarks
        points = [np.array([(p.x, p.y, p.z) for p in lm], np.float32) for lm in lists]
        hand = []
        for cats in getattr(res, "handedness", []):
            best = max(cats, key=lambda c: c.score) if cats else None
            hand.append((best.category_name, float(best.score)) if best else ("", 0.0))
        return Detections(points, hand)

    return detect


def _landmark_dtype() -> np.dtype:
    from mediapipe.tasks.python.components.containers import landmark_c

    c = landmark_c.MpNormalizedLandmarkC
    if (c.y.offset, c.z.offset) != (c.x.offset + 4, c.x.offset + 8):
        raise TypeError("unexpected MpNormalizedLandmarkC layout")
    return np.dtype({"names": ["xyz"], "formats": [("<f4", 3)], "offsets": [c.x.offset],
                     "itemsize": ctypes.sizeof(c)})


def _read_lists(lists, count: int, dtype: np.dtype) -> list[np.ndarray]:
    points = []
    for i in range(count):
        lm = lists[i]
        n = lm.landmarks_count
        points.append(np.frombuffer(ctypes.string_at(lm.landmarks, n * dtype.itemsize), dtype)["xyz"].copy())
    return points


def _read_handedness(cats, count: int) -> list[tuple[str, float]]:
    out = []
    for i in range(count):
        c = cats[i]
        best = max((c.categories[j] for j in range(c.categories_count)), key=lambda x: x.score, default=None)
        out.append(((best.category_name or b"").decode(), float(best.score)) if best else ("", 0.0))
    return out


def direct_detector(landmarker) -> Detect:
    """A C-level `detect_for_video` for a Pose- or HandLandmarker; raises if this mediapipe's
    internals differ from what it was written against (use `detector` for the fallback)."""
    from mediapipe.tasks.python.core import mediapipe_c_utils
    from mediapipe.tasks.python.vision import hand_landmarker, pose_landmarker

    dtype = _landmark_dtype()
    raw = landmarker._lib._lib          # the ctypes CDLL behind the landmarker's dispatcher
    handle = landmarker._handle
    if isinstance(landmarker, pose_landmarker.PoseLandmarker):
        call, close = raw.MpPoseLandmarkerDetectForVideo, raw.MpPoseLandmarkerCloseResult
        result_type, hands = pose_landmarker.MpPoseLandmarkerResultC, False
    elif isinstance(landmarker, hand_landmarker.HandLandmarker):
        call, close = raw.MpHandLandmarkerDetectForVideo, raw.MpHandLandmarkerCloseResult
        result_type, hands = hand_landmarker.MpHandLandmarkerResultC, True
    else:
        raise TypeError(f"not a pose or hand landmarker: {type(landmarker).__name__}")
    if not handle or call.argtypes is None or len(call.argtypes) != 6:
        raise TypeError("unexpected landmarker C signature")

    def detect(image, ts: int) -> Detections:
        res, err = result_type(), ctypes.c_char_p()
        status = call(handle, image._image_ptr, None, ts, ctypes.byref(res), ctypes.byref(err))
        try:
            mediapipe_c_utils.handle_status(status, err)   # raises ValueError/RuntimeError as the public path
        finally:
            if err.value is not None:
                raw.MpErrorFree(err)
        try:
            if hands:
                return Detections(_read_lists(res.hand_landmarks, res.hand_landmarks_count, dtype),
                                  _read_handedness(res.handedness, res.handedness_count))
            return Detections(_read_lists(res.pose_landmarks, res.pose_landmarks_count, dtype), [])
        finally:
            close(ctypes.byref(res))

    return detect


def detector(landmarker, direct: bool = True) -> tuple[Detect, bool]:
    """The fastest working call for `landmarker` and whether it is the direct one."""
    if direct:
        try:
            return direct_detector(landmarker), True
        except (AttributeError, TypeError, ImportError):
            pass
    return public_detector(landmarker), False


__all__ = ["NONE", "Detect", "Detections", "detector", "direct_detector", "public_detector"]
