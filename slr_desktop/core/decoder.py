"""The sign decoder: from tracked frames and window probabilities to segments a user can trust.

A classifier trained on isolated signs answers "which of my K signs is this window?" for every
window, even when nobody signs, when the window is mostly padding, or when the sign is one it
never learnt. The decoder turns that stream into what a person means by "the app recognised a
sign": a *segment* (start, end, label or unknown, probability, top-5) and a *status* a user can
see at any moment:

    no_person   nobody in view (no pose and no hands for a while)
    no_sign     someone is there, not signing (hands down or still, or the model's idle class)
    signing     someone signs, not sure yet (nothing has passed the gate yet)
    sign        a vocabulary sign passed the gate (the label is shown)
    unknown     a sign ended that the model does not know (or not confidently)

Design (segment, then recognise; after the sign-spotting literature):
* **Pauses delimit signs.** Signers rest or hold still between isolated signs; pause detection from
  hand motion is the classic direct segmentation cue (e.g. "Pause detection in continuous sign
  language", the DAD signature of hand positions), and boundary-then-recognition pipelines remain
  strong (e.g. MHB, 2025). Rest evidence here is any of: no hand visible, the model's own idle
  class, hands that stayed within `still_range` shoulder widths for `still_s` once a sign was
  recognised (a static handshape is signed with still hands, so before that a pause is no rest),
  or a frozen picture (the tracker's `image_motion`: no pixel changed, as in a still photo or a
  freeze frame; a live camera always has sensor noise).
* **Hysteresis.** A run of signing opens after `on_s` of non-rest windows and closes after
  `off_s` of rest; a label is committed only after it wins every window for `hold_s`, so a
  spiking window never becomes a claim, and a held sign is one entry; a label that another
  replaces within `min_segment_s` was the transition into it, not a sign of its own.
* **Open-set rejection.** A window counts as "sign X" only when X is a vocabulary label (not idle,
  not the model's "other sign" class) with probability >= the model's threshold (the maximum
  softmax probability baseline of Hendrycks & Gimpel 2017, on top of an explicit background class
  trained on real out-of-vocabulary signs where the model has one). A run that never passes the
  gate ends as an *unknown* segment when its decided windows span `min_unknown_s`, else it was a
  twitch.
* **No claims from empty windows.** A window needs `min_real_s` of real footage since the last
  reset (a seek, a new source, a model switch) before it can count at all.
* **Fresh windows per sign.** When a run closes, the window is cut where the rest began, and when
  a run opens just after a pause of the hands, where the pause ended (`DecoderState.cut_ms`): a
  sign is classified on its own frames (edge-padded, like the aligned windows of training), never
  on the tail of the last sign or on the held pose before it.

The decoder is pure: `SignStream` (core/stream.py) feeds it; the app and `slr-desktop classify`
use the same code, so a file gives the same segments in both.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activity import HandActivity
from .landmarks import LandmarkFrame
from .segments import STATUS_TEXT, LabelProb, Segment, Status, clip_status


@dataclass(frozen=True)
class DecoderConfig:
    """Timings in seconds of stream time, distances in shoulder widths."""

    on_s: float = 0.2            # non-rest this long opens a run
    off_s: float = 0.35          # rest this long closes it
    hold_s: float = 0.3          # a label must win this long (window after window) to be committed
    min_segment_s: float = 0.5   # a label replaced sooner than this within a run was a transition
    min_real_s: float = 0.5      # a window needs this much real footage (since a reset) to count
    min_unknown_s: float = 0.6   # a run without an accepted label is an unknown sign only if this long
    still_range: float = 0.08    # hands that stay within this distance ...
    still_s: float = 0.4         # ... for this long have paused
    person_lost_s: float = 0.5   # no pose and no hands this long: no one there
    hands_lost_s: float = 0.3    # no hand this long: rest
    show_s: float = 2.0          # a finished sign stays on screen this long (live)
    lead_s: float = 0.15         # a new run's window keeps this much footage before the pause ended

    def __post_init__(self) -> None:
        for f in ("on_s", "off_s", "hold_s", "min_segment_s", "min_real_s", "min_unknown_s", "still_range",
                  "still_s", "person_lost_s", "hands_lost_s", "show_s", "lead_s"):
            if getattr(self, f) < 0:
                raise ValueError(f"{f} must be >= 0")


@dataclass(frozen=True)
class DecoderState:
    """What the decoder says after one step."""

    status: Status
    label: str | None = None          # the sign shown (status SIGN), else None
    prob: float = 0.0
    segments: tuple[Segment, ...] = ()    # segments finished by this step (usually none, at most a few)
    cut_ms: float | None = None       # the window should drop frames older than this (a run closed)
    decided: bool = False             # this step's window was real enough to count

    @property
    def text(self) -> str:
        return self.label if self.status == Status.SIGN and self.label else STATUS_TEXT[self.status]


# ------------------------------------------------------------------------------ the decoder
_REST, _SIGN, _UNKNOWN, _UNSURE, _WAIT = "rest", "sign", "unknown", "unsure", "wait"


class SignDecoder:
    """Window probabilities + hand activity -> status and segments (one model, one source).

    Call `frame(frame)` for every tracked frame and `window(t_ms, probs, real_s)` whenever a window
    was classified (`real_s`: seconds of real footage in it). Both return the current
    `DecoderState`; `finish(t_ms)` closes what is open at the end of a file.
    """

    def __init__(self, labels: list[str] | tuple[str, ...], threshold: float, idle_label: str | None = None,
                 unknown_label: str | None = None, window_s: float = 64 / 30.0,
                 config: DecoderConfig | None = None) -> None:
        self.labels = tuple(labels)
        self.threshold = float(threshold)
        self.cfg = config or DecoderConfig()
        self.window_s = float(window_s)
        self.idle = self.labels.index(idle_label) if idle_label in self.labels else None
        self.unknown = self.labels.index(unknown_label) if unknown_label in self.labels else None
        vocab = np.ones(len(self.labels), bool)
        for i in (self.idle, self.unknown):
            if i is not None:
                vocab[i] = False
        self.vocab = vocab
        self.activity = HandActivity(self.cfg.still_range, self.cfg.still_s)
        self.reset()

    # -- state ------------------------------------------------------------------------------
    def reset(self) -> None:
        """A seek, a new source or a model switch: nothing in progress survives."""
        self.activity.reset()
        self._t = 0.0
        self._in_run = False
        self._nonrest_since: float | None = None
        self._pending: list[tuple[str, int | None, np.ndarray, float]] = []   # windows before a run opens
        self._rest_since: float | None = None
        self._run_start = 0.0
        self._run_first = self._run_last = 0.0
        self._run_probs: list[np.ndarray] = []
        self._seg_label: int | None = None
        self._seg_start = 0.0
        self._seg_probs: list[np.ndarray] = []
        self._cand: int | None = None
        self._cand_n = 0
        self._cand_first = 0.0
        self._cand_probs: list[np.ndarray] = []
        self._shown: tuple[str, float, float] | None = None      # (label, prob, until_ms)
        self._unknown_until: float | None = None
        self._last_probs: np.ndarray | None = None
        self._cut: float | None = None
        self._rest_at = 0.0          # when the rest the current window sees began (an estimate)
        self._closed_by_pause: float | None = None   # the pause (its start) that closed the last run
        self._sign_end = 0.0         # the estimated end of the sign whose run is closing

    def set_threshold(self, value: float) -> None:
        self.threshold = float(value)

    # -- inputs -----------------------------------------------------------------------------
    def frame(self, frame: LandmarkFrame) -> DecoderState:
        self._t = float(frame.timestamp_ms)
        self.activity.update(frame)
        return self._state(())

    def window(self, t_ms: float, probs: np.ndarray, real_s: float) -> DecoderState:
        """One classified window ending at `t_ms` with `real_s` seconds of real footage."""
        self._t = float(t_ms)
        probs = np.asarray(probs, np.float64)
        kind, idx = self._decide(probs, real_s)
        segments: list[Segment] = []
        cut = None
        t = self._t
        if kind == _WAIT:
            return self._state((), decided=False)
        self._cut = None
        self._last_probs = probs
        if kind == _REST:
            self._nonrest_since, self._pending = None, []
            if self._in_run:
                if self._rest_since is None:
                    self._rest_since, self._sign_end = t, self._rest_at
                if t - self._rest_since >= self.cfg.off_s * 1000.0:
                    segments += self._close_run(self._sign_end)
                    cut = self._rest_since
                    self._closed_by_pause = self.activity.pause_since_ms
        else:
            self._rest_since = None
            if not self._in_run:
                if self._nonrest_since is None:
                    self._nonrest_since = t
                self._pending.append((kind, idx, probs, t))
                if t - self._nonrest_since >= self.cfg.on_s * 1000.0:
                    segments += self._open_run(self._nonrest_since)
                    cut = self._cut
            else:
                self._note_run_window(probs, t)
                segments += self._label_step(kind, idx, probs, t)
        return self._state(tuple(segments), cut_ms=cut, decided=True)

    def finish(self, t_ms: float | None = None) -> list[Segment]:
        """The end of a file: what is pending or open is closed at the last frame, as if the signer
        rested after it (a short clip may end before the run's hysteresis has confirmed it)."""
        if t_ms is not None:
            self._t = float(t_ms)
        out: list[Segment] = []
        if not self._in_run and self._pending:
            out += self._open_run(self._nonrest_since)
        if self._in_run:
            if self._seg_label is None and self._cand is not None:
                out += self._commit()
            out += self._close_run(self._t)
        self._nonrest_since, self._rest_since, self._pending = None, None, []
        return out

    # -- decisions ----------------------------------------------------------------------------
    def _decide(self, probs: np.ndarray, real_s: float) -> tuple[str, int | None]:
        """One window's verdict. For rest, `self._rest_at` is when the rest most likely began."""
        cfg, act, t = self.cfg, self.activity, self._t
        if real_s < cfg.min_real_s:
            return _WAIT, None
        if not act.person(t, cfg.person_lost_s) or not act.hands(t, cfg.hands_lost_s):
            self._rest_at = act.last_hands_ms if act.last_hands_ms is not None else t
            return _REST, None
        if act.frozen_since_ms is not None:
            # the picture itself stopped changing (a still image, a frozen video): nobody signs
            self._rest_at = act.frozen_since_ms
            return _REST, None
        if act.pause_since_ms is not None and self._pause_is_rest():
            self._rest_at = act.pause_since_ms
            return _REST, None
        best = int(np.argmax(probs))
        if best == self.idle:
            self._rest_at = t - self._end_lag()      # the idle class wins once rest fills half the window
            return _REST, None
        if best == self.unknown:
            return _UNKNOWN, None
        if probs[best] >= self.threshold:
            return _SIGN, best
        return _UNSURE, None

    def _pause_is_rest(self) -> bool:
        """Still hands end a sign that was recognised, and keep the run closed until they move
        again; but a pause is no rest while nothing was recognised yet (a static handshape, such
        as a fingerspelled letter, is signed with still hands)."""
        if self._in_run:
            return self._seg_label is not None
        return self._closed_by_pause is not None and self._closed_by_pause == self.activity.pause_since_ms

    def _open_run(self, since_ms: float) -> list[Segment]:
        """Start a run at `since_ms` and replay the windows that led to it."""
        self._in_run = True
        # the first non-rest window ends `since`; the movement that made it began about when
        # that window's newest half did
        self._run_start = max(0.0, since_ms - self._end_lag())
        self._run_probs = []
        self._seg_label, self._seg_start, self._seg_probs = None, self._run_start, []
        self._cand, self._cand_n, self._cand_probs = None, 0, []
        self._unknown_until = None
        pending, self._pending = self._pending, []
        act, reach = self.activity, self.window_s * 1000.0
        if act.last_rest_ms is not None and since_ms - act.last_rest_ms < reach:
            # the hands paused (or were out of view) until then: the sign starts after that, so
            # later windows leave out what came before
            self._cut = act.last_rest_ms - self.cfg.lead_s * 1000.0
            self._run_start = max(self._run_start, self._cut)
            self._seg_start = self._run_start
        if act.last_pause_ms is not None and since_ms - act.last_pause_ms < reach:
            pending = []   # those windows saw the held pose of the pause (often the last sign's end)
        out: list[Segment] = []
        for kind, idx, probs, t in pending:
            self._note_run_window(probs, t)
            out += self._label_step(kind, idx, probs, t)
        return out

    def _note_run_window(self, probs: np.ndarray, t: float) -> None:
        """A decided, non-rest window of the run (an unknown sign needs `min_unknown_s` of them)."""
        if not self._run_probs:
            self._run_first = t
        self._run_probs.append(probs)
        self._run_last = t

    def _end_lag(self) -> float:
        """How far a window's verdict trails the frames that caused it: about half a window."""
        return 0.5 * self.window_s * 1000.0

    def _commit(self) -> list[Segment]:
        """Make the current candidate the segment's label (closing the previous label's segment)."""
        out: list[Segment] = []
        if self._seg_label is not None:
            # back-to-back signs: the earlier one ends where the new one's windows began; one
            # that lasted less than `min_segment_s` was the transition into this one
            boundary = max(self._seg_start, self._cand_first - self._end_lag())
            if boundary - self._seg_start >= self.cfg.min_segment_s * 1000.0:
                out.append(self._segment(self._seg_label, self._seg_start, boundary, self._seg_probs))
                self._seg_start = boundary
        self._seg_label = self._cand
        self._seg_probs = list(self._cand_probs)
        self._shown = None
        return out

    def _label_step(self, kind: str, idx: int | None, probs: np.ndarray, t: float) -> list[Segment]:
        if self._seg_label is not None:
            self._seg_probs.append(probs)
        if kind != _SIGN:
            self._cand, self._cand_n, self._cand_probs = None, 0, []
            return []
        if idx == self._cand:
            self._cand_n += 1
            self._cand_probs.append(probs)
        else:
            self._cand, self._cand_n, self._cand_first, self._cand_probs = idx, 1, t, [probs]
        if t - self._cand_first >= self.cfg.hold_s * 1000.0 and self._cand != self._seg_label:
            return self._commit()
        return []

    def _close_run(self, end_ms: float) -> list[Segment]:
        out: list[Segment] = []
        end_ms = max(end_ms, self._seg_start)
        if self._seg_label is not None:
            seg = self._segment(self._seg_label, self._seg_start, end_ms, self._seg_probs)
            out.append(seg)
            self._shown = (seg.label, seg.prob, self._t + self.cfg.show_s * 1000.0)
        elif self._run_probs and self._run_last - self._run_first >= self.cfg.min_unknown_s * 1000.0:
            out.append(self._segment(None, self._run_start, end_ms, self._run_probs))
            self._unknown_until = self._t + self.cfg.show_s * 1000.0
        self._in_run = False
        self._seg_label, self._seg_probs, self._run_probs = None, [], []
        self._cand, self._cand_n, self._cand_probs = None, 0, []
        return out

    def _segment(self, label: int | None, start_ms: float, end_ms: float, probs: list[np.ndarray]) -> Segment:
        mean = np.mean(probs, axis=0) if probs else np.zeros(len(self.labels))
        order = [int(i) for i in np.argsort(-mean) if self.vocab[i]][:5]
        top = tuple(LabelProb(self.labels[i], float(mean[i])) for i in order)
        if label is None:
            prob = float(mean[order[0]]) if order else 0.0
            return Segment(start_ms / 1000.0, end_ms / 1000.0, None, prob, top)
        return Segment(start_ms / 1000.0, end_ms / 1000.0, self.labels[label], float(mean[label]), top)

    # -- output -------------------------------------------------------------------------------
    def current(self) -> DecoderState:
        """The state now, without new segments (what a frame with nothing new would return)."""
        return self._state(())

    def _state(self, segments: tuple[Segment, ...], cut_ms: float | None = None,
               decided: bool = False) -> DecoderState:
        cfg, act, t = self.cfg, self.activity, self._t
        if self._in_run:
            if self._seg_label is not None:
                p = float(self._seg_probs[-1][self._seg_label]) if self._seg_probs else 0.0
                return DecoderState(Status.SIGN, self.labels[self._seg_label], p, segments, cut_ms, decided)
            return DecoderState(Status.SIGNING, None, 0.0, segments, cut_ms, decided)
        if self._shown is not None and t <= self._shown[2]:
            return DecoderState(Status.SIGN, self._shown[0], self._shown[1], segments, cut_ms, decided)
        if self._unknown_until is not None and t <= self._unknown_until:
            return DecoderState(Status.UNKNOWN, None, 0.0, segments, cut_ms, decided)
        if not act.person(t, cfg.person_lost_s):
            return DecoderState(Status.NO_PERSON, None, 0.0, segments, cut_ms, decided)
        return DecoderState(Status.NO_SIGN, None, 0.0, segments, cut_ms, decided)


__all__ = ["DecoderConfig", "DecoderState", "LabelProb", "STATUS_TEXT", "Segment",
           "SignDecoder", "Status", "clip_status"]
