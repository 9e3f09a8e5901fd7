"""The main window's help side: the first-run hint, the shortcut list, the About boxes, full
screen and the vocabulary search.

A mixin of `MainWindow`: the window's methods grouped by what they are about, in a file of their own.
"""
from __future__ import annotations

from . import dialogs


class HelpMixin:
    """Getting started, Keyboard Shortcuts (F1), About SLR Desktop; full screen in and out."""

    def show_hint(self) -> None:
        self.hint.show_over()

    def _hint_dismissed(self) -> None:
        self.settings.hint_shown = True
        self._save_settings()

    def show_shortcuts(self):
        self.shortcuts_dialog = dialogs.shortcuts_dialog(self, self.menus.shortcut_table())
        return self.shortcuts_dialog

    def show_about_app(self):
        from ..core.package_data import version

        self.about_app_box = dialogs.about_app_dialog(self, version())
        return self.about_app_box

    def focus_vocabulary(self) -> None:
        """Show the list of signs the model knows and put the cursor in its search box."""
        self.side.tabs.setCurrentIndex(0)
        self.side.vocabulary.search.setFocus()
        self.side.vocabulary.search.selectAll()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def leave_fullscreen(self) -> None:
        """Esc: out of full screen (and nothing else, so it is safe to press any time)."""
        if self.isFullScreen():
            self.showNormal()


__all__ = ["HelpMixin"]
