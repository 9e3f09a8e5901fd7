"""The Teach window in the real app on a real X server (Xvfb): record two signs x three takes from
a looping WLASL clip through the buttons, train, see the model in the Model menu; and the app
killed in the middle of a take loses that take only.

The driver (tests/teach_ui_driver.py) runs under `xvfb-run` with every user folder (XDG data,
cache, config) in tmp_path, so nothing touches the real home.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "teach_ui_driver.py"

pytestmark = [pytest.mark.xvfb, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed")]


def _env(tmp_path: Path, shared_dir: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", SLR_NO_DIALOGS="1", SLR_SHARED_DIR=str(shared_dir),
               SLR_SETTINGS_FILE=str(tmp_path / "settings.ini"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("DISPLAY", None)
    env.pop("SLR_MODELS_DIR", None)
    env.pop("SLR_PROJECTS_DIR", None)
    return env


def _cmd(*args: str) -> list[str]:
    return ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, str(DRIVER), *args]


def test_record_two_signs_train_and_use_the_model(tmp_path, shared_dir):
    out = tmp_path / "result.json"
    shot = tmp_path / "teach.png"
    proc = subprocess.run(_cmd(str(out), "--screenshot", str(shot)), cwd=ROOT, env=_env(tmp_path, shared_dir),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["menu_entry"] == ["Teach Signs…", "Ctrl+T"]
    assert "contains a space" in r["bad_name_error"] and "non-ASCII" in r["bad_name_error_2"]
    assert r["signs"] == {"alpha": 3, "-": 1, "beta": 3}
    assert r["rerecorded_changed"] and r["after_delete"] == 2 and r["after_remove"] == ["alpha"]
    assert all(r["hands"]["alpha"] + r["hands"]["beta"]), r["hands"]     # real signing: hands in every take
    assert all(0.3 <= d <= 2.0 for d in r["takes_alpha"] + r["takes_beta"])
    assert r["replay_started"]
    assert r["train_ok"], (r["train_error"], r["result_text"])
    assert ("my-signs", True) in [tuple(x) for x in r["menu_models"]]   # in the Model menu, selected
    assert r["loaded_model"] == "my-signs" and r["loaded_labels"] == ["alpha", "beta", "-"]
    assert "same-person accuracy" in r["result_text"] and "Selected in the Model menu" in r["result_text"]
    assert r["predictions_after"] > 3                                    # it runs live
    assert r["report"]["recorded_nothing"] == 1 and r["report"]["n_takes"] == 6
    models = tmp_path / "data" / "slr-desktop" / "models"
    assert (models / "my-signs.onnx").is_file() and (models / "my-signs.md").is_file()
    # the project is a landmark set the trainer reads like `slr-train import` output
    from trainer.landmark_sets import load_set

    seqs = load_set(Path(r["project"]))
    assert sorted({s.gloss for s in seqs}) == ["-", "alpha", "beta"] and len(seqs) == 7
    assert (Path(r["project"]) / "index.csv").read_text().count("\n") == 8
    assert shot.is_file() and shot.stat().st_size > 20_000


def test_killed_mid_take_loses_only_that_take(tmp_path, shared_dir):
    from slr_desktop.core.recording import Project
    from trainer.landmark_sets import load_set

    proc = subprocess.Popen(_cmd(str(tmp_path / "r.json"), "--kill-mid-take"), cwd=ROOT,
                            env=_env(tmp_path, shared_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        deadline = time.time() + 600
        for line in proc.stdout:
            if "KILL-ME" in line or time.time() > deadline:
                break
        assert proc.poll() is None, "the driver ended before the second take"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)          # the app, mid-take, and its X server
        proc.wait(30)
    root = tmp_path / "data" / "slr-desktop" / "projects" / "my-signs"
    p = Project.open(root)
    assert p.counts() == {"alpha": 1}                # the finished take survived, the open one is gone
    assert not [x for x in root.rglob("*") if x.name.endswith(".part")]
    assert len(load_set(root, cache=False)) == 1
