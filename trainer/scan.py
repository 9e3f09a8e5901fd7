"""Selective scan of Mamba: a sequential reference and a chunked log-space parallel version.

Both compute, for every batch row, channel d and state n,

    h_t = exp(delta_t * A) * h_{t-1} + delta_t * B_t * u_t        (h_{-1} = 0)
    y_t = sum_n C_t[n] * h_t[n] + D * u_t

Dimension glossary
    b  batch          l  sequence length (frames)
    d  d_inner        n  d_state
    k  chunk length   c  number of chunks

The parallel scan works in log space: inside a chunk the decay is a cumulative sum L_t of
delta*A, and h_t = exp(L_t) * cumsum_s(exp(-L_s) * x_s). exp(-L_s) overflows when the decay
inside a chunk is large, so (1) chunks are short and (2) each step's log-decay is floored at
-MAX_EXP/k; a decay below exp(-MAX_EXP/k) (about 2e-9 in float32 with k=4) is already zero for all
practical purposes. The chunk-end states are then combined by the same scan one level up
(recursively), so the whole thing is O(log_k l) big tensor ops instead of l small ones, exports
to ONNX as plain CumSum/Exp/Mul, and its gradient comes from autograd.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

CHUNK = 4


def _max_exp(dtype: torch.dtype) -> float:
    # stay well inside exp()'s finite range, leaving room for |x| up to ~1e5
    return 600.0 if dtype == torch.float64 else 70.0


def linear_scan(log_a: torch.Tensor, x: torch.Tensor, chunk: int = CHUNK) -> torch.Tensor:
    """h_t = exp(log_a_t) * h_{t-1} + x_t along dim 1, h_{-1} = 0.

    log_a, x: (b, l, ...) with log_a <= 0 -> h: (b, l, ...)

    Each step's log-decay is floored at -MAX_EXP/chunk (exp of that is ~2.5e-8 in float32 with
    chunk 4, the default; longer chunks trade accuracy for fewer levels).
    """
    if chunk < 2:
        raise ValueError("chunk must be >= 2")
    l = x.shape[1]
    floor = -_max_exp(x.dtype) / chunk
    if l <= chunk:
        cum = torch.cumsum(torch.clamp(log_a, min=floor), 1)                # (b, l, ...) log-decay since start
        return torch.exp(cum) * torch.cumsum(torch.exp(-cum) * x, 1)
    c = (l + chunk - 1) // chunk  # not -(-l // chunk): traced into ONNX, integer Div truncates
    pad = c * chunk - l
    if pad:
        # identity steps at the end (no decay, no input) keep shapes static for export
        widths = [0, 0] * (x.dim() - 2) + [0, pad]
        log_a, x = F.pad(log_a, widths), F.pad(x, widths)
    rest = x.shape[2:]
    la = torch.clamp(log_a, min=floor).reshape(x.shape[0], c, chunk, *rest)  # (b, c, k, ...)
    xc = x.reshape(x.shape[0], c, chunk, *rest)
    cum = torch.cumsum(la, 2)                                                 # (b, c, k, ...)
    e = torch.exp(cum)                                                        # decay since chunk start, >= e^-70
    # exp(-cum) rather than xc / e: the gradient of a division by e would need 1/e^2 (overflow)
    s = torch.cumsum(torch.exp(-cum) * xc, 2)                                 # (b, c, k, ...)
    # state at the end of every chunk (if it started at 0), carried across chunks by the same scan one level up
    h_end = linear_scan(cum[:, :, -1], e[:, :, -1] * s[:, :, -1], chunk)      # (b, c, ...)
    h_in = torch.cat([torch.zeros_like(h_end[:, :1]), h_end[:, :-1]], 1)      # state entering each chunk
    h = e * (s + h_in[:, :, None])                                            # (b, c, k, ...)
    h = h.reshape(x.shape[0], c * chunk, *rest)
    return h[:, :l] if pad else h


def selective_scan_parallel(u: torch.Tensor, delta: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
                            C: torch.Tensor, D: torch.Tensor, chunk: int = CHUNK,
                            d_last: bool = False) -> torch.Tensor:
    """u, delta: (b, l, d); A: (d, n); B, C: (b, l, n); D: (d,) -> y: (b, l, d).

    d_last lays the state out (b, l, n, d) instead of (b, l, d, n): the same values, but every
    broadcast then runs along the long contiguous d axis. onnxruntime's broadcasting Mul walks
    spans of the innermost axis, 8 wide with n there, and the two products that build log_a and x
    took a third of the exported model's time; with d_last the exported model runs ~20% faster.
    torch trains a few % slower with it, so the model uses it only when exporting.
    """
    if d_last:
        log_a = delta[:, :, None, :] * A.t()                      # (b, l, n, d)
        x = (delta * u)[:, :, None, :] * B[..., None]             # (b, l, n, d)
        h = linear_scan(log_a, x, chunk)                          # (b, l, n, d)
        y = torch.matmul(C[:, :, None, :], h).squeeze(2)          # (b, l, 1, n) @ (b, l, n, d) -> (b, l, d)
        return y + u * D
    log_a = delta[..., None] * A                                  # (b, l, d, n)
    x = (delta * u)[..., None] * B[:, :, None, :]                 # (b, l, d, n)
    h = linear_scan(log_a, x, chunk)                              # (b, l, d, n)
    y = torch.matmul(h, C[..., None]).squeeze(-1)                 # (b, l, d); a MatMul, faster in ORT than Einsum
    return y + u * D


def selective_scan_sequential(u: torch.Tensor, delta: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
                              C: torch.Tensor, D: torch.Tensor) -> torch.Tensor:
    """Reference loop over time (mamba-minimal). Same signature and result as the parallel scan."""
    b, l, d = u.shape
    dA = torch.exp(delta[..., None] * A)                          # (b, l, d, n)
    dBu = (delta * u)[..., None] * B[:, :, None, :]               # (b, l, d, n)
    h = u.new_zeros(b, d, A.shape[1])                             # (b, d, n)
    ys = []
    for t in range(l):
        h = dA[:, t] * h + dBu[:, t]
        ys.append((h * C[:, t, None, :]).sum(-1))                 # (b, d)
    y = torch.stack(ys, 1)                                        # (b, l, d)
    return y + u * D
