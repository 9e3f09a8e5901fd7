"""The side panel: the recognised sign and its history, the top-k bars with the threshold, the
vocabulary (searchable) and the model.

Each view is created once and updated in place from main-thread slots; `SidePanel.show_state`
draws a presenter `ViewState` and decides nothing.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.metadata import ModelMetadata
from ..core.segments import Status
from . import theme
from .presenter import ViewState, vocabulary
from .vocabulary import VocabularyPanel


def heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("heading")
    return label



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
        self.setMinimumHeight(24 * k)
        self.setMaximumHeight(30 * k)
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
    """The recognised sign, big (or the decoder's state in words), and the history of this source.

    The history has a context menu (copy, clear); the window owns what they do."""

    copy_requested = Signal()
    clear_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(2)
        lay.addWidget(heading("Current sign"))
        self.sign = QLabel("—")
        self.sign.setObjectName("signIdle")
        self.sign.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.sign.setFixedHeight(46)
        self.sign.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        lay.addWidget(self.sign)
        self.detail = QLabel("open a video or start a camera")
        self.detail.setStyleSheet(f"color: {theme.MUTED};")
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.detail)
        lay.addSpacing(4)
        lay.addWidget(heading("History"))
        self.history = QLabel("")
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        self.history.ensurePolished()           # the style sheet's font decides the line height
        self.history.setFixedHeight(2 * self.history.fontMetrics().lineSpacing() + 6)
        self.history.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.history.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.history.setToolTip("One entry per recognised sign. Right-click to copy (Ctrl+C) or clear.")
        self.history.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.history.customContextMenuRequested.connect(self._menu)
        lay.addWidget(self.history)
        self.current: str | None = None
        self.style_name = "signIdle"

    def _menu(self, pos) -> None:
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        copy = menu.addAction("Copy History")
        copy.setEnabled(bool(self.history.text()))
        copy.triggered.connect(self.copy_requested)
        clear = menu.addAction("Clear History")
        clear.triggered.connect(self.clear_requested)
        menu.popup(self.history.mapToGlobal(pos))
        self.context_menu = menu   # kept for tests

    def set_state(self, current: str | None, prob: float, history: tuple[str, ...], detail: str,
                  headline: str | None = None, unknown: bool = False) -> None:
        """`current` is the recognised sign (None: show `headline`, the state in words)."""
        self.current = current
        if current:
            text, name = current, "sign"
        else:
            text, name = headline or "—", "signUnknown" if unknown else "signIdle"
        self.sign.setText(text)
        self.sign.setToolTip(text)
        if name != self.style_name:
            self.style_name = name
            self.sign.setObjectName(name)
            self.sign.style().unpolish(self.sign)
            self.sign.style().polish(self.sign)
        self.detail.setText(detail)
        self.history.setText(self.fit_history(history))

    def fit_history(self, history: tuple[str, ...]) -> str:
        """The newest entries that fit the history's lines (the oldest give way, marked "…")."""
        from PySide6.QtCore import QRect

        entries = list(history)
        fm = self.history.fontMetrics()
        width = max(50, self.history.width())
        flags = int(Qt.TextFlag.TextWordWrap)
        while True:
            text = ("…  ·  " if len(entries) < len(history) else "") + "  ·  ".join(entries)
            if len(entries) <= 1 or fm.boundingRect(QRect(0, 0, width, 10_000), flags, text).height() \
                    <= self.history.height():
                return text
            entries.pop(0)


class SidePanel(QWidget):
    """Sign panel, top-k bars with the threshold slider, and tabs with what the model knows and
    the model itself, in one column that fits the window's minimum height."""

    threshold_changed = Signal(float)      # the user moved the slider (0..1)
    about_model_requested = Signal()

    WIDTH = 330

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        side = QVBoxLayout(self)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(6)
        self.sign_panel = SignPanel()
        side.addWidget(self.sign_panel)

        bars_frame = QFrame()
        bars_frame.setObjectName("panel")
        self.bars_frame = bars_frame
        bl = QVBoxLayout(bars_frame)
        bl.setContentsMargins(12, 8, 12, 6)
        bl.setSpacing(2)
        bl.addWidget(heading("Top 5 (most likely signs)"))
        self.bars = TopBars(5)
        self.bars.setToolTip("The five signs the model finds most likely right now. A sign is "
                             "recognised when it stays above the dashed threshold line.")
        bl.addWidget(self.bars)
        th_row = QHBoxLayout()
        self.threshold_label = QLabel()
        self.threshold_label.setStyleSheet(f"color: {theme.MUTED};")
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(0, 100)
        self.threshold_slider.setToolTip("Confidence a sign needs to be shown, for this model ([ and ] to adjust)")
        self.threshold_slider.valueChanged.connect(lambda v: self.threshold_changed.emit(v / 100.0))
        th_row.addWidget(self.threshold_label)
        th_row.addWidget(self.threshold_slider, 1)
        bl.addLayout(th_row)
        side.addWidget(bars_frame)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.vocabulary = VocabularyPanel()
        self.tabs.addTab(self.vocabulary, "Signs it knows")
        model_page = QWidget()
        ml = QVBoxLayout(model_page)
        ml.setContentsMargins(8, 6, 8, 6)
        self.model_label = QLabel("no model loaded")
        self.model_label.setWordWrap(True)
        self.model_label.setTextFormat(Qt.TextFormat.RichText)
        self.model_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        ml.addWidget(self.model_label)
        about = QPushButton("About This Model…")
        about.clicked.connect(self.about_model_requested)
        ml.addWidget(about, 0, Qt.AlignmentFlag.AlignLeft)
        ml.addStretch(1)
        self.tabs.addTab(model_page, "Model")
        side.addWidget(self.tabs, 1)
        self.setFixedWidth(self.WIDTH)

    def show_threshold(self, value: float) -> None:
        """Move the slider and the bars' line without emitting `threshold_changed`."""
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(int(round(value * 100)))
        self.threshold_slider.blockSignals(False)
        self.threshold_label.setText(f"Threshold {value * 100:.0f}%")
        self.bars.set_threshold(value)

    def show_model(self, meta: ModelMetadata, path: str) -> None:
        lic = meta.license or "not stated"
        entries = vocabulary(meta.labels, meta.idle_label, getattr(meta, "unknown_label", None))
        n = sum(e.sign for e in entries)
        self.model_label.setText(
            f"<b>{esc(meta.name)}</b> · {n} signs · {meta.sign_language}"
            f"<br><span style='color:{theme.MUTED}'>Licence: {esc(lic)}</span>")
        self.model_label.setToolTip(path)
        self.vocabulary.set_entries(entries)
        self.tabs.setTabText(0, f"Signs it knows ({n})")

    def show_state(self, state: ViewState) -> None:
        """Draw a presenter state: the bars (empty when there are none, e.g. nobody in view) and
        the sign panel."""
        self.bars.set_top([p.label for p in state.bars], np.array([p.prob for p in state.bars]),
                          passed=state.passed)
        s = state.sign
        self.sign_panel.set_state(s.current, s.prob, s.history, state.detail, state.headline,
                                  unknown=state.status == Status.UNKNOWN)


def esc(text: str) -> str:
    """Plain text for a rich-text label."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["SidePanel", "SignPanel", "TopBars", "esc", "heading"]
