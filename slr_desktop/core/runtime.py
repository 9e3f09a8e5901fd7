"""ONNX classifier runtime: load a model, check it fits our layout, return top-k probabilities.

Never imports torch. The feature transform is inside the graph, so this only feeds windows
from `window.py` and reads probabilities. A model is checked once, when it is loaded: the graph's
inputs and outputs here, every metadata field (and its agreement with the graph) by
`ModelMetadata.validate`; anything unusable is one `ModelError` line naming the file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import UserError, one_line
from .metadata import INPUT_LANDMARKS, INPUT_MASK, METADATA_KEY, OUTPUT_PROBS, MetadataError, ModelMetadata


class ModelError(UserError):
    """A model file that cannot be used; the message is one line meant for the user."""


def make_session(model: str | os.PathLike | bytes, threads: int = 1):
    """An onnxruntime CPU session as the app runs models: `threads` intra-op threads, one
    inter-op thread (the app's other threads need the other core), warnings off."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    src = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(src, opts, providers=["CPUExecutionProvider"])


@dataclass(frozen=True)
class Prediction:
    label: str
    prob: float


class Classifier:
    """A loaded model. `predict` is thread-safe per onnxruntime's session guarantees."""

    def __init__(self, path: str | os.PathLike, threads: int = 1) -> None:
        self.path = Path(path)
        name = self.path.name
        if self.path.is_dir():
            raise ModelError(f"{self.path} is a directory, not a model file (.onnx)")
        if not self.path.is_file():
            raise ModelError(f"model file not found: {self.path}")
        try:
            self.session = make_session(self.path, threads)
        except Exception as e:  # onnxruntime raises several private exception types
            raise ModelError(f"{name} is not a valid ONNX model ({one_line(e)[:160]})") from None
        props = self.session.get_modelmeta().custom_metadata_map
        if METADATA_KEY not in props:
            raise ModelError(f"{name} is an ONNX model but not an SLR model (no '{METADATA_KEY}' metadata)")
        inputs = {i.name: i for i in self.session.get_inputs()}
        outputs = {o.name: o for o in self.session.get_outputs()}
        if set(inputs) != {INPUT_LANDMARKS, INPUT_MASK} or OUTPUT_PROBS not in outputs:
            raise ModelError(f"{name} has inputs {sorted(inputs)} / outputs {sorted(outputs)}; "
                             f"expected {INPUT_LANDMARKS}, {INPUT_MASK} -> {OUTPUT_PROBS}")
        out_shape = outputs[OUTPUT_PROBS].shape
        k = out_shape[-1] if out_shape else None
        try:
            self.meta = ModelMetadata.from_json(props[METADATA_KEY])
            self.meta.validate(n_outputs=k if isinstance(k, int) else None,
                               input_shapes={n: list(i.shape)[1:] for n, i in inputs.items()})
        except MetadataError as e:
            raise ModelError(f"{name}: SLR metadata: {e}") from None

    @property
    def labels(self) -> list[str]:
        return self.meta.labels

    @property
    def name(self) -> str:
        return self.meta.name

    def predict(self, landmarks: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """landmarks (B, T, 75, 3) or (T, 75, 3), mask likewise -> probs (B, K) or (K,)."""
        single = landmarks.ndim == 3
        if single:
            landmarks, mask = landmarks[None], mask[None]
        probs = self.session.run([OUTPUT_PROBS], {
            INPUT_LANDMARKS: np.ascontiguousarray(landmarks, np.float32),
            INPUT_MASK: np.ascontiguousarray(mask, np.float32),
        })[0]
        if probs.shape[-1] != len(self.labels):
            raise ModelError(f"{self.path.name}: produced {probs.shape[-1]} scores for {len(self.labels)} labels")
        return probs[0] if single else probs

    def top(self, probs: np.ndarray, k: int = 5) -> list[Prediction]:
        """Top-k of one probability vector, best first."""
        order = np.argsort(-probs)[:k]
        return [Prediction(self.labels[i], float(probs[i])) for i in order]
