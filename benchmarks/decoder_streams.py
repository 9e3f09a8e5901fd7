#!/usr/bin/env python
"""How well does the sign decoder turn a stream into the right segments? Measured on real landmarks.

Streams are built from real tracked sequences the model never trained on, joined the way a person
signs in front of the app: a sign, a pause, the next sign. Every stream item is a known sign (its
label) or an out-of-vocabulary sign (expected: an *unknown* segment); the pauses are real idle
sequences of the same recorder (cafe) or a held last frame (WLASL clips: a freeze frame, what
`ffmpeg tpad` makes). The decoded segment labels are aligned with the truth (edit distance) and
counted: correct, wrong label, missed (deletion), extra (insertion); unknown signs count as correct
when they come out as unknown.

    python benchmarks/decoder_streams.py --model models/cafe-words.onnx --set data/cafe_all \\
        --group TheCamNelson --json docs/decoder_cafe.json
    python benchmarks/decoder_streams.py --model models/wlasl50.onnx --set data/wlasl_clips --json ...

`--set` is a landmark set (`slr-train import` / `extract` output) with per-frame timestamps or a
nominal fps; `--group` keeps only that split group (a held-out recorder). Items per stream and the
number of streams are seeded.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slr_desktop.core.decoder import DecoderConfig  # noqa: E402
from slr_desktop.core.landmarks import LandmarkFrame, LandmarkSequence  # noqa: E402
from slr_desktop.core.stream import SignStream  # noqa: E402


def frames_of(seq: LandmarkSequence, t0_ms: float) -> tuple[list[LandmarkFrame], float]:
    """The sequence as tracker frames on a stream clock starting at t0; returns (frames, end_ms)."""
    frames = seq.frames()
    shift = t0_ms - frames[0].timestamp_ms
    out = [replace(f, timestamp_ms=int(round(f.timestamp_ms + shift))) for f in frames]
    return out, float(out[-1].timestamp_ms + 1000.0 / seq.fps)


def hold(frame: LandmarkFrame, t0_ms: float, seconds: float, fps: float) -> tuple[list[LandmarkFrame], float]:
    """A freeze frame: the same landmarks for `seconds` (ffmpeg tpad stop_mode=clone)."""
    n = int(round(seconds * fps))
    step = 1000.0 / fps
    out = [LandmarkFrame(frame.points, frame.present, int(round(t0_ms + k * step)), k, frame.width, frame.height)
           for k in range(n)]
    return out, t0_ms + n * step


def align(truth: list[str | None], got: list[str | None]) -> Counter:
    """Edit-distance alignment counts: correct, wrong, missed, extra, each also split by whether the
    true item is a known sign (`known_*`) or an unknown one (`unknown_*`)."""
    n, m = len(truth), len(got)
    d = np.zeros((n + 1, m + 1), np.int64)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (truth[i - 1] != got[j - 1]))
    c: Counter = Counter()

    def count(what: str, lab: str | None) -> None:
        c[what] += 1
        c[f"{'unknown' if lab is None else 'known'}_{what}"] += 1

    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (truth[i - 1] != got[j - 1]):
            count("correct" if truth[i - 1] == got[j - 1] else "wrong", truth[i - 1])
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            count("missed", truth[i - 1])
            i -= 1
        else:
            c["extra"] += 1
            j -= 1
    return c


def run_stream(clf, items: list[tuple[list[LandmarkFrame], str | None]], every_s: float,
               config: DecoderConfig | None) -> tuple[list[str | None], list]:
    stream = SignStream(clf, every_s=every_s, config=config)
    segments = []
    for frames, _ in items:
        for f in frames:
            segments += stream.push(f).state.segments
    segments += stream.finish().state.segments
    return [s.label for s in segments], segments


def run_baseline(clf, items: list[tuple[list[LandmarkFrame], str | None]], every_s: float) -> list[str | None]:
    """What the app did before the decoder: smoothed window probabilities, a threshold + idle gate,
    and a new history entry whenever the gated label changes (app/presenter.SignDecider)."""
    from slr_desktop.app.presenter import PredictionSmoother, SignDecider
    from slr_desktop.core.window import RingWindow

    ring = RingWindow(clf.meta.seq_len, clf.meta.fps)
    smoother, decider = PredictionSmoother(0.5), SignDecider(clf.meta.threshold, clf.meta.idle_label, 10**6)
    last = None
    for frames, _ in items:
        for f in frames:
            ring.push(f)
            if last is None or f.timestamp_ms - last >= every_s * 1000.0 - 1e-6:
                last = f.timestamp_ms
                decider.update(clf.labels, smoother.update(clf.predict(*ring.snapshot())))
    return list(decider.history)


def build_streams(seqs: list[LandmarkSequence], vocab: set[str], idle_label: str | None, n_streams: int,
                  per_stream: int, gap_s: float, seed: int) -> list[list[tuple[list[LandmarkFrame], str | None]]]:
    rng = np.random.default_rng(seed)
    signs = [s for s in seqs if s.gloss != idle_label and s.mask.any()]
    idle = [s for s in seqs if s.gloss == idle_label and s.mask.any() and not s.meta.get("all_zero")]
    streams = []
    for _ in range(n_streams):
        t, items = 0.0, []
        for k in rng.choice(len(signs), size=min(per_stream, len(signs)), replace=False):
            seq = signs[int(k)]
            if idle:   # a real pause of the same recorder
                fr, t = frames_of(idle[int(rng.integers(len(idle)))], t)
                items.append((fr, "__pause__"))
            fr, t = frames_of(seq, t)
            items.append((fr, seq.gloss if seq.gloss in vocab else None))
            if not idle:   # a freeze frame after the clip, as ffmpeg tpad makes
                fr, t = hold(fr[-1], t, gap_s, seq.fps)
                items.append((fr, "__pause__"))
        if idle:
            fr, t = frames_of(idle[int(rng.integers(len(idle)))], t)
            items.append((fr, "__pause__"))
        streams.append(items)
    return streams


def evaluate(clf, streams, every_s: float, config: DecoderConfig | None, baseline: bool = False) -> dict:
    total: Counter = Counter()
    known: Counter = Counter()
    examples = []
    for items in streams:
        truth = [lab for _, lab in items if lab != "__pause__"]
        got = run_baseline(clf, items, every_s) if baseline else run_stream(clf, items, every_s, config)[0]
        total += align(truth, got)
        for lab in truth:
            known["unknown_items" if lab is None else "known_items"] += 1
        if len(examples) < 3:
            examples.append({"truth": truth, "decoded": got})
    n = sum(1 for items in streams for _, lab in items if lab != "__pause__")
    return {"items": n, **{k: int(v) for k, v in total.items()}, **{k: int(v) for k, v in known.items()},
            "accuracy": round(total["correct"] / max(1, n), 4), "examples": examples}


def main(argv: list[str] | None = None) -> int:
    from slr_desktop.core.runtime import Classifier
    from trainer.landmark_sets import load_set

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--set", required=True, help="landmark set dir")
    p.add_argument("--group", action="append", help="keep only these split groups (held-out recorders)")
    p.add_argument("--streams", type=int, default=20)
    p.add_argument("--per-stream", type=int, default=6)
    p.add_argument("--gap", type=float, default=1.0, help="freeze-frame pause in seconds (sets without idle rows)")
    p.add_argument("--every", type=float, default=2 / 30.0, help="seconds of stream time between classifications")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json")
    p.add_argument("--baseline", action="store_true", help="also score the pre-decoder gate (SignDecider)")
    a = p.parse_args(argv)
    clf = Classifier(a.model)
    seqs = load_set(a.set)
    if a.group:
        seqs = [s for s in seqs if str(s.meta.get("group")) in set(a.group)]
    vocab = {lab for lab in clf.labels if lab not in (clf.meta.idle_label, getattr(clf.meta, "unknown_label", None))}
    streams = build_streams(seqs, vocab, clf.meta.idle_label, a.streams, a.per_stream, a.gap, a.seed)
    res = evaluate(clf, streams, a.every, None)
    res.update(model=a.model, set=a.set, groups=a.group, config=asdict(DecoderConfig()), every_s=a.every)
    if a.baseline:
        res["baseline"] = evaluate(clf, streams, a.every, None, baseline=True)
    def line(name: str, r: dict) -> str:
        kn, un = r.get("known_items", 0), r.get("unknown_items", 0)
        return (f"{name:<9} {r['items']} items: {100 * r['accuracy']:.1f}% correct | known {kn}: correct "
                f"{r.get('known_correct', 0)}, wrong {r.get('known_wrong', 0)}, missed {r.get('known_missed', 0)} | "
                f"unknown {un}: as unknown {r.get('unknown_correct', 0)}, as a sign {r.get('unknown_wrong', 0)}, "
                f"missed {r.get('unknown_missed', 0)} | extra {r.get('extra', 0)}")
    print(line("decoder", res))
    if a.baseline:
        print(line("baseline", res["baseline"]))
    for ex in res["examples"]:
        print("truth  ", ex["truth"])
        print("decoded", ex["decoded"])
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
