"""`slr-desktop benchmark VIDEO`: how fast each stage runs on this machine, on a real clip.

Passes (each over every decoded frame of the clip, `--repeat` times):

1. end to end, as the live app runs a frame: decode (`VideoSource.read`) -> `LivePipeline.process`
   with the parallel tracker (pose and hands in two threads) and the classifier on every frame.
   Gives decode, pose, hands, landmarks, features + classifier and end-to-end ms per frame.
2. the tracker again with pose and hands one after the other (`TrackerConfig(parallel=False)`) on
   the same decoded frames: what the second thread buys.
3. features alone (`RingWindow.push` + `snapshot`, the live window build) on the tracked frames,
   and the classifier alone at batch 1 on one intra-op thread (as the app runs it). (torch eager
   vs onnxruntime is `slr-train benchmark`'s comparison: the app never imports torch.)
4. `classify_video` on the clip, as `slr-desktop classify` runs it: real-time factor
   = clip duration / wall time (> 1 is faster than real time).
5. live: the app's threads (`LiveSession`: capture thread paced at the clip's fps, landmark worker,
   classifier every `classify_every` frames) on the clip looped for `--live` seconds; latency is
   capture -> result callback (the moment the window would queue the bars' redraw), after a warm-up.

Landmark throughput (`landmarks_fps`) is frames / wall time of the tracker calls; per-stage
figures are medians and 90th percentiles. Wall-clock timings depend on what else runs on the
machine: the JSON records the CPU count and load averages, and two CPU-time figures that other
processes do not inflate (the serial tracker's process CPU ms per frame, the classifier's thread
CPU ms per run) as a check on a busy machine.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from .app.session import default_tracker_factory, measure_live
from .classify import native_stderr_silenced
from .core.errors import run_cli
from .core.timing import stats
from .core.video import VideoError, VideoSource, probe_video

PROG = "slr-desktop benchmark"
EXIT_ERROR = 2
MAX_FRAMES = 600          # frames kept in memory for the serial pass (a 640x480 frame is 0.9 MB)
CLASSIFIER_RUNS = 200

# (JSON key, target, "min" | "max", what)
TARGETS = (
    ("landmarks_fps", 45.0, "min", "landmark throughput, pose+hands in parallel (640x480)"),
    ("classifier_ms", 2.0, "max", "classifier latency, ORT 1 thread, batch 1"),
    ("classify_realtime_factor", 1.5, "min", "video-file classification speed (x real time)"),
    ("live_latency_ms", 80.0, "max", "live capture -> result latency (median)"),
)


# ------------------------------------------------------------------------------- passes
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


def classify_pass(path: Path, model_path: Path, pose_model: str, bundle_dir, repeat: int) -> dict:
    from .classify import classify_video

    walls, duration = [], 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = classify_video(path, model_path, pose_model=pose_model, bundle_dir=bundle_dir)
        walls.append(time.perf_counter() - t0)
        duration = float(res.video["duration_s"])
    wall = float(np.median(walls))
    # tracking time ~ frames x median tracker ms; the rest is model load, graph set-up, windows
    tracking = res.video["frames"] * res.timing.get("total_ms_median", 0.0) / 1000.0
    return {"wall_s": round(wall, 3), "duration_s": duration, "frames": res.video["frames"],
            "realtime_factor": round(duration / wall, 3) if wall > 0 else None,
            "tracking_s_approx": round(tracking, 3), "setup_and_windows_s_approx": round(max(0.0, wall - tracking), 3)}


# ---------------------------------------------------------------------------- reporting
def targets(res: dict) -> dict:
    out = {}
    for key, target, kind, what in TARGETS:
        v = res.get(key)
        met = None if v is None else (v >= target if kind == "min" else v <= target)
        out[key] = {"value": v, "target": target, "kind": kind, "met": met, "what": what}
    return out


def format_table(res: dict) -> str:
    v, m, st = res["video"], res["model"], res["stages"]
    lines = [f"video: {v['path']}  {v['width']}x{v['height']}, {v['frames']} frames @ {v['fps']:g} fps",
             f"model: {m['name']} ({m['n_labels']} labels, {m['seq_len']} frames)  {m['path']}",
             f"machine: {res['machine']['cpus']} CPUs, load average {res['machine']['load_avg_start']}",
             "", f"{'stage':<34}{'median ms':>10}{'p90 ms':>9}{'FPS':>8}"]
    names = [("decode", "decode"), ("pose", "pose (parallel pass)"), ("hands", "hands (parallel pass)"),
             ("landmarks_parallel", "landmarks, pose || hands"), ("landmarks_serial", "landmarks, pose then hands"),
             ("landmarks_serial_cpu", "  CPU time per frame, serial"),
             ("features", "features (window build)"), ("classifier", "classifier ORT 1 thread b1"),
             ("classifier_cpu", "  CPU time per run (ORT)"),
             ("features_classifier", "features + classifier"),
             ("end_to_end", "end to end (decode..probs)")]
    for key, label in names:
        s = st.get(key)
        if not s or not s.get("n"):
            continue
        fps = f"{s['fps']:8.1f}" if s.get("fps") else f"{'':>8}"
        lines.append(f"{label:<34}{s['median_ms']:>10.2f}{s['p90_ms']:>9.2f}{fps}")
    lines += ["", f"landmark throughput: {res['landmarks_fps']:.1f} FPS parallel, "
                  f"{res['landmarks_fps_serial']:.1f} FPS serial (x{res['parallel_speedup']:.2f})"]
    lines.append(f"classifier: ORT {res['classifier_ms']:.2f} ms (torch: {res['torch_note']})")
    c = res["classify"]
    lines.append(f"classify_video: {c['wall_s']:.2f} s for {c['duration_s']:.2f} s of video "
                 f"= {res['classify_realtime_factor']:.2f}x real time (about {c['tracking_s_approx']:.2f} s "
                 f"tracking, {c['setup_and_windows_s_approx']:.2f} s model/graph set-up and windows)")
    live = res.get("live")
    if live:
        la, lc = live["latency_all"], live["latency_classified"]
        if la.get("n"):
            lines.append(f"live ({live['seconds']:.0f} s, source {live['source_fps']:g} fps): "
                         f"{live['processed_fps']:.1f} FPS processed, dropped {live['frames_dropped']}/"
                         f"{live['frames_captured']}, capture->result median {la['median_ms']:.0f} ms "
                         f"(p90 {la['p90_ms']:.0f}), classified frames {lc.get('median_ms', float('nan')):.0f} ms")
    lines += ["", "targets:"]
    for key, t in res["targets"].items():
        val = "n/a" if t["value"] is None else f"{t['value']:.2f}"
        mark = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        sign = ">=" if t["kind"] == "min" else "<="
        lines.append(f"  {t['what']:<58} {val:>8} (target {sign} {t['target']:g})  {mark}")
    return "\n".join(lines)


def benchmark(video: str | os.PathLike, model: str | os.PathLike | None = None, repeat: int = 1,
              live_seconds: float = 5.0, pose_model: str = "lite", bundle_dir=None,
              classifier_runs: int = CLASSIFIER_RUNS) -> dict:
    """All the figures as one JSON-ready dict. Raises VideoError / ModelError / BundleError."""
    from .classify import model_info
    from .core.model_registry import default_model
    from .core.runtime import Classifier

    path = Path(video)
    info = probe_video(path)
    model_path = Path(model) if model else default_model()
    clf = Classifier(model_path, threads=1)
    res: dict = {"machine": {"cpus": os.cpu_count(), "load_avg_start": [round(x, 2) for x in os.getloadavg()]},
                 "repeat": repeat, "pose_model": pose_model, "model": model_info(clf)}

    e2e = end_to_end_pass(path, clf, pose_model, bundle_dir, repeat)
    frames, landmarks = e2e.pop("_frames"), e2e.pop("_landmarks")
    h, w = frames[0][0].shape[:2]
    res["video"] = {"path": str(path), "width": w, "height": h, "frames": len(landmarks),
                    "fps": round(info.fps, 3), "duration_s": round(len(landmarks) / info.fps, 3)}
    ser = serial_pass(frames, pose_model, bundle_dir, repeat)
    feat, window = features_pass(landmarks, clf, repeat)
    ort, ort_cpu = classifier_pass(clf, window, classifier_runs)
    stages = {"decode": e2e["decode"], "pose": e2e["pose"], "hands": e2e["hands"],
              "landmarks_parallel": e2e["landmarks"], "landmarks_serial": ser["landmarks"],
              "landmarks_serial_cpu": ser["cpu"],
              "pose_serial": ser["pose"], "hands_serial": ser["hands"], "features": feat, "classifier": ort,
              "classifier_cpu": ort_cpu,
              "features_classifier": e2e["features_classifier"], "end_to_end": e2e["end_to_end"]}
    res["stages"] = stages
    res["landmarks_fps"] = round(e2e["_throughput_fps"], 2)
    res["landmarks_fps_serial"] = round(ser["_throughput_fps"], 2)
    res["parallel_speedup"] = round(res["landmarks_fps"] / res["landmarks_fps_serial"], 3) \
        if res["landmarks_fps_serial"] else None
    res["classifier_ms"] = ort["median_ms"]
    res["classifier_cpu_ms"] = ort_cpu["median_ms"]
    res["classifier_torch_ms"] = None
    res["torch_note"] = "skipped: torch eager vs onnxruntime is measured by `slr-train benchmark`"
    res["end_to_end_fps"] = e2e["end_to_end"].get("fps")
    res["classify"] = classify_pass(path, model_path, pose_model, bundle_dir, repeat)
    res["classify_realtime_factor"] = res["classify"]["realtime_factor"]
    if live_seconds > 0:
        res["live"] = measure_live(path, model_path, live_seconds, pose_model=pose_model, bundle_dir=bundle_dir)
        res["live_latency_ms"] = res["live"]["latency_all"].get("median_ms")
    else:
        res["live"], res["live_latency_ms"] = None, None
    res["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    res["targets"] = targets(res)
    return res


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0].split(": ", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="example:\n  slr-desktop benchmark clip.mp4 --json bench.json --repeat 3")
    p.add_argument("video", help="a real video clip (640x480 for the landmark throughput target)")
    p.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    p.add_argument("--model", metavar="PATH", help="ONNX model (default: models/DEFAULT or the first model found)")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="passes over the clip per measurement (default 1)")
    p.add_argument("--live", type=float, default=5.0, metavar="SECONDS",
                   help="seconds of live-pipeline latency measurement on the looped clip (0 = skip; default 5)")
    p.add_argument("--pose-model", choices=("lite", "full"), default="lite")
    p.add_argument("--bundle-dir", metavar="DIR", help="folder with the MediaPipe .task bundles")
    p.add_argument("--verbose", action="store_true", help="keep MediaPipe's native log output on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat < 1 or args.live < 0:
        print(f"{PROG}: error: --repeat must be >= 1 and --live >= 0", file=sys.stderr)
        return EXIT_ERROR

    def body() -> int:
        if args.json:  # refuse an unwritable output now, not after minutes of measuring
            from .core.atomic import check_output_file

            check_output_file(args.json, "--json file")
        with native_stderr_silenced(not args.verbose):
            res = benchmark(args.video, args.model, args.repeat, args.live, args.pose_model, args.bundle_dir)
        print(format_table(res))
        if args.json:
            from .core.atomic import atomic_write_text

            atomic_write_text(args.json, json.dumps(res, indent=1) + "\n")
            print(f"figures written to {args.json}")
        return 0

    return run_cli(PROG, body)


__all__ = ["benchmark", "format_table", "main"]
