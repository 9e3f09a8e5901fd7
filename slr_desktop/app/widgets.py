"""The window's views. Each is created once and updated in place from main-thread slots.

* `VideoView`: the frame (pyqtgraph `ImageItem`, fixed levels) under a skeleton overlay whose
  edges, part colours and node sets all come from `LAYOUT` tables; a placeholder page for "no
  camera" and a banner for transient problems ("camera lost, retrying").
* `TopBars`: top-k horizontal `BarGraphItem`, heights updated in place.
* `SignPanel`: the recognised sign, large, plus a short history.
* `Timeline` and `PredictionTrack`: play/pause/seek for files and the top label's probability
  over the file's time, coloured by label.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QFrame, QGraphicsItem, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSlider, QStackedLayout, QStyle, QToolButton, QVBoxLayout,
                               QWidget)

from ..core.landmarks import LandmarkFrame
from ..core.layout import LAYOUT, PARTS
from . import theme


def _heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("heading")
    return label


class PartOverlay:
    """Precomputed per-part drawing tables from `LAYOUT` (edges, nodes, colour)."""

    def __init__(self, part: int) -> None:
        edges = LAYOUT.edge_array()[LAYOUT.edge_part() == part]       # (E_p, 2) global indices
        self.nodes = np.unique(edges)                                 # (N_p,) points this part draws
        lookup = np.full(LAYOUT.n_points, -1, np.int64)
        lookup[self.nodes] = np.arange(self.nodes.size)
        self.adj = lookup[edges]                                      # (E_p, 2) into `nodes`
        r, g, b = theme.PART_COLORS[part]
        width = 2.5 if part == 0 else 2.0
        self.item = pg.GraphItem(pen=pg.mkPen((r, g, b, 230), width=width), symbol="o", size=5 if part else 6,
                                 symbolPen=None, symbolBrush=pg.mkBrush(r, g, b, 255), pxMode=True)
        self.item.setZValue(10 + part)

    def update(self, xy: np.ndarray, mask: np.ndarray) -> int:
        """xy (75, 2) pixel coords, mask (75,) bool. Returns the number of edges drawn."""
        present = mask[self.nodes]                                    # (N_p,)
        keep = present[self.adj].all(axis=1)                          # (E_p,)
        if not present.any():
            self.item.setVisible(False)
            return 0
        remap = np.cumsum(present) - 1
        self.item.setData(pos=xy[self.nodes][present], adj=remap[self.adj[keep]])
        self.item.setVisible(True)
        return int(keep.sum())


class VideoView(QWidget):
    """Frame + skeleton overlay, with a placeholder page and a banner."""

    open_video_requested = Signal()
    retry_camera_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 240)
        self.stack = QStackedLayout(self)

        # page 0: placeholder ("no camera", "no source")
        self.placeholder = QWidget()
        pl = QVBoxLayout(self.placeholder)
        pl.addStretch(1)
        self.placeholder_label = QLabel("No video source")
        self.placeholder_label.setObjectName("placeholder")
        self.placeholder_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder_label.setWordWrap(True)
        pl.addWidget(self.placeholder_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.open_button = QPushButton("Open Video…")
        self.open_button.clicked.connect(self.open_video_requested)
        self.retry_button = QPushButton("Try the camera again")
        self.retry_button.clicked.connect(self.retry_camera_requested)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        pl.addLayout(buttons)
        pl.addStretch(1)
        self.stack.addWidget(self.placeholder)

        # page 1: the video
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        self.gv = pg.GraphicsView(background=theme.BG)
        self.vb = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, defaultPadding=0.0,
                             enableMenu=False)
        self.gv.setCentralItem(self.vb)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.vb.addItem(self.image)
        # the overlay lives in image pixel coordinates and is clipped to the frame
        self.image.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.parts = [PartOverlay(p) for p in range(len(PARTS))]
        for part in self.parts:
            part.item.setParentItem(self.image)
        grid.addWidget(self.gv, 0, 0)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(False)
        self.banner.hide()
        grid.addWidget(self.banner, 0, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.stack.addWidget(page)

        self._size: tuple[int, int] | None = None
        self.overlay_visible = True
        self.mirrored = False
        self.edges_drawn = 0
        self.frames_shown = 0

    # -- pages / messages -------------------------------------------------------------------
    def show_placeholder(self, text: str, offer_camera: bool = True) -> None:
        self.placeholder_label.setText(text)
        self.retry_button.setVisible(offer_camera)
        self.stack.setCurrentIndex(0)

    def show_video(self) -> None:
        self.stack.setCurrentIndex(1)

    @property
    def placeholder_shown(self) -> bool:
        return self.stack.currentIndex() == 0

    def set_banner(self, text: str | None) -> None:
        if text:
            self.banner.setText(text)
            self.banner.show()
        else:
            self.banner.hide()

    # -- drawing ----------------------------------------------------------------------------
    def set_mirrored(self, on: bool) -> None:
        """Selfie view: flips the image and the overlay together, display only."""
        self.mirrored = bool(on)
        self.vb.invertX(self.mirrored)

    def set_overlay_visible(self, on: bool) -> None:
        self.overlay_visible = bool(on)
        if not on:  # turning it on redraws with the next frame (or the caller's set_landmarks)
            for part in self.parts:
                part.item.setVisible(False)

    def set_frame(self, bgr: np.ndarray, landmarks: LandmarkFrame | None) -> None:
        import cv2

        h, w = bgr.shape[:2]
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        # fixed levels: recomputing them per frame is the main cost of ImageItem
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))
        if self._size != (w, h):
            self._size = (w, h)
            self.vb.setRange(xRange=(0, w), yRange=(0, h), padding=0.0)
        self.frames_shown += 1
        if self.stack.currentIndex() != 1:
            self.show_video()
        self.set_landmarks(landmarks, w, h)

    def set_landmarks(self, lm: LandmarkFrame | None, w: int, h: int) -> None:
        if lm is None or not self.overlay_visible:
            for part in self.parts:
                part.item.setVisible(False)
            self.edges_drawn = 0
            return
        xy = lm.points[:, :2] * np.array([w, h], np.float32)     # (75, 2) pixels, un-mirrored
        mask = lm.mask > 0                                        # (75,)
        self.edges_drawn = sum(part.update(xy, mask) for part in self.parts)


class TopBars(pg.PlotWidget):
    """Top-k labels as horizontal bars; bars and texts are created once and updated in place."""

    def __init__(self, k: int = 5, parent=None) -> None:
        super().__init__(parent=parent, background=theme.PANEL)
        self.k = k
        self.labels: list[str] = [""] * k
        self.probs = np.zeros(k)
        pi = self.getPlotItem()
        pi.hideAxis("left")
        pi.hideAxis("bottom")
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(False, False)
        pi.getViewBox().invertY(True)
        pi.setXRange(0, 1, padding=0.01)
        pi.setYRange(-0.5, k - 0.5, padding=0.02)
        self.setMinimumHeight(34 * k)
        y = np.arange(k, dtype=float)
        self._brushes = [pg.mkBrush(theme.ACCENT)] + [pg.mkBrush("#3d4654")] * (k - 1)
        self._brush_hit = pg.mkBrush(theme.GOOD)
        # a faint full-width track behind every bar
        self.track = pg.BarGraphItem(x0=0, y=y, height=0.78, width=np.ones(k), brush=pg.mkBrush("#2a2e34"),
                                     pen=pg.mkPen(None))
        self.bars = pg.BarGraphItem(x0=0, y=y, height=0.78, width=np.zeros(k), brushes=self._brushes,
                                    pen=pg.mkPen(None))
        self.addItem(self.track)
        self.addItem(self.bars)
        self.threshold_line = pg.InfiniteLine(pos=0.5, angle=90, pen=pg.mkPen(theme.WARN, width=1,
                                                                                 style=Qt.PenStyle.DashLine))
        self.addItem(self.threshold_line)
        font = QFont()
        font.setPointSize(10)
        font.setBold(True)
        self.name_items = []
        self.prob_items = []
        for i in range(k):
            name = pg.TextItem("", color=theme.TEXT, anchor=(0, 0.5))
            name.setFont(font)
            name.setPos(0.02, i)
            prob = pg.TextItem("", color=theme.TEXT, anchor=(1, 0.5))
            prob.setFont(font)
            prob.setPos(0.99, i)
            for item in (name, prob):
                item.setZValue(5)
                self.addItem(item)
            self.name_items.append(name)
            self.prob_items.append(prob)

    def set_threshold(self, value: float) -> None:
        self.threshold_line.setPos(value)

    def set_top(self, labels: list[str], probs: np.ndarray, passed: bool = False) -> None:
        probs = np.asarray(probs, float)
        n = min(self.k, len(labels))
        self.labels = list(labels[:n]) + [""] * (self.k - n)
        self.probs = np.zeros(self.k)
        self.probs[:n] = probs[:n]
        brushes = list(self._brushes)
        if passed:
            brushes[0] = self._brush_hit
        self.bars.setOpts(width=self.probs, brushes=brushes)
        for i in range(self.k):
            self.name_items[i].setText(self.labels[i])
            self.prob_items[i].setText(f"{self.probs[i] * 100:.0f}%" if self.labels[i] else "")

    def reset(self) -> None:
        # not `clear`: that name is PlotWidget's "remove every item"
        self.set_top([], np.zeros(0))


class SignPanel(QFrame):
    """The recognised sign, big, and a history of the last ones."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 12)
        lay.addWidget(_heading("Current sign"))
        self.sign = QLabel("—")
        self.sign.setObjectName("signIdle")
        self.sign.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.sign.setMinimumHeight(58)
        self.sign.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.sign)
        self.detail = QLabel("waiting for frames")
        self.detail.setStyleSheet(f"color: {theme.MUTED};")
        lay.addWidget(self.detail)
        lay.addSpacing(6)
        lay.addWidget(_heading("History"))
        self.history = QLabel("")
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(40)
        self.history.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.history)
        self.current: str | None = None

    def set_state(self, current: str | None, prob: float, history: tuple[str, ...], detail: str) -> None:
        self.current = current
        if current:
            self.sign.setText(current)
            self.sign.setObjectName("sign")
        else:
            self.sign.setText("—")
            self.sign.setObjectName("signIdle")
        self.sign.style().unpolish(self.sign)
        self.sign.style().polish(self.sign)
        self.detail.setText(detail)
        self.history.setText("  ·  ".join(history) if history else "")


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
        self.fps = 30.0
        self.frame_count = 0
        self.playing = False
        self._programmatic = False

    def configure(self, frame_count: int, fps: float) -> None:
        self.frame_count = max(1, frame_count)
        self.fps = fps or 30.0
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
        self.fps = 30.0
        self.prob = np.zeros(0)
        self.label_idx = np.zeros(0, np.int64)
        self.labels: list[str] = []
        self._brushes: list = []
        self.dirty = False

    def configure(self, frame_count: int, fps: float, labels: list[str]) -> None:
        self.fps = fps or 30.0
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
