"""File playback views: play/pause/seek with the time, and the prediction track over the file."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from ..core.video import DEFAULT_FPS
from . import theme


class Timeline(QWidget):
    """Play/pause, a seek slider over frame indices and the time."""

    play_toggled = Signal()
    seek_requested = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        self.play_button = QToolButton()
        self._icons = (self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
                       self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self.play_button.setIcon(self._icons[0])
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setMinimumWidth(34)
        self.play_button.clicked.connect(self.play_toggled)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_value)
        self.time_label = QLabel("0:00.0 / 0:00.0")
        self.time_label.setStyleSheet(f"color: {theme.MUTED}; font-family: monospace;")
        lay.addWidget(self.play_button)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.time_label)
        self.fps = DEFAULT_FPS
        self.frame_count = 0
        self.playing = False
        self._programmatic = False

    def configure(self, frame_count: int, fps: float) -> None:
        self.frame_count = max(1, frame_count)
        self.fps = fps or DEFAULT_FPS
        self._programmatic = True
        self.slider.setRange(0, self.frame_count - 1)
        self.slider.setValue(0)
        self._programmatic = False
        self._update_label(0)

    def set_playing(self, playing: bool) -> None:
        self.playing = bool(playing)
        self.play_button.setIcon(self._icons[1] if playing else self._icons[0])

    def set_position(self, pos: int) -> None:
        if self.slider.isSliderDown():
            return
        self._programmatic = True
        self.slider.setValue(pos)
        self._programmatic = False
        self._update_label(pos)

    def _on_value(self, value: int) -> None:
        self._update_label(value)
        if not self._programmatic:
            self.seek_requested.emit(value)

    @staticmethod
    def _fmt(s: float) -> str:
        return f"{int(s // 60)}:{s % 60:04.1f}"

    def _update_label(self, pos: int) -> None:
        self.time_label.setText(f"{self._fmt(pos / self.fps)} / {self._fmt(self.frame_count / self.fps)}")


class PredictionTrack(pg.PlotWidget):
    """Top label's (smoothed) probability over the file's time, one dot per frame coloured by label."""

    seek_requested = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent, background=theme.PANEL)
        pi = self.getPlotItem()
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(False, False)
        pi.showGrid(x=False, y=True, alpha=0.15)
        pi.setYRange(0, 1.02, padding=0)
        pi.getAxis("left").setTicks([[(0, "0"), (0.5, ".5"), (1, "1")]])
        pi.getAxis("left").setWidth(28)
        pi.getAxis("bottom").setHeight(22)
        self.setFixedHeight(110)
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#6b7380", width=1), connect="finite")
        self.dots = pg.ScatterPlotItem(size=5, pen=None)
        self.threshold_line = pg.InfiniteLine(pos=0.5, angle=0, pen=pg.mkPen(theme.WARN, width=1,
                                                                                style=Qt.PenStyle.DashLine))
        self.cursor = pg.InfiniteLine(pos=0, angle=90, movable=True, pen=pg.mkPen(theme.TEXT, width=1))
        self.cursor.sigDragged.connect(self._on_drag)
        self.label_text = pg.TextItem("", color=theme.TEXT, anchor=(0, 0))
        for item in (self.curve, self.dots, self.threshold_line, self.cursor, self.label_text):
            self.addItem(item)
        self.fps = DEFAULT_FPS
        self.prob = np.zeros(0)
        self.label_idx = np.zeros(0, np.int64)
        self.labels: list[str] = []
        self._brushes: list = []
        self.dirty = False

    def configure(self, frame_count: int, fps: float, labels: list[str]) -> None:
        self.fps = fps or DEFAULT_FPS
        n = max(1, frame_count)
        self.prob = np.full(n, np.nan)
        self.label_idx = np.full(n, -1, np.int64)
        self.set_labels(labels)
        self.getPlotItem().setXRange(0, n / self.fps, padding=0.01)
        self.dirty = True
        self.refresh()

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        hues = max(8, len(self.labels))
        self._brushes = [pg.mkBrush(pg.intColor(i, hues=hues, values=1, maxValue=255, minValue=200))
                         for i in range(len(self.labels))]
        self.prob[:] = np.nan
        self.label_idx[:] = -1
        self.dirty = True

    def set_threshold(self, value: float) -> None:
        self.threshold_line.setPos(value)

    def add(self, position: int, label_index: int, prob: float) -> None:
        if 0 <= position < self.prob.size:
            self.prob[position] = prob
            self.label_idx[position] = label_index
            self.dirty = True

    def set_cursor(self, position: int) -> None:
        self.cursor.setPos(position / self.fps)
        if 0 <= position < self.label_idx.size and self.label_idx[position] >= 0:
            i = int(self.label_idx[position])
            self.label_text.setText(f"{self.labels[i]} {self.prob[position] * 100:.0f}%")
        self.label_text.setPos(position / self.fps, 1.0)

    def refresh(self) -> None:
        """Redraw if new points arrived (called from the window's UI timer, not per result)."""
        if not self.dirty:
            return
        self.dirty = False
        t = np.arange(self.prob.size) / self.fps
        ok = self.label_idx >= 0      # the classifier runs every N frames: draw only those
        self.curve.setData(t[ok], self.prob[ok])
        if ok.any() and self._brushes:
            idx = self.label_idx[ok]
            self.dots.setData(t[ok], self.prob[ok], brush=[self._brushes[i % len(self._brushes)] for i in idx])
        else:
            self.dots.clear()

    def _on_drag(self) -> None:
        self.seek_requested.emit(int(round(self.cursor.value() * self.fps)))


__all__ = ["PredictionTrack", "Timeline"]
