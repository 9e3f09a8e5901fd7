"""File playback views: play/pause/seek with the time, and the prediction track over the file.

Both jump where they are clicked (a plain QSlider would only page toward the click): the slider
by the style's own pixel-to-value mapping, the track by its view's pixel-to-seconds mapping, so a
click lands on the frame under the pointer.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.segments import UNKNOWN_TEXT, Segment
from ..core.video import DEFAULT_FPS
from . import theme
from .presenter import clock

UNKNOWN_COLOR = "#8a8f98"


class SeekSlider(QSlider):
    """A horizontal slider that jumps to the clicked position, then drags from there."""

    def _geometry(self) -> tuple[QStyleOptionSlider, QRect, QRect, int]:
        """The style's option, groove and handle rectangles, and the handle's travel in pixels."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, self)
        return opt, groove, handle, max(1, groove.width() - handle.width())

    def value_at(self, x: float) -> int:
        """The value whose handle centre is at widget x (the style's own mapping)."""
        opt, groove, handle, span = self._geometry()
        return QStyle.sliderValueFromPosition(self.minimum(), self.maximum(),
                                              int(round(x - groove.x() - handle.width() / 2)), span, opt.upsideDown)

    def x_of(self, value: int) -> int:
        """Widget x of the handle centre for `value` (the inverse of `value_at`; tests click here)."""
        opt, groove, handle, span = self._geometry()
        return groove.x() + handle.width() // 2 + QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), value, span, opt.upsideDown)

    def mousePressEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            value = self.value_at(ev.position().x())
            if value != self.value():
                self.setValue(value)   # emits valueChanged: the seek; the handle is now under the pointer
        super().mousePressEvent(ev)    # ...so this starts a drag instead of a page step


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
        self.slider = SeekSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # arrow keys belong to the Playback menu
        self.slider.setToolTip("Click or drag to jump; ← → 1 s, , . one frame")
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

    def _update_label(self, pos: int) -> None:
        self.time_label.setText(f"{clock(pos / self.fps)} / {clock(self.frame_count / self.fps)}")


def label_colors(n: int) -> list[QColor]:
    """One distinct, bright colour per label index (the track's spans and legend)."""
    hues = max(8, n)
    return [pg.intColor(i, hues=hues, values=1, maxValue=255, minValue=200) for i in range(n)]


class _TrackPlot(pg.PlotWidget):
    """The track's plot; a press or a drag anywhere on it asks for that time."""

    clicked = Signal(float)   # seconds under the pointer

    def seconds_at(self, x: float, y: float = 0.0) -> float:
        from PySide6.QtCore import QPointF

        scene = self.mapToScene(int(round(x)), int(round(y)))
        return float(self.getPlotItem().getViewBox().mapSceneToView(QPointF(scene)).x())

    def x_of(self, seconds: float) -> int:
        """Widget x of a time (the inverse of `seconds_at`; tests click here)."""
        from PySide6.QtCore import QPointF

        scene = self.getPlotItem().getViewBox().mapViewToScene(QPointF(seconds, 0.5))
        return self.mapFromScene(scene).x()

    def mousePressEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.seconds_at(ev.position().x(), ev.position().y()))
        ev.accept()

    def mouseMoveEvent(self, ev) -> None:
        if ev.buttons() & Qt.MouseButton.LeftButton:
            self.clicked.emit(self.seconds_at(ev.position().x(), ev.position().y()))
        ev.accept()


class PredictionTrack(QWidget):
    """The file's recognised signs over time: a coloured span per segment with its label (unknown
    signs grey and hatched), the top probability as a line, the threshold, a cursor, a legend.
    Clicking or dragging on it seeks."""

    seek_requested = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        self.plot = _TrackPlot(background=theme.PANEL)
        self.plot.setToolTip("Recognised signs over the video. Click to jump there.")
        pi = self.plot.getPlotItem()
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(False, False)
        pi.showGrid(x=False, y=True, alpha=0.15)
        pi.setYRange(0, 1.02, padding=0)
        pi.getAxis("left").setTicks([[(0, "0"), (0.5, ".5"), (1, "1")]])
        pi.getAxis("left").setWidth(28)
        pi.getAxis("bottom").setHeight(20)
        self.plot.setFixedHeight(88)
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#aab0b8", width=1), connect="finite")
        self.threshold_line = pg.InfiniteLine(pos=0.5, angle=0, pen=pg.mkPen(theme.WARN, width=1,
                                                                                style=Qt.PenStyle.DashLine))
        self.cursor = pg.InfiniteLine(pos=0, angle=90, movable=False, pen=pg.mkPen(theme.TEXT, width=1))
        self.label_text = pg.TextItem("", color=theme.TEXT, anchor=(0, 1))
        for item in (self.curve, self.threshold_line, self.cursor, self.label_text):
            pi.addItem(item)
        self.curve.setZValue(5)
        self.plot.clicked.connect(self._on_click)
        self.legend = QLabel()
        self.legend.setObjectName("legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setStyleSheet(f"color: {theme.MUTED}; font-size: 9pt;")
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.plot)
        lay.addWidget(self.legend)
        self.fps = DEFAULT_FPS
        self.frame_count = 1
        self.prob = np.zeros(0)
        self.label_idx = np.zeros(0, np.int64)
        self.labels: list[str] = []
        self.names: list[str] = []
        self._colors: list[QColor] = []
        self.segments: list[Segment] = []
        self._span_items: list = []
        self.dirty = False
        self._update_legend()

    # -- configuration ---------------------------------------------------------------------
    def configure(self, frame_count: int, fps: float, labels: list[str], names: list[str] | None = None) -> None:
        self.fps = fps or DEFAULT_FPS
        self.frame_count = max(1, frame_count)
        self.prob = np.full(self.frame_count, np.nan)
        self.label_idx = np.full(self.frame_count, -1, np.int64)
        self.set_labels(labels, names)
        self.plot.getPlotItem().setXRange(0, self.frame_count / self.fps, padding=0.01)
        self.refresh()

    def set_labels(self, labels: list[str], names: list[str] | None = None) -> None:
        """A model's labels (colours by index) and their display names ("no sign" for the idle
        class); everything drawn for the old ones goes."""
        self.labels = list(labels)
        self.names = list(names) if names is not None else list(labels)
        self._colors = label_colors(len(self.labels))
        self.clear()

    def clear(self) -> None:
        """A new pass or source: no curve, no spans."""
        self.prob[:] = np.nan
        self.label_idx[:] = -1
        self.label_text.setText("")
        self.set_segments([])
        self.dirty = True
        self.refresh()

    def set_threshold(self, value: float) -> None:
        self.threshold_line.setPos(value)

    # -- data ------------------------------------------------------------------------------
    def add(self, position: int, label_index: int, prob: float) -> None:
        if 0 <= position < self.prob.size:
            self.prob[position] = prob
            self.label_idx[position] = label_index
            self.dirty = True

    def color_of(self, label: str | None) -> QColor:
        if label is None or label not in self.labels:
            return QColor(UNKNOWN_COLOR)
        return self._colors[self.labels.index(label)]

    def set_segments(self, segments: list[Segment]) -> None:
        """Draw these segments (the presenter's, in time order) instead of the previous ones."""
        pi = self.plot.getPlotItem()
        for item in self._span_items:
            pi.removeItem(item)
        self._span_items = []
        self.segments = list(segments)
        for seg in self.segments:
            color = self.color_of(seg.label)
            fill = QColor(color)
            fill.setAlpha(80)
            rect = QGraphicsRectItem(QRectF(seg.start_s, 0.0, max(seg.end_s - seg.start_s, 1.0 / self.fps), 1.0))
            brush = QBrush(fill, Qt.BrushStyle.BDiagPattern if seg.label is None else Qt.BrushStyle.SolidPattern)
            rect.setBrush(brush)
            pen = QPen(color)
            pen.setCosmetic(True)
            pen.setStyle(Qt.PenStyle.DashLine if seg.label is None else Qt.PenStyle.SolidLine)
            rect.setPen(pen)
            text = pg.TextItem(seg.label if seg.label is not None else UNKNOWN_TEXT, color=color, anchor=(0, 0))
            text.setPos(seg.start_s, 1.0)
            for item in (rect, text):
                pi.addItem(item)
                self._span_items.append(item)
        self._update_legend()

    def _update_legend(self) -> None:
        seen: list[str | None] = []
        for seg in self.segments:
            if seg.label not in seen:
                seen.append(seg.label)
        chips = []
        for label in sorted(seen, key=lambda lab: (lab is None, lab or "")):
            name = label if label is not None else UNKNOWN_TEXT
            chips.append(f"<span style='color:{self.color_of(label).name()}'>■</span>&nbsp;{_esc(name)}")
        signs = "&nbsp;&nbsp;".join(chips) if chips else "no sign recognised yet"
        self.legend.setText(f"{signs}&nbsp;&nbsp;&nbsp;<span style='color:#aab0b8'>━</span> top probability"
                            f"&nbsp;&nbsp;<span style='color:{theme.WARN}'>┄</span> threshold")

    def set_cursor(self, position: int) -> None:
        self.cursor.setPos(position / self.fps)
        if 0 <= position < self.label_idx.size and self.label_idx[position] >= 0:
            i = int(self.label_idx[position])
            self.label_text.setText(f"{self.names[i]} {self.prob[position] * 100:.0f}%")
        # near the right end the label goes left of the cursor, so it is never cut off
        self.label_text.setAnchor((1, 1) if position > 0.75 * self.frame_count else (0, 1))
        self.label_text.setPos(position / self.fps, 0.0)

    def refresh(self) -> None:
        """Redraw the curve if new points arrived (the window's UI timer calls this, not each result)."""
        if not self.dirty:
            return
        self.dirty = False
        t = np.arange(self.prob.size) / self.fps
        ok = self.label_idx >= 0      # the classifier runs every N frames: draw only those
        self.curve.setData(t[ok], self.prob[ok])

    # -- seeking ----------------------------------------------------------------------------
    def frame_at(self, seconds: float) -> int:
        return int(np.clip(round(seconds * self.fps), 0, self.frame_count - 1))

    def _on_click(self, seconds: float) -> None:
        self.seek_requested.emit(self.frame_at(seconds))


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["PredictionTrack", "SeekSlider", "Timeline", "label_colors"]
