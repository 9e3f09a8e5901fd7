"""`slr-desktop classify` end to end, as a user runs it (a subprocess), plus the aggregation rule."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from slr_desktop.classify import aggregate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cli() -> list[str]:
    exe = shutil.which("slr-desktop", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "slr_desktop.cli"]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*_cli(), *map(str, args)], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, **(env or {})})


def _one_error_line(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    return lines[0]


@pytest.fixture(scope="module")
def json_run(random_model, small_clip):
    return run_cli("classify", small_clip, "--model", random_model, "--json", "--stride", "4")


def test_json_output(json_run, random_model):
    assert json_run.returncode == 0, json_run.stderr
    doc = json.loads(json_run.stdout)  # exactly one JSON document
    assert doc["model"]["path"] == str(random_model) and doc["model"]["n_labels"] == 12
    assert len(doc["top"]) == 5
    assert all(0.0 <= t["prob"] <= 1.0 for t in doc["top"])
    assert [t["prob"] for t in doc["top"]] == sorted((t["prob"] for t in doc["top"]), reverse=True)
    assert len({t["label"] for t in doc["top"]}) == 5
    assert doc["windows"] and all(len(w["top"]) == 5 and w["end_s"] > w["start_s"] for w in doc["windows"])
    assert doc["video"]["frames"] == 60
    t = doc["timing"]
    assert t["frames"] == 60 and t["total_ms_median"] > 0 and {"pose_ms_median", "hands_ms_median"} <= set(t)


def test_human_table(random_model, small_clip):
    p = run_cli("classify", small_clip, "--model", random_model, "--top", "3", "--no-progress")
    assert p.returncode == 0, p.stderr
    assert "overall top 3:" in p.stdout and "window" in p.stdout
    assert "(status: " in p.stdout   # the decoder's verdict is named as a status, not as a sign
    assert p.stderr == ""  # native MediaPipe logging is kept off the terminal


def test_random_bytes_video(tmp_path, random_model):
    bad = tmp_path / "noise.mp4"
    bad.write_bytes(np.random.default_rng(0).bytes(20_000))
    line = _one_error_line(run_cli("classify", bad, "--model", random_model))
    assert "noise.mp4" in line and "not a video" in line


@pytest.mark.parametrize("kind", ["empty", "missing", "text"])
def test_unusable_videos(tmp_path, random_model, kind):
    p = tmp_path / f"{kind}.mp4"
    if kind == "empty":
        p.touch()
    elif kind == "text":
        p.write_text("hello\n")
    _one_error_line(run_cli("classify", p, "--model", random_model, "--json"))


def test_bad_model(tmp_path, small_clip):
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"\x08\x07" + np.random.default_rng(2).bytes(1000))
    line = _one_error_line(run_cli("classify", small_clip, "--model", bad))
    assert "broken.onnx" in line


def test_missing_model(tmp_path, small_clip):
    line = _one_error_line(run_cli("classify", small_clip, "--model", tmp_path / "none.onnx"))
    assert "not found" in line


def test_missing_bundle(tmp_path, random_model, small_clip):
    env = {"SLR_MEDIAPIPE_DIR": str(tmp_path), "SLR_MEDIAPIPE_OFFLINE": "1",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    line = _one_error_line(run_cli("classify", small_clip, "--model", random_model, env=env))
    assert "SLR_MEDIAPIPE_DIR" in line


def test_help_works_without_heavy_imports():
    p = run_cli("--help")
    assert p.returncode == 0 and "classify" in p.stdout and "--screenshot" in p.stdout
    p = run_cli("classify", "--help")
    assert p.returncode == 0 and "--stride" in p.stdout


def test_aggregate_mean_of_confident_windows():
    probs = np.array([[0.4, 0.3, 0.3],    # idle lead-in, not confident
                      [0.1, 0.8, 0.1],
                      [0.1, 0.6, 0.3],
                      [0.5, 0.25, 0.25]])
    clip, used = aggregate(probs, threshold=0.6)
    assert used == [1, 2]
    np.testing.assert_allclose(clip, [0.1, 0.7, 0.2])
    clip, used = aggregate(probs, threshold=0.9)   # nobody qualifies: the single best window
    assert used == [1] and np.array_equal(clip, probs[1])
    clip, used = aggregate(probs, threshold=0.6, idle_index=1)  # idle windows never count
    assert used == [3]


def test_app_options_parse():
    """App flags need no subcommand; a first word that is a subcommand selects it."""
    from slr_desktop.cli import SUBCOMMANDS, app_parser

    a = app_parser().parse_args(["--source", "clip.mp4", "--screenshot", "a.png", "--exit-after", "10"])
    assert (a.source, a.screenshot, a.exit_after, a.model) == ("clip.mp4", "a.png", 10.0, None)
    assert app_parser().parse_args([]).source is None
    assert set(SUBCOMMANDS) >= {"classify", "benchmark"}
