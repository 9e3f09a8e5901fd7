"""The yardstick for the tracker's speed: a bare two-thread loop of the two Tasks landmarkers.

`BareLandmarkers.step` is what any program that wants pose and hands on a frame must do with
MediaPipe's public API, and nothing else: BGR -> RGB, `mp.Image`, `HandLandmarker.detect_for_video`
on a second thread while `PoseLandmarker.detect_for_video` runs on this one, wait for both. Same
bundles, options and VIDEO mode as `Tracker`. It is the limit of this approach through the public
API; `compare` measures the project's tracker against it.

Why interleaved per frame: on a shared machine the load changes from second to second, so two
passes one after the other can differ by 20% for no reason of their own. Alternating the two on
every frame (ABBA order) puts both under the same load, and the ratio of their sums is stable.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .core.mediapipe_import import import_mediapipe
from .core.timing import stats


class BareLandmarkers:
    """Pose + hands through the public Tasks API, two threads, no project code per frame."""

    def __init__(self, pose_bundle: Path, hand_bundle: Path, num_hands: int = 2, confidence: float = 0.5) -> None:
        import cv2

        mp = import_mediapipe()
        from mediapipe.tasks.python import vision
        from mediapipe.tasks.python.core.base_options import BaseOptions

        self._cv2, self._mp = cv2, mp
        mode = vision.RunningMode.VIDEO
        self.pose = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(pose_bundle)), running_mode=mode, num_poses=1,
            min_pose_detection_confidence=confidence, min_pose_presence_confidence=confidence,
            min_tracking_confidence=confidence))
        self.hands = vision.HandLandmarker.create_from_options(vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(hand_bundle)), running_mode=mode, num_hands=num_hands,
            min_hand_detection_confidence=confidence, min_hand_presence_confidence=confidence,
            min_tracking_confidence=confidence))
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="bare-hands")

    def step(self, bgr: np.ndarray, ts: int):
        """Both landmarkers on one frame; `ts` must increase strictly from call to call."""
        rgb = self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2RGB)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        fut = self._pool.submit(self.hands.detect_for_video, image, ts)
        pose = self.pose.detect_for_video(image, ts)
        return pose, fut.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.pose.close()
        self.hands.close()

    def __enter__(self) -> "BareLandmarkers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def compare(frames: list[tuple[np.ndarray, int]], tracker, bare: BareLandmarkers, repeat: int = 1,
            skip: int = 3) -> dict:
    """`tracker.track` vs `bare.step` on the same frames, alternating ABBA per frame.

    Returns per-frame wall and process-CPU stats of both and the ratios tracker / bare of their
    sums (1.0 = no overhead; < 1 = faster than the bare loop). The first `skip` frames (graph
    warm-up) are left out.
    """
    rec: dict[str, list[float]] = {k: [] for k in ("bare", "tracker", "bare_cpu", "tracker_cpu")}
    span = (frames[-1][1] if frames else 0) + 1000
    for rep in range(repeat):
        for i, (bgr, ts) in enumerate(frames):
            order = ("tracker", "bare") if (i + rep) % 2 else ("bare", "tracker")
            for who in order:
                c0, t0 = time.process_time(), time.perf_counter()
                if who == "bare":
                    bare.step(bgr, ts + rep * span)
                else:
                    tracker.track(bgr, ts)   # a repeat jumps back in time: the tracker shifts its clock
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                if rep or i >= skip:
                    rec[who].append(wall * 1000.0)
                    rec[f"{who}_cpu"].append(cpu * 1000.0)
    out = {k: stats(v) for k, v in rec.items()}
    total = {k: float(np.sum(v)) for k, v in rec.items()}
    out["ratio"] = round(total["tracker"] / total["bare"], 4) if total["bare"] else None
    out["cpu_ratio"] = round(total["tracker_cpu"] / total["bare_cpu"], 4) if total["bare_cpu"] else None
    out["frames"] = len(rec["bare"])
    return out


__all__ = ["BareLandmarkers", "compare"]
