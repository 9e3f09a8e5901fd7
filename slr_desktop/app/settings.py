"""User settings: a validated dataclass, persisted with QSettings.

`AppSettings` is plain data (tests build it directly); `SettingsStore` maps it to QSettings. The
store uses the native location for org "slr-desktop" / app "SLR Desktop" unless a file is given,
either as the constructor argument or via env `SLR_SETTINGS_FILE` (tests point it at tmp_path).
Lists and dicts are stored as JSON text: QSettings' INI files turn a one-element list into a
plain string, and JSON keeps the types.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ORG = "slr-desktop"
APP = "SLR Desktop"
ENV_FILE = "SLR_SETTINGS_FILE"
MAX_RECENT = 8


@dataclass
class AppSettings:
    model_path: str = ""              # last model chosen; "" = the registry's default
    camera_index: int = 0
    mirror: bool = True               # selfie view for cameras (display only)
    thresholds: dict = field(default_factory=dict)   # model file -> the user's confidence gate
    overlay: bool = True
    geometry: bytes = b""             # QMainWindow.saveGeometry()
    classify_every: int = 2           # run the classifier every N tracked frames
    recent_files: list = field(default_factory=list)  # newest first, at most MAX_RECENT
    last_dir: str = ""                # where the Open / Export dialogs start
    hint_shown: bool = False          # the first-run hint was dismissed once

    def __post_init__(self) -> None:
        self.camera_index = int(self.camera_index)
        if self.camera_index < 0:
            raise ValueError(f"camera_index must be >= 0, got {self.camera_index}")
        self.classify_every = int(self.classify_every)
        if not 1 <= self.classify_every <= 30:
            raise ValueError(f"classify_every must be 1..30, got {self.classify_every}")
        # a damaged entry is dropped, never fatal: these are conveniences
        self.thresholds = {str(k): float(v) for k, v in dict(self.thresholds).items()
                           if isinstance(v, (int, float)) and 0.0 <= float(v) <= 1.0}
        self.recent_files = [str(p) for p in list(self.recent_files) if isinstance(p, str) and p][:MAX_RECENT]

    # -- per-model threshold: 95% chosen for one model must not carry into another
    @staticmethod
    def model_key(path: str | os.PathLike) -> str:
        return str(Path(path).resolve())

    def threshold_for(self, model: str | os.PathLike | None, model_threshold: float) -> float:
        """The user's threshold for this model file, else the model's own suggestion."""
        if model is None:
            return float(model_threshold)
        return self.thresholds.get(self.model_key(model), float(model_threshold))

    def set_threshold(self, model: str | os.PathLike, value: float | None) -> None:
        """Remember `value` for this model file (None forgets it: the model's own is used)."""
        key = self.model_key(model)
        if value is None:
            self.thresholds.pop(key, None)
        else:
            self.thresholds[key] = float(min(1.0, max(0.0, value)))

    # -- recent files
    def add_recent(self, path: str | os.PathLike) -> None:
        """Put `path` first (once), keep the newest MAX_RECENT; the folder becomes the last one."""
        p = str(Path(path).resolve())
        self.recent_files = [p] + [r for r in self.recent_files if r != p][: MAX_RECENT - 1]
        self.last_dir = str(Path(p).parent)

    def clear_recent(self) -> None:
        self.recent_files = []


def _to_bool(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "on")
    return bool(v)


class SettingsStore:
    """Load/save `AppSettings`. A bad stored value falls back to the default, never crashes."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        from PySide6.QtCore import QSettings

        path = path or os.environ.get(ENV_FILE) or None
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(ORG, APP)

    def load(self) -> AppSettings:
        default = AppSettings()
        values = {}
        q = self.qsettings
        for f in fields(AppSettings):
            if not q.contains(f.name):
                continue
            raw = q.value(f.name)
            kind = type(getattr(default, f.name))
            try:
                if f.name == "geometry":
                    values[f.name] = bytes(raw) if raw is not None else b""
                elif kind is bool:
                    values[f.name] = _to_bool(raw)
                elif kind in (list, dict):
                    value = json.loads(raw) if isinstance(raw, str) else raw
                    if isinstance(value, kind):
                        values[f.name] = value
                else:
                    values[f.name] = kind(raw)
            except (TypeError, ValueError):
                pass
        try:
            return AppSettings(**values)
        except ValueError:
            return default

    def save(self, s: AppSettings) -> None:
        from PySide6.QtCore import QByteArray

        for f in fields(AppSettings):
            v = getattr(s, f.name)
            if f.name == "geometry":
                v = QByteArray(v)
            elif isinstance(v, (list, dict)):
                v = json.dumps(v)
            self.qsettings.setValue(f.name, v)
        self.qsettings.remove("threshold")   # the old global threshold: now per model
        self.qsettings.sync()

    @property
    def file_name(self) -> str:
        return self.qsettings.fileName()
