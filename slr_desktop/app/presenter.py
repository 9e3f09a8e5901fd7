"""What the window shows, decided without Qt (napari's habit: a view only draws).

`Presenter.update(probs, decoder)` takes one processed frame's window probabilities (when the
classifier ran) and the sign decoder's state (`core/decoder.py`, run in the live pipeline) and
returns a frozen `ViewState`: the big current sign or the decoder's status in words, its detail
line, the history (one entry per decoded segment), the top-k bars (the idle class reads "no sign",
never "-") and the point for the prediction track. It also keeps the source's segments (what the
track draws and *Export Transcript* writes) and the text *Copy History* puts on the clipboard.
The window draws that state and nothing else; tests drive the presenter directly.

Pieces:
* `PredictionSmoother`: exponential moving average of probability vectors (the bars only: the
  decision itself is the decoder's).
* `Presenter`: the bars, the sign panel's text and the source's history and segments.
* `SignDecider`: the threshold + idle gate the app used before the decoder; kept as the
  baseline `benchmarks/decoder_streams.py --baseline` measures the decoder against.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from ..core.decoder import STATUS_TEXT, DecoderState, Segment, Status
from ..core.runtime import Prediction
from ..core.segments import UNKNOWN_TEXT, display_label

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
UNKNOWN_ENTRY = UNKNOWN_TEXT

# the line under the big text, for each state: what it means, in a newcomer's words
DETAIL = {
    Status.NO_PERSON: "nobody in view",
    Status.NO_SIGN: "someone is there, not signing",
    Status.SIGNING: "hands moving: not sure which sign yet",
    Status.UNKNOWN: "a sign this model does not know",
}
IDLE_DETAIL = "open a video or start a camera"
STARTING_DETAIL = "starting…"


@dataclass(frozen=True)
class ViewState:
    """Everything the side panel and the prediction track draw for one processed frame."""

    sign: SignState
    detail: str                              # the line under the big text
    bars: tuple[Prediction, ...] = ()        # top-k of the smoothed probabilities, best first (display names)
    passed: bool = False                     # the decoder accepted a sign (top bar highlighted)
    track: tuple[int, float] | None = None   # (label index, prob) for the prediction track
    status: Status | None = None             # None until the decoder said something
    new_segments: tuple[Segment, ...] = ()   # segments the decoder finished on this frame

    @property
    def headline(self) -> str:
        """The big text: the sign, or the state in words ("no sign", "signing (not sure yet)")."""
        if self.sign.current is not None:
            return self.sign.current
        return STATUS_TEXT[self.status] if self.status is not None else "—"

    @staticmethod
    def waiting(detail: str = IDLE_DETAIL, history: tuple[str, ...] = ()) -> "ViewState":
        return ViewState(SignState(None, 0.0, history, False), detail)


def clock(seconds: float) -> str:
    """0:03.4 — the time format of the timeline, the history copy and the track."""
    seconds = max(0.0, seconds)
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class Presenter:
    """The bars, the sign panel's text, and the history and segments of the current source.

    Segments (`self.segments`, in time order) are this source's transcript: cleared for a new
    source and for a new pass over a file (a loop restart); after a seek, a segment recognised
    again replaces the one the earlier playing left at that time, so replaying a stretch does
    not list it twice. Camera times are counted from the source's first frame.
    """

    def __init__(self, labels: list[str] | tuple[str, ...], threshold: float = 0.5,
                 idle_label: str | None = None, unknown_label: str | None = None, alpha: float = 0.5,
                 top_k: int = TOP_K) -> None:
        self.labels = tuple(labels)
        self.names = tuple(display_label(lab, idle_label, unknown_label) for lab in self.labels)
        self.top_k = top_k
        self.threshold = float(threshold)     # drawn on the bars; the decision is the decoder's
        self.smoother = PredictionSmoother(alpha)
        self._history: deque[str] = deque(maxlen=HISTORY)
        self.entries: list[Segment] = []      # every history entry of this source, oldest first
        self._settled: list[Segment] = []     # segments from before the last seek: a replay replaces them
        self._fresh: list[Segment] = []       # segments since the last seek
        self.origin_s: float | None = None    # camera: the first frame's clock (files: 0)
        self.state = ViewState.waiting()

    def reset(self) -> None:
        """A seek: forget the smoothing (the pipeline resets the decoder); what is recognised
        next replaces the segments it overlaps."""
        self.smoother.reset()
        self._settled, self._fresh = self.segments, []

    def new_pass(self) -> None:
        """A file starts over (loop, or play at its end): a fresh track and transcript."""
        self.smoother.reset()
        self._settled, self._fresh = [], []

    def new_source(self, is_file: bool = True) -> None:
        """History, segments and counters belong to one source."""
        self.new_pass()
        self.clear_history()
        self.origin_s = 0.0 if is_file else None
        self.state = ViewState.waiting(STARTING_DETAIL)

    def no_source(self) -> ViewState:
        """Nothing plays (no camera, a file that failed): say how to start."""
        self.state = ViewState.waiting(IDLE_DETAIL, self.state.sign.history)
        return self.state

    def clear_history(self) -> ViewState:
        self._history.clear()
        self.entries.clear()
        self._settled, self._fresh = [], []
        s = self.state.sign
        self.state = replace(self.state, sign=SignState(s.current, s.prob, (), False), new_segments=())
        return self.state

    # -- one processed frame -------------------------------------------------------------------
    def update(self, probs: np.ndarray | None, decoder: DecoderState | None,
               t_ms: float | None = None) -> ViewState:
        """One processed frame: `probs` (K,) when the classifier ran, the decoder's state, and the
        frame's source time (cameras count their transcript from the first one)."""
        if self.origin_s is None and t_ms is not None:
            self.origin_s = t_ms / 1000.0
        bars, track = self.state.bars, None
        if probs is not None:
            smoothed = self.smoother.update(probs)
            order = np.argsort(-smoothed)[: self.top_k]
            bars = tuple(Prediction(self.names[i], float(smoothed[i])) for i in order)
            track = (int(order[0]), float(smoothed[order[0]]))
        if decoder is None:
            self.state = replace(self.state, bars=bars, track=track, new_segments=())
            return self.state
        origin = self.origin_s or 0.0
        new = tuple(replace(s, start_s=s.start_s - origin, end_s=s.end_s - origin) for s in decoder.segments)
        for seg in new:
            self._add_segment(seg)
            self.entries.append(seg)
            self._history.append(seg.label if seg.label is not None else UNKNOWN_ENTRY)
        if decoder.status == Status.NO_PERSON or (probs is not None and not decoder.decided):
            # guesses about an empty picture, or about a window still mostly empty (just after a
            # start or a seek), mean nothing: no bars rather than a confident-looking one
            bars, track = (), None
        current = decoder.label if decoder.status == Status.SIGN else None
        if decoder.status == Status.SIGN:
            detail = f"{decoder.prob * 100:.0f}% confident"
        else:
            detail = DETAIL[decoder.status]
        sign = SignState(current, decoder.prob, tuple(self._history), any(s.label for s in new))
        self.state = ViewState(sign, detail, bars, current is not None, track, decoder.status, new)
        return self.state

    def _add_segment(self, seg: Segment) -> None:
        """A segment from before the last seek that overlaps `seg` goes (segments of one
        stretch of playing never remove each other: the decoder's own may touch)."""
        self._settled = [s for s in self._settled if not (s.start_s < seg.end_s and seg.start_s < s.end_s)]
        self._fresh.append(seg)

    @property
    def segments(self) -> list[Segment]:
        """This source's (this pass's) segments in time order: what the track draws and *Export
        Transcript* writes."""
        return sorted(self._settled + self._fresh, key=lambda s: s.start_s)

    def history_text(self) -> str:
        """The history as *Copy History* puts it on the clipboard: one sign a line, with its time
        and confidence (an unknown sign says so)."""
        lines = []
        for s in self.entries:
            name = s.label if s.label is not None else UNKNOWN_ENTRY
            conf = f"\t{s.prob * 100:.0f}%" if s.label is not None else ""
            lines.append(f"{clock(s.start_s)}–{clock(s.end_s)}\t{name}{conf}")
        return "\n".join(lines) + ("\n" if lines else "")


@dataclass(frozen=True)
class VocabularyEntry:
    name: str          # what the list shows
    note: str = ""     # why a special class is there ("rest your hands")
    sign: bool = True  # a sign of the vocabulary (not the idle / unknown class)


def vocabulary(labels, idle_label: str | None = None, unknown_label: str | None = None) -> list[VocabularyEntry]:
    """What the model knows, as the vocabulary panel lists it: its signs alphabetically, then the
    classes that are not signs, in words."""
    signs = sorted((lab for lab in labels if lab not in (idle_label, unknown_label)), key=str.casefold)
    out = [VocabularyEntry(lab) for lab in signs]
    if idle_label is not None and idle_label in labels:
        out.append(VocabularyEntry(display_label(idle_label, idle_label), "rest your hands", False))
    if unknown_label is not None and unknown_label in labels:
        out.append(VocabularyEntry(display_label(unknown_label, None, unknown_label), "any other sign", False))
    return out


def matches(entry: VocabularyEntry, query: str) -> bool:
    """The vocabulary search: every word of the query appears in the name (case-insensitive)."""
    name = entry.name.casefold()
    return all(word in name for word in query.casefold().split())


__all__ = ["Presenter", "PredictionSmoother", "SignDecider", "SignState", "ViewState", "VocabularyEntry",
           "clock", "matches", "vocabulary"]
