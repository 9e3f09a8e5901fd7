"""Past one machine: `extract --engine ray` (a local Ray here) and `train` under torchrun (DDP, gloo, CPU).

Ray must write the same bytes per clip as the local pool, resume, and report a bad clip without
stopping; torchrun with 2 processes must train and write the same checkpoint format as one process.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.extract import FAILURES_NAME, extract_all, find_jobs

CLIPS = ("24955.mp4", "01377.mp4", "15296.mp4")     # small real WLASL clips


@pytest.fixture()
def videos(tmp_path, shared_dir) -> Path:
    d = tmp_path / "videos" / "sign"
    d.mkdir(parents=True)
    for name in CLIPS:
        shutil.copy(shared_dir / "datasets" / "wlasl_clips" / name, d / name)
    (d / "corrupt.mp4").write_bytes(os.urandom(4096))
    return d.parent


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.npz"))}


@pytest.mark.slow
def test_ray_engine_matches_local_pool_resumes_and_reports_failures(videos, tmp_path):
    pytest.importorskip("ray", reason="install.sh installs the [cluster] extra")
    jobs = find_jobs(videos)
    # same folder name on both sides: the set's name is recorded in every file
    local = extract_all(jobs, tmp_path / "local" / "set", workers=1, progress=False)
    ray_run = extract_all(jobs, tmp_path / "ray" / "set", workers=2, progress=False, engine="ray")
    for s in (local, ray_run):
        assert (s.extracted, [f for f, _ in s.failures]) == (3, ["sign/corrupt.mp4"])
        assert s.fatal is None
    a, b = _outputs(tmp_path / "local" / "set"), _outputs(tmp_path / "ray" / "set")
    assert sorted(a) == [f"sign/{Path(c).stem}.npz" for c in sorted(CLIPS)]
    assert a == b                                                   # byte for byte, per clip
    assert "corrupt.mp4" in (tmp_path / "ray" / "set" / FAILURES_NAME).read_text()

    # resume: only the missing clip is tracked again, to the same bytes
    (tmp_path / "ray" / "set" / "sign" / "01377.npz").unlink()
    again = extract_all(jobs, tmp_path / "ray" / "set", workers=2, progress=False, engine="ray")
    assert (again.done_before, again.extracted, len(again.failures)) == (2, 1, 1)   # corrupt: tried again
    assert _outputs(tmp_path / "ray" / "set") == a
    assert not __import__("ray").is_initialized()                   # the private local Ray was stopped


def test_ray_missing_is_one_line(videos, tmp_path, monkeypatch):
    from trainer import extract

    monkeypatch.setitem(sys.modules, "ray", None)                    # not installed
    parser = __import__("argparse").ArgumentParser()
    extract.configure_parser(parser)
    args = parser.parse_args([str(videos), str(tmp_path / "out"), "--engine", "ray", "--no-progress"])
    assert extract.run(args) == 2
    args = parser.parse_args([str(videos), str(tmp_path / "out"), "--address", "auto"])
    assert extract.run(args) == 2                                    # --address without --engine ray


@pytest.fixture(scope="module")
def letters(shared_dir, tmp_path_factory) -> Path:
    from trainer.importers import import_dataset

    out = tmp_path_factory.mktemp("letters")
    import_dataset("cafe_words", shared_dir / "datasets" / "cafe_words", out, labels={"b", "c", "e"}, progress=False)
    return out


TINY = ["--epochs", "1", "--threads", "1", "--batch", "16", "--no-progress", "--set", "model.seq_len=24",
        "--set", "model.d_model=32", "--set", "fps=15"]


@pytest.mark.slow
def test_torchrun_two_processes_trains_with_the_same_checkpoint_format(letters, tmp_path):
    from trainer.checkpoint import load_checkpoint, model_from_checkpoint
    from trainer.cli import main as slr_train

    assert slr_train(["train", "--data", str(letters), "--out", str(tmp_path / "one"), *TINY]) == 0
    launcher = Path(sys.executable).parent / "slr-train"
    res = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          "--no-python", str(launcher), "train", "--data", str(letters),
                          "--out", str(tmp_path / "ddp"), *TINY],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "data-parallel: 2 processes, backend gloo" in res.stdout
    one, ddp = load_checkpoint(tmp_path / "one" / "best.pt"), load_checkpoint(tmp_path / "ddp" / "best.pt")
    assert sorted(ddp) == sorted(one)                                # same keys, incl. test_metrics
    assert ddp["model_args"] == one["model_args"] and ddp["labels"] == one["labels"]
    assert {k: v.shape for k, v in ddp["model"].items()} == {k: v.shape for k, v in one["model"].items()}
    # each process saw its own half of the training windows: fewer optimiser steps than one process
    n_train = int(re.search(r"train (\d+) /", res.stdout).group(1))
    per_rank = -(-n_train // 2)
    assert ddp["step"] == (per_rank // 16 if per_rank > 16 else 1) < one["step"]
    model_from_checkpoint(ddp)                                       # loads into the plain model
    for name in ("last.pt", "log.csv", "config.yaml", "test_metrics.json"):
        assert (tmp_path / "ddp" / name).is_file(), name
