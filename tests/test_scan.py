"""The parallel (chunked log-space) scan equals the sequential reference, forward and backward."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from trainer.scan import linear_scan, selective_scan_parallel, selective_scan_sequential


def _inputs(b, l, d, n, delta_scale, seed=0):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)  # noqa: E731
    u, B, C, D = r(b, l, d), r(b, l, n), r(b, l, n), r(d)
    delta = F.softplus(r(b, l, d) * delta_scale)  # delta_scale 4 gives delta up to ~15: decays of e^-200
    A = -torch.exp(torch.log(torch.arange(1, n + 1, dtype=torch.float64)).repeat(d, 1) + 0.1 * r(d, n))
    return [t.requires_grad_() for t in (u, delta, A, B, C, D)]


@pytest.mark.parametrize("l", [1, 3, 4, 5, 16, 37, 64])
@pytest.mark.parametrize("delta_scale", [0.5, 4.0])
@pytest.mark.parametrize("d_last", [False, True])  # True: the state layout of the exported graph
def test_parallel_matches_sequential(l, delta_scale, d_last):
    args = _inputs(2, l, 6, 8, delta_scale, seed=l)
    y_par = selective_scan_parallel(*args, d_last=d_last)
    y_seq = selective_scan_sequential(*args)
    torch.testing.assert_close(y_par, y_seq, atol=1e-5, rtol=0)
    w = torch.randn_like(y_seq)
    g_par = torch.autograd.grad((y_par * w).sum(), args)
    g_seq = torch.autograd.grad((y_seq * w).sum(), args)
    for a, b in zip(g_par, g_seq):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-6)


@pytest.mark.parametrize("chunk", [2, 3, 4])  # float32 needs chunk <= 4: the step floor is -70/chunk
def test_linear_scan_chunks_and_float32(chunk):
    torch.manual_seed(0)
    log_a = -F.softplus(torch.randn(3, 50, 7) * 3)
    x = torch.randn(3, 50, 7)
    h, ref = torch.zeros(3, 7), []
    for t in range(50):
        h = torch.exp(log_a[:, t]) * h + x[:, t]
        ref.append(h)
    torch.testing.assert_close(linear_scan(log_a, x, chunk), torch.stack(ref, 1), atol=1e-5, rtol=1e-5)


def test_huge_delta_stays_finite_float32():
    u, delta, A, B, C, D = (t.detach().float() for t in _inputs(2, 64, 4, 16, 1.0))
    delta = delta * 1e3  # decays far beyond exp()'s range
    y = selective_scan_parallel(u, delta, A, B, C, D)
    assert torch.isfinite(y).all()
    torch.testing.assert_close(y, selective_scan_sequential(u, delta, A, B, C, D), atol=1e-3, rtol=1e-4)
