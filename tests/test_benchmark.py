"""`slr-desktop benchmark` and benchmarks/soak.py on real clips with a random-weight model.

No timing thresholds (figures depend on the machine and its load): keys, types and sane ranges.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.core.timing import stats
from slr_desktop.core.video import LoopingVideo, VideoSource

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slr_desktop.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


def _stage_ok(s: dict) -> None:
    assert s["n"] > 0 and 0 < s["median_ms"] <= s["p90_ms"] < 10_000, s


@pytest.fixture(scope="module")
def bench(random_model, small_clip, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    p = _cli("benchmark", small_clip, "--model", random_model, "--json", out, "--live", "2")
    assert p.returncode == 0, p.stderr[-3000:]
    return p, json.loads(out.read_text())


def test_benchmark_json_keys_and_ranges(bench, random_model, small_clip):
    _, r = bench
    assert r["video"]["path"] == str(small_clip) and r["video"]["frames"] == 60
    assert (r["video"]["width"], r["video"]["height"]) == (288, 192)
    assert r["model"]["path"] == str(random_model)
    for key in ("landmarks_fps", "landmarks_fps_serial", "parallel_speedup", "classify_realtime_factor",
                "end_to_end_fps"):
        assert 0 < r[key] < 10_000, (key, r[key])
    assert 0 < r["classifier_ms"] < 1_000
    for name in ("decode", "pose", "hands", "landmarks_parallel", "landmarks_serial", "features",
                 "classifier", "features_classifier", "end_to_end"):
        _stage_ok(r["stages"][name])
    # steady frames: the first three (graph warm-up) are left out
    assert r["stages"]["landmarks_parallel"]["n"] == 57
    st = r["stages"]
    assert st["end_to_end"]["median_ms"] >= st["landmarks_parallel"]["median_ms"]  # per frame e2e >= track
    if r["classifier_torch_ms"] is not None:  # torch is a dev dependency, but optional
        _stage_ok(st["classifier_torch"])
    else:
        assert "skipped" in r["torch_note"]
    c = r["classify"]
    assert c["frames"] == 60 and c["wall_s"] > 0 and c["realtime_factor"] == pytest.approx(
        c["duration_s"] / c["wall_s"], rel=0.01)
    live = r["live"]
    # both counts are taken over the same span; a frame captured just before it may be processed in it
    # (the latest-frame queue holds one, the worker one more)
    assert live["frames_processed"] > 0 and live["frames_captured"] + 2 >= live["frames_processed"]
    assert live["latency_all"]["n"] > 0 and live["latency_all"]["median_ms"] > 0
    assert live["threads_left"] == [] and live["stop_s"] < 2.0
    assert not [e for e in live["events"] if e[0] in ("pipeline", "tracker", "bundle", "open-failed")]
    assert r["live_latency_ms"] == live["latency_all"]["median_ms"]
    assert set(r["targets"]) == {"landmarks_fps", "classifier_ms", "classify_realtime_factor",
                                 "live_latency_ms"}
    assert all(t["met"] in (True, False) for t in r["targets"].values())
    assert r["machine"]["cpus"] >= 1 and len(r["machine"]["load_avg_start"]) == 3


def test_benchmark_prints_a_table(bench):
    p, _ = bench
    for text in ("decode", "pose (parallel pass)", "landmark throughput:", "classify_video:", "targets:"):
        assert text in p.stdout, text


def test_benchmark_without_a_model_is_one_line(small_clip, tmp_path):
    p = _cli("benchmark", small_clip, env={"SLR_DEFAULT_MODEL": "no-such-model",
                                           "SLR_MODELS_DIR": str(tmp_path)})
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "no-such-model" in lines[0] and "Traceback" not in p.stderr


def test_benchmark_unreadable_video_is_one_line(tmp_path, random_model):
    bad = tmp_path / "noise.mp4"
    bad.write_bytes(np.random.default_rng(0).bytes(10_000))
    p = _cli("benchmark", bad, "--model", random_model)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "noise.mp4" in p.stderr


def test_stats():
    s = stats([1.0, 2.0, 3.0, 4.0, 10.0])
    assert s["n"] == 5 and s["median_ms"] == 3.0 and s["p90_ms"] == pytest.approx(7.6)
    assert s["fps"] == pytest.approx(333.3, abs=0.1)
    assert stats([]) == {"n": 0}


def test_looping_video_is_one_continuous_stream(small_clip):
    src = LoopingVideo(small_clip)
    try:
        items = [src.read() for _ in range(130)]  # 60-frame clip: two loops and a bit
    finally:
        src.release()
    stamps = np.array([ts for _, ts in items])
    assert np.all(np.diff(stamps) > 0) and src.loops == 2
    assert np.array_equal(items[0][0], items[60][0]) and np.array_equal(items[5][0], items[125][0])
    assert abs(int(np.diff(stamps).max()) - 33) <= 1  # no gap at the seam


def test_video_source_seek(small_clip):
    with VideoSource(small_clip) as src:
        frames = [f for f, _ in src]
        src.seek(30)
        bgr, ts = src.read()
        assert ts == round(30 * 1000 / src.fps) and src.frames_read == 31
        assert np.array_equal(bgr, frames[30])
        src.seek(0)
        assert src.read()[1] == 0


def test_soak_half_a_minute_memory_is_flat(random_model, signing_clip, tmp_path):
    """benchmarks/soak.py as a user runs it, on the real 640x480 clip looped for 30 s after warm-up."""
    out = tmp_path / "soak.json"
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--minutes", "0.5",
                        "--warmup", "5", "--clip", str(signing_clip), "--model", str(random_model),
                        "--json", str(out)], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(out.read_text())
    live, rss = r["live"], r["rss"]
    assert live["frames_processed"] > 100 and live["loops"] >= 5
    assert live["latency_classified"]["n"] > 0
    assert live["threads_left"] == [] and not [e for e in live["events"] if e[0] != "ended"]
    assert rss["samples"] >= 10 and rss["rss_growth_mb"] <= 30.0, rss
    assert "RSS" in p.stdout
