"""ONNX runtime: bad files are refused with one-line ModelErrors, a valid model gives probabilities."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.metadata import METADATA_KEY, ModelMetadata
from slr_desktop.core.runtime import Classifier, ModelError

SEQ_LEN = 16
LABELS = [f"sign{i}" for i in range(12)]


def build_tiny_model(path: Path, labels: list[str] = LABELS, seq_len: int = SEQ_LEN,
                     n_outputs: int | None = None, layout_id: str = LAYOUT.id,
                     metadata: bool = True, seed: int = 0) -> Path:
    """A small but real ONNX classifier (masked mean of the landmarks -> linear -> softmax).

    Used for the broken variants (no metadata, wrong layout, wrong output count), which the
    trainer's exporter rightly cannot produce.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    k = len(labels) if n_outputs is None else n_outputs
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(LAYOUT.n_points * LAYOUT.channels, k)).astype(np.float32)
    nodes = [
        helper.make_node("Unsqueeze", ["mask", "ax3"], ["m4"]),                    # (B, T, 75, 1)
        helper.make_node("Mul", ["landmarks", "m4"], ["masked"]),                 # (B, T, 75, 3)
        helper.make_node("ReduceMean", ["masked", "ax1"], ["pooled"], keepdims=0),  # (B, 75, 3)
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),                # (B, 225)
        helper.make_node("MatMul", ["flat", "w"], ["logits"]),                    # (B, K)
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("landmarks", TensorProto.FLOAT, ["batch", seq_len, LAYOUT.n_points, 3]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", seq_len, LAYOUT.n_points])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", k])],
        initializer=[numpy_helper.from_array(w, "w"),
                     numpy_helper.from_array(np.array([3], np.int64), "ax3"),
                     numpy_helper.from_array(np.array([1], np.int64), "ax1")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    if metadata:
        meta = ModelMetadata(name=path.stem, labels=list(labels), seq_len=seq_len, fps=15.0,
                             layout_id=layout_id, transform={"version": 1},
                             points_used=list(LAYOUT.points_for()), threshold=0.05)
        helper.set_model_props(model, {METADATA_KEY: meta.to_json()})
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg and msg
    return msg


def test_random_bytes_onnx(tmp_path):
    bad = tmp_path / "noise.onnx"
    bad.write_bytes(np.random.default_rng(1).bytes(4096))
    with pytest.raises(ModelError) as e:
        Classifier(bad)
    assert "noise.onnx" in _one_line(e) and "not a valid ONNX model" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Classifier(tmp_path / "nope.onnx")


def test_onnx_without_metadata(tmp_path):
    p = build_tiny_model(tmp_path / "plain.onnx", metadata=False)
    with pytest.raises(ModelError) as e:
        Classifier(p)
    assert "not an SLR model" in _one_line(e)


def test_wrong_layout_id(tmp_path):
    p = build_tiny_model(tmp_path / "other.onnx", layout_id="holistic543/v0")
    with pytest.raises(ModelError) as e:
        Classifier(p)
    assert "holistic543/v0" in _one_line(e)


def test_wrong_label_count(tmp_path):
    p = build_tiny_model(tmp_path / "short.onnx", n_outputs=len(LABELS) + 3)
    with pytest.raises(ModelError) as e:
        Classifier(p)
    assert "15 outputs but 12 labels" in _one_line(e)


def test_corrupt_metadata_json(tmp_path):
    import onnx

    p = build_tiny_model(tmp_path / "meta.onnx")
    m = onnx.load(str(p))
    for prop in m.metadata_props:
        if prop.key == METADATA_KEY:
            data = json.loads(prop.value)
            del data["labels"]
            prop.value = json.dumps(data)
    onnx.save(m, str(p))
    with pytest.raises(ModelError) as e:
        Classifier(p)
    assert "labels" in _one_line(e)


def test_valid_model_predicts_probabilities(random_model):
    """The shared random-weight CNN-Mamba (trainer.export.build_test_model)."""
    clf = Classifier(random_model)
    t = clf.meta.seq_len
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(3, t, LAYOUT.n_points, 3)).astype(np.float32)
    m = np.ones((3, t, LAYOUT.n_points), np.float32)
    m[1, :, LAYOUT.left_hand] = 0  # a missing hand must not break anything
    probs = clf.predict(x, m)
    assert probs.shape == (3, len(clf.labels))
    assert np.all(np.isfinite(probs)) and np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)
    single = clf.predict(x[0], m[0])
    np.testing.assert_allclose(single, probs[0], atol=1e-5)
    top = clf.top(single, 5)
    assert len(top) == 5 and top[0].prob >= top[-1].prob and top[0].label in clf.labels


# ---------------------------------------------------------------- model registry

def test_registry_finds_and_dedups(tmp_path, monkeypatch):
    from slr_desktop.core import model_registry as reg

    a, b = tmp_path / "a", tmp_path / "b"
    build_tiny_model(a / "alpha.onnx")
    build_tiny_model(b / "beta.onnx")
    (a / "notes.txt").write_text("not a model")
    monkeypatch.setattr(reg, "bundled_models_dir", lambda: a)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv(reg.ENV_MODELS_DIR, os.pathsep.join([str(b), str(a)]))  # a listed twice
    monkeypatch.delenv(reg.ENV_DEFAULT_MODEL, raising=False)
    assert reg.find_models() == [a / "alpha.onnx", b / "beta.onnx"]     # bundled first, once
    assert reg.user_models_dir() == tmp_path / "data" / "slr-desktop" / "models"
    assert reg.default_model() == a / "alpha.onnx"                      # first found
    (a / "DEFAULT").write_text("beta\n")
    assert reg.default_model() == b / "beta.onnx"                       # models/DEFAULT
    monkeypatch.setenv(reg.ENV_DEFAULT_MODEL, "alpha")
    assert reg.default_model() == a / "alpha.onnx"                      # env wins
    monkeypatch.setenv(reg.ENV_DEFAULT_MODEL, str(b / "beta.onnx"))
    assert reg.default_model() == b / "beta.onnx"
    monkeypatch.setenv(reg.ENV_DEFAULT_MODEL, "gamma")
    with pytest.raises(ModelError, match="gamma"):
        reg.default_model()


def test_registry_no_models(tmp_path, monkeypatch):
    from slr_desktop.core import model_registry as reg

    monkeypatch.setattr(reg, "bundled_models_dir", lambda: tmp_path / "none")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(reg.ENV_MODELS_DIR, raising=False)
    monkeypatch.delenv(reg.ENV_DEFAULT_MODEL, raising=False)
    assert reg.find_models() == []
    with pytest.raises(ModelError) as e:
        reg.default_model()
    assert "\n" not in str(e.value) and "--model" in str(e.value)


def test_bundled_models_dir_is_repo_models():
    from slr_desktop.core.model_registry import bundled_models_dir

    assert bundled_models_dir() == Path(__file__).resolve().parents[1] / "models"
