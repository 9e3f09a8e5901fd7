"""What the sign decoder reports: statuses a user can see and segments (one per sign)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    NO_PERSON = "no_person"
    NO_SIGN = "no_sign"
    SIGNING = "signing"
    SIGN = "sign"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


STATUS_TEXT = {
    Status.NO_PERSON: "no one there",
    Status.NO_SIGN: "no sign",
    Status.SIGNING: "signing (not sure yet)",
    Status.SIGN: "sign",
    Status.UNKNOWN: "unknown sign",
}


IDLE_TEXT = "no sign"            # the model's idle class, in words
UNKNOWN_TEXT = "unknown sign"    # a sign outside the vocabulary (or the model's "other sign" class)


def display_label(label: str | None, idle_label: str | None = None, unknown_label: str | None = None) -> str:
    """A label as a person reads it: the idle class (often "-") is "no sign", the model's
    "other sign" class and an unknown segment (None) are "unknown sign"; signs stay as they are."""
    if label is None or (unknown_label is not None and label == unknown_label):
        return UNKNOWN_TEXT
    if idle_label is not None and label == idle_label:
        return IDLE_TEXT
    return label


@dataclass(frozen=True)
class LabelProb:
    label: str
    prob: float


@dataclass(frozen=True)
class Segment:
    """One signing stretch. `label` is None for a sign the model does not know."""

    start_s: float
    end_s: float
    label: str | None
    prob: float                       # the label's mean probability over the segment's windows
    top: tuple[LabelProb, ...] = ()   # top-5 of the mean, vocabulary labels first-class

    def to_json(self) -> dict:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "label": self.label,
                "prob": round(self.prob, 4), "top": [{"label": p.label, "prob": round(p.prob, 4)} for p in self.top]}


def clip_status(segments: list[Segment] | tuple[Segment, ...], person_seen: bool) -> Status:
    """One word for a whole file: a sign was accepted, only unknown signs, nothing, nobody."""
    if any(s.label is not None for s in segments):
        return Status.SIGN
    if segments:
        return Status.UNKNOWN
    return Status.NO_SIGN if person_seen else Status.NO_PERSON


__all__ = ["IDLE_TEXT", "LabelProb", "STATUS_TEXT", "Segment", "Status", "UNKNOWN_TEXT", "clip_status",
           "display_label"]
