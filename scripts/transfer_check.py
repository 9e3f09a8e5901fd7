#!/usr/bin/env python
"""Does a model trained on legacy-Holistic landmarks work through *our* pipeline?

Runs `slr-desktop classify --json` (Tasks landmarkers, the app's own window and runtime) on every
shared WLASL clip whose gloss the model knows, and records the rank of the true gloss and whether
the model's own gate accepts the sign: a window is accepted when its top label is a vocabulary
sign (not the idle or unknown label) with probability >= the model's threshold; a clip is
accepted when one of its windows is, as the label of its most confident accepted window.

  python scripts/transfer_check.py [--model models/wlasl50.onnx] [--unknown N] [--every-frame]
                                   [--json docs/transfer.json]

`--every-frame` tracks every frame of each clip instead of only those at the model's fps (what
`classify` does by default); the summary line also gives the share of the model's frames with a
pose, a left and a right hand (`seen` in classify's JSON), averaged over the clips.
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
SHARED = Path(os.environ.get("SLR_SHARED_DIR", ROOT.parent / "shared"))


def rank_of(gloss: str, top: list[dict]) -> int | None:
    labels = [t["label"] for t in top]
    return labels.index(gloss) + 1 if gloss in labels else None


def check(model: Path, clips_dir: Path, unknown: int = 0, every_frame: bool = False) -> list[dict]:
    """Every clip whose gloss the model knows (sorted by gloss); with `unknown` > 0 instead the first
    `unknown` clips (by file name) of glosses it does not know, which it should refuse."""
    from slr_desktop.core.runtime import Classifier

    meta = Classifier(model).meta
    labels = set(meta.labels)
    not_signs = {meta.idle_label, meta.unknown_label}
    with open(clips_dir / "manifest.csv", newline="") as f:
        every = list(csv.DictReader(f))
    if unknown:
        rows = sorted((r for r in every if r["gloss"] not in labels), key=lambda r: r["file"])[:unknown]
    else:
        rows = sorted((r for r in every if r["gloss"] in labels), key=lambda r: r["gloss"])
    out = []
    for r in rows:
        proc = subprocess.run([sys.executable, "-m", "slr_desktop.cli", "classify", str(clips_dir / r["file"]),
                               "--model", str(model), "--top", str(len(labels)), "--json", "--no-progress"]
                              + (["--every-frame"] if every_frame else []),
                              capture_output=True, text=True, check=True)
        doc = json.loads(proc.stdout)
        ok = [w["top"][0] for w in doc["windows"]
              if w["top"][0]["label"] not in not_signs and w["top"][0]["prob"] >= meta.threshold]
        best = max(ok, key=lambda t: t["prob"]) if ok else None
        out.append({"file": r["file"], "gloss": r["gloss"], "rank": rank_of(r["gloss"], doc["top"]),
                    "top1": doc["top"][0]["label"], "top1_prob": round(doc["top"][0]["prob"], 3),
                    "windows": len(doc["windows"]), "accepted": best is not None,
                    "accepted_label": best["label"] if best else None,
                    "accepted_prob": round(best["prob"], 3) if best else None,
                    "tracked_frames": doc["timing"]["frames"], "frames": doc["video"]["frames"],
                    "seen": doc["seen"]})
        print(f"{r['file']:>10} {r['gloss']:<10} rank {str(out[-1]['rank'] or '-'):>3}  (top-1 {out[-1]['top1']} "
              f"{out[-1]['top1_prob']:.2f}; accepted as {out[-1]['accepted_label']})", flush=True)
    return out


def _mean(res: list[dict], part: str) -> float:
    return sum(r["seen"][part] for r in res) / len(res)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=ROOT / "models" / "wlasl50.onnx")
    p.add_argument("--clips", type=Path, default=SHARED / "datasets" / "wlasl_clips")
    p.add_argument("--unknown", type=int, default=0, metavar="N",
                   help="also classify the first N clips of glosses the model does not know")
    p.add_argument("--every-frame", action="store_true", help="classify with --every-frame (track every frame)")
    p.add_argument("--json", type=Path, help="merge the results under the model's name into this file "
                                             "(e.g. docs/transfer.json)")
    a = p.parse_args()
    if "SLR_MEDIAPIPE_DIR" not in os.environ and (SHARED / "mediapipe").is_dir():
        os.environ["SLR_MEDIAPIPE_DIR"] = str(SHARED / "mediapipe")
    from slr_desktop.core.runtime import Classifier

    doc = {"threshold": Classifier(a.model).meta.threshold, "tracked": "every frame" if a.every_frame else "model fps"}
    res = check(a.model, a.clips, every_frame=a.every_frame)
    if res:
        ranks = [r["rank"] for r in res]
        right = sum(r["accepted_label"] == r["gloss"] for r in res)
        print(f"known glosses: top-1 {sum(r == 1 for r in ranks)}/{len(ranks)}, top-5 "
              f"{sum(r is not None and r <= 5 for r in ranks)}/{len(ranks)}, mean rank "
              f"{sum(r or 51 for r in ranks) / len(ranks):.1f}; accepted {sum(r['accepted'] for r in res)}/{len(res)}, "
              f"accepted as the right sign {right}/{len(res)}")
        print(f"tracked {sum(r['tracked_frames'] for r in res)}/{sum(r['frames'] for r in res)} frames "
              f"({doc['tracked']}); model frames with a pose {_mean(res, 'pose'):.3f}, left hand "
              f"{_mean(res, 'left_hand'):.3f}, right hand {_mean(res, 'right_hand'):.3f}")
        doc["clips"] = res
    if a.unknown:
        unk = check(a.model, a.clips, unknown=a.unknown, every_frame=a.every_frame)
        print(f"unknown glosses: accepted as a sign {sum(r['accepted'] for r in unk)}/{len(unk)}")
        doc["unknown_clips"] = unk
    if a.json:
        whole = json.loads(a.json.read_text()) if a.json.exists() else {}
        whole = whole if "clips" not in whole else {}     # the older one-model layout is replaced
        whole[a.model.stem + (" (every frame)" if a.every_frame else "")] = doc
        a.json.write_text(json.dumps(whole, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
