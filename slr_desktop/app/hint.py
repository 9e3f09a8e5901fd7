"""The first-run hint over the video area: where to start and what the panels mean.

Shown once (the window remembers its dismissal in the settings) and again from Help → Getting
Started. It floats over the video view (a sibling of it, so the view's page changes never cover
it), kept in the view's top centre as the window resizes.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

HINT_HTML = """
<p style='font-size:13pt; font-weight:600'>Getting started</p>
<ul style='margin-left:-20px'>
<li><b>Open a video</b> with File → Open Video… (Ctrl+O), or drop a video file on the window.
A camera starts by itself when there is one (File → Camera).</li>
<li><b>Sign one of the signs</b> listed under <i>Signs it knows</i> on the right.</li>
<li>The big text says what is happening: <i>no one there</i>, <i>no sign</i>,
<i>signing (not sure yet)</i>, the sign, or <i>unknown sign</i>.</li>
<li>The <b>bars</b> are the five most likely signs; a sign counts once it stays above the dashed
<b>threshold</b> line. Each recognised sign is added to the <b>history</b> once.</li>
<li>Press <b>F1</b> for every shortcut.</li>
</ul>
"""


class FirstRunHint(QFrame):
    """A card with the hint and a "Got it" button; `dismissed` when closed by the user."""

    dismissed = Signal()
    WIDTH = 430

    def __init__(self, over) -> None:
        super().__init__(over.parentWidget())
        self.over = over
        self.setObjectName("hint")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 8, 16, 12)
        self.text = QLabel(HINT_HTML)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        row = QHBoxLayout()
        row.addStretch(1)
        self.ok = QPushButton("Got it")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.dismiss)
        row.addWidget(self.ok)
        lay.addLayout(row)
        self.hide()
        over.installEventFilter(self)

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()

    def show_over(self) -> None:
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        area = self.over.geometry()
        width = min(self.WIDTH, area.width() - 16)
        height = min(self.layout().heightForWidth(width) if self.layout().hasHeightForWidth()
                     else self.sizeHint().height(), area.height() - 16)
        self.setGeometry(area.x() + (area.width() - width) // 2, area.y() + 8, width, max(60, height))

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() in (QEvent.Type.Resize, QEvent.Type.Move) and self.isVisible():
            self.place()
        return False


__all__ = ["FirstRunHint"]
