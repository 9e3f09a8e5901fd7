"""The app on a real X server (Xvfb, xcb platform plugin): starts, tracks a clip, exits cleanly.

Skipped where `xvfb-run` is not installed (`apt-get install xvfb libxcb-cursor0 ...`).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed")
def test_app_on_xvfb(tmp_path, random_model, small_clip):
    out = tmp_path / "xvfb.png"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", SLR_SETTINGS_FILE=str(tmp_path / "s.ini"),
               SLR_NO_DIALOGS="1", SLR_STARTUP_PROBE=repr(time.time()))
    env.pop("DISPLAY", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "slr_desktop.app.main",
           "--source", str(small_clip), "--model", str(random_model), "--screenshot", str(out),
           "--exit-after", "3"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.is_file() and out.stat().st_size > 10_000
    assert "landmarks" in proc.stdout  # the stage summary printed on exit
    # the window painted (before the model and MediaPipe loaded), and said when (benchmarks/startup.py)
    assert re.search(r"first paint after [0-9.]+ s", proc.stderr), proc.stderr[-2000:]
