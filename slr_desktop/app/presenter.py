"""What the window shows, decided without Qt (napari's habit: a view only draws).

`Presenter.update(probs, decoder)` takes one processed frame's window probabilities (when the
classifier ran) and the sign decoder's state (`core/decoder.py`, run in the live pipeline) and
returns a frozen `ViewState`: the big current sign or status, its detail line, the history (one
entry per decoded segment), the top-k bars and the point for the prediction track. The window
draws that state and nothing else; tests drive the presenter directly.

Pieces:
* `PredictionSmoother`: exponential moving average of probability vectors (the bars only: the
  decision itself is the decoder's).
* `Presenter`: the bars, the sign panel's text and the source's history and transcript.
* `SignDecider`: the threshold + idle gate the app used before the decoder; kept as the
  baseline `benchmarks/decoder_streams.py --baseline` measures the decoder against.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from ..core.decoder import STATUS_TEXT, DecoderState, Segment, Status
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
    """Threshold + idle gate and a short history of recognised signs (the pre-decoder baseline).

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


HISTORY = 8
UNKNOWN_ENTRY = "(unknown)"


@dataclass(frozen=True)
class ViewState:
    """Everything the side panel and the prediction track draw for one processed frame."""

    sign: SignState
    detail: str                              # the line under the big sign
    bars: tuple[Prediction, ...] = ()        # top-k of the smoothed probabilities, best first
    passed: bool = False                     # the decoder accepted a sign (top bar highlighted)
    track: tuple[int, float] | None = None   # (label index, prob) for the prediction track
    status: Status = Status.NO_SIGN
    new_segments: tuple[Segment, ...] = ()   # segments the decoder finished on this frame

    @staticmethod
    def waiting(detail: str = "waiting for the first window", history: tuple[str, ...] = ()) -> "ViewState":
        return ViewState(SignState(None, 0.0, history, False), detail)


class Presenter:
    """The bars, the sign panel's text, and the history and transcript of the current source."""

    def __init__(self, labels: list[str] | tuple[str, ...], threshold: float = 0.5, alpha: float = 0.5,
                 top_k: int = TOP_K) -> None:
        self.labels = tuple(labels)
        self.top_k = top_k
        self.threshold = float(threshold)     # drawn on the bars; the decision is the decoder's
        self.smoother = PredictionSmoother(alpha)
        self._history: deque[str] = deque(maxlen=HISTORY)
        self.segments: list[Segment] = []     # this source's transcript, in order
        self.state = ViewState.waiting()

    def reset(self) -> None:
        """A seek or a loop restart: forget the smoothing (the pipeline resets the decoder)."""
        self.smoother.reset()

    def new_source(self) -> None:
        """History and transcript belong to one source."""
        self.reset()
        self.clear_history()
        self.state = ViewState.waiting()

    def clear_history(self) -> ViewState:
        self._history.clear()
        self.segments.clear()
        s = self.state.sign
        self.state = replace(self.state, sign=SignState(s.current, s.prob, (), False), new_segments=())
        return self.state

    def update(self, probs: np.ndarray | None, decoder: DecoderState | None) -> ViewState:
        """One processed frame: `probs` (K,) when the classifier ran, the decoder's state."""
        bars, track = self.state.bars, None
        if probs is not None:
            smoothed = self.smoother.update(probs)
            order = np.argsort(-smoothed)[: self.top_k]
            bars = tuple(Prediction(self.labels[i], float(smoothed[i])) for i in order)
            track = (int(order[0]), float(smoothed[order[0]]))
        if decoder is None:
            self.state = replace(self.state, bars=bars, track=track, new_segments=())
            return self.state
        for seg in decoder.segments:
            self.segments.append(seg)
            self._history.append(seg.label if seg.label is not None else UNKNOWN_ENTRY)
        current = decoder.label if decoder.status == Status.SIGN else None
        if decoder.status == Status.SIGN:
            detail = f"{decoder.prob * 100:.0f}% confident"
        else:
            detail = STATUS_TEXT[decoder.status]
        sign = SignState(current, decoder.prob, tuple(self._history), any(s.label for s in decoder.segments))
        self.state = ViewState(sign, detail, bars, current is not None, track, decoder.status, decoder.segments)
        return self.state


__all__ = ["Presenter", "PredictionSmoother", "SignDecider", "SignState", "ViewState"]
