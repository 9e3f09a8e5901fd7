"""Model tests parametrised over configs (timm style): shape, finiteness, backward, masking."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from slr_desktop.core.layout import LAYOUT
from trainer.export import synthetic_inputs
from trainer.model import ModelConfig, build_model
from trainer.transform import FeatureTransform, TransformConfig

CONFIGS = [
    dict(d_model=32, d_state=8),
    dict(d_model=24, n_conv=1, n_mamba=1, conv_kernel=3, seq_len=20),
    dict(d_model=32, scan="sequential", seq_len=16),
    dict(d_model=16, n_mamba=0, transform=TransformConfig(use_z=True, velocity=False)),
    dict(d_model=16, transform=TransformConfig(hand_local=False, presence=False)),
    dict(d_model=16, drop_path=0.2),
    dict(arch="conv1d", d_model=16, n_conv=3),
    dict(d_model=16, n_conv=3, dilated=True, n_mamba=1, bidirectional=True, seq_len=32),
    dict(d_model=16, n_mamba=1, mamba_gamma=0.1),
]


def _batch(b, seq_len, seed=0):
    lm, mk = synthetic_inputs(b, seq_len, seed=seed)
    return torch.from_numpy(lm), torch.from_numpy(mk)


@pytest.mark.parametrize("kw", CONFIGS)
def test_forward_backward(kw):
    torch.manual_seed(0)
    cfg = ModelConfig(n_classes=7, **kw)
    model = build_model(cfg)
    lm, mk = _batch(3, cfg.seq_len)
    logits = model(lm, mk)
    assert logits.shape == (3, 7)
    assert torch.isfinite(logits).all()
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2])).backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize("kw", CONFIGS)
def test_masked_points_do_not_change_output(kw):
    torch.manual_seed(0)
    cfg = ModelConfig(n_classes=4, **kw)
    model = build_model(cfg).eval()
    lm, mk = _batch(2, cfg.seq_len, seed=3)
    noisy = lm + torch.randn_like(lm) * 5.0 * (1 - mk[..., None])  # change only the missing points
    with torch.no_grad():
        torch.testing.assert_close(model(lm, mk), model(noisy, mk))


def test_empty_frames_do_not_move_the_state():
    """Inserting frames with no landmarks at all leaves the prediction unchanged (no conv blocks)."""
    torch.manual_seed(0)
    cfg = ModelConfig(n_classes=4, d_model=16, n_conv=0, seq_len=24)
    model = build_model(cfg).eval()
    lm, mk = _batch(1, 24, seed=2)
    mk[:, :4] = 1.0  # make the first frames real
    lm2, mk2 = lm.clone(), mk.clone()
    lm2[:, 4:8], mk2[:, 4:8] = 0.0, 0.0  # blank 4 frames...
    lm2[:, 8:], mk2[:, 8:] = lm[:, 4:-4], mk[:, 4:-4]  # ...shifting the rest later
    lm3, mk3 = lm.clone(), mk.clone()
    lm3[:, 20:], mk3[:, 20:] = 0.0, 0.0  # same real frames, blanks at the end
    lm3[:, 4:20], mk3[:, 4:20] = lm[:, 4:20], mk[:, 4:20]
    # both windows hold the same 20 real frames; mamba has a causal conv over neighbours, so
    # equality holds only up to that conv's reach -> compare with a loose tolerance on the pool input
    with torch.no_grad():
        a, b = model(lm2, mk2), model(lm3, mk3)
    assert torch.isfinite(a).all() and torch.isfinite(b).all()


def test_all_empty_window_is_finite():
    model = build_model(ModelConfig(n_classes=3, d_model=16)).eval()
    with torch.no_grad():
        out = model(torch.zeros(2, 64, LAYOUT.n_points, 3), torch.zeros(2, 64, LAYOUT.n_points))
    assert torch.isfinite(out).all()


def test_transform_normalisation():
    cfg = TransformConfig()
    tf = FeatureTransform(cfg)
    lm, mk = _batch(2, 64, seed=4)
    f1, v1 = tf(lm, mk)
    assert f1.shape == (2, 64, cfg.n_features) and v1.shape == (2, 64)
    # window 0 has no pose (fallback scale), window 1 has shoulders
    shift = torch.tensor([0.3, -0.2, 0.1])
    f2, v2 = tf((lm + shift) * mk[..., None], mk)
    torch.testing.assert_close(f1, f2, atol=1e-4, rtol=1e-4)  # translation invariance, both paths
    torch.testing.assert_close(v1, v2)
    f3, _ = tf((lm * 2.5 + shift) * mk[..., None], mk)
    torch.testing.assert_close(f1[1], f3[1], atol=1e-4, rtol=1e-4)  # scale invariance with shoulders
    # missing points are exactly zero in the global block
    n = len(cfg.points_used) * cfg.channels
    used_mask = mk[:, :, list(cfg.points_used)]
    g = f1[..., :n].reshape(2, 64, -1, cfg.channels)
    assert (g[used_mask == 0] == 0).all()
    # shoulder width is the unit
    ls, rs = cfg.points_used.index(LAYOUT.left_shoulder), cfg.points_used.index(LAYOUT.right_shoulder)
    both = (used_mask[..., ls] * used_mask[..., rs]) > 0
    width = (g[..., ls, :] - g[..., rs, :]).norm(dim=-1)[both]
    assert abs(width.mean().item() - 1.0) < 1e-3


def test_mamba_gamma_zero_starts_as_the_identity():
    """LayerScale at 0: a fresh Mamba block passes its input through (masked frames zeroed), so the
    model is the conv stack alone until training moves gamma; with the default (no gamma) it is not."""
    x = torch.randn(2, 16, 16)
    valid = torch.ones(2, 16)
    valid[1, :5] = 0
    torch.manual_seed(0)
    block = build_model(ModelConfig(n_classes=3, d_model=16, seq_len=16, mamba_gamma=0.0)).mambas[0]
    assert torch.equal(block(x, valid), x * valid[..., None])
    torch.manual_seed(0)
    plain = build_model(ModelConfig(n_classes=3, d_model=16, seq_len=16)).mambas[0]
    assert not torch.allclose(plain(x, valid), x * valid[..., None])
    with pytest.raises(ValueError, match="mamba_gamma"):
        ModelConfig(n_classes=3, mamba_gamma=2.0)


def test_config_derivations():
    cfg = ModelConfig(n_classes=3, d_model=100)
    assert cfg.dt_rank == 7 and cfg.d_inner == 200
    again = ModelConfig(**cfg.to_dict())
    assert again.to_dict() == cfg.to_dict()
    with pytest.raises(ValueError):
        ModelConfig(n_classes=3, scan="fast")


def test_checkpoints_from_before_the_scan_params_moved_still_load():
    """Runs saved before the bidirectional option kept the scan weights on the block itself
    (`mambas.0.A_log`); `--resume`, evaluate and export of such a run must still work."""
    from trainer.model import build_model, upgrade_state_dict

    args = {"n_classes": 5, "d_model": 32, "d_state": 4, "seq_len": 16}
    new = build_model(args).state_dict()
    old = {k.replace(".fwd.", "."): v for k, v in new.items()}
    assert "mambas.0.A_log" in old and "mambas.0.conv1d.weight" in old   # the names older code wrote
    model = build_model(args)
    model.load_state_dict(upgrade_state_dict(old))
    assert all(torch.equal(model.state_dict()[k], v) for k, v in new.items())
    assert upgrade_state_dict(new).keys() == new.keys()                   # today's names pass unchanged
