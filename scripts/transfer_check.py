#!/usr/bin/env python
"""Does a model trained on legacy-Holistic landmarks work through *our* pipeline?

Runs `slr-desktop classify --json` (Tasks landmarkers, the app's own window and runtime) on every
shared WLASL clip whose gloss the model knows, and records the rank of the true gloss and whether
the model's own gate accepts the sign: a window is accepted when its top label is a vocabulary
sign (not the idle or unknown label) with probability >= the model's threshold; a clip is
accepted when one of its windows is, as the label of its most confident accepted window.

  python scripts/transfer_check.py [--model models/wlasl50.onnx] [--json docs/transfer.json]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rank_of(gloss: str, top: list[dict]) -> int | None:
    labels = [t["label"] for t in top]
    return labels.index(gloss) + 1 if gloss in labels else None


def check(model: Path, clips_dir: Path) -> list[dict]:
    from slr_desktop.core.runtime import Classifier

    meta = Classifier(model).meta
    labels = set(meta.labels)
    not_signs = {meta.idle_label, meta.unknown_label}
    with open(clips_dir / "manifest.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["gloss"] in labels]
    out = []
    for r in sorted(rows, key=lambda r: r["gloss"]):
        proc = subprocess.run([sys.executable, "-m", "slr_desktop.cli", "classify", str(clips_dir / r["file"]),
                               "--model", str(model), "--top", str(len(labels)), "--json", "--no-progress"],
                              capture_output=True, text=True, check=True)
        doc = json.loads(proc.stdout)
        ok = [w["top"][0] for w in doc["windows"]
              if w["top"][0]["label"] not in not_signs and w["top"][0]["prob"] >= meta.threshold]
        best = max(ok, key=lambda t: t["prob"]) if ok else None
        out.append({"file": r["file"], "gloss": r["gloss"], "rank": rank_of(r["gloss"], doc["top"]),
                    "top1": doc["top"][0]["label"], "top1_prob": round(doc["top"][0]["prob"], 3),
                    "windows": len(doc["windows"]), "accepted": best is not None,
                    "accepted_label": best["label"] if best else None,
                    "accepted_prob": round(best["prob"], 3) if best else None})
        print(f"{r['file']:>10} {r['gloss']:<10} rank {out[-1]['rank']:>3}  (top-1 {out[-1]['top1']} "
              f"{out[-1]['top1_prob']:.2f}; accepted as {out[-1]['accepted_label']})", flush=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=ROOT / "models" / "wlasl50.onnx")
    p.add_argument("--clips", type=Path, default=ROOT.parent / "shared" / "datasets" / "wlasl_clips")
    p.add_argument("--json", type=Path, help="write the results here (e.g. docs/transfer.json)")
    a = p.parse_args()
    shared_bundles = ROOT.parent / "shared" / "mediapipe"
    if "SLR_MEDIAPIPE_DIR" not in os.environ and shared_bundles.is_dir():
        os.environ["SLR_MEDIAPIPE_DIR"] = str(shared_bundles)
    res = check(a.model, a.clips)
    ranks = [r["rank"] for r in res]
    right = sum(r["accepted_label"] == r["gloss"] for r in res)
    print(f"top-1 {sum(r == 1 for r in ranks)}/{len(ranks)}, top-5 {sum(r is not None and r <= 5 for r in ranks)}"
          f"/{len(ranks)}, mean rank {sum(r or 51 for r in ranks) / len(ranks):.1f}; accepted "
          f"{sum(r['accepted'] for r in res)}/{len(res)}, accepted as the right sign {right}/{len(res)}")
    if a.json:
        from slr_desktop.core.runtime import Classifier

        thr = Classifier(a.model).meta.threshold
        a.json.write_text(json.dumps({"model": a.model.name, "threshold": thr, "clips": res}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
