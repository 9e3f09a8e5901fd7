"""The fault matrix's command-line rows (docs/FAULTS.md): every bad input to `slr-desktop classify /
benchmark` and `slr-train import / extract / train / evaluate / export` is one line and exit 2,
checked before any output is written; a finished training run is never overwritten by accident.

Most cases run the CLIs in-process (`trainer.cli.main`, `slr_desktop.cli.main`: the same code path
as the console scripts, without a torch import per case) on tiny synthetic inputs; read-only
folders run in one subprocess as an unprivileged user (`unshare --user` when the tests run as root,
who may write anywhere).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import wave
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--epochs", "1", "--batch", "8", "--threads", "1", "--no-progress", "--set", "fps=15",
        "--set", "model.seq_len=16", "--set", "model.d_model=16", "--set", "model.d_state=4",
        "--set", "split.val_fraction=0.2", "--set", "split.test_fraction=0.2", "--set", "placement=centre"]


def one_line(capsys, rc: int) -> str:
    """The single stderr line of a command that failed with exit code 2."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "Traceback" not in err, (rc, err[-2000:])
    return lines[0]


def slr_train(*args) -> int:
    from trainer.cli import main

    return main([str(a) for a in args])


def slr_desktop(*args) -> int:
    from slr_desktop.cli import main

    return main([str(a) for a in args])


def tree(path: Path) -> dict[str, bytes]:
    """Every file under `path` with its bytes (what 'nothing was written / changed' compares)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()} \
        if path.exists() else {}


# ------------------------------------------------------------------------------ tiny inputs
@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory) -> Path:
    """A landmark set of 3 labels x 8 sequences of 20 frames (a jittered body): trains in seconds."""
    root = tmp_path_factory.mktemp("tiny_set")
    rng = np.random.default_rng(0)
    for li, label in enumerate(("a", "b", "c")):
        for s in range(8):
            pts = rng.uniform(0.3, 0.7, (20, LAYOUT.n_points, 3)).astype(np.float32)
            pts[:, LAYOUT.right_hand, 0] += 0.05 * li
            LandmarkSequence(points=pts, mask=np.ones((20, LAYOUT.n_points), bool), fps=15.0, width=640,
                             height=480, gloss=label, meta={"id": f"{label}{s}", "group": f"{label}{s}"}
                             ).save(root / label / f"{s:04d}.npz")
    return root


@pytest.fixture(scope="module")
def finished_run(tiny_set, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "done"
    assert slr_train("train", "--data", tiny_set, "--out", out, *TINY) == 0
    assert (out / "best.pt").is_file() and (out / "test_metrics.json").is_file()
    return out


def make_archive(root: Path, labels=("a", "b", "c"), n_seq: int = 3, nan: bool = False, features: int = 258,
                 frames: int = 20, columns: list[str] | None = None) -> Path:
    """A shared-dataset folder in cafe_words' layout (MP_Data.tar.xz of per-frame .npy + sequences.csv)."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tf:
        for label in labels:
            for s in range(n_seq):
                for f in range(frames):
                    x = rng.uniform(0.2, 0.8, features)
                    if nan and s == 0 and f == 3:
                        x[5], x[140] = np.nan, np.inf
                    b = io.BytesIO()
                    np.save(b, x)
                    info = tarfile.TarInfo(f"MP_Data/{label}/{s}/{f}.npy")
                    info.size = len(b.getvalue())
                    tf.addfile(info, io.BytesIO(b.getvalue()))
    (root / "MP_Data.tar.xz").write_bytes(buf.getvalue())
    columns = columns or ["folder", "label", "sequence", "n_frames", "added_by_git_author", "added_in_commit",
                          "commit_date"]
    with open(root / "sequences.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for label in labels:
            for s in range(n_seq):
                row = dict(folder="MP_Data", label=label, sequence=s, n_frames=frames, added_by_git_author="r1",
                           added_in_commit="abc", commit_date="2022-01-01", kind="real")
                w.writerow([row.get(c, "") for c in columns])
    return root


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory) -> Path:
    """A real (random-weight) checkpoint as `slr-train train` writes it, without training."""
    from trainer.checkpoint import save_checkpoint
    from trainer.config import TrainConfig
    from trainer.model import ModelConfig, build_model

    cfg = ModelConfig(n_classes=3, seq_len=16, d_model=16, d_state=4)
    path = tmp_path_factory.mktemp("ckpt") / "best.pt"
    save_checkpoint(dict(model_args=cfg.to_dict(), model=build_model(cfg).state_dict(), labels=["a", "b", "c"],
                         config=TrainConfig(fps=15.0).to_dict(), split="none", test_ids=[], epoch=1,
                         best_metric=0.5), path)
    return path


# ------------------------------------------------------------------------------ train: config
@pytest.mark.parametrize("extra, expect", [
    (["--set", "epocs=3"], "unknown config key epocs (did you mean epochs?)"),
    (["--set", "split.metod=group"], "unknown config key split.metod (did you mean split.method?)"),
    (["--set", "model.transform.use_zz=1"], "model.transform.use_zz"),
    (["--set", "model.n_classes=3"], "derived"),
    (["--config", "{syntax}"], "YAML syntax error at line 2"),
    (["--config", "{two}"], "config key epochs: expected an integer, got 'two'"),
    (["--config", "{missing}"], "config file not found"),
    (["--config", "{folder}"], "is a folder, not a YAML file"),
    (["--config", "{binary}"], "not a text (UTF-8) file"),
    (["--config", "{listtop}"], "top level"),
    (["--set", "epochs"], "--set expects KEY=VALUE"),
    (["--set", "epochs=["], "--set epochs=[: YAML syntax error"),
    (["--set", "labels=[no, a]"], "labels[0]: expected text, got False (YAML reads yes/no/on/off"),
    (["--set", "augment.scale=5"], "augment.scale: expected a list of 2 numbers, got 5"),
    (["--set", "lr=nan"], "config key lr: expected a number, got nan"),
    (["--set", "split.val_fraction=2"], "split: val_fraction must be in [0, 1)"),
    (["--set", "model.dt_rank=x"], "dt_rank must be an integer or 'auto'"),
    (["--labels", "zz"], "labels not in"),
    (["--set", "split.method=group", "--set", "split.test_groups=[nobody]"], "unknown group(s) ['nobody']"),
    (["--resume", "--overwrite"], "give one"),
    (["--set", "model.seq_len=100000"], "seq_len must be <= 1024"),
])
def test_train_config_mistakes_are_one_line_and_write_nothing(tiny_set, tmp_path, capsys, extra, expect):
    files = {"syntax": "epochs: [\n", "two": "epochs: two\n", "binary": None, "listtop": "- a\n- b\n"}
    for name, text in files.items():
        p = tmp_path / f"{name}.yaml"
        p.write_bytes(bytes(range(256)) * 2) if text is None else p.write_text(text)
    subst = {"{missing}": tmp_path / "none.yaml", "{folder}": tmp_path}
    extra = [str(subst.get(a, tmp_path / f"{a[1:-1]}.yaml" if a.startswith("{") else a)) for a in extra]
    out = tmp_path / "run"
    # no --epochs flag: it would override the config file's `epochs: two`; each case fails before training
    line = one_line(capsys, slr_train("train", "--data", tiny_set, "--out", out, "--no-progress", *extra))
    assert expect in line, line
    assert not out.exists()  # not even config.yaml


@pytest.mark.parametrize("damage, expect", [
    ("missing", "landmark set folder not found"), ("empty", "no landmark files (.npz)"),
    ("truncated", "0003.npz: unreadable landmark file, corrupt or truncated"),
    ("nan", "0003.npz: NaN or infinite landmark coordinates"),
    ("clock", "0003.npz: timestamps are not one increasing number per frame"),
])
def test_train_data_faults_name_the_file_and_write_nothing(tiny_set, tmp_path, capsys, damage, expect):
    data = tmp_path / "set"
    if damage == "empty":
        data.mkdir()
    elif damage != "missing":
        shutil.copytree(tiny_set, data, ignore=shutil.ignore_patterns(".*"))
        victim = data / "a" / "0003.npz"
        if damage == "truncated":
            victim.write_bytes(victim.read_bytes()[:200])
        else:
            seq = LandmarkSequence.load(victim)
            if damage == "nan":
                seq.points[2, 11, 0] = np.nan
            else:
                seq.timestamps_ms = np.zeros(len(seq))
            seq.save(victim)
    out = tmp_path / "run"
    line = one_line(capsys, slr_train("train", "--data", data, "--out", out, *TINY))
    assert expect in line and not out.exists(), line


# ------------------------------------------------------------------------------ train: results
def test_a_finished_run_is_never_overwritten_without_overwrite(finished_run, tiny_set, capsys):
    before = tree(finished_run)
    # the same command again (say with other epochs): refused, nothing touched
    line = one_line(capsys, slr_train("train", "--data", tiny_set, "--out", finished_run, *TINY, "--epochs", "2"))
    assert "already holds a run" in line and "--overwrite" in line and "--resume" in line
    # --resume with other model settings: refused before anything is written (config.yaml too)
    line = one_line(capsys, slr_train("train", "--data", tiny_set, "--out", finished_run, *TINY, "--resume",
                                      "--set", "model.d_model=24"))
    assert "other labels or model settings" in line
    # --resume with other labels: the same
    line = one_line(capsys, slr_train("train", "--data", tiny_set, "--out", finished_run, *TINY, "--resume",
                                      "--labels", "a,b"))
    assert "other labels or model settings" in line
    assert tree(finished_run) == before
    # --resume of a folder whose last.pt is gone would start afresh and replace best.pt: refused
    (finished_run / "last.pt").rename(finished_run / "last.moved")
    try:
        line = one_line(capsys, slr_train("train", "--data", tiny_set, "--out", finished_run, *TINY, "--resume"))
    finally:
        (finished_run / "last.moved").rename(finished_run / "last.pt")
    assert "cannot resume" in line and "no last.pt" in line
    assert tree(finished_run) == before


def test_overwrite_replaces_a_run_and_resume_still_continues(finished_run, tiny_set, tmp_path, capsys):
    run = tmp_path / "copy"
    shutil.copytree(finished_run, run)
    old = (run / "best.pt").read_bytes()
    (run / ".last.pt.x1.part").write_bytes(b"half")
    assert slr_train("train", "--data", tiny_set, "--out", run, *TINY, "--set", "seed=1", "--overwrite") == 0
    assert (run / "best.pt").read_bytes() != old and (run / "test_metrics.json").is_file()
    assert not list(run.glob(".*.part"))
    # --resume of the finished run continues (here: two more epochs) as before
    assert slr_train("train", "--data", tiny_set, "--out", run, *TINY, "--set", "seed=1", "--epochs", "3",
                     "--resume") == 0
    assert "resuming" in capsys.readouterr().out
    from trainer.checkpoint import load_checkpoint

    assert load_checkpoint(run / "last.pt")["epoch"] == 3


def test_resume_from_a_damaged_last_pt_is_one_line(finished_run, tiny_set, tmp_path, capsys):
    run = tmp_path / "copy"
    shutil.copytree(finished_run, run)
    (run / "last.pt").write_bytes((run / "last.pt").read_bytes()[:500])
    before = tree(run)
    line = one_line(capsys, slr_train("train", "--data", tiny_set, "--out", run, *TINY, "--resume"))
    assert "last.pt is not a readable checkpoint" in line and tree(run) == before


# ------------------------------------------------------------------------ evaluate / export
def _bad_checkpoints(tmp: Path, good: Path, random_model: Path) -> dict[str, Path]:
    import torch

    ck = torch.load(good, weights_only=True)
    out = {"noise": tmp / "noise.pt", "truncated": tmp / "trunc.pt", "onnx": tmp / "model.pt",
           "state-dict": tmp / "sd.pt", "list": tmp / "list.pt", "int-labels": tmp / "labels.pt",
           "mismatch": tmp / "mismatch.pt", "missing": tmp / "absent.pt", "folder": tmp}
    out["noise"].write_bytes(np.random.default_rng(2).bytes(3000))
    out["truncated"].write_bytes(good.read_bytes()[:400])
    shutil.copy(random_model, out["onnx"])
    torch.save(ck["model"], out["state-dict"])
    torch.save([1, 2, 3], out["list"])
    torch.save(dict(ck, labels=[1, 2, 3]), out["int-labels"])
    torch.save(dict(ck, model_args=dict(ck["model_args"], d_model=24)), out["mismatch"])
    return out


CHECKPOINT_FAULTS = [("noise", "noise.pt is not a readable checkpoint: not a PyTorch checkpoint file"),
                     ("truncated", "trunc.pt is not a readable checkpoint: corrupt or truncated"),
                     ("onnx", "model.pt is not a readable checkpoint: it looks like an exported ONNX model"),
                     ("state-dict", "sd.pt is not an slr-train checkpoint (lacks model_args, model, labels)"),
                     ("list", "list.pt is not an slr-train checkpoint (it holds a list)"),
                     ("int-labels", "labels.pt: labels are not a list of distinct strings"),
                     ("mismatch", "mismatch.pt: weights do not fit its model settings"),
                     ("missing", "checkpoint not found"), ("folder", "is a folder, not a checkpoint")]


@pytest.mark.parametrize("fault, expect", CHECKPOINT_FAULTS)
def test_bad_checkpoint_to_evaluate_and_export(tiny_ckpt, tiny_set, random_model, tmp_path, capsys, fault, expect):
    bad = _bad_checkpoints(tmp_path, tiny_ckpt, random_model)[fault]
    line = one_line(capsys, slr_train("evaluate", bad, tiny_set, "--out", tmp_path / "ev"))
    assert expect in line, line
    line = one_line(capsys, slr_train("export", bad, tmp_path / "ex" / "m.onnx"))
    assert expect in line, line
    assert not (tmp_path / "ex").exists() and not (tmp_path / "ev").exists()


@pytest.mark.parametrize("model, expect", [("noise", "not a valid ONNX model"), ("truncated", "not a valid ONNX model"),
                                           ("threshold", "threshold must be a number in [0, 1], got '0.5'")])
def test_bad_onnx_to_evaluate(random_model, tiny_set, tmp_path, capsys, model, expect):
    p = tmp_path / f"{model}.onnx"
    data = random_model.read_bytes()
    if model == "noise":
        p.write_bytes(np.random.default_rng(3).bytes(5000))
    elif model == "truncated":
        p.write_bytes(data[: len(data) // 2])
    else:
        from test_faults import _tampered_model

        _tampered_model(random_model, p, lambda d: d.update(threshold="0.5"))
    assert expect in one_line(capsys, slr_train("evaluate", p, tiny_set, "--out", tmp_path / "ev"))


@pytest.mark.parametrize("args, expect", [
    (["--threshold", "5"], "model metadata: threshold must be a number in [0, 1], got 5.0"),
    (["--idle-label", "zz"], "--idle-label 'zz' is not one of the model's labels"),
    (["--name", "a\nb"], "name 'a\\nb' contains control characters"),
    (["--metrics", "{bad_json}"], "is not valid JSON"),
    (["--metrics", "{percent}"], "metrics.top1 must be a fraction in [0, 1], got '98%'"),
    (["--metrics", "{absent}"], "--metrics file not found"),
    (["--notes", "@{absent}"], "--notes file not found"),
])
def test_export_refuses_bad_metadata_before_writing(tiny_ckpt, tmp_path, capsys, args, expect):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "pct.json").write_text('{"top1": "98%"}')
    names = {"{bad_json}": "bad.json", "{percent}": "pct.json", "{absent}": "absent.json"}

    def placed(arg: str) -> str:
        for key, name in names.items():
            arg = arg.replace(key, str(tmp_path / name))
        return arg

    args = [placed(a) for a in args]
    out = tmp_path / "ex" / "m.onnx"
    line = one_line(capsys, slr_train("export", tiny_ckpt, out, *args))
    assert expect in line, line
    assert not out.exists() and not out.with_suffix(".md").exists()


def test_export_output_must_be_an_onnx_path(tiny_ckpt, tmp_path, capsys):
    assert "must end in .onnx" in one_line(capsys, slr_train("export", tiny_ckpt, tmp_path / "m.bin"))
    (tmp_path / "file").write_text("x")
    line = one_line(capsys, slr_train("export", tiny_ckpt, tmp_path / "file" / "m.onnx"))
    assert "is a file, not a folder" in line


def test_evaluate_output_paths_checked_first(tiny_ckpt, tiny_set, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    line = one_line(capsys, slr_train("evaluate", tiny_ckpt, tiny_set, "--out", tmp_path / "file"))
    assert "--out folder" in line and "is a file" in line
    line = one_line(capsys, slr_train("evaluate", tiny_ckpt, tiny_set, "--json", tmp_path / "file" / "e.json"))
    assert "is a file, not a folder" in line


def test_evaluate_on_data_without_a_known_label(tiny_ckpt, tmp_path, capsys):
    other = tmp_path / "other"
    LandmarkSequence(points=np.full((5, LAYOUT.n_points, 3), 0.5, np.float32), mask=np.ones((5, LAYOUT.n_points), bool),
                     fps=15.0, width=640, height=480, gloss="x").save(other / "x" / "0.npz")
    line = one_line(capsys, slr_train("evaluate", tiny_ckpt, other, "--out", tmp_path / "ev"))
    assert "none of the 1 sequences to score" in line and "has a label the model knows" in line
    assert not (tmp_path / "ev").exists()


# ------------------------------------------------------------------------------ import
@pytest.mark.parametrize("damage", ["truncated", "bit-flip"])
def test_damaged_archive_leaves_no_half_import_and_resumes(tmp_path, capsys, damage):
    good = make_archive(tmp_path / "good")
    bad = make_archive(tmp_path / "bad")
    data = bytearray((bad / "MP_Data.tar.xz").read_bytes())
    if damage == "truncated":
        data = data[: len(data) * 2 // 3]
    else:
        data[len(data) // 2] ^= 0x40
    (bad / "MP_Data.tar.xz").write_bytes(bytes(data))
    out = tmp_path / "out"
    line = one_line(capsys, slr_train("import", "cafe_words", bad, out, "--labels", "all", "--no-progress"))
    assert "MP_Data.tar.xz is corrupt or truncated (at member MP_Data/" in line and "nothing was added" in line
    # no set that load_set would take for a whole one: no visible .npz, no index
    assert not [p for p in out.rglob("*.npz") if ".import" not in p.parts] and not (out / "index.csv").exists()
    staged = len(list((out / ".import").rglob("*.npz")))
    assert staged > 0
    # the same command with a good archive finishes the import, reusing what was staged
    assert slr_train("import", "cafe_words", good, out, "--labels", "all", "--no-progress") == 0
    printed = capsys.readouterr().out
    assert f"{9 - staged} written, {staged} already there" in printed
    assert len(list(out.rglob("*.npz"))) == 9 and (out / "index.csv").is_file() and not (out / ".import").exists()


def test_import_checks_its_source_before_writing(shared_dir, tmp_path, capsys):
    out = tmp_path / "out"
    cases = [
        ("cafe_words", make_archive(tmp_path / "nocol", columns=["folder", "label", "sequence", "n_frames",
                                                                   "added_in_commit", "commit_date"]),
         "sequences.csv lacks column(s) added_by_git_author"),
        ("wlasl50", shared_dir / "datasets" / "cafe_words",
         "looks like the cafe_words dataset, not wlasl50 (sequences.csv has added_by_git_author"),
        ("cafe_words", shared_dir / "datasets" / "wlasl50_landmarks", "looks like the wlasl50 dataset, not cafe_words"),
        ("cafe_words", tmp_path / "absent", "dataset folder not found"),
        ("cafe_words", tmp_path / "nocol" / "sequences.csv", "is a file, not a dataset folder"),
        ("cafe_words", tmp_path, "lacks MP_Data.tar.xz and sequences.csv"),
    ]
    for dataset, src, expect in cases:
        line = one_line(capsys, slr_train("import", dataset, src, out, "--no-progress"))
        assert expect in line, line
    seqbad = make_archive(tmp_path / "seqbad")
    text = (seqbad / "sequences.csv").read_text().replace("MP_Data,a,0,", "MP_Data,a,zero,", 1)
    (seqbad / "sequences.csv").write_text(text)
    assert "sequences.csv, line 2: sequence 'zero' is not a number" in one_line(
        capsys, slr_train("import", "cafe_words", seqbad, out, "--labels", "all"))
    binary = make_archive(tmp_path / "binary")
    (binary / "sequences.csv").write_bytes(b"\xff\xfe\x00" * 100)
    assert "not a text (UTF-8) CSV" in one_line(capsys, slr_train("import", "cafe_words", binary, out))
    wrong_frames = make_archive(tmp_path / "frames", features=170)
    assert "this looks like the wlasl50 archive" in one_line(
        capsys, slr_train("import", "cafe_words", wrong_frames, out, "--labels", "all", "--no-progress"))
    assert not list(out.rglob("*.npz"))
    (tmp_path / "file").write_text("x")
    line = one_line(capsys, slr_train("import", "cafe_words", make_archive(tmp_path / "ok"), tmp_path / "file" / "o",
                                      "--labels", "all"))
    assert "cannot create output folder" in line and "is a file, not a folder" in line


def test_import_masks_nan_and_inf_and_says_so(tmp_path, capsys):
    src = make_archive(tmp_path / "nan", nan=True)
    out = tmp_path / "out"
    assert slr_train("import", "cafe_words", src, out, "--labels", "all", "--no-progress") == 0
    assert "NaN/Inf: 6 values in the archive's frames were not numbers" in capsys.readouterr().out
    from trainer.landmark_sets import load_set

    seqs = load_set(out)  # loads: every stored coordinate is finite, the bad points masked
    assert all(np.isfinite(s.points).all() for s in seqs)
    hit = [s for s in seqs if s.meta["nonfinite_values_masked"]]
    # archive frame 3 is frame 2 once frame 0 is dropped: its two bad points masked, the rest kept
    assert len(hit) == 3 and all(not s.mask[2].all() and s.mask[3].all() for s in hit)


# ------------------------------------------------------------------------------ extract
def test_extract_input_faults_are_one_line(tmp_path, capsys):
    vids = tmp_path / "v"
    vids.mkdir()
    (vids / "x.mp4").write_bytes(b"x")
    (tmp_path / "man.csv").write_text("file,label\nx.mp4,go\n")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00" * 50)
    out = tmp_path / "out"
    for args, expect in [([tmp_path / "absent", out], "video folder not found"),
                         ([vids, out, "--manifest", tmp_path / "none.csv"], "manifest not found"),
                         ([vids, out, "--manifest", tmp_path / "man.csv"], "manifest lacks column(s) gloss"),
                         ([vids, out, "--manifest", tmp_path / "bin.csv"], "not a text (UTF-8) CSV"),
                         ([vids, out, "--workers", "0"], "--workers must be >= 1"),
                         ([vids, out, "--bundle-dir", tmp_path / "nowhere"],
                          "MediaPipe bundle folder or file not found"),
                         ([tmp_path / "out2", out], "video folder not found")]:
        assert expect in one_line(capsys, slr_train("extract", *args, "--no-progress")), args
    assert not out.exists()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed (CI installs it)")
def test_extract_names_every_unusable_file_and_keeps_mediapipe_quiet(tmp_path, small_clip, capfd):
    vids = tmp_path / "videos"
    (vids / "go").mkdir(parents=True)
    shutil.copy(small_clip, vids / "go" / "good.mp4")
    for name, args in (("photo.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", "-f", "image2",
                                      "-c:v", "png"]),
                       ("still.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-frames:v", "1", "-f", "gif"]),
                       ("sound.mp4", ["-f", "lavfi", "-i", "sine=duration=0.3", "-c:a", "aac", "-f", "mp4"])):
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args, str(vids / "go" / name)], check=True)
    (vids / "go" / "gone.mp4").symlink_to(tmp_path / "nowhere.mp4")
    out = tmp_path / "out"
    capfd.readouterr()
    rc = slr_train("extract", vids, out, "--workers", "1", "--no-progress")
    printed = capfd.readouterr()  # file descriptors 1 and 2, where MediaPipe's C++ logging writes
    assert rc == 1 and printed.err == "", printed.err[-2000:]  # no MediaPipe log lines, no traceback
    for expect in ("photo.mp4 is a PNG image, not a video", "still.mp4 has only 1 decodable frame",
                   "sound.mp4 is an MP4/MOV file with audio only", "gone.mp4 is a broken symbolic link"):
        assert expect in printed.out, printed.out
    with open(out / "failures.csv", newline="") as f:
        assert sorted(r["file"] for r in csv.DictReader(f)) == ["go/gone.mp4", "go/photo.mp4", "go/sound.mp4",
                                                                "go/still.mp4"]
    assert [p.name for p in out.rglob("*.npz")] == ["good.npz"]


# ------------------------------------------------------------------------------ classify
@pytest.mark.parametrize("kind, expect", [
    ("png", "is a PNG image, not a video"), ("wav", "is an audio file (WAV): there is no video stream"),
    ("fifo", "is not a regular file"), ("symlink", "is a broken symbolic link"),
    ("newline", "bad\\nname\\x1b[31m.mp4 is not a video file"),
])
def test_classify_names_what_the_file_is(tmp_path, random_model, capsys, kind, expect):
    p = tmp_path / "clip.mp4"
    if kind == "png":
        import cv2

        cv2.imwrite(str(tmp_path / "x.png"), np.zeros((8, 8, 3), np.uint8))
        (tmp_path / "x.png").rename(p)
    elif kind == "wav":
        with wave.open(str(p), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
            w.writeframes(b"\x00\x00" * 8000)
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "symlink":
        p.symlink_to(tmp_path / "nowhere.mp4")
    else:
        p = tmp_path / "bad\nname\x1b[31m.mp4"
        p.write_text("not a video")
    line = one_line(capsys, slr_desktop("classify", p, "--model", random_model, "--no-progress"))
    assert expect in line and "\x1b" not in line, line


def test_classify_model_and_bundle_paths(tmp_path, random_model, small_clip, capsys):
    line = one_line(capsys, slr_desktop("classify", small_clip, "--model", tmp_path, "--no-progress"))
    assert "is a directory, not a model file" in line
    line = one_line(capsys, slr_desktop("classify", small_clip, "--model", random_model, "--bundle-dir",
                                        tmp_path / "nowhere", "--no-progress"))
    assert "MediaPipe bundle folder or file not found" in line and "nowhere" in line


def test_classify_json_into_a_closed_pipe_is_quiet(random_model, small_clip):
    """`classify clip.mp4 --json | head -c 20`: the reader leaves early; no traceback, exit 0."""
    cmd = f"{sys.executable} -m slr_desktop.cli classify {small_clip} --model {random_model} --json --no-progress"
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd + " | head -c 20"], capture_output=True, text=True,
                       timeout=300, cwd=ROOT)
    assert p.returncode == 0 and p.stdout == '{"model": {"name": "' and p.stderr == "", p.stderr[-2000:]


def test_output_paths_are_checked_before_the_run(tmp_path, random_model, small_clip, capsys):
    """benchmark --json, slr-train benchmark --json and the app's --screenshot: a path that cannot be
    written fails at once, not after minutes of measuring (or the demo)."""
    from slr_desktop.benchmark import main

    (tmp_path / "file").write_text("x")
    for target, expect in ((tmp_path / "file" / "b.json", "is a file, not a folder"), (tmp_path, "is a folder")):
        line = one_line(capsys, main([str(small_clip), "--model", str(random_model), "--json", str(target)]))
        assert "--json file" in line and expect in line
        line = one_line(capsys, slr_train("benchmark", "--json", target))
        assert "--json file" in line and expect in line
    line = one_line(capsys, slr_desktop("--screenshot", tmp_path / "file" / "shot.png", "--exit-after", "1"))
    assert "--screenshot file" in line and "is a file, not a folder" in line


# ------------------------------------------------------------------------ read-only folders
def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd` run so that folder permissions bind (root may write into a read-only folder)."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--user", "true"]).returncode != 0:
        pytest.skip("running as root without user namespaces: cannot make a folder read-only")
    return ["unshare", "--user", *cmd]


READ_ONLY_SCRIPT = """
import contextlib, io, json, sys
from trainer.cli import main as train
from slr_desktop.cli import main as desktop
ro, data, ckpt, clip, model, src = sys.argv[1:7]
runs = [("train", lambda: train(["train", "--data", data, "--out", ro + "/run", "--epochs", "1"])),
        ("export", lambda: train(["export", ckpt, ro + "/m.onnx"])),
        ("evaluate", lambda: train(["evaluate", ckpt, data, "--json", ro + "/e.json"])),
        ("import", lambda: train(["import", "cafe_words", src, ro + "/imp", "--labels", "all"])),
        ("extract", lambda: train(["extract", clip.rsplit("/", 1)[0], ro + "/ext"])),
        ("benchmark", lambda: desktop(["benchmark", clip, "--model", model, "--json", ro + "/b.json"]))]
res = {}
for name, fn in runs:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = fn()
    res[name] = [rc, err.getvalue()]
print(json.dumps(res))
"""


def test_read_only_output_folders_fail_before_any_work(tiny_set, tiny_ckpt, small_clip, random_model, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    src = make_archive(tmp_path / "src")
    os.chmod(ro, 0o555)
    try:
        p = subprocess.run(unprivileged([sys.executable, "-c", READ_ONLY_SCRIPT, str(ro), str(tiny_set),
                                         str(tiny_ckpt), str(small_clip), str(random_model), str(src)]),
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    finally:
        os.chmod(ro, 0o755)
    assert p.returncode == 0, p.stderr[-3000:]
    res = json.loads(p.stdout.strip().splitlines()[-1])
    for name, (rc, err) in res.items():
        lines = err.strip().splitlines()
        assert rc == 2 and len(lines) == 1 and "not writable" in lines[0] and str(ro) in lines[0], (name, err)
    assert list(ro.iterdir()) == []


@pytest.mark.slow
def test_import_killed_mid_way_leaves_no_half_set_and_resumes(shared_dir, tmp_path):
    """SIGKILL while the archive streams: nothing visible in OUT (no .npz a training run would take
    for a whole set, no index); the rerun finishes from what was staged."""
    import signal
    import time

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "trainer.cli", "import", "cafe_words", str(shared_dir / "datasets" / "cafe_words"),
           str(out), "--labels", "b,c,e", "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None and not list((out / ".import").rglob("*.npz")):
            time.sleep(0.01)
        running = proc.poll() is None
        if running:
            proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
    assert running, f"the import ended before it could be killed: {err[-2000:]}"
    assert not [p for p in out.rglob("*.npz") if ".import" not in p.parts] and not (out / "index.csv").exists()
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "135 sequences" in res.stdout and "already there" in res.stdout
    assert len(list(out.rglob("*.npz"))) == 135 and not (out / ".import").exists()
