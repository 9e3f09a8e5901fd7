"""Model → Teach Signs…: record takes of your own signs, train a personal model, use it.

A thin Qt shell: the project on disk is `core.recording.Project`, one take's countdown and
automatic stop are `core.take_recorder.TakeRecorder`, training is `slr-train teach` in a child
process (`teach_train.TeachProcess`). The window records from whatever the main window shows (a
camera or a video file): it subscribes to the main window's results (`bridge.result`, one
`PipelineResult` with its `LandmarkFrame` per tracked frame) instead of running a second tracker.
Every user action is a method here (the buttons call them, tests too) and every problem is a
line in the window, never a traceback.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..core.errors import UserError, one_line
from ..core.recording import NOTHING, Project, Take, check_name, projects_dir
from ..core.take_recorder import Phase, RecorderConfig, TakeRecorder
from .teach_train_panel import DEFAULT_PROJECT, TrainPanel
from .teach_widgets import TEACH_STYLE, RecordPanel, SignList, SkeletonReplay, TakeList, label, panel, sign_text

LAST_PROJECT = ".last"


def open_teach_window(win) -> "TeachWindow":
    """Show the main window's Teach window (one per main window), creating it on first use."""
    tw = getattr(win, "teach_window", None)
    if tw is None:
        tw = TeachWindow(win)
        win.teach_window = tw
    tw.show()
    tw.raise_()
    tw.activateWindow()
    return tw


class TeachWindow(QWidget):
    def __init__(self, win, parent_dir: Path | None = None) -> None:
        super().__init__(win, Qt.WindowType.Window)
        self.win = win
        self.parent_dir = Path(parent_dir) if parent_dir is not None else projects_dir()
        self.setWindowTitle("Teach Signs — SLR Desktop")
        self.setStyleSheet(TEACH_STYLE)
        self.resize(1100, 720)
        self.project: Project | None = None
        self.recorder = TakeRecorder()
        self.record_sign: str | None = None
        self.replace_take: Take | None = None
        self.replay = SkeletonReplay(self)
        self.replay.frame.connect(lambda canvas, lm: self.view.set_frame(canvas, lm))
        self.replay.done.connect(lambda: self._hint("Replay finished"))
        self.last_result_at = 0.0
        self._pending = None
        self._build()
        win.bridge.result.connect(self._on_result)
        self.watchdog = QTimer(self)
        self.watchdog.setInterval(500)
        self.watchdog.timeout.connect(self._check_frames)
        self.watchdog.start()
        self._fill_projects()
        self._open_initial_project()

    # ------------------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 10, 10, 10)
        top = QHBoxLayout()
        top.addWidget(label("Project:", "teachHint", wrap=False))
        self.project_box = QComboBox()
        self.project_box.setMinimumWidth(200)
        self.project_box.activated.connect(lambda _i: self.open_project(self.project_box.currentText()))
        top.addWidget(self.project_box)
        new_btn = QPushButton("New Project…")
        new_btn.clicked.connect(self._ask_new_project)
        top.addWidget(new_btn)
        self.path_label = label("", "teachHint", wrap=False)
        top.addWidget(self.path_label, 1)
        root.addLayout(top)

        body = QHBoxLayout()
        left, ll = panel("Signs")
        left.setFixedWidth(340)
        self.signs = SignList()
        self.signs.currentItemChanged.connect(lambda *_: self._show_takes())
        ll.addWidget(self.signs, 3)
        add_row = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("new sign, e.g. hello")
        self.name_edit.returnPressed.connect(lambda: self.add_sign(self.name_edit.text(), typed=True))
        add_row.addWidget(self.name_edit, 1)
        add_btn = QPushButton("Add Sign")
        add_btn.clicked.connect(lambda: self.add_sign(self.name_edit.text(), typed=True))
        add_row.addWidget(add_btn)
        ll.addLayout(add_row)
        self.error_label = label("", "teachError")
        self.error_label.hide()
        ll.addWidget(self.error_label)
        row = QHBoxLayout()
        for text, slot in (("Rename…", self._ask_rename), ("Remove", lambda: self.remove_sign(self.signs.current())),
                           ("+ No Sign", lambda: self.add_sign(NOTHING))):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        ll.addLayout(row)
        self.takes_heading = label("Takes", "heading", wrap=False)
        ll.addWidget(self.takes_heading)
        self.takes = TakeList()
        ll.addWidget(self.takes, 2)
        row = QHBoxLayout()
        for text, slot in (("Replay", self.replay_take), ("Re-record", self.rerecord_take),
                           ("Delete", self.delete_take)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            row.addWidget(b)
        ll.addLayout(row)
        body.addWidget(left)

        right = RecordPanel()
        self.state_label, self.view, self.record_button = right.state_label, right.view, right.record_button
        self.countdown_spin, self.length_spin = right.countdown_spin, right.length_spin
        self.drop_check = right.drop_check
        self.hands_label, self.hint_label = right.hands_label, right.hint_label
        right.record_button.clicked.connect(lambda: self.record())
        right.cancel_button.clicked.connect(self.cancel_take)
        body.addWidget(right, 1)
        root.addLayout(body, 1)

        self.train_panel = TrainPanel(self.win, self)
        self.train_panel.train_button.clicked.connect(lambda: self.train())
        root.addWidget(self.train_panel)

        for keys, slot in (("R", self.record), ("Escape", self.cancel_take), ("Delete", self.delete_take)):
            sc = QShortcut(QKeySequence(keys), self)
            sc.activated.connect(lambda s=slot: s())

    # ---------------------------------------------------------------------------- messages
    def _error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _hint(self, text: str) -> None:
        self.hint_label.setText(text)

    # ---------------------------------------------------------------------------- projects
    def _fill_projects(self) -> None:
        self.project_box.clear()
        self.project_box.addItems(Project.list(self.parent_dir))
        if self.project is not None:
            self.project_box.setCurrentText(self.project.name)

    def _open_initial_project(self) -> None:
        names = Project.list(self.parent_dir)
        last = ""
        try:
            last = (self.parent_dir / LAST_PROJECT).read_text(encoding="utf-8").strip()
        except OSError:
            pass
        if last in names:
            self.open_project(last)
        elif names:
            self.open_project(names[0])
        else:
            self.new_project(DEFAULT_PROJECT)

    def new_project(self, name: str) -> bool:
        try:
            proj = Project.create(name, self.parent_dir)
        except (UserError, OSError) as e:
            self._error(one_line(e))
            return False
        self._set_project(proj)
        return True

    def open_project(self, name: str) -> bool:
        try:
            proj = Project.open(self.parent_dir / name)
        except (UserError, OSError) as e:
            self._error(one_line(e))
            return False
        self._set_project(proj)
        return True

    def _set_project(self, proj: Project) -> None:
        self.project = proj
        self._error("")
        try:
            (self.parent_dir / LAST_PROJECT).write_text(proj.name, encoding="utf-8")
        except OSError:
            pass
        self._fill_projects()
        home = str(Path.home())
        shown = str(proj.root)
        self.path_label.setText("~" + shown[len(home):] if shown.startswith(home + "/") else shown)
        if proj.read_only:
            self._error(f"{proj.root} is read-only: takes can be replayed and trained from, not added")
        elif proj.damaged:    # left on disk for the user to inspect; training leaves them out
            self._error(f"{len(proj.damaged)} damaged take file(s) ignored, e.g. "
                        f"{proj.damaged[0].relative_to(proj.root).as_posix()}")
        self.signs.show_project(proj)
        if self.signs.currentItem() is None and self.signs.count():
            self.signs.setCurrentRow(0)

    def _ask_new_project(self) -> None:
        name, ok = QInputDialog.getText(self, "New project", "Project name (letters, digits, - or _):")
        if ok:
            self.new_project(name)

    # ------------------------------------------------------------------------------- signs
    def add_sign(self, name: str, typed: bool = False) -> bool:
        if self.project is None:
            return False
        try:
            if typed:              # a typed '-' is refused ('no sign' has its own button)
                check_name(name)
            name = self.project.add_sign(name)
        except (UserError, OSError) as e:
            self._error(one_line(e))
            return False
        self._error("")
        self.name_edit.clear()
        self.signs.show_project(self.project, select=name)
        self._hint(f"Added {sign_text(name)!r}: press Record (R) and sign it after the countdown.")
        return True

    def rename_sign(self, old: str | None, new: str) -> bool:
        if self.project is None or old is None:
            return False
        try:
            new = self.project.rename_sign(old, new)
        except (UserError, OSError) as e:
            self._error(one_line(e))
            return False
        self._error("")
        self.signs.show_project(self.project, select=new)
        return True

    def _ask_rename(self) -> None:
        old = self.signs.current()
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "Rename sign", f"New name for {old!r}:", text=old)
        if ok:
            self.rename_sign(old, new)

    def remove_sign(self, sign: str | None) -> bool:
        if self.project is None or sign is None:
            return False
        try:
            self.project.remove_sign(sign)
        except (UserError, OSError) as e:
            self._error(one_line(e))
            return False
        self._error("")
        self.signs.show_project(self.project)
        self._hint(f"Removed {sign_text(sign)!r} and its takes.")
        return True

    def _show_takes(self, select: int | None = None) -> None:
        sign = self.signs.current()
        takes = self.project.takes(sign) if self.project is not None and sign is not None else []
        self.takes_heading.setText(f"TAKES OF {sign_text(sign).upper()}" if sign else "TAKES")
        self.takes.show_takes(takes, select)

    # ------------------------------------------------------------------------------- takes
    def record(self, sign: str | None = None, replace: Take | None = None) -> bool:
        """Start a take of `sign` (default: the selected sign), replacing `replace` if given."""
        if self.recorder.busy or self.train_panel.running:
            return False
        sign = sign or self.signs.current()
        if self.project is None or sign is None:
            self._error("Add or select a sign first")
            return False
        self._error("")
        self.replay.stop()
        self.record_sign, self.replace_take = sign, replace
        nothing = sign == NOTHING     # "no sign": a fixed length, kept whole, no hands needed
        self.recorder.config = RecorderConfig(countdown_s=self.countdown_spin.value(), max_s=self.length_spin.value(),
                                              stop_on_hands_drop=self.drop_check.isChecked() and not nothing,
                                              trim=not nothing)
        spec = getattr(self.win, "spec", None)
        self._show_state(self.recorder.start(source=spec.label if spec is not None else ""))
        self.record_button.setEnabled(False)
        return True

    def rerecord_take(self) -> bool:
        take = self.takes.current()
        return take is not None and self.record(take.sign, replace=take)

    def cancel_take(self) -> None:
        if self.recorder.busy:
            self._show_state(self.recorder.cancel())
            self.record_button.setEnabled(True)
        self.replay.stop()

    def delete_take(self) -> bool:
        take = self.takes.current()
        if self.project is None or take is None or self.recorder.busy:
            return False
        try:
            self.project.delete_take(take)
        except OSError as e:
            self._error(f"Could not delete the take: {one_line(e)}")
            return False
        self.signs.show_project(self.project)
        self._hint(f"Deleted take {take.number} of {sign_text(take.sign)!r}.")
        return True

    def replay_take(self) -> bool:
        take = self.takes.current()
        if self.project is None or take is None or self.recorder.busy:
            return False
        self.replay.play(self.project.load_take(take))
        self._hint(f"Replaying take {take.number} of {sign_text(take.sign)!r} (skeleton only).")
        return True

    def _save_take(self) -> None:
        seq, sign, replace = self.recorder.result, self.record_sign, self.replace_take
        self.record_button.setEnabled(True)
        if seq is None or self.project is None or sign is None:
            return
        try:
            take = self.project.save_take(sign, seq, replace=replace)
        except (UserError, OSError) as e:
            self._error(f"Could not save the take: {one_line(e)}")
            return
        self.signs.show_project(self.project, select=sign)
        self._show_takes(select=take.number)
        n = len(self.project.takes(sign))
        self._hint(f"{self.recorder.state.message}. {sign_text(sign)!r} has {n} take{'s' if n != 1 else ''}."
                   + (" ⚠ No hands in this take: it will not be used for training." if take.flagged else ""))

    def _show_state(self, st) -> None:
        if st.phase == Phase.COUNTDOWN:
            text = f"{max(1, int(st.countdown_left_s + 0.999))}"
        elif st.phase == Phase.RECORDING:
            text = f"● Sign {sign_text(self.record_sign or '')!r} now  {st.elapsed_s:.1f} s"
        else:
            text = st.message
        self.state_label.setText(text)

    # ---------------------------------------------------------------------- frames (main thread)
    def _on_result(self, r) -> None:
        session = getattr(self.win, "session", None)
        if session is not None and r.generation < session.generation:
            return
        if r.bgr.size == 0:
            return
        self.last_result_at = time.perf_counter()
        lm = r.landmarks
        if self.recorder.busy and lm is not None:
            st = self.recorder.feed(lm)
            self._show_state(st)
            if st.phase == Phase.DONE:
                self._save_take()
        self._pending = r
        if self.isVisible() and not self.replay.playing:
            QTimer.singleShot(0, self._draw)

    def _draw(self) -> None:
        r, self._pending = self._pending, None
        if r is None or self.replay.playing:
            return
        self.view.set_frame(r.bgr, r.landmarks)
        lm = r.landmarks
        if lm is None:
            self.hands_label.setText("no landmarks (tracker not running)")
        else:
            n = int(lm.present[1]) + int(lm.present[2])
            self.hands_label.setText(f"● {n} hand{'s' if n != 1 else ''} in view" if n else "○ no hands in view")

    def _check_frames(self) -> None:
        if self.recorder.busy and time.perf_counter() - self.last_result_at > 1.0:
            self.state_label.setText("Waiting for video… (is the main window playing?)")

    # ------------------------------------------------------------------------------ training
    def train(self) -> bool:
        if self.project is None or self.recorder.busy:
            return False
        return self.train_panel.train(self.project)

    def cancel_train(self) -> None:
        self.train_panel.cancel()

    def closeEvent(self, event) -> None:
        if self.recorder.busy:
            self.recorder.cancel()
        self.replay.stop()
        super().closeEvent(event)


__all__ = ["TeachWindow", "open_teach_window"]
