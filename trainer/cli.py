"""`slr-train`: thin command line over the trainer's library functions.

Each subcommand lives in its own module exposing `configure_parser(parser)` and `run(args) -> int`;
they are imported lazily so `slr-train --help` is fast and a missing optional dependency only
affects the subcommand that needs it. Every subcommand's `run` reports errors through
`trainer.errors.command`: one line on stderr, exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("trainer.extract", "track every video in a folder into landmark files (resumable)"),
    "import": ("trainer.importers", "convert a shared landmark dataset (cafe_words, wlasl50) into our layout"),
    "train": ("trainer.train", "train the CNN-Mamba classifier on imported/extracted landmark sets"),
    "pretrain": ("trainer.pretrain", "self-supervised masked-frame pre-training on unlabelled landmark sets"),
    "evaluate": ("trainer.evaluate", "held-out metrics of a checkpoint or exported .onnx on a landmark set"),
    "export": ("trainer.export", "export a checkpoint to ONNX with metadata and a model card"),
    "benchmark": ("trainer.benchmark", "train-step time (sequential vs fast scan) and ORT vs torch latency"),
    "teach": ("trainer.teach", "a personal model from a few takes per sign (base model frozen, new head; no torch)"),
    "teach-benchmark": ("trainer.teach_benchmark", "accuracy of `teach` against takes per sign, same and other person"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slr-train",
        description="Train sign-language recognition models for SLR Desktop.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        importlib.import_module(module).configure_parser(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand (each reports its own errors in one line, see `trainer.errors.command`)."""
    args = build_parser().parse_args(argv)
    return int(importlib.import_module(args._module).run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
