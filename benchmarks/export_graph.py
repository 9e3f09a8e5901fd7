"""Before/after of the exported graph: the same weights exported the old way and the current way,
timed in onnxruntime side by side (needs torch: run it from the trainer's environment).

    python benchmarks/export_graph.py --like models/wlasl50.onnx --runs 300 --keep /tmp/graphs

"Old" exports softplus as onnxruntime's Softplus kernel and the scan state laid out (b, l, d, n);
"new" is what `trainer/export.py` writes now: softplus as element-wise ops and the state laid out
(b, l, n, d) (`trainer/scan.py`, `selective_scan_parallel(d_last=True)`). Both come from one
randomly initialised (seeded) model with the architecture of `--like` (speed does not depend on the
weights); each export passes the exporter's own ORT-vs-torch parity check. The two are then run
alternately, one window per run, on 1 intra-op thread at batch 1 (as the app runs its classifier):
prints the median ms of each and the ratio new / old of summed wall times. `--keep DIR` leaves both
files there (e.g. for `slr-desktop benchmark --model`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a checkout without installing
    sys.path.insert(0, str(ROOT))


def export(kind: str, cfg: dict, labels: list[str], out: Path) -> Path:
    import torch
    import torch.nn.functional as F

    import trainer.model as model_mod
    from trainer.export import export_onnx, metadata_for

    torch.manual_seed(0)
    model = model_mod.build_model(cfg).eval()
    meta = metadata_for(model, labels, name=f"{kind}-graph", fps=30.0)
    saved = model_mod.softplus, model_mod.selective_scan_parallel
    if kind == "old":
        real_scan = model_mod.selective_scan_parallel
        model_mod.softplus = F.softplus
        model_mod.selective_scan_parallel = lambda *a, d_last=False, **kw: real_scan(*a, d_last=False, **kw)
    try:
        return export_onnx(model, meta, out)
    finally:
        model_mod.softplus, model_mod.selective_scan_parallel = saved


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--like", type=Path, default=ROOT / "models" / "wlasl50.onnx",
                   help="an exported model whose architecture (model_config) to use")
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--keep", type=Path, help="folder to keep old.onnx and new.onnx in")
    p.add_argument("--json", type=Path)
    a = p.parse_args()

    from slr_desktop.core.runtime import Classifier
    from slr_desktop.core.timing import stats
    from trainer.export import synthetic_inputs

    like = Classifier(a.like)
    cfg = dict(like.meta.model_config)
    cfg["dropout"] = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        clfs = {k: Classifier(export(k, cfg, list(like.labels), folder / f"{k}.onnx"), threads=1)
                for k in ("old", "new")}
        ops = {k: sorted({n.op_type for n in __import__("onnx").load(str(c.path)).graph.node})
               for k, c in clfs.items()}
        lm, mk = synthetic_inputs(1, like.meta.seq_len, seed=3)
        for c in clfs.values():
            for _ in range(10):
                c.predict(lm[0], mk[0])
        ms: dict[str, list[float]] = {"old": [], "new": []}
        for i in range(a.runs):
            for k in (("old", "new") if i % 2 else ("new", "old")):
                t0 = time.perf_counter()
                clfs[k].predict(lm[0], mk[0])
                ms[k].append((time.perf_counter() - t0) * 1000.0)
    res = {"like": str(a.like), "model_config": cfg, "runs": a.runs, "cpus": os.cpu_count(),
           "load_avg": list(os.getloadavg()), "old": stats(ms["old"]), "new": stats(ms["new"]),
           "new_over_old": round(float(np.sum(ms["new"]) / np.sum(ms["old"])), 4),
           "softplus_kernel": {k: "Softplus" in v for k, v in ops.items()}}
    print(f"architecture of {a.like.name} (d_model {cfg['d_model']}, d_state {cfg['d_state']}), ORT 1 thread, "
          f"batch 1, {a.runs} runs each, alternating; load average {res['load_avg']}")
    print(f"  old graph (Softplus kernel, state (b, l, d, n)): median {res['old']['median_ms']:.2f} ms")
    print(f"  new graph (element-wise softplus, state (b, l, n, d)): median {res['new']['median_ms']:.2f} ms")
    print(f"  new / old: x{res['new_over_old']:.3f}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
