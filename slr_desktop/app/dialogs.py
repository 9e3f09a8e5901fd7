"""Dialogs: one route for every user-facing error (so tests can intercept it), the model card, the
shortcut list and the About box of the app.

`show_error(parent, title, text)` shows a non-modal QMessageBox (it never blocks an event loop or a
test). A hook installed with `set_dialog_hook` replaces the dialog, e.g. to record the messages;
env `SLR_NO_DIALOGS=1` suppresses dialogs entirely (headless demos).
"""
from __future__ import annotations

import os
from typing import Callable

DialogHook = Callable[[object, str, str], None]
_hook: DialogHook | None = None


def set_dialog_hook(hook: DialogHook | None) -> DialogHook | None:
    """Install `hook(parent, title, text)`; returns the previous one so it can be restored."""
    global _hook
    previous, _hook = _hook, hook
    return previous


def show_error(parent, title: str, text: str):
    """Show (or hand to the hook) one error. Returns the QMessageBox, or None."""
    if _hook is not None:
        _hook(parent, title, text)
        return None
    if os.environ.get("SLR_NO_DIALOGS", "").strip() in ("1", "true", "yes"):
        return None
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.show()
    return box


def about_model_dialog(parent, clf):
    """A non-modal dialog with the loaded model's card (rendered from the file's own metadata)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

    from ..core import model_card

    dlg = QDialog(parent)
    dlg.setWindowTitle(f"About {clf.meta.name}")
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.resize(640, 560)
    lay = QVBoxLayout(dlg)
    browser = QTextBrowser()
    browser.setOpenExternalLinks(True)
    browser.setMarkdown(model_card.render(clf.meta, clf.path.name) + f"\n---\n\nFile: `{clf.path}`\n")
    lay.addWidget(browser)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.close)
    lay.addWidget(buttons)
    dlg.browser = browser
    dlg.show()  # non-modal
    return dlg


def shortcuts_dialog(parent, rows: list[tuple[str, str, str]]):
    """Help → Keyboard Shortcuts: a non-modal table of (menu, action, keys), read from the menus."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QDialog,
        QDialogButtonBox,
        QHeaderView,
        QTableWidget,
        QTableWidgetItem,
        QVBoxLayout,
    )

    dlg = QDialog(parent)
    dlg.setWindowTitle("Keyboard Shortcuts")
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    lay = QVBoxLayout(dlg)
    table = QTableWidget(len(rows), 3)
    table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.resizeColumnsToContents()
    lay.addWidget(table)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.close)
    lay.addWidget(buttons)
    dlg.resize(460, min(640, 80 + 26 * len(rows)))
    dlg.table = table
    dlg.show()
    return dlg


def about_app_text(version: str) -> str:
    """The About box of the app itself (what it is, versions, where models and settings live)."""
    import platform

    import onnxruntime
    import PySide6

    return (f"<h3>SLR Desktop {version}</h3>"
            "<p>Live sign-language recognition from a webcam or a video file: MediaPipe landmarks "
            "(pose and both hands) and a small CNN-Mamba classifier run by onnxruntime, on the CPU.</p>"
            "<p>Each model says which signs it knows, how it was tested and under which licence: "
            "Model → About This Model (Ctrl+I).</p>"
            f"<p style='color:#9aa0a8'>Python {platform.python_version()} · Qt (PySide6) {PySide6.__version__} · "
            f"onnxruntime {onnxruntime.__version__}</p>")


def about_app_dialog(parent, version: str):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setWindowTitle("About SLR Desktop")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_app_text(version))
    if not parent.windowIcon().isNull():
        box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setModal(False)
    box.show()
    return box
