"""The Teach window's Train panel: base model, Train / Cancel, progress, and what came of it.

Runs `slr-train teach` through `TeachProcess`; when the model is written it is loaded into the
main window (`load_model`), which lists it in the Model menu and selects it.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QProgressBar, QPushButton

from ..core.errors import UserError
from ..core.recording import NOTHING, Project
from .teach_train import TeachProcess
from .teach_widgets import label, panel

DEFAULT_PROJECT = "my-signs"


class TrainPanel(QFrame):
    def __init__(self, win, parent=None) -> None:
        super().__init__(parent)
        _, lay = panel("Train", self)
        self.win = win
        self.trainer = TeachProcess(self)
        self.trainer.progress.connect(self._progress)
        self.trainer.finished.connect(self._finished)
        self.started_at = 0.0
        self.seconds: float | None = None       # Train pressed -> model selected in the menu
        self.report: dict | None = None
        self.error = ""
        row = QHBoxLayout()
        row.addWidget(label("Start from", wrap=False))
        self.base_box = QComboBox()
        self.base_box.setToolTip("The bundled model whose learned features your signs are taught on")
        row.addWidget(self.base_box)
        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("train")
        row.addWidget(self.train_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        row.addWidget(self.progress, 1)
        lay.addLayout(row)
        self.result_label = label("Record a few takes of each sign (5 is plenty), then Train.", "teachResult")
        lay.addWidget(self.result_label)
        self._fill_bases()

    @property
    def running(self) -> bool:
        return self.trainer.running

    def _fill_bases(self) -> None:
        from ..core.model_registry import bundled_models_dir, default_model, find_models

        bundled = bundled_models_dir().resolve()
        for p in find_models():
            if p.resolve().parent == bundled:
                self.base_box.addItem(p.stem, str(p))
        try:
            i = self.base_box.findData(str(default_model()))
            if i >= 0:
                self.base_box.setCurrentIndex(i)
        except UserError:
            pass

    @staticmethod
    def model_path(project: Project) -> Path:
        """Where the personal model goes: the user models folder, named after the project (never
        shadowing a bundled model)."""
        from ..core.model_registry import bundled_models_dir, user_models_dir

        name = project.name
        if (bundled_models_dir() / f"{name}.onnx").exists():
            name = f"{name}-personal"
        return user_models_dir() / f"{name}.onnx"

    def train(self, project: Project) -> bool:
        if self.trainer.running:
            return False
        project.refresh()
        counts = {s: sum(t.hands for t in project.takes(s)) for s in project.signs if s != NOTHING}
        if not any(counts.values()):
            self.result_label.setText("Record at least one take (with hands) of a sign before training.")
            return False
        base = self.base_box.currentData()
        out = self.model_path(project)
        self.started_at, self.seconds, self.report, self.error = time.perf_counter(), None, None, ""
        self.trainer.start(project.root, out, Path(base) if base else None, out.stem)
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        n_signs = sum(1 for v in counts.values() if v)
        self.result_label.setText(f"Training {out.stem} on {sum(counts.values())} takes of {n_signs} signs…")
        return True

    def cancel(self) -> None:
        self.trainer.cancel()

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(1000 * fraction))
        self.result_label.setText(f"Training… {message}")

    def _finished(self, report: dict | None, error: str) -> None:
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if report is None:
            self.error = error
            self.progress.setValue(0)
            self.result_label.setText("Training cancelled; nothing was written." if error == "cancelled"
                                      else f"Training failed: {error}")
            return
        self.progress.setValue(1000)
        out = Path(report["out"])
        loaded = self.win.load_model(out)
        self.seconds = time.perf_counter() - self.started_at
        self.report = report
        ho = report.get("held_out", {})
        acc = (f"same-person accuracy {100 * ho['top1']:.0f}% on {ho['n']} held-out takes (leave-takes-out)"
               if ho.get("n") else "no held-out figure (record 2+ takes per sign)")
        skipped = report.get("skipped_no_hands") or []
        damaged = report.get("damaged") or []
        self.result_label.setText(
            f"{'✓ ' if loaded else ''}{out.stem}: {len(report['labels']) - 1} signs + no sign; {acc}; "
            f"threshold {report['threshold']:.2f}. "
            + (f"Selected in the Model menu after {self.seconds:.0f} s." if loaded else "It could not be loaded.")
            + (f" {len(skipped)} take(s) without hands were left out." if skipped else "")
            + (f" {len(damaged)} damaged take file(s) were left out: {damaged[0]}" if damaged else ""))


__all__ = ["DEFAULT_PROJECT", "TrainPanel"]
