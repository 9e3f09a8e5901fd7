"""`slr-desktop benchmark VIDEO`: how fast each stage runs on this machine, on a real clip.

Passes (each over every decoded frame of the clip, `--repeat` times; code in benchmark_passes.py):

1. end to end, as the live app runs a frame: decode (`VideoSource.read`) -> `LivePipeline.process`
   with the parallel tracker (pose and hands in two threads) and the classifier on every frame.
   Gives decode, pose, hands, landmarks, features + classifier and end-to-end ms per frame.
   `classifier_share` = the classifier's ms per landmark frame in the live path (its median ms in
   this pass / the app's `classify_every`) / the landmark ms per frame of this pass (same frames,
   same moments).
2. reference: the bare two-thread loop of the two Tasks landmarkers (public API, no project code,
   `bare_mediapipe.py`) against the project's tracker on the same decoded frames, alternating on
   every frame. `tracker_overhead` = tracker / bare - 1 (wall time; CPU time beside it); negative
   means faster than the bare loop.
3. the tracker again with pose and hands one after the other (`TrackerConfig(parallel=False)`) on
   the same decoded frames: what the second thread buys.
4. features alone (`RingWindow.push` + `snapshot`, the live window build) on the tracked frames,
   and the classifier alone at batch 1 on one intra-op thread (as the app runs it). (torch eager
   vs onnxruntime is `slr-train benchmark`'s comparison: the app never imports torch.)
5. `classify_video` on the clip, as `slr-desktop classify` runs it, alternating with pure tracking
   of the frames it tracks (those at the model's fps): `classify_realtime_factor` = clip duration / wall time (set-up
   included; > 1 is faster than real time), `classify_over_tracking` = classify's wall time after
   its first tracked frame / pure tracking's (decode, windows and classifier overlap tracking).
6. start-up: `slr-desktop classify` in a fresh process on a two-frame clip, split into the bare
   interpreter, the imports and classify_video's time to its first tracked frame (`--no-startup`
   skips it).
7. live: the app's threads (`LiveSession`: capture thread paced at the clip's fps, landmark worker,
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
from pathlib import Path

from . import benchmark_passes as passes
from .app.session import measure_live
from .app.settings import AppSettings
from .classify import native_stderr_silenced
from .core.errors import run_cli
from .core.video import probe_video

PROG = "slr-desktop benchmark"
EXIT_ERROR = 2
CLASSIFIER_RUNS = 200

# (JSON key, target, "min" | "max", what)
TARGETS = (
    ("tracker_overhead", 0.03, "max", "tracker over the bare 2-thread MediaPipe loop (ratio - 1)"),
    ("classifier_share", 0.10, "max", "classifier / landmark time per frame, live path"),
    ("landmarks_fps", 45.0, "min", "landmark throughput, pose+hands in parallel (640x480)"),
    ("classifier_ms", 2.0, "max", "classifier latency, ORT 1 thread, batch 1"),
    ("classify_realtime_factor", 1.5, "min", "video-file classification speed (x real time)"),
    ("classify_over_tracking", 1.05, "max", "classify wall / pure tracking wall (after frame 1)"),
    ("live_latency_ms", 80.0, "max", "live capture -> result latency (median)"),
)


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
             ("bare_loop", "bare 2-thread MediaPipe loop"), ("tracker_vs_bare", "tracker, same frames"),
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
    ref = res["reference"]
    lines += ["", f"tracker vs the bare MediaPipe loop (interleaved per frame, {ref['frames']} frames): "
                  f"x{ref['ratio']:.3f} wall, x{ref['cpu_ratio']:.3f} CPU"
                  f" ({'direct C calls' if ref['direct_calls'] else 'public API calls'})",
              f"landmark throughput: {res['landmarks_fps']:.1f} FPS parallel, "
              f"{res['landmarks_fps_serial']:.1f} FPS serial (x{res['parallel_speedup']:.2f})",
              f"classifier: ORT {res['classifier_ms']:.2f} ms (torch: {res['torch_note']}); in the live path "
              f"(every {res['live_classify_every']} frames) {res['classifier_share'] * 100:.1f}% of the landmark time"]
    c = res["classify"]
    lines.append(f"classify_video: {c['wall_s']:.2f} s for {c['duration_s']:.2f} s of video "
                 f"= {res['classify_realtime_factor']:.2f}x real time ({c['first_frame_s']:.2f} s to the first "
                 f"frame, then {c['after_first_frame_s']:.2f} s"
                 + (f" vs {c['pure_tracking_s']:.2f} s pure tracking" if c["pure_tracking_s"] else "") + ")")
    up = res.get("startup")
    if up:
        lines.append(f"start-up, classify in a fresh process: {up['classify_process_s']:.2f} s for a two-frame "
                     f"clip (interpreter {up['python_s']:.2f} s, imports {up['imports_s']:.2f} s, "
                     f"classify_video to its first frame {up['classify_first_frame_s']:.2f} s)")
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
        val = "n/a" if t["value"] is None else f"{t['value']:.3f}"
        mark = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        sign = ">=" if t["kind"] == "min" else "<="
        lines.append(f"  {t['what']:<58} {val:>8} (target {sign} {t['target']:g})  {mark}")
    return "\n".join(lines)


def benchmark(video: str | os.PathLike, model: str | os.PathLike | None = None, repeat: int = 1,
              live_seconds: float = 5.0, pose_model: str = "lite", bundle_dir=None,
              classifier_runs: int = CLASSIFIER_RUNS, startup: bool = True) -> dict:
    """All the figures as one JSON-ready dict. Raises VideoError / ModelError / BundleError."""
    from .classify import model_info
    from .core.model_registry import default_model
    from .core.runtime import Classifier

    path = Path(video)
    info = probe_video(path)
    model_path = Path(model) if model else default_model()
    clf = Classifier(model_path, threads=1)
    every = AppSettings().classify_every
    res: dict = {"machine": {"cpus": os.cpu_count(), "load_avg_start": [round(x, 2) for x in os.getloadavg()]},
                 "repeat": repeat, "pose_model": pose_model, "model": model_info(clf), "live_classify_every": every}

    e2e = passes.end_to_end_pass(path, clf, pose_model, bundle_dir, repeat)
    frames, landmarks = e2e.pop("_frames"), e2e.pop("_landmarks")
    h, w = frames[0][0].shape[:2]
    res["video"] = {"path": str(path), "width": w, "height": h, "frames": len(landmarks),
                    "fps": round(info.fps, 3), "duration_s": round(len(landmarks) / info.fps, 3)}
    ref = passes.reference_pass(frames, pose_model, bundle_dir, repeat)
    ser = passes.serial_pass(frames, pose_model, bundle_dir, repeat)
    feat, window = passes.features_pass(landmarks, clf, repeat)
    ort, ort_cpu = passes.classifier_pass(clf, window, classifier_runs)
    stages = {"decode": e2e["decode"], "pose": e2e["pose"], "hands": e2e["hands"],
              "landmarks_parallel": e2e["landmarks"], "landmarks_serial": ser["landmarks"],
              "landmarks_serial_cpu": ser["cpu"],
              "pose_serial": ser["pose"], "hands_serial": ser["hands"], "features": feat, "classifier": ort,
              "classifier_cpu": ort_cpu, "bare_loop": ref["bare"], "tracker_vs_bare": ref["tracker"],
              "bare_loop_cpu": ref["bare_cpu"], "tracker_vs_bare_cpu": ref["tracker_cpu"],
              "features_classifier": e2e["features_classifier"], "end_to_end": e2e["end_to_end"]}
    res["stages"] = stages
    res["reference"] = {k: ref[k] for k in ("ratio", "cpu_ratio", "frames", "direct_calls")}
    res["tracker_overhead"] = round(ref["ratio"] - 1.0, 4)
    res["landmarks_fps"] = round(e2e["_throughput_fps"], 2)
    res["landmarks_fps_serial"] = round(ser["_throughput_fps"], 2)
    res["parallel_speedup"] = round(res["landmarks_fps"] / res["landmarks_fps_serial"], 3) \
        if res["landmarks_fps_serial"] else None
    res["classifier_ms"] = ort["median_ms"]
    res["classifier_cpu_ms"] = ort_cpu["median_ms"]
    res["classifier_share"] = round(e2e["features_classifier"]["median_ms"] / every
                                    / e2e["landmarks"]["median_ms"], 4)
    res["classifier_torch_ms"] = None
    res["torch_note"] = "skipped: torch eager vs onnxruntime is measured by `slr-train benchmark`"
    res["end_to_end_fps"] = e2e["end_to_end"].get("fps")
    complete = len(frames) == len(landmarks)   # every frame kept in memory for the pure tracking pass
    res["classify"] = passes.classify_pass(path, model_path, frames, complete, pose_model, bundle_dir, repeat)
    res["classify_realtime_factor"] = res["classify"]["realtime_factor"]
    res["classify_over_tracking"] = res["classify"]["over_tracking"]
    res["startup"] = passes.startup_pass(path, model_path, bundle_dir, repeat) if startup else None
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
    p.add_argument("--no-startup", action="store_true", help="skip the start-up pass (fresh classify processes)")
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
            res = benchmark(args.video, args.model, args.repeat, args.live, args.pose_model, args.bundle_dir,
                            startup=not args.no_startup)
        print(format_table(res))
        if args.json:
            from .core.atomic import atomic_write_text

            atomic_write_text(args.json, json.dumps(res, indent=1) + "\n")
            print(f"figures written to {args.json}")
        return 0

    return run_cli(PROG, body)


__all__ = ["benchmark", "format_table", "main"]
