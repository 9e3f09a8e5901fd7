"""The "other sign" class: honest splits of the other sets, the gate's figures, a tiny real run with
the other class (plus mixup, EMA, pre-training), its export and its out-of-vocabulary evaluation."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from test_train import cafe3, tiny_config  # noqa: F401  (module fixture reused)

from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.runtime import Classifier
from trainer.checkpoint import load_checkpoint
from trainer.cli import main
from trainer.export import export_checkpoint
from trainer.open_set import OtherConfig, accepted, acceptance_curve, calibrate_threshold, split_other
from trainer.train import train


def _seq(gloss: str, group: str, i: int) -> LandmarkSequence:
    pts = np.full((5, LAYOUT.n_points, 3), 0.5, np.float32)
    sid = f"{group}:{gloss}:{i}"
    return LandmarkSequence(points=pts, mask=np.ones((5, LAYOUT.n_points), bool), fps=15, width=640, height=480,
                            gloss=gloss, meta=dict(id=sid, origin=sid, group=group, real=True))


def _toy_sets() -> dict[str, list[LandmarkSequence]]:
    letters = [_seq(g, rec, i) for rec, gs in (("Alex", "stu"), ("Cam", "bce")) for g in gs for i in range(6)]
    other_ds = [_seq(g, f"v{g}{i}", i) for g in ("dog", "cat", "tea", "go") for i in range(4)]
    return {"letters": letters, "other_ds": other_ds}


def test_split_other_holds_out_groups_and_glosses():
    sets = _toy_sets()
    cfg = OtherConfig(sets=["letters", {"dir": "other_ds", "test_label_fraction": 0.5, "test_groups": []}],
                      label="?", exclude_labels=["s"], max_train=10)
    part = split_other(cfg, known_labels=["tea"], known_test_groups=["Cam"], val_fraction=0.2, sets=sets)
    every = part.train + part.val + part.test
    assert {s.gloss for s in every} == {"?"}
    src = lambda xs: {s.meta["source_gloss"] for s in xs}  # noqa: E731
    # the known test recorder's letters are held out; an excluded or known gloss is never "other"
    assert {s.meta["group"] for s in part.test if s.meta["source_gloss"] in "bce"} == {"Cam"}
    assert not {s.meta["group"] for s in part.train + part.val if s.meta["source_gloss"] in "bce"}
    assert "s" not in src(every) and "tea" not in src(every)
    # half of the other dataset's glosses are held out whole: none of them trains or validates
    held = src(part.test) & {"dog", "cat", "go"}
    assert len(held) in (1, 2) and not held & src(part.train + part.val)
    ids = [s.meta["id"] for s in every]
    assert len(ids) == len(set(ids))
    assert len([s for s in part.train if s.meta["id"].startswith("Alex")]) <= 10   # max_train per set
    again = split_other(cfg, ["tea"], ["Cam"], 0.2, sets=sets)
    assert [s.meta["id"] for s in again.test] == [s.meta["id"] for s in part.test]   # seeded


def test_gate_figures():
    labels = ["-", "?", "a", "b"]
    preds = np.array([2, 3, 0, 1, 2])
    maxp = np.array([0.9, 0.5, 0.99, 0.99, 0.3])
    assert accepted(preds, maxp, labels, 0.4, "-", "?").tolist() == [True, True, False, False, False]
    curve = acceptance_curve(preds, maxp, labels, "-", "?")
    assert curve["0"] == pytest.approx(0.6) and curve["0.5"] == pytest.approx(0.4) and curve["0.95"] == 0.0
    # the highest threshold keeping >= 2/3 of these (known) windows
    assert calibrate_threshold([2, 3, 2], [0.9, 0.6, 0.3], labels, "-", "?", target=2 / 3) == pytest.approx(0.6)
    assert calibrate_threshold([2, 3], [0.9, 0.6], labels, "-", "?", target=1.0) == pytest.approx(0.6)


@pytest.fixture(scope="module")
def other_run(cafe3, tmp_path_factory):  # noqa: F811
    """Letters b, c are the vocabulary; e is the other class (same recorder: held out by gloss
    only when asked, here split into train/val/test by the known data's group rule)."""
    out = tmp_path_factory.mktemp("other_run")
    cfg = tiny_config(cafe3, out, epochs=2, labels=["b", "c"], mixup=0.4, ema=0.9,
                      other=dict(sets=[{"dir": str(cafe3), "test_label_fraction": 0.0}], label="?"))
    cfg.model["drop_path"] = 0.1
    return train(cfg)


def test_training_with_the_other_class(other_run, cafe3, tmp_path):  # noqa: F811
    ck = load_checkpoint(other_run)
    assert ck["labels"] == ["?", "b", "c"] and ck["val_ids"] and "other class '?'" in ck["split"]
    assert "raw_model" in ck  # EMA: the averaged weights are "model", the raw ones resume training
    # out-of-vocabulary signs: e-rows are scored as unknown (no top-1), b/c rows are left out
    onnx = export_checkpoint(other_run, tmp_path / "m.onnx", name="tiny", unknown_label="?", threshold=0.4)
    meta = Classifier(onnx).meta
    assert meta.unknown_label == "?" and meta.threshold == 0.4
    assert "unknown-sign label: `?`" in (tmp_path / "m.md").read_text()
    jp = tmp_path / "u.json"
    assert main(["evaluate", str(onnx), str(cafe3), "--as-unknown", "--json", str(jp)]) == 0
    rep = json.loads(jp.read_text())
    assert rep["n"] == 45 and rep["source_glosses"] == ["e"] and len(rep["preds"]) == 45
    assert 0.0 <= rep["accepted"] <= 1.0 and rep["gate"]["unknown_label"] == "?"
    # the tiny set's validation rows are all other-class rows: nothing known to score is one line, not n=0
    assert ck["val_ids"] and all(":e:" in i for i in ck["val_ids"])
    assert main(["evaluate", str(other_run), str(cafe3), "--split-of", str(other_run), "--split", "val",
                 "--json", str(tmp_path / "v.json")]) != 0 and not (tmp_path / "v.json").exists()
    with pytest.raises(ValueError):
        export_checkpoint(other_run, tmp_path / "bad.onnx", unknown_label="zzz")


def test_pretrain_then_init(cafe3, tmp_path):  # noqa: F811
    assert main(["pretrain", str(cafe3), "--out", str(tmp_path / "pre"), "--set", "epochs=1", "--set", "batch=16",
                 "--set", "fps=15", "--set", "model={seq_len: 24, d_model: 16}"]) == 0
    pre = torch.load(tmp_path / "pre" / "pretrained.pt", weights_only=True)   # weights, no labels
    cfg = tiny_config(cafe3, tmp_path / "ft", epochs=1, init_from=str(tmp_path / "pre" / "pretrained.pt"))
    cfg.model["d_model"] = 16
    best = load_checkpoint(train(cfg))
    assert pre["model"]["proj.weight"].shape == best["model"]["proj.weight"].shape
    # fine-tuning starts from the pre-trained encoder, so after one short epoch it is still close to it
    d0 = (best["model"]["proj.weight"] - pre["model"]["proj.weight"]).abs().mean()
    assert d0 < pre["model"]["proj.weight"].abs().mean()
    assert torch.isfinite(best["model"]["head.weight"]).all()
