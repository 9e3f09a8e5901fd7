"""Shared fixtures: the real data in ../shared, the MediaPipe bundles, a real (random-weight) model."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLR_SHARED_DIR", ROOT.parent / "shared")).resolve()
CLIPS = SHARED / "datasets" / "wlasl_clips"
MEDIAPIPE_DIR = SHARED / "mediapipe"

# Tests never download: point the bundle lookup at the shared copies.
os.environ.setdefault("SLR_MEDIAPIPE_DIR", str(MEDIAPIPE_DIR))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _manifest() -> list[dict]:
    with open(CLIPS / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED} (set SLR_SHARED_DIR)")
    return SHARED


@pytest.fixture(scope="session")
def clip_manifest(shared_dir) -> list[dict]:
    return _manifest()


@pytest.fixture(scope="session")
def signing_clip(clip_manifest) -> Path:
    """A real 640x480 WLASL clip of one sign ('before', 86 frames)."""
    return CLIPS / "05732.mp4"


@pytest.fixture(scope="session")
def small_clip(clip_manifest) -> Path:
    """A short, small real clip ('go', 288x192, 60 frames) for fast tests."""
    return CLIPS / "24955.mp4"


@pytest.fixture(scope="session")
def random_model(tmp_path_factory) -> Path:
    """A real CNN-Mamba exported to ONNX with random weights (no trained model needed)."""
    from trainer.export import build_test_model

    out = tmp_path_factory.mktemp("models") / "random-test.onnx"
    return build_test_model(out, labels=[f"sign{i}" for i in range(12)], seed=0)


@pytest.fixture
def dialogs():
    """Error dialogs the app would have shown, as (title, text), instead of real message boxes."""
    from slr_desktop.app import dialogs as errors

    shown: list[tuple[str, str]] = []
    prev = errors.set_dialog_hook(lambda parent, title, text: shown.append((title, text)))
    yield shown
    errors.set_dialog_hook(prev)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory, random_model) -> Path:
    """Two real random-weight models with different label sets, as SLR_MODELS_DIR."""
    from trainer.export import build_test_model

    d = tmp_path_factory.mktemp("app_models")
    shutil.copy(random_model, d / "alpha.onnx")
    if random_model.with_suffix(".md").is_file():
        shutil.copy(random_model.with_suffix(".md"), d / "alpha.md")
    build_test_model(d / "beta.onnx", labels=["hello", "thanks", "before", "go", "yes", "no", "please"],
                     seed=3)
    return d


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch, models_dir, dialogs):
    """`make(**kw)` -> a shown MainWindow on the test models, settings in tmp_path; closed after."""
    from PySide6.QtWidgets import QApplication

    from slr_desktop.app import theme
    from slr_desktop.app.main_window import MainWindow
    from slr_desktop.app.settings import SettingsStore

    monkeypatch.setenv("SLR_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("SLR_DEFAULT_MODEL", "alpha")
    theme.apply_dark(QApplication.instance())
    made = []

    def make(**kw):
        kw.setdefault("store", SettingsStore(tmp_path / "settings.ini"))
        win = MainWindow(**kw)
        win.camera_backoff = (0.05, 0.2)
        qtbot.addWidget(win)
        win.resize(1100, 680)
        win.show()
        made.append(win)
        return win

    yield make
    for w in made:
        w.close()
