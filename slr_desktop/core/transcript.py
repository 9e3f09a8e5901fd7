"""What was recognised, as text people and tools read: a plain transcript, SRT, WebVTT, CSV.

Input is the decoder's `Segment`s (start, end, label or None for an unknown sign, probability);
`classify --srt/--vtt` and the app's *Export Transcript* both write through here. Labels are
model data, so control characters are replaced before they reach a terminal or a subtitle file.
"""
from __future__ import annotations

import csv
import io
import os
import re
from typing import Iterable

from .atomic import atomic_write_text
from .decoder import Segment

UNKNOWN_TEXT = "[unknown sign]"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """A label safe for one line of a terminal or a subtitle: no control characters, no newlines."""
    return _CONTROL.sub(" ", str(text)).strip()


def label_text(seg: Segment) -> str:
    return clean(seg.label) if seg.label is not None else UNKNOWN_TEXT


def plain(segments: Iterable[Segment]) -> str:
    """The recognised signs in order, one line: `before change [unknown sign] go`."""
    return " ".join(label_text(s) for s in segments)


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cues(segments: Iterable[Segment]) -> list[tuple[float, float, str]]:
    out = []
    for s in segments:
        end = max(s.end_s, s.start_s + 0.2)          # a cue must be visible for a moment
        text = label_text(s) + (f" ({s.prob:.0%})" if s.label is not None else "")
        out.append((s.start_s, end, text))
    return out


def to_srt(segments: Iterable[Segment]) -> str:
    blocks = [f"{i}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{text}\n"
              for i, (a, b, text) in enumerate(_cues(segments), 1)]
    return "\n".join(blocks)


def to_vtt(segments: Iterable[Segment]) -> str:
    blocks = [f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{text}\n" for a, b, text in _cues(segments)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_csv(segments: Iterable[Segment]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["start_s", "end_s", "label", "prob", "top"])
    for s in segments:
        top = "; ".join(f"{clean(p.label)} {p.prob:.3f}" for p in s.top)
        w.writerow([f"{s.start_s:.3f}", f"{s.end_s:.3f}", "" if s.label is None else clean(s.label),
                    f"{s.prob:.4f}", top])
    return buf.getvalue()


WRITERS = {".srt": to_srt, ".vtt": to_vtt, ".csv": to_csv, ".txt": lambda segs: plain(segs) + "\n"}


def write(path: str | os.PathLike, segments: Iterable[Segment], kind: str | None = None) -> None:
    """Write `segments` atomically in the format named by `kind` or the file's extension."""
    ext = (kind or os.path.splitext(str(path))[1]).lower()
    if not ext.startswith("."):
        ext = "." + ext
    if ext not in WRITERS:
        raise ValueError(f"unknown transcript format {ext!r}; use one of {', '.join(WRITERS)}")
    atomic_write_text(path, WRITERS[ext](list(segments)))


__all__ = ["UNKNOWN_TEXT", "WRITERS", "clean", "label_text", "plain", "to_csv", "to_srt", "to_vtt", "write"]
