"""Light heads on frozen embeddings, in numpy: what `slr-train teach` fits in seconds.

Both heads end up as one linear layer (optionally after L2 normalisation), so they are exported
as MatMul + Add + Softmax appended to the base graph (`onnx_head.replace_head`):

* nearest class mean (NCM) on L2-normalised embeddings: logits = scale * cos(x, mean_c). Needs
  no optimisation at all; the instant first model.
* multinomial logistic regression on standardised embeddings with an L2 penalty, full-batch
  gradient descent (Nesterov momentum) from the NCM solution; the standardisation is folded
  into the weights.

    n  windows   d  embedding width   k  classes
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinearHead:
    """probs = softmax(f(x) @ weight + bias); f = L2 normalisation when `normalize`."""

    weight: np.ndarray     # (d, k)
    bias: np.ndarray       # (k,)
    normalize: bool = False

    def logits(self, x: np.ndarray) -> np.ndarray:
        """x (n, d) -> (n, k)"""
        if self.normalize:
            x = l2n(x)
        return x @ self.weight + self.bias

    def proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.logits(x))


def limit_blas_threads(n: int = 1) -> bool:
    """Cap numpy's OpenBLAS thread pool (Linux). These heads' matrices are small; on a busy 2-core
    machine OpenBLAS's spinning threads made one fit 11x slower (5.3 s vs 0.47 s). True if capped."""
    import ctypes

    try:
        with open("/proc/self/maps") as f:
            paths = {ln.split()[-1] for ln in f if "openblas" in ln.lower() and ".so" in ln}
    except OSError:
        return False
    done = False
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                     "scipy_openblas_set_num_threads"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(int(n))
                done = True
                break
    return done


def l2n(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def class_weights(y: np.ndarray, k: int) -> np.ndarray:
    """Per-sample weights giving every class the same total weight (idle has many more windows)."""
    counts = np.bincount(y, minlength=k).astype(np.float64)
    w = np.where(counts[y] > 0, 1.0 / np.maximum(counts[y], 1), 0.0)
    return w * (len(y) / w.sum())


def fit_ncm(x: np.ndarray, y: np.ndarray, k: int, scale: float = 16.0) -> LinearHead:
    """Nearest class mean, cosine: x (n, d), y (n,) in 0..k-1. A class without samples never wins."""
    xn = l2n(x.astype(np.float64))
    means = np.zeros((k, x.shape[1]))
    bias = np.zeros(k)
    for c in range(k):
        sel = y == c
        if sel.any():
            means[c] = l2n(xn[sel].mean(0))
        else:
            bias[c] = -1e4
    return LinearHead((scale * means.T).astype(np.float32), bias.astype(np.float32), normalize=True)


def fit_logistic(x: np.ndarray, y: np.ndarray, k: int, l2: float = 1e-2, steps: int = 300,
                 lr: float = 0.5, normalize: bool = True) -> LinearHead:
    """Softmax regression, class-balanced, L2 penalty `l2` on the weights (of standardised
    inputs). Full batch, Nesterov momentum: deterministic, ~0.1 s for a few thousand windows."""
    x = x.astype(np.float64)
    if normalize:
        x = l2n(x)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd                                                  # (n, d)
    n, d = z.shape
    sw = class_weights(y, k)                                           # (n,)
    onehot = np.eye(k)[y]                                              # (n, k)
    w = np.zeros((d, k))
    b = np.zeros(k)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    absent = np.bincount(y, minlength=k) == 0
    mom = 0.9
    for _ in range(steps):
        wl, bl = w + mom * vw, b + mom * vb                            # look-ahead (Nesterov)
        p = softmax(z @ wl + bl)                                       # (n, k)
        g = (p - onehot) * sw[:, None] / n                             # (n, k)
        gw = z.T @ g + l2 * wl
        gb = g.sum(0)
        vw = mom * vw - lr * gw
        vb = mom * vb - lr * gb
        w, b = w + vw, b + vb
    b = np.where(absent, -1e4, b)
    # fold the standardisation in: z @ w + b = x @ (w / sd) + (b - (mu / sd) @ w)
    wf = w / sd[:, None]
    bf = b - (mu / sd) @ w
    return LinearHead(wf.astype(np.float32), bf.astype(np.float32), normalize=normalize)


__all__ = ["LinearHead", "class_weights", "fit_logistic", "fit_ncm", "l2n", "limit_blas_threads", "softmax"]
