"""Landmark tracker: MediaPipe Tasks pose + hand landmarkers -> one `LandmarkFrame` per image.

`Tracker.track(bgr, timestamp_ms)` is the pure core the app's worker thread, `classify` and the
trainer's `extract` all call. Pose and hands run in VIDEO mode (temporal tracking between
frames), on the same frame, by default in two threads: MediaPipe releases the GIL, so the two
graphs overlap (18 ms vs 29 ms per 640x480 frame on 2 cores).

Hands are assigned to the signer's left/right by distance to the pose wrists, not by MediaPipe's
handedness label, which flips on a few percent of frames. The label is only used when no pose was
found (`LandmarkFrame.handedness_fallback`). On our un-mirrored frames the Tasks label "Left" is
the signer's own *left* hand. Checked, not assumed: on four real WLASL clips (05732, 24955, 01586,
14893) the label agreed with the pose-wrist assignment on 293 of 300 hands, and pose point 15
(left wrist) lay on the image's right side on every frame (signer facing an un-mirrored camera);
tests/test_tracker.py keeps checking it.
"""
from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .bundles import find_bundle
from .landmarks import LandmarkFrame
from .layout import LAYOUT

# Tasks handedness label -> our part index (1 = signer's left hand, 2 = right), un-mirrored input.
HANDEDNESS_TO_PART = {"Left": 1, "Right": 2}


@dataclass
class TrackerConfig:
    pose_model: str = "lite"                 # "lite" | "full"
    bundle_dir: Path | str | None = None     # explicit bundle file/dir (a setting); else env/cache
    parallel: bool = True                    # pose and hands in two threads
    num_hands: int = 2
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    download: bool = True                    # allow fetching a missing bundle

    def __post_init__(self) -> None:
        if self.pose_model not in ("lite", "full"):
            raise ValueError(f"pose_model must be 'lite' or 'full', got {self.pose_model!r}")
        if not 1 <= self.num_hands <= 4:
            raise ValueError(f"num_hands must be 1..4, got {self.num_hands}")
        for f in ("min_detection_confidence", "min_presence_confidence", "min_tracking_confidence"):
            v = getattr(self, f)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{f} must be in [0, 1], got {v}")


def assign_hands(hand_wrists: np.ndarray, pose_wrists: np.ndarray, width: int,
                 height: int) -> list[int | None]:
    """Assign detected hands to the signer's left (1) / right (2) hand slot.

    hand_wrists: (H, 2) image-normalised wrist points of the detected hands;
    pose_wrists: (2, 2) pose left wrist (15) and right wrist (16).
    Returns, per hand, 1, 2 or None (not assigned: a third hand). The assignment fills as many
    slots as possible with the minimum total pixel distance; for two hands that prefer different
    wrists this is simply each hand's nearer wrist, for two that prefer the same wrist it
    resolves the conflict.
    """
    scale = np.array([width, height], np.float64)
    d = np.linalg.norm((hand_wrists[:, None, :] - pose_wrists[None, :, :]) * scale, axis=-1)  # (H, 2)
    n = d.shape[0]
    best: tuple[float, tuple[int | None, ...]] | None = None
    slots = min(n, 2)
    for hands in itertools.permutations(range(n), slots):
        # two hands: hands[0] -> left, hands[1] -> right; one hand: its nearer wrist
        if slots == 2:
            cost = d[hands[0], 0] + d[hands[1], 1]
            out = [None] * n
            out[hands[0]], out[hands[1]] = 1, 2
        else:
            side = int(np.argmin(d[hands[0]]))
            cost = d[hands[0], side]
            out = [None] * n
            out[hands[0]] = side + 1
        if best is None or cost < best[0]:
            best = (float(cost), tuple(out))
    return list(best[1]) if best else []


class Tracker:
    """Pose + hands landmark tracker over a stream of frames with increasing timestamps.

    Not thread-safe: call `track` from one thread (the app's tracking worker).
    """

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = cfg = config or TrackerConfig()
        # bundles first: a missing bundle fails fast, before MediaPipe is even imported
        pose_path = find_bundle(f"pose_landmarker_{cfg.pose_model}", cfg.bundle_dir, download=cfg.download)
        hand_path = find_bundle("hand_landmarker", cfg.bundle_dir, download=cfg.download)
        from mediapipe.tasks.python import vision
        from mediapipe.tasks.python.core.base_options import BaseOptions

        mode = vision.RunningMode.VIDEO
        self._pose = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(pose_path)),
            running_mode=mode,
            num_poses=1,
            min_pose_detection_confidence=cfg.min_detection_confidence,
            min_pose_presence_confidence=cfg.min_presence_confidence,
            min_tracking_confidence=cfg.min_tracking_confidence,
        ))
        try:
            self._hands = vision.HandLandmarker.create_from_options(vision.HandLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(hand_path)),
                running_mode=mode,
                num_hands=cfg.num_hands,
                min_hand_detection_confidence=cfg.min_detection_confidence,
                min_hand_presence_confidence=cfg.min_presence_confidence,
                min_tracking_confidence=cfg.min_tracking_confidence,
            ))
        except BaseException:
            self._pose.close()
            raise
        # one persistent worker for the hands graph; pose runs on the calling thread
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="slr-hands") if cfg.parallel else None
        self._last_mp_ts: int | None = None
        self._ts_offset = 0
        self._frame_index = 0
        self._last_sample: np.ndarray | None = None
        self._closed = False
        self._close_lock = threading.Lock()
        self.last_timings: dict[str, float] = {"pose_ms": 0.0, "hands_ms": 0.0, "total_ms": 0.0}

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> "Tracker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release both landmarkers and the worker thread. Safe to call more than once."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        for lm in (self._pose, self._hands):
            try:
                lm.close()
            except Exception:  # closing twice or after a graph error must not raise
                pass

    @property
    def closed(self) -> bool:
        return self._closed

    # -- tracking --------------------------------------------------------------------------
    def _mp_timestamp(self, timestamp_ms: int) -> int:
        """MediaPipe needs strictly increasing ms. A clock that stalls or goes back (a looped
        file, a camera restart) is shifted to continue at last+1 with its own spacing kept."""
        ts = int(timestamp_ms) + self._ts_offset
        if self._last_mp_ts is not None and ts <= self._last_mp_ts:
            self._ts_offset += self._last_mp_ts + 1 - ts
            ts = self._last_mp_ts + 1
        self._last_mp_ts = ts
        return ts

    @staticmethod
    def _timed(fn, image, ts: int):
        t0 = time.perf_counter()
        result = fn(image, ts)
        return result, (time.perf_counter() - t0) * 1000.0

    def track(self, bgr: np.ndarray, timestamp_ms: int) -> LandmarkFrame:
        """One BGR uint8 frame (H, W, 3) -> LandmarkFrame stamped with the caller's timestamp."""
        import cv2
        import mediapipe as mp

        if self._closed:
            raise RuntimeError("Tracker is closed")
        t0 = time.perf_counter()
        if bgr.ndim == 2:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)
        elif bgr.shape[2] == 4:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB)
        else:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        ts = self._mp_timestamp(timestamp_ms)

        if self._pool is not None:
            fut = self._pool.submit(self._timed, self._hands.detect_for_video, image, ts)
            pose_res, pose_ms = self._timed(self._pose.detect_for_video, image, ts)
            hand_res, hands_ms = fut.result()
        else:
            pose_res, pose_ms = self._timed(self._pose.detect_for_video, image, ts)
            hand_res, hands_ms = self._timed(self._hands.detect_for_video, image, ts)

        frame = self._build_frame(pose_res, hand_res, int(timestamp_ms), width, height)
        frame = replace(frame, image_motion=self._image_motion(bgr))
        self._frame_index += 1
        self.last_timings = {"pose_ms": pose_ms, "hands_ms": hands_ms,
                             "total_ms": (time.perf_counter() - t0) * 1000.0}
        return frame

    def _image_motion(self, bgr: np.ndarray) -> float | None:
        """Mean change of a 32x24 grid of pixels since the previous frame (about 0.01 ms): exactly
        0 for a frozen or still picture, never for a live camera (sensor noise) or a real video."""
        h, w = bgr.shape[:2]
        sample = bgr[h // 48::max(1, h // 24), w // 64::max(1, w // 32)].astype(np.int16)
        prev, self._last_sample = self._last_sample, sample
        if prev is None or prev.shape != sample.shape:
            return None
        return float(np.abs(sample - prev).mean())

    def _build_frame(self, pose_res, hand_res, timestamp_ms: int, width: int,
                     height: int) -> LandmarkFrame:
        points = np.zeros((LAYOUT.n_points, LAYOUT.channels), np.float32)
        present = np.zeros(3, bool)
        if pose_res.pose_landmarks:
            pose = pose_res.pose_landmarks[0]
            points[LAYOUT.pose] = [(p.x, p.y, p.z) for p in pose]
            present[0] = True

        hands = [np.array([(p.x, p.y, p.z) for p in h], np.float32) for h in hand_res.hand_landmarks]
        fallback = False
        if hands:
            if present[0]:
                wrists = points[[LAYOUT.left_wrist, LAYOUT.right_wrist], :2].astype(np.float64)
                parts = assign_hands(np.stack([h[0, :2] for h in hands]).astype(np.float64),
                                     wrists, width, height)
            else:
                fallback = True
                parts = self._parts_by_handedness(hand_res.handedness)
            slices = {1: LAYOUT.left_hand, 2: LAYOUT.right_hand}
            for h, part in zip(hands, parts):
                if part is not None:
                    points[slices[part]] = h
                    present[part] = True
        return LandmarkFrame(points=points, present=present, timestamp_ms=timestamp_ms,
                             frame_index=self._frame_index, width=width, height=height,
                             handedness_fallback=fallback)

    @staticmethod
    def _parts_by_handedness(handedness) -> list[int | None]:
        """Without a pose: trust MediaPipe's label, best score first, at most one per side."""
        labelled = []
        for i, cats in enumerate(handedness):
            cat = max(cats, key=lambda c: c.score) if cats else None
            part = HANDEDNESS_TO_PART.get(cat.category_name) if cat else None
            labelled.append((cat.score if cat else 0.0, i, part))
        out: list[int | None] = [None] * len(handedness)
        taken: set[int] = set()
        for _, i, part in sorted(labelled, reverse=True):
            if part is not None and part not in taken:
                out[i] = part
                taken.add(part)
        return out


__all__ = ["HANDEDNESS_TO_PART", "Tracker", "TrackerConfig", "assign_hands"]
