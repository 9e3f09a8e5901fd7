#!/usr/bin/env python
"""Reproduce the bundled models (models/cafe-words.onnx, models/wlasl50.onnx) from ../shared.

Every step is an ordinary `slr-train` command, printed before it runs; finished steps are skipped
and an interrupted training run resumes from its last checkpoint, so the script can be re-run.
Two lanes (cafe-words, wlasl50) run side by side, one CPU thread each.

  python scripts/make_models.py [--shared ../shared] [--data data] [--runs runs] [--models models]

Protocol (the honest figures on the model cards come from runs that never saw their test data):
- cafe-words: train on one recorder, test on the other, both ways (aligned and live-condition);
  the shipped model is the one trained on recorder dmohazab, so its headline figure (on the
  never-seen recorder TheCamNelson) can be reproduced from the shipped file alone.
- wlasl50: stratified 5-fold over the 423 real sequences (augmented copies not used); each fold's
  model is scored on its test fold, aligned and live-condition, and on held-out real idle windows
  for the "no sign" gate; the shipped model is trained on all real sequences with the same recipe.
  Idle padding during training comes from one cafe_words recorder (dmohazab); the other
  recorder's idle sequences are kept for measuring the gate.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_FOLDS = 5
GATE_THRESHOLDS = (0.3, 0.5, 0.7)
WLASL_THRESHOLD = 0.5   # fixed before looking at any held-out figure
CAFE_THRESHOLD = 0.6
_print_lock = threading.Lock()


def log(msg: str) -> None:
    with _print_lock:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(*cmd: str) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(list(cmd), check=True)


def slr_train(*args: str) -> None:
    sh(sys.executable, "-m", "trainer.cli", *args)


def train(cfg: Path, out: Path, *sets: str) -> Path:
    """Train unless `out` already holds a finished run; resume a half-finished one."""
    if (out / "test_metrics.json").exists() or (out / "done").exists():
        return out / "best.pt"
    extra = ["--resume"] if (out / "last.pt").exists() else []
    slr_train("train", "--config", str(cfg), "--out", str(out), "--no-progress", *extra,
              *[a for s in sets for a in ("--set", s)])
    (out / "done").write_text("")
    return out / "best.pt"


def evaluate(model: Path, data: Path, out_json: Path, *extra: str) -> dict:
    if not out_json.exists():
        slr_train("evaluate", str(model), str(data), "--json", str(out_json), *extra)
    return json.loads(out_json.read_text())


def fig(rep: dict) -> dict:
    return {k: rep[k] for k in ("top1", "top5", "macro_f1", "n")}


def mean_std(reps: list[dict]) -> dict:
    out = {}
    for k in ("top1", "top5", "macro_f1"):
        vals = [r[k] for r in reps]
        out[k] = statistics.mean(vals)
        out[k + "_std"] = statistics.stdev(vals) if len(vals) > 1 else 0.0
    out["n"] = sum(r["n"] for r in reps)
    return out


def fmt(m: dict) -> dict:
    """Percent strings for the model-card table (mean ± std when present)."""
    def one(k: str) -> str:
        s = f"{100 * m[k]:.1f}%"
        return s + (f" ± {100 * m[k + '_std']:.1f}" if k + "_std" in m else "")
    return {"top1": one("top1"), "top5": one("top5"), "macro_f1": one("macro_f1"), "n": m["n"]}


def split_idle(cafe: Path, data: Path) -> tuple[Path, Path]:
    """Copy cafe_words' tracked idle rows into one dir per recorder (training pool / held out)."""
    from trainer.landmark_sets import idle_sequences, load_set

    train_dir, held_dir = data / "idle_dmohazab", data / "idle_TheCamNelson"
    if not (train_dir / "done").exists():
        for d in (train_dir, held_dir):
            shutil.rmtree(d, ignore_errors=True)
        for s in idle_sequences(load_set(cafe)):
            dest = train_dir if s.meta["group"] == "dmohazab" else held_dir
            s.save(dest / f"{s.meta['id'].replace('/', '_')}.npz")
        (train_dir / "done").write_text("")
    return train_dir, held_dir


def idle_gate(model: Path, idle_dir: Path) -> dict:
    """Fraction of real idle windows whose top probability stays under each threshold."""
    from slr_desktop.core.runtime import Classifier
    from slr_desktop.core.window import fit_window, resample
    from trainer.landmark_sets import load_set

    clf = Classifier(model)
    seq_len, fps = clf.meta.seq_len, clf.meta.fps   # the window the model itself declares
    maxp = []
    for s in load_set(idle_dir):
        pts, mk, _ = resample(s, fps)
        lm, m = fit_window(pts, mk, seq_len)
        maxp.append(float(clf.predict(lm, m).max()))
    return {f"{t:g}": float(np.mean(np.array(maxp) < t)) for t in GATE_THRESHOLDS} | {"n": len(maxp)}


def sign_acceptance(model_json: Path) -> dict:
    """Fraction of held-out sign windows whose top probability reaches each threshold."""
    rep = json.loads(model_json.read_text())
    maxp = np.array(rep.get("max_probs", []))
    return {f"{t:g}": float(np.mean(maxp >= t)) if maxp.size else None for t in GATE_THRESHOLDS}


def cafe_lane(a: argparse.Namespace) -> dict:
    cfg, data = ROOT / "configs" / "cafe-words.yaml", a.data / "cafe_words"
    res = {}
    for name, test_group in (("c2d", "dmohazab"), ("d2c", "TheCamNelson")):
        out = a.runs / f"cafe-{name}"
        best = train(cfg, out, f"data=[{data}]", f"split.test_groups=[{test_group}]")
        aligned = json.loads((out / "test_metrics.json").read_text())
        live = evaluate(best, data, out / "live_metrics.json", "--split-of", str(best), "--placement", "live")
        res[name] = {"aligned": fig(aligned), "live": fig(live)}
        log(f"cafe {name}: aligned {fig(aligned)} live {fig(live)}")
    # shipped: the dmohazab-trained model, so its card figure is reproducible by anyone with
    # `slr-train evaluate models/cafe-words.onnx data/cafe_words --group TheCamNelson`
    res["final"] = str(a.runs / "cafe-d2c" / "best.pt")
    return res


def wlasl_lane(a: argparse.Namespace, idle_train: Path, idle_held: Path) -> dict:
    cfg, data = ROOT / "configs" / "wlasl50.yaml", a.data / "wlasl50"
    aligned, live, gates, accept = [], [], [], []
    for k in range(N_FOLDS):
        out = a.runs / f"wlasl50-f{k}"
        best = train(cfg, out, f"data=[{data}]", f"idle_pool=[{idle_train}]", f"split.fold={k}")
        aligned.append(evaluate(best, data, out / "aligned_metrics.json", "--split-of", str(best)))
        live.append(evaluate(best, data, out / "live_metrics.json", "--split-of", str(best),
                             "--placement", "live", "--idle-pool", str(idle_held)))
        onnx = out / "fold.onnx"
        if not onnx.exists():
            slr_train("export", str(best), str(onnx), "--name", f"wlasl50-fold{k}")
        gates.append(idle_gate(onnx, idle_held))
        accept.append(sign_acceptance(out / "aligned_metrics.json"))
        log(f"wlasl50 fold {k}: aligned {fig(aligned[-1])} live {fig(live[-1])} idle-gate {gates[-1]}")
    out = a.runs / "wlasl50-final"
    best = train(cfg, out, f"data=[{data}]", f"idle_pool=[{idle_train}]", "split.method=stratified",
                 "split.test_fraction=0.0", "split.val_fraction=0.1")
    gate = {t: statistics.mean(g[t] for g in gates) for t in (f"{x:g}" for x in GATE_THRESHOLDS)}
    acc = {t: statistics.mean(g[t] for g in accept if g[t] is not None) for t in gate}
    return {"aligned": mean_std([fig(r) for r in aligned]), "live": mean_std([fig(r) for r in live]),
            "folds": [fig(r) for r in aligned], "idle_rejected": gate, "signs_accepted": acc,
            "idle_n": gates[0]["n"], "final": str(best)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--data", type=Path, default=ROOT / "data")
    p.add_argument("--runs", type=Path, default=ROOT / "runs")
    p.add_argument("--models", type=Path, default=ROOT / "models")
    a = p.parse_args()
    t0 = time.time()
    ds = a.shared / "datasets"
    if not (a.data / "cafe_words" / "index.csv").exists():
        slr_train("import", "cafe_words", str(ds / "cafe_words"), str(a.data / "cafe_words"), "--no-progress")
    if not (a.data / "wlasl50" / "index.csv").exists():
        slr_train("import", "wlasl50", str(ds / "wlasl50_landmarks"), str(a.data / "wlasl50"), "--no-progress")
    idle_train, idle_held = split_idle(a.data / "cafe_words", a.data)

    results: dict = {}
    errors: list[BaseException] = []

    def lane(key, fn, *args):
        try:
            results[key] = fn(*args)
        except BaseException as e:  # surface after both lanes stop
            errors.append(e)
            log(f"{key} lane failed: {e}")

    threads = [threading.Thread(target=lane, args=("cafe", cafe_lane, a)),
               threading.Thread(target=lane, args=("wlasl50", wlasl_lane, a, idle_train, idle_held))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        return 1
    export_models(a, results)
    log(f"all done in {(time.time() - t0) / 60:.1f} min")
    return 0


def export_models(a: argparse.Namespace, r: dict) -> None:
    a.models.mkdir(parents=True, exist_ok=True)
    docs = ROOT / "docs"
    c = r["cafe"]
    cafe_metrics = {
        # headline: the shipped model (trained on dmohazab) on the other recorder
        **c["d2c"]["aligned"],
        "figures": {
            "train dmohazab → test TheCamNelson (aligned)": fmt(c["d2c"]["aligned"]),
            "train dmohazab → test TheCamNelson (live-condition)": fmt(c["d2c"]["live"]),
            "train TheCamNelson → test dmohazab (aligned)": fmt(c["c2d"]["aligned"]),
            "train TheCamNelson → test dmohazab (live-condition)": fmt(c["c2d"]["live"]),
        },
    }
    w = r["wlasl50"]
    wl_metrics = {
        "top1": w["aligned"]["top1"], "top5": w["aligned"]["top5"], "macro_f1": w["aligned"]["macro_f1"],
        "n": w["aligned"]["n"],
        "figures": {"5-fold mean ± std (aligned)": fmt(w["aligned"]),
                    "5-fold mean ± std (live-condition)": fmt(w["live"])},
        "idle_rejected": w["idle_rejected"], "signs_accepted": w["signs_accepted"],
    }
    summary = {"cafe-words": c, "wlasl50": w}
    (docs / "model_results.json").write_text(json.dumps(summary, indent=2))
    for name, ckpt, metrics, split, extra in (
        ("cafe-words", c["final"], cafe_metrics,
         "cross-recorder (group split by the recorder proxy in sequences.csv): this model was trained "
         "on recorder dmohazab only (90/10 train/val within it) and tested on all real rows of "
         "recorder TheCamNelson; the same recipe trained the other way round is in the table.",
         ["--license", "MIT (model); training data: traduttore cafe_words, MIT, Copyright (c) 2022 traduttore",
          "--idle-label", "-", "--threshold", str(CAFE_THRESHOLD)]),
        ("wlasl50", w["final"], wl_metrics,
         "held-out figures: stratified 5-fold over the 423 real sequences (augmented copies unused), "
         "mean ± std over folds; the shipped model is trained on all real sequences (90/10 train/val) "
         "with the same recipe.",
         ["--license", "NON-COMMERCIAL RESEARCH USE ONLY: trained on landmarks of WLASL videos (C-UDA licence)",
          "--threshold", str(WLASL_THRESHOLD)]),
    ):
        mfile = a.runs / f"{name}-metrics.json"
        mfile.write_text(json.dumps(metrics))
        slr_train("export", ckpt, str(a.models / f"{name}.onnx"), "--name", name, "--metrics", str(mfile),
                  "--split", split, *extra)


if __name__ == "__main__":
    sys.exit(main())
