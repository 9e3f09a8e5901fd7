"""`slr-train evaluate` on a checkpoint and on an .onnx: report keys, ranges and files."""
from __future__ import annotations

import json

import numpy as np
import pytest
from test_train import LABELS, cafe3, tiny_config  # noqa: F401  (module fixture reused)

from trainer.cli import main
from trainer.export import export_checkpoint
from trainer.metrics import confusion_matrix, macro_f1, per_class, topk_accuracy
from trainer.train import train


@pytest.fixture(scope="module")
def ckpt(cafe3, tmp_path_factory):  # noqa: F811
    return train(tiny_config(cafe3, tmp_path_factory.mktemp("eval_run"), epochs=1))


def _check(rep: dict, n_expected: int | None = None):
    for key in ("top1", "top5", "macro_f1"):
        assert 0.0 <= rep[key] <= 1.0, key
    assert rep["n"] > 0 and rep["top5"] >= rep["top1"]
    if n_expected is not None:
        assert rep["n"] == n_expected


def test_evaluate_checkpoint_and_onnx_agree(ckpt, cafe3, tmp_path):  # noqa: F811
    onnx_path = export_checkpoint(ckpt, tmp_path / "m.onnx", name="tiny", license="MIT")
    assert (tmp_path / "m.md").read_text().count("top-1") >= 1
    reps = []
    for model in (ckpt, onnx_path):
        jp = tmp_path / f"{model.suffix[1:]}.json"
        assert main(["evaluate", str(model), str(cafe3), "--json", str(jp), "--split-of", str(ckpt)]) == 0
        rep = json.loads(jp.read_text())
        _check(rep)
        assert (tmp_path / "eval_confusion.png").is_file() and (tmp_path / "eval_per_class.csv").is_file()
        reps.append(rep)
    assert reps[0]["n"] == reps[1]["n"]
    assert abs(reps[0]["top1"] - reps[1]["top1"]) <= 1.0 / reps[0]["n"] + 1e-9


def test_unknown_labels_are_skipped_and_live_placement(random_model, cafe3, tmp_path, capsys):  # noqa: F811
    from trainer.export import build_test_model

    # a model that knows one of the set's three labels: the other two are skipped and counted
    model = build_test_model(tmp_path / "b-only.onnx", labels=["b", "zz"])
    jp = tmp_path / "r.json"
    assert main(["evaluate", str(model), str(cafe3), "--json", str(jp), "--placement", "live"]) == 0
    rep = json.loads(jp.read_text())
    assert rep["n"] == 45 and rep["n_skipped_unknown_label"] == 90 and rep["skipped_labels"] == ["c", "e"]
    # a model that knows none of them: one line, no report of NaNs
    assert main(["evaluate", str(random_model), str(cafe3), "--json", str(tmp_path / "none.json")]) == 2
    assert "has a label the model knows" in capsys.readouterr().err and not (tmp_path / "none.json").exists()


def test_metrics_numpy():
    y = np.array([0, 0, 1, 1, 2, 2])
    probs = np.eye(3)[[0, 1, 1, 1, 2, 0]] + 0.01 * np.arange(3)
    assert topk_accuracy(probs, y, 1) == pytest.approx(4 / 6)
    assert topk_accuracy(probs, y, 3) == 1.0
    cm = confusion_matrix(y, probs.argmax(1), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    pc = per_class(cm)
    np.testing.assert_allclose(pc["precision"], [0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(pc["recall"], [0.5, 1.0, 0.5])
    assert macro_f1(cm) == pytest.approx(np.mean([0.5, 0.8, 2 / 3]))
