"""The measuring passes of `slr-desktop benchmark` (see benchmark.py for what each figure means).

Every comparison that yields a target ratio runs its two sides interleaved (per frame, or per
repeat in alternating order), so both see the same machine load.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .app.session import default_tracker_factory
from .core.timing import stats
from .core.video import VideoError, VideoSource

MAX_FRAMES = 600          # frames kept in memory for the passes on decoded frames (640x480: 0.9 MB each)


def end_to_end_pass(path: Path, clf, pose_model: str, bundle_dir, repeat: int) -> dict:
    """Decode + LivePipeline.process (parallel tracker, classifier every frame) per frame."""
    from .app.live import CapturedFrame, LivePipeline

    rec: dict[str, list[float]] = {k: [] for k in ("decode", "pose", "hands", "landmarks",
                                                   "features_classifier", "end_to_end")}
    frames: list[tuple[np.ndarray, int]] = []
    landmarks = []
    wall_track = 0.0
    with default_tracker_factory(pose_model, bundle_dir, parallel=True) as tracker:
        pipe = LivePipeline(tracker, clf, classify_every=1)
        for rep in range(repeat):
            pipe.reset()
            with VideoSource(path) as src:
                i = 0
                while True:
                    t0 = time.perf_counter()
                    item = src.read()
                    t1 = time.perf_counter()
                    if item is None:
                        break
                    bgr, ts = item
                    r = pipe.process(CapturedFrame(i, bgr, ts, t1, i))
                    t2 = time.perf_counter()
                    if rep == 0:
                        if len(frames) < MAX_FRAMES:
                            frames.append((bgr, ts))
                        landmarks.append(r.landmarks)
                    if rep == 0 and i < 3:  # first frames build the graphs' state: not steady
                        i += 1
                        continue
                    rec["decode"].append((t1 - t0) * 1000.0)
                    rec["pose"].append(r.timings["pose_ms"])
                    rec["hands"].append(r.timings["hands_ms"])
                    rec["landmarks"].append(r.track_ms)
                    rec["features_classifier"].append(r.classify_ms)
                    rec["end_to_end"].append((t2 - t0) * 1000.0)
                    wall_track += r.track_ms
                    i += 1
    if not frames:
        raise VideoError(f"{path.name}: no frame could be decoded")
    out = {k: stats(v) for k, v in rec.items()}
    out["_frames"], out["_landmarks"] = frames, landmarks
    out["_throughput_fps"] = len(rec["landmarks"]) * 1000.0 / wall_track if wall_track else 0.0
    return out


def reference_pass(frames: list[tuple[np.ndarray, int]], pose_model: str, bundle_dir, repeat: int) -> dict:
    """The project's tracker against the bare two-thread MediaPipe loop, interleaved per frame."""
    from .bare_mediapipe import BareLandmarkers, compare
    from .core.bundles import find_bundle

    pose = find_bundle(f"pose_landmarker_{pose_model}", bundle_dir)
    hands = find_bundle("hand_landmarker", bundle_dir)
    with BareLandmarkers(pose, hands) as bare, default_tracker_factory(pose_model, bundle_dir) as tracker:
        out = compare(frames, tracker, bare, repeat)
        out["direct_calls"] = tracker.direct_calls
    return out


def serial_pass(frames: list[tuple[np.ndarray, int]], pose_model: str, bundle_dir, repeat: int) -> dict:
    """The tracker with pose then hands on one thread, on already decoded frames."""
    rec: dict[str, list[float]] = {"pose": [], "hands": [], "landmarks": [], "cpu": []}
    with default_tracker_factory(pose_model, bundle_dir, parallel=False) as tracker:
        for rep in range(repeat):
            for i, (bgr, ts) in enumerate(frames):
                c0 = time.process_time()
                tracker.track(bgr, ts)  # a repeat jumps back in time: the tracker shifts its clock
                if rep == 0 and i < 3:
                    continue
                rec["cpu"].append((time.process_time() - c0) * 1000.0)
                t = tracker.last_timings
                rec["pose"].append(t["pose_ms"])
                rec["hands"].append(t["hands_ms"])
                rec["landmarks"].append(t["total_ms"])
    out = {k: stats(v) for k, v in rec.items()}
    out["_throughput_fps"] = len(rec["landmarks"]) * 1000.0 / sum(rec["landmarks"]) if rec["landmarks"] else 0.0
    return out


def features_pass(landmarks, clf, repeat: int) -> tuple[dict, tuple[np.ndarray, np.ndarray]]:
    """RingWindow push + snapshot per frame (the live feature build). Returns stats, last window."""
    from .core.window import RingWindow

    ms: list[float] = []
    ring = RingWindow(clf.meta.seq_len, clf.meta.fps)
    window = None
    for _ in range(repeat):
        ring.clear()
        for lm in landmarks:
            t0 = time.perf_counter()
            ring.push(lm)
            window = ring.snapshot()
            ms.append((time.perf_counter() - t0) * 1000.0)
    return stats(ms), window


def classifier_pass(clf, window, runs: int) -> dict:
    pts, mask = window
    for _ in range(5):
        clf.predict(pts, mask)
    ms, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.thread_time(), time.perf_counter()
        clf.predict(pts, mask)
        ms.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.thread_time() - c0) * 1000.0)
    # one intra-op thread runs on the calling thread, so its CPU time is the run's own work:
    # close to the wall time on an idle core, and not inflated by other processes
    return stats(ms), stats(cpu)


def _pure_tracking_s(frames, pose_model: str, bundle_dir) -> float:
    """Wall seconds of a fresh tracker over decoded frames, from the first frame tracked to the last
    (the span `classify` is compared with: its set-up is the start-up figure, not this one)."""
    with default_tracker_factory(pose_model, bundle_dir) as tracker:
        tracker.track(*frames[0])
        t0 = time.perf_counter()
        for bgr, ts in frames[1:]:
            tracker.track(bgr, ts)
        return time.perf_counter() - t0


def classify_pass(path: Path, model_path: Path, frames, complete: bool, pose_model: str, bundle_dir,
                  repeat: int) -> dict:
    """`classify_video` as `slr-desktop classify` runs it, and pure tracking of the same frames
    (those at the model's fps, as classify tracks them), alternating. Real-time factor = duration /
    whole wall time (set-up included); over_tracking = classify's wall from its first tracked frame
    to its result / pure tracking's."""
    from .classify import classify_video
    from .core.runtime import Classifier
    from .core.window import frames_at_fps

    frames = list(frames_at_fps(frames, Classifier(model_path).meta.fps))
    walls, after_first, tracking, res = [], [], [], None
    for rep in range(max(2, repeat)):
        order = ("classify", "track") if rep % 2 == 0 else ("track", "classify")
        for what in order:
            if what == "track":
                if complete:
                    tracking.append(_pure_tracking_s(frames, pose_model, bundle_dir))
                continue
            t0 = time.perf_counter()
            res = classify_video(path, model_path, pose_model=pose_model, bundle_dir=bundle_dir)
            wall = time.perf_counter() - t0
            walls.append(wall)
            after_first.append(wall - res.timing["first_frame_s"])
    wall = float(np.median(walls))
    duration = float(res.video["duration_s"])
    out = {"wall_s": round(wall, 3), "duration_s": duration, "frames": res.video["frames"],
           "tracked_frames": res.timing["frames"],
           "realtime_factor": round(duration / wall, 3) if wall > 0 else None,
           "first_frame_s": round(float(np.median(walls) - np.median(after_first)), 3),
           "after_first_frame_s": round(float(np.median(after_first)), 3),
           "pure_tracking_s": round(float(np.median(tracking)), 3) if tracking else None}
    out["over_tracking"] = round(out["after_first_frame_s"] / out["pure_tracking_s"], 4) \
        if out["pure_tracking_s"] else None
    return out


def _run_s(args: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    return time.perf_counter() - t0, p


def startup_pass(video: Path, model_path: Path, bundle_dir, repeat: int) -> dict:
    """Start-up of `slr-desktop classify` as a user meets it: a fresh process on a two-frame clip
    (the shortest it accepts: interpreter, imports, model load, bundle check, graph creation, two
    frames, output), split into
    the bare interpreter, the imports, and classify_video's own time to its first frame."""
    import cv2

    with VideoSource(video) as src:
        first = src.read()
    if first is None:
        raise VideoError(f"{video.name}: no frame could be decoded")
    py = sys.executable
    imports = ("from slr_desktop import classify; import cv2, onnxruntime; "
               "from slr_desktop.core.mediapipe_import import import_mediapipe; import_mediapipe()")
    rec: dict[str, list[float]] = {"python_s": [], "imports_s": [], "process_s": [], "first_frame_s": []}
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "two_frames.avi"
        w = cv2.VideoWriter(str(one), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, first[0].shape[1::-1])
        w.write(first[0])
        w.write(first[0])
        w.release()
        cmd = [py, "-m", "slr_desktop.cli", "classify", str(one), "--model", str(model_path), "--json",
               "--no-progress"] + (["--bundle-dir", str(bundle_dir)] if bundle_dir else [])
        _run_s(cmd)  # the first run fills the OS file cache and the bundle hash record
        for _ in range(max(2, repeat)):
            rec["python_s"].append(_run_s([py, "-c", "pass"])[0])
            rec["imports_s"].append(_run_s([py, "-c", imports])[0])
            wall, p = _run_s(cmd)
            if p.returncode != 0:
                raise RuntimeError(f"classify on a two-frame clip failed: {p.stderr.strip()[-300:]}")
            rec["process_s"].append(wall)
            rec["first_frame_s"].append(json.loads(p.stdout)["timing"]["first_frame_s"])
    med = {k: float(np.median(v)) for k, v in rec.items()}
    return {"python_s": round(med["python_s"], 3),
            "imports_s": round(med["imports_s"] - med["python_s"], 3),
            "classify_first_frame_s": round(med["first_frame_s"], 3),
            "classify_process_s": round(med["process_s"], 3)}


__all__ = ["MAX_FRAMES", "classifier_pass", "classify_pass", "end_to_end_pass", "features_pass",
           "reference_pass", "serial_pass", "startup_pass"]
