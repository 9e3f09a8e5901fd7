"""Landmark sets, leak-free splits and model windows on small real imported subsets."""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.window import fit_window, resample
from trainer import importers as I
from trainer.augment import AugmentConfig, body_frame
from trainer.dataset import WindowDataset, live_condition_windows
from trainer.landmark_sets import CACHE_NAME, idle_sequences, load_set, safe_name
from trainer.splits import SplitConfig, build_splits

SEQ_LEN, FPS = 32, 15.0


def _imported(tmp_path_factory, dataset: str, src: Path, labels: list[str], augmented: bool) -> Path:
    """Same session-wide location as tests/test_importers.py: whichever runs first imports."""
    out = tmp_path_factory.getbasetemp() / f"imported-{dataset}-{'aug' if augmented else 'real'}"
    I.import_dataset(dataset, src, out, labels=set(labels), include_augmented=augmented, progress=False)
    return out


@pytest.fixture(scope="session")
def cafe(tmp_path_factory, shared_dir):
    out = _imported(tmp_path_factory, "cafe_words", shared_dir / "datasets" / "cafe_words",
                    ["-", "a", "can"], False)
    return load_set(out)


@pytest.fixture(scope="session")
def wlasl(tmp_path_factory, shared_dir):
    out = _imported(tmp_path_factory, "wlasl50", shared_dir / "datasets" / "wlasl50_landmarks",
                    ["accident", "all", "apple"], True)
    return load_set(out)


def test_safe_name_never_escapes():
    for g in ("../x", "a/b", "..", ".", "-", "", "fall in love", "a\\b", "/etc/passwd"):
        s = safe_name(g)
        assert "/" not in s and "\\" not in s and s not in ("", ".", "..") and s[0] not in ".-"
    assert safe_name("thank-you") == "thank-you"


def test_load_set_sorted_with_cache(tmp_path_factory, wlasl):
    root = tmp_path_factory.getbasetemp() / "imported-wlasl50-aug"
    assert (root / CACHE_NAME).is_file()
    again = load_set(root)
    assert [s.meta["id"] for s in again] == [s.meta["id"] for s in wlasl]
    for a, b in zip(again[:5], wlasl[:5]):
        np.testing.assert_array_equal(a.points, b.points)
        assert a.meta == b.meta and a.fps == b.fps and a.gloss == b.gloss
    nocache = load_set(root, cache=False)
    assert [s.meta["id"] for s in nocache] == [s.meta["id"] for s in wlasl]
    # a changed file invalidates the cache
    f = root / "apple" / "0000.npz"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert len(load_set(root)) == len(wlasl)


def _check_no_leaks(splits, seqs):
    parts = {"train": splits.train, "val": splits.val, "test": splits.test}
    origin_split, group_split = defaultdict(set), defaultdict(set)
    for name, part in parts.items():
        for s in part:
            origin_split[s.meta["origin"]].add(name)
            group_split[s.meta["group"]].add(name)
            assert s.gloss in splits.labels
    assert all(len(v) == 1 for v in origin_split.values()), "an origin in two splits"
    assert not any(not s.meta["real"] for s in splits.val + splits.test)
    ids = [s.meta["id"] for p in parts.values() for s in p]
    assert len(ids) == len(set(ids))
    # every augmented copy of a train origin is in train
    train_origins = {s.meta["origin"] for s in splits.train}
    aug = [s for s in seqs if not s.meta["real"] and s.meta["origin"] in train_origins]
    assert {s.meta["id"] for s in aug} <= {s.meta["id"] for s in splits.train}
    return group_split


@pytest.mark.parametrize("cfg", [SplitConfig(), SplitConfig(method="group", seed=3),
                                 SplitConfig(method="kfold", fold=1, n_folds=3)],
                         ids=["stratified", "group", "kfold"])
def test_splits_have_no_origin_or_group_leaks(wlasl, cfg):
    splits = build_splits(wlasl, cfg)
    groups = _check_no_leaks(splits, wlasl)
    assert all(len(v) == 1 for v in groups.values()), "a group in two splits"
    assert splits.labels == ["accident", "all", "apple"]
    assert splits.val and splits.test and cfg.method in splits.description
    for part in (splits.train, splits.val, splits.test):
        assert {s.gloss for s in part} == set(splits.labels)     # stratified: every label


def test_split_is_deterministic(wlasl):
    a = build_splits(wlasl, SplitConfig(seed=5))
    b = build_splits(wlasl, SplitConfig(seed=5))
    c = build_splits(wlasl, SplitConfig(seed=6))
    ids = lambda s: [x.meta["id"] for x in s.test]
    assert ids(a) == ids(b) and ids(a) != ids(c)


def test_kfold_test_folds_partition_the_real_sequences(wlasl):
    real = {s.meta["id"] for s in wlasl if s.meta["real"]}
    seen = []
    for k in range(4):
        sp = build_splits(wlasl, SplitConfig(method="kfold", fold=k, n_folds=4))
        seen += [s.meta["id"] for s in sp.test]
    assert sorted(seen) == sorted(real)


def test_cross_recorder_split(cafe):
    sp = build_splits(cafe, SplitConfig(method="group", test_groups=["dmohazab"]))
    _check_no_leaks(sp, cafe)
    assert {s.meta["group"] for s in sp.test} == {"dmohazab"}
    assert "dmohazab" not in {s.meta["group"] for s in sp.train + sp.val}
    assert "dmohazab" in sp.description and "val" in sp.description
    with pytest.raises(ValueError):
        build_splits(cafe, SplitConfig(method="group", test_groups=["nobody"]))


def test_labels_with_too_few_real_sequences_are_dropped(wlasl):
    few = [s for s in wlasl if s.gloss != "apple" or s.meta["id"] == "wlasl50:apple:0"
           or (not s.meta["real"] and s.meta["origin"] == "wlasl50:apple:0")]
    sp = build_splits(few, SplitConfig(min_real_per_class=2))
    assert sp.labels == ["accident", "all"] and sp.dropped_labels == ["apple"]
    assert all(s.gloss != "apple" for s in sp.train + sp.val + sp.test)


def test_idle_pool_excludes_all_zero_rows(cafe):
    pool = idle_sequences(cafe)
    assert pool and all(s.gloss == "-" and s.mask.any() for s in pool)
    assert len(pool) == sum(s.gloss == "-" for s in cafe) - 60


def test_centre_windows_match_the_app_window_functions(wlasl):
    real = [s for s in wlasl if s.meta["real"]][:6]
    labels = ["accident", "all", "apple"]
    ds = WindowDataset(real, labels, SEQ_LEN, FPS)
    for i, s in enumerate(real):
        x, m, y = ds[i]
        p, mk, _ = resample(s, FPS)
        ep, em = fit_window(p, mk, SEQ_LEN)
        np.testing.assert_array_equal(x.numpy(), ep)
        np.testing.assert_array_equal(m.numpy(), em)
        assert y == labels.index(s.gloss) and x.dtype.is_floating_point


def test_random_placement_pads_with_aligned_real_idle(wlasl, cafe):
    pool = idle_sequences(cafe)
    real = [s for s in wlasl if s.meta["real"]]
    ds = WindowDataset(real, ["accident", "all", "apple"], 64, FPS, idle_pool=pool,
                       placement="random", seed=0)
    offsets = set()
    for i in range(len(ds)):
        x, m, _ = ds.window(i)
        assert x.shape == (64, 75, 3) and m.shape == (64, 75)
        assert (x[m == 0] == 0).all()
        # the sign's own points (11 pose points) only: idle frames must not reveal themselves
        assert not m[:, np.setdiff1d(np.arange(33), I.WLASL50_POSE)].any()
        sign, _, _ = resample(real[i], FPS)
        t = sign.shape[0]
        starts = [o for o in range(64 - t + 1) if np.array_equal(x[o:o + t], sign)]
        assert starts, "the sign is not intact inside the window"
        offsets.add(starts[0])
        if starts[0] >= 3:   # idle frames before the sign sit on the sign's shoulders
            c_sign, w_sign = body_frame(sign, resample(real[i], FPS)[1])
            c_idle, w_idle = body_frame(x[:starts[0]], m[:starts[0]])
            assert np.allclose(c_idle, c_sign, atol=1e-4) and abs(w_idle - w_sign) < 1e-4
    assert len(offsets) > 3


def test_random_placement_without_pool_holds_edges_handless(wlasl):
    real = [s for s in wlasl if s.meta["real"]][:8]
    ds = WindowDataset(real, ["accident", "all", "apple"], 64, FPS, placement="random", seed=1)
    for i in range(len(ds)):
        x, m, _ = ds.window(i)
        sign, smask, _ = resample(real[i], FPS)
        start = next(o for o in range(64 - len(sign) + 1) if np.array_equal(x[o:o + len(sign)], sign))
        if start:
            assert not m[:start, LAYOUT.n_pose:].any()
            np.testing.assert_array_equal(x[0, :33], np.where(smask[0, :33, None] > 0, sign[0, :33], 0))


def test_augmented_windows_and_live_condition_are_deterministic(wlasl, cafe):
    pool = idle_sequences(cafe)
    sp = build_splits(wlasl, SplitConfig())
    ds = WindowDataset(sp.train, sp.labels, SEQ_LEN, FPS, augment=AugmentConfig(mirror_p=0.5),
                       idle_pool=pool, placement="random")
    x, m, y = ds[0]
    assert x.shape == (SEQ_LEN, 75, 3) and m.shape == (SEQ_LEN, 75)
    assert (x.numpy()[m.numpy() == 0] == 0).all()
    a = live_condition_windows(sp.test, sp.labels, SEQ_LEN, FPS, idle_pool=pool, seed=0)
    b = live_condition_windows(sp.test, sp.labels, SEQ_LEN, FPS, idle_pool=pool, seed=0)
    assert a[0].shape == (len(sp.test), SEQ_LEN, 75, 3) and a[2].tolist() == [
        sp.labels.index(s.gloss) for s in sp.test]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
