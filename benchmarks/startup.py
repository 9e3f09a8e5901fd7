"""Start-up: how long until the app's window first paints, and until `classify` tracks its first frame.

    python benchmarks/startup.py --json startup.json          # under X; re-runs itself in xvfb-run if no DISPLAY

App: launches `slr-desktop --source CLIP --exit-after 2` `--runs` times with `SLR_STARTUP_PROBE` set
to the launch time; the app prints the seconds from launch to its main window's first paint
(`slr_desktop/app/main.py`). Target < 1 s. Classify: `slr-desktop classify` in a fresh process on
a two-frame clip (the shortest it accepts), split into the bare interpreter, the imports and
classify_video's own time to its first tracked frame (`benchmark_passes.startup_pass`, also part
of `slr-desktop benchmark`).
The first run of each fills the OS file cache and is not counted.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a checkout without installing
    sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("SLR_SHARED_DIR") or ROOT.parent / "shared")
DEFAULT_CLIP = SHARED / "datasets" / "wlasl_clips" / "05732.mp4"


def app_first_paint_s(clip: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:   # the user's own settings are neither read nor changed
        env = {**os.environ, "SLR_SETTINGS_FILE": str(Path(tmp) / "settings.ini"), "SLR_NO_DIALOGS": "1",
               "SLR_STARTUP_PROBE": repr(time.time())}
        p = subprocess.run([sys.executable, "-m", "slr_desktop.cli", "--source", str(clip), "--exit-after", "2"],
                           capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    m = re.search(r"first paint after ([0-9.]+) s", p.stderr)
    if not m:
        raise RuntimeError(f"the app did not report its first paint (exit {p.returncode}): {p.stderr[-400:]}")
    return float(m.group(1))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    p.add_argument("--model", type=Path, help="ONNX model for classify (default: the default model)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--json", type=Path)
    a = p.parse_args()
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run") and not os.environ.get("_SLR_IN_XVFB"):
        env = {**os.environ, "_SLR_IN_XVFB": "1"}
        return subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, *sys.argv],
                              env=env).returncode
    if "SLR_MEDIAPIPE_DIR" not in os.environ and (SHARED / "mediapipe").is_dir():
        os.environ["SLR_MEDIAPIPE_DIR"] = str(SHARED / "mediapipe")

    from slr_desktop.benchmark_passes import startup_pass
    from slr_desktop.core.model_registry import default_model

    res: dict = {"cpus": os.cpu_count(), "load_avg_start": list(os.getloadavg())}
    app_first_paint_s(a.clip)  # warm the file cache
    paints = sorted(app_first_paint_s(a.clip) for _ in range(a.runs))
    res["app_first_paint_s"] = {"median": paints[len(paints) // 2], "min": paints[0], "max": paints[-1],
                                "runs": paints}
    res["classify"] = startup_pass(a.clip, a.model or default_model(), None, a.runs)
    res["load_avg_end"] = list(os.getloadavg())
    fp, c = res["app_first_paint_s"], res["classify"]
    print(f"app: first paint {fp['median']:.2f} s after launch (median of {a.runs}; {fp['min']:.2f}..{fp['max']:.2f})"
          f"  target < 1 s: {'met' if fp['median'] < 1.0 else 'NOT met'}")
    print(f"classify, two-frame clip: {c['classify_process_s']:.2f} s in a fresh process (interpreter "
          f"{c['python_s']:.2f} s, imports {c['imports_s']:.2f} s, classify_video to its first frame "
          f"{c['classify_first_frame_s']:.2f} s)")
    print(f"load average {res['load_avg_start']} -> {res['load_avg_end']}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
