#!/usr/bin/env python
"""Print the README's model tables from docs/model_results.json (written by scripts/make_models.py).

    python scripts/model_tables.py [--results docs/model_results.json]

So the README's figures are copied from the one record, not typed: CNN-Mamba beside the conv1d
baseline per dataset and direction (aligned and live-condition), the ablation, and the share of
known / unknown signs and idle windows each model's threshold accepts.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELLS = {"cafe-words": (("d2c", "train dmohazab → test TheCamNelson"), ("c2d", "train TheCamNelson → test dmohazab")),
         "wlasl50": (("folds", "5-fold mean ± std"),)}
ABLATION = {"cafe-words": ("-noother", "without the other-sign class"),
            "wlasl50": ("-other", "with an other-sign class")}


def pct(m: dict, k: str) -> str:
    s = f"{100 * m[k]:.1f}%"
    return s + (f" ± {100 * m[k + '_std']:.1f}" if k + "_std" in m else "")


def fig(m: dict) -> str:
    return f"{pct(m, 'top1')} / {pct(m, 'top5')} ({pct(m, 'macro_f1')})"


def side_by_side(res: dict) -> list[str]:
    out = ["| model, evaluation | n | CNN-Mamba aligned | CNN-Mamba live-condition | 1D-CNN baseline aligned | "
           "1D-CNN baseline live-condition |", "|---|---|---|---|---|---|"]
    for model, cells in CELLS.items():
        for key, text in cells:
            if key not in res.get(model, {}):
                continue
            c, b = res[model][key], res[model].get(f"{key}-conv1d")
            base = [fig(b["aligned"]), fig(b["live"])] if b else ["—", "—"]
            out.append(f"| {model}, {text} | {c['aligned']['n']:,} | {fig(c['aligned'])} | {fig(c['live'])} | "
                       + " | ".join(base) + " |")
    return out


def ablations(res: dict) -> list[str]:
    out = ["| model, evaluation | shipped recipe (aligned) | variant | variant (aligned) |", "|---|---|---|---|"]
    for model, cells in CELLS.items():
        suffix, text = ABLATION[model]
        for key, where in cells:
            v = res.get(model, {}).get(f"{key}{suffix}")
            if v:
                out.append(f"| {model}, {where} | {fig(res[model][key]['aligned'])} | {text} | {fig(v['aligned'])} |")
    return out


def open_set(res: dict) -> list[str]:
    out = ["| model, evaluation (never trained or calibrated on) | kind | n | accepted as a sign |", "|---|---|---|---|"]
    for model, cells in CELLS.items():
        for key, text in [*cells, ("final", "shipped model")]:
            cell = res.get(model, {}).get(key)
            if not cell:
                continue
            for name, e in cell["open_set"].items():
                if "live-condition" in name:
                    continue
                out.append(f"| {model}, {text}: {name} | {e['kind']} | {e['n']:,} | {100 * e['accepted']:.1f}% |")
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", type=Path, default=ROOT / "docs" / "model_results.json")
    path = p.parse_args().results
    try:
        res = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        p.error(f"cannot read {path}: {e} (scripts/make_models.py writes it)")
    thresholds = {m: res[m]["final"]["threshold"] for m in CELLS if "final" in res.get(m, {})}
    for title, lines in (("Side by side (top-1 / top-5 (macro-F1))", side_by_side(res)),
                         ("Ablation", ablations(res)),
                         (f"Open set (shipped thresholds {thresholds}; fold models: their own)", open_set(res))):
        print(f"{title}\n")
        print("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
