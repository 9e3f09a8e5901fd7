"""Dialogs: one route for every user-facing error (so tests can intercept it), and the model card.

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
