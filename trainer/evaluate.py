"""`slr-train evaluate`: held-out metrics of a checkpoint (.pt) or an exported model (.onnx).

An .onnx is run through the app's own `slr_desktop.core.runtime.Classifier`, so the figures are
those of the file users load. Labels are matched by name; samples whose gloss the model does not
know are skipped and counted. Only real rows are scored (augmented copies never are).

    placement centre  clip-style windows (window.fit_window), as in training validation
    placement live    each sign at a seeded random offset between idle frames, as the live ring
                      buffer sees it (dataset.live_condition_windows)
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from slr_desktop.core.atomic import atomic_write_text, check_output_dir, check_output_file
from slr_desktop.core.landmarks import LandmarkSequence

from .errors import DataError, command
from .metrics import plot_confusion, report, write_per_class_csv

PredictFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (N, T, 75, 3), (N, T, 75) -> probs (N, K)


def windows(seqs: Sequence[LandmarkSequence], labels: list[str], seq_len: int, fps: float,
            placement: str = "centre", idle_pool: Sequence[LandmarkSequence] | None = None):
    """Deterministic evaluation windows X (N, T, 75, 3), M (N, T, 75), y (N,) for known labels."""
    from .dataset import WindowDataset, live_condition_windows

    if placement == "live":
        return live_condition_windows(seqs, labels, seq_len, fps, idle_pool=idle_pool, seed=0)
    if placement != "centre":
        raise ValueError(f"placement must be 'centre' or 'live', got {placement!r}")
    return WindowDataset(seqs, labels, seq_len, fps, augment=None, placement="centre", seed=0).arrays()


def evaluate_model_on(predict: PredictFn, labels: list[str], seqs: Sequence[LandmarkSequence], seq_len: int,
                      fps: float, placement: str = "centre", batch: int = 64,
                      idle_pool: Sequence[LandmarkSequence] | None = None) -> dict:
    """Score `predict` on the real rows of `seqs`; returns the report dict (see metrics.report)."""
    real = [s for s in seqs if s.meta.get("real", True)]
    known = set(labels)
    skipped = sorted({s.gloss for s in real if s.gloss not in known})
    X, M, y = windows(real, labels, seq_len, fps, placement, idle_pool)
    probs = [predict(X[s:s + batch], M[s:s + batch]) for s in range(0, len(y), batch)]
    probs = np.concatenate(probs) if probs else np.zeros((0, len(labels)), np.float32)
    rep = report(probs, y, labels)
    rep.update(placement=placement, n_skipped_unknown_label=sum(s.gloss not in known for s in real),
               skipped_labels=skipped, n_not_real=len(seqs) - len(real), targets=[int(v) for v in y],
               **gate_inputs(probs))
    return rep


def gate_inputs(probs: np.ndarray) -> dict:
    """Top probability and argmax per window: all a confidence gate (trainer.open_set) needs."""
    return dict(max_probs=[round(float(v), 5) for v in probs.max(-1)] if len(probs) else [],
                preds=[int(v) for v in probs.argmax(-1)] if len(probs) else [])


def score_unknown(predict: PredictFn, labels: list[str], seqs: Sequence[LandmarkSequence], seq_len: int,
                  fps: float, placement: str = "centre", batch: int = 64,
                  idle_pool: Sequence[LandmarkSequence] | None = None) -> dict:
    """Out-of-vocabulary signs: the real rows of `seqs` whose gloss the model does not know, scored
    for what a gate would accept (no top-1: they have no right answer among the labels)."""
    oov = [s for s in seqs if s.meta.get("real", True) and s.gloss not in set(labels) and s.mask.any()]
    marker = "\0oov"
    relabelled = [replace(s, gloss=marker) for s in oov]
    X, M, _ = windows(relabelled, list(labels) + [marker], seq_len, fps, placement, idle_pool)
    probs = [predict(X[s:s + batch], M[s:s + batch]) for s in range(0, len(X), batch)]
    probs = np.concatenate(probs) if probs else np.zeros((0, len(labels)), np.float32)
    return dict(n=len(oov), labels=list(labels), placement=placement, as_unknown=True,
                source_glosses=sorted({s.gloss for s in oov}), **gate_inputs(probs))


def write_report(rep: dict, out: str | os.PathLike, stem: str = "eval", json_path: str | os.PathLike | None = None) -> Path:
    """<out>/<stem>_metrics.json (or json_path), <stem>_confusion.png, <stem>_per_class.csv."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jp = Path(json_path) if json_path else out / f"{stem}_metrics.json"
    atomic_write_text(jp, json.dumps(rep, indent=1, sort_keys=False) + "\n")
    write_per_class_csv(rep, out / f"{stem}_per_class.csv")
    title = f"top-1 {rep['top1']:.3f}, macro-F1 {rep['macro_f1']:.3f}, n={rep['n']} ({rep.get('placement', '')})"
    plot_confusion(np.asarray(rep["confusion"]), rep["labels"], out / f"{stem}_confusion.png", title)
    return jp


def _looks_like_onnx(path: Path) -> bool:
    """A file that is not a PyTorch checkpoint (zip or pickle) is tried as ONNX."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return bool(head) and head[:2] != b"PK" and head[:1] != b"\x80"


def load_predictor(model_path: str | os.PathLike) -> tuple[PredictFn, list[str], int, float, dict]:
    """(predict, labels, seq_len, fps, checkpoint-or-{}) for a .pt checkpoint or an .onnx model."""
    path = Path(model_path)
    if path.suffix.lower() == ".onnx" or (path.suffix.lower() not in (".pt", ".pth") and _looks_like_onnx(path)):
        from slr_desktop.core.runtime import Classifier

        clf = Classifier(path)
        return clf.predict, list(clf.labels), clf.meta.seq_len, clf.meta.fps, {}
    from .checkpoint import checkpoint_fps, load_checkpoint, model_from_checkpoint, predict

    ck = load_checkpoint(path)
    model = model_from_checkpoint(ck, path.name)
    return (lambda lm, mk: predict(model, lm, mk)), list(ck["labels"]), model.cfg.seq_len, checkpoint_fps(ck), ck


def evaluate_path(model_path: str | os.PathLike, data: str | os.PathLike, placement: str = "centre",
                  split_of: str | os.PathLike | None = None,
                  idle_pool: str | os.PathLike | None = None, group: str | None = None,
                  split: str = "test", as_unknown: bool = False) -> dict:
    """Metrics on the real rows of `data` (optionally only `split_of`'s test ids).

    placement "live": each sequence is placed at a seeded random offset in the window and padded
    with real idle frames: from the evaluated rows' own idle sequences when they have any (e.g.
    the held-out recorder's), else from the set at `idle_pool`.
    """
    from .checkpoint import load_checkpoint
    from .landmark_sets import idle_sequences, load_set

    predict, labels, seq_len, fps, _ = load_predictor(model_path)
    all_seqs = load_set(data)
    seqs = all_seqs
    subset = "all real rows"
    if split_of is not None:
        if split not in ("test", "val"):
            raise ValueError(f"split must be 'test' or 'val', got {split!r}")
        ids = set(load_checkpoint(split_of).get(f"{split}_ids", []))
        seqs = [s for s in seqs if str(s.meta.get("id", "")) in ids]
        subset = f"{split} split of {Path(split_of).name} ({len(ids)} ids)"
    if group is not None:
        seqs = [s for s in seqs if str(s.meta.get("group", "")) == group]
        if not seqs:
            raise DataError(f"no sequences of group {group!r} in {data}")
        subset = f"{subset}, group {group}" if split_of is not None else f"real rows of group {group}"
    known = set(labels)
    # --as-unknown scores the rows whose gloss the model does not know: at least one must be there
    if not any((s.gloss not in known if as_unknown else s.gloss in known) and s.meta.get("real", True)
               for s in seqs):
        if as_unknown:
            raise DataError(f"every sequence to score in {data} has a label the model knows: nothing to score "
                            "as an unknown sign")
        glosses = sorted({s.gloss for s in seqs})
        raise DataError(f"none of the {len(seqs)} sequences to score in {data} has a label the model knows "
                        f"(data: {', '.join(map(repr, glosses[:5]))}{'...' if len(glosses) > 5 else ''}; "
                        f"model: {', '.join(map(repr, labels[:5]))}{'...' if len(labels) > 5 else ''})")
    idle = None
    if placement == "live":
        idle = idle_sequences(seqs) or (idle_sequences(load_set(idle_pool)) if idle_pool else None)
        if not idle:
            idle = idle_sequences(all_seqs)
    if as_unknown:
        rep = score_unknown(predict, labels, seqs, seq_len, fps, placement, idle_pool=idle)
    else:
        rep = evaluate_model_on(predict, labels, seqs, seq_len, fps, placement, idle_pool=idle)
    rep.update(model=str(model_path), data=str(data), subset=subset)
    return rep


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="checkpoint (.pt) or exported model (.onnx)")
    p.add_argument("data", help="imported/extracted set dir")
    p.add_argument("--json", help="metrics JSON path (default OUT/eval_metrics.json)")
    p.add_argument("--out", help="dir for the confusion PNG and per-class CSV (default: beside the JSON, "
                                 "else eval_<model>)")
    p.add_argument("--placement", choices=["centre", "live"], default="centre")
    p.add_argument("--split-of", help="score only the test-split ids of this checkpoint")
    p.add_argument("--split", choices=["test", "val"], default="test",
                   help="with --split-of: that checkpoint's test (default) or validation ids")
    p.add_argument("--as-unknown", action="store_true",
                   help="score DATA as out-of-vocabulary signs (rows whose gloss the model knows are left "
                        "out): records what a confidence gate accepts, no top-1")
    p.add_argument("--group", help="score only rows of this split group (e.g. a cafe_words recorder)")
    p.add_argument("--idle-pool", help="set dir with real idle sequences for --placement live when DATA "
                                       "has none (e.g. the imported cafe_words set)")


@command("evaluate")
def run(args: argparse.Namespace) -> int:
    out = args.out or (Path(args.json).parent if args.json else Path(f"eval_{Path(args.model).stem}"))
    check_output_dir(out, "--out folder")  # before the evaluation, not after it
    if args.json:
        check_output_file(args.json, "--json file")
    rep = evaluate_path(args.model, args.data, args.placement, args.split_of, args.idle_pool, args.group,
                        split=args.split, as_unknown=args.as_unknown)
    if args.as_unknown:
        return _report_unknown(rep, args)
    jp = write_report(rep, out, stem="eval", json_path=args.json)
    print(f"{rep['n']} samples ({rep['n_skipped_unknown_label']} with unknown labels skipped): "
          f"top-1 {rep['top1']:.3f} top-5 {rep['top5']:.3f} macro-F1 {rep['macro_f1']:.3f} -> {jp}")
    return 0


def _report_unknown(rep: dict, args: argparse.Namespace) -> int:
    """--as-unknown: the JSON (gate inputs) and one line on what the model's own gate accepts."""
    from .open_set import accepted

    gate = dict(threshold=0.5, idle_label=None, unknown_label=None)
    if Path(args.model).suffix == ".onnx":
        from slr_desktop.core.runtime import Classifier

        m = Classifier(args.model).meta
        gate = dict(threshold=m.threshold, idle_label=m.idle_label, unknown_label=m.unknown_label)
    acc = accepted(rep["preds"], rep["max_probs"], rep["labels"], gate["threshold"], gate["idle_label"],
                   gate["unknown_label"])
    rep.update(gate=gate, accepted=float(acc.mean()) if len(acc) else float("nan"))
    jp = Path(args.json) if args.json else Path(f"eval_{Path(args.model).stem}") / "unknown_metrics.json"
    jp.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(jp, json.dumps(rep, indent=1) + "\n")
    print(f"{rep['n']} out-of-vocabulary samples: {100 * rep['accepted']:.1f}% accepted as a sign at threshold "
          f"{gate['threshold']:g} -> {jp}")
    return 0
