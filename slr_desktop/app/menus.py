"""The window's menus and shortcuts, built from the window's own slots.

Every action is also added to the window itself, so its shortcut works in full screen (menu bar
hidden). The Model and Camera menus are refilled each time they open: models appear when a file
lands in a models folder, cameras when one is plugged in.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence


class Menus:
    """File / Playback / Model / View menus of a `MainWindow`; the checkable actions are kept."""

    def __init__(self, win) -> None:
        self.win = win
        mb = win.menuBar()
        file_menu = mb.addMenu("&File")
        self.action("Open Video…", win.open_video_dialog, QKeySequence.StandardKey.Open, menu=file_menu)
        self.camera_menu = file_menu.addMenu("Camera")
        self.camera_menu.aboutToShow.connect(self.fill_cameras)
        file_menu.addSeparator()
        self.action("Quit", win.close, "Ctrl+Q", menu=file_menu)

        play_menu = mb.addMenu("&Playback")
        self.play = self.action("Play / Pause", win.toggle_play, "Space", menu=play_menu)
        self.action("Back 1 s", lambda: win.step_seconds(-1.0), "Left", menu=play_menu)
        self.action("Forward 1 s", lambda: win.step_seconds(1.0), "Right", menu=play_menu)
        self.action("Restart", lambda: win.seek(0), "Home", menu=play_menu)
        self.loop = self.action("Loop", lambda on: None, "L", checkable=True, menu=play_menu)
        play_menu.addSeparator()
        self.fast = self.action("As Fast as Possible (no pacing)", win.set_fast, checkable=True, menu=play_menu)
        self.drop_late = self.action("Drop Frames to Keep Real Time", win.set_drop_late, checkable=True,
                                     menu=play_menu)

        self.model_menu = mb.addMenu("&Model")
        self.model_menu.aboutToShow.connect(self.fill_models)
        self.model_group = QActionGroup(win)
        self.model_group.setExclusive(True)
        self.open_model = self.action("Open Model File…", win.open_model_dialog, "Ctrl+Shift+O")
        self.about_model = self.action("About This Model…", win.show_about_model, "F1")
        self.teach = self.action("Teach Signs…", lambda: _open_teach(win), "Ctrl+T")
        self.fill_models()

        view_menu = mb.addMenu("&View")
        self.mirror = self.action("Mirror Camera (selfie view)", win.set_mirror, "M", checkable=True,
                                  menu=view_menu)
        self.overlay = self.action("Skeleton Overlay", win.set_overlay, "O", checkable=True, menu=view_menu)
        view_menu.addSeparator()
        self.action("Raise Threshold", lambda: win.nudge_threshold(+0.05), "]", menu=view_menu)
        self.action("Lower Threshold", lambda: win.nudge_threshold(-0.05), "[", menu=view_menu)
        self.action("Use the Model's Threshold", win.reset_threshold, menu=view_menu)
        self.action("Clear History", win.clear_history, "Ctrl+L", menu=view_menu)
        view_menu.addSeparator()
        self.action("Full Screen", win.toggle_fullscreen, "F11", menu=view_menu)

    def action(self, text: str, slot, shortcut=None, checkable: bool = False, menu=None) -> QAction:
        act = QAction(text, self.win)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        if checkable:
            act.toggled.connect(slot)
        else:
            act.triggered.connect(lambda _=False: slot())
        if menu is not None:
            menu.addAction(act)
        self.win.addAction(act)  # shortcuts work in full screen (menu bar hidden) too
        return act

    def model_actions(self) -> list[QAction]:
        return list(self.model_group.actions())

    def fill_models(self) -> None:
        """One checkable entry per model found (plus the loaded one if it lies elsewhere)."""
        from ..core.model_registry import find_models

        win, menu = self.win, self.model_menu
        menu.clear()
        for act in self.model_group.actions():
            self.model_group.removeAction(act)
        current = win.classifier.path.resolve() if win.classifier is not None else None
        try:
            models = find_models()
        except Exception:
            models = []
        if current is not None and current not in {p.resolve() for p in models}:
            models.append(win.classifier.path)
        for p in models:
            act = QAction(p.stem, win)
            act.setCheckable(True)
            act.setChecked(current is not None and p.resolve() == current)
            act.setToolTip(str(p))
            act.setData(str(p))
            act.triggered.connect(lambda _=False, path=p: win.load_model(path))
            self.model_group.addAction(act)
            menu.addAction(act)
        if not models:
            none = menu.addAction("No models found")
            none.setEnabled(False)
        menu.addSeparator()
        menu.addAction(self.open_model)
        menu.addAction(self.about_model)
        menu.addSeparator()
        menu.addAction(self.teach)
        self.about_model.setEnabled(win.classifier is not None)

    def fill_cameras(self) -> None:
        from ..core.video import list_cameras

        win, menu = self.win, self.camera_menu
        menu.clear()
        try:
            found = list_cameras()
        except Exception:
            found = []
        current = win.spec.camera_index if win.spec is not None and win.spec.is_camera else None
        if current is not None and current not in found:
            found = sorted(set(found) | {current})  # in use by us, so the probe could not open it
        group = QActionGroup(menu)
        for i in found:
            act = menu.addAction(f"Camera {i}")
            act.setCheckable(True)
            act.setChecked(i == current)
            group.addAction(act)
            act.triggered.connect(lambda _=False, idx=i: win.open_camera(idx))
        if not found:
            act = menu.addAction("No camera found")
            act.setEnabled(False)


def _open_teach(win) -> None:
    from .teach_window import open_teach_window  # on first use: the Teach window is its own module

    open_teach_window(win)


__all__ = ["Menus"]
