"""Augmentation: masked points stay zero, mirror swaps sides, each step does what it says."""
from __future__ import annotations

import numpy as np
import pytest

from slr_desktop.core.layout import LAYOUT
from trainer.augment import AugmentConfig, Augmenter, body_centre, mirror


def _clip(t: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A plausible body: shoulders at x 0.5 +- 0.15, hands near the wrists, right hand missing
    in some frames, the legs never tracked."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0.3, 0.9, (t, LAYOUT.n_points, 3)).astype(np.float32)
    pts[:, LAYOUT.left_shoulder, :2] = (0.65, 0.5)
    pts[:, LAYOUT.right_shoulder, :2] = (0.35, 0.5)
    mask = np.ones((t, LAYOUT.n_points), np.float32)
    mask[:, 25:33] = 0
    mask[t // 2:, LAYOUT.right_hand] = 0
    return np.where(mask[..., None] > 0, pts, 0).astype(np.float32), mask


def test_off_is_identity():
    pts, mask = _clip()
    out, m = Augmenter(AugmentConfig.off(), seed=0)(pts, mask)
    np.testing.assert_array_equal(out, pts)
    np.testing.assert_array_equal(m, mask)


@pytest.mark.parametrize("seed", range(5))
def test_masked_points_stay_zero(seed):
    pts, mask = _clip(seed=seed)
    cfg = AugmentConfig(mirror_p=0.5, hand_drop_p=0.5, frame_drop_p=0.3)
    out, m = Augmenter(cfg, seed=seed)(pts, mask)
    assert out.dtype == np.float32 and m.dtype == np.float32
    assert out.shape[1:] == (75, 3) and m.shape == out.shape[:2]
    assert (out[m == 0] == 0).all()
    assert not m[:, 25:33].any() or cfg.mirror_p > 0     # never-tracked points never appear
    assert np.isfinite(out).all()


def test_mirror_swaps_sides_and_is_an_involution():
    pts, mask = _clip()
    mask[:, LAYOUT.right_hand] = 0                        # a left-hand-only sign
    pts = np.where(mask[..., None] > 0, pts, 0).astype(np.float32)
    mp, mm = mirror(pts, mask)
    assert mm[:, LAYOUT.left_hand].sum() == 0 and mm[:, LAYOUT.right_hand].all()
    # the signer's left shoulder becomes the right one, reflected about the body centre
    cx = body_centre(pts, mask)[0]
    assert np.allclose(mp[:, LAYOUT.right_shoulder, 0], 2 * cx - pts[:, LAYOUT.left_shoulder, 0])
    back, bm = mirror(mp, mm)
    np.testing.assert_allclose(back, pts, atol=1e-6)
    np.testing.assert_array_equal(bm, mask)


def test_mirror_probability_is_a_switch():
    pts, mask = _clip()
    never = Augmenter(AugmentConfig.off(), seed=1)
    cfg = AugmentConfig.off()
    cfg.mirror_p = 1.0
    always = Augmenter(cfg, seed=1)
    assert np.array_equal(never(pts, mask)[0], pts)
    np.testing.assert_allclose(always(pts, mask)[0], mirror(pts, mask)[0])


def test_speed_changes_length_within_range():
    pts, mask = _clip(t=40)
    cfg = AugmentConfig.off()
    cfg.speed = (0.5, 2.0)
    lengths = {Augmenter(cfg, seed=s)(pts, mask)[0].shape[0] for s in range(30)}
    assert min(lengths) >= 20 and max(lengths) <= 80 and len(lengths) > 5
    cfg.speed = (2.0, 2.0)
    out, m = Augmenter(cfg, seed=0)(pts, mask)
    assert out.shape[0] == 20
    np.testing.assert_array_equal(out[0], pts[0])        # the ends are kept
    np.testing.assert_allclose(out[-1], pts[-1])


def test_frame_drop_repeats_previous_frames():
    pts, mask = _clip(t=50)
    cfg = AugmentConfig.off()
    cfg.frame_drop_p = 0.5
    out, _ = Augmenter(cfg, seed=3)(pts, mask)
    src = [int(np.flatnonzero((pts == f).all(axis=(1, 2)))[0]) for f in out]
    assert src[0] == 0 and all(b in (a, i) for i, (a, b) in enumerate(zip(src, src[1:]), 1))
    assert len(set(src)) < 50


def test_hand_drop_only_removes_hands():
    pts, mask = _clip(t=30)
    cfg = AugmentConfig.off()
    cfg.hand_drop_p = 1.0
    out, m = Augmenter(cfg, seed=0)(pts, mask)
    assert (m <= mask).all()
    np.testing.assert_array_equal(m[:, LAYOUT.pose], mask[:, LAYOUT.pose])
    assert m[:, LAYOUT.left_hand].sum() < mask[:, LAYOUT.left_hand].sum()


def test_rotation_and_scale_keep_the_shoulder_centre():
    pts, mask = _clip()
    cfg = AugmentConfig.off()
    cfg.rotate_deg, cfg.scale, cfg.aspect = 30.0, (0.7, 1.3), 0.1
    out, _ = Augmenter(cfg, seed=5)(pts, mask)
    np.testing.assert_allclose(body_centre(out, mask), body_centre(pts, mask), atol=1e-5)
    assert not np.allclose(out, pts)


def test_seeded_and_rng_override_are_reproducible():
    pts, mask = _clip()
    a = Augmenter(AugmentConfig(mirror_p=0.5), seed=7)(pts, mask)[0]
    b = Augmenter(AugmentConfig(mirror_p=0.5), seed=7)(pts, mask)[0]
    np.testing.assert_array_equal(a, b)
    aug = Augmenter(AugmentConfig(), seed=0)
    c = aug(pts, mask, rng=np.random.default_rng(1))[0]
    d = aug(pts, mask, rng=np.random.default_rng(1))[0]
    np.testing.assert_array_equal(c, d)


@pytest.mark.parametrize("kw", [dict(mirror_p=1.5), dict(scale=(1.2, 0.8)), dict(speed=(0, 1)),
                                dict(rotate_deg=-1), dict(aspect=1.0), dict(hand_drop_max_frac=0)])
def test_config_validation(kw):
    with pytest.raises(ValueError):
        AugmentConfig(**kw)
