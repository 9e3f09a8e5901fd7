"""Recording one take from a stream of tracked frames: countdown, record, automatic stop. No Qt.

The Teach window feeds every `LandmarkFrame` the live pipeline delivers; the recorder answers
with a frozen `RecorderState` the window draws. Time is the *stream's* clock (frame timestamps),
so a video file recorded as fast as the machine tracks it gives the same take as in real time,
and a test drives it frame by frame. A clock that jumps back (a looped file) is unwrapped.

    idle -> countdown (countdown_s) -> recording -> done
                                        stops when the hands drop (seen for min_sign_s, then
                                        gone for hands_gone_s) or after max_s, whichever first

The finished take is trimmed to the frames with hands plus a margin (`recording.trim_to_hands`)
and kept in memory until the caller saves it: a take exists on disk whole or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from .landmarks import LandmarkFrame, LandmarkSequence
from .recording import has_hands, trim_to_hands
from .video import DEFAULT_FPS


class Phase(str, Enum):
    IDLE = "idle"
    COUNTDOWN = "countdown"
    RECORDING = "recording"
    DONE = "done"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class RecorderConfig:
    countdown_s: float = 3.0
    max_s: float = 4.0               # fixed length: the take stops here at the latest
    stop_on_hands_drop: bool = True
    hands_gone_s: float = 0.4        # no hand this long after signing: the sign is over
    min_sign_s: float = 0.3          # hands must have been in view this long before a drop counts
    margin_s: float = 0.25           # frames kept before the hands appear and after they drop
    trim: bool = True                # False for a recorded "no sign": keep it whole

    def __post_init__(self) -> None:
        if self.countdown_s < 0 or self.max_s <= 0 or self.hands_gone_s < 0 or self.min_sign_s < 0 or self.margin_s < 0:
            raise ValueError("recorder times must be >= 0 (max_s > 0)")


@dataclass(frozen=True)
class RecorderState:
    phase: Phase = Phase.IDLE
    countdown_left_s: float = 0.0
    elapsed_s: float = 0.0
    hands_now: bool = False
    hands_seen_s: float = 0.0
    stop_reason: str = ""            # "hands dropped" | "time limit" | "cancelled"
    message: str = "Ready"


class TakeRecorder:
    """One take at a time: `start()`, then `feed(frame)` per frame until `state.phase` is DONE;
    the take is `result` (None when cancelled)."""

    def __init__(self, config: RecorderConfig | None = None) -> None:
        self.config = config or RecorderConfig()
        self.state = RecorderState()
        self.source = ""
        self._reset()

    def _reset(self) -> None:
        self.result: LandmarkSequence | None = None
        self._frames: list[LandmarkFrame] = []
        self._t0: float | None = None         # stream time the current phase began
        self._offset = 0.0                    # added to raw timestamps after a backwards jump
        self._last_t: float | None = None
        self._prev_hands = False
        self._hands_total = 0.0               # seconds with a hand in view
        self._last_hands: float | None = None

    @property
    def busy(self) -> bool:
        return self.state.phase in (Phase.COUNTDOWN, Phase.RECORDING)

    def start(self, source: str = "") -> RecorderState:
        self._reset()
        self.source = source
        self.state = RecorderState(Phase.COUNTDOWN, self.config.countdown_s,
                                   message=f"Get ready… {self.config.countdown_s:.0f}" if self.config.countdown_s
                                   else "Sign now")
        if self.config.countdown_s == 0:
            self.state = replace(self.state, phase=Phase.RECORDING)
        return self.state

    def cancel(self) -> RecorderState:
        self._frames.clear()
        self.result = None
        self.state = RecorderState(Phase.IDLE, stop_reason="cancelled", message="Cancelled")
        return self.state

    def _clock(self, frame: LandmarkFrame) -> float:
        """Stream time in ms, never going backwards (a looped file restarts its clock)."""
        raw = float(frame.timestamp_ms)
        if self._last_t is not None and raw + self._offset <= self._last_t:
            self._offset = self._last_t + 1000.0 / DEFAULT_FPS - raw
        self._last_t = raw + self._offset
        return self._last_t

    def feed(self, frame: LandmarkFrame) -> RecorderState:
        if not self.busy:
            return self.state
        t = self._clock(frame)
        hands = bool(frame.present[1] or frame.present[2])
        c = self.config
        if self._t0 is None:
            self._t0 = t
        if self.state.phase == Phase.COUNTDOWN:
            left = c.countdown_s - (t - self._t0) / 1000.0
            if left > 0:
                self.state = RecorderState(Phase.COUNTDOWN, left, hands_now=hands, message=f"Get ready… {left:.0f}"
                                           if left >= 0.5 else "Get ready…")
                return self.state
            self._t0 = t
            self.state = replace(self.state, phase=Phase.RECORDING)
        # recording
        prev_t = self._frames[-1].timestamp_ms if self._frames else None
        self._frames.append(replace(frame, timestamp_ms=int(round(t))))
        elapsed = (t - self._t0) / 1000.0
        if hands and self._prev_hands and prev_t is not None:
            self._hands_total += (t - prev_t) / 1000.0
        if hands:
            self._last_hands = t
        self._prev_hands = hands
        gone_s = (t - self._last_hands) / 1000.0 if self._last_hands is not None else 0.0
        reason = ""
        if c.stop_on_hands_drop and self._hands_total >= c.min_sign_s and not hands and gone_s >= c.hands_gone_s:
            reason = "hands dropped"
        elif elapsed >= c.max_s:
            reason = "time limit"
        if not reason:
            self.state = RecorderState(Phase.RECORDING, 0.0, elapsed, hands, self._hands_total,
                                       message=f"Recording… {elapsed:.1f} s" + ("" if hands else " (no hands)"))
            return self.state
        return self._finish(reason, elapsed, hands)

    def _finish(self, reason: str, elapsed: float, hands: bool) -> RecorderState:
        frames, self._frames = self._frames, []
        ts = np.array([f.timestamp_ms for f in frames], np.float64)
        fps = float(1000.0 / np.median(np.diff(ts))) if len(ts) > 2 and np.median(np.diff(ts)) > 0 else DEFAULT_FPS
        seq = LandmarkSequence.from_frames(frames, fps=fps, source=self.source,
                                           meta=dict(stop_reason=reason, recorded_s=round(elapsed, 3)))
        self.result = trim_to_hands(seq, self.config.margin_s) if self.config.trim else seq
        ok = has_hands(self.result) or not self.config.trim
        msg = (f"Take recorded ({self.result.duration_s:.1f} s, {reason})" if ok
               else "No hands were seen in this take: it is kept but flagged; record it again")
        self.state = RecorderState(Phase.DONE, 0.0, elapsed, hands, self._hands_total, reason, msg)
        return self.state


__all__ = ["Phase", "RecorderConfig", "RecorderState", "TakeRecorder"]
