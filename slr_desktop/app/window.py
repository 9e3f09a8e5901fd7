"""The main window: a thin Qt shell over `LiveSession`.

Worker threads call `SessionCallbacks` that only emit `_Bridge` signals; every widget update
happens in the slots below, on the main thread. Results are frozen dataclasses stamped with a
generation: after a seek or a source change the older ones are dropped unseen. Bursts of results
are coalesced into one repaint (`_on_result` stores, `_render` draws the newest).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFrame, QHBoxLayout, QLabel,
                               QMainWindow, QSlider, QTextBrowser, QVBoxLayout, QWidget)

from ..core.runtime import Classifier, ModelError
from . import errors, theme
from .pipeline import PipelineResult, PredictionSmoother, SignDecider, SignState
from .settings import AppSettings, SettingsStore
from .widgets import PredictionTrack, SignPanel, Timeline, TopBars, VideoView, _heading
from .workers import LiveSession, SessionCallbacks, SourceSpec, camera_spec, file_spec

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v *.mpg *.mpeg *.wmv);;All files (*)"


def default_tracker_factory():
    from ..core.tracker import Tracker, TrackerConfig

    return Tracker(TrackerConfig())


class _Bridge(QObject):
    """Signals emitted from worker threads; Qt queues them to the window's (main) thread."""

    result = Signal(object)
    event = Signal(str, str)
    position = Signal(int, bool)
    opened = Signal(object)

    def callbacks(self) -> SessionCallbacks:
        return SessionCallbacks(result=self.result.emit, event=self.event.emit,
                                position=self.position.emit, opened=self.opened.emit)


class MainWindow(QMainWindow):
    """SLR Desktop's window. `start()` loads a model and opens a source; closing stops everything."""

    error_shown = Signal(str, str)        # title, text: every user-facing error goes through here
    prediction = Signal(object)           # SignState after each classified frame
    model_changed = Signal(object)        # the new Classifier

    def __init__(self, store: SettingsStore | None = None, tracker_factory=default_tracker_factory,
                 settings: AppSettings | None = None, fast: bool = False) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or (store.load() if store is not None else AppSettings())
        self.setWindowTitle("SLR Desktop")
        self.resize(1180, 720)
        self.setMinimumSize(860, 560)

        self.bridge = _Bridge(self)
        self.session = LiveSession(self.bridge.callbacks(), tracker_factory=tracker_factory,
                                   classify_every=self.settings.classify_every, fast=fast)
        self.classifier: Classifier | None = None
        self.smoother = PredictionSmoother(alpha=0.5)
        self.decider = SignDecider()
        self.sign_state = SignState(None, 0.0, (), False)
        self.spec: SourceSpec | None = None
        self.errors: list[tuple[str, str]] = []
        self.last_result: PipelineResult | None = None
        self._pending: PipelineResult | None = None
        self._render_scheduled = False
        self.results_seen = 0
        self.stale_dropped = 0
        self.predictions_seen = 0
        self.latency_ms = 0.0
        self._track_ms_sum = self._classify_ms_sum = 0.0
        self._classified = 0
        self.shutdown_s: float | None = None
        self.about_dialog: QDialog | None = None
        self._playing = False
        self._closed = False
        self.camera_backoff = (0.5, 8.0)   # seconds: first retry, cap (tests shorten it)

        self._build_ui()
        self._build_menus()
        self.bridge.result.connect(self._on_result)
        self.bridge.event.connect(self._on_event)
        self.bridge.position.connect(self._on_position)
        self.bridge.opened.connect(self._on_opened)

        self.status_timer = QTimer(self)
        self.status_timer.setInterval(250)
        self.status_timer.timeout.connect(self._update_status)
        self.status_timer.start()

        if self.settings.geometry:
            self.restoreGeometry(self.settings.geometry)
        self.view.set_overlay_visible(self.settings.overlay)
        self.overlay_action.setChecked(self.settings.overlay)
        self.mirror_action.setChecked(self.settings.mirror)
        self._sync_threshold_widgets()

    # ------------------------------------------------------------------------------- layout
    def _build_ui(self) -> None:
        central = QWidget()
        root = QHBoxLayout(central)
        root.setContentsMargins(8, 8, 8, 4)
        root.setSpacing(8)

        left = QVBoxLayout()
        left.setSpacing(4)
        self.view = VideoView()
        self.view.open_video_requested.connect(self.open_video_dialog)
        self.view.retry_camera_requested.connect(lambda: self.open_camera(self.settings.camera_index))
        self.view.show_placeholder("Starting…", offer_camera=False)
        left.addWidget(self.view, 1)
        self.timeline = Timeline()
        self.timeline.play_toggled.connect(self.toggle_play)
        self.timeline.seek_requested.connect(self.seek)
        self.track = PredictionTrack()
        self.track.seek_requested.connect(self.seek)
        left.addWidget(self.timeline)
        left.addWidget(self.track)
        self.timeline.hide()
        self.track.hide()
        root.addLayout(left, 1)

        side = QVBoxLayout()
        side.setSpacing(8)
        self.sign_panel = SignPanel()
        side.addWidget(self.sign_panel)

        bars_frame = QFrame()
        bars_frame.setObjectName("panel")
        bl = QVBoxLayout(bars_frame)
        bl.setContentsMargins(14, 10, 14, 10)
        bl.addWidget(_heading("Top 5"))
        self.bars = TopBars(5)
        bl.addWidget(self.bars)
        th_row = QHBoxLayout()
        self.threshold_label = QLabel()
        self.threshold_label.setStyleSheet(f"color: {theme.MUTED};")
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(0, 100)
        self.threshold_slider.setToolTip("Confidence a sign needs to be shown ([ and ] to adjust)")
        self.threshold_slider.valueChanged.connect(lambda v: self.set_threshold(v / 100.0, save=True))
        th_row.addWidget(self.threshold_label)
        th_row.addWidget(self.threshold_slider, 1)
        bl.addLayout(th_row)
        side.addWidget(bars_frame)

        model_frame = QFrame()
        model_frame.setObjectName("panel")
        ml = QVBoxLayout(model_frame)
        ml.setContentsMargins(14, 10, 14, 10)
        ml.addWidget(_heading("Model"))
        self.model_label = QLabel("no model loaded")
        self.model_label.setWordWrap(True)
        self.model_label.setTextFormat(Qt.TextFormat.RichText)
        ml.addWidget(self.model_label)
        side.addWidget(model_frame)
        side.addStretch(1)

        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(330)
        root.addWidget(side_widget)
        self.setCentralWidget(central)

        sb = self.statusBar()
        sb.setSizeGripEnabled(False)
        self.status_labels: dict[str, QLabel] = {}
        for key in ("source", "capture", "landmarks", "classifier", "dropped", "latency"):
            label = QLabel("")
            self.status_labels[key] = label
            sb.addPermanentWidget(label)

    def _action(self, text: str, slot, shortcut=None, checkable: bool = False, menu=None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        if checkable:
            act.toggled.connect(slot)
        else:
            act.triggered.connect(lambda _=False: slot())
        if menu is not None:
            menu.addAction(act)
        self.addAction(act)  # shortcuts work in full screen (menu bar hidden) too
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu("&File")
        self._action("Open Video…", self.open_video_dialog, QKeySequence.StandardKey.Open, menu=file_menu)
        self.camera_menu = file_menu.addMenu("Camera")
        self.camera_menu.aboutToShow.connect(self._fill_camera_menu)
        file_menu.addSeparator()
        self._action("Quit", self.close, "Ctrl+Q", menu=file_menu)

        play_menu = mb.addMenu("&Playback")
        self.play_action = self._action("Play / Pause", self.toggle_play, "Space", menu=play_menu)
        self._action("Back 1 s", lambda: self.step_seconds(-1.0), "Left", menu=play_menu)
        self._action("Forward 1 s", lambda: self.step_seconds(1.0), "Right", menu=play_menu)
        self._action("Restart", lambda: self.seek(0), "Home", menu=play_menu)
        self.loop_action = self._action("Loop", lambda on: None, "L", checkable=True, menu=play_menu)
        play_menu.addSeparator()
        self.fast_action = self._action("Track Every Frame (as fast as possible)", self.set_fast,
                                        checkable=True, menu=play_menu)

        self.model_menu = mb.addMenu("&Model")
        self.model_menu.aboutToShow.connect(self._fill_model_menu)
        self.model_group = QActionGroup(self)
        self.model_group.setExclusive(True)
        self._open_model_action = QAction("Open Model File…", self)
        self._open_model_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self._open_model_action.triggered.connect(lambda _=False: self.open_model_dialog())
        self.addAction(self._open_model_action)
        self._about_model_action = QAction("About This Model…", self)
        self._about_model_action.setShortcut(QKeySequence("F1"))
        self._about_model_action.triggered.connect(lambda _=False: self.show_about_model())
        self.addAction(self._about_model_action)
        self._fill_model_menu()

        view_menu = mb.addMenu("&View")
        self.mirror_action = self._action("Mirror Camera (selfie view)", self.set_mirror, "M",
                                          checkable=True, menu=view_menu)
        self.overlay_action = self._action("Skeleton Overlay", self.set_overlay, "O", checkable=True,
                                           menu=view_menu)
        view_menu.addSeparator()
        self._action("Raise Threshold", lambda: self.nudge_threshold(+0.05), "]", menu=view_menu)
        self._action("Lower Threshold", lambda: self.nudge_threshold(-0.05), "[", menu=view_menu)
        self._action("Use the Model's Threshold", self.reset_threshold, menu=view_menu)
        self._action("Clear History", self.clear_history, "Ctrl+L", menu=view_menu)
        view_menu.addSeparator()
        self._action("Full Screen", self.toggle_fullscreen, "F11", menu=view_menu)

    # ------------------------------------------------------------------------------- errors
    def show_error(self, title: str, text: str) -> None:
        """The one route for user-facing errors: recorded, signalled, shown non-modally."""
        self.errors.append((title, text))
        self.error_shown.emit(title, text)
        self.statusBar().showMessage(f"{title}: {text}", 8000)
        errors.show_error(self, title, text)

    # -------------------------------------------------------------------------------- start
    def start(self, source: str | int | SourceSpec | None = None, model: str | Path | None = None) -> None:
        """Load the model (explicit, last used, or the default) and open the source
        (explicit, or the last camera)."""
        self.load_initial_model(model)
        self.session.start()
        if source is None:
            self.open_camera(self.settings.camera_index)
        else:
            self.open_source(source)

    def load_initial_model(self, model: str | Path | None) -> None:
        from ..core.model_registry import default_model

        if model:
            self.load_model(model)
            return
        saved = self.settings.model_path
        if saved and Path(saved).is_file() and self.load_model(saved, report=False):
            return
        try:
            path = default_model()
        except ModelError as e:
            self.show_error("No model", str(e))
            return
        self.load_model(path)

    # ------------------------------------------------------------------------------- models
    def load_model(self, path: str | Path, report: bool = True) -> bool:
        """Load a model; on failure show why and keep the previous one."""
        try:
            clf = Classifier(path)
        except ModelError as e:
            if report:
                self.show_error("Cannot load model", str(e))
            return False
        except Exception as e:  # anything else a broken file can raise
            if report:
                self.show_error("Cannot load model", f"{Path(path).name}: {e}")
            return False
        self.classifier = clf
        self.session.set_classifier(clf)
        self.smoother.reset()
        self.decider = SignDecider(self.settings.threshold_for(clf.meta.threshold), clf.meta.idle_label)
        self.sign_state = SignState(None, 0.0, (), False)
        self.bars.reset()
        self.settings.model_path = str(Path(path).resolve())
        self._save_settings()
        self._sync_threshold_widgets()
        self.track.set_labels(clf.labels)
        self.sign_panel.set_state(None, 0.0, (), "waiting for the first window")
        m = clf.meta
        lic = m.license or "not stated"
        self.model_label.setText(
            f"<b>{_esc(m.name)}</b> · {len(m.labels)} signs · {m.seq_len} frames @ {m.fps:g} fps"
            f"<br><span style='color:{theme.MUTED}'>Licence: {_esc(lic)}</span>")
        self.model_label.setToolTip(str(clf.path))
        self._fill_model_menu()
        self.model_changed.emit(clf)
        self.statusBar().showMessage(f"Model {m.name} loaded ({clf.path.name})", 4000)
        return True

    def _fill_model_menu(self) -> None:
        from ..core.model_registry import find_models

        menu = self.model_menu
        menu.clear()
        for act in self.model_group.actions():
            self.model_group.removeAction(act)
        current = self.classifier.path.resolve() if self.classifier is not None else None
        try:
            models = find_models()
        except Exception:
            models = []
        if current is not None and current not in {p.resolve() for p in models}:
            models.append(self.classifier.path)
        for p in models:
            act = QAction(p.stem, self)
            act.setCheckable(True)
            act.setChecked(current is not None and p.resolve() == current)
            act.setToolTip(str(p))
            act.setData(str(p))
            act.triggered.connect(lambda _=False, path=p: self.load_model(path))
            self.model_group.addAction(act)
            menu.addAction(act)
        if not models:
            none = menu.addAction("No models found")
            none.setEnabled(False)
        menu.addSeparator()
        menu.addAction(self._open_model_action)
        menu.addAction(self._about_model_action)
        self._about_model_action.setEnabled(self.classifier is not None)

    def model_actions(self) -> list[QAction]:
        return list(self.model_group.actions())

    def open_model_dialog(self) -> None:
        from ..core.model_registry import user_models_dir

        start = str(self.classifier.path.parent) if self.classifier else str(user_models_dir())
        path, _ = QFileDialog.getOpenFileName(self, "Open model", start, "ONNX models (*.onnx);;All files (*)")
        if path:
            self.load_model(path)

    def model_card_markdown(self) -> str:
        """Metadata summary (always includes the licence) followed by the model card, if any."""
        if self.classifier is None:
            return "No model loaded."
        m = self.classifier.meta
        lines = [f"# {m.name}", "",
                 f"**Licence / terms of use:** {m.license or 'not stated'}", "",
                 f"**File:** `{self.classifier.path}`", "",
                 f"**Sign language:** {m.sign_language} · **window:** {m.seq_len} frames at {m.fps:g} fps"
                 f" · **suggested threshold:** {m.threshold:.2f}"
                 + (f" · **idle label:** {m.idle_label}" if m.idle_label else ""), ""]
        if m.dataset:
            lines += [f"**Data:** {m.dataset}", ""]
        if m.split:
            lines += [f"**Evaluation split:** {m.split}", ""]
        if m.metrics:
            lines += ["| metric | value |", "|---|---|"]
            for k, v in m.metrics.items():
                lines.append(f"| {k} | {v:.3f} |" if isinstance(v, (int, float)) else f"| {k} | {v} |")
            lines.append("")
        lines += [f"**Labels ({len(m.labels)}):** " + ", ".join(m.labels), ""]
        if m.notes:
            lines += [f"**Notes:** {m.notes}", ""]
        card = self.classifier.path.with_suffix(".md")
        if card.is_file():
            try:
                lines += ["---", "", card.read_text(encoding="utf-8")]
            except OSError:
                pass
        return "\n".join(lines)

    def show_about_model(self) -> QDialog | None:
        if self.classifier is None:
            self.show_error("About this model", "No model is loaded.")
            return None
        dlg = QDialog(self)
        dlg.setWindowTitle(f"About {self.classifier.meta.name}")
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.resize(640, 560)
        lay = QVBoxLayout(dlg)
        browser = QTextBrowser()
        browser.setOpenExternalLinks(True)
        browser.setMarkdown(self.model_card_markdown())
        lay.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dlg.close)
        lay.addWidget(buttons)
        dlg.browser = browser
        dlg.show()  # non-modal
        self.about_dialog = dlg
        return dlg

    # ------------------------------------------------------------------------------ sources
    def open_source(self, source: str | int | Path | SourceSpec) -> bool:
        """A camera index (int or digit string), a video path, or a ready `SourceSpec`."""
        if isinstance(source, SourceSpec):
            return self._open_spec(source)
        if isinstance(source, int) or (isinstance(source, str) and source.strip().isdigit()):
            return self.open_camera(int(source))
        return self.open_video(source)

    def open_camera(self, index: int) -> bool:
        self.settings.camera_index = int(index)
        self._save_settings()
        self.view.show_placeholder(f"Opening camera {index}…", offer_camera=False)
        return self._open_spec(camera_spec(int(index)))

    def open_video(self, path: str | Path) -> bool:
        from ..core.video import VideoError

        try:
            spec = file_spec(path)
        except VideoError as e:
            self.show_error("Cannot open video", str(e))
            return False
        except Exception as e:
            self.show_error("Cannot open video", f"{Path(path).name}: {e}")
            return False
        return self._open_spec(spec)

    def _open_spec(self, spec: SourceSpec) -> bool:
        self.spec = spec
        self.view.set_banner(None)
        self.smoother.reset()
        self.decider.reset()
        is_file = not spec.is_camera
        self.timeline.setVisible(is_file)
        self.track.setVisible(is_file)
        if is_file:
            self.timeline.configure(spec.frame_count, spec.fps)
            self.track.configure(spec.frame_count, spec.fps, self.classifier.labels if self.classifier else [])
        self.view.set_mirrored(spec.is_camera and self.mirror_action.isChecked())
        self.status_labels["source"].setText(spec.label)
        self._playing = True
        self.timeline.set_playing(True)
        self.session.open(spec, playing=True, backoff=self.camera_backoff)
        return True

    def open_video_dialog(self) -> None:
        start = str(self.spec.path.parent) if self.spec is not None and self.spec.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open video", start, VIDEO_FILTER)
        if path:
            self.open_video(path)

    def _fill_camera_menu(self) -> None:
        from ..core.video import list_cameras

        menu = self.camera_menu
        menu.clear()
        try:
            found = list_cameras()
        except Exception:
            found = []
        current = self.spec.camera_index if self.spec is not None and self.spec.is_camera else None
        if current is not None and current not in found:
            found = sorted(set(found) | {current})  # in use by us, so the probe could not open it
        group = QActionGroup(menu)
        for i in found:
            act = menu.addAction(f"Camera {i}")
            act.setCheckable(True)
            act.setChecked(i == current)
            group.addAction(act)
            act.triggered.connect(lambda _=False, idx=i: self.open_camera(idx))
        if not found:
            act = menu.addAction("No camera found")
            act.setEnabled(False)

    # ----------------------------------------------------------------------------- playback
    @property
    def is_file(self) -> bool:
        return self.spec is not None and not self.spec.is_camera

    def toggle_play(self) -> None:
        if not self.is_file:
            return
        if self._playing:
            self.session.pause()
        else:
            self.session.play()
        self._playing = not self._playing
        self.timeline.set_playing(self._playing)

    def seek(self, index: int) -> None:
        if not self.is_file:
            return
        index = int(np.clip(index, 0, max(0, self.spec.frame_count - 1)))
        self.smoother.reset()
        self.decider.reset()
        self.session.seek(index)
        self.timeline.set_position(index)
        self.track.set_cursor(index)

    def step_seconds(self, seconds: float) -> None:
        if self.is_file:
            current = self.timeline.slider.value()
            self.seek(current + int(round(seconds * self.spec.fps)))

    def set_fast(self, on: bool) -> None:
        self.session.fast = bool(on)
        if self.session.capture is not None:
            self.session.capture.fast = bool(on)

    # -------------------------------------------------------------------------- view options
    def set_mirror(self, on: bool) -> None:
        self.settings.mirror = bool(on)
        self.view.set_mirrored(bool(on) and (self.spec is None or self.spec.is_camera))
        self._save_settings()

    def set_overlay(self, on: bool) -> None:
        self.settings.overlay = bool(on)
        self.view.set_overlay_visible(on)
        if self.last_result is not None:
            r = self.last_result
            self.view.set_landmarks(r.landmarks, r.bgr.shape[1], r.bgr.shape[0])
        self._save_settings()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    @property
    def threshold(self) -> float:
        return self.decider.threshold

    def set_threshold(self, value: float, save: bool = True) -> None:
        value = float(np.clip(value, 0.0, 1.0))
        self.decider.threshold = value
        if save:
            self.settings.threshold = value
            self._save_settings()
        self._sync_threshold_widgets()

    def nudge_threshold(self, delta: float) -> None:
        self.set_threshold(round(self.threshold + delta, 2))

    def reset_threshold(self) -> None:
        self.settings.threshold = -1.0
        if self.classifier is not None:
            self.set_threshold(self.classifier.meta.threshold, save=False)
        self._save_settings()

    def _sync_threshold_widgets(self) -> None:
        t = self.decider.threshold
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(int(round(t * 100)))
        self.threshold_slider.blockSignals(False)
        self.threshold_label.setText(f"Threshold {t * 100:.0f}%")
        self.bars.set_threshold(t)
        self.track.set_threshold(t)

    def clear_history(self) -> None:
        self.decider.clear_history()
        self.sign_state = SignState(self.sign_state.current, self.sign_state.prob, (), False)
        self.sign_panel.set_state(self.sign_state.current, self.sign_state.prob, (),
                                  self.sign_panel.detail.text())

    # -------------------------------------------------------------------- slots from threads
    def _on_result(self, r: PipelineResult) -> None:
        if r.generation < self.session.generation:
            self.stale_dropped += 1
            return
        self.results_seen += 1
        lat = (time.perf_counter() - r.captured_at) * 1000.0
        self.latency_ms = lat if self.latency_ms == 0 else 0.8 * self.latency_ms + 0.2 * lat
        self._track_ms_sum += r.track_ms
        if r.probs is not None:
            self._classify_ms_sum += r.classify_ms
            self._classified += 1
        clf = self.classifier
        if r.probs is not None and clf is not None and tuple(clf.labels) == r.labels:
            smoothed = self.smoother.update(r.probs)
            self.sign_state = self.decider.update(clf.labels, smoothed)
            self.predictions_seen += 1
            if r.position is not None:
                self.track.add(r.position, int(np.argmax(smoothed)), float(smoothed.max()))
            self.prediction.emit(self.sign_state)
        self._pending = r
        if not self._render_scheduled:
            self._render_scheduled = True
            QTimer.singleShot(0, self._render)

    def _render(self) -> None:
        self._render_scheduled = False
        r, self._pending = self._pending, None
        if r is None or self._closed:
            return
        self.last_result = r
        self.view.set_frame(r.bgr, r.landmarks)
        if r.position is not None:
            self.timeline.set_position(r.position)
            self.track.set_cursor(r.position)
        clf = self.classifier
        if clf is not None and self.smoother.value is not None:
            probs = self.smoother.value
            order = np.argsort(-probs)[:5]
            st = self.sign_state
            self.bars.set_top([clf.labels[i] for i in order], probs[order], passed=st.current is not None)
            warm = "" if r.coverage >= 0.999 else f" · window {r.coverage * 100:.0f}% filled"
            detail = (f"{st.prob * 100:.0f}% confident{warm}" if st.current
                      else f"below threshold ({st.prob * 100:.0f}%){warm}")
            self.sign_panel.set_state(st.current, st.prob, st.history, detail)

    def _on_event(self, kind: str, msg: str) -> None:
        if kind == "no-camera":
            self.view.show_placeholder(f"No camera available\n{msg}\n\nOpen a video file instead, "
                                       "or connect a camera and try again.")
            self.status_labels["source"].setText("no camera")
            self.statusBar().showMessage(msg, 8000)
        elif kind == "open-failed":
            self.show_error("Cannot open video", msg)
            self.view.show_placeholder(f"Cannot open the video\n{msg}", offer_camera=True)
        elif kind == "camera-lost":
            self.view.set_banner(msg)
            self.statusBar().showMessage(msg, 5000)
        elif kind == "camera-ok":
            self.view.set_banner(None)
            self.statusBar().showMessage(msg, 3000)
        elif kind == "ended":
            self._playing = False
            self.timeline.set_playing(False)
            self.statusBar().showMessage(msg, 3000)
            if self.loop_action.isChecked() and self.is_file:
                self.smoother.reset()
                self.decider.reset()
                self.toggle_play()  # play at the end starts over
        elif kind == "bundle":
            self.view.set_banner("No landmarks: a MediaPipe model bundle is missing (see the message)")
            self.show_error("MediaPipe model bundle missing", msg)
        elif kind == "tracker":
            self.view.set_banner("No landmarks: the tracker could not start")
            self.show_error("Landmark tracker failed", msg)
        else:  # "pipeline" and anything new: not worth a dialog per frame
            self.statusBar().showMessage(f"{kind}: {msg}", 5000)

    def _on_position(self, pos: int, playing: bool) -> None:
        if not playing:
            self._playing = False
            self.timeline.set_playing(False)
            self.timeline.set_position(pos)

    def _on_opened(self, spec: SourceSpec) -> None:
        if spec is self.spec:
            text = "Waiting for the first frame…"
            if self.view.frames_shown == 0:
                self.view.show_placeholder(text, offer_camera=False)

    def _update_status(self) -> None:
        s = self.session
        lab = self.status_labels
        lab["capture"].setText(f"capture {s.capture_meter.rate:4.1f} fps")
        lab["landmarks"].setText(f"landmarks {s.landmark_meter.rate:4.1f} fps")
        lab["classifier"].setText(f"classifier {s.classify_meter.rate:4.1f} fps")
        lab["dropped"].setText(f"dropped {s.dropped}")
        lab["latency"].setText(f"latency {self.latency_ms:3.0f} ms")
        self.track.refresh()

    def stats(self) -> dict:
        """Per-stage rates (last second) and mean stage times since start, for the status/CLI."""
        s = self.session
        n = max(1, self.results_seen)
        return {
            "capture_fps": s.capture_meter.rate, "landmarks_fps": s.landmark_meter.rate,
            "classifier_fps": s.classify_meter.rate, "frames_captured": s.capture_meter.count,
            "frames_tracked": s.landmark_meter.count, "dropped": s.dropped,
            "track_ms": self._track_ms_sum / n,
            "classify_ms": self._classify_ms_sum / max(1, self._classified),
            "latency_ms": self.latency_ms,
        }

    # ------------------------------------------------------------------------------ closing
    def _save_settings(self) -> None:
        if self.store is not None:
            try:
                self.store.save(self.settings)
            except Exception:
                pass

    def closeEvent(self, event) -> None:
        if not self._closed:
            self._closed = True
            self.status_timer.stop()
            self.settings.geometry = bytes(self.saveGeometry().data())
            self._save_settings()
            self.shutdown_s = self.session.stop(timeout=1.0)
            if self.about_dialog is not None:
                try:
                    self.about_dialog.close()
                except RuntimeError:  # already deleted
                    pass
        super().closeEvent(event)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
