"""The main window's model side: load and switch models, the card, the confidence threshold.

A mixin of `MainWindow` (it uses the window's presenter, side panel, menus, session and settings):
the window's methods grouped by what they are about, in a file of their own.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QDialog, QFileDialog

from ..core.errors import one_line
from ..core.runtime import Classifier, ModelError
from . import dialogs
from .presenter import Presenter, SignState


class ModelsMixin:
    """Model loading (a failure keeps the previous model), the About box and the threshold."""

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
        """Load a model; on failure show why and keep the previous one in every place (classifier,
        panel, bars, the Model menu's check mark, which Qt already moved to the clicked entry)."""
        try:
            clf = Classifier(path)
            m = clf.meta
            presenter = Presenter(clf.labels, self.settings.threshold_for(clf.path, m.threshold), m.idle_label,
                                  getattr(m, "unknown_label", None))
        except Exception as e:  # ModelError, or anything else a broken file can raise
            if report:
                self.show_error("Cannot load model", one_line(e) if isinstance(e, ModelError)
                                else f"{Path(path).name}: {one_line(e)}")
            self.menus.fill_models()
            return False
        self.classifier = clf
        self.session.set_classifier(clf)
        self.presenter = presenter
        if self.spec is not None:
            self.presenter.new_source(self.is_file)   # the decoder starts over with the new model
        self.session.pipeline.set_threshold(self.presenter.threshold)
        self.bars.reset()
        self.settings.model_path = str(Path(path).resolve())
        self._save_settings()
        self._sync_threshold_widgets()
        self.track.set_labels(list(self.presenter.labels), list(self.presenter.names))
        self.side.show_state(self.presenter.state)
        self.side.show_model(m, str(clf.path))
        self.menus.fill_models()
        self.model_changed.emit(clf)
        self.status.message(f"Model {m.name} loaded ({clf.path.name}): threshold {self.threshold:.0%}", 4000)
        return True

    def open_model_dialog(self) -> None:
        from ..core.model_registry import user_models_dir

        start = str(self.classifier.path.parent) if self.classifier else str(user_models_dir())
        path, _ = QFileDialog.getOpenFileName(self, "Open model", start, "ONNX models (*.onnx);;All files (*)")
        if path:
            self.load_model(path)

    def show_about_model(self) -> QDialog | None:
        if self.classifier is None:
            self.show_error("About this model", "No model is loaded.")
            return None
        self.about_dialog = dialogs.about_model_dialog(self, self.classifier)
        return self.about_dialog

    @property
    def threshold(self) -> float:
        return self.presenter.threshold

    @property
    def sign_state(self) -> SignState:
        return self.presenter.state.sign

    def set_threshold(self, value: float, save: bool = True) -> None:
        """The confidence a sign needs, remembered for the loaded model only."""
        value = float(np.clip(value, 0.0, 1.0))
        self.presenter.threshold = value
        self.session.pipeline.set_threshold(value)
        if save and self.classifier is not None:
            self.settings.set_threshold(self.classifier.path, value)
            self._save_settings()
        self._sync_threshold_widgets()

    def nudge_threshold(self, delta: float) -> None:
        self.set_threshold(round(self.threshold + delta, 2))

    def reset_threshold(self) -> None:
        if self.classifier is not None:
            self.settings.set_threshold(self.classifier.path, None)
            self.set_threshold(self.classifier.meta.threshold, save=False)
        self._save_settings()

    def _sync_threshold_widgets(self) -> None:
        self.side.show_threshold(self.threshold)
        self.track.set_threshold(self.threshold)

    def clear_history(self) -> None:
        """History and transcript start over (the track's spans too); playing goes on."""
        self.side.show_state(self.presenter.clear_history())
        self.track.set_segments(self.presenter.segments)


__all__ = ["ModelsMixin"]
