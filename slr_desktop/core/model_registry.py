"""Where classifier models (.onnx) are found, and which one is the default.

Search order (de-duplicated, bundled first so a fresh install always offers the shipped models):
the bundled models (the repository's top-level `models/`, shipped in the wheel as package data;
`core.package_data`), env `SLR_MODELS_DIR` (one directory, or several joined with
os.pathsep), then the per-user data dir `platformdirs.user_data_dir("slr-desktop")/models` where
the trainer's `export --install` and the app's "add model" put theirs.

Default model: env `SLR_DEFAULT_MODEL` (a path, or a model name / file stem found above), else the
one-line name in `models/DEFAULT` (e.g. "wlasl50"), else the first model found.
"""
from __future__ import annotations

import os
from pathlib import Path

from .runtime import ModelError

ENV_MODELS_DIR = "SLR_MODELS_DIR"
ENV_DEFAULT_MODEL = "SLR_DEFAULT_MODEL"


def bundled_models_dir() -> Path:
    """The bundled models: the checkout's models/ (editable install) or the installed package's copy."""
    from .package_data import models_dir

    return models_dir()


def user_models_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("slr-desktop")) / "models"


def search_dirs() -> list[Path]:
    dirs = [bundled_models_dir()]
    env = os.environ.get(ENV_MODELS_DIR, "")
    dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    dirs.append(user_models_dir())
    return dirs


def find_models() -> list[Path]:
    """All *.onnx files in the search dirs, bundled first, each file once (by resolved path)."""
    seen: set[Path] = set()
    out: list[Path] = []
    for d in search_dirs():
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.onnx")):
            key = p.resolve()
            if key not in seen and p.is_file():
                seen.add(key)
                out.append(p)
    return out


def _match(name: str, models: list[Path]) -> Path | None:
    name = name.strip()
    for p in models:
        if p.stem == name or p.name == name:
            return p
    return None


def default_model() -> Path:
    """The model to load when the user did not pick one. Raises `ModelError` if none exists."""
    models = find_models()
    env = os.environ.get(ENV_DEFAULT_MODEL, "").strip()
    if env:
        as_path = Path(env).expanduser()
        if as_path.is_file():
            return as_path
        hit = _match(env, models)
        if hit is None:
            raise ModelError(f"{ENV_DEFAULT_MODEL}={env!r} is neither a file nor a model in "
                             f"{', '.join(map(str, search_dirs()))}")
        return hit
    marker = bundled_models_dir() / "DEFAULT"
    if marker.is_file():
        lines = marker.read_text(encoding="utf-8").strip().splitlines()
        hit = _match(lines[0], models) if lines else None
        if hit is not None:
            return hit
    if models:
        return models[0]
    raise ModelError(f"no classifier model (.onnx) found in {', '.join(map(str, search_dirs()))}; "
                     f"pass --model PATH or set {ENV_MODELS_DIR}")


__all__ = ["ENV_DEFAULT_MODEL", "ENV_MODELS_DIR", "bundled_models_dir", "default_model",
           "find_models", "search_dirs", "user_models_dir"]
