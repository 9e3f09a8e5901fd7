"""Distillation from a teacher checkpoint: the loss, the config checks, the honesty guard against a
teacher of another split, and a tiny real run that learns from a 1D-CNN teacher."""
from __future__ import annotations

import csv

import pytest
import torch
from test_train import cafe3, run_dir, tiny_config  # noqa: F401  (module fixtures reused)

from trainer.checkpoint import load_checkpoint
from trainer.config import TrainConfig
from trainer.distill import DistillConfig, Teacher
from trainer.errors import CheckpointError, ConfigError
from trainer.train import train


def test_loss_is_the_hard_loss_when_the_student_agrees_and_grows_when_it_does_not(run_dir):  # noqa: F811
    teacher = Teacher(DistillConfig(str(run_dir / "last.pt"), weight=0.5, temperature=2.0),
                      load_checkpoint(run_dir / "last.pt")["labels"])
    t = torch.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]])
    hard = torch.tensor(1.3)
    assert teacher.loss(t, t, hard).item() == pytest.approx(0.65, abs=1e-6)   # KL(t || t) = 0
    worse = teacher.loss(t.flip(-1), t, hard).item()
    assert worse > 0.65 + 0.1


def test_config_checks():
    with pytest.raises(ValueError, match="weight"):
        DistillConfig("t.pt", weight=0.0)
    with pytest.raises(ValueError, match="temperature"):
        DistillConfig("t.pt", temperature=0.0)
    with pytest.raises(ConfigError, match="mixup"):
        TrainConfig.from_dict({"distill": {"teacher": "t.pt"}, "mixup": 0.2})
    assert TrainConfig.from_dict({"distill": {"teacher": "t.pt", "weight": 0.8}}).distill.weight == 0.8


def test_teacher_with_other_labels_or_of_another_split_is_refused(cafe3, run_dir, tmp_path):  # noqa: F811
    ck = load_checkpoint(run_dir / "last.pt")
    with pytest.raises(CheckpointError, match="distill.teacher: checkpoint not found"):
        Teacher(DistillConfig(str(tmp_path / "none.pt")), ck["labels"])
    with pytest.raises(CheckpointError, match="other labels"):
        Teacher(DistillConfig(str(run_dir / "last.pt")), list(reversed(ck["labels"])))
    teacher = Teacher(DistillConfig(str(run_dir / "last.pt")), ck["labels"])
    teacher.check_split(ck["val_ids"], ck["test_ids"])                 # the teacher's own split: fine
    with open(cafe3 / "index.csv") as f:
        trained_on = [r["id"] for r in csv.DictReader(f) if r["id"] not in teacher.held_out]
    assert trained_on
    with pytest.raises(CheckpointError, match="validates or tests on"):
        teacher.check_split([], ck["test_ids"] + trained_on[:1])
    # a whole run with a split whose test rows the teacher trained on stops before writing anything
    # (a teacher that held out only half of these test rows, i.e. trained on the others)
    ck["test_ids"] = ck["test_ids"][::2]
    torch.save(ck, tmp_path / "teacher.pt")
    cfg = tiny_config(cafe3, tmp_path / "student", epochs=1, distill={"teacher": str(tmp_path / "teacher.pt")})
    with pytest.raises(CheckpointError, match="validates or tests on"):
        train(cfg)
    assert not (tmp_path / "student").exists() or not any((tmp_path / "student").iterdir())


def test_student_learns_from_a_conv1d_teacher(cafe3, run_dir, tmp_path):  # noqa: F811
    """Same split as the teacher (the run_dir fixture's): accepted, trains, differs from plain training."""
    cfg = tiny_config(cafe3, tmp_path / "student", epochs=1, distill={"teacher": str(run_dir / "last.pt"),
                                                                       "weight": 0.9})
    cfg.model = dict(cfg.model, arch="conv1d", n_conv=2)
    best = load_checkpoint(train(cfg))
    assert best["config"]["distill"]["weight"] == 0.9
    plain_cfg = tiny_config(cafe3, tmp_path / "plain", epochs=1)
    plain_cfg.model = dict(cfg.model)
    plain = load_checkpoint(train(plain_cfg))
    assert not torch.equal(best["model"]["head.weight"], plain["model"]["head.weight"])
