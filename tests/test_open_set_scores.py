"""The arithmetic behind benchmarks/open_set_scores.py: a wrong AUROC or threshold would make the
README's comparison of open-set scores meaningless."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("open_set_scores", ROOT / "benchmarks" / "open_set_scores.py")
oss = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oss)


def test_auroc_separates_orders_and_counts_ties_half():
    assert oss.auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert oss.auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0
    assert oss.auroc(np.array([1.0]), np.array([1.0])) == 0.5
    # one of the two known signs outranks the one unknown: 0.5
    assert oss.auroc(np.array([0.0, 2.0]), np.array([1.0])) == 0.5
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 1, 400), rng.normal(0, 1, 400)
    brute = np.mean([(x > y) + 0.5 * (x == y) for x in a for y in b])
    assert oss.auroc(a, b) == pytest.approx(brute)


def test_unknown_share_at_the_threshold_that_keeps_85_percent_of_known():
    known = np.arange(100, dtype=float)          # threshold keeping 85 of 100 known: 15
    unknown = np.array([0.0, 14.0, 15.0, 50.0])
    assert oss.unknown_at_known_share(known, unknown) == 0.5
    # the argmax alone rejects half the known signs: no threshold can keep 85%
    half = np.where(known < 50, -np.inf, known)
    assert np.isnan(oss.unknown_at_known_share(half, unknown))


def test_scores_reject_windows_whose_argmax_is_idle_or_unknown():
    logits = np.array([[5.0, 1.0, 0.0, 0.0],     # vocabulary sign 0
                       [0.0, 0.0, 6.0, 0.0],     # argmax is the idle class
                       [0.0, 2.0, 0.0, 1.0]])    # vocabulary sign 1
    vocab = np.array([True, True, False, False])
    s = oss.scores(logits, vocab)
    assert set(s) == {"msp", "msp_T2", "max_logit", "energy"}
    for v in s.values():
        assert np.isfinite(v[0]) and np.isneginf(v[1]) and np.isfinite(v[2])
        assert v[0] > v[2]                       # the more peaked window scores higher
    assert s["max_logit"][0] == 5.0
    assert s["energy"][2] == pytest.approx(np.log(np.exp(0.0) + np.exp(2.0)))
