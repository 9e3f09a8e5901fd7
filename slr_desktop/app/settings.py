"""User settings: a validated dataclass, persisted with QSettings.

`AppSettings` is plain data (tests build it directly); `SettingsStore` maps it to QSettings. The
store uses the native location for org "slr-desktop" / app "SLR Desktop" unless a file is given,
either as the constructor argument or via env `SLR_SETTINGS_FILE` (tests point it at tmp_path).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

ORG = "slr-desktop"
APP = "SLR Desktop"
ENV_FILE = "SLR_SETTINGS_FILE"


@dataclass
class AppSettings:
    model_path: str = ""              # last model chosen; "" = the registry's default
    camera_index: int = 0
    mirror: bool = True               # selfie view for cameras (display only)
    threshold: float = -1.0           # confidence gate; < 0 = the model's own suggestion
    overlay: bool = True
    geometry: bytes = b""             # QMainWindow.saveGeometry()
    classify_every: int = 2           # run the classifier every N tracked frames

    def __post_init__(self) -> None:
        self.camera_index = int(self.camera_index)
        if self.camera_index < 0:
            raise ValueError(f"camera_index must be >= 0, got {self.camera_index}")
        self.threshold = float(self.threshold)
        if self.threshold > 1.0:
            raise ValueError(f"threshold must be <= 1, got {self.threshold}")
        self.classify_every = int(self.classify_every)
        if not 1 <= self.classify_every <= 30:
            raise ValueError(f"classify_every must be 1..30, got {self.classify_every}")

    def threshold_for(self, model_threshold: float) -> float:
        return self.threshold if self.threshold >= 0 else float(model_threshold)


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
            try:
                if f.name == "geometry":
                    values[f.name] = bytes(raw) if raw is not None else b""
                elif isinstance(getattr(default, f.name), bool):
                    values[f.name] = _to_bool(raw)
                else:
                    values[f.name] = type(getattr(default, f.name))(raw)
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
            self.qsettings.setValue(f.name, QByteArray(v) if f.name == "geometry" else v)
        self.qsettings.sync()

    @property
    def file_name(self) -> str:
        return self.qsettings.fileName()
