"""A tiny real training run (3 cafe_words letters, 2 epochs), resume, and the checkpoint contract."""
from __future__ import annotations

import csv

import pytest
import torch

from trainer.config import TrainConfig, load_config
from trainer.train import get_lr, load_checkpoint, train

LABELS = ["b", "c", "e"]  # 45 real sequences each


@pytest.fixture(scope="module")
def cafe3(shared_dir, tmp_path_factory):
    from trainer.importers import import_dataset

    out = tmp_path_factory.mktemp("cafe3")
    import_dataset("cafe_words", shared_dir / "datasets" / "cafe_words", out, labels=set(LABELS), progress=False)
    return out


def tiny_config(data, out, epochs=2, **kw) -> TrainConfig:
    return TrainConfig(
        data=[str(data)], out=str(out), epochs=epochs, batch=16, lr=2e-3, warmup_epochs=0.5, threads=1,
        progress=False, fps=15.0, model=dict(seq_len=24, d_model=32, d_state=8, dropout=0.1), **kw,
    )


@pytest.fixture(scope="module")
def run_dir(cafe3, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    train(tiny_config(cafe3, out))
    return out


def test_train_writes_checkpoints_logs_and_metrics(run_dir):
    for name in ("best.pt", "last.pt", "log.csv", "curves.png", "config.yaml", "test_metrics.json",
                 "test_confusion.png", "test_per_class.csv"):
        assert (run_dir / name).is_file(), name
    rows = list(csv.DictReader(open(run_dir / "log.csv")))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    ck = load_checkpoint(run_dir / "best.pt")  # weights_only=True
    for key in ("model", "optimizer", "model_args", "config", "labels", "step", "epoch", "best_metric",
                "split", "test_ids", "test_metrics"):
        assert key in ck, key
    assert ck["labels"] == LABELS and ck["test_ids"]
    assert 0.0 <= ck["test_metrics"]["top1"] <= 1.0


def test_resume_continues_identically(cafe3, run_dir, tmp_path):
    """Stop after epoch 1, resume: the same weights and log as the uninterrupted 2-epoch run."""
    cfg = tiny_config(cafe3, tmp_path / "r")
    train(cfg, stop_after_epoch=1)
    assert load_checkpoint(tmp_path / "r" / "last.pt")["epoch"] == 1
    assert not (tmp_path / "r" / "test_metrics.json").exists()
    train(cfg, resume=True)
    resumed, full = load_checkpoint(tmp_path / "r" / "last.pt"), load_checkpoint(run_dir / "last.pt")
    assert (resumed["epoch"], resumed["step"]) == (2, full["step"])
    assert [r["epoch"] for r in resumed["history"]] == [1, 2]
    for k, v in full["model"].items():
        torch.testing.assert_close(resumed["model"][k], v, msg=k)


def test_get_lr_schedule():
    cfg = TrainConfig(epochs=10, lr=1e-3, warmup_epochs=1, min_lr_ratio=0.1)
    lrs = [get_lr(s, cfg, 10) for s in range(100)]
    assert lrs[0] == pytest.approx(1e-4) and lrs[9] == pytest.approx(1e-3)
    assert all(a >= b for a, b in zip(lrs[9:], lrs[10:]))
    assert lrs[-1] == pytest.approx(1e-4, rel=0.05)


def test_config_yaml_and_overrides(tmp_path):
    y = tmp_path / "c.yaml"
    y.write_text("data: [a]\nepochs: 5\nsplit: {method: group}\nmodel: {d_model: 64}\n")
    cfg = load_config(y, ["model.n_mamba=1", "augment.rotate_deg=5", "lr=1e-3"], epochs=7)
    assert (cfg.epochs, cfg.lr, cfg.split.method, cfg.model["d_model"], cfg.model["n_mamba"]) == (7, 1e-3, "group", 64, 1)
    assert cfg.augment.rotate_deg == 5
    assert TrainConfig.from_dict(cfg.to_dict()).to_dict() == cfg.to_dict()
    with pytest.raises(ValueError):
        load_config(None, ["model.scan=magic"])
    with pytest.raises(ValueError):
        load_config(None, ["nonsense=1"])
