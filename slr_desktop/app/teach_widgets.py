"""Pieces of the Teach window: panels, the sign and take lists, and the skeleton replay.

Views only: they draw what `TeachWindow` hands them (a `Project`'s signs and takes, a recorded
`LandmarkSequence`) and decide nothing.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ..core.landmarks import LandmarkSequence
from ..core.recording import NOTHING, NOTHING_TEXT, Project, Take
from . import theme
from .video_view import VideoView

TEACH_STYLE = f"""
QListWidget {{ background: {theme.BG}; border: 1px solid {theme.BORDER}; border-radius: 4px; }}
QListWidget::item {{ padding: 4px 6px; }}
QListWidget::item:selected {{ background: #2f3d4a; color: #ffffff; }}
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox {{ background: {theme.BG}; border: 1px solid {theme.BORDER};
    border-radius: 4px; padding: 3px 6px; }}
QPushButton#record {{ background: #b8323a; border-color: #d0454d; font-weight: 700; font-size: 11pt;
    padding: 8px 18px; }}
QPushButton#record:hover {{ background: #c93b44; }}
QPushButton#record:disabled {{ background: #4a2d30; color: #9a8a8c; }}
QPushButton#train {{ background: #1f5f86; border-color: #2f7fb0; font-weight: 700; padding: 6px 18px; }}
QPushButton#train:disabled {{ background: #25333d; color: #7d8a94; }}
QLabel#teachError {{ color: {theme.BAD}; }}
QLabel#teachHint {{ color: {theme.MUTED}; }}
QLabel#teachState {{ font-size: 20pt; font-weight: 700; color: {theme.TEXT}; }}
QLabel#teachResult {{ color: {theme.TEXT}; }}
QProgressBar {{ background: {theme.BG}; border: 1px solid {theme.BORDER}; border-radius: 4px; text-align: center;
    height: 16px; }}
QProgressBar::chunk {{ background: {theme.ACCENT}; border-radius: 3px; }}
"""


def panel(title: str, frame: QFrame | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A titled panel (the main window's style): a new frame, or `frame` given its layout."""
    frame = frame if frame is not None else QFrame()
    frame.setObjectName("panel")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(10, 8, 10, 10)
    lay.setSpacing(6)
    head = QLabel(title.upper())
    head.setObjectName("heading")
    lay.addWidget(head)
    return frame, lay


def label(text: str = "", name: str = "teachHint", wrap: bool = True) -> QLabel:
    w = QLabel(text)
    w.setObjectName(name)
    w.setWordWrap(wrap)
    w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return w


def sign_text(sign: str) -> str:
    return NOTHING_TEXT if sign == NOTHING else sign


class SignList(QListWidget):
    """One row per sign: name, number of takes, takes without hands."""

    def show_project(self, project: Project | None, select: str | None = None) -> None:
        current = select if select is not None else self.current()
        self.blockSignals(True)
        self.clear()
        if project is not None:
            for sign in project.signs:
                takes = project.takes(sign)
                bad = sum(t.flagged for t in takes)
                n = len(takes)
                text = f"{sign_text(sign)}   ·   {n} take{'s' if n != 1 else ''}"
                if bad:
                    text += f"   ⚠ {bad} without hands"
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, sign)
                if n == 0:
                    item.setForeground(Qt.GlobalColor.gray)
                self.addItem(item)
                if sign == current:
                    self.setCurrentItem(item)
        self.blockSignals(False)
        self.currentItemChanged.emit(self.currentItem(), None)

    def current(self) -> str | None:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, sign: str) -> None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == sign:
                self.setCurrentRow(i)
                return


class TakeList(QListWidget):
    """The takes of one sign, newest last; a take without hands is marked."""

    def show_takes(self, takes: list[Take], select: int | None = None) -> None:
        self.clear()
        for take in takes:
            item = QListWidgetItem(take.label)
            item.setData(Qt.ItemDataRole.UserRole, take)
            if take.flagged:
                item.setForeground(Qt.GlobalColor.yellow)
            self.addItem(item)
            if select is not None and take.number == select:
                self.setCurrentItem(item)
        if self.currentItem() is None and self.count():
            self.setCurrentRow(self.count() - 1)

    def current(self) -> Take | None:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class RecordPanel(QFrame):
    """The live view (or a replayed take), the big state line, Record / Cancel and the take's
    timing options."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _, lay = panel("Record", self)
        self.state_label = label("Select a sign, then Record (R)", "teachState")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.state_label)
        self.view = VideoView()
        self.view.show_placeholder("Waiting for video from the main window…\n"
                                   "(open a camera or a video there)", offer_camera=False)
        self.view.open_button.hide()
        lay.addWidget(self.view, 1)
        ctl = QHBoxLayout()
        self.record_button = QPushButton("●  Record Take")
        self.record_button.setObjectName("record")
        self.record_button.setToolTip("Countdown, then sign; stops when your hands drop or at the maximum length (R)")
        ctl.addWidget(self.record_button)
        self.cancel_button = QPushButton("Cancel Take")
        ctl.addWidget(self.cancel_button)
        ctl.addSpacing(12)
        ctl.addWidget(label("Countdown", wrap=False))
        self.countdown_spin = spin(3.0, 0.0, 10.0, 0.5)
        ctl.addWidget(self.countdown_spin)
        ctl.addWidget(label("Max length", wrap=False))
        self.length_spin = spin(4.0, 0.5, 20.0, 0.5)
        ctl.addWidget(self.length_spin)
        self.drop_check = QCheckBox("Stop when hands drop")
        self.drop_check.setChecked(True)
        ctl.addWidget(self.drop_check)
        ctl.addStretch(1)
        self.hands_label = label("", "teachHint", wrap=False)
        ctl.addWidget(self.hands_label)
        lay.addLayout(ctl)
        self.hint_label = label("Takes are stored as landmarks only (no video).")
        lay.addWidget(self.hint_label)


def spin(value: float, lo: float, hi: float, step: float) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setSingleStep(step)
    s.setDecimals(1)
    s.setSuffix(" s")
    s.setValue(value)
    return s


class SkeletonReplay(QObject):
    """Plays a recorded take's landmarks on its own clock: `frame(LandmarkFrame, w, h)` per step,
    `done()` at the end. A dark canvas of the take's frame size stands in for the video."""

    frame = Signal(object, object)    # (bgr canvas, LandmarkFrame)
    done = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(15)
        self.timer.timeout.connect(self._tick)
        self._frames: list = []
        self._t: np.ndarray = np.zeros(0)
        self._start = 0.0
        self._shown = -1
        self._canvas = np.zeros((1, 1, 3), np.uint8)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self, seq: LandmarkSequence) -> None:
        self._frames = seq.frames()
        ts = np.array([f.timestamp_ms for f in self._frames], np.float64)
        self._t = ts - ts[0] if len(ts) else ts
        w, h = max(2, seq.width), max(2, seq.height)
        canvas = np.empty((h, w, 3), np.uint8)
        canvas[:] = (33, 29, 27)          # theme.BG in BGR
        self._canvas = canvas
        self._start = time.perf_counter()
        self._shown = -1
        self.timer.start()
        self._tick()

    def stop(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.done.emit()

    def _tick(self) -> None:
        if not self._frames:
            self.stop()
            return
        elapsed = (time.perf_counter() - self._start) * 1000.0
        i = int(np.searchsorted(self._t, elapsed, side="right")) - 1
        if i != self._shown and i >= 0:
            self._shown = i
            self.frame.emit(self._canvas, self._frames[i])
        if elapsed > self._t[-1] + 400.0:   # hold the last pose a moment
            self.stop()


__all__ = ["RecordPanel", "SignList", "SkeletonReplay", "TEACH_STYLE", "TakeList", "label", "panel", "sign_text",
           "spin"]
