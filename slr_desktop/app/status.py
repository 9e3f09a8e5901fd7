"""The status bar: source name and the live rates of every stage (capture, landmarks, classifier)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

KEYS = ("source", "capture", "landmarks", "classifier", "dropped", "latency")


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

    def refresh(self, session, latency_ms: float) -> None:
        lab = self.labels
        lab["capture"].setText(f"capture {session.capture_meter.rate:4.1f} fps")
        lab["landmarks"].setText(f"landmarks {session.landmark_meter.rate:4.1f} fps")
        lab["classifier"].setText(f"classifier {session.classify_meter.rate:4.1f} fps")
        lab["dropped"].setText(f"dropped {session.dropped}")
        lab["latency"].setText(f"latency {latency_ms:3.0f} ms")

    @staticmethod
    def stats(session, latency_ms: float, results: int, track_ms_sum: float, classify_ms_sum: float,
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
