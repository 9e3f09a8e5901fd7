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
    distill: {teacher: runs/big/last.pt, weight: 0.5}  # learn from a teacher too (trainer/distill.py)

CLI overrides: `--set model.d_model=128 --set split.method=kfold` (values parsed as YAML).

`TrainConfig.from_dict` (what YAML and the CLI go through) checks every key at every level against
the dataclasses' fields and every value against the field's type before any dataclass is built:
`epocs: 3`, `split: {metod: group}`, `epochs: two` or `labels: [no]` (YAML 1.1 reads no/yes as
booleans) are one `ConfigError` line that names the key.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from slr_desktop.core.errors import one_line, printable
from slr_desktop.core.metadata import MAX_FPS
from slr_desktop.core.video import DEFAULT_FPS

from .augment import AugmentConfig
from .distill import DistillConfig
from .errors import ConfigError
from .model import ModelConfig
from .open_set import OtherConfig
from .splits import SplitConfig
from .transform import TransformConfig


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
    distill: DistillConfig | None = None  # learn from a teacher checkpoint's probabilities too

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
        if isinstance(self.distill, dict):
            self.distill = DistillConfig(**self.distill)
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
        if not 0 < self.fps <= MAX_FPS:
            raise ValueError(f"fps must be in (0, {MAX_FPS:g}]")
        if self.mixup < 0 or not 0.0 <= self.ema < 1.0:
            raise ValueError("need mixup >= 0 and ema in [0, 1)")
        if self.distill is not None and self.mixup > 0:
            raise ValueError("distill and mixup cannot be combined (the teacher sees unmixed windows)")
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
        """Build from plain data (YAML, CLI, a checkpoint's config); `ConfigError` names the key."""
        values = check_section(cls, d, "")
        values["model"] = check_section(ModelConfig, values.get("model") or {}, "model.",
                                        skip=("n_classes",))
        try:
            ModelConfig(n_classes=1, **values["model"])
        except (TypeError, ValueError) as e:
            raise ConfigError(f"config key model: {one_line(e)}") from None
        values["split"] = _build(SplitConfig, values.get("split") or {}, "split")
        values["augment"] = _build(AugmentConfig, values.get("augment") or {}, "augment")
        try:
            return cls(**values)
        except ConfigError:
            raise
        except (TypeError, ValueError) as e:
            raise ConfigError(f"config: {one_line(e)}") from None


# -- typed sections ------------------------------------------------------------------------------
# The dataclasses a section of the config builds; `model.transform` is a dict in `TrainConfig.model`
# but still checked against `TransformConfig`.
SECTIONS: dict[type, dict[str, type]] = {ModelConfig: {"transform": TransformConfig}}


def _shown(value: Any) -> str:
    text = printable(repr(value) if not isinstance(value, str) else repr(value))
    return text if len(text) <= 40 else text[:37] + "..."


_NAMES = {int: ("an integer", "integers"), float: ("a number", "numbers"), str: ("text", "texts"),
          bool: ("true/false", "true/false values"), dict: ("a section", "sections")}


def _type_name(tp: Any, plural: bool = False) -> str:
    if tp is type(None):
        return "null"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a, plural) for a in args)
    if origin in (list, tuple) or tp in (list, tuple):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} {_type_name(args[0], True)}"
        return f"a list of {_type_name(args[0], True) if args else 'values'}"
    if dataclasses.is_dataclass(tp):
        return "sections" if plural else "a section"
    names = _NAMES.get(tp)
    return (names[1] if plural else names[0]) if names else str(tp)


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """`value` as type `tp` (from a dataclass annotation), or ConfigError naming `key`."""
    def bad(extra: str = "") -> ConfigError:
        return ConfigError(f"config key {key}: expected {_type_name(tp)}, got {_shown(value)}{extra}")

    if tp is Any:
        return value
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:  # X | None: X's own message (it names the element)
            return _coerce(value, options[0], key)
        for a in options:
            try:
                return _coerce(value, a, key)
            except ConfigError:
                pass
        raise bad()
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key)
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise bad()
    if isinstance(value, bool) and tp in (int, float, str):
        hint = " (YAML reads yes/no/on/off as true/false: quote it)" if tp is str else ""
        raise bad(hint)
    if tp is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad() from None
        if isinstance(value, int):
            return value
        raise bad()
    if tp is float:
        if isinstance(value, str):  # YAML 1.1 reads "1e-3" as text
            try:
                value = float(value.strip())
            except ValueError:
                raise bad() from None
        if isinstance(value, (int, float)) and math.isfinite(value):
            return float(value)
        raise bad()
    if tp is str:
        if isinstance(value, (str, int, float, Path)):  # a gloss may be a number: "1"
            return str(value)
        raise bad()
    if tp is dict or origin is dict:
        if isinstance(value, dict):
            return value
        raise bad()
    if tp in (list, tuple) or origin in (list, tuple):
        if isinstance(value, (str, Path)) and origin is list:  # one set dir / label for a list
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise bad()
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                raise bad()
            return tuple(_coerce(v, a, f"{key}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
        inner = args[0] if args else Any
        out = [_coerce(v, inner, f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(out) if (origin is tuple or tp is tuple) else out
    return value


def check_section(cls: type, data: Any, prefix: str, skip: tuple[str, ...] = ()) -> dict:
    """Check a mapping against `cls`'s init fields: unknown keys and wrong value types are a
    `ConfigError` naming `prefix + key` (with a close match when there is one). Returns the
    coerced values (nested sections as checked dicts)."""
    where = prefix.rstrip(".") or "the config"
    if not isinstance(data, dict):
        raise ConfigError(f"config key {where}: expected a section (key: value, ...), got {_shown(data)}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in fields(cls) if f.init and f.name not in skip]
    out = {}
    for key, value in data.items():
        if not isinstance(key, str) or key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {prefix}{close[0]}?)" if close else f"; known: {', '.join(known)}"
            if str(key) in skip:
                hint = " (derived, do not set it)"
            raise ConfigError(f"unknown config key {prefix}{printable(key)}{hint}")
        nested = SECTIONS.get(cls, {}).get(key)
        if nested is not None:
            out[key] = check_section(nested, value if value is not None else {}, f"{prefix}{key}.")
        elif dataclasses.is_dataclass(hints[key]) and isinstance(value, dict):
            out[key] = check_section(hints[key], value, f"{prefix}{key}.")
        else:
            out[key] = _coerce(value, hints[key], prefix + key)
    return out


def _build(cls: type, data: Any, key: str) -> Any:
    """A section's dataclass from a checked mapping; its own range checks become ConfigErrors."""
    if isinstance(data, cls):
        return data
    values = check_section(cls, data, f"{key}.")
    try:
        return cls(**values)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"config key {key}: {one_line(e)}") from None


def set_key(d: dict, dotted: str, value: Any) -> None:
    """d["a"]["b"] = value for "a.b", creating nested dicts."""
    keys = dotted.split(".")
    if not all(k.strip() for k in keys):
        raise ConfigError(f"bad config key {dotted!r} (expected names like epochs or model.d_model)")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
        if d is None or not isinstance(d, dict):
            raise ConfigError(f"cannot set {dotted}: {k} is not a section")
    d[keys[-1]] = value


def _yaml_error(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = getattr(e, "problem", None) or one_line(e)
    return f"YAML syntax error{where}: {what}"


def read_config_file(path: str | Path) -> dict:
    """The YAML mapping in `path`; `ConfigError` for a missing/unreadable file or bad YAML."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"config {path} is a folder, not a YAML file")
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
        d = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise ConfigError(f"config {path} is not a text (UTF-8) file") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"config {path}: {_yaml_error(e)}") from None
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise ConfigError(f"config {path}: expected key: value pairs at the top level, got {type(d).__name__}")
    return d


def load_config(path: str | Path | None = None, overrides: list[str] | None = None,
                **flags: Any) -> TrainConfig:
    """YAML file (optional) <- `key=value` overrides <- explicit flags (None flags are ignored)."""
    d: dict = read_config_file(path) if path is not None else {}
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(f"--set expects KEY=VALUE, got {printable(item)!r}")
        key, value = item.split("=", 1)
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError as e:
            raise ConfigError(f"--set {printable(item)}: {_yaml_error(e)}") from None
        set_key(d, key.strip(), parsed)
    for key, value in flags.items():
        if value is not None:
            set_key(d, key, value)
    return TrainConfig.from_dict(d)


def save_config(cfg: TrainConfig, path: str | Path) -> None:
    from slr_desktop.core.atomic import atomic_write_text

    atomic_write_text(path, yaml.safe_dump(cfg.to_dict(), sort_keys=False))
