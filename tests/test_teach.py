"""`slr-train teach` on a subset of a shared landmark set, the ONNX head surgery, cancel/kill.

Real data and real models: wlasl50 sequences imported from the shared archive, taught on the
bundled cafe-words model (which never saw wlasl50's signs).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from slr_desktop.core.metadata import INPUT_LANDMARKS, INPUT_MASK, OUTPUT_PROBS
from slr_desktop.core.runtime import Classifier, make_session
from trainer.few_shot import fit_logistic, fit_ncm
from trainer.onnx_head import Embedder, HeadError, find_head, replace_head, with_embedding

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "models"
SIGNS = ("before", "computer", "go")


@pytest.fixture(scope="module")
def wl_subset(tmp_path_factory, shared_dir) -> Path:
    """3 wlasl50 glosses x 5 real sequences, as `slr-train import` writes them."""
    import trainer.importers as I

    out = tmp_path_factory.mktemp("teach") / "wl3"
    I.import_dataset("wlasl50", shared_dir / "datasets" / "wlasl50_landmarks", out, labels=set(SIGNS),
                     progress=False)
    for sign in SIGNS:                       # keep 5 takes per sign: what a user records
        for extra in sorted((out / sign).glob("*.npz"))[5:]:
            extra.unlink()
    return out


def _windows(n: int = 4, seq_len: int = 64):
    from trainer.export import synthetic_inputs

    return synthetic_inputs(n, seq_len, seed=3)


@pytest.mark.parametrize("model", ["cafe-words.onnx", "wlasl50.onnx"])
def test_the_head_is_found_structurally_and_replacing_it_with_itself_changes_nothing(model):
    m = onnx.load(str(BUNDLED / model))
    head = find_head(m)
    clf = Classifier(BUNDLED / model)
    assert head.weight.shape == (clf.meta.model_config["d_model"], len(clf.labels))
    lm, mk = _windows(seq_len=clf.meta.seq_len)
    want = make_session(str(BUNDLED / model)).run([OUTPUT_PROBS], {INPUT_LANDMARKS: lm, INPUT_MASK: mk})[0]
    same = replace_head(m, head.weight, head.bias)
    onnx.checker.check_model(same, full_check=True)
    got = make_session(same.SerializeToString()).run([OUTPUT_PROBS], {INPUT_LANDMARKS: lm, INPUT_MASK: mk})[0]
    np.testing.assert_allclose(got, want, atol=1e-6)
    # the old head's weights are gone, the embedding output reproduces the head in numpy
    names = {t.name for t in same.graph.initializer}
    assert not set(head.initializers) & names
    emb, probs = Embedder(BUNDLED / model)(lm, mk)
    logits = emb @ head.weight + head.bias
    np.testing.assert_allclose(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), want, atol=1e-5)


def test_a_random_test_model_and_a_matmul_add_head(random_model):
    """Any model trainer.export writes (here a small random CNN-Mamba), and a head written as
    MatMul + Add instead of Gemm, with its tensors renamed: found by structure, not by name."""
    m = onnx.load(str(random_model))
    head = find_head(m)
    assert head.weight.shape == (32, 12)
    mm = replace_head(m, head.weight, head.bias)              # our own head is MatMul + Add
    rename = {"teach/head.weight": "W_0", "teach/head.bias": "B_1"}
    for t in mm.graph.initializer:
        t.name = rename.get(t.name, t.name)
    for n in mm.graph.node:
        n.input[:] = [rename.get(x, x) for x in n.input]
    onnx.checker.check_model(mm)
    again = find_head(mm)
    np.testing.assert_allclose(again.weight, head.weight)
    np.testing.assert_allclose(again.bias, head.bias)
    assert set(again.initializers) == {"W_0", "B_1"}
    ext, h2 = with_embedding(m)
    assert [o.name for o in ext.graph.output][-1] == "embedding" and h2.dim == 32


def test_a_graph_without_a_linear_head_is_one_line():
    x = helper.make_tensor_value_info("landmarks", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info(OUTPUT_PROBS, TensorProto.FLOAT, [1, 4])
    g = helper.make_graph([helper.make_node("Relu", ["landmarks"], ["r"]),
                           helper.make_node("Softmax", ["r"], [OUTPUT_PROBS])], "g", [x], [y])
    with pytest.raises(HeadError, match="fed by Relu"):
        find_head(helper.make_model(g))
    g2 = helper.make_graph([helper.make_node("Relu", ["landmarks"], [OUTPUT_PROBS])], "g", [x], [y])
    with pytest.raises(HeadError, match="not the output of a Softmax"):
        find_head(helper.make_model(g2))
    w = numpy_helper.from_array(np.ones((4, 3), np.float32), "w")
    g3 = helper.make_graph([helper.make_node("MatMul", ["landmarks", "w"], ["z"]),
                            helper.make_node("Softmax", ["z"], [OUTPUT_PROBS])], "g", [x], [y], [w])
    assert find_head(helper.make_model(g3)).weight.shape == (4, 3)


def test_heads_separate_real_embeddings():
    rng = np.random.default_rng(0)
    means = rng.normal(size=(3, 16))
    x = np.concatenate([m + 0.3 * rng.normal(size=(20, 16)) for m in means])
    y = np.repeat(np.arange(3), 20)
    for head in (fit_ncm(x, y, 4), fit_logistic(x, y, 4)):
        p = head.proba(x)
        assert (p.argmax(1) == y).mean() == 1.0 and np.allclose(p.sum(1), 1.0) and p[:, 3].max() < 0.01


def test_teach_a_subset_of_a_shared_landmark_set(wl_subset, tmp_path):
    out = tmp_path / "models" / "mine.onnx"
    report_path = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "trainer.cli", "teach", str(wl_subset), str(out), "--base",
                           str(BUNDLED / "cafe-words.onnx"), "--json", str(report_path), "--cache-dir",
                           str(tmp_path / "cache")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "same person, leave-takes-out" in proc.stdout
    r = json.loads(report_path.read_text())
    assert r["labels"] == [*SIGNS, "-"] and r["n_takes"] == 15 and r["held_out"]["n"] == 15
    assert 0.3 <= r["threshold"] <= 0.9 and r["export"]["max_abs_diff"] < 1e-4
    clf = Classifier(out)                                   # the app loads it like any model
    m = clf.meta
    assert m.labels == [*SIGNS, "-"] and m.idle_label == "-" and m.seq_len == 64 and m.fps == 30.0
    base = Classifier(BUNDLED / "cafe-words.onnx").meta
    assert m.transform == base.transform and m.points_used == base.points_used
    assert "SAME-PERSON" in m.split and "MIT" in m.license and m.metrics["n"] == 15
    card = out.with_suffix(".md").read_text()
    assert "slr-train teach" in card and "same person, leave-takes-out" in card
    # the model says "no sign" on the shipped idle pool and recognises a training take
    from slr_desktop.core.idle_pool import load_idle_pool
    from slr_desktop.core.window import fit_window, resample
    from trainer.landmark_sets import load_set

    def window(seq):
        pts, mask, _ = resample(seq, 30.0)
        return fit_window(pts, mask, 64)

    idle = [window(s) for s in load_idle_pool()[:10]]
    p_idle = clf.predict(np.stack([a for a, _ in idle]), np.stack([b for _, b in idle]))
    assert (p_idle.argmax(1) == 3).mean() >= 0.8
    seqs = load_set(wl_subset)
    w = [window(s) for s in seqs]
    p = clf.predict(np.stack([a for a, _ in w]), np.stack([b for _, b in w]))
    assert (p.argmax(1) == np.array([SIGNS.index(s.gloss) for s in seqs])).mean() >= 0.9
    # a retrain reuses the cached embeddings
    proc = subprocess.run([sys.executable, "-m", "trainer.teach", str(wl_subset), str(out), "--base",
                           str(BUNDLED / "cafe-words.onnx"), "--json", str(report_path), "--cache-dir",
                           str(tmp_path / "cache")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and json.loads(report_path.read_text())["cache"]["misses"] == 0


def test_teach_refuses_bad_input_in_one_line(tmp_path, wl_subset):
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, msg in (([str(tmp_path / "nope"), str(tmp_path / "m.onnx")], "no landmark set folder"),
                      ([str(empty), str(tmp_path / "m.onnx")], "no .npz sequences"),
                      ([str(wl_subset), str(tmp_path / "m.txt")], "must be a .onnx"),
                      ([str(wl_subset), str(tmp_path / "m.onnx"), "--base", str(tmp_path / "x.onnx")],
                       "base model not found")):
        proc = subprocess.run([sys.executable, "-m", "trainer.teach", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 2, proc.stderr
        last = proc.stderr.strip().splitlines()[-1]
        assert msg in last and last.startswith("slr-train teach: error:") and "Traceback" not in proc.stderr


def test_teach_does_not_import_torch(wl_subset, tmp_path):
    code = ("import sys, runpy; sys.argv = ['teach', %r, %r, '--base', %r, '--no-cache'];"
            "import trainer.teach as t; rc = t.main(sys.argv[1:]); assert 'torch' not in sys.modules, 'torch'; "
            "sys.exit(rc)") % (str(wl_subset), str(tmp_path / "m.onnx"), str(BUNDLED / "wlasl50.onnx"))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-1500:]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_cancel_or_kill_leaves_nothing(wl_subset, tmp_path, sig):
    """Cancelled (SIGTERM, what the app's Cancel sends first) or killed while it works: no model,
    no card, and (after the app's clean-up) no temporary file."""
    from slr_desktop.app.teach_train import remove_partial

    out = tmp_path / "models" / "mine.onnx"
    proc = subprocess.Popen([sys.executable, "-m", "trainer.teach", str(wl_subset), str(out), "--base",
                             str(BUNDLED / "cafe-words.onnx"), "--progress-json", "--no-cache"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if '"stage": "embed"' in line:
            break
    proc.send_signal(sig)
    proc.wait(60)
    assert proc.returncode != 0
    remove_partial(out)
    assert not out.exists() and not out.with_suffix(".md").exists()
    assert not [p for p in out.parent.glob("*")] if out.parent.exists() else True
    if sig == signal.SIGTERM:
        assert "interrupted" in proc.stderr.read()


def test_progress_lines_parse():
    from slr_desktop.app.teach_train import parse_line, teach_command

    assert parse_line('{"event": "progress", "fraction": 0.5, "message": "x"}')["fraction"] == 0.5
    assert parse_line("[ 50%] embedding") is None and parse_line("{not json") is None
    assert parse_line('{"no": "event"}') is None
    cmd = teach_command(Path("d"), Path("m.onnx"), Path("b.onnx"), "mine")
    assert cmd[:2] == ["-m", "trainer.teach"] and "--progress-json" in cmd and cmd[-2:] == ["--base", "b.onnx"]
    assert os.path.basename(cmd[3]) == "m.onnx"


def test_a_damaged_take_is_left_out_and_named(tmp_path, wl_subset):
    import shutil

    from slr_desktop.core.recording import Project

    data = tmp_path / "proj"
    shutil.copytree(wl_subset, data)
    bad = sorted((data / "go").glob("*.npz"))[0]
    bad.write_bytes(bad.read_bytes()[:100])             # truncated, as a full disk would leave it
    assert Project.open(data).damaged == [bad]            # the Teach window says so on opening
    report_path = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "trainer.teach", str(data), str(tmp_path / "m.onnx"), "--base",
                           str(BUNDLED / "cafe-words.onnx"), "--json", str(report_path), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-1500:]
    r = json.loads(report_path.read_text())
    assert r["n_takes"] == 14 and len(r["damaged"]) == 1 and bad.name in r["damaged"][0]
    assert "left out a damaged file" in proc.stderr and bad.is_file()      # reported, not deleted


def test_an_unwritable_output_is_refused_before_any_work(tmp_path, wl_subset):
    blocker = tmp_path / "models"
    blocker.write_text("a file where the models folder should be")       # fails for root too
    proc = subprocess.run([sys.executable, "-m", "trainer.teach", str(wl_subset), str(blocker / "m.onnx"),
                           "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 2 and "is a file, not a folder" in last and "Traceback" not in proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_apps_teach_stops_when_the_app_is_killed(wl_subset, tmp_path):
    """The app runs `trainer.teach --progress-json` as a child with its stdout on a pipe; SIGKILL
    of the app must not leave it running to install a model later: its next progress line meets
    the closed pipe and it stops before the atomic writes at the very end."""
    import time

    out = tmp_path / "models" / "m.onnx"
    app = ("import subprocess, sys, time\n"
           "p = subprocess.Popen([sys.executable, '-m', 'trainer.teach', %r, %r, '--base', %r, '--no-cache',"
           " '--progress-json'], stdout=subprocess.PIPE, text=True)\n"
           "print(p.pid, flush=True)\n"
           "print(p.stdout.readline().strip(), flush=True)\n"
           "time.sleep(600)\n") % (str(wl_subset), str(out), str(BUNDLED / "cafe-words.onnx"))
    parent = subprocess.Popen([sys.executable, "-c", app], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert '"progress"' in parent.stdout.readline()          # the teach is under way
    parent.kill()
    parent.wait(30)

    def running() -> bool:
        try:
            return Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0] not in ("Z", "X")
        except OSError:
            return False

    end = time.time() + 60
    while running() and time.time() < end:
        time.sleep(0.1)
    assert not running(), "the teach kept running after the app was killed"
    assert not out.exists() and not out.with_suffix(".md").exists()
    assert not (out.parent.exists() and list(out.parent.glob(".*.part")))
