"""`slr-train extract` on real clips: workers, kill + resume, failures, hostile gloss names."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slr_desktop.core.landmarks import LandmarkSequence
from trainer.extract import FAILURES_NAME, find_jobs
from trainer.landmark_sets import load_set

# small real clips (288x192 WLASL, 22-38 frames) + one corrupt file
CLIPS = {"24955.mp4": "go", "01377.mp4": "../x", "15296.mp4": "a/b"}

RUNNER = ("import argparse, sys; from trainer import extract as E; p = argparse.ArgumentParser(); "
          "E.configure_parser(p); sys.exit(E.run(p.parse_args(sys.argv[1:])))")


def _csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture()
def videos(tmp_path, shared_dir) -> Path:
    d = tmp_path / "videos"
    d.mkdir()
    for name in CLIPS:
        shutil.copy(shared_dir / "datasets" / "wlasl_clips" / name, d / name)
    (d / "corrupt.mp4").write_bytes(os.urandom(4096))
    with open(d / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "gloss", "split"])
        for name, gloss in CLIPS.items():
            w.writerow([name, gloss, "train"])
        w.writerow(["corrupt.mp4", "broken", "test"])
    return d


def test_find_jobs_from_folders_and_manifest(tmp_path, videos):
    tree = tmp_path / "tree"
    for gloss, name in (("hello", "a.mp4"), ("hello", "b.MP4"), ("thank you", "a.mp4")):
        (tree / gloss).mkdir(parents=True, exist_ok=True)
        (tree / gloss / name).write_bytes(b"x")
    (tree / "notes.txt").write_text("not a video")
    jobs = find_jobs(tree)
    assert [(j.gloss, j.out_rel) for j in jobs] == [
        ("hello", "hello/a.npz"), ("hello", "hello/b.npz"), ("thank you", "thank_you/a.npz")]
    jobs = find_jobs(videos, videos / "manifest.csv")
    by_file = {j.rel: j for j in jobs}
    assert by_file["01377.mp4"].gloss == "../x" and by_file["15296.mp4"].gloss == "a/b"
    out = (tmp_path / "out").resolve()
    for j in jobs:
        target = (out / j.out_rel).resolve()
        assert target.is_relative_to(out) and target.parent.parent == out
    assert dict(by_file["24955.mp4"].extra) == {"split": "train"}


@pytest.mark.slow
def test_extract_killed_and_resumed(tmp_path, videos):
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", RUNNER, str(videos), str(out), "--manifest", str(videos / "manifest.csv"),
           "--workers", "2", "--no-progress"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            if any(out.rglob("*.npz")):
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)   # main process and its workers, mid-run
        proc.wait()
    first = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.npz"))
    assert first, "nothing was extracted before the kill"
    # what a kill during a write leaves behind
    (out / "go").mkdir(exist_ok=True)
    (out / "go" / ".24955.npz.x1y2.part").write_bytes(b"half a file")

    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=400)
    assert res.returncode == 1, res.stderr[-2000:]          # 1: finished, with a logged failure
    assert "1 failed" in res.stdout

    assert not list(out.rglob("*.part"))
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.npz") if p.name[0] != ".")
    assert files == ["_.._x/01377.npz", "a_b/15296.npz", "go/24955.npz"]
    assert set(first) <= set(files)
    failures = _csv(out / FAILURES_NAME)
    assert [r["file"] for r in failures] == ["corrupt.mp4"] and failures[0]["error"]
    index = _csv(out / "index.csv")
    assert sorted(r["gloss"] for r in index) == sorted(CLIPS.values())

    seqs = {s.meta["id"]: s for s in load_set(out, cache=False)}
    assert set(seqs) == {"24955", "01377", "15296"}
    go = seqs["24955"]
    assert go.gloss == "go" and (go.width, go.height) == (288, 192) and len(go) == 60
    assert go.meta["group"] == "24955" and go.meta["real"] and go.meta["manifest"]["split"] == "train"
    assert go.timestamps_ms is not None and abs(go.fps - 29.97) < 0.01
    assert go.mask[:, :33].any(), "no pose tracked in a clip with a signer"
    assert LandmarkSequence.load(out / "a_b/15296.npz").gloss == "a/b"

    # a third run has nothing to do
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=400)
    assert "0 extracted, 3 already done" in res.stdout
