"""Files shipped with the app (bundled models, icon, idle pool), found the same way installed or not.

The repository keeps them in its top-level `models/` and `resources/` folders, the one source of
truth. pyproject.toml maps those folders onto the packages `slr_desktop.models` and
`slr_desktop.resources`: a wheel carries them as package data, an editable install
(`pip install -e .`) points at the checkout, and both are found through importlib.resources. A
checkout that is not installed at all (only on PYTHONPATH) falls back to the folders beside the
package.
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path

MODELS_PACKAGE = "slr_desktop.models"
RESOURCES_PACKAGE = "slr_desktop.resources"
CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
ICON_NAME = "slr-desktop.svg"
IDLE_POOL_NAME = "idle_pool.npz"


def _folder(package: str, checkout_name: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path):    # a real folder (wheel or editable), not a zip member
        return root
    return CHECKOUT_ROOT / checkout_name


def models_dir() -> Path:
    """The bundled models: `*.onnx`, their `*.md` cards and `DEFAULT`."""
    return _folder(MODELS_PACKAGE, "models")


def resource(name: str) -> Path:
    """A shipped resource file by name (e.g. `slr-desktop.svg`, `idle_pool.npz`); may not exist."""
    return _folder(RESOURCES_PACKAGE, "resources") / name


def version() -> str:
    """The installed distribution's version (package metadata, so it cannot drift from pyproject)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("slr-desktop")
    except PackageNotFoundError:
        return "unknown (not installed)"


__all__ = ["ICON_NAME", "IDLE_POOL_NAME", "models_dir", "resource", "version"]
