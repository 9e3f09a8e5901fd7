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
from slr_desktop.core.video import DEFAULT_FPS

from .model import SignModel, build_model


def save_checkpoint(obj: dict, path: str | os.PathLike) -> None:
    """torch.save to a temporary file beside `path`, then os.replace (atomic)."""
    with atomic_open(path, "wb") as f:
        torch.save(obj, f)


def load_checkpoint(path: str | os.PathLike) -> dict:
    return torch.load(Path(path), map_location="cpu", weights_only=True)


def model_from_checkpoint(ckpt: dict) -> SignModel:
    """The checkpoint's model in eval mode."""
    model = build_model(ckpt["model_args"])
    model.load_state_dict(ckpt["model"])
    return model.eval()


def checkpoint_fps(ckpt: dict) -> float:
    """The frame rate the model was trained at (its windows are resampled to it)."""
    return float(ckpt.get("config", {}).get("fps", DEFAULT_FPS))


@torch.no_grad()
def predict(model: SignModel, landmarks: np.ndarray | torch.Tensor, mask: np.ndarray | torch.Tensor,
            batch: int = 64) -> np.ndarray:
    """Softmax probabilities (N, K) in eval mode."""
    model.eval()
    lm, mk = torch.as_tensor(landmarks, dtype=torch.float32), torch.as_tensor(mask, dtype=torch.float32)
    out = [torch.softmax(model(lm[s:s + batch], mk[s:s + batch]), -1) for s in range(0, len(lm), batch)]
    return torch.cat(out).numpy() if out else np.zeros((0, model.cfg.n_classes), np.float32)


__all__ = ["checkpoint_fps", "load_checkpoint", "model_from_checkpoint", "predict", "save_checkpoint"]
