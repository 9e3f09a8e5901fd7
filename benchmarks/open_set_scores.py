#!/usr/bin/env python
"""Which open-set score tells a known sign from an unknown one? Measured on held-out real signs.

The decoder accepts a window as "sign X" when X (a vocabulary label: not idle, not "?") is the
argmax and its softmax probability clears a threshold (MSP, maximum softmax probability). The
literature offers other scores computed from the same logits: the maximum logit (MLS, Hendrycks et
al. 2022), the energy (logsumexp of the logits, Liu et al. 2020) and MSP at a temperature. This
scores each trained fold model (`.pt`, needs torch) on its own test split's known signs and on
out-of-vocabulary signs, and prints per score: AUROC (known vs unknown; 0.5 = no better than a coin)
and the share of unknown signs accepted at the threshold that keeps 85% of the known ones (the
decoder issue's goal: <= 10%). Windows are centred (aligned); a window whose argmax is idle or "?" is
rejected under every score.

    python benchmarks/open_set_scores.py --runs runs/wlasl50-f{0,1,2,3,4}-noother --known data/wlasl50 \\
        --unknown data/wlasl_clips --unknown data/cafe_words@TheCamNelson --json scores.json
    python benchmarks/open_set_scores.py --runs runs/cafe-c2d --known data/cafe_words \\
        --unknown data/cafe_letters@held --idle -

`--unknown DIR` scores every real row of DIR whose gloss the model does not know; `DIR@GROUP` only
that split group (a recorder); `DIR@held` only the rows in the run's test ids (what the run held
out of its other-sign class).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KNOWN_SHARE = 0.85


def auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(score of a known sign > score of an unknown one), ties counted half (Mann-Whitney U)."""
    if not len(pos) or not len(neg):
        return float("nan")
    both = np.concatenate([pos, neg])
    order = both.argsort(kind="mergesort")
    ranks = np.empty(len(both))
    ranks[order] = np.arange(1, len(both) + 1)
    for v in np.unique(both):          # average ranks of ties
        tie = both == v
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def scores(logits: np.ndarray, vocab: np.ndarray) -> dict[str, np.ndarray]:
    """Per window and score: higher = more like a known sign; -inf when the argmax is not vocabulary."""
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    z2 = logits / 2.0
    z2 = z2 - z2.max(-1, keepdims=True)
    p2 = np.exp(z2) / np.exp(z2).sum(-1, keepdims=True)
    lv = logits[:, vocab]
    m = lv.max(-1, keepdims=True)
    out = {"msp": p[:, vocab].max(-1), "msp_T2": p2[:, vocab].max(-1), "max_logit": lv.max(-1),
           "energy": (m + np.log(np.exp(lv - m).sum(-1, keepdims=True)))[:, 0]}
    ok = np.isin(logits.argmax(-1), np.flatnonzero(vocab))
    return {k: np.where(ok, v, -np.inf) for k, v in out.items()}


def unknown_at_known_share(known: np.ndarray, unknown: np.ndarray, share: float = KNOWN_SHARE) -> float:
    """Share of unknown windows accepted at the highest threshold that still accepts `share` of known."""
    finite = np.sort(known[np.isfinite(known)])[::-1]
    need = int(np.ceil(share * len(known)))
    if need > len(finite):
        return float("nan")          # the argmax alone rejects more than 1 - share of the known signs
    t = finite[need - 1]
    return float((unknown >= t).mean())


def main(argv: list[str] | None = None) -> int:
    import torch

    from trainer.checkpoint import checkpoint_fps, load_checkpoint, model_from_checkpoint
    from trainer.evaluate import windows
    from trainer.landmark_sets import load_set

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", nargs="+", type=Path, required=True, help="run dirs (best.pt with test ids)")
    p.add_argument("--known", type=Path, required=True, help="the vocabulary's landmark set")
    p.add_argument("--unknown", action="append", default=[], metavar="DIR[@GROUP|@held]")
    p.add_argument("--idle", default="-", help="the idle label (its rows are not known signs)")
    p.add_argument("--unknown-label", default="?")
    p.add_argument("--json", type=Path)
    a = p.parse_args(argv)

    def logits_of(model, seqs, labels, ck) -> np.ndarray:
        seqs = [replace(s, gloss=labels[0]) for s in seqs]     # windows() wants a known label
        X, M, _ = windows(seqs, labels, model.cfg.seq_len, checkpoint_fps(ck), "centre")
        with torch.no_grad():
            return np.concatenate([model(torch.as_tensor(X[i:i + 64]), torch.as_tensor(M[i:i + 64])).numpy()
                                   for i in range(0, len(X), 64)])

    known_set = load_set(a.known)
    unknown_sets = {u: load_set(u.split("@")[0]) for u in a.unknown}
    pooled: dict[str, dict[str, list[np.ndarray]]] = {}
    top1 = []
    for run in a.runs:
        ck = load_checkpoint(run / "best.pt")
        model = model_from_checkpoint(ck, str(run))
        labels = list(ck["labels"])
        vocab = np.array([lab not in (a.idle, a.unknown_label) for lab in labels])
        ids = set(map(str, ck.get("test_ids", [])))
        known = [s for s in known_set if str(s.meta.get("id")) in ids and s.meta.get("real", True)
                 and s.gloss in labels and vocab[labels.index(s.gloss)]]
        lk = logits_of(model, known, labels, ck)
        y = np.array([labels.index(s.gloss) for s in known])
        top1.append(float((lk.argmax(-1) == y).mean()))
        pooled.setdefault("known", {})
        for k, v in scores(lk, vocab).items():
            pooled["known"].setdefault(k, []).append(v)
        for spec, seqs in unknown_sets.items():
            where = spec.split("@")[1] if "@" in spec else None
            rows = [s for s in seqs if s.meta.get("real", True) and s.gloss not in labels and s.mask.any()]
            if where == "held":
                rows = [s for s in rows if str(s.meta.get("id")) in ids]
            elif where:
                rows = [s for s in rows if str(s.meta.get("group")) == where]
            pooled.setdefault(spec, {})
            for k, v in scores(logits_of(model, rows, labels, ck), vocab).items():
                pooled[spec].setdefault(k, []).append(v)
        print(f"{run.name}: {len(known)} known test signs (top-1 {top1[-1]:.3f})", flush=True)

    known = {k: np.concatenate(v) for k, v in pooled.pop("known").items()}
    res = {"runs": [str(r) for r in a.runs], "known": str(a.known), "n_known": int(len(known["msp"])),
           "top1": float(np.mean(top1)), "known_share": KNOWN_SHARE, "unknown": {}}
    for spec, per in pooled.items():
        res["unknown"][spec] = {"n": sum(len(v) for v in per["msp"])}
        for k, v in per.items():
            u = np.concatenate(v)
            res["unknown"][spec][k] = {"auroc": round(auroc(known[k], u), 4),
                                       "unknown_accepted_at_85": round(unknown_at_known_share(known[k], u), 4)}
            print(f"{spec:<45} {k:<10} AUROC {res['unknown'][spec][k]['auroc']:.3f}  unknown accepted when "
                  f"{KNOWN_SHARE:.0%} of known are: {res['unknown'][spec][k]['unknown_accepted_at_85']:.1%}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
