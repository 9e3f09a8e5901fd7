#!/usr/bin/env python
"""Choose a training recipe on VALIDATION folds only (never the test folds).

Each variant is a list of `--set` overrides on top of a base config; it is trained on the first
`--folds` folds of the k-fold split and scored on the validation split *inside* each training
fold (log.csv). The test folds are evaluated by `slr-train train` as usual but never read here.
Runs are resumable (a finished fold is skipped) and two run side by side, one thread each.

  python scripts/recipe_search.py --base configs/wlasl50.yaml --folds 3 --epochs 30 \\
      --variant base= --variant mirror=augment.mirror_p=0.5 --json docs/recipe_search.json

Scores per variant: mean over folds of the best validation top-1 (the epoch the checkpoint keeps)
and of the mean validation top-1 over the last 5 epochs (less noisy, no selection bias).
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_fold(base: Path, out: Path, overrides: list[str], fold: int, epochs: int) -> dict:
    """Train one fold (skipped when finished), return its validation figures from log.csv."""
    if not (out / "done").exists():
        cmd = [sys.executable, "-m", "trainer.cli", "train", "--config", str(base), "--out", str(out),
               "--no-progress", "--threads", "1", "--set", f"split.fold={fold}", "--set", f"epochs={epochs}"]
        cmd += [a for o in overrides for a in ("--set", o.replace("{fold}", str(fold)))]
        if (out / "last.pt").exists():
            cmd.append("--resume")
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "stdout.txt", "w") as log:   # holds the test-fold line too: not read here
            subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        (out / "done").write_text("")
    with open(out / "log.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    val = [float(r["val_top1"]) for r in rows]
    top5 = [float(r["val_top5"]) for r in rows]
    best = max(range(len(val)), key=lambda i: (val[i], -float(rows[i]["val_loss"])))
    return {"best_val_top1": val[best], "best_val_top5": top5[best], "best_epoch": best + 1,
            "last5_val_top1": statistics.mean(val[-5:]), "seconds": sum(float(r["seconds"]) for r in rows)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", type=Path, required=True)
    p.add_argument("--variant", action="append", required=True, metavar="NAME=KEY=VALUE[;KEY=VALUE...]",
                   help="a named list of overrides separated by ';' (empty for the base recipe); {fold} is "
                        "replaced by the fold number (e.g. a teacher checkpoint per fold)")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--runs", type=Path, default=ROOT / "runs" / "search")
    p.add_argument("--json", type=Path, help="merge the summary into this JSON file")
    p.add_argument("--lanes", type=int, default=2)
    a = p.parse_args()
    variants = {}
    for v in a.variant:
        name, _, rest = v.partition("=")
        variants[name] = [o for o in rest.split(";") if o]
    jobs = [(name, k) for name in variants for k in range(a.folds)]
    t0 = time.time()
    with ThreadPoolExecutor(a.lanes) as pool:
        futs = {job: pool.submit(run_fold, a.base, a.runs / f"{a.base.stem}-{job[0]}" / f"f{job[1]}",
                                 variants[job[0]], job[1], a.epochs) for job in jobs}
        res = {job: f.result() for job, f in futs.items()}
    summary = json.loads(a.json.read_text()) if a.json and a.json.exists() else {}
    for name, ov in variants.items():
        folds = [res[(name, k)] for k in range(a.folds)]
        summary[name] = {
            "overrides": ov, "base": str(a.base.relative_to(ROOT) if a.base.is_absolute() else a.base),
            "folds": a.folds, "epochs": a.epochs,
            "mean_best_val_top1": statistics.mean(f["best_val_top1"] for f in folds),
            "mean_last5_val_top1": statistics.mean(f["last5_val_top1"] for f in folds),
            "mean_best_val_top5": statistics.mean(f["best_val_top5"] for f in folds),
            "train_seconds_per_fold": statistics.mean(f["seconds"] for f in folds),
            "per_fold": folds,
        }
        s = summary[name]
        print(f"{name:<28} best-val top-1 {100 * s['mean_best_val_top1']:5.1f}%  last-5 {100 * s['mean_last5_val_top1']:5.1f}%"
              f"  top-5 {100 * s['mean_best_val_top5']:5.1f}%  ({s['train_seconds_per_fold']:.0f} s/fold)  {';'.join(ov)}")
    if a.json:
        a.json.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{len(jobs)} runs in {(time.time() - t0) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
