"""Export a trained model to ONNX with its metadata and a model card (after timm/utils/onnx.py).

The graph takes raw model-coordinate landmarks and the point mask and returns softmax
probabilities; the feature transform is inside it. Every export is checked: the metadata
(`ModelMetadata.validate`, before any work), `onnx.checker`, an onnxruntime run compared with torch
(max abs diff <= 1e-4), and a load through the app's own `slr_desktop.core.runtime.Classifier`
(on a temporary copy). Only then is the file written, atomically, and the card beside it; the
output paths are checked for writability first, so a read-only folder fails before the export.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from slr_desktop.core import model_card
from slr_desktop.core.atomic import atomic_write_bytes, atomic_write_text, check_output_file
from slr_desktop.core.errors import UserError, one_line
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.metadata import (
    INPUT_LANDMARKS,
    INPUT_MASK,
    METADATA_KEY,
    OUTPUT_PROBS,
    MetadataError,
    ModelMetadata,
)
from slr_desktop.core.runtime import ModelError, make_session
from slr_desktop.core.timing import median_ms
from slr_desktop.core.video import DEFAULT_FPS

from .checkpoint import checkpoint_fps, load_checkpoint, model_from_checkpoint
from .errors import ConfigError, DataError, command
from .model import ModelConfig, SignModel, build_model

OPSET = 17
MAX_ABS_DIFF = 1e-4


class ProbsWrapper(nn.Module):
    """The exported graph: (landmarks, mask) -> softmax probabilities."""

    def __init__(self, model: SignModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, landmarks: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.model(landmarks, mask), -1)


def synthetic_inputs(n: int, seq_len: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Plausible-looking inputs for export checks when no real samples are given.

    A jittered body around the image centre, random per-part dropouts and some fully empty frames,
    so the check exercises the shoulder and fallback normalisation paths and the masking.
    """
    rng = np.random.default_rng(seed)
    base = rng.uniform([0.4, 0.2, -0.2], [0.9, 0.9, 0.2], size=(n, 1, LAYOUT.n_points, 3))
    pts = base + 0.02 * rng.standard_normal((n, seq_len, LAYOUT.n_points, 3)).cumsum(1)
    present = rng.random((n, seq_len, 3)) < 0.8
    present[: max(1, n // 4), :, 0] = False            # some windows without pose -> fallback centre
    present[:, : seq_len // 8] = False                 # leading empty frames
    mask = LAYOUT.point_mask(present)
    pts = pts * mask[..., None]                        # missing points are zeros, as from the tracker
    return pts.astype(np.float32), mask.astype(np.float32)


def ort_latency_ms(session, seq_len: int, batch: int = 1, runs: int = 30) -> float:
    """Median wall time of one `session.run` in milliseconds."""
    lm, mk = synthetic_inputs(batch, seq_len, seed=1)
    feeds = {INPUT_LANDMARKS: lm, INPUT_MASK: mk}
    return median_ms(lambda: session.run([OUTPUT_PROBS], feeds), runs, warmup=3)


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _check_meta(model: SignModel, meta: ModelMetadata) -> None:
    cfg = model.cfg
    if len(meta.labels) != cfg.n_classes:
        raise ValueError(f"{len(meta.labels)} labels for a model with {cfg.n_classes} classes")
    if len(set(meta.labels)) != len(meta.labels):
        raise ValueError("duplicate labels")
    if meta.seq_len != cfg.seq_len:
        raise ValueError(f"metadata seq_len {meta.seq_len} != model seq_len {cfg.seq_len}")
    if meta.layout_id != LAYOUT.id:
        raise ValueError(f"metadata layout {meta.layout_id!r} != {LAYOUT.id!r}")
    if meta.transform != cfg.transform.to_dict() or list(meta.points_used) != list(cfg.transform.points_used):
        raise ValueError("metadata transform/points_used do not match the model's transform")


def metadata_for(model: SignModel, labels: list[str], name: str, fps: float, **kw) -> ModelMetadata:
    """Metadata whose model-derived fields (seq_len, transform, points, config) come from the model."""
    cfg = model.cfg
    return ModelMetadata(
        name=name, labels=list(labels), seq_len=cfg.seq_len, fps=float(fps), layout_id=LAYOUT.id,
        transform=cfg.transform.to_dict(), points_used=list(cfg.transform.points_used),
        model_config=cfg.to_dict(), git_commit=kw.pop("git_commit", git_commit()),
        date=kw.pop("date", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")), **kw,
    )


def export_onnx(model: SignModel, meta: ModelMetadata, out_path: str | os.PathLike,
                check_inputs: tuple[np.ndarray, np.ndarray] | None = None) -> Path:
    """Export `model` to `out_path` (+ `<name>.md` card). Raises if any check fails.

    check_inputs: optional real windows (landmarks (N, T, 75, 3), mask (N, T, 75)) for the
    onnxruntime-vs-torch comparison; synthetic windows are used otherwise.
    """
    import onnx

    from slr_desktop.core.runtime import Classifier

    out_path = Path(out_path)
    check_outputs(out_path)
    validate_metadata(meta)
    _check_meta(model, meta)
    if not meta.model_config:
        meta.model_config = model.cfg.to_dict()
    was_training = model.training
    model.eval()
    wrapper = ProbsWrapper(model).eval()
    seq_len = model.cfg.seq_len
    if check_inputs is None:
        check_inputs = synthetic_inputs(8, seq_len)
    lm = np.ascontiguousarray(check_inputs[0], np.float32)
    mk = np.ascontiguousarray(check_inputs[1], np.float32)
    if lm.shape[1:] != (seq_len, LAYOUT.n_points, LAYOUT.channels) or mk.shape != lm.shape[:3]:
        raise ValueError(f"check inputs have shapes {lm.shape} / {mk.shape}")
    dummy = (torch.from_numpy(lm[:2]), torch.from_numpy(mk[:2]))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "model.onnx"
            # the tracer warns about Python ints taken from shapes: only the batch axis is dynamic,
            # T and the point count are fixed by the metadata, so those branches are static
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore", torch.jit.TracerWarning)
                warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript exporter; dynamo needs onnxscript
                torch.onnx.export(
                    wrapper, dummy, str(raw), dynamo=False, opset_version=OPSET,
                    input_names=[INPUT_LANDMARKS, INPUT_MASK], output_names=[OUTPUT_PROBS],
                    dynamic_axes={INPUT_LANDMARKS: {0: "batch"}, INPUT_MASK: {0: "batch"}, OUTPUT_PROBS: {0: "batch"}},
                    do_constant_folding=True,
                )
            proto = onnx.load(str(raw))
        entry = proto.metadata_props.add()
        entry.key, entry.value = METADATA_KEY, meta.to_json()
        proto.producer_name = "slr-train"
        onnx.checker.check_model(proto, full_check=True)
        data = proto.SerializeToString()

        # onnxruntime vs torch on every check window, in one batch (also exercises the dynamic axis)
        sess = make_session(data, threads=2)
        got = sess.run([OUTPUT_PROBS], {INPUT_LANDMARKS: lm, INPUT_MASK: mk})[0]
        with torch.no_grad():
            want = wrapper(torch.from_numpy(lm), torch.from_numpy(mk)).numpy()
        diff = float(np.abs(got - want).max())
        if not np.isfinite(want).all():
            raise ModelError(f"{out_path.name}: the model's probabilities are NaN/inf on the check windows "
                             f"(diverged training or damaged weights); nothing was written")
        if not np.isfinite(got).all() or diff > MAX_ABS_DIFF:
            raise RuntimeError(f"onnxruntime and torch disagree: max abs diff {diff:.2e} > {MAX_ABS_DIFF:g}")

        # what the app will do, on a copy: raises ModelError if it would refuse the file
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / out_path.name).write_bytes(data)
            clf = Classifier(Path(tmp) / out_path.name)
            latency = ort_latency_ms(clf.session, seq_len, batch=1)
        atomic_write_bytes(out_path, data)
        card = model_card.render(meta, out_path.name, model_card.ExportFigures(latency, diff, len(lm)))
        atomic_write_text(out_path.with_suffix(".md"), card)
    finally:
        model.train(was_training)
    return out_path


def validate_metadata(meta: ModelMetadata) -> None:
    """The runtime's own check of every field, before any export work (`--threshold 5`, a name
    with a newline, ...): a `ConfigError` line instead of a file the app would refuse."""
    try:
        meta.validate()
    except MetadataError as e:
        raise ConfigError(f"model metadata: {e}") from None


def check_outputs(out_path: Path) -> None:
    """The model file and its card beside it can be written (checked before the export)."""
    if out_path.suffix.lower() != ".onnx":
        raise ConfigError(f"output {out_path} must end in .onnx (the card is written beside it as .md)")
    check_output_file(out_path, "output model")
    check_output_file(out_path.with_suffix(".md"), "model card")


def build_test_model(out_path: str | os.PathLike, labels: list[str], seed: int = 0, fps: float = DEFAULT_FPS,
                     seq_len: int = 64) -> Path:
    """Export a small randomly initialised (seeded) CNN-Mamba: a real model for tests, no training."""
    torch.manual_seed(seed)
    cfg = ModelConfig(n_classes=len(labels), d_model=32, d_state=8, dropout=0.0, seq_len=seq_len)
    model = build_model(cfg).eval()
    meta = metadata_for(model, labels, name="random-test", fps=fps, license="MIT",
                        dataset="none (random weights)", split="none", notes=f"random weights, seed {seed}")
    return export_onnx(model, meta, out_path)


# ---------------------------------------------------------------- checkpoint -> ONNX (CLI)

def _real_check_inputs(ckpt: dict, n: int = 16) -> tuple[np.ndarray, np.ndarray] | None:
    """Up to n real windows from the checkpoint's test split, if its data is on this machine."""
    cfg = ckpt.get("config", {})
    dirs = [Path(d) for d in cfg.get("data", []) if Path(d).is_dir()]
    test_ids = set(ckpt.get("test_ids", []))
    if not dirs:
        return None
    from .dataset import WindowDataset
    from .landmark_sets import load_set

    # parity needs real windows, not held-out ones: a model trained on everything has no test ids
    try:
        loaded = [s for d in dirs for s in load_set(d)]
    except (UserError, OSError):  # the data changed since training: synthetic windows will do
        return None
    seqs = [s for s in loaded if (not test_ids or s.meta.get("id") in test_ids) and s.meta.get("real", True)]
    seqs = [s for s in seqs if s.gloss in ckpt["labels"]][:n]
    if not seqs:
        return None
    X, M, _ = WindowDataset(seqs, ckpt["labels"], ckpt["model_args"]["seq_len"], checkpoint_fps(ckpt),
                            augment=None).arrays()
    return X, M


def export_checkpoint(ckpt_path: str | os.PathLike, out_path: str | os.PathLike, name: str | None = None,
                      license: str = "", threshold: float = 0.5, idle_label: str | None = None,
                      sign_language: str = "ASL", metrics: dict | None = None, split: str | None = None,
                      notes: str | None = None, unknown_label: str | None = None) -> Path:
    """Checkpoint -> ONNX. `metrics`/`split` replace the checkpoint's own test figures when the
    honest held-out numbers come from other runs (cross-recorder, k-fold) than the shipped one."""
    check_outputs(Path(out_path))
    ckpt = load_checkpoint(ckpt_path)
    model = model_from_checkpoint(ckpt, Path(ckpt_path).name)
    cfg = ckpt.get("config", {})
    cfg = cfg if isinstance(cfg, dict) else {}
    labels = list(ckpt["labels"])
    for what, lab in (("idle", idle_label), ("unknown", unknown_label)):
        if lab is not None and lab not in labels:
            raise ConfigError(f"--{what}-label {lab!r} is not one of the model's labels")
    if idle_label is not None and idle_label == unknown_label:
        raise ConfigError("the idle and unknown labels must differ")
    data = cfg.get("data", [])
    meta = metadata_for(
        model, labels, name=name or Path(out_path).stem, fps=checkpoint_fps(ckpt),
        sign_language=sign_language, dataset=", ".join(Path(d).name for d in data),
        split=split if split is not None else ckpt.get("split", ""),
        metrics=dict(metrics if metrics is not None else ckpt.get("test_metrics", {})), license=license,
        idle_label=idle_label, unknown_label=unknown_label, threshold=threshold,
        notes=notes or f"trained {ckpt.get('epoch', '?')} epochs; best val top-1 {ckpt.get('best_metric', float('nan')):.3f}",
    )
    validate_metadata(meta)  # before the check windows are loaded
    return export_onnx(model, meta, out_path, check_inputs=_real_check_inputs(ckpt))


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="best.pt written by `slr-train train`")
    p.add_argument("out", help="output .onnx path (a .md model card is written beside it)")
    p.add_argument("--name", help="model name shown in the app (default: output file stem)")
    p.add_argument("--license", default="", help="licence of the model (follow the training data's licence)")
    p.add_argument("--threshold", type=float, default=0.5, help="suggested confidence threshold")
    p.add_argument("--idle-label", default=None, help="label that means 'no sign', if any")
    p.add_argument("--unknown-label", default=None,
                   help="label that means 'a sign outside the vocabulary' (the other class), if any")
    p.add_argument("--sign-language", default="ASL")
    p.add_argument("--metrics", help="JSON file of held-out metrics to record instead of the checkpoint's "
                                     "own test figures (keys top1, top5, macro_f1, n; optional 'figures')")
    p.add_argument("--split", help="description of the split behind --metrics")
    p.add_argument("--notes", help="markdown notes for the model card (text, or @file)")


def _read_text(path: str, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{what} file not found: {p}" if not p.exists() else f"{what} {p} is not a file")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{what} {p} is not a text (UTF-8) file") from None


def read_metrics(path: str) -> dict:
    """The `--metrics` JSON: an object whose top1/top5/macro_f1 are fractions (checked with the
    rest of the metadata)."""
    try:
        metrics = json.loads(_read_text(path, "--metrics"))
    except ValueError as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"--metrics {path} is not valid JSON ({one_line(e)})") from None
    if not isinstance(metrics, dict):
        raise DataError(f"--metrics {path} must hold a JSON object (top1, top5, macro_f1, n)")
    return metrics


@command("export")
def run(args: argparse.Namespace) -> int:
    metrics = read_metrics(args.metrics) if args.metrics else None
    notes = args.notes
    if notes and notes.startswith("@"):
        notes = _read_text(notes[1:], "--notes")
    out = export_checkpoint(args.checkpoint, args.out, name=args.name, license=args.license,
                            threshold=args.threshold, idle_label=args.idle_label,
                            sign_language=args.sign_language, metrics=metrics, split=args.split,
                            notes=notes, unknown_label=args.unknown_label)
    print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0
