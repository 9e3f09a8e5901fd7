"""Export round trip: onnxruntime agrees with torch, the app's runtime reads the metadata back."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch

from slr_desktop.core.metadata import METADATA_KEY, ModelMetadata
from slr_desktop.core.runtime import Classifier, ModelError
from trainer.export import build_test_model, export_onnx, metadata_for, synthetic_inputs
from trainer.model import ModelConfig, build_model


def test_random_model_loads_in_runtime(random_model):
    clf = Classifier(random_model)
    assert clf.labels == [f"sign{i}" for i in range(12)]
    assert clf.meta.seq_len == 64 and clf.meta.layout_id
    assert clf.meta.points_used == clf.meta.transform["points_used"]
    lm, mk = synthetic_inputs(3, clf.meta.seq_len, seed=5)
    probs = clf.predict(lm, mk)
    assert probs.shape == (3, 12)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)
    assert random_model.with_suffix(".md").is_file()


def test_exported_graph_has_no_softplus_kernel(random_model):
    """The exporter writes softplus as plain element-wise ops (onnxruntime's Softplus kernel is ~4x
    slower); the training graph keeps F.softplus, and the parity tests hold both to one function."""
    ops = {n.op_type for n in onnx.load(str(random_model)).graph.node}
    assert "Softplus" not in ops and {"Abs", "Exp", "Relu"} <= ops


def test_build_test_model_is_seeded(tmp_path):
    a = build_test_model(tmp_path / "a.onnx", ["x", "y", "z"], seed=3)
    b = build_test_model(tmp_path / "b.onnx", ["x", "y", "z"], seed=3)
    lm, mk = synthetic_inputs(2, 64, seed=1)
    np.testing.assert_allclose(Classifier(a).predict(lm, mk), Classifier(b).predict(lm, mk), atol=1e-6)


def test_ort_matches_torch_batch1(tmp_path):
    torch.manual_seed(1)
    model = build_model(ModelConfig(n_classes=5, seq_len=27, d_model=24, d_state=4, dropout=0.0)).eval()  # 27: padded chunks
    meta = metadata_for(model, list("abcde"), name="t", fps=25.0)
    out = export_onnx(model, meta, tmp_path / "m.onnx")
    clf = Classifier(out)
    lm, mk = synthetic_inputs(1, 27, seed=7)
    with torch.no_grad():
        want = torch.softmax(model(torch.from_numpy(lm), torch.from_numpy(mk)), -1).numpy()
    assert np.abs(clf.predict(lm[0], mk[0]) - want[0]).max() <= 1e-4
    assert clf.meta.fps == 25.0 and clf.meta.model_config["d_model"] == 24


def test_mismatched_metadata_is_refused_before_writing(tmp_path):
    model = build_model(ModelConfig(n_classes=3, d_model=16, d_state=4)).eval()
    meta = metadata_for(model, ["a", "b", "c", "d"], name="t", fps=30.0)
    with pytest.raises(ValueError):
        export_onnx(model, meta, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("change", [{"layout_id": "other-layout/v9"}, {"labels": ["a", "a", "b"]}, {"seq_len": 10}])
def test_runtime_refuses_wrong_metadata(random_model, tmp_path, change):
    proto = onnx.load(str(random_model))
    entry = next(p for p in proto.metadata_props if p.key == METADATA_KEY)
    meta = ModelMetadata.from_json(entry.value)
    for k, v in change.items():
        setattr(meta, k, v)
    entry.value = meta.to_json()
    bad = tmp_path / "bad.onnx"
    onnx.save(proto, str(bad))
    with pytest.raises(ModelError):
        Classifier(bad)
