"""`classify` at the model's fps vs on every frame: speed and what the tracker still sees, one run.

    python benchmarks/model_fps.py --model M.onnx [CLIP ...] [--joined] [--repeat 2] [--json out.json]

Runs `classify_video` on each clip in both modes, alternating (A B, then B A on the next repeat,
so both see the same machine load): `every frame` (`--every-frame`: every decoded frame tracked)
and `model fps` (the default: only the frames the model's resampling uses). Prints per mode the
real-time factor (clip seconds / classify wall seconds, set-up included; also after the first
tracked frame, i.e. without model load and graph creation), the frames tracked, and the share of
the model's frames with a pose, a left and a right hand (classify's `seen`, mean over the clips):
tracking fewer frames must not lose hands (MediaPipe's VIDEO mode tracks a hand from frame to
frame, so it sees larger steps). The ratios are what to quote; absolute seconds drift with load.

Default clips: shared WLASL clips at 23.976, 24, 25, 29.97, 30 and 50 fps. `--joined` adds the six
signs of `tests/test_classify_segments.py` joined at 640x480, 30 fps (21 s: a realistic file,
where start-up matters less), built with ffmpeg in a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a checkout without installing
    sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("SLR_SHARED_DIR") or ROOT.parent / "shared")
CLIPS = SHARED / "datasets" / "wlasl_clips"
DEFAULT_CLIPS = ("01065.mp4", "25241.mp4", "08841.mp4", "24955.mp4", "05732.mp4", "09960.mp4", "40313.mp4")
JOINED = ("05732.mp4", "09960.mp4", "11767.mp4", "24955.mp4", "56557.mp4", "62964.mp4")
MODES = {"every frame": True, "model fps": False}
PARTS = ("pose", "left_hand", "right_hand")


def joined_clip(out: Path) -> Path:
    """The six clips scaled to 640x480 at 30 fps, each followed by 1 s of its last frame, joined."""
    def ffmpeg(*args: str) -> None:
        subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=300)

    parts = []
    for i, name in enumerate(JOINED):
        part = out.parent / f"part{i}.mp4"
        ffmpeg("-i", str(CLIPS / name), "-an", "-vf",
               "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,fps=30,"
               "tpad=stop_mode=clone:stop_duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(part))
        parts.append(part)
    listing = out.parent / "parts.txt"
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts))
    ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out))
    return out


def run_clip(clip: Path, model: Path, repeat: int) -> dict:
    from slr_desktop.classify import classify_video, native_stderr_silenced

    rec: dict = {m: {"wall_s": [], "after_first_s": []} for m in MODES}
    for rep in range(repeat):
        for mode in (list(MODES) if rep % 2 == 0 else list(MODES)[::-1]):
            with native_stderr_silenced():
                t0 = time.perf_counter()
                res = classify_video(clip, model, every_frame=MODES[mode])
                wall = time.perf_counter() - t0
            r = rec[mode]
            r["wall_s"].append(wall)
            r["after_first_s"].append(wall - res.timing["first_frame_s"])
            r.update(duration_s=res.video["duration_s"], fps=res.video["fps"], frames=res.video["frames"],
                     tracked=res.timing["frames"], seen=res.seen,
                     segments=[s.label for s in res.segments], top1=res.top[0].label)
    return {"clip": clip.name, **rec}


def summary(clips: list[dict]) -> dict:
    out: dict = {}
    for mode in MODES:
        rows = [c[mode] for c in clips]
        dur = sum(r["duration_s"] * len(r["wall_s"]) for r in rows)
        out[mode] = {"realtime_factor": round(dur / sum(sum(r["wall_s"]) for r in rows), 3),
                     "realtime_factor_after_first_frame": round(dur / sum(sum(r["after_first_s"]) for r in rows), 3),
                     "tracked": sum(r["tracked"] for r in rows), "frames": sum(r["frames"] for r in rows),
                     **{p: round(float(np.mean([r["seen"][p] for r in rows])), 4) for p in PARTS}}
    a, b = out["every frame"], out["model fps"]
    out["speedup"] = round(b["realtime_factor"] / a["realtime_factor"], 3)
    out["speedup_after_first_frame"] = round(b["realtime_factor_after_first_frame"]
                                             / a["realtime_factor_after_first_frame"], 3)
    out["same_top1"] = sum(c["every frame"]["top1"] == c["model fps"]["top1"] for c in clips)
    out["same_segments"] = sum(c["every frame"]["segments"] == c["model fps"]["segments"] for c in clips)
    out["clips"] = len(clips)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clips", type=Path, nargs="*", help=f"default: {' '.join(DEFAULT_CLIPS)} from {CLIPS}")
    p.add_argument("--model", type=Path, required=True, help="a model whose fps is below the clips' (e.g. 15)")
    p.add_argument("--joined", action="store_true", help="also the 21 s clip of six joined signs (needs ffmpeg)")
    p.add_argument("--no-default-clips", action="store_true", help="only the clips named (and --joined)")
    p.add_argument("--repeat", type=int, default=2, help="runs per mode and clip, alternating (default 2)")
    p.add_argument("--json", type=Path)
    a = p.parse_args()
    if "SLR_MEDIAPIPE_DIR" not in os.environ and (SHARED / "mediapipe").is_dir():
        os.environ["SLR_MEDIAPIPE_DIR"] = str(SHARED / "mediapipe")
    from slr_desktop.core.runtime import Classifier

    meta = Classifier(a.model).meta
    clips = list(a.clips) or ([] if a.no_default_clips else [CLIPS / c for c in DEFAULT_CLIPS])
    res: dict = {"model": str(a.model), "model_fps": meta.fps, "seq_len": meta.seq_len, "repeat": a.repeat,
                 "cpus": os.cpu_count(), "load_avg_start": list(os.getloadavg()), "clips": []}
    print(f"model {a.model.name}: {meta.seq_len} frames at {meta.fps:g} fps; load average {res['load_avg_start']}")
    with tempfile.TemporaryDirectory() as tmp:
        if a.joined:
            if shutil.which("ffmpeg") is None:
                p.error("--joined needs ffmpeg")
            clips.append(joined_clip(Path(tmp) / "six_signs.mp4"))
        for clip in clips:
            c = run_clip(clip, a.model, a.repeat)
            res["clips"].append(c)
            e, m = c["every frame"], c["model fps"]
            print(f"  {c['clip']:>14} {e['fps']:6.2f} fps {e['duration_s']:5.2f} s: tracked "
                  f"{m['tracked']}/{e['tracked']}, wall {np.median(m['wall_s']):.2f} vs "
                  f"{np.median(e['wall_s']):.2f} s; hands L/R "
                  f"{m['seen']['left_hand']:.2f}/{m['seen']['right_hand']:.2f} vs "
                  f"{e['seen']['left_hand']:.2f}/{e['seen']['right_hand']:.2f}", flush=True)
    res["load_avg_end"] = list(os.getloadavg())
    s = res["summary"] = summary(res["clips"])
    for mode in MODES:
        r = s[mode]
        print(f"{mode:>12}: {r['realtime_factor']:.2f}x real time ({r['realtime_factor_after_first_frame']:.2f}x "
              f"after the first frame), tracked {r['tracked']}/{r['frames']} frames; model frames with a pose "
              f"{r['pose']:.3f}, left hand {r['left_hand']:.3f}, right hand {r['right_hand']:.3f}")
    print(f"model fps / every frame: x{s['speedup']:.3f} real-time factor (x{s['speedup_after_first_frame']:.3f} "
          f"after the first frame); same top-1 on {s['same_top1']}/{s['clips']} clips, same segments on "
          f"{s['same_segments']}/{s['clips']}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
