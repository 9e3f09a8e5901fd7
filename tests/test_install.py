"""Installing like a desktop app: package data, --version, the menu entry, and a real wheel.

The wheel test builds `pip wheel` from a copy of the sources, installs it into a fresh venv (its
dependencies come from this environment through a .pth file: no downloads) and classifies a real
clip from a folder outside the checkout with the bundled default model.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import numpy as np
import pytest

from slr_desktop import cli
from slr_desktop.core import package_data
from slr_desktop.core.idle_pool import idle_pool_meta, load_idle_pool
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.model_registry import bundled_models_dir, default_model

ROOT = Path(__file__).resolve().parents[1]


def test_package_data_is_the_checkout_folders():
    """Editable install: importlib.resources points at the top-level folders (the source of truth)."""
    assert bundled_models_dir() == ROOT / "models"
    assert package_data.resource("slr-desktop.svg") == ROOT / "resources" / "slr-desktop.svg"
    assert default_model() == ROOT / "models" / ((ROOT / "models" / "DEFAULT").read_text().split()[0] + ".onnx")


def test_idle_pool_is_real_idle_data_of_both_recorders():
    pool = load_idle_pool()
    groups = {s.meta["group"] for s in pool}
    assert groups == {"dmohazab", "TheCamNelson"} and len(pool) == 80
    assert all(s.gloss == "-" and s.meta["real"] and s.mask.shape == (len(s), LAYOUT.n_points) for s in pool)
    assert all(s.mask[:, LAYOUT.pose].any() for s in pool)          # tracked, not the all-zero rows
    for s in pool:
        assert not np.any(s.points[~s.mask])                         # masked points are zeros
    assert len({s.meta["id"] for s in pool}) == len(pool)
    meta = idle_pool_meta()
    assert "Copyright (c) 2022 traduttore" in meta["licence_text"] and meta["layout_id"] == LAYOUT.id
    assert package_data.resource("idle_pool.npz").stat().st_size < 500_000


def test_idle_pool_bad_file_is_one_line(tmp_path):
    from slr_desktop.core.errors import UserError

    bad = tmp_path / "pool.npz"
    bad.write_bytes(b"not a zip")
    for path in (bad, tmp_path / "missing.npz"):
        with pytest.raises(UserError) as e:
            load_idle_pool(path)
        assert "\n" not in str(e.value)


def test_version_from_package_metadata(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"slr-desktop {importlib.metadata.version('slr-desktop')}"


def test_desktop_entry_installs_icon_and_entry(tmp_path, monkeypatch, capsys):
    from slr_desktop import desktop_entry as de

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert cli.main(["install-desktop-entry"]) == 0
    desktop = tmp_path / "share" / "applications" / "slr-desktop.desktop"
    icon = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "slr-desktop.svg"
    assert icon.read_bytes() == (ROOT / "resources" / "slr-desktop.svg").read_bytes()
    lines = desktop.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    entry = dict(line.split("=", 1) for line in lines[1:] if line)
    assert entry["Type"] == "Application" and entry["Icon"] == "slr-desktop" and entry["Terminal"] == "false"
    exe = entry["Exec"].split()[0]
    assert os.path.isabs(exe) and os.access(exe, os.X_OK)           # this installation's launcher
    assert cli.main(["install-desktop-entry", "--remove"]) == 0
    assert not desktop.exists() and not icon.exists()
    # the spec: a relative XDG_DATA_HOME is ignored
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert de.entry_paths()[0] == tmp_path / "home" / ".local" / "share" / "applications" / "slr-desktop.desktop"


def test_desktop_entry_quotes_paths_with_spaces():
    from slr_desktop.desktop_entry import desktop_entry

    text = desktop_entry(["/opt/my apps/bin/slr-desktop"])
    assert 'Exec="/opt/my apps/bin/slr-desktop"' in text


# ------------------------------------------------------------------------------ the wheel
def _copy_sources(dst: Path) -> Path:
    """What a source checkout needs to build (no tests, data, runs or caches)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("slr_desktop", "trainer", "models", "resources"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dst / name)
    return dst


def _site_dirs() -> list[str]:
    """This environment's package folders, so the new venv needs no download for dependencies."""
    own = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(own | {p for p in sys.path if p.endswith("site-packages")})


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    import setuptools

    if tuple(int(x) for x in setuptools.__version__.split(".")[:2]) < (70, 1):
        pytest.fail(f"setuptools {setuptools.__version__} cannot build wheels offline; run ./install.sh")
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_sources(tmp / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(tmp / "dist")], check=True, cwd=tmp)
    (whl,) = (tmp / "dist").glob("slr_desktop-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for pkg in ("slr_desktop", "trainer"):
        for py in (ROOT / pkg).rglob("*.py"):
            assert py.relative_to(ROOT).as_posix() in names, f"{py} missing from the wheel"
    data = {n for n in names if n.startswith(("slr_desktop/models/", "slr_desktop/resources/"))}
    expected = {f"slr_desktop/models/{p.name}" for p in (ROOT / "models").iterdir()
                if p.suffix in (".onnx", ".md") or p.name in ("DEFAULT", "__init__.py")}
    expected |= {f"slr_desktop/resources/{p.name}" for p in (ROOT / "resources").iterdir()
                 if p.suffix in (".svg", ".npz") or p.name == "__init__.py"}
    assert data == expected
    assert {"slr_desktop/models/cafe-words.onnx", "slr_desktop/resources/idle_pool.npz"} <= data
    assert not any(n.startswith(("tests/", "scripts/", "data/", "models/", "resources/")) for n in names)


@pytest.mark.slow
def test_wheel_in_fresh_venv_classifies_a_clip_outside_the_checkout(wheel, tmp_path, small_clip):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, cwd=tmp_path)
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # dependencies only (numpy, onnxruntime, mediapipe, ...); added after the install so pip sees
    # a clean venv. The checkout's own editable hooks (.pth files there) are not run from here.
    Path(site, "_deps_from_test_env.pth").write_text("\n".join(_site_dirs()) + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    clip = shutil.copy2(small_clip, outside / "clip.mp4")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SLR_MODELS_DIR", "SLR_DEFAULT_MODEL", "VIRTUAL_ENV")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path / "home"))

    where = subprocess.run([str(py), "-c", "import slr_desktop, trainer; print(slr_desktop.__file__); "
                            "print(trainer.__file__)"], cwd=outside, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert all(Path(p).is_relative_to(env_dir) for p in where), where

    exe = env_dir / "bin" / "slr-desktop"
    version = subprocess.run([str(exe), "--version"], cwd=outside, env=env, check=True,
                             capture_output=True, text=True).stdout.strip()
    assert version == f"slr-desktop {importlib.metadata.version('slr-desktop')}"
    res = subprocess.run([str(exe), "classify", "clip.mp4", "--json", "--no-progress"], cwd=outside, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    model = Path(out["model"]["path"])
    assert model.is_relative_to(env_dir) and model.name == "cafe-words.onnx"
    assert len(out["top"]) == 5

    # the installed app answers exactly like the checkout
    from slr_desktop.classify import classify_video

    here = classify_video(clip, ROOT / "models" / "cafe-words.onnx", k=5)
    assert [p["label"] for p in out["top"]] == [p.label for p in here.top]
    assert np.allclose([p["prob"] for p in out["top"]], [p.prob for p in here.top], atol=1e-6)
