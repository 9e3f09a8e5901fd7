"""`slr-train train`: train the CNN-Mamba on imported/extracted landmark sets (after nanoGPT's train.py).

    out/best.pt        best epoch on validation top-1 (tie -> lower val loss)
    out/last.pt        every epoch, for --resume
    out/log.csv        one row per epoch;  out/curves.png  loss / accuracy curves
    out/config.yaml    the resolved config
    out/test_metrics.json (+ confusion PNG, per-class CSV)  best checkpoint on the held-out test split

Checkpoints hold only tensors and plain containers (they are read with weights_only=True) and
carry everything export and resume need: model_args, resolved config, labels, optimizer state,
step, epoch, best metric, split description and the test-split ids. Every epoch starts from a
seed derived from (seed, epoch), so a resumed run draws the same batches and augmentations as an
uninterrupted one.
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from slr_desktop.core.atomic import atomic_open, atomic_write_text
from slr_desktop.core.errors import one_line

from . import distributed
from .checkpoint import load_checkpoint, model_from_checkpoint, predict, save_checkpoint
from .config import TrainConfig, load_config, save_config
from .distill import Teacher
from .errors import CheckpointError, DataError, command
from .model import SignModel, build_model
from .run_dir import check_run, start_run

LOG_COLUMNS = ("epoch", "step", "lr", "train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "seconds")


def get_lr(step: int, cfg: TrainConfig, steps_per_epoch: int) -> float:
    """Linear warmup, then cosine decay to lr * min_lr_ratio at the last step."""
    total = max(1, cfg.epochs * steps_per_epoch)
    warmup = min(total - 1, int(round(cfg.warmup_epochs * steps_per_epoch)))
    if step < warmup:
        return cfg.lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    min_lr = cfg.lr * cfg.min_lr_ratio
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (cfg.lr - min_lr)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.AdamW:
    # decay matrices and conv kernels only; biases, norms, A_log and D are left alone
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.99))


@torch.no_grad()
def validate(model: SignModel, loader: DataLoader) -> dict:
    """Mean loss (no smoothing), top-1 and top-5 over a loader."""
    model.eval()
    loss_sum, n, c1, c5 = 0.0, 0, 0, 0
    for lm, mk, y in loader:
        logits = model(lm, mk)
        loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
        top = logits.topk(min(5, logits.shape[1]), -1).indices
        c1 += (top[:, 0] == y).sum().item()
        c5 += (top == y[:, None]).any(1).sum().item()
        n += len(y)
    if n == 0:
        return dict(loss=float("nan"), top1=float("nan"), top5=float("nan"), n=0)
    return dict(loss=loss_sum / n, top1=c1 / n, top5=c5 / n, n=n)


def _load_data(cfg: TrainConfig):
    from .landmark_sets import idle_sequences, load_set
    from .splits import build_splits

    seqs = [s for d in cfg.data for s in load_set(d)]
    if cfg.labels is not None:
        keep = set(cfg.labels)
        unknown = sorted(keep - {s.gloss for s in seqs})
        if unknown:
            raise DataError(f"labels not in {', '.join(cfg.data)}: {', '.join(map(repr, unknown[:10]))}")
        seqs = [s for s in seqs if s.gloss in keep]
    if not seqs:
        raise DataError(f"no sequences in {', '.join(cfg.data)}" + (f" with labels {cfg.labels}" if cfg.labels else ""))
    splits = build_splits(seqs, cfg.split)
    if cfg.other is not None:
        add_other_class(splits, cfg)
    idle = []
    if cfg.placement == "random":
        # idle padding only from training sequences, so no held-out recording leaks into training
        if cfg.idle_label is not None:
            idle += idle_sequences(splits.train, label=cfg.idle_label)
        for d in cfg.idle_pool:
            # only the pool's idle-class rows: its signing rows are not idle frames
            idle += idle_sequences(load_set(d))
    return splits, idle


def add_other_class(splits, cfg: TrainConfig) -> None:
    """Append the relabelled "other sign" sequences (trainer/open_set.py) to each split, in place."""
    from .open_set import split_other

    other = cfg.other
    if other.label in splits.labels:
        raise ValueError(f"other.label {other.label!r} is also a label of the data")
    known_test = cfg.split.test_groups if cfg.split.method == "group" else None
    part = split_other(other, splits.labels, known_test, cfg.split.val_fraction)
    if not part.train:
        raise ValueError(f"the other sets {[s['dir'] for s in other.sets]} left no training sequence")
    splits.train += part.train
    splits.val += part.val
    splits.test += part.test
    splits.labels = sorted(splits.labels + [other.label])
    splits.description += f"; {part.description}"


def load_init(model: torch.nn.Module, path: str) -> int:
    """Copy the weights of `path` whose names and shapes match (pre-trained encoder); returns how many."""
    try:   # a pre-training checkpoint (slr-train pretrain) has weights but no labels
        ck = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # missing file, damaged or foreign bytes
        raise CheckpointError(f"init_from {path}: not a readable checkpoint ({one_line(e)[:100]})") from None
    if not isinstance(ck, dict) or not isinstance(ck.get("model"), dict):
        raise CheckpointError(f"init_from {path}: not an slr-train checkpoint (no model weights)")
    own = model.state_dict()
    take = {k: v for k, v in ck["model"].items() if k in own and own[k].shape == v.shape and not k.startswith("head.")}
    own.update(take)
    model.load_state_dict(own)
    return len(take)


class EMA:
    """Exponential moving average of a model's floating-point state (weights the checkpoint ships)."""

    def __init__(self, model: torch.nn.Module, decay: float, state: dict | None = None) -> None:
        self.decay = decay
        self.state = {k: v.detach().clone() for k, v in (state or model.state_dict()).items()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int) -> None:
        d = min(self.decay, (1 + step) / (10 + step))   # short memory early on (usual warm-up)
        for k, v in model.state_dict().items():
            if v.dtype.is_floating_point:
                self.state[k].mul_(d).add_(v.detach(), alpha=1 - d)
            else:
                self.state[k].copy_(v)


def mixed_loss(model: SignModel, lm: torch.Tensor, mk: torch.Tensor, y: torch.Tensor, alpha: float,
               smoothing: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup of transformed features (landmarks themselves do not mix meaningfully): loss, logits."""
    feats, valid = model.transform(lm, mk)                                   # (b, l, f), (b, l)
    lam = float(np.random.beta(alpha, alpha))
    perm = torch.randperm(len(y))
    feats = lam * feats + (1 - lam) * feats[perm]
    valid = torch.maximum(valid, valid[perm])
    logits = model.forward_head(*model.encode(feats, valid))
    loss = (lam * F.cross_entropy(logits, y, label_smoothing=smoothing)
            + (1 - lam) * F.cross_entropy(logits, y[perm], label_smoothing=smoothing))
    return loss, logits


def _write_log(rows: list[dict], path: Path) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=LOG_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (f"{r[k]:.6g}" if isinstance(r[k], float) else r[k]) for k in LOG_COLUMNS})
    atomic_write_text(path, buf.getvalue())


def _plot_curves(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ep = [r["epoch"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    a.plot(ep, [r["train_loss"] for r in rows], label="train (smoothed labels)")
    a.plot(ep, [r["val_loss"] for r in rows], label="val")
    a.set_xlabel("epoch"), a.set_ylabel("loss"), a.legend()
    b.plot(ep, [r["train_top1"] for r in rows], label="train top-1")
    b.plot(ep, [r["val_top1"] for r in rows], label="val top-1")
    b.plot(ep, [r["val_top5"] for r in rows], label="val top-5")
    b.set_xlabel("epoch"), b.set_ylabel("accuracy"), b.set_ylim(0, 1), b.legend()
    fig.tight_layout()
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png")
    plt.close(fig)


def train(cfg: TrainConfig, resume: bool = False, stop_after_epoch: int | None = None,
          overwrite: bool = False) -> Path:
    """Train, keep best/last checkpoints in cfg.out, evaluate best on the test split. Returns best.pt.

    resume: continue from cfg.out/last.pt at the next epoch. stop_after_epoch: end this session
    after that epoch (no test evaluation); a later `resume=True` call finishes the schedule.
    overwrite: replace a finished run in cfg.out (without it, or `resume`, a folder that holds
    best.pt / last.pt / test_metrics.json is refused). Nothing is written before the inputs, the
    data and a resumed checkpoint have been checked (`run_dir`).
    """
    from tqdm import tqdm

    from .dataset import WindowDataset

    out = check_run(cfg.data, cfg.idle_pool, cfg.out, resume, overwrite)
    torch.set_num_threads(cfg.threads)
    dist = distributed.setup()   # identity outside torchrun; see trainer/distributed.py
    seed_everything(cfg.seed)

    splits, idle = _load_data(cfg)
    labels = splits.labels
    mcfg = cfg.model_config(len(labels))
    augment = cfg.augment if cfg.augment_on else None
    train_ds = WindowDataset(splits.train, labels, mcfg.seq_len, cfg.fps, augment=augment,
                             idle_pool=idle or None, placement=cfg.placement)
    val_ds = WindowDataset(splits.val, labels, mcfg.seq_len, cfg.fps, augment=None, placement="centre", seed=0)
    if len(train_ds) == 0:
        raise DataError(f"empty training split ({splits.description})")
    gen = torch.Generator()
    train_dl = dist.loader(DataLoader(train_ds, batch_size=cfg.batch, num_workers=cfg.workers,
                                      **dist.train_loader_args(train_ds, gen, cfg.batch, cfg.seed)))
    val_dl = dist.loader(DataLoader(val_ds, batch_size=64, shuffle=False, num_workers=0))
    steps_per_epoch = len(train_dl)

    model = build_model(mcfg).to(dist.device)
    if cfg.init_from and not (resume and (out / "last.pt").is_file()):
        print(f"initialised {load_init(model, cfg.init_from)} tensors from {cfg.init_from}")
    val_ids = [str(s.meta.get("id", "")) for s in splits.val]
    test_ids = [str(s.meta.get("id", "")) for s in splits.test]
    teacher = Teacher(cfg.distill, list(labels), dist.device) if cfg.distill else None
    if teacher is not None:
        teacher.check_split(val_ids, test_ids)
    opt = make_optimizer(model, cfg)
    ema = EMA(model, cfg.ema) if cfg.ema > 0 else None
    eval_model = build_model(mcfg).to(dist.device) if ema is not None else model
    step, start_epoch, history = 0, 1, []
    best = dict(top1=-1.0, loss=float("inf"), epoch=0)
    if resume and (out / "last.pt").is_file():
        ck = load_checkpoint(out / "last.pt", require=("optimizer", "step", "epoch", "history", "best"))
        if ck["labels"] != labels or ck["model_args"] != mcfg.to_dict():
            raise CheckpointError(f"{out / 'last.pt'} was trained with other labels or model settings; "
                                  f"resume with its config ({out / 'config.yaml'}) or train into another --out")
        try:
            model.load_state_dict(ck.get("raw_model", ck["model"]))
            if ema is not None:
                ema = EMA(model, cfg.ema, ck["model"])
            opt.load_state_dict(ck["optimizer"])
        except (RuntimeError, ValueError, KeyError) as e:
            raise CheckpointError(f"{out / 'last.pt'}: weights do not fit the model ({str(e)[:120]})") from None
        step, start_epoch, history, best = ck["step"], ck["epoch"] + 1, list(ck["history"]), dict(ck["best"])
        print(f"resuming {out / 'last.pt'} after epoch {ck['epoch']}")
    # everything is checked: only now is the run folder touched (by one process under torchrun)
    if dist.is_main:
        start_run(out, overwrite)
        save_config(cfg, out / "config.yaml")
    dist.barrier()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{len(labels)} labels, train {len(train_ds)} / val {len(val_ds)} / test {len(splits.test)}, "
          f"{n_params / 1e6:.2f}M parameters; {splits.description}")

    step_model = dist.wrap(model)   # DDP under torchrun; checkpoints keep the unwrapped `model`
    common = dict(model_args=mcfg.to_dict(), config=cfg.to_dict(), labels=list(labels),
                  split=splits.description, test_ids=test_ids, val_ids=val_ids)
    for epoch in range(start_epoch, cfg.epochs + 1):
        t0 = time.perf_counter()
        # per-epoch seeds: resume reproduces the batches, augmentations and dropout masks
        seed_everything(dist.seed(cfg.seed * 100_003 + epoch))
        gen.manual_seed(dist.seed(cfg.seed * 100_003 + epoch))
        dist.set_epoch(train_dl, epoch)
        model.train()
        loss_sum, correct, n = 0.0, 0, 0
        bar = tqdm(train_dl, desc=f"epoch {epoch}/{cfg.epochs}", leave=False, disable=not cfg.progress)
        for lm, mk, y in bar:
            lr = get_lr(step, cfg, steps_per_epoch)
            for g in opt.param_groups:
                g["lr"] = lr
            if cfg.mixup > 0:
                loss, logits = mixed_loss(step_model, lm, mk, y, cfg.mixup, cfg.label_smoothing)
            else:
                logits = step_model(lm, mk)
                loss = F.cross_entropy(logits, y, label_smoothing=cfg.label_smoothing)
                if teacher is not None:
                    loss = teacher.loss(logits, teacher.logits(lm, mk), loss)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            if ema is not None:
                ema.update(model, step)
            step += 1
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(-1) == y).sum().item()
            n += len(y)
            bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{lr:.2e}")
        loss_sum, correct, n = dist.sum(loss_sum, correct, n)   # all shards, for the log
        if ema is not None:
            eval_model.load_state_dict(ema.state)
        val = validate(eval_model, val_dl)
        if val["n"] == 0:  # no validation split: select on training figures
            val = dict(loss=loss_sum / n, top1=correct / n, top5=float("nan"), n=0)
        row = dict(epoch=epoch, step=step, lr=get_lr(max(0, step - 1), cfg, steps_per_epoch),
                   train_loss=loss_sum / n, train_top1=correct / n, val_loss=val["loss"],
                   val_top1=val["top1"], val_top5=val["top5"], seconds=time.perf_counter() - t0)
        history.append(row)
        improved = val["top1"] > best["top1"] or (val["top1"] == best["top1"] and val["loss"] < best["loss"])
        if improved:
            best = dict(top1=float(val["top1"]), loss=float(val["loss"]), epoch=epoch)
        # "model" is what evaluation and export use: the averaged weights when EMA is on
        state = dict(common, model=eval_model.state_dict(), optimizer=opt.state_dict(), step=step, epoch=epoch,
                     best=best, best_metric=best["top1"], history=history)
        if ema is not None:
            state["raw_model"] = model.state_dict()
        if dist.is_main:
            if improved:
                save_checkpoint(state, out / "best.pt")
            save_checkpoint(state, out / "last.pt")
            _write_log(history, out / "log.csv")
            _plot_curves(history, out / "curves.png")
            print(f"epoch {epoch}: train loss {row['train_loss']:.3f} top-1 {row['train_top1']:.3f} | "
                  f"val loss {val['loss']:.3f} top-1 {val['top1']:.3f} top-5 {val['top5']:.3f}"
                  f"{' *' if improved else ''} ({row['seconds']:.1f}s)")
        if stop_after_epoch is not None and epoch >= stop_after_epoch and epoch < cfg.epochs:
            return out / "best.pt"

    best_path = out / "best.pt"
    if not dist.is_main:          # rank 0 alone evaluates the test split and writes the reports
        return best_path
    test_metrics = evaluate_test(best_path, splits.test, cfg, out)
    ck = load_checkpoint(best_path)
    ck["test_metrics"] = {k: test_metrics[k] for k in ("top1", "top5", "macro_f1", "n")}
    save_checkpoint(ck, best_path)
    return best_path


def evaluate_test(ckpt_path: Path, test_seqs: list, cfg: TrainConfig, out: Path) -> dict:
    """Best checkpoint on the held-out test split (real rows only); writes test_metrics.json etc."""
    from .evaluate import evaluate_model_on, write_report

    ck = load_checkpoint(ckpt_path)
    model = model_from_checkpoint(ck)
    # known signs only: out-of-vocabulary test rows (the other class) are scored by make_models' open-set step
    real = [s for s in test_seqs if s.meta.get("real", True) and not s.meta.get("other")]
    rep = evaluate_model_on(lambda lm, mk: predict(model, lm, mk), ck["labels"], real,
                            seq_len=model.cfg.seq_len, fps=cfg.fps, placement="centre")
    rep.update(model=str(ckpt_path), split=ck["split"], epoch=ck["epoch"])
    write_report(rep, out, stem="test")
    print(f"test ({rep['n']} real): top-1 {rep['top1']:.3f} top-5 {rep['top5']:.3f} macro-F1 {rep['macro_f1']:.3f}")
    return rep


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="YAML file with TrainConfig fields")
    p.add_argument("--data", nargs="+", help="set dirs (override the config's data)")
    p.add_argument("--out", help="output dir for checkpoints, logs and plots")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--threads", type=int)
    p.add_argument("--workers", type=int)
    p.add_argument("--labels", help="comma-separated glosses to train on (default: all)")
    p.add_argument("--split", dest="split_method", choices=["stratified", "group", "kfold"])
    p.add_argument("--placement", choices=["centre", "random"])
    p.add_argument("--no-progress", action="store_true", help="no tqdm bars (logs)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="any config field, dotted for sections: --set model.d_model=128 --set split.seed=1")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the run already in OUT (without it a folder holding a result is refused)")


@command("train")
def run(args: argparse.Namespace) -> int:
    cfg = load_config(
        args.config, args.overrides, data=args.data, out=args.out, epochs=args.epochs, batch=args.batch,
        lr=args.lr, seed=args.seed, threads=args.threads, workers=args.workers, placement=args.placement,
        labels=args.labels.split(",") if args.labels else None,
        progress=False if args.no_progress else None, **{"split.method": args.split_method},
    )
    best = train(cfg, resume=args.resume, overwrite=args.overwrite)
    print(f"best checkpoint: {best}")
    return 0
