"""MediaPipe bundle lookup: order, sha256 verification, one-line errors. Never downloads."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from slr_desktop.core import bundles
from slr_desktop.core.bundles import BUNDLES, BundleError, find_bundle


@pytest.fixture
def isolated(tmp_path, monkeypatch, shared_dir):
    """No env dir, an empty user cache, downloads forbidden."""
    monkeypatch.delenv(bundles.ENV_DIR, raising=False)
    monkeypatch.setenv(bundles.ENV_OFFLINE, "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_found_via_env(shared_dir):
    assert os.environ[bundles.ENV_DIR]  # set by conftest
    p = find_bundle("hand_landmarker", download=False)
    assert p.resolve() == (shared_dir / "mediapipe" / "hand_landmarker.task").resolve()  # ../shared may be a link
    assert find_bundle("pose_landmarker_lite", download=False).name == "pose_landmarker_lite.task"


def test_verification_is_cached(shared_dir, monkeypatch):
    find_bundle("hand_landmarker", download=False)
    calls = []
    monkeypatch.setattr(bundles, "_sha256", lambda p: calls.append(p) or "x")
    find_bundle("hand_landmarker", download=False)
    assert calls == []  # same (path, mtime, size): no re-hash


def test_explicit_dir_wins(isolated, shared_dir, monkeypatch):
    mine = isolated / "mine"
    mine.mkdir()
    shutil.copy(shared_dir / "mediapipe" / "hand_landmarker.task", mine)
    monkeypatch.setenv(bundles.ENV_DIR, str(shared_dir / "mediapipe"))
    assert find_bundle("hand_landmarker", explicit=mine) == mine / "hand_landmarker.task"
    # the setting may also name the file itself
    assert find_bundle("hand_landmarker", explicit=mine / "hand_landmarker.task") == mine / "hand_landmarker.task"


def test_user_cache_is_searched(isolated, shared_dir):
    cache = bundles.cache_dir()
    assert str(cache).startswith(str(isolated / "cache"))
    cache.mkdir(parents=True)
    shutil.copy(shared_dir / "mediapipe" / "pose_landmarker_lite.task", cache)
    assert find_bundle("pose_landmarker_lite") == cache / "pose_landmarker_lite.task"


def test_tampered_copy_is_rejected(isolated, shared_dir, monkeypatch):
    bad_dir = isolated / "bad"
    bad_dir.mkdir()
    bad = bad_dir / "hand_landmarker.task"
    data = bytearray((shared_dir / "mediapipe" / "hand_landmarker.task").read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    bad.write_bytes(bytes(data))
    monkeypatch.setenv(bundles.ENV_DIR, str(bad_dir))
    with pytest.raises(BundleError) as e:
        find_bundle("hand_landmarker")
    msg = str(e.value)
    assert "\n" not in msg and str(bad) in msg and "sha256" in msg


def test_missing_everywhere_offline(isolated, monkeypatch):
    monkeypatch.setenv(bundles.ENV_DIR, str(isolated / "nothing-here"))
    with pytest.raises(BundleError) as e:
        find_bundle("pose_landmarker_full", download=True)  # env SLR_MEDIAPIPE_OFFLINE=1 wins
    msg = str(e.value)
    assert "\n" not in msg
    assert "nothing-here" in msg and bundles.ENV_DIR in msg and "disabled" in msg


def test_download_false_without_env(isolated, monkeypatch):
    monkeypatch.delenv(bundles.ENV_OFFLINE)
    with pytest.raises(BundleError) as e:
        find_bundle("hand_landmarker", download=False)
    assert "\n" not in str(e.value) and str(bundles.cache_dir()) in str(e.value)


def test_unknown_name():
    with pytest.raises(BundleError, match="unknown"):
        find_bundle("face_landmarker")


def test_official_urls():
    assert BUNDLES["pose_landmarker_full"].url == (
        "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_full/"
        "float16/1/pose_landmarker_full.task")
    assert BUNDLES["hand_landmarker"].url.endswith("/hand_landmarker/hand_landmarker/float16/1/hand_landmarker.task")


def test_known_hashes_match_shared_sums(shared_dir):
    sums = dict(reversed(line.split()) for line in
                (shared_dir / "mediapipe" / "SHA256SUMS").read_text().splitlines() if line.strip())
    for fname, digest in sums.items():
        assert BUNDLES[Path(fname).stem].sha256 == digest


def test_download_failure_is_one_line(isolated, monkeypatch):
    """A real failed download (nothing listens on port 9) is reported, and nothing lands in the cache."""
    monkeypatch.delenv(bundles.ENV_OFFLINE)
    monkeypatch.setattr(bundles, "URL_BASE", "http://127.0.0.1:9/mediapipe-models")
    with pytest.raises(BundleError) as e:
        find_bundle("hand_landmarker", progress=False)
    msg = str(e.value)
    assert "\n" not in msg and "downloading http://127.0.0.1:9/" in msg and "internet" in msg
    assert not any(bundles.cache_dir().glob("*")) if bundles.cache_dir().exists() else True


def test_verification_is_remembered_across_processes(isolated, shared_dir, monkeypatch):
    """A verified file is not hashed again by the next process, until the file changes: a flipped
    byte with the old mtime restored still changes the ctime, so it is hashed (and refused)."""
    mine = isolated / "mine"
    mine.mkdir()
    path = mine / "hand_landmarker.task"
    shutil.copy(shared_dir / "mediapipe" / "hand_landmarker.task", path)
    assert find_bundle("hand_landmarker", explicit=mine) == path
    assert (bundles.cache_dir().parent / bundles.RECORD_NAME).is_file()

    calls = []
    real = bundles._sha256
    monkeypatch.setattr(bundles, "_sha256", lambda p: calls.append(p) or real(p))
    bundles._verified.clear()  # a new process: only the record on disk is left
    assert find_bundle("hand_landmarker", explicit=mine) == path and calls == []

    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    bundles._verified.clear()
    with pytest.raises(BundleError, match="sha256"):
        find_bundle("hand_landmarker", explicit=mine)
    assert calls == [path]
