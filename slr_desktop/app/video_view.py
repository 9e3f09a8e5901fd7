"""The video and its skeleton overlay, a placeholder page and a banner.

The overlay's edges, part colours and node sets all come from `LAYOUT` tables (pyqtgraph
`GraphItem` per part, data-driven: no hand-written line calls); the image is an `ImageItem` with
fixed levels, because recomputing them per frame is the main cost of drawing video.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from ..core.landmarks import LandmarkFrame
from ..core.layout import LAYOUT, PARTS
from . import theme


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


__all__ = ["PartOverlay", "VideoView"]
