"""Does `slr-desktop classify` stream a long file in flat memory? Peak RSS on a short and a long clip.

    python benchmarks/long_clip.py --minutes 10 --json long_clip.json

Loops a real clip (default `../shared/datasets/wlasl_clips/05732.mp4`) with ffmpeg into a 1-minute
and a `--minutes` file in a temporary folder (`-stream_loop`, no re-encoding; deleted afterwards),
runs `slr-desktop classify --json` on each as a user would, and samples the process's RSS from
/proc (VmRSS, and VmHWM, the kernel's own peak) every 0.2 s. Flat memory means the long clip
peaks about where the short one does. Also reports wall time and the real-time factor.
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

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLR_SHARED_DIR") or ROOT.parent / "shared")
DEFAULT_CLIP = SHARED / "datasets" / "wlasl_clips" / "05732.mp4"


def loop_clip(src: Path, dest: Path, minutes: float) -> None:
    """`src` repeated to at least `minutes` long, stream-copied (no re-encoding)."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                            str(src)], capture_output=True, text=True, check=True)
    loops = max(0, int(minutes * 60 / float(probe.stdout.strip())))
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(src), "-an", "-c", "copy",
                    str(dest)], check=True)


def _status_mb(pid: int) -> dict[str, float]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return out


def classify_rss(video: Path, model: str | None) -> dict:
    cmd = [sys.executable, "-m", "slr_desktop.cli", "classify", str(video), "--json", "--no-progress"]
    cmd += ["--model", model] if model else []
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    samples, peak = [], 0.0
    while proc.poll() is None:
        st = _status_mb(proc.pid)
        if "VmRSS" in st:
            samples.append((round(time.perf_counter() - t0, 2), round(st["VmRSS"], 1)))
            peak = max(peak, st.get("VmHWM", 0.0), st["VmRSS"])
        time.sleep(0.2)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"classify failed: {err.strip()[-400:]}")
    doc = json.loads(out)
    dur = doc["video"]["duration_s"]
    return {"video": str(video), "duration_s": dur, "frames": doc["video"]["frames"], "windows": len(doc["windows"]),
            "wall_s": round(wall, 2), "realtime_factor": round(dur / wall, 3), "peak_rss_mb": round(peak, 1),
            "rss_samples": samples[:: max(1, len(samples) // 200)]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    p.add_argument("--minutes", type=float, default=10.0, help="length of the long clip (default 10)")
    p.add_argument("--model", help="ONNX model (default: the default model)")
    p.add_argument("--json", type=Path, help="write the figures here")
    a = p.parse_args()
    if not shutil.which("ffmpeg"):
        print("long_clip.py: error: ffmpeg is needed to build the long clip", file=sys.stderr)
        return 2
    if "SLR_MEDIAPIPE_DIR" not in os.environ and (SHARED / "mediapipe").is_dir():
        os.environ["SLR_MEDIAPIPE_DIR"] = str(SHARED / "mediapipe")
    res = {"clip": str(a.clip), "cpus": os.cpu_count(), "load_avg_start": list(os.getloadavg())}
    with tempfile.TemporaryDirectory() as tmp:
        for name, minutes in (("short", 1.0), ("long", a.minutes)):
            path = Path(tmp) / f"{name}.mp4"
            loop_clip(a.clip, path, minutes)
            res[name] = classify_rss(path, a.model)
            r = res[name]
            print(f"{name}: {r['duration_s']:.0f} s of video, {r['frames']} frames, {r['windows']} windows: "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB, {r['wall_s']:.0f} s ({r['realtime_factor']:.2f}x real time)",
                  flush=True)
    res["peak_growth_mb"] = round(res["long"]["peak_rss_mb"] - res["short"]["peak_rss_mb"], 1)
    res["load_avg_end"] = list(os.getloadavg())
    print(f"peak RSS growth from {1:g} to {a.minutes:g} minutes: {res['peak_growth_mb']:+.0f} MB")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
