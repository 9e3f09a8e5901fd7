"""Soak test: the live pipeline on a looped real clip for N minutes; does memory grow, do frames drop?

    python benchmarks/soak.py --minutes 20 --json soak.json                 # threads only, no Qt
    python benchmarks/soak.py --minutes 20 --window --json soak-window.json # plus the real window, offscreen

Runs what the app runs: the capture thread (the clip looped as one continuous stream, paced at its
own fps, like a camera), the landmark worker (MediaPipe pose || hands) and the classifier every
`classify_every` frames; with `--window` the Qt `MainWindow` (offscreen) on top, so overlay, bars
and timeline drawing are soaked too. Samples this process's RSS every `--sample` seconds (psutil if
installed, else /proc/self/status), and reports the RSS growth after warm-up (median of the last
three samples minus the median of the first three, plus a least-squares slope in MB/min), frames
captured / processed / dropped and the capture -> result latency. Exit code 1 when `--max-growth-mb`
is given and exceeded.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a checkout without installing
    sys.path.insert(0, str(ROOT))

DEFAULT_CLIP = ROOT.parent / "shared" / "datasets" / "wlasl_clips" / "05732.mp4"


def rss_mb() -> float:
    """Resident set size of this process in MB."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    raise RuntimeError("cannot read RSS (no psutil, no /proc/self/status)")


def none_refs() -> int | None:
    """sys.getrefcount(None) before Python 3.12 (None is immortal from 3.12 on: None there).

    A C extension that returns None without a new reference makes this fall on every call; at 0
    the interpreter aborts with "none_dealloc: deallocating None". PySide6 6.12.0 on Python 3.11
    does this once per call of any void method (setPos, setObjectName, processEvents, ...).
    """
    return sys.getrefcount(None) if sys.version_info < (3, 12) else None


def pin_none() -> None:
    """Make None, True and False effectively immortal on Python < 3.12 (what 3.12 does): add 2**40
    to their refcounts. A workaround for the leak above (with None pinned, a window soak was next
    seen to abort in 'bool_dealloc' at exit), to soak the rest of the app; not a fix."""
    if sys.version_info < (3, 12):
        import ctypes

        for obj in (None, True, False):
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


def none_trend(samples: list[tuple[float, int]]) -> dict | None:
    """Slope of None's refcount per minute and, if falling, the minutes until it reaches 0."""
    import numpy as np

    if len(samples) < 3:
        return None
    t = np.array([s[0] for s in samples]) / 60.0
    n = np.array([s[1] for s in samples], np.float64)
    slope = float(np.polyfit(t, n, 1)[0]) if t[-1] > t[0] else 0.0
    out = {"start": int(n[0]), "end": int(n[-1]), "per_min": round(slope, 1)}
    if slope < -1.0:
        out["minutes_to_abort"] = round(float(n[-1]) / -slope, 1)
    return out


def default_warmup(seconds: float) -> float:
    """Long enough for MediaPipe's and onnxruntime's allocators to settle; at most a minute."""
    return min(60.0, max(5.0, 0.1 * seconds))


def summarise(samples: list[tuple[float, float]]) -> dict:
    """(elapsed s, RSS MB) samples after warm-up -> growth figures."""
    import numpy as np

    if not samples:
        return {"samples": 0}
    t = np.array([s[0] for s in samples])
    mb = np.array([s[1] for s in samples])
    k = min(3, len(mb))
    first, last = float(np.median(mb[:k])), float(np.median(mb[-k:]))
    slope = float(np.polyfit(t / 60.0, mb, 1)[0]) if len(mb) >= 3 and t[-1] > t[0] else 0.0
    return {"samples": len(mb), "rss_start_mb": round(first, 1), "rss_end_mb": round(last, 1),
            "rss_max_mb": round(float(mb.max()), 1), "rss_growth_mb": round(last - first, 1),
            "rss_slope_mb_per_min": round(slope, 3)}


def soak_threads(clip: Path, model: Path | None, seconds: float, warmup: float, every: float,
                 classify_every: int) -> dict:
    from slr_desktop.app.session import measure_live

    samples: list[tuple[float, float]] = []
    nones: list[tuple[float, int]] = []

    def sample(el: float) -> None:
        samples.append((round(el, 2), round(rss_mb(), 2)))
        if (n := none_refs()) is not None:
            nones.append((round(el, 2), n))

    live = measure_live(clip, model, seconds, warmup_s=warmup, classify_every=classify_every,
                        sample=sample, sample_every_s=every)
    return {"mode": "threads", "live": live, "rss": summarise(samples), "none_refcount": none_trend(nones),
            "rss_samples": samples}


def soak_window(clip: Path, model: Path | None, seconds: float, warmup: float, every: float) -> dict:
    """The real MainWindow, offscreen, on the looped clip; sampled from a Qt timer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer

    from slr_desktop.app import dialogs as errors
    from slr_desktop.app.main import create_app
    from slr_desktop.app.main_window import MainWindow
    from slr_desktop.app.settings import SettingsStore
    from slr_desktop.app.sources import looping_spec

    dialogs: list[tuple[str, str]] = []
    errors.set_dialog_hook(lambda parent, title, text: dialogs.append((title, text)))
    app = create_app()
    tmp = tempfile.TemporaryDirectory()
    win = MainWindow(store=SettingsStore(Path(tmp.name) / "settings.ini"))
    win.resize(1100, 680)
    win.show()
    samples: list[tuple[float, float]] = []
    nones: list[tuple[float, int]] = []
    state: dict = {}
    t0 = time.perf_counter()

    def tick() -> None:
        el = time.perf_counter() - t0
        if "base" not in state and el >= warmup:
            state["t_warm"] = el
            state["base"] = (win.session.capture_meter.count, win.session.landmark_meter.count,
                             win.session.dropped, win.results_seen)
        if "base" in state:
            samples.append((round(el - state["t_warm"], 2), round(rss_mb(), 2)))
            if (n := none_refs()) is not None:
                nones.append((round(el - state["t_warm"], 2), n))
            if el - state["t_warm"] >= seconds:
                st = win.stats()
                b = state["base"]
                span = el - state["t_warm"]
                state["live"] = {
                    "seconds": round(span, 2), "warmup_s": warmup,
                    "frames_captured": st["frames_captured"] - b[0],
                    "frames_processed": st["frames_tracked"] - b[1], "frames_dropped": st["dropped"] - b[2],
                    "results_drawn": win.results_seen - b[3],
                    "processed_fps": round((st["frames_tracked"] - b[1]) / span, 2),
                    "latency_ms_ema": round(st["latency_ms"], 1), "track_ms_mean": round(st["track_ms"], 2),
                    "classify_ms_mean": round(st["classify_ms"], 2)}
                timer.stop()
                win.close()
                state["stop_s"] = win.shutdown_s
                app.quit()

    timer = QTimer(win)
    timer.timeout.connect(tick)
    win.start(source=looping_spec(clip), model=str(model) if model else None)
    timer.start(int(every * 1000))
    app.exec()
    if not win._closed:
        win.close()
    # delete the window while Qt is fully alive: left to interpreter shutdown, PySide6 and the
    # MediaPipe/onnxruntime objects it references were seen to crash in finalisation
    win.deleteLater()
    app.processEvents()
    del win, timer
    import gc

    gc.collect()
    tmp.cleanup()
    live = state.get("live", {})
    live["stop_s"] = state.get("stop_s")
    live["dialogs"] = dialogs
    return {"mode": "window", "live": live, "rss": summarise(samples), "none_refcount": none_trend(nones),
            "rss_samples": samples}


def run(clip: Path, model: Path | None, minutes: float, warmup: float | None = None,
        every: float | None = None, window: bool = False, classify_every: int = 2,
        pin: bool = False) -> dict:
    seconds = minutes * 60.0
    warmup = default_warmup(seconds) if warmup is None else warmup
    every = every if every is not None else max(1.0, min(10.0, seconds / 30.0))
    if model is None:
        from slr_desktop.core.model_registry import default_model

        model = default_model()  # raises ModelError (one line) when there is none
    if pin:
        pin_none()
    t0 = time.time()
    if window:
        res = soak_window(clip, model, seconds, warmup, every)
    else:
        res = soak_threads(clip, model, seconds, warmup, every, classify_every)
    res.update(clip=str(clip), model=str(model) if model else "(default)", minutes=minutes, pin_none=pin,
               python=sys.version.split()[0],
               warmup_s=warmup, sample_every_s=every, wall_s=round(time.time() - t0, 1),
               cpus=os.cpu_count(), load_avg_end=[round(x, 2) for x in os.getloadavg()])
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP, help=f"real video clip (default {DEFAULT_CLIP.name})")
    p.add_argument("--model", type=Path, help="ONNX model (default: the app's default model)")
    p.add_argument("--minutes", type=float, default=20.0, help="measured time after warm-up (default 20)")
    p.add_argument("--warmup", type=float, help="seconds before the first sample (default 10%% of the run, 5..60)")
    p.add_argument("--sample", type=float, help="seconds between RSS samples (default run/30, 1..10)")
    p.add_argument("--window", action="store_true", help="soak the Qt window (offscreen) too")
    p.add_argument("--classify-every", type=int, default=2)
    p.add_argument("--pin-none", action="store_true",
                   help="make None immortal first (Python < 3.12 workaround for extensions that leak "
                        "None references, e.g. PySide6 6.12.0; see none_refs)")
    p.add_argument("--max-growth-mb", type=float, help="exit 1 when the RSS growth exceeds this")
    p.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = p.parse_args(argv)
    if args.minutes <= 0:
        p.error("--minutes must be > 0")

    from slr_desktop.core.errors import run_cli

    return run_cli("soak", lambda: _run_and_report(args))


def _run_and_report(args: argparse.Namespace) -> int:
    from slr_desktop.classify import native_stderr_silenced
    from slr_desktop.core.atomic import check_output_file

    if args.json:  # an unwritable --json fails now, not after the soak
        check_output_file(args.json, "--json file")
    with native_stderr_silenced():
        res = run(args.clip, args.model, args.minutes, args.warmup, args.sample, args.window,
                  args.classify_every, args.pin_none)
    r, live = res["rss"], res["live"]
    print(f"soak ({res['mode']}): {live.get('seconds', 0):.0f} s after {res['warmup_s']:.0f} s warm-up, "
          f"{live.get('frames_processed', 0)} frames processed, {live.get('frames_dropped', 0)}/"
          f"{live.get('frames_captured', 0)} dropped")
    if r.get("samples"):
        print(f"RSS {r['rss_start_mb']:.1f} -> {r['rss_end_mb']:.1f} MB (growth {r['rss_growth_mb']:+.1f} MB, "
              f"slope {r['rss_slope_mb_per_min']:+.2f} MB/min, max {r['rss_max_mb']:.1f} MB, "
              f"{r['samples']} samples)")
    nt = res.get("none_refcount")
    if nt and nt.get("minutes_to_abort") is not None and nt["minutes_to_abort"] < 525_600:  # a year
        print(f"WARNING: None's refcount falls {-nt['per_min']:.0f}/min (now {nt['end']}): this process would "
              f"abort with 'deallocating None' in about {nt['minutes_to_abort']:.1f} min (see --pin-none)")
    if args.json:
        from slr_desktop.core.atomic import atomic_write_text

        atomic_write_text(args.json, json.dumps(res, indent=1) + "\n")
        print(f"written to {args.json}")
    if args.max_growth_mb is not None and r.get("rss_growth_mb", 0.0) > args.max_growth_mb:
        print(f"soak: RSS grew {r['rss_growth_mb']:.1f} MB > {args.max_growth_mb:g} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
