"""Before/after of the tracker's per-frame path, each against the bare MediaPipe loop in one run.

    python benchmarks/tracker_paths.py [CLIP] --repeat 3 --json tracker_paths.json

Three contestants on the same decoded frames, their order rotated on every frame so that all see
the same machine load: the bare two-thread loop of the two Tasks landmarkers through the public
API (`slr_desktop/bare_mediapipe.py`, the reference), the tracker through MediaPipe's public
`detect_for_video` (`TrackerConfig(direct_calls=False)`: the path the tracker took before the
direct calls; landmarks converted from MediaPipe's dataclasses) and the tracker as shipped (direct
C calls, landmarks read into numpy). Prints each tracker's ratio of summed wall (and process CPU)
time to the bare loop's: 1.0 = no overhead. The first 3 frames (graph warm-up) are left out.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a checkout without installing
    sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("SLR_SHARED_DIR") or ROOT.parent / "shared")
DEFAULT_CLIP = SHARED / "datasets" / "wlasl_clips" / "05732.mp4"
SKIP = 3


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clip", type=Path, nargs="?", default=DEFAULT_CLIP)
    p.add_argument("--repeat", type=int, default=3, help="passes over the clip (default 3)")
    p.add_argument("--json", type=Path)
    a = p.parse_args()
    if "SLR_MEDIAPIPE_DIR" not in os.environ and (SHARED / "mediapipe").is_dir():
        os.environ["SLR_MEDIAPIPE_DIR"] = str(SHARED / "mediapipe")

    from slr_desktop.bare_mediapipe import BareLandmarkers
    from slr_desktop.classify import native_stderr_silenced
    from slr_desktop.core.bundles import find_bundle
    from slr_desktop.core.timing import stats
    from slr_desktop.core.tracker import Tracker, TrackerConfig
    from slr_desktop.core.video import VideoSource

    with VideoSource(a.clip) as src:
        frames = list(src)[:600]
    names = ("bare", "public", "direct")
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    res: dict = {"clip": str(a.clip), "frames": len(frames), "repeat": a.repeat, "cpus": os.cpu_count(),
                 "load_avg_start": list(os.getloadavg())}
    with native_stderr_silenced():
        bare = BareLandmarkers(find_bundle("pose_landmarker_lite"), find_bundle("hand_landmarker"))
        public, direct = Tracker(TrackerConfig(direct_calls=False)), Tracker()
        res["direct_calls"] = direct.direct_calls and not public.direct_calls
        span = frames[-1][1] + 1000
        step = {"bare": lambda bgr, ts, rep: bare.step(bgr, ts + rep * span),
                "public": lambda bgr, ts, rep: public.track(bgr, ts),
                "direct": lambda bgr, ts, rep: direct.track(bgr, ts)}
        try:
            for rep in range(a.repeat):
                for i, (bgr, ts) in enumerate(frames):
                    k = (i + rep) % 3
                    for who in names[k:] + names[:k]:
                        c0, t0 = time.process_time(), time.perf_counter()
                        step[who](bgr, ts, rep)
                        if rep or i >= SKIP:
                            wall[who].append((time.perf_counter() - t0) * 1000.0)
                            cpu[who].append((time.process_time() - c0) * 1000.0)
        finally:
            bare.close()
            public.close()
            direct.close()
    res["load_avg_end"] = list(os.getloadavg())
    res["stages"] = {n: stats(wall[n]) for n in names}
    for n in ("public", "direct"):
        res[f"{n}_over_bare"] = round(float(np.sum(wall[n]) / np.sum(wall["bare"])), 4)
        res[f"{n}_over_bare_cpu"] = round(float(np.sum(cpu[n]) / np.sum(cpu["bare"])), 4)
    print(f"{a.clip.name}: {len(wall['bare'])} frames x 3 contestants, load average {res['load_avg_start']}")
    for n, what in (("public", "tracker, public detect_for_video (before)"),
                    ("direct", "tracker, direct C calls (after)")):
        print(f"  {what:<44} x{res[f'{n}_over_bare']:.3f} wall, x{res[f'{n}_over_bare_cpu']:.3f} CPU"
              f"  of the bare loop (median {res['stages'][n]['median_ms']:.2f} ms vs "
              f"{res['stages']['bare']['median_ms']:.2f} ms)")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
