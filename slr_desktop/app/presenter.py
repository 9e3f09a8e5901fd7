"""What the window shows, decided without Qt (napari's habit: a view only draws).

`Presenter.update(probs, coverage)` takes one classified window's probabilities and returns a
frozen `ViewState`: the big current sign, its detail line, the history, the top-k bars and the
point for the prediction track. The window draws that state and nothing else; tests drive the
presenter directly with probability vectors.

Pieces:
* `PredictionSmoother`: exponential moving average of probability vectors.
* `SignDecider`: threshold + idle gate and a short history of recognised signs.
* `Presenter`: both, plus the top-k bars and the text the side panel shows.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..core.runtime import Prediction

TOP_K = 5


class PredictionSmoother:
    """Exponential moving average of probability vectors; resets when the label set changes."""

    def __init__(self, alpha: float = 0.5) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError("alpha must be in (0, 1]")
        self.alpha = alpha
        self.value: np.ndarray | None = None

    def reset(self) -> None:
        self.value = None

    def update(self, probs: np.ndarray) -> np.ndarray:
        probs = np.asarray(probs, np.float64)
        if self.value is None or self.value.shape != probs.shape:
            self.value = probs.copy()
        else:
            self.value = self.alpha * probs + (1.0 - self.alpha) * self.value
        return self.value


@dataclass(frozen=True)
class SignState:
    current: str | None          # the sign shown large, or None below threshold / idle
    prob: float
    history: tuple[str, ...]     # recognised signs, newest last
    new_sign: bool               # True when `current` was just appended to the history


class SignDecider:
    """Threshold + idle gate and a short history of recognised signs.

    A sign enters the history when it first passes the gate; it can enter again only after the
    gate closed (idle, below threshold or another sign) in between, so holding a sign logs it once.
    """

    def __init__(self, threshold: float = 0.5, idle_label: str | None = None, history: int = 8) -> None:
        self.threshold = threshold
        self.idle_label = idle_label
        self._history: deque[str] = deque(maxlen=history)
        self._last: str | None = None

    def reset(self) -> None:
        self._last = None

    def clear_history(self) -> None:
        self._history.clear()
        self._last = None

    @property
    def history(self) -> tuple[str, ...]:
        return tuple(self._history)

    def update(self, labels, probs: np.ndarray) -> SignState:
        i = int(np.argmax(probs))
        label, p = labels[i], float(probs[i])
        current = label if (p >= self.threshold and label != self.idle_label) else None
        new = current is not None and current != self._last
        if new:
            self._history.append(current)
        self._last = current
        return SignState(current, p, tuple(self._history), new)


@dataclass(frozen=True)
class ViewState:
    """Everything the side panel and the prediction track draw for one classified window."""

    sign: SignState
    detail: str                              # the line under the big sign
    bars: tuple[Prediction, ...] = ()        # top-k of the smoothed probabilities, best first
    passed: bool = False                     # the top bar passed the gate (drawn highlighted)
    track: tuple[int, float] | None = None   # (label index, prob) for the prediction track

    @staticmethod
    def waiting(detail: str = "waiting for the first window", history: tuple[str, ...] = ()) -> "ViewState":
        return ViewState(SignState(None, 0.0, history, False), detail)


class Presenter:
    """Smoothing + the sign decision + what the panels show, for one model's label set."""

    def __init__(self, labels: list[str] | tuple[str, ...], threshold: float = 0.5,
                 idle_label: str | None = None, alpha: float = 0.5, top_k: int = TOP_K) -> None:
        self.labels = tuple(labels)
        self.top_k = top_k
        self.smoother = PredictionSmoother(alpha)
        self.decider = SignDecider(threshold, idle_label)
        self.state = ViewState.waiting()

    @property
    def threshold(self) -> float:
        return self.decider.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.decider.threshold = float(value)

    def reset(self) -> None:
        """A seek, a loop restart or a new source: forget the smoothing and the held sign."""
        self.smoother.reset()
        self.decider.reset()

    def clear_history(self) -> ViewState:
        self.decider.clear_history()
        s = self.state.sign
        self.state = ViewState(SignState(s.current, s.prob, (), False), self.state.detail,
                               self.state.bars, self.state.passed, self.state.track)
        return self.state

    def update(self, probs: np.ndarray, coverage: float = 1.0) -> ViewState:
        """One classified window (K,) -> the new view state."""
        smoothed = self.smoother.update(probs)
        sign = self.decider.update(self.labels, smoothed)
        order = np.argsort(-smoothed)[: self.top_k]
        bars = tuple(Prediction(self.labels[i], float(smoothed[i])) for i in order)
        warm = "" if coverage >= 0.999 else f" · window {coverage * 100:.0f}% filled"
        detail = (f"{sign.prob * 100:.0f}% confident{warm}" if sign.current
                  else f"below threshold ({sign.prob * 100:.0f}%){warm}")
        self.state = ViewState(sign, detail, bars, sign.current is not None,
                               (int(order[0]), float(smoothed[order[0]])))
        return self.state


__all__ = ["Presenter", "PredictionSmoother", "SignDecider", "SignState", "ViewState"]
