"""Timing helpers shared by the benchmarks, the exporter's latency figure and the soak test."""
from __future__ import annotations

import time
from typing import Callable

import numpy as np


def stats(ms: list[float] | np.ndarray) -> dict:
    """Median / p90 / mean ms of per-item timings and the rate that the median implies."""
    a = np.asarray(ms, np.float64)
    if a.size == 0:
        return {"n": 0}
    med = float(np.median(a))
    return {"n": int(a.size), "median_ms": round(med, 3), "p90_ms": round(float(np.percentile(a, 90)), 3),
            "mean_ms": round(float(a.mean()), 3), "fps": round(1000.0 / med, 1) if med > 0 else None}


def time_calls(fn: Callable[[], object], runs: int, warmup: int = 2) -> list[float]:
    """Wall milliseconds of `runs` calls of `fn`, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 2) -> float:
    """Median wall milliseconds of one call of `fn`."""
    return float(np.median(time_calls(fn, runs, warmup)))


__all__ = ["median_ms", "stats", "time_calls"]
