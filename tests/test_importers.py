"""`slr-train import` on small real subsets of the shared archives (labels early in the archive,
so the streaming reader stops after a fraction of it)."""
from __future__ import annotations

import argparse
import csv
import io
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from trainer import importers as I
from trainer.landmark_sets import INDEX_NAME

CAFE_LABELS = ["-", "a", "can"]
WLASL_LABELS = ["accident", "all", "apple"]


def _imported(tmp_path_factory, dataset: str, src: Path, labels: list[str], augmented: bool) -> Path:
    """Import once per session at a fixed path (a second call resumes: nothing to do)."""
    out = tmp_path_factory.getbasetemp() / f"imported-{dataset}-{'aug' if augmented else 'real'}"
    I.import_dataset(dataset, src, out, labels=set(labels), include_augmented=augmented, progress=False)
    return out


@pytest.fixture(scope="session")
def cafe_dir(shared_dir) -> Path:
    return shared_dir / "datasets" / "cafe_words"


@pytest.fixture(scope="session")
def wlasl_dir(shared_dir) -> Path:
    return shared_dir / "datasets" / "wlasl50_landmarks"


@pytest.fixture(scope="session")
def cafe_set(tmp_path_factory, cafe_dir) -> Path:
    return _imported(tmp_path_factory, "cafe_words", cafe_dir, CAFE_LABELS, False)


@pytest.fixture(scope="session")
def wlasl_set(tmp_path_factory, wlasl_dir) -> Path:
    return _imported(tmp_path_factory, "wlasl50", wlasl_dir, WLASL_LABELS, True)


def _csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _raw_sequence(archive: Path, member_dir: str) -> np.ndarray:
    with tarfile.open(archive, "r:xz") as tf:
        frames = {}
        for m in tf:
            if m.name.startswith(member_dir) and m.name.endswith(".npy"):
                frames[int(Path(m.name).stem)] = np.load(io.BytesIO(tf.extractfile(m).read()))
            elif frames:
                break
    return np.stack([frames[i] for i in sorted(frames)])


# -- feature mapping ---------------------------------------------------------------------------
def test_cafe_mapping_masks_missing_parts():
    x = np.zeros((2, 258))
    x[0, :132] = np.tile([0.5, 0.4, -0.1, 0.9], 33)
    x[0, 195:] = 0.3                                    # right hand only
    pts, mask = I.cafe_to_layout(x)
    assert pts.shape == (2, 75, 3) and pts.dtype == np.float32
    assert mask[0, LAYOUT.pose].all() and mask[0, LAYOUT.right_hand].all()
    assert not mask[0, LAYOUT.left_hand].any() and not mask[1].any()
    assert np.allclose(pts[0, 0], [0.5, 0.4, -0.1])    # visibility dropped
    assert (pts[~mask] == 0).all()


def test_wlasl50_mapping_places_11_pose_points():
    x = np.zeros((1, 170))
    x[0, :44] = np.arange(44) + 1.0
    x[0, 44:107] = 0.2
    pts, mask = I.wlasl50_to_layout(x)
    assert mask[0].sum() == 11 + 21
    assert sorted(np.flatnonzero(mask[0, :33])) == list(I.WLASL50_POSE)
    assert np.allclose(pts[0, 12], [9, 10, 11])        # slot 2 = pose 12, visibility dropped


def test_zero_frame_runs():
    x = np.zeros((6, 4))
    x[1:4, 0] = 1
    assert I.zero_frame_runs(x) == (1, 2)
    assert I.zero_frame_runs(np.zeros((3, 4))) == (0, 3)


def test_parse_labels_defaults():
    assert I.parse_labels(None, "cafe_words") == set(I.CAFE_WORDS) and len(I.CAFE_WORDS) == 16
    assert I.parse_labels("all", "cafe_words") is None
    assert I.parse_labels(None, "wlasl50") is None
    assert I.parse_labels("a, b", "wlasl50") == {"a", "b"}


# -- real archives -------------------------------------------------------------------------------
def test_cafe_import_counts_and_provenance(cafe_set, cafe_dir):
    table = [r for r in _csv(cafe_dir / "sequences.csv") if r["label"] in CAFE_LABELS]
    index = _csv(cafe_set / INDEX_NAME)
    assert Counter(r["gloss"] for r in index) == Counter(r["label"] for r in table)
    author = {(r["label"], r["sequence"]): r["added_by_git_author"] for r in table}
    for r in index:
        _, label, seq = r["id"].split(":")
        assert r["group"] == author[(label, seq)] and r["real"] == "1" and r["origin"] == r["id"]
        assert r["n_frames"] == "19"
    # the 60 all-zero idle rows are kept and flagged
    zero = [r for r in index if r["all_zero"] == "1"]
    assert len(zero) == 60 and {r["gloss"] for r in zero} == {"-"}
    seq = LandmarkSequence.load(cafe_set / zero[0]["file"])
    assert seq.meta["all_zero"] is True and not seq.mask.any()


def test_cafe_import_drops_frame_zero(cafe_set, cafe_dir):
    raw = _raw_sequence(cafe_dir / I.ARCHIVE, "MP_Data/-/0/")
    assert raw.shape == (20, 258)
    seq = LandmarkSequence.load(cafe_set / "_-" / "0000.npz")
    assert len(seq) == 19 and seq.fps == 15.0 and (seq.width, seq.height) == (640, 480)
    expect, _ = I.cafe_to_layout(raw[1:])
    np.testing.assert_array_equal(seq.points, expect)
    m = seq.meta
    assert m["dataset"] == "cafe_words" and m["member"] == "MP_Data/-/0/" and "MIT" in m["licence"]
    assert m["assumed_size"] and m["nominal_fps"] and seq.timestamps_ms is None


def test_wlasl50_import_real_augmented_and_padding(wlasl_set, wlasl_dir):
    table = {(r["label"], int(r["sequence"])): r for r in _csv(wlasl_dir / "sequences.csv")
             if r["label"] in WLASL_LABELS}
    n_real = Counter(l for (l, _), r in table.items() if r["kind"] == "real")
    index = _csv(wlasl_set / INDEX_NAME)
    assert len(index) == len(table) == 90
    for r in index:
        _, label, s = r["id"].split(":")
        row = table[(label, int(s))]
        assert r["real"] == ("1" if row["kind"] == "real" else "0")
        if row["kind"] == "real":
            assert r["origin"] == r["id"] == r["group"]
            # hand-less frames were dropped at extraction: every zero frame is end padding
            assert int(r["n_frames"]) == 30 - int(row["all_zero_frames"])
        else:
            k = n_real[label]
            assert r["origin"] == f"wlasl50:{label}:{(int(s) - k) % k}" == r["group"]
    seq = LandmarkSequence.load(wlasl_set / "accident" / "0000.npz")
    assert seq.meta["time_axis"] == "sign-normalised" and seq.meta["trailing_padding_dropped"] == 8
    unknown = np.setdiff1d(np.arange(33), I.WLASL50_POSE)
    assert not seq.mask[:, unknown].any()
    assert seq.mask[:, LAYOUT.right_hand].all()          # real rows keep only frames with a hand
    assert (seq.points[~seq.mask] == 0).all()


def test_import_resumes_and_cleans_part_files(tmp_path, wlasl_dir):
    out = tmp_path / "w"
    first = I.import_dataset("wlasl50", wlasl_dir, out, labels={"accident"}, progress=False)
    assert first.written == first.counts()["real"] == first.counts()["sequences"]
    victim = out / "accident" / "0001.npz"
    victim.unlink()
    (out / "accident" / ".0002.npz.abc.part").write_bytes(b"half")
    again = I.import_dataset("wlasl50", wlasl_dir, out, labels={"accident"}, progress=False)
    assert again.written == 1 and again.skipped_existing == first.written - 1
    assert victim.is_file() and not list(out.rglob("*.part"))
    assert _csv(out / INDEX_NAME) == _csv(out / INDEX_NAME)  # readable
    assert len(_csv(out / INDEX_NAME)) == first.written


def test_cli_rejects_unknown_label(tmp_path, wlasl_dir, capsys):
    p = argparse.ArgumentParser()
    I.configure_parser(p)
    args = p.parse_args(["wlasl50", str(wlasl_dir), str(tmp_path / "o"), "--labels", "nope"])
    assert I.run(args) == 2
    assert "nope" in capsys.readouterr().err
