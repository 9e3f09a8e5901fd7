"""What every exported model carries about itself, as one JSON document in the ONNX metadata.

The exporter (trainer) writes it with `ModelMetadata.to_json()`, the runtime (app) reads it with
`ModelMetadata.from_json()`: one schema, one place.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

METADATA_KEY = "slr_metadata"
TRANSFORM_VERSION = 1
INPUT_LANDMARKS = "landmarks"   # (B, T, 75, 3) float32, model coordinates (window.to_model_coords)
INPUT_MASK = "mask"             # (B, T, 75) float32, 1 = point present
OUTPUT_PROBS = "probs"          # (B, K) float32 softmax probabilities


@dataclass
class ModelMetadata:
    name: str
    labels: list[str]
    seq_len: int
    fps: float
    layout_id: str
    transform: dict                      # resolved feature-transform config incl. "version"
    points_used: list[int]
    sign_language: str = "ASL"
    dataset: str = ""
    split: str = ""                      # how the held-out metrics were obtained
    metrics: dict = field(default_factory=dict)   # held-out figures, fractions in [0, 1]
    license: str = ""
    idle_label: str | None = None        # label meaning "no sign", if the model has one
    unknown_label: str | None = None     # label meaning "a sign outside the vocabulary", if any
    threshold: float = 0.5               # suggested confidence gate for showing a sign
    git_commit: str = ""
    date: str = ""
    model_config: dict = field(default_factory=dict)
    notes: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ModelMetadata":
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        missing = [k for k in ("name", "labels", "seq_len", "fps", "layout_id", "transform",
                               "points_used") if k not in data]
        if missing:
            raise ValueError(f"model metadata lacks {', '.join(missing)}")
        return cls(**{k: v for k, v in data.items() if k in known})
