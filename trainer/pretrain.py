"""`slr-train pretrain`: self-supervised masked-frame reconstruction on unlabelled landmark sets.

Spans of frames are blanked *after* the in-graph feature transform (their features become zero,
but they stay "valid", so the blocks compute an output there from the context), and a linear
decoder must reconstruct the blanked frames' features from the encoder's output. The encoder is
the classifier's own body (transform, projection, conv and Mamba blocks), so `slr-train train
--set init_from=OUT/pretrained.pt` starts from it (`train.load_init`: matching names and shapes,
never the head). Labels are ignored; use only data the evaluation will not test on.

    OUT/pretrained.pt   {"model": SignModel state, "model_args", "config", "history"}
    OUT/log.csv         epoch, loss, seconds
"""
from __future__ import annotations

import argparse
import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader

from slr_desktop.core.atomic import atomic_write_text
from slr_desktop.core.video import DEFAULT_FPS

from .augment import AugmentConfig
from .checkpoint import save_checkpoint
from .config import plain, set_key
from .errors import command


@dataclass
class PretrainConfig:
    data: list[str] = field(default_factory=list)
    out: str = "runs/pretrain"
    epochs: int = 20
    batch: int = 32
    lr: float = 1e-3
    weight_decay: float = 5e-4
    mask_ratio: float = 0.3        # share of a window's signing frames blanked
    span: tuple[int, int] = (3, 8)  # blanked runs of this many frames
    seed: int = 0
    threads: int = 1
    fps: float = DEFAULT_FPS
    idle_label: str | None = "-"   # real idle rows of the data pad the random placement
    model: dict = field(default_factory=dict)   # ModelConfig fields, as in the train config
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def __post_init__(self) -> None:
        if isinstance(self.augment, dict):
            self.augment = AugmentConfig(**self.augment)
        self.data = [str(d) for d in ([self.data] if isinstance(self.data, str) else self.data)]
        self.span = tuple(int(v) for v in self.span)
        if not self.data:
            raise ValueError("pretrain needs at least one data dir")
        if not 0.0 < self.mask_ratio < 1.0 or not 1 <= self.span[0] <= self.span[1]:
            raise ValueError("need 0 < mask_ratio < 1 and 1 <= span lo <= hi")
        if min(self.epochs, self.batch, self.threads) < 1 or self.lr <= 0:
            raise ValueError("epochs, batch, threads must be >= 1 and lr > 0")


def span_mask(valid: torch.Tensor, ratio: float, span: tuple[int, int], gen: torch.Generator) -> torch.Tensor:
    """(b, l) bool: runs of `span` frames among the valid ones until ~`ratio` of them are blanked."""
    b, l = valid.shape
    out = torch.zeros(b, l, dtype=torch.bool)
    for i in range(b):
        frames = torch.nonzero(valid[i] > 0).flatten()
        if len(frames) < 2:
            continue
        want = max(1, int(round(ratio * len(frames))))
        lo, hi = int(frames[0]), int(frames[-1])
        while int(out[i].sum()) < want:
            n = int(torch.randint(span[0], span[1] + 1, (), generator=gen))
            s = int(torch.randint(lo, max(lo + 1, hi - n + 2), (), generator=gen))
            out[i, s:s + n] = True
        out[i] &= valid[i] > 0
    return out


class Reconstructor(nn.Module):
    """Encoder (the classifier body) + a linear decoder back to the transform's features."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = nn.Linear(encoder.cfg.d_model, encoder.transform.n_features)

    def loss(self, lm: torch.Tensor, mk: torch.Tensor, hide: torch.Tensor) -> torch.Tensor:
        """lm (b, l, 75, 3), mk (b, l, 75), hide (b, l) bool -> MSE on the hidden frames' features."""
        feats, valid = self.encoder.transform(lm, mk)                  # (b, l, f), (b, l)
        visible = feats * (~hide)[..., None]
        x, _ = self.encoder.encode(visible, valid)                      # (b, l, d)
        pred = self.decoder(x)                                          # (b, l, f)
        return F.mse_loss(pred[hide], feats[hide]) if hide.any() else pred.sum() * 0.0


def pretrain(cfg: PretrainConfig) -> Path:
    from .dataset import WindowDataset
    from .landmark_sets import idle_sequences, load_set
    from .model import ModelConfig, build_model
    from .train import make_optimizer, seed_everything

    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    seqs = [s for d in cfg.data for s in load_set(d) if s.meta.get("real", True) and s.mask.any()]
    idle = idle_sequences(seqs, label=cfg.idle_label) if cfg.idle_label else []
    signs = [s for s in seqs if s.gloss != cfg.idle_label]
    labels = sorted({s.gloss for s in signs})
    mcfg = ModelConfig(n_classes=1, **cfg.model)
    ds = WindowDataset(signs, labels, mcfg.seq_len, cfg.fps, augment=cfg.augment, idle_pool=idle or None,
                       placement="random")
    gen = torch.Generator()
    dl = DataLoader(ds, batch_size=cfg.batch, shuffle=True, generator=gen, drop_last=len(ds) > cfg.batch)
    net = Reconstructor(build_model(mcfg))
    opt = make_optimizer(net, cfg)  # type: ignore[arg-type]  (lr, weight_decay are all it reads)
    total = cfg.epochs * len(dl)
    print(f"pretraining on {len(ds)} sequences from {', '.join(cfg.data)} ({len(idle)} idle for padding), "
          f"{sum(p.numel() for p in net.encoder.parameters()) / 1e6:.2f}M encoder parameters")
    history, step = [], 0
    for epoch in range(1, cfg.epochs + 1):
        t0 = time.perf_counter()
        seed_everything(cfg.seed * 100_003 + epoch)
        gen.manual_seed(cfg.seed * 100_003 + epoch)
        net.train()
        losses = []
        for lm, mk, _ in dl:
            lr = cfg.lr * 0.5 * (1 + np.cos(np.pi * step / max(1, total)))   # cosine, no warmup needed
            for g in opt.param_groups:
                g["lr"] = lr
            _, valid = net.encoder.transform(lm, mk)
            loss = net.loss(lm, mk, span_mask(valid, cfg.mask_ratio, cfg.span, gen))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            losses.append(loss.item())
            step += 1
        history.append(dict(epoch=epoch, loss=float(np.mean(losses)), seconds=time.perf_counter() - t0))
        print(f"epoch {epoch}: reconstruction loss {history[-1]['loss']:.4f} ({history[-1]['seconds']:.0f}s)", flush=True)
    path = out / "pretrained.pt"
    save_checkpoint(dict(model=net.encoder.state_dict(), decoder=net.decoder.state_dict(),
                         model_args=mcfg.to_dict(), config=plain(cfg), history=history), path)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["epoch", "loss", "seconds"], lineterminator="\n")
    w.writeheader()
    w.writerows(history)
    atomic_write_text(out / "log.csv", buf.getvalue())
    return path


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", nargs="+", help="set dirs (labels are ignored)")
    p.add_argument("--out", required=True)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="any PretrainConfig field, e.g. --set epochs=20 --set model.d_model=96")


@command("pretrain")
def run(args: argparse.Namespace) -> int:
    import yaml

    d: dict = {"data": args.data, "out": args.out}
    for item in args.overrides:
        if "=" not in item:
            raise ValueError(f"--set expects key=value, got {item!r}")
        k, v = item.split("=", 1)
        set_key(d, k.strip(), yaml.safe_load(v))
    path = pretrain(PretrainConfig(**d))
    print(f"wrote {path}")
    return 0
