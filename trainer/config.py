"""Training configuration: one dataclass, validated in `__post_init__`, set from YAML and the CLI.

YAML and the command line only *set fields*; every default and check lives here. The resolved
config (`TrainConfig.to_dict()`, plain types only) is stored in every checkpoint, so resume,
evaluate and export need nothing else.

    data: [data/cafe_words]           # set dirs (slr-train import / extract output)
    epochs: 60
    split: {method: group, test_groups: [dmohazab]}
    model: {d_model: 192, n_mamba: 2, transform: {use_z: false}}
    augment: {mirror_p: 0.0, rotate_deg: 10}
    other: {sets: [data/cafe_letters], label: "?"}   # an "other sign" class (trainer/open_set.py)

CLI overrides: `--set model.d_model=128 --set split.method=kfold` (values parsed as YAML).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from slr_desktop.core.video import DEFAULT_FPS

from .augment import AugmentConfig
from .model import ModelConfig
from .open_set import OtherConfig
from .splits import SplitConfig


def plain(obj: Any) -> Any:
    """Dataclasses, tuples and paths -> dicts, lists and strings (safe for weights_only loading)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in fields(obj) if f.init}
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


@dataclass
class TrainConfig:
    data: list[str] = field(default_factory=list)
    out: str = "runs/exp"
    labels: list[str] | None = None       # train on these glosses only (None = all)
    epochs: int = 60
    batch: int = 32
    lr: float = 5e-4
    min_lr_ratio: float = 0.02            # cosine decays to lr * min_lr_ratio
    warmup_epochs: float = 2.0
    weight_decay: float = 5e-4            # on >= 2-D parameters only
    label_smoothing: float = 0.1
    grad_clip: float = 1.0
    seed: int = 0
    workers: int = 0
    threads: int = 2
    fps: float = DEFAULT_FPS
    placement: str = "random"             # training windows: "random" (live-like) or "centre"
    idle_label: str | None = "-"          # real idle sequences of this label pad random placement
    idle_pool: list[str] = field(default_factory=list)  # extra set dirs of idle sequences
    augment_on: bool = True
    mixup: float = 0.0                    # Beta(a, a) mixup of transformed features; 0 = off
    ema: float = 0.0                      # decay of an exponential moving average of the weights; 0 = off
    init_from: str | None = None          # checkpoint whose matching weights start training (pre-training)
    progress: bool = True
    split: SplitConfig = field(default_factory=SplitConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    model: dict = field(default_factory=dict)  # ModelConfig fields except n_classes
    other: OtherConfig | None = None      # real out-of-vocabulary signs -> one "other" class

    def __post_init__(self) -> None:
        # YAML reads "1e-3" as a string (YAML 1.1 wants "1.0e-3"): coerce scalar fields by their default's type
        for f in fields(self):
            default = f.default
            value = getattr(self, f.name)
            if isinstance(default, (int, float)) and not isinstance(default, bool) and isinstance(value, str):
                setattr(self, f.name, type(default)(float(value)) if isinstance(default, int) else float(value))
        if isinstance(self.split, dict):
            self.split = SplitConfig(**self.split)
        if isinstance(self.augment, dict):
            self.augment = AugmentConfig(**self.augment)
        if isinstance(self.other, dict):
            self.other = OtherConfig(**self.other)
        if isinstance(self.data, (str, Path)):
            self.data = [self.data]
        self.data = [str(d) for d in self.data]
        self.idle_pool = [str(d) for d in self.idle_pool]
        self.out = str(self.out)
        if self.labels is not None:
            self.labels = [str(x) for x in self.labels]
        self.model = plain(dict(self.model))
        if "n_classes" in self.model:
            raise ValueError("model.n_classes is derived from the data's labels; do not set it")
        ModelConfig(n_classes=1, **self.model)  # validates the model fields now, not after loading data
        for name in ("epochs", "batch", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.workers < 0:
            raise ValueError("workers must be >= 0")
        if not (self.lr > 0 and 0 <= self.min_lr_ratio <= 1 and self.warmup_epochs >= 0):
            raise ValueError("need lr > 0, 0 <= min_lr_ratio <= 1, warmup_epochs >= 0")
        if self.weight_decay < 0 or self.grad_clip < 0 or not 0 <= self.label_smoothing < 1:
            raise ValueError("weight_decay, grad_clip must be >= 0 and label_smoothing in [0, 1)")
        if self.fps <= 0:
            raise ValueError("fps must be > 0")
        if self.mixup < 0 or not 0.0 <= self.ema < 1.0:
            raise ValueError("need mixup >= 0 and ema in [0, 1)")
        if self.other is not None and self.labels is not None and self.other.label in self.labels:
            raise ValueError(f"other.label {self.other.label!r} is also a known label")
        if self.placement not in ("centre", "random"):
            raise ValueError(f"placement must be 'centre' or 'random', got {self.placement!r}")

    def model_config(self, n_classes: int) -> ModelConfig:
        return ModelConfig(n_classes=n_classes, **self.model)

    def to_dict(self) -> dict:
        return plain(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        return cls(**d)


def set_key(d: dict, dotted: str, value: Any) -> None:
    """d["a"]["b"] = value for "a.b", creating nested dicts."""
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
        if not isinstance(d, dict):
            raise ValueError(f"cannot set {dotted}: {k} is not a section")
    d[keys[-1]] = value


def load_config(path: str | Path | None = None, overrides: list[str] | None = None,
                **flags: Any) -> TrainConfig:
    """YAML file (optional) <- `key=value` overrides <- explicit flags (None flags are ignored)."""
    d: dict = {}
    if path is not None:
        with open(path) as f:
            d = yaml.safe_load(f) or {}
        if not isinstance(d, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
    for item in overrides or []:
        if "=" not in item:
            raise ValueError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        set_key(d, key.strip(), yaml.safe_load(value))
    for key, value in flags.items():
        if value is not None:
            set_key(d, key, value)
    return TrainConfig.from_dict(d)


def save_config(cfg: TrainConfig, path: str | Path) -> None:
    from slr_desktop.core.atomic import atomic_write_text

    atomic_write_text(path, yaml.safe_dump(cfg.to_dict(), sort_keys=False))
