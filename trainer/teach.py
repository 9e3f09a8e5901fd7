"""`slr-train teach`: a personal model from a few takes per sign, in seconds, without torch.

Recipe (chosen by `slr-train teach-benchmark`, see README "Teach it your own signs"):
1. The base model (a bundled `.onnx`) is a frozen feature extractor: its pooled embedding is made
   an extra graph output (`onnx_head.with_embedding`), computed with onnxruntime.
2. Every take gives its aligned window (edge-padded, as the live decoder cuts a sign) plus
   `n_aug` augmented windows placed between real idle frames (`windows.WindowMaker`, the
   training recipe of the bundled models); the idle class "-" is the shipped idle pool (real
   idle sequences of the MIT-licensed cafe_words set) plus any recorded "no sign" takes.
3. A light head on the embeddings (`few_shot`: logistic regression, or nearest class mean).
4. Same-person held-out accuracy by leave-takes-out (folds of takes, the head refitted per fold
   on the same embeddings); the confidence threshold is chosen on those held-out predictions.
5. The personal model = the base graph with the new head (`onnx_head.replace_head`), the base's
   window, fps, layout and transform in its metadata, written atomically with its card.

Progress: `--progress-json` prints one JSON object per line on stdout (`{"event": "progress",
"stage", "fraction", "message"}`, then `{"event": "done", ...report}`), for the app's Train
button. Killed or cancelled at any point, nothing is left half-written: the card and then the
model are each written in one atomic step at the very end.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from slr_desktop.core import model_card
from slr_desktop.core.atomic import atomic_write_bytes, atomic_write_text, check_output_file
from slr_desktop.core.errors import UserError
from slr_desktop.core.landmark_index import IDLE_LABEL
from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.metadata import INPUT_LANDMARKS, INPUT_MASK, METADATA_KEY, OUTPUT_PROBS, ModelMetadata

from .errors import DataError, command
from .few_shot import LinearHead, fit_logistic, fit_ncm

NOTHING_GLOSSES = (IDLE_LABEL, "nothing")   # a recorded "no sign"
HEADS = ("logistic", "ncm")
ProgressFn = Callable[[str, float, str], None]


class TeachError(DataError):
    """Data or base model that cannot be taught from; one line."""


@dataclass
class TeachConfig:
    base: str | None = None          # base model (.onnx); None: the app's default model
    head: str = "logistic"
    epochs: int = 300                # gradient steps of the logistic head
    l2: float = 1e-2                 # chosen on 5 cafe words outside the benchmark's 10 (see teach_benchmark)
    n_aug: int = 8                   # augmented windows per take
    n_aug_idle: int = 3              # augmented windows per idle sequence
    folds: int = 5                   # leave-takes-out folds for the held-out figure
    accept: float = 0.95             # threshold: accept this share of correct held-out windows
    threshold_range: tuple[float, float] = (0.3, 0.9)
    threshold_fallback: float = 0.6  # no held-out take (one take per sign): the bundled cafe-words model's
    seed: int = 0
    threads: int = 1
    name: str | None = None

    def __post_init__(self) -> None:
        if self.head not in HEADS:
            raise TeachError(f"head must be one of {', '.join(HEADS)}, not {self.head!r}")
        if self.epochs < 1 or self.n_aug < 0 or self.n_aug_idle < 0 or self.folds < 2:
            raise TeachError("epochs >= 1, n_aug >= 0, n_aug_idle >= 0 and folds >= 2 are required")
        if not 0.0 < self.accept <= 1.0:
            raise TeachError("accept must be in (0, 1]")


# ------------------------------------------------------------------------------------ data
@dataclass
class TeachData:
    labels: list[str]                  # the user's signs, then the idle label
    takes: list[LandmarkSequence]      # usable takes (hands seen), gloss in labels
    idle: list[LandmarkSequence]       # idle pool + recorded "no sign"
    skipped: list[str]                 # ids of takes left out (no hands)
    recorded_nothing: int
    damaged: list[str] = field(default_factory=list)   # files that could not be read (one line each)

    @property
    def idle_index(self) -> int:
        return len(self.labels) - 1


def load_takes(data: str | Path, idle_pool: list[LandmarkSequence] | None = None) -> TeachData:
    """The takes of a landmark set folder (any: a Teach project, `import`/`extract` output)."""
    from slr_desktop.core.idle_pool import load_idle_pool

    from .landmark_sets import load_set

    data = Path(data)
    if not data.is_dir():
        raise TeachError(f"no landmark set folder at {data}")
    damaged: list[str] = []    # a damaged take file is left out and reported, not a failed teach
    seqs = load_set(data, damaged=damaged)
    seqs = [s for s in seqs if s.meta.get("real", True)]
    nothing = [s for s in seqs if s.gloss in NOTHING_GLOSSES and s.mask.any()]
    takes, skipped = [], []
    for s in seqs:
        if s.gloss in NOTHING_GLOSSES:
            continue
        if not s.mask[:, LAYOUT.n_pose:].any():
            skipped.append(str(s.meta.get("id", s.source)))
            continue
        takes.append(s)
    signs = sorted({s.gloss for s in takes})
    if not signs:
        raise TeachError(f"{data}: no takes with hands to learn from"
                         + (f" ({len(skipped)} take(s) without hands were left out)" if skipped else ""))
    pool = list(idle_pool) if idle_pool is not None else load_idle_pool()
    return TeachData(signs + [IDLE_LABEL], takes, pool + nothing, skipped, len(nothing), damaged)


# ------------------------------------------------------------------------------ embeddings
def base_metadata(model) -> ModelMetadata:
    props = {p.key: p.value for p in model.metadata_props}
    if METADATA_KEY not in props:
        raise TeachError("the base model is not an SLR model (no metadata)")
    return ModelMetadata.from_json(props[METADATA_KEY])


RECIPE_VERSION = 1      # bump when the windows or augmentation change (invalidates cached embeddings)


def seq_key(seq: LandmarkSequence) -> str:
    """Content hash of a sequence's landmarks and clock (not its name: a renamed take is the same)."""
    h = hashlib.sha1()
    for a in (seq.points, seq.mask, seq.timestamps_ms if seq.timestamps_ms is not None else np.zeros(0)):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(f"{seq.fps:.6f}/{seq.width}/{seq.height}".encode())
    return h.hexdigest()


class EmbeddingCache:
    """Per-sequence embeddings of its windows, on disk: a retrain embeds only new takes, and the
    idle pool (the same for every project) is embedded once per base model. Keyed by the base
    model's bytes, the idle pool, the recipe and the sequence's content; written atomically."""

    def __init__(self, root: Path | None, base_bytes: bytes, pool: list[LandmarkSequence], n_aug: int,
                 seed: int) -> None:
        self.root = None
        if root is not None:
            h = hashlib.sha1(base_bytes)
            for s in pool:
                h.update(seq_key(s).encode())
            h.update(f"v{RECIPE_VERSION}/a{n_aug}/s{seed}".encode())
            self.root = Path(root) / h.hexdigest()[:20]
        self.hits = self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        if self.root is None:
            return None
        try:
            out = np.load(self.root / f"{key}.npy", allow_pickle=False)
            self.hits += 1
            return out
        except (OSError, ValueError):
            return None

    def put(self, key: str, emb: np.ndarray) -> None:
        if self.root is None:
            return
        import io

        buf = io.BytesIO()
        np.save(buf, emb.astype(np.float32), allow_pickle=False)
        try:
            atomic_write_bytes(self.root / f"{key}.npy", buf.getvalue())
        except OSError:
            pass


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("slr-desktop")) / "teach"


def embed_sequences(embedder, seqs: list[LandmarkSequence], labels: list[str], seq_len: int, fps: float,
                    idle: list[LandmarkSequence], n_aug: int, seed: int, cache: EmbeddingCache,
                    progress: Callable[[float], None] | None = None) -> np.ndarray:
    """Embeddings (N, 1 + n_aug, d) of every sequence's aligned window and `n_aug` augmented
    windows placed between real idle frames. Each sequence's randomness is seeded by its content,
    so its windows do not depend on which other takes exist (and can be cached)."""
    from .augment import AugmentConfig
    from .windows import WindowMaker

    relabel = [LandmarkSequence(s.points, s.mask, s.fps, s.width, s.height, labels[0], s.source,
                                s.timestamps_ms, s.meta) for s in seqs]
    centre = WindowMaker(relabel, labels, seq_len, fps, placement="centre")
    aug = WindowMaker(relabel, labels, seq_len, fps, augment=AugmentConfig(), idle_pool=idle, placement="random")
    out = np.zeros((len(seqs), 1 + n_aug, embedder.dim), np.float32)
    todo = []
    for i, s in enumerate(seqs):
        key = seq_key(s)
        hit = cache.get(key)
        if hit is not None and hit.shape == out.shape[1:]:
            out[i] = hit
        else:
            todo.append((i, key))
    cache.misses += len(todo)
    for j, (i, key) in enumerate(todo):
        rng = np.random.default_rng([seed, int(key[:12], 16)])
        xs, ms = [], []
        x, m, _ = centre.window(i, rng)
        xs.append(x)
        ms.append(m)
        for _ in range(n_aug):
            x, m, _ = aug.window(i, rng)
            xs.append(x)
            ms.append(m)
        e, _ = embedder(np.stack(xs), np.stack(ms), batch=len(xs))
        out[i] = e
        cache.put(key, e)
        if progress is not None:
            progress((j + 1) / len(todo))
    return out


def fit_head(cfg: TeachConfig, x: np.ndarray, y: np.ndarray, k: int) -> LinearHead:
    if cfg.head == "ncm":
        return fit_ncm(x, y, k)
    return fit_logistic(x, y, k, l2=cfg.l2, steps=cfg.epochs)


def training_set(E_takes: np.ndarray, y_takes: np.ndarray, E_idle: np.ndarray, idle_index: int,
                 rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Flatten take windows (all views) of `rows` and every idle window into (x, y)."""
    et = E_takes if rows is None else E_takes[rows]
    yt = y_takes if rows is None else y_takes[rows]
    d = E_takes.shape[-1]
    x = np.concatenate([et.reshape(-1, d), E_idle.reshape(-1, d)])
    y = np.concatenate([np.repeat(yt, et.shape[1]), np.full(E_idle.shape[0] * E_idle.shape[1], idle_index)])
    return x, y


def take_folds(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold of every take, stratified per sign (a sign's takes spread over the folds); -1 for a
    sign with a single take (it cannot be held out without removing the sign)."""
    rng = np.random.default_rng(seed)
    fold = np.full(len(y), -1)
    for c in np.unique(y):
        idx = np.where(y == c)[0]
        if len(idx) < 2:
            continue
        idx = rng.permutation(idx)
        fold[idx] = np.arange(len(idx)) % min(folds, len(idx))
    return fold


def held_out(cfg: TeachConfig, E: np.ndarray, y: np.ndarray, E_idle: np.ndarray, k: int,
             idle_index: int) -> dict:
    """Leave-takes-out: per fold, fit on the other takes (+ idle), predict every window of the
    held-out takes. probs (N, V, k): view 0 aligned, views 1.. live-like (augmented, between idle
    frames); NaN for takes never held out (a sign's only take)."""
    fold = take_folds(y, cfg.folds, cfg.seed)
    probs = np.full((len(y), E.shape[1], k), np.nan, np.float32)
    for f in sorted(set(fold.tolist()) - {-1}):
        test = fold == f
        x, yy = training_set(E, y, E_idle, idle_index, rows=np.where(~test)[0])
        head = fit_head(cfg, x, yy, k)
        probs[test] = head.proba(E[test].reshape(-1, E.shape[-1])).reshape(int(test.sum()), E.shape[1], k)
    ok = ~np.isnan(probs[:, 0, 0])
    top1 = float((probs[ok, 0].argmax(1) == y[ok]).mean()) if ok.any() else float("nan")
    live = float((probs[ok, 1:].argmax(-1) == y[ok, None]).mean()) if ok.any() and E.shape[1] > 1 else float("nan")
    return dict(probs=probs, evaluated=ok, top1=top1, top1_live=live, n=int(ok.sum()),
                n_folds=int(len(set(fold.tolist()) - {-1})))


def choose_threshold(cfg: TeachConfig, probs: np.ndarray, y: np.ndarray) -> float:
    """The threshold that still accepts `accept` of the correctly recognised held-out windows
    (live-like views when there are any), within `threshold_range`. The decoder shows sign X only
    when p(X) >= threshold."""
    lo, hi = cfg.threshold_range
    ok = ~np.isnan(probs[:, 0, 0])
    if not ok.any():
        return float(cfg.threshold_fallback)
    views = probs[ok, 1:] if probs.shape[1] > 1 else probs[ok, :1]        # (n, v, k)
    yy = np.repeat(y[ok], views.shape[1])
    flat = views.reshape(-1, views.shape[-1])
    correct = flat.argmax(1) == yy
    if not correct.any():
        return float(lo)
    p = flat[correct, yy[correct]]
    return float(np.clip(np.quantile(p, 1.0 - cfg.accept), lo, hi))


@dataclass
class Fitted:
    head: LinearHead
    threshold: float
    held_out: dict


def fit_personal(cfg: TeachConfig, E: np.ndarray, y: np.ndarray, E_idle: np.ndarray, k: int,
                 idle_index: int, progress: ProgressFn | None = None) -> Fitted:
    """Held-out check and threshold (leave-takes-out), then the head on every take."""
    say = progress or (lambda stage, frac, msg: None)
    say("held-out", 0.78, "leave-takes-out check")
    ho = held_out(cfg, E, y, E_idle, k, idle_index)
    threshold = choose_threshold(cfg, ho["probs"], y)
    say("fit", 0.88, f"fitting the {cfg.head} head")
    x, yy = training_set(E, y, E_idle, idle_index)
    return Fitted(fit_head(cfg, x, yy, k), threshold, ho)


# --------------------------------------------------------------------------------- export
def personal_metadata(base: ModelMetadata, labels: list[str], name: str, threshold: float, report: dict,
                      pool_licence: str) -> ModelMetadata:
    k = len(labels)
    ho = report["held_out"]
    metrics = dict(top1=ho["top1"], n=ho["n"]) if ho["n"] else {}
    if ho["n"]:
        metrics["figures"] = {"same person, leave-takes-out (aligned)": dict(
            top1=f"{100 * ho['top1']:.1f}%", n=ho["n"])}
    cfg = dict(base.model_config or {})
    cfg.update(n_classes=k, teach=dict(base=Path(report["base"]).name, head=report["head"]))
    return ModelMetadata(
        name=name, labels=list(labels), seq_len=base.seq_len, fps=base.fps, layout_id=base.layout_id,
        transform=dict(base.transform), points_used=list(base.points_used),
        sign_language=f"personal signs (base model {base.name}: {base.sign_language})",
        dataset=(f"{report['n_takes']} takes of {k - 1} signs recorded by one person"
                 + (f" (+ {report['recorded_nothing']} recorded 'no sign')" if report["recorded_nothing"] else "")
                 + f"; idle class: {report['n_idle_pool']} idle sequences of the cafe_words set"),
        split=(f"SAME-PERSON accuracy: leave-takes-out, {ho['n_folds']} folds over the recorded takes (the head "
               f"refitted without the held-out takes, base model frozen); takes of one person in one setting, so "
               f"expect lower accuracy for other people, rooms and days"),
        metrics=metrics,
        license=(f"your recordings: yours. Base model {base.name}: {base.license or 'not stated'}. "
                 f"Idle pool: {pool_licence}"),
        idle_label=IDLE_LABEL, threshold=round(float(threshold), 3),
        git_commit=base.git_commit, date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        model_config=cfg,
        notes=(f"Taught with `slr-train teach` on base model `{base.name}` (frozen feature extractor, "
               f"{report['head']} head on its {report['dim']}-d pooled embedding). Confidence threshold "
               f"{threshold:.2f}: the one that still accepts {100 * report['accept']:.0f}% of the correctly "
               f"recognised held-out takes."),
    )


def export_personal(model, head: LinearHead, meta: ModelMetadata, out: Path,
                    check: tuple[np.ndarray, np.ndarray], want: np.ndarray) -> dict:
    """Write the personal model (+ card) atomically after checking it: onnx.checker, an
    onnxruntime run against the numpy head, and a load through the app's own Classifier."""
    import onnx

    from slr_desktop.core.runtime import Classifier, make_session
    from slr_desktop.core.timing import median_ms

    from .onnx_head import replace_head

    m = replace_head(model, head.weight, head.bias, normalize=head.normalize)
    del m.metadata_props[:]
    entry = m.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, meta.to_json()
    m.producer_name = "slr-train teach"
    onnx.checker.check_model(m, full_check=True)
    data = m.SerializeToString()
    sess = make_session(data, threads=1)
    got = sess.run([OUTPUT_PROBS], {INPUT_LANDMARKS: check[0], INPUT_MASK: check[1]})[0]
    diff = float(np.abs(got - want).max())
    if not np.isfinite(got).all() or diff > 1e-4:
        raise RuntimeError(f"the exported personal model disagrees with its head: max abs diff {diff:.2e}")
    one = {INPUT_LANDMARKS: check[0][:1], INPUT_MASK: check[1][:1]}
    latency = median_ms(lambda: sess.run([OUTPUT_PROBS], one), 10, warmup=2)
    card = model_card.render(meta, out.name, model_card.ExportFigures(latency, diff, len(check[0]), "the fitted head"))
    # card first, model last: the model appears in the Model menu only when both are complete
    atomic_write_text(out.with_suffix(".md"), card)
    atomic_write_bytes(out, data)
    Classifier(out)   # what the app will do; raises ModelError if it would refuse it
    return dict(max_abs_diff=diff, latency_ms=latency)


# ----------------------------------------------------------------------------------- teach
def teach(data: str | Path, out: str | Path, cfg: TeachConfig | None = None,
          progress: ProgressFn | None = None, idle_pool: list[LandmarkSequence] | None = None,
          cache_dir: Path | None = None) -> dict:
    """Teach a personal model from `data` and write it to `out` (+ card). Returns the report."""
    import onnx

    from slr_desktop.core.idle_pool import idle_pool_meta

    from .few_shot import limit_blas_threads
    from .onnx_head import Embedder

    cfg = cfg or TeachConfig()
    limit_blas_threads(cfg.threads)
    say = progress or (lambda stage, frac, msg: None)
    t0 = time.perf_counter()
    out = Path(out)
    if out.suffix != ".onnx":
        raise TeachError(f"output must be a .onnx file, not {out.name}")
    check_output_file(out, "output model")
    if not Path(data).is_dir():
        raise TeachError(f"no landmark set folder at {data}")
    if cfg.base:
        base_path = Path(cfg.base)
    else:
        from slr_desktop.core.model_registry import default_model
        base_path = default_model()
    if not base_path.is_file():
        raise TeachError(f"base model not found: {base_path}")
    try:
        base_model = onnx.load(str(base_path))
    except Exception as e:
        raise TeachError(f"{base_path.name} is not a readable ONNX model ({e})") from None
    say("load", 0.0, "reading the takes")
    td = load_takes(data, idle_pool)
    out.parent.mkdir(parents=True, exist_ok=True)
    base = base_metadata(base_model)
    embedder = Embedder(base_path, threads=cfg.threads)
    k = len(td.labels)
    cache = EmbeddingCache(cache_dir, base_path.read_bytes(), td.idle, cfg.n_aug, cfg.seed)
    n_s, n_i = len(td.takes), len(td.idle)
    say("embed", 0.05, f"{len(td.takes)} takes of {k - 1} signs; embedding with {base.name}")
    y = np.array([td.labels.index(s.gloss) for s in td.takes])
    E = embed_sequences(embedder, td.takes, td.labels, base.seq_len, base.fps, td.idle, cfg.n_aug, cfg.seed,
                        cache, lambda f: say("embed", 0.05 + 0.7 * f * n_s / (n_s + n_i), "embedding your takes"))
    Ei = embed_sequences(embedder, td.idle, td.labels, base.seq_len, base.fps, td.idle, cfg.n_aug_idle,
                         cfg.seed + 7, cache, lambda f: say("embed", 0.05 + 0.7 * (n_s + f * n_i) / (n_s + n_i),
                                                            "embedding the idle pool"))
    t_embed = time.perf_counter() - t0
    fitted = fit_personal(cfg, E, y, Ei, k, td.idle_index, say)
    head, threshold, ho = fitted.head, fitted.threshold, fitted.held_out
    per_sign = {}
    for c, sign in enumerate(td.labels[:-1]):
        sel = (y == c) & ho["evaluated"]
        per_sign[sign] = dict(takes=int((y == c).sum()), held_out=int(sel.sum()),
                              top1=float((ho["probs"][sel, 0].argmax(1) == c).mean()) if sel.any() else None)
    report = dict(
        data=str(data), out=str(out), base=str(base_path), base_name=base.name, labels=td.labels,
        head=cfg.head, dim=embedder.dim, n_takes=len(td.takes), skipped_no_hands=td.skipped,
        damaged=td.damaged,
        recorded_nothing=td.recorded_nothing, n_idle_pool=len(td.idle) - td.recorded_nothing,
        held_out=dict(top1=ho["top1"], top1_live=ho["top1_live"], n=ho["n"], n_folds=ho["n_folds"],
                      what="same person: leave-takes-out (aligned windows; top1_live: augmented windows "
                           "between idle frames)"),
        per_sign=per_sign, threshold=threshold, accept=cfg.accept, config=asdict(cfg),
    )
    say("export", 0.93, "writing the model")
    pool_licence = "MIT, Copyright (c) 2022 traduttore"
    try:
        pool_licence = idle_pool_meta().get("licence", pool_licence)
    except Exception:
        pass
    name = cfg.name or out.stem
    meta = personal_metadata(base, td.labels, name, threshold, report, pool_licence)
    from .windows import WindowMaker

    n_check = min(8, len(td.takes))
    X, M, _ = WindowMaker(td.takes[:n_check], td.labels, base.seq_len, base.fps).arrays(seed=0)
    report["export"] = export_personal(base_model, head, meta, out, (X, M), head.proba(E[:n_check, 0]))
    report["cache"] = dict(hits=cache.hits, misses=cache.misses)
    report["seconds"] = dict(total=round(time.perf_counter() - t0, 2), embed=round(t_embed, 2))
    say("done", 1.0, f"wrote {out.name}")
    return report


# ------------------------------------------------------------------------------------- CLI
def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", help="landmark set folder (a Teach project, or `slr-train import`/`extract` output)")
    p.add_argument("out", help="output .onnx (a .md model card is written beside it)")
    p.add_argument("--base", help="base model .onnx whose encoder is reused (default: the app's default model)")
    p.add_argument("--epochs", type=int, default=TeachConfig.epochs, help="gradient steps of the head")
    p.add_argument("--head", choices=HEADS, default=TeachConfig.head)
    p.add_argument("--augment", type=int, default=TeachConfig.n_aug, help="augmented windows per take")
    p.add_argument("--name", help="model name shown in the app (default: output file stem)")
    p.add_argument("--json", help="write the report (held-out figures, threshold, timings) to this file")
    p.add_argument("--progress-json", action="store_true",
                   help="print progress as JSON lines on stdout (for the app)")
    p.add_argument("--cache-dir", help="embedding cache (default: the user cache dir; a retrain embeds only "
                                      "new takes)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)


def _json_line(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def _terminate(signum, frame):
    raise KeyboardInterrupt


@command("teach")
def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _terminate)     # a cancel cleans up like Ctrl+C
    cfg = TeachConfig(base=args.base, head=args.head, epochs=args.epochs, n_aug=args.augment, seed=args.seed,
                      threads=args.threads, name=args.name)
    if args.progress_json:
        def progress(stage: str, frac: float, msg: str) -> None:
            _json_line(dict(event="progress", stage=stage, fraction=round(frac, 3), message=msg))
    else:
        last = {"stage": ""}

        def progress(stage: str, frac: float, msg: str) -> None:
            if stage != last["stage"]:
                last["stage"] = stage
                print(f"[{100 * frac:3.0f}%] {msg}", file=sys.stderr, flush=True)
    try:
        if args.json:
            check_output_file(args.json, "--json file")
        cache = None if args.no_cache else Path(args.cache_dir) if args.cache_dir else default_cache_dir()
        report = teach(args.data, args.out, cfg, progress, cache_dir=cache)
    except UserError as e:
        if args.progress_json:
            _json_line(dict(event="error", message=str(e).splitlines()[0]))
        raise
    if args.json:
        atomic_write_text(args.json, json.dumps(report, indent=1))
    ho = report["held_out"]
    if args.progress_json:
        _json_line(dict(report, event="done"))
    else:
        fig = (f"{100 * ho['top1']:.1f}% on {ho['n']} held-out takes (same person, leave-takes-out)"
               if ho["n"] else "no held-out figure (record 2+ takes per sign)")
        print(f"wrote {report['out']} ({len(report['labels']) - 1} signs + no-sign, base {report['base_name']}): "
              f"{fig}; threshold {report['threshold']:.2f}; {report['seconds']['total']:.1f} s")
        if report["skipped_no_hands"]:
            print(f"left out {len(report['skipped_no_hands'])} take(s) without hands", file=sys.stderr)
        for d in report["damaged"]:
            print(f"left out a damaged file: {d}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m trainer.teach ...`: the same command without `slr-train`'s other subcommands
    (the app runs this; it needs numpy, onnx and onnxruntime only, no torch)."""
    p = argparse.ArgumentParser(prog="slr-train teach", description="teach a personal model from a few takes")
    configure_parser(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
