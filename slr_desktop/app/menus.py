"""The window's menus and shortcuts, built from the window's own slots.

Every action is also added to the window itself, so its shortcut works in full screen (menu bar
hidden). The Model, Camera and Open Recent menus are refilled each time they open: models appear
when a file lands in a models folder, cameras when one is plugged in. The shortcut list in
*Help → Keyboard Shortcuts* is read from these actions, so it cannot drift from them.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

SPEEDS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


def speed_text(speed: float) -> str:
    return "Normal (1×)" if speed == 1.0 else f"{speed:g}×"


class Menus:
    """File / Playback / Model / View / Help menus of a `MainWindow`; the actions it reads are kept."""

    def __init__(self, win) -> None:
        self.win = win
        mb = win.menuBar()
        file_menu = self.file_menu = mb.addMenu("&File")
        self.action("Open Video…", win.open_video_dialog, QKeySequence.StandardKey.Open, menu=file_menu,
                    tip="Open a video file (or drop one on the window)")
        self.recent_menu = file_menu.addMenu("Open Recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.camera_menu = file_menu.addMenu("Camera")
        self.camera_menu.aboutToShow.connect(self.fill_cameras)
        file_menu.addSeparator()
        self.export = self.action("Export Transcript…", win.export_transcript_dialog, "Ctrl+E", menu=file_menu,
                                  tip="Save the recognised signs with their times (SRT subtitles or CSV)")
        self.copy = self.action("Copy History", win.copy_history, QKeySequence.StandardKey.Copy, menu=file_menu,
                                tip="Copy the recognised signs, one a line with time and confidence")
        file_menu.aboutToShow.connect(self.update_file_items)
        file_menu.addSeparator()
        self.action("Quit", win.close, "Ctrl+Q", menu=file_menu)

        play_menu = self.play_menu = mb.addMenu("&Playback")
        self.play = self.action("Play / Pause", win.toggle_play, "Space", menu=play_menu)
        self.back = self.action("Back 1 s", lambda: win.step_seconds(-1.0), "Left", menu=play_menu)
        self.forward = self.action("Forward 1 s", lambda: win.step_seconds(1.0), "Right", menu=play_menu)
        self.prev_frame = self.action("Previous Frame", lambda: win.step_frames(-1), ",", menu=play_menu,
                                      tip="Pause and go one frame back")
        self.next_frame = self.action("Next Frame", lambda: win.step_frames(1), ".", menu=play_menu,
                                      tip="Pause and go one frame on")
        self.restart = self.action("Restart", lambda: win.seek(0), "Home", menu=play_menu)
        self.speed_menu = play_menu.addMenu("Speed")
        self.speed_group = QActionGroup(win)
        self.speed_actions: dict[float, QAction] = {}
        for s in SPEEDS:
            act = self.action(speed_text(s), lambda on, s=s: on and win.set_speed(s), checkable=True,
                              menu=self.speed_menu)
            self.speed_group.addAction(act)
            self.speed_actions[s] = act
        self.check_speed(1.0)
        self.speed_menu.addSeparator()
        self.slower = self.action("Slower", lambda: win.nudge_speed(-1), "-", menu=self.speed_menu)
        self.faster = self.action("Faster", lambda: win.nudge_speed(+1), "=", menu=self.speed_menu)
        self.faster.setShortcuts([QKeySequence("="), QKeySequence("+")])   # + with or without Shift
        self.loop = self.action("Loop", lambda on: None, "L", checkable=True, menu=play_menu)
        play_menu.addSeparator()
        self.fast = self.action("As Fast as Possible (no pacing)", win.set_fast, checkable=True, menu=play_menu)
        self.drop_late = self.action("Drop Frames to Keep Real Time", win.set_drop_late, checkable=True,
                                     menu=play_menu, tip="Results then depend on the computer's speed")
        self.file_only = [self.play, self.back, self.forward, self.prev_frame, self.next_frame, self.restart,
                          self.slower, self.faster, self.fast, self.drop_late, *self.speed_actions.values()]

        self.model_menu = mb.addMenu("&Model")
        self.model_menu.aboutToShow.connect(self.fill_models)
        self.model_group = QActionGroup(win)
        self.model_group.setExclusive(True)
        self.open_model = self.action("Open Model File…", win.open_model_dialog, "Ctrl+Shift+O")
        self.about_model = self.action("About This Model…", win.show_about_model, "Ctrl+I")
        self.fill_models()

        view_menu = self.view_menu = mb.addMenu("&View")
        self.mirror = self.action("Mirror Camera (selfie view)", win.set_mirror, "M", checkable=True,
                                  menu=view_menu, tip="Cameras only: video files are always shown as recorded")
        self.overlay = self.action("Skeleton Overlay", win.set_overlay, "O", checkable=True, menu=view_menu)
        view_menu.addSeparator()
        self.action("Raise Threshold", lambda: win.nudge_threshold(+0.05), "]", menu=view_menu)
        self.action("Lower Threshold", lambda: win.nudge_threshold(-0.05), "[", menu=view_menu)
        self.action("Use the Model's Threshold", win.reset_threshold, menu=view_menu)
        self.action("Clear History", win.clear_history, "Ctrl+L", menu=view_menu)
        self.action("Search the Signs It Knows", win.focus_vocabulary, "Ctrl+F", menu=view_menu)
        view_menu.addSeparator()
        self.fullscreen = self.action("Full Screen", win.toggle_fullscreen, "F11", menu=view_menu)
        self.leave_fullscreen = self.action("Leave Full Screen", win.leave_fullscreen, "Esc")  # no menu entry

        help_menu = self.help_menu = mb.addMenu("&Help")
        self.shortcuts = self.action("Keyboard Shortcuts", win.show_shortcuts, "F1", menu=help_menu)
        self.action("Getting Started", win.show_hint, menu=help_menu)
        help_menu.addSeparator()
        help_menu.addAction(self.about_model)
        self.action("About SLR Desktop", win.show_about_app, menu=help_menu)

    def action(self, text: str, slot, shortcut=None, checkable: bool = False, menu=None, tip: str = "") -> QAction:
        act = QAction(text, self.win)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        if checkable:
            act.toggled.connect(slot)
        else:
            act.triggered.connect(lambda _=False: slot())
        if menu is not None:
            menu.addAction(act)
            menu.setToolTipsVisible(True)
        self.win.addAction(act)  # shortcuts work in full screen (menu bar hidden) too
        return act

    # -- states ----------------------------------------------------------------------------
    def set_playback_enabled(self, on: bool) -> None:
        """Playback items act on a video file: disabled for a camera or with nothing open."""
        for act in self.file_only:
            act.setEnabled(on)
        self.speed_menu.setEnabled(on)

    def update_file_items(self) -> None:
        has = bool(self.win.presenter.entries)
        self.copy.setEnabled(has)
        self.export.setEnabled(bool(self.win.presenter.segments))
        self.recent_menu.setEnabled(bool(self.win.settings.recent_files))

    def check_speed(self, speed: float) -> None:
        act = self.speed_actions.get(speed)
        if act is not None and not act.isChecked():
            act.blockSignals(True)
            act.setChecked(True)
            act.blockSignals(False)

    def shortcut_table(self) -> list[tuple[str, str, str]]:
        """(menu, action, shortcut) for every action that has a shortcut, in menu order."""
        rows, seen = [], set()
        for menu in (self.file_menu, self.play_menu, self.speed_menu, self.model_menu, self.view_menu,
                     self.help_menu):
            title = menu.title().replace("&", "")
            for act in menu.actions():
                key = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if key and id(act) not in seen:
                    seen.add(id(act))
                    rows.append((title, act.text().replace("&", ""), key))
        rows.insert(rows.index(next(r for r in rows if r[1] == "Full Screen")) + 1,
                    ("View", "Leave Full Screen", self.leave_fullscreen.shortcut().toString()))
        return rows

    # -- menus filled when they open ---------------------------------------------------------
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
        self.about_model.setEnabled(win.classifier is not None)

    def fill_recent(self) -> None:
        win, menu = self.win, self.recent_menu
        menu.clear()
        for i, path in enumerate(win.settings.recent_files, 1):
            p = Path(path)
            act = menu.addAction(f"&{i} {p.name}" if i < 10 else p.name)
            act.setToolTip(str(p))
            act.setData(str(p))
            act.setEnabled(p.is_file())
            act.triggered.connect(lambda _=False, path=path: win.open_video(path))
        menu.setToolTipsVisible(True)
        if win.settings.recent_files:
            menu.addSeparator()
            menu.addAction("Clear Menu").triggered.connect(win.clear_recent)
        else:
            menu.addAction("No recent videos").setEnabled(False)

    def fill_cameras(self) -> None:
        """The cameras that exist; the one in use is ticked only while it delivers frames."""
        from ..core.cameras import find_cameras

        win, menu = self.win, self.camera_menu
        menu.clear()
        try:
            found = find_cameras()
        except Exception:
            found = []
        current = win.live_camera_index()
        group = QActionGroup(menu)
        for cam in found:
            act = menu.addAction(cam.title)
            act.setCheckable(True)
            act.setChecked(cam.index == current)
            group.addAction(act)
            act.triggered.connect(lambda _=False, idx=cam.index: win.open_camera(idx))
        if not found:
            menu.addAction("No camera found").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Try the Camera Again").triggered.connect(win.retry_camera)


__all__ = ["Menus", "SPEEDS", "speed_text"]
