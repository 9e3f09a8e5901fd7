"""What every exported model carries about itself, as one JSON document in the ONNX metadata.

The exporter (trainer) writes it with `ModelMetadata.to_json()`, the runtime (app) reads it with
`ModelMetadata.from_json()`: one schema, one place. `validate()` is the one check of every field
(type, range, consistency with the graph), run by the exporter before it writes a file and by the
runtime when it loads one, so nothing downstream (the side panel, `classify`'s table, the
presenter) ever meets a label that is not a string or a threshold that is not a number.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, fields

from .layout import LAYOUT

METADATA_KEY = "slr_metadata"
TRANSFORM_VERSION = 1
INPUT_LANDMARKS = "landmarks"   # (B, T, 75, 3) float32, model coordinates (window.to_model_coords)
INPUT_MASK = "mask"             # (B, T, 75) float32, 1 = point present
OUTPUT_PROBS = "probs"          # (B, K) float32 softmax probabilities

REQUIRED = ("name", "labels", "seq_len", "fps", "layout_id", "transform", "points_used")
MAX_LABEL_CHARS = 200
MAX_SEQ_LEN = 1024                # frames per window (the shipped models use 64)
MAX_FPS = 1000.0
# a label or name is shown on one line (terminal table, side panel, bars): no control characters,
# line separators or bidi overrides; free text (licence, split, notes) may hold newlines and tabs
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class MetadataError(ValueError):
    """SLR metadata that cannot be used; one line, without the file name (the loader adds it)."""


def _shown(value) -> str:
    """A short, printable repr of a bad value for the message."""
    text = repr(value)
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_line(name: str, v, allow_empty: bool = False) -> None:
    if not isinstance(v, str):
        raise MetadataError(f"{name} must be a string, got {_shown(v)}")
    if not allow_empty and not v.strip():
        raise MetadataError(f"{name} is empty")
    if len(v) > MAX_LABEL_CHARS:
        raise MetadataError(f"{name} is longer than {MAX_LABEL_CHARS} characters")
    if _CONTROL.search(v):
        raise MetadataError(f"{name} {_shown(v)} contains control characters (newline, escape, ...) "
                            f"or undecodable bytes")


def _check_text(name: str, v) -> None:
    if not isinstance(v, str):
        raise MetadataError(f"{name} must be a string, got {_shown(v)}")
    if _CONTROL_IN_TEXT.search(v):
        raise MetadataError(f"{name} contains control characters")


def _check_metrics(m) -> None:
    if not isinstance(m, dict):
        raise MetadataError(f"metrics must be a JSON object, got {_shown(m)}")
    for key in ("top1", "top5", "macro_f1"):
        v = m.get(key)
        if v is not None and not (_is_number(v) and 0.0 <= v <= 1.0):
            raise MetadataError(f"metrics.{key} must be a fraction in [0, 1], got {_shown(v)}")
    n = m.get("n")
    if n is not None and not (_is_int(n) and n >= 0):
        raise MetadataError(f"metrics.n must be a count >= 0, got {_shown(n)}")
    figures = m.get("figures")
    if figures is not None and not (isinstance(figures, dict) and all(isinstance(f, dict) for f in figures.values())):
        raise MetadataError("metrics.figures must map each evaluation to an object of figures")


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
        """Parse and `validate()`; raises `MetadataError` (one line) for anything unusable.

        Keys this version does not know are ignored (a newer exporter may add some)."""
        try:
            data = json.loads(text)
        except ValueError as e:
            raise MetadataError(f"metadata is not valid JSON ({e})") from None
        if not isinstance(data, dict):
            raise MetadataError(f"metadata must be a JSON object, got {type(data).__name__}")
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            raise MetadataError(f"lacks {', '.join(missing)}")
        known = {f.name for f in fields(cls)}
        meta = cls(**{k: v for k, v in data.items() if k in known})
        meta.validate()
        return meta

    def validate(self, n_outputs: int | None = None, input_shapes: dict[str, list] | None = None) -> None:
        """Check every field's type and range, and (when given) agreement with the graph:
        `n_outputs` scores per window, `input_shapes` {input name: shape without the batch axis}.
        Raises `MetadataError` naming the field."""
        _check_line("name", self.name)
        _check_line("layout_id", self.layout_id)
        if self.layout_id != LAYOUT.id:
            raise MetadataError(f"trained for landmark layout {self.layout_id!r}; this app uses {LAYOUT.id!r}")
        labels = self.labels
        if not isinstance(labels, list) or not labels:
            raise MetadataError("label list is empty or has duplicates" if isinstance(labels, list)
                                else f"labels must be a list of strings, got {_shown(labels)}")
        for i, label in enumerate(labels):
            _check_line(f"label {i + 1}", label)
        if len(set(labels)) != len(labels):
            dup = sorted({x for x in labels if labels.count(x) > 1})
            raise MetadataError(f"label list is empty or has duplicates ({', '.join(map(_shown, dup[:3]))})")
        if not (_is_int(self.seq_len) and 1 <= self.seq_len <= MAX_SEQ_LEN):
            raise MetadataError(f"seq_len must be an integer in 1..{MAX_SEQ_LEN}, got {_shown(self.seq_len)}")
        if not (_is_number(self.fps) and 0.0 < self.fps <= MAX_FPS):
            raise MetadataError(f"fps must be a number in (0, {MAX_FPS:g}], got {_shown(self.fps)}")
        if not (_is_number(self.threshold) and 0.0 <= self.threshold <= 1.0):
            raise MetadataError(f"threshold must be a number in [0, 1], got {_shown(self.threshold)}")
        if self.idle_label is not None:
            _check_line("idle_label", self.idle_label)
            if self.idle_label not in labels:
                raise MetadataError(f"idle_label {_shown(self.idle_label)} is not one of the labels")
        pts = self.points_used
        if not (isinstance(pts, list) and pts and all(_is_int(p) and 0 <= p < LAYOUT.n_points for p in pts)
                and len(set(pts)) == len(pts)):
            raise MetadataError(f"points_used must be distinct point indices in 0..{LAYOUT.n_points - 1}, "
                                f"got {_shown(pts)}")
        if not isinstance(self.transform, dict):
            raise MetadataError(f"transform must be a JSON object, got {_shown(self.transform)}")
        version = self.transform.get("version")
        if not (_is_int(version) and version >= 1):
            raise MetadataError(f"transform.version must be an integer >= 1, got {_shown(version)}")
        if "points_used" in self.transform and list(self.transform["points_used"]) != list(pts):
            raise MetadataError("transform.points_used differs from points_used")
        _check_line("sign_language", self.sign_language, allow_empty=True)
        for name in ("dataset", "split", "license", "git_commit", "date", "notes"):
            _check_text(name, getattr(self, name))
        _check_metrics(self.metrics)
        if not isinstance(self.model_config, dict):
            raise MetadataError(f"model_config must be a JSON object, got {_shown(self.model_config)}")
        if n_outputs is not None and n_outputs != len(labels):
            raise MetadataError(f"{n_outputs} outputs but {len(labels)} labels")
        want = {INPUT_LANDMARKS: [self.seq_len, LAYOUT.n_points, LAYOUT.channels],
                INPUT_MASK: [self.seq_len, LAYOUT.n_points]}
        for name, shape in (input_shapes or {}).items():
            dims = want.get(name)
            if dims is not None and [d if _is_int(d) else None for d in shape] != dims:
                raise MetadataError(f"input {name} has shape [batch, {', '.join(map(str, shape))}], "
                                    f"expected [batch, {', '.join(map(str, dims))}]")


__all__ = ["INPUT_LANDMARKS", "INPUT_MASK", "MAX_FPS", "MAX_SEQ_LEN", "METADATA_KEY", "MetadataError", "ModelMetadata",
           "OUTPUT_PROBS", "TRANSFORM_VERSION"]
