"""The vocabulary panel: the signs the loaded model knows, searchable, so a user knows what to sign.

The entries and the search rule come from the presenter (`vocabulary`, `matches`); this widget
only lists them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from . import theme
from .presenter import VocabularyEntry, matches


class VocabularyPanel(QWidget):
    """A search box over a list of the model's signs; the count says how many match."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the signs…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setMinimumHeight(40)
        self.list.setToolTip("The signs this model can recognise: sign one of these")
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {theme.MUTED}; font-size: 9pt;")
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.count)
        self.entries: list[VocabularyEntry] = []

    def set_entries(self, entries: list[VocabularyEntry]) -> None:
        self.entries = list(entries)
        self.list.clear()
        for e in self.entries:
            item = QListWidgetItem(f"{e.name}  ({e.note})" if e.note else e.name)
            item.setData(Qt.ItemDataRole.UserRole, e.name)
            if not e.sign:
                item.setForeground(QColor(theme.MUTED))
            self.list.addItem(item)
        self._filter(self.search.text())

    def _filter(self, query: str) -> None:
        shown = 0
        for i, e in enumerate(self.entries):
            hide = not matches(e, query)
            self.list.item(i).setHidden(hide)
            shown += (not hide) and e.sign
        n = sum(e.sign for e in self.entries)
        self.count.setText(f"{n} signs" if not query.strip() else f"{shown} of {n} signs match")

    def visible_names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]


__all__ = ["VocabularyPanel"]
