"""The main window: a thin Qt shell over `LiveSession` (threads) and `Presenter` (decisions).

Worker threads call `SessionCallbacks` that only emit `_Bridge` signals; every widget update
happens in the slots below, on the main thread. Results are frozen dataclasses stamped with a
generation: after a seek or a source change the older ones are dropped unseen. A classified
result goes through the presenter, whose frozen `ViewState` the panels draw; bursts of results
are coalesced into one repaint (`_on_result` stores, `_render` draws the newest).
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QMainWindow, QVBoxLayout, QWidget

from ..core.runtime import Classifier
from . import dialogs
from .events import EventKind, SessionCallbacks
from .hint import FirstRunHint
from .live import PipelineResult
from .menus import Menus
from .presenter import Presenter, ViewState
from .session import LiveSession, default_tracker_factory
from .settings import AppSettings, SettingsStore
from .side_panel import SidePanel
from .sources import SourceSpec
from .status import StatusBar
from .timeline import PredictionTrack, Timeline
from .video_view import VideoView
from .window_files import FilesMixin
from .window_help import HelpMixin
from .window_models import ModelsMixin
from .window_sources import SourcesMixin


class _Bridge(QObject):
    """Signals emitted from worker threads; Qt queues them to the window's (main) thread."""

    result = Signal(object)
    event = Signal(object, str)
    position = Signal(int, bool)
    opened = Signal(object)

    def callbacks(self) -> SessionCallbacks:
        return SessionCallbacks(result=self.result.emit, event=self.event.emit,
                                position=self.position.emit, opened=self.opened.emit)


class MainWindow(ModelsMixin, SourcesMixin, FilesMixin, HelpMixin, QMainWindow):
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
        self.presenter = Presenter((), 0.5)
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
        self._ended = False                # a file played to its end (play starts a new pass)
        self._pass: tuple[int | None, int | None] = (None, None)   # (generation, last position)
        self._closed = False
        self.camera_backoff = (0.5, 8.0)   # seconds: first retry, cap (tests shorten it)
        self.camera_live = False           # the open camera has delivered a frame
        self.camera_attempts = 0           # "Try the camera again" presses (the view says so)
        self.speed = 1.0                   # file playback speed
        self.setAcceptDrops(True)          # drop a video (or a model) on the window

        self._build_ui()
        self.menus = Menus(self)
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
        self.menus.set_playback_enabled(False)    # nothing loaded yet
        self._sync_threshold_widgets()
        if not self.settings.hint_shown:
            self.show_hint()

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
        self.view.retry_camera_requested.connect(self.retry_camera)
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

        self.side = SidePanel()
        self.side.threshold_changed.connect(lambda v: self.set_threshold(v, save=True))
        self.side.about_model_requested.connect(self.show_about_model)
        self.side.sign_panel.copy_requested.connect(self.copy_history)
        self.side.sign_panel.clear_requested.connect(self.clear_history)
        # the side panel's parts, by the names the rest of the app (and its tests) use
        side = self.side
        self.sign_panel, self.bars, self.threshold_slider = side.sign_panel, side.bars, side.threshold_slider
        root.addWidget(self.side)
        self.setCentralWidget(central)
        self.hint = FirstRunHint(self.view)       # floats over the video, above its pages
        self.hint.dismissed.connect(self._hint_dismissed)

        self.status = StatusBar(self.statusBar())
        self.status_labels = self.status.labels

    # the menus' actions the window itself reads or toggles
    @property
    def loop_action(self):
        return self.menus.loop

    @property
    def mirror_action(self):
        return self.menus.mirror

    @property
    def overlay_action(self):
        return self.menus.overlay

    def model_actions(self):
        return self.menus.model_actions()

    def _fill_model_menu(self) -> None:
        self.menus.fill_models()

    # ------------------------------------------------------------------------------- errors
    def show_error(self, title: str, text: str) -> None:
        """The one route for user-facing errors: recorded, signalled, shown non-modally."""
        self.errors.append((title, text))
        self.error_shown.emit(title, text)
        self.status.message(f"{title}: {text}", 8000)
        dialogs.show_error(self, title, text)

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
        if self.spec is not None and self.spec.is_camera and r.bgr.size:
            self.camera_live = True
            self.camera_attempts = 0
        if r.position is not None and self.is_file:
            self._note_pass(r.generation, r.position)
        if r.decoder is not None and r.labels == self.presenter.labels:
            state = self.presenter.update(r.probs, r.decoder, r.timestamp_ms)
            if state.new_segments and self.is_file:
                self.track.set_segments(self.presenter.segments)
            if r.probs is not None:
                self.predictions_seen += 1
                if r.position is not None and state.track is not None:
                    self.track.add(r.position, *state.track)
                self.prediction.emit(state.sign)
        self._pending = r
        if not self._render_scheduled:
            self._render_scheduled = True
            QTimer.singleShot(0, self._render)

    def _note_pass(self, generation: int, position: int) -> None:
        """A file's position going back without a seek (a loop, or play at the end) starts a new
        pass: a fresh track and transcript (a seek bumps the generation and keeps them)."""
        gen, last = self._pass
        if gen == generation and last is not None and position < last:
            self.presenter.new_pass()
            self.track.clear()
        self._pass = (generation, position)

    def _render(self) -> None:
        self._render_scheduled = False
        r, self._pending = self._pending, None
        if r is None or self._closed:
            return
        if r.bgr.size:   # an end-of-file result has no frame to draw
            self.last_result = r
            self.view.set_frame(r.bgr, r.landmarks)
        if r.position is not None:
            self.timeline.set_position(r.position)
            self.track.set_cursor(r.position)
        if self.presenter.state.bars or r.decoder is not None:
            self.side.show_state(self.presenter.state)

    def _on_event(self, kind: EventKind, msg: str) -> None:
        if kind == EventKind.NO_CAMERA:
            self._no_camera(msg)
        elif kind == EventKind.OPEN_FAILED:
            self.show_error("Cannot open video", msg)
            self.view.show_placeholder(f"Cannot open the video\n{msg}", offer_camera=True)
            self.side.show_state(self.presenter.no_source())
        elif kind == EventKind.CAMERA_LOST:
            self.view.set_banner(msg)
            self.status.message(msg, 5000)
        elif kind == EventKind.CAMERA_OK:
            self.view.set_banner(None)
            self.status.message(msg, 3000)
        elif kind == EventKind.ENDED:
            self._playing = False
            self._ended = True
            self.timeline.set_playing(False)
            if self.loop_action.isChecked() and self.is_file:
                self.status.message(f"{msg}: playing it again (Loop is on)", 3000)
                self.toggle_play()  # play at the end starts over (a new pass)
            else:
                self.status.message(msg, 3000)
        elif kind == EventKind.BUNDLE:
            self.view.set_banner("No landmarks: a MediaPipe model bundle is missing (see the message)")
            self.show_error("MediaPipe model bundle missing", msg)
        elif kind == EventKind.TRACKER:
            self.view.set_banner("No landmarks: the tracker could not start")
            self.show_error("Landmark tracker failed", msg)
        else:  # PIPELINE and anything new: not worth a dialog per frame
            self.status.message(f"{kind}: {msg}", 5000)

    def _update_status(self) -> None:
        self.status.refresh(self.session, self.latency_ms)
        self.track.refresh()

    def stats(self) -> dict:
        """Per-stage rates (last second) and mean stage times since start, for the status/CLI."""
        return self.status.stats(self.session, self.latency_ms, self.results_seen, self._track_ms_sum,
                                 self._classify_ms_sum, self._classified)

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


__all__ = ["MainWindow", "ViewState"]
