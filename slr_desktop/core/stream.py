"""Tracked frames in, window probabilities and decoder states out: one stream for app and files.

`SignStream.push(frame)` adds a `LandmarkFrame` to the model's ring window, updates the decoder's
hand cues, classifies the window when it is due (every `every_s` seconds of *stream* time, so a
file gives the same windows however fast the machine is) and hands the probabilities to the
decoder. When the decoder closes a run it asks for a cut: the window then forgets the frames
before the pause, so the next sign is classified on its own frames.

The live pipeline (app/live.py) pushes frames as the tracker delivers them; `slr-desktop
classify` pushes every frame of a tracked file. The classifier is anything with `predict(points,
mask) -> probs` and the model's `meta` (labels, seq_len, fps, threshold, idle/unknown labels).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .decoder import DecoderConfig, DecoderState, SignDecoder, Status
from .landmarks import LandmarkFrame
from .window import RingWindow


@dataclass(frozen=True)
class StreamStep:
    """The result of one pushed frame."""

    state: DecoderState
    probs: np.ndarray | None = None     # (K,) when a window was classified on this frame
    real_s: float = 0.0                 # seconds of real footage in that window
    t_ms: float = 0.0


class SignStream:
    """Ring window + classifier schedule + decoder, for one model and one source at a time."""

    def __init__(self, classifier, every_s: float = 2 / 30.0, config: DecoderConfig | None = None,
                 threshold: float | None = None) -> None:
        if every_s < 0:
            raise ValueError("every_s must be >= 0")
        self.clf = classifier
        m = classifier.meta
        self.every_ms = every_s * 1000.0
        self.ring = RingWindow(m.seq_len, m.fps)
        self.decoder = SignDecoder(classifier.labels, m.threshold if threshold is None else threshold,
                                   m.idle_label, getattr(m, "unknown_label", None), m.seq_len / m.fps, config)
        self._last_classified: float | None = None
        self._last_t = 0.0

    @property
    def threshold(self) -> float:
        return self.decoder.threshold

    def set_threshold(self, value: float) -> None:
        self.decoder.set_threshold(value)

    def reset(self) -> None:
        """Seek, loop restart, new source: empty window, nothing in progress."""
        self.ring.clear()
        self.decoder.reset()
        self._last_classified = None

    def push(self, frame: LandmarkFrame, classify: bool | None = None) -> StreamStep:
        """Add one frame. `classify` forces (True) or skips (False) the classifier on this frame;
        None follows the `every_s` schedule."""
        t = float(frame.timestamp_ms)
        last = self.ring.last_ms
        if last is not None and t <= last:
            self.reset()          # a clock going backwards (a looped file) is a new pass
        self._last_t = t
        self.ring.push(frame)
        state = self.decoder.frame(frame)
        due = classify if classify is not None else (
            self._last_classified is None or t - self._last_classified >= self.every_ms - 1e-6)
        if not due:
            return StreamStep(state, t_ms=t)
        return self._classify(t, state)

    def _classify(self, t: float, state: DecoderState, centred: bool = False) -> StreamStep:
        self._last_classified = t
        real_s = self.ring.real_s
        pts, mask = self.ring.snapshot(centred)
        probs = self.clf.predict(pts, mask)
        state = self.decoder.window(t, probs, real_s)
        if state.cut_ms is not None:
            self.ring.cut(state.cut_ms)
        return StreamStep(state, probs, real_s, t)

    def finish(self) -> StreamStep:
        """End of a file: classify the last window once more, centred on what it holds (no frame
        follows, so the sign can sit in the middle, as in training), then close what is open. The
        returned step's state carries every segment finished by it."""
        step = None
        if len(self.ring):
            step = self._classify(self._last_t, self.decoder.current(), centred=True)
        segments = (list(step.state.segments) if step is not None else []) + self.decoder.finish(self._last_t)
        state = replace(self.decoder.current(), segments=tuple(segments),
                        decided=step is not None and step.state.decided)   # the last window's verdict
        if step is None:
            return StreamStep(state, t_ms=self._last_t)
        return replace(step, state=state)

    @property
    def status(self) -> Status:
        return self.decoder.current().status


__all__ = ["SignStream", "StreamStep"]
