"""`core.read_ahead`: the decode-ahead thread behind `track_video` keeps order, raises the
producer's error where it happened, and stops (joined) when the consumer stops early."""
from __future__ import annotations

import threading
import time

import pytest

from slr_desktop.core.read_ahead import read_ahead


def test_yields_every_item_in_order():
    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))
    assert list(read_ahead([], depth=1)) == []


def test_producer_error_is_raised_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for x in read_ahead(items()):
            got.append(x)
    assert got == [1, 2]


def test_closing_early_stops_and_joins_the_thread():
    produced = []

    def items():
        for i in range(10_000):
            produced.append(i)
            yield i

    gen = read_ahead(items(), depth=2)
    assert next(gen) == 0
    gen.close()
    assert not any(t.name == "slr-read-ahead" and t.is_alive() for t in threading.enumerate())
    n = len(produced)
    time.sleep(0.1)
    assert len(produced) == n <= 4     # nothing read after close; at most depth + 2 ahead


def test_depth_must_be_positive():
    with pytest.raises(ValueError):
        next(read_ahead([1], depth=0))
