"""`slr-train teach-benchmark`: play the user of "Teach it your own signs" on real data.

Two scenarios, each with signs the base model never saw:

* **cafe words on the wlasl50 base.** One recorder of cafe_words is "the user": for every sign,
  k takes (k = 1, 3, 5, 10) from ONE recording session, as a person records them in one sitting.
  Tested on that recorder's takes from the other sessions (*same person*, another day/run), on the
  rest of the same session (*same person, same sitting*, optimistic: 30 near-identical takes per
  run) and on all takes of the other recorder (*other person*, another room too). Both recorders
  take the user's role in turn.
* **a wlasl50 subset on the cafe-words base.** The 10 glosses with the most sequences; k random
  takes per sign, tested on the rest. wlasl50 records no signer, and its sequences come from
  different WLASL videos (mostly different signers), so this is a *same-set held-out* figure,
  closer to other-person than to same-person.

Heads compared on the same takes: the logistic head `slr-train teach` ships, nearest class mean on
the same embeddings, and a ridge classifier on hand-crafted landmark features with no base model
(the calibration the issue gives). "Unknown": the share of out-of-vocabulary signs (cafe words
and letters not taught; the other 40 wlasl50 glosses) that the personal model accepts as a sign
at the threshold `teach` chose, beside the share of the user's own held-out takes it accepts.

Every trial uses the functions `slr-train teach` uses (`embed_sequences`, `fit_personal`); the
head is applied in numpy to frozen embeddings, which the exported graph reproduces to 1e-6
(checked at every export). The teach time is measured separately: `python -m trainer.teach` (what
the app's Train button runs) on 10 signs x 5 takes with an empty embedding cache, so it includes
the interpreter, imports, the idle pool and the export.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path

import numpy as np

from slr_desktop.core.atomic import atomic_write_text, check_output_file
from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT

from .errors import ConfigError, DataError, command
from .few_shot import fit_ncm
from .teach import EmbeddingCache, TeachConfig, embed_sequences, fit_personal, seq_key

CAFE_WORDS = ("a", "can", "coffee", "hello", "i", "medium", "no", "please", "tea", "thank-you")
RECORDERS = ("dmohazab", "TheCamNelson")
KS = (1, 3, 5, 10)


# ----------------------------------------------------------------- hand-crafted baseline (no base)
def hand_features(seq: LandmarkSequence, fps: float = 30.0, bins: int = 8) -> np.ndarray:
    """Shoulder-normalised wrist positions, hand-local shapes, presence and elbows, resampled to
    `bins` steps, their differences, and their mean/std over time."""
    from slr_desktop.core.window import resample

    from .augment import body_frame

    pts, mask, _ = resample(seq, fps)                      # (T, 75, 3), (T, 75)
    frame = body_frame(pts, mask)
    centre, width = frame if frame is not None else (np.zeros(2), 0.35)
    g = (pts[..., :2] - centre) / width                    # (T, 75, 2)
    t = len(g)
    parts = []
    for part in (LAYOUT.left_hand, LAYOUT.right_hand):
        present = mask[:, part].max(1) > 0                 # (T,)
        h = g[:, part]                                     # (T, 21, 2)
        local = h - h[:, :1]
        local = local / np.maximum(np.linalg.norm(local, axis=-1).max(1), 1e-3)[:, None, None]
        f = np.concatenate([h[:, 0], local.reshape(t, -1), present[:, None].astype(np.float32)], 1)
        f[~present] = 0.0
        parts.append(f)
    elbows = [13, 14]
    parts.append((g[:, elbows] * (mask[:, elbows, None] > 0)).reshape(t, -1))
    f = np.concatenate(parts, 1)                           # (T, D)
    pos = np.linspace(0, t - 1, bins)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, t - 1)
    a = (pos - i0)[:, None]
    fb = f[i0] * (1 - a) + f[i1] * a                       # (bins, D)
    return np.concatenate([fb.ravel(), np.diff(fb, axis=0).ravel(), f.mean(0), f.std(0)]).astype(np.float32)


def fit_ridge(x: np.ndarray, y: np.ndarray, k: int, alpha: float = 10.0):
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    targets = np.eye(k)[y] * 2 - 1
    w = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ targets)
    return lambda xt: ((xt - mu) / sd) @ w


# ---------------------------------------------------------------------------- embeddings
def test_views(embedder, seqs: list[LandmarkSequence], seq_len: int, fps: float, pool, cache: EmbeddingCache,
               progress=None) -> np.ndarray:
    """(N, 2, d): the aligned window and one live-condition window (the sequence at a seeded
    offset between real idle frames, no augmentation) of every sequence."""
    from .windows import WindowMaker

    label = ["x"]
    relabel = [LandmarkSequence(s.points, s.mask, s.fps, s.width, s.height, "x", s.source, s.timestamps_ms, s.meta)
               for s in seqs]
    centre = WindowMaker(relabel, label, seq_len, fps, placement="centre")
    live = WindowMaker(relabel, label, seq_len, fps, idle_pool=pool, placement="random")
    out = np.zeros((len(seqs), 2, embedder.dim), np.float32)
    for i, s in enumerate(seqs):
        key = "test-" + seq_key(s)
        hit = cache.get(key)
        if hit is not None and hit.shape == out.shape[1:]:
            out[i] = hit
            continue
        rng = np.random.default_rng([1, int(key[5:17], 16)])
        a, am, _ = centre.window(i, rng)
        b, bm, _ = live.window(i, rng)
        e, _ = embedder(np.stack([a, b]), np.stack([am, bm]), batch=2)
        out[i] = e
        cache.put(key, e)
        if progress is not None and i % 100 == 0:
            progress(i, len(seqs))
    return out


def session_of(s: LandmarkSequence) -> str:
    """cafe_words: a recording run = 30 consecutive sequences of one label in one commit."""
    m = s.meta
    return m.get("session") or f"{str(m.get('added_in_commit', ''))[:8]}:{int(m.get('sequence', 0)) // 30}"


# ----------------------------------------------------------------------------------- trials
class Results:
    def __init__(self) -> None:
        self.acc: dict[tuple, list[float]] = defaultdict(list)

    def add(self, scenario: str, method: str, split: str, view: str, k: int, value: float) -> None:
        if np.isfinite(value):
            self.acc[(scenario, method, split, view, k)].append(float(value))

    def table(self) -> list[dict]:
        rows = []
        for (sc, m, sp, v, k), vals in sorted(self.acc.items()):
            rows.append(dict(scenario=sc, method=m, split=sp, view=v, k=k, mean=float(np.mean(vals)),
                             std=float(np.std(vals)), trials=len(vals)))
        return rows


def _accepted(probs: np.ndarray, idle_index: int, threshold: float) -> np.ndarray:
    """Windows the decoder would take as a sign: best label not idle, p >= threshold."""
    best = probs.argmax(1)
    return (best != idle_index) & (probs.max(1) >= threshold)


def run_trials(res: Results, scenario: str, cfg: TeachConfig, train_pool: dict, tests: dict, oov: np.ndarray | None,
               E_idle: np.ndarray, labels: list[str], feats: dict | None, pool_feats: np.ndarray | None) -> None:
    """One trial: train_pool {sign index: (E (k, V, d), feats (k, F))}; tests {split: (E (n, 2, d), y, feats)}."""
    k_cls = len(labels)
    idle = k_cls - 1
    E = np.concatenate([e for e, _ in train_pool.values()])
    y = np.concatenate([np.full(len(e), c) for c, (e, _) in train_pool.items()])
    fitted = fit_personal(cfg, E, y, E_idle, k_cls, idle)
    heads = {"teach (logistic)": fitted.head}
    x_all = np.concatenate([E.reshape(-1, E.shape[-1]), E_idle.reshape(-1, E.shape[-1])])
    y_all = np.concatenate([np.repeat(y, E.shape[1]), np.full(E_idle.shape[0] * E_idle.shape[1], idle)])
    heads["nearest class mean"] = fit_ncm(x_all, y_all, k_cls)
    ridge = None
    if feats is not None:
        f = np.concatenate([fe for _, fe in train_pool.values()] + [pool_feats])
        yf = np.concatenate([y, np.full(len(pool_feats), idle)])
        ridge = fit_ridge(f, yf, k_cls)
    kk = len(E) // max(1, len(train_pool))
    for split, (et, yt, ft) in tests.items():
        if len(yt) == 0:
            continue
        for name, head in heads.items():
            for vi, view in enumerate(("aligned", "live")):
                p = head.proba(et[:, vi])
                res.add(scenario, name, split, view, kk, float((p.argmax(1) == yt).mean()))
                if name.startswith("teach"):
                    acc = _accepted(p, idle, fitted.threshold) & (p.argmax(1) == yt)
                    res.add(scenario, name, split + ": accepted as the right sign", view, kk, float(acc.mean()))
        if ridge is not None and ft is not None:
            res.add(scenario, "ridge, hand-crafted features, no base", split, "aligned", kk,
                    float((ridge(ft).argmax(1) == yt).mean()))
    if oov is not None and len(oov):
        for vi, view in enumerate(("aligned", "live")):
            p = fitted.head.proba(oov[:, vi])
            res.add(scenario, "teach (logistic)", "unknown signs: accepted as a sign", view, kk,
                    float(_accepted(p, idle, fitted.threshold).mean()))
    res.add(scenario, "teach (logistic)", "threshold chosen", "-", kk, fitted.threshold)
    res.add(scenario, "teach (logistic)", "same person, leave-takes-out inside teach", "aligned", kk,
            fitted.held_out["top1"])


def cafe_scenario(res: Results, cafe_dir: Path, base: Path, cfg: TeachConfig, ks, reps: int, cache_dir: Path,
                  words=CAFE_WORDS, max_test: int = 60, log=print) -> dict:
    from slr_desktop.core.idle_pool import load_idle_pool

    from .landmark_sets import load_set
    from .onnx_head import Embedder
    from .teach import base_metadata

    name = f"cafe words ({len(words)}) on the {base.stem} base"
    seqs = [s for s in load_set(cafe_dir) if s.meta.get("real", True) and not s.meta.get("all_zero")]
    missing = [w for w in words if not any(s.gloss == w for s in seqs)]
    if missing:
        raise DataError(f"{cafe_dir} lacks {', '.join(missing)}: import it with --labels all")
    pool = load_idle_pool()
    import onnx

    meta = base_metadata(onnx.load(str(base)))
    emb = Embedder(base, threads=cfg.threads)
    cache = EmbeddingCache(cache_dir, base.read_bytes(), pool, cfg.n_aug, cfg.seed)
    labels = list(words) + ["-"]
    rng = np.random.default_rng(0)
    # training candidates: the first 10 takes of every (recorder, sign, session); tests: the rest,
    # at most `max_test` per (recorder, sign, kind) drawn at random (the cost is embedding them)
    by = defaultdict(list)
    for s in seqs:
        if s.gloss in words and s.meta.get("group") in RECORDERS:
            by[(s.meta["group"], s.gloss, session_of(s))].append(s)
    cand = {key: sorted(v, key=lambda s: int(s.meta.get("sequence", 0)))[:max(ks)] for key, v in by.items()}
    cand = {key: v for key, v in cand.items() if len(v) >= max(ks)}
    cand_list = [s for v in cand.values() for s in v]
    cand_ids = {id(s) for s in cand_list}
    log(f"[{name}] embedding {len(cand_list)} candidate takes ({1 + cfg.n_aug} windows each)")
    Ec = embed_sequences(emb, cand_list, labels, meta.seq_len, meta.fps, pool, cfg.n_aug, cfg.seed, cache)
    ec_of = {id(s): Ec[i] for i, s in enumerate(cand_list)}
    test_seqs = {}
    for rec in RECORDERS:
        for w in words:
            rest = [s for s in seqs if s.gloss == w and s.meta.get("group") == rec and id(s) not in cand_ids]
            pick = rng.permutation(len(rest))[:max_test]
            test_seqs[(rec, w)] = [rest[i] for i in pick]
    oov_seqs = [s for s in seqs if s.gloss not in words and s.gloss != "-"]
    oov_seqs = [oov_seqs[i] for i in rng.permutation(len(oov_seqs))[:max_test * 6]]
    flat = [s for v in test_seqs.values() for s in v]
    log(f"[{name}] embedding {len(flat)} test takes and {len(oov_seqs)} unknown-sign takes (2 windows each)")
    Et = test_views(emb, flat + oov_seqs + cand_list, meta.seq_len, meta.fps, pool, cache,
                    lambda i, n: log(f"  {i}/{n}"))
    et_of = {id(s): Et[i] for i, s in enumerate(flat + oov_seqs + cand_list)}
    Ei = embed_sequences(emb, pool, labels, meta.seq_len, meta.fps, pool, cfg.n_aug_idle, cfg.seed + 7, cache)
    feats = {id(s): hand_features(s) for s in flat + cand_list}
    pool_feats = np.stack([hand_features(s) for s in pool])
    E_oov = np.stack([et_of[id(s)] for s in oov_seqs])
    for teacher in RECORDERS:
        other = [r for r in RECORDERS if r != teacher][0]
        for k in ks:
            for rep in range(reps):
                trng = np.random.default_rng([rep, k, RECORDERS.index(teacher)])
                train, tests = {}, defaultdict(list)
                for c, w in enumerate(words):
                    sessions = sorted(key for key in cand if key[0] == teacher and key[1] == w)
                    key = sessions[int(trng.integers(len(sessions)))]
                    chosen = [cand[key][i] for i in trng.choice(len(cand[key]), k, replace=False)]
                    train[c] = (np.stack([ec_of[id(s)] for s in chosen]), np.stack([feats[id(s)] for s in chosen]))
                    same_sitting = [s for s in cand[key] if all(s is not t for t in chosen)]
                    other_sessions = [s for s in test_seqs[(teacher, w)] if session_of(s) != key[2]]
                    for split, lst in (("same person, other sessions", other_sessions),
                                       ("same person, same sitting", same_sitting),
                                       ("other person", test_seqs[(other, w)])):
                        tests[split] += [(s, c) for s in lst]
                tsets = {split: (np.stack([et_of[id(s)] for s, _ in v]), np.array([c for _, c in v]),
                                 np.stack([feats[id(s)] for s, _ in v])) for split, v in tests.items() if v}
                run_trials(res, name, cfg, train, tsets, E_oov, Ei, labels, feats, pool_feats)
        log(f"[{name}] teacher {teacher}: done")
    return dict(name=name, base=str(base), words=list(words), n_test={f"{r}/{w}": len(v) for (r, w), v in
                                                                        test_seqs.items()},
                n_unknown=len(oov_seqs), unknown="cafe_words signs not taught (words and letters, all recorders)")


def wlasl_scenario(res: Results, wl_dir: Path, base: Path, cfg: TeachConfig, ks, reps: int, cache_dir: Path,
                   n_signs: int = 10, log=print) -> dict:
    import onnx

    from slr_desktop.core.idle_pool import load_idle_pool

    from .landmark_sets import load_set
    from .onnx_head import Embedder
    from .teach import base_metadata

    seqs = [s for s in load_set(wl_dir) if s.meta.get("real", True)]
    counts = Counter(s.gloss for s in seqs)
    words = sorted(g for g, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:n_signs])
    name = f"wlasl50 subset ({len(words)}) on the {base.stem} base"
    pool = load_idle_pool()
    meta = base_metadata(onnx.load(str(base)))
    emb = Embedder(base, threads=cfg.threads)
    cache = EmbeddingCache(cache_dir, base.read_bytes(), pool, cfg.n_aug, cfg.seed)
    labels = list(words) + ["-"]
    known = [s for s in seqs if s.gloss in words]
    oov = [s for s in seqs if s.gloss not in words]
    log(f"[{name}] embedding {len(known)} takes and {len(oov)} unknown-sign takes")
    Ek = embed_sequences(emb, known, labels, meta.seq_len, meta.fps, pool, cfg.n_aug, cfg.seed, cache)
    Et = test_views(emb, known + oov, meta.seq_len, meta.fps, pool, cache)
    Ei = embed_sequences(emb, pool, labels, meta.seq_len, meta.fps, pool, cfg.n_aug_idle, cfg.seed + 7, cache)
    feats = np.stack([hand_features(s) for s in known])
    pool_feats = np.stack([hand_features(s) for s in pool])
    y = np.array([words.index(s.gloss) for s in known])
    E_oov = Et[len(known):]
    for k in ks:
        if min(counts[w] for w in words) <= k:
            log(f"[{name}] k={k}: some sign has <= {k} takes, nothing left to test on; skipped")
            continue
        for rep in range(reps):
            trng = np.random.default_rng([rep, k, 7])
            train, te = {}, []
            for c in range(len(words)):
                idx = np.flatnonzero(y == c)
                pick = trng.choice(idx, k, replace=False)
                train[c] = (Ek[pick], feats[pick])
                te += [i for i in idx if i not in set(pick.tolist())]
            te = np.array(te)
            run_trials(res, name, cfg, train, {"same set, held-out takes (other signers)": (Et[te], y[te], feats[te])},
                       E_oov, Ei, labels, feats, pool_feats)
    return dict(name=name, base=str(base), words=words, n=len(known), n_unknown=len(oov),
                unknown="the other wlasl50 glosses", note="wlasl50 has no signer ids: same-set held-out only")


def time_teach(cafe_dir: Path, base: Path, words, k: int, threads: int) -> dict:
    """`python -m trainer.teach` (what the Train button runs) on len(words) signs x k takes of one
    recorder: wall-clock seconds with an empty embedding cache (first teach) and again with it
    (a retrain), plus a reference in the same run (one batch-1 onnxruntime window of the base) so
    the figures can be read as ratios on a loaded machine."""
    from slr_desktop.core.runtime import make_session
    from slr_desktop.core.timing import median_ms

    from .landmark_sets import load_set
    from .windows import WindowMaker

    seqs = [s for s in load_set(cafe_dir) if s.gloss in words and s.meta.get("group") == RECORDERS[0]]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "takes"
        for w in words:
            for i, s in enumerate([s for s in seqs if s.gloss == w][:k]):
                s.save(data / w / f"{i:04d}.npz")
        out = Path(tmp) / "model.onnx"
        cmd = [sys.executable, "-m", "trainer.teach", str(data), str(out), "--base", str(base), "--cache-dir",
               str(Path(tmp) / "cache"), "--threads", str(threads), "--json", str(Path(tmp) / "r.json")]
        runs = []
        for _ in range(2):                       # empty cache, then warm
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            runs.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise RuntimeError(f"teach failed: {proc.stderr.strip()[-300:]}")
        report = json.loads((Path(tmp) / "r.json").read_text())
    from slr_desktop.core.runtime import Classifier

    sess, meta = make_session(str(base), threads=1), Classifier(base).meta   # the base's own window
    X, M, _ = WindowMaker(seqs[:1], [seqs[0].gloss], meta.seq_len, meta.fps).arrays(seed=0)
    ref = median_ms(lambda: sess.run(["probs"], {"landmarks": X, "mask": M}), 20, warmup=3)
    return dict(signs=len(words), takes_per_sign=k, first_teach_s=round(runs[0], 2), retrain_s=round(runs[1], 2),
                inside_teach_s=report["seconds"], held_out=report["held_out"], base_window_ms=round(ref, 2),
                first_teach_in_base_windows=round(runs[0] * 1000.0 / ref))


def _print_table(rows: list[dict], ks) -> None:
    by = defaultdict(dict)
    for r in rows:
        by[(r["scenario"], r["split"], r["method"], r["view"])][r["k"]] = r
    scenario = None
    for (sc, split, method, view), cells in by.items():
        if sc != scenario:
            scenario = sc
            print(f"\n## {sc}\n")
            print("| split | method | view | " + " | ".join(f"k={k}" for k in ks) + " |")
            print("|---|---|---|" + "---|" * len(ks))
        vals = []
        for k in ks:
            c = cells.get(k)
            if c is None:
                vals.append("")
            elif split == "threshold chosen":
                vals.append(f"{c['mean']:.2f}")
            else:
                vals.append(f"{100 * c['mean']:.1f} ± {100 * c['std']:.1f}")
        print(f"| {split} | {method} | {view} | " + " | ".join(vals) + " |")


# ------------------------------------------------------------------------------------- CLI
def configure_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cafe", help="cafe_words imported with --labels all (slr-train import cafe_words SRC DIR "
                                  "--labels all)")
    p.add_argument("--wlasl", help="wlasl50 imported (slr-train import wlasl50 SRC DIR)")
    p.add_argument("--cafe-base", help="base for the cafe words (default: the bundled wlasl50.onnx)")
    p.add_argument("--wlasl-base", help="base for the wlasl50 subset (default: the bundled cafe-words.onnx)")
    p.add_argument("--cafe-words", default=",".join(CAFE_WORDS),
                   help="the cafe words to teach (the default 10 are the reported ones; other words serve to tune)")
    p.add_argument("--ks", default="1,3,5,10", help="takes per sign")
    p.add_argument("--reps", type=int, default=5, help="random draws of the takes per k (and recorder)")
    p.add_argument("--cache-dir", help="embedding cache (default: a temporary folder)")
    p.add_argument("--no-timing", action="store_true", help="skip the end-to-end teach timing")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", help="write every figure to this file")


@command("teach-benchmark")
def run(args: argparse.Namespace) -> int:
    from slr_desktop.core.model_registry import bundled_models_dir

    ks = tuple(int(k) for k in str(args.ks).split(",") if k.strip())
    if not ks or min(ks) < 1:
        raise ConfigError("--ks must be positive integers, e.g. 1,3,5,10")
    if not (args.cafe or args.wlasl):
        raise ConfigError("give --cafe and/or --wlasl (imported landmark sets)")
    if args.json:
        check_output_file(args.json, "--json file")
    cfg = TeachConfig(threads=args.threads)
    from .few_shot import limit_blas_threads

    limit_blas_threads(args.threads)
    res = Results()
    out: dict = dict(config=dict(ks=list(ks), reps=args.reps, teach=asdict(cfg)),
                     scenarios=[])
    tmp = None
    cache_dir = Path(args.cache_dir) if args.cache_dir else Path(tmp := tempfile.mkdtemp(prefix="teach-bench-"))
    try:
        t0 = time.perf_counter()
        if args.cafe:
            base = Path(args.cafe_base) if args.cafe_base else bundled_models_dir() / "wlasl50.onnx"
            words = tuple(w.strip() for w in args.cafe_words.split(",") if w.strip())
            out["scenarios"].append(cafe_scenario(res, Path(args.cafe), base, cfg, ks, args.reps, cache_dir, words))
            if not args.no_timing:
                out["teach_time"] = time_teach(Path(args.cafe), base, CAFE_WORDS, 5, args.threads)
        if args.wlasl:
            base = Path(args.wlasl_base) if args.wlasl_base else bundled_models_dir() / "cafe-words.onnx"
            out["scenarios"].append(wlasl_scenario(res, Path(args.wlasl), base, cfg, ks, args.reps, cache_dir))
        out["results"] = res.table()
        out["seconds"] = round(time.perf_counter() - t0, 1)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _print_table(out["results"], ks)
    if "teach_time" in out:
        t = out["teach_time"]
        print(f"\nteach time, {t['signs']} signs x {t['takes_per_sign']} takes: first teach {t['first_teach_s']} s, "
              f"retrain {t['retrain_s']} s (python -m trainer.teach, as the Train button runs it); "
              f"reference: one base-model window {t['base_window_ms']} ms (first teach = "
              f"{t['first_teach_in_base_windows']} windows)")
    if args.json:
        atomic_write_text(args.json, json.dumps(out, indent=1, default=str))
    return 0
