"""Knowledge distillation: a model learns from a teacher's softened probabilities as well as the labels.

    loss = (1 - weight) * CE(student, labels) + weight * T^2 * KL(teacher_T || student_T)

(Hinton et al. 2015). With 4-13 examples a class a teacher's "this looks a bit like X" carries more
than one-hot labels, and a teacher of another architecture (the 1D-CNN) hands over what its own
inductive bias found. The teacher sees the same augmented batch, in eval mode, without gradients.

Honesty: a teacher that trained on rows this run evaluates on would leak them into the student.
`Teacher.check_split` refuses a teacher unless every row this run validates or tests on was held
out of the teacher's training too (its own test or validation ids).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .checkpoint import load_checkpoint, model_from_checkpoint
from .errors import CheckpointError


@dataclass
class DistillConfig:
    teacher: str                 # an `slr-train train` checkpoint (.pt) trained on this run's training rows
    weight: float = 0.5          # share of the loss from the teacher
    temperature: float = 2.0

    def __post_init__(self) -> None:
        self.teacher = str(self.teacher)
        if not 0.0 < self.weight <= 1.0:
            raise ValueError("distill.weight must be in (0, 1]")
        if self.temperature <= 0:
            raise ValueError("distill.temperature must be > 0")


class Teacher:
    def __init__(self, cfg: DistillConfig, labels: list[str], device: torch.device | str = "cpu") -> None:
        self.cfg = cfg
        try:
            ck = load_checkpoint(cfg.teacher)
        except CheckpointError as e:
            raise CheckpointError(f"distill.teacher: {e}") from None
        if list(ck["labels"]) != list(labels):
            raise CheckpointError(f"distill.teacher {cfg.teacher}: trained on other labels than this run")
        self.model = model_from_checkpoint(ck, f"distill.teacher {cfg.teacher}").to(device)
        self.held_out = set(ck.get("test_ids", [])) | set(ck.get("val_ids", []))

    def check_split(self, val_ids: list[str], test_ids: list[str]) -> None:
        seen = sorted(i for i in (set(val_ids) | set(test_ids)) - self.held_out if i)
        if seen:
            raise CheckpointError(f"distill.teacher {self.cfg.teacher} trained on {len(seen)} rows this run "
                                  f"validates or tests on (e.g. {seen[0]}): use a teacher of the same split")

    @torch.no_grad()
    def logits(self, lm: torch.Tensor, mk: torch.Tensor) -> torch.Tensor:
        return self.model(lm, mk)

    def loss(self, student_logits: torch.Tensor, teacher_logits: torch.Tensor, hard_loss: torch.Tensor) -> torch.Tensor:
        t, w = self.cfg.temperature, self.cfg.weight
        soft = F.kl_div(F.log_softmax(student_logits / t, -1), F.log_softmax(teacher_logits / t, -1),
                        reduction="batchmean", log_target=True) * t * t
        return (1 - w) * hard_loss + w * soft
