"""The status bar: source name and the live rates of every stage (capture, landmarks, classifier).

A message (an error, "Model loaded") must be readable whole: while one shows, the permanent
labels step aside (QStatusBar draws messages only in the room its permanent widgets leave; the
source's name is in the title bar meanwhile), and a message wider than the bar is elided in the
middle with the full text as the tooltip.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar

KEYS = ("source", "capture", "landmarks", "classifier", "dropped", "latency")
SOURCE_CHARS = 40


class StatusBar:
    """Permanent labels on a `QStatusBar`, refreshed from the session's meters by a UI timer."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        bar.setSizeGripEnabled(False)
        self.labels: dict[str, QLabel] = {}
        for key in KEYS:
            label = QLabel("")
            self.labels[key] = label
            bar.addPermanentWidget(label)
        self.labels["capture"].setToolTip("Frames read from the camera or video per second")
        self.labels["landmarks"].setToolTip("Frames whose skeleton (pose and hands) was found per second")
        self.labels["classifier"].setToolTip("Times per second the model judged the last two seconds of video")
        self.labels["dropped"].setToolTip("Frames skipped for this source to keep up with real time")
        self.labels["latency"].setToolTip("From a frame's capture to its result on screen")
        bar.messageChanged.connect(self._on_message)
        self.dropped_base = 0           # the session's counter when the current source opened

    def message(self, text: str, timeout_ms: int = 5000) -> None:
        """Show `text` whole: the labels hidden meanwhile, elided in the middle only if the bar
        itself is too narrow (the tooltip then has it all)."""
        for key in KEYS:
            self.labels[key].hide()
        room = self.bar.width() - 24
        shown = self.bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, max(80, room))
        self.bar.setToolTip(text if shown != text else "")
        self.bar.showMessage(shown, timeout_ms)

    def _on_message(self, text: str) -> None:
        if not text:
            self.bar.setToolTip("")
            for key in KEYS:
                self.labels[key].show()

    def set_source(self, label: str) -> None:
        short = label if len(label) <= SOURCE_CHARS else label[: SOURCE_CHARS - 1] + "…"
        self.labels["source"].setText(short)
        self.labels["source"].setToolTip(label)

    def new_source(self, session) -> None:
        """Counters belong to one source: drops are counted from here."""
        self.dropped_base = session.dropped

    def dropped(self, session) -> int:
        return max(0, session.dropped - self.dropped_base)

    def refresh(self, session, latency_ms: float) -> None:
        lab = self.labels
        lab["capture"].setText(f"capture {session.capture_meter.rate:4.1f} fps")
        lab["landmarks"].setText(f"landmarks {session.landmark_meter.rate:4.1f} fps")
        lab["classifier"].setText(f"classifier {session.classify_meter.rate:4.1f} fps")
        lab["dropped"].setText(f"dropped {self.dropped(session)}")
        lab["latency"].setText(f"latency {latency_ms:3.0f} ms")

    def stats(self, session, latency_ms: float, results: int, track_ms_sum: float, classify_ms_sum: float,
              classified: int) -> dict:
        """Per-stage rates (last second) and mean stage times since start."""
        return {
            "capture_fps": session.capture_meter.rate, "landmarks_fps": session.landmark_meter.rate,
            "classifier_fps": session.classify_meter.rate, "frames_captured": session.capture_meter.count,
            "frames_tracked": session.landmark_meter.count, "dropped": session.dropped,
            "track_ms": track_ms_sum / max(1, results),
            "classify_ms": classify_ms_sum / max(1, classified),
            "latency_ms": latency_ms,
        }


__all__ = ["StatusBar"]
