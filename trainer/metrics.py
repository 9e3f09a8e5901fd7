"""Classification metrics in numpy (no sklearn): top-k, confusion matrix, per-class P/R/F1, plots.

All rates are fractions in [0, 1].
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from slr_desktop.core.atomic import atomic_open, atomic_write_text


def topk_accuracy(probs: np.ndarray, y: np.ndarray, k: int) -> float:
    """probs (N, K), y (N,) -> fraction whose label is among the k highest scores."""
    if len(y) == 0:
        return float("nan")
    k = min(k, probs.shape[1])
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return float((top == np.asarray(y)[:, None]).any(1).mean())


def confusion_matrix(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) int64 counts, rows = true label, columns = prediction."""
    cm = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(cm, (np.asarray(y, np.int64), np.asarray(pred, np.int64)), 1)
    return cm


def per_class(cm: np.ndarray) -> dict[str, np.ndarray]:
    """precision, recall, f1 (0 where undefined) and support per class."""
    tp = np.diag(cm).astype(np.float64)
    support = cm.sum(1)
    predicted = cm.sum(0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return dict(precision=precision, recall=recall, f1=f1, support=support)


def macro_f1(cm: np.ndarray) -> float:
    """Mean F1 over classes that occur as a true label or a prediction (sklearn's convention)."""
    pc = per_class(cm)
    seen = (cm.sum(1) + cm.sum(0)) > 0
    return float(pc["f1"][seen].mean()) if seen.any() else float("nan")


def report(probs: np.ndarray, y: np.ndarray, labels: list[str]) -> dict:
    """The JSON report: top1, top5, macro_f1, n, plus the confusion matrix and per-class figures."""
    y = np.asarray(y, np.int64)
    pred = probs.argmax(1) if len(y) else np.zeros(0, np.int64)
    cm = confusion_matrix(y, pred, len(labels))
    pc = per_class(cm)
    return dict(
        top1=topk_accuracy(probs, y, 1),
        top5=topk_accuracy(probs, y, 5),
        macro_f1=macro_f1(cm),
        n=int(len(y)),
        labels=list(labels),
        confusion=cm.tolist(),
        per_class={lab: dict(precision=float(pc["precision"][i]), recall=float(pc["recall"][i]),
                             f1=float(pc["f1"][i]), support=int(pc["support"][i]))
                   for i, lab in enumerate(labels)},
    )


def write_per_class_csv(rep: dict, path: str | Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["label", "precision", "recall", "f1", "support"])
    for lab, m in rep["per_class"].items():
        w.writerow([lab, f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['f1']:.4f}", m["support"]])
    atomic_write_text(path, buf.getvalue())


def plot_confusion(cm: np.ndarray, labels: list[str], path: str | Path, title: str = "") -> None:
    """Row-normalised confusion matrix; figure size grows with the class count (readable at 50+)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(labels)
    rows = cm.sum(1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros(cm.shape, np.float64), where=rows > 0)
    side = max(6.0, 0.28 * k + 3.0)
    font = 9 if k <= 20 else (7 if k <= 40 else 6)
    fig, ax = plt.subplots(figsize=(side, side * 0.92), dpi=110)
    im = ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(labels, rotation=90, fontsize=font)
    ax.set_yticklabels(labels, fontsize=font)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true (rows normalised)")
    if k <= 30:  # numbers stay legible only for small matrices
        for i, j in zip(*np.nonzero(cm)):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=font - 1,
                    color="white" if norm[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png")
    plt.close(fig)
