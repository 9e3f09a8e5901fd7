"""`slr-train benchmark`: what the scan and the export buy, measured on this machine.

1. train-step time (forward + backward + AdamW) at batch 32, T 64 with the sequential reference
   scan and with the parallel scan (same weights); target ratio >= 4x.
2. inference latency at batch 1 and 32: onnxruntime (1 intra-op thread, as the app runs it) vs
   torch eager (1 thread); target ORT <= 2 ms at batch 1.
Inputs are synthetic windows (timing does not depend on the values).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

from slr_desktop.core.atomic import atomic_write_text, check_output_file
from slr_desktop.core.metadata import INPUT_LANDMARKS, INPUT_MASK, OUTPUT_PROBS
from slr_desktop.core.runtime import make_session
from slr_desktop.core.timing import median_ms
from slr_desktop.core.video import DEFAULT_FPS

from .errors import command
from .export import export_onnx, metadata_for, synthetic_inputs
from .model import ModelConfig, build_model


def train_step_ms(cfg: ModelConfig, batch: int, steps: int) -> float:
    torch.manual_seed(0)
    model = build_model(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    lm, mk = (torch.from_numpy(a) for a in synthetic_inputs(batch, cfg.seq_len))
    y = torch.arange(batch) % cfg.n_classes

    def step():
        loss = F.cross_entropy(model(lm, mk), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return median_ms(step, steps, warmup=1)


def benchmark(d_model: int = 192, n_classes: int = 50, seq_len: int = 64, steps: int = 5,
              d_state: int = ModelConfig.d_state,
              threads: int = 2, runs: int = 50) -> dict:
    torch.set_num_threads(threads)
    res: dict = dict(d_model=d_model, n_classes=n_classes, seq_len=seq_len, torch_threads_train=threads)
    for scan in ("sequential", "parallel"):
        cfg = ModelConfig(n_classes=n_classes, seq_len=seq_len, d_model=d_model, d_state=d_state, scan=scan)
        res[f"train_step_ms_{scan}"] = train_step_ms(cfg, 32, steps)
    res["scan_speedup"] = res["train_step_ms_sequential"] / res["train_step_ms_parallel"]

    torch.manual_seed(0)
    model = build_model(ModelConfig(n_classes=n_classes, seq_len=seq_len, d_model=d_model, d_state=d_state)).eval()
    res["parameters"] = sum(p.numel() for p in model.parameters())
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(model, metadata_for(model, [f"c{i}" for i in range(n_classes)], "bench", DEFAULT_FPS),
                           Path(tmp) / "bench.onnx")
        sess = make_session(path, threads=1)
        torch.set_num_threads(1)
        for b in (1, 32):
            lm, mk = synthetic_inputs(b, seq_len, seed=2)
            feeds = {INPUT_LANDMARKS: lm, INPUT_MASK: mk}
            res[f"ort_ms_b{b}"] = median_ms(lambda: sess.run([OUTPUT_PROBS], feeds), runs if b == 1 else 10)
            tl, tm = torch.from_numpy(lm), torch.from_numpy(mk)
            with torch.no_grad():
                res[f"torch_ms_b{b}"] = median_ms(lambda: model(tl, tm), runs if b == 1 else 10)
    torch.set_num_threads(threads)
    return res


def format_table(r: dict) -> str:
    rows = [
        ("train step, sequential scan (b32, T%d)" % r["seq_len"], f"{r['train_step_ms_sequential']:.1f} ms"),
        ("train step, parallel scan (b32)", f"{r['train_step_ms_parallel']:.1f} ms"),
        ("scan speed-up (target >= 4x)", f"{r['scan_speedup']:.2f}x"),
        ("ORT 1 thread, batch 1 (target <= 2 ms)", f"{r['ort_ms_b1']:.2f} ms"),
        ("torch 1 thread, batch 1", f"{r['torch_ms_b1']:.2f} ms"),
        ("ORT 1 thread, batch 32", f"{r['ort_ms_b32']:.1f} ms"),
        ("torch 1 thread, batch 32", f"{r['torch_ms_b32']:.1f} ms"),
    ]
    w = max(len(a) for a, _ in rows)
    head = f"model d_model={r['d_model']}, {r['n_classes']} classes, {r['parameters'] / 1e6:.2f}M params"
    return "\n".join([head] + [f"{a:<{w}}  {b:>10}" for a, b in rows])


def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", help="write the figures to this JSON file")
    p.add_argument("--d-model", type=int, default=192)
    p.add_argument("--d-state", type=int, default=ModelConfig.d_state)
    p.add_argument("--classes", type=int, default=50)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--steps", type=int, default=5, help="timed train steps per scan")
    p.add_argument("--threads", type=int, default=2, help="torch threads for the train-step timing")


@command("benchmark")
def run(args: argparse.Namespace) -> int:
    if args.json:  # an unwritable --json fails now, not after the measurements
        check_output_file(args.json, "--json file")
    r = benchmark(args.d_model, args.classes, args.seq_len, args.steps, threads=args.threads, d_state=args.d_state)
    print(format_table(r))
    if args.json:
        atomic_write_text(args.json, json.dumps(r, indent=1) + "\n")
    return 0
