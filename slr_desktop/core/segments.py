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


__all__ = ["LabelProb", "STATUS_TEXT", "Segment", "Status", "clip_status"]
