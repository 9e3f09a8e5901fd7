"""Checkpoint I/O, after nanoGPT: `model_args` + weights in, a model out.

Training writes checkpoints; evaluation, export and resume read them. This room belongs to none
of them, so none imports another to get at a checkpoint. A checkpoint holds only tensors and
plain containers (read with `weights_only=True`): model_args, the resolved config, labels,
optimizer state, step, epoch, best metric, split description and the test-split ids.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from slr_desktop.core.atomic import atomic_open
from slr_desktop.core.errors import one_line
from slr_desktop.core.video import DEFAULT_FPS

from .errors import CheckpointError
from .model import SignModel, build_model, upgrade_state_dict

# what every checkpoint written by `slr-train train` holds (resume also needs optimizer, step, ...)
REQUIRED = ("model_args", "model", "labels")


def save_checkpoint(obj: dict, path: str | os.PathLike) -> None:
    """torch.save to a temporary file beside `path`, then os.replace (atomic)."""
    with atomic_open(path, "wb") as f:
        torch.save(obj, f)


def load_checkpoint(path: str | os.PathLike, require: tuple[str, ...] = ()) -> dict:
    """A checkpoint written by `slr-train train`, checked: `CheckpointError` (one line naming the
    file) for a missing file, a folder, random or truncated bytes, an ONNX model, or a `.pt` that
    lacks `REQUIRED` (+ `require`) or has labels that are not a list of distinct strings."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not a checkpoint (.pt)")
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
        ck = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    except Exception as e:  # UnpicklingError, RuntimeError (bad zip), EOFError, ...
        if head[:1] == b"\x08" or path.suffix.lower() == ".onnx":
            why = "it looks like an exported ONNX model; give the .pt checkpoint written by `slr-train train`"
        elif head[:2] == b"PK":  # a zip, as torch.save writes: damaged
            why = f"corrupt or truncated ({one_line(e)[:100]})"
        else:
            why = "not a PyTorch checkpoint file"
        raise CheckpointError(f"{path.name} is not a readable checkpoint: {why}") from None
    if not isinstance(ck, dict):
        raise CheckpointError(f"{path.name} is not an slr-train checkpoint (it holds a {type(ck).__name__})")
    missing = [k for k in REQUIRED + tuple(require) if k not in ck]
    if missing:
        raise CheckpointError(f"{path.name} is not an slr-train checkpoint (lacks {', '.join(missing)})")
    labels = ck["labels"]
    if not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)
            and len(set(labels)) == len(labels)):
        raise CheckpointError(f"{path.name}: labels are not a list of distinct strings")
    if not isinstance(ck["model_args"], dict) or not isinstance(ck["model"], dict) \
            or not isinstance(ck.get("config", {}), dict):
        raise CheckpointError(f"{path.name}: model_args / model weights / config are not what slr-train writes")
    return ck


def model_from_checkpoint(ckpt: dict, name: str = "checkpoint") -> SignModel:
    """The checkpoint's model in eval mode; `CheckpointError` (naming the file `name`) when its
    settings or weights do not make a model."""
    try:
        model = build_model(ckpt["model_args"])
    except (TypeError, ValueError, KeyError) as e:
        raise CheckpointError(f"{name}: model settings do not build a model ({one_line(e)[:120]})") from None
    try:
        model.load_state_dict(upgrade_state_dict(ckpt["model"]))
    except (RuntimeError, TypeError, KeyError) as e:
        raise CheckpointError(f"{name}: weights do not fit its model settings ({one_line(e)[:120]})") from None
    if model.cfg.n_classes != len(ckpt["labels"]):
        raise CheckpointError(f"{name}: {model.cfg.n_classes} classes but {len(ckpt['labels'])} labels")
    return model.eval()


def checkpoint_fps(ckpt: dict) -> float:
    """The frame rate the model was trained at (its windows are resampled to it)."""
    cfg = ckpt.get("config", {})
    fps = cfg.get("fps", DEFAULT_FPS) if isinstance(cfg, dict) else None
    if not (isinstance(fps, (int, float)) and not isinstance(fps, bool) and 0 < fps <= 1000):
        raise CheckpointError(f"checkpoint config has no usable fps ({fps!r})")
    return float(fps)


@torch.no_grad()
def predict(model: SignModel, landmarks: np.ndarray | torch.Tensor, mask: np.ndarray | torch.Tensor,
            batch: int = 64) -> np.ndarray:
    """Softmax probabilities (N, K) in eval mode."""
    model.eval()
    lm, mk = torch.as_tensor(landmarks, dtype=torch.float32), torch.as_tensor(mask, dtype=torch.float32)
    out = [torch.softmax(model(lm[s:s + batch], mk[s:s + batch]), -1) for s in range(0, len(lm), batch)]
    return torch.cat(out).numpy() if out else np.zeros((0, model.cfg.n_classes), np.float32)


__all__ = ["checkpoint_fps", "load_checkpoint", "model_from_checkpoint", "predict", "save_checkpoint"]
