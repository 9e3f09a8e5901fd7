"""A model's card: `ModelMetadata` -> markdown, written once for the card file and the About box.

The exporter writes `<model>.md` beside the `.onnx` with the export-time figures (latency, the
onnxruntime-vs-torch check); the app's *About this model* renders the same card from the
metadata inside the file it loaded, so the two never disagree and nothing is said twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from .layout import LAYOUT, PARTS
from .metadata import INPUT_LANDMARKS, INPUT_MASK, OUTPUT_PROBS, ModelMetadata


@dataclass(frozen=True)
class ExportFigures:
    """What only the exporter knows: measured when the file was written."""

    latency_ms: float
    max_abs_diff: float
    n_checked: int
    reference: str = "torch"     # what onnxruntime was compared with


def _num(v) -> str:
    """A metadata value for people: percentages for fractions, short floats, lists joined."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_num(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k} {_num(x)}" for k, x in v.items())
    return str(v)


def _cell(v) -> str:
    """A table cell: a fraction as a percentage, any other number short, text as it is."""
    if isinstance(v, float) and 0.0 <= v <= 1.0:
        return f"{100 * v:.1f}%"
    return _num(v)


def _signs(meta: ModelMetadata) -> list[str]:
    """The vocabulary: every label but the idle ("no sign") and unknown ("other sign") classes."""
    special = {meta.idle_label, getattr(meta, "unknown_label", None)} - {None}
    return [label for label in meta.labels if label not in special]


def _vocabulary_line(meta: ModelMetadata) -> str:
    """The signs, then the classes that are not signs, said in words (never a bare `-`)."""
    line = ", ".join(f"`{label}`" for label in _signs(meta))
    extra = []
    if meta.idle_label in meta.labels:
        extra.append(f"the no-sign class `{meta.idle_label}`")
    unknown = getattr(meta, "unknown_label", None)
    if unknown in meta.labels:
        extra.append(f"the unknown-sign class `{unknown}`")
    return line + (f" — plus {' and '.join(extra)}" if extra else "")


def _pct(m: dict, key: str) -> str:
    v = m.get(key)
    return f"{100 * v:.1f}%" if isinstance(v, (int, float)) and not isinstance(v, bool) else "n/a"


def points_summary(points_used: list[int]) -> str:
    """'7 pose points (nose, left_shoulder, ...), left hand (21), right hand (21)'."""
    part = LAYOUT.part_of_point()
    out = []
    for p, name in enumerate(PARTS):
        used = [i for i in points_used if part[i] == p]
        if not used:
            continue
        if p == 0:
            names = ", ".join(LAYOUT.names[i].split(".", 1)[1] for i in used)
            out.append(f"{len(used)} pose points ({names})")
        else:
            full = len(used) == LAYOUT.n_hand
            out.append(f"{name.replace('_', ' ')} ({len(used)}{'' if full else ' points'})")
    return ", ".join(out)


ARCH_NAMES = {"cnn_mamba": "CNN-Mamba", "conv1d": "1D-CNN"}
CURVE_COLUMNS = ("0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9")


def _pct_cell(v) -> str:
    return f"{100 * v:.1f}%" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _comparison(m: dict) -> list[str]:
    """This model's figures beside the reference baseline's, trained and tested the same way."""
    base = m.get("baseline") or {}
    figs, bfigs = m.get("figures") or {}, base.get("figures") or {}
    rows = [k for k in figs if k in bfigs]
    if not rows:
        return []
    name = ARCH_NAMES.get(base.get("arch", ""), base.get("arch", "baseline"))
    desc = base.get("description", "")
    lines = [f"### Same protocol, reference {name} baseline" + (f" ({desc})" if desc else ""), "",
             f"| evaluation | top-1 this model | top-1 {name} | top-5 this model | top-5 {name} |",
             "|---|---|---|---|---|"]
    for k in rows:
        lines.append(f"| {k} | {figs[k].get('top1', 'n/a')} | {bfigs[k].get('top1', 'n/a')} | "
                     f"{figs[k].get('top5', 'n/a')} | {bfigs[k].get('top5', 'n/a')} |")
    return lines + [""]


def _ablation(m: dict) -> list[str]:
    """The same recipe changed in one way (e.g. with / without the other-sign class), same folds."""
    a = m.get("ablation") or {}
    figs = a.get("figures") or {}
    if not figs:
        return []
    lines = [f"### Ablation: {a.get('title', 'variant')}", "", "| evaluation | top-1 | top-5 | macro-F1 | n |",
             "|---|---|---|---|---|"]
    for label, f in figs.items():
        lines.append(f"| {label} | " + " | ".join(_cell(f.get(k, "n/a")) for k in ("top1", "top5", "macro_f1", "n"))
                     + " |")
    return lines + [""]


def _open_set(meta: ModelMetadata, m: dict) -> list[str]:
    """Which windows the gate accepts as a sign: known signs, unknown signs, idle, per data kind."""
    o = m.get("open_set") or {}
    evals = o.get("evaluations") or {}
    if not evals:
        return []
    lines = ["## Unknown signs and the threshold", "",
             f"A window counts as *sign X* only when its most likely label is a sign of the vocabulary (not "
             f"the idle label, not the unknown label) with probability >= {meta.threshold:g}. "
             f"{o.get('rule', '')}".rstrip(), "",
             "| evaluation (never trained or calibrated on) | kind | n | accepted as a sign |",
             "|---|---|---|---|"]
    for label, e in evals.items():
        lines.append(f"| {label} | {e.get('kind', '')} | {e.get('n', 'n/a')} | {_pct_cell(e.get('accepted'))} |")
    lines.append("")
    curve = o.get("curve") or {}
    if curve:
        cols = [c for c in CURVE_COLUMNS if any(c in v for v in curve.values())]
        lines += ["Share accepted as a sign over the threshold:", "",
                  "| evaluation | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for label, v in curve.items():
            lines.append(f"| {label} | " + " | ".join(_pct_cell(v.get(c, "")) for c in cols) + " |")
        lines.append("")
    for note in o.get("notes", []):
        lines.append(f"- {note}")
    return lines + ([""] if o.get("notes") else [])


def render(meta: ModelMetadata, file_name: str = "", export: ExportFigures | None = None) -> str:
    """The card as markdown. `export` adds the export-time figures (the card file has them)."""
    m = meta.metrics or {}
    cfg = dict(meta.model_config or {})
    arch = ARCH_NAMES.get(cfg.get("arch", "cnn_mamba"), str(cfg.get("arch")))
    unknown = f"`{meta.unknown_label}`" if meta.unknown_label else "none"
    lines = [
        f"# {meta.name}",
        "",
        f"Sign-language classifier for SLR Desktop{f' (`{file_name}`)' if file_name else ''}, "
        f"{meta.sign_language}, {len(meta.labels)} classes, {arch} over MediaPipe landmarks.",
        "",
        f"**Licence / terms of use:** {meta.license or 'not stated'}",
        "",
        f"## Signs it knows ({len(_signs(meta))})",
        _vocabulary_line(meta),
        "",
        f"No-sign (idle) label: {f'`{meta.idle_label}`' if meta.idle_label else 'none'}; "
        f"unknown-sign label: {unknown}; confidence threshold {meta.threshold:.0%}.",
        "",
        "## Data and split",
        f"- Dataset: {meta.dataset or 'n/a'}",
        f"- Split: {meta.split or 'n/a'}",
        "",
        "## Held-out metrics",
        f"- top-1: {_pct(m, 'top1')}, top-5: {_pct(m, 'top5')}, macro-F1: {_pct(m, 'macro_f1')}, "
        f"n = {m.get('n', 'n/a')}",
        "",
    ]
    figures = m.get("figures") or {}
    if figures:
        lines += ["| evaluation | top-1 | top-5 | macro-F1 | n |", "|---|---|---|---|---|"]
        for label, f in figures.items():
            cells = [_cell(f.get(k, "n/a")) for k in ("top1", "top5", "macro_f1", "n")]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += _comparison(m)
    lines += _ablation(m)
    lines += _open_set(meta, m)
    transform = {k: v for k, v in meta.transform.items() if k != "points_used"}
    model = {k: v for k, v in cfg.items() if k not in ("transform", "n_classes")}
    lines += [
        "## Input and transform",
        f"- Layout `{meta.layout_id}`; window of {meta.seq_len} frames at {meta.fps:g} fps.",
        f"- Inputs `{INPUT_LANDMARKS}` (B, {meta.seq_len}, {LAYOUT.n_points}, 3) model coordinates, "
        f"`{INPUT_MASK}` (B, {meta.seq_len}, {LAYOUT.n_points}); output `{OUTPUT_PROBS}` (B, {len(meta.labels)}).",
        f"- Transform (inside the graph): {_num(transform)}",
        f"- Points used ({len(meta.points_used)}): {points_summary(list(meta.points_used))}",
    ]
    if model:
        lines.append(f"- Model: {_num(model)}")
    lines.append("")
    if export is not None:
        lines += [
            "## Runtime",
            f"- onnxruntime CPU, 1 intra-op thread, batch 1: {export.latency_ms:.2f} ms median on the export machine.",
            f"- Export check: onnxruntime vs {export.reference} max abs diff {export.max_abs_diff:.1e} on "
            f"{export.n_checked} windows.",
            "",
        ]
    taught = cfg.get("teach") if isinstance(cfg.get("teach"), dict) else None
    how = ([f"- `slr-train teach <takes folder> {file_name or '<model>.onnx'} --base "
            f"{taught.get('base', '<base>.onnx')}` (a personal model: the base model's encoder, frozen, with a "
            f"new {taught.get('head', '')} head)."]
           if taught else
           ["- `slr-train train --config <config.yaml>` (the resolved config is stored in the checkpoint), then",
            f"  `slr-train export <out>/best.pt {file_name or '<model>.onnx'} --name \"{meta.name}\"`."])
    lines += [
        "## Reproduce",
        f"- Code at git commit `{meta.git_commit or 'unknown'}`, exported {meta.date or 'n/a'}.",
    ] + how
    if meta.notes:
        lines += ["", "## Notes", meta.notes]
    return "\n".join(lines) + "\n"


__all__ = ["ARCH_NAMES", "ExportFigures", "points_summary", "render"]
