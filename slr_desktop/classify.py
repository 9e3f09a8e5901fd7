"""`slr-desktop classify VIDEO`: recognise the sign(s) in a video file, without the GUI.

Steps: probe the file -> load the model -> track the frames the model uses (MediaPipe pose + hands;
`--every-frame`: all) -> push every tracked frame through the same `SignStream` the app uses (the
model's ring window, classified every `stride` frames of the model's fps, and the sign decoder) ->
segments (start, end, sign or unknown), a status for the whole clip, the per-window probabilities
and, as before, one clip-level top-k.

The answer to "what was signed" is the segments (`core/decoder.py`): one per sign, in order, an
unknown sign as `label: null`. The clip-level `top` is kept for tools that want one distribution;
`status` says whether it means anything (`sign` / `unknown` / `no_sign` / `no_person`) and
`top_confident` whether any window passed the model's threshold.

How windows are combined for `top` (`aggregate`): the clip-level distribution is the mean of the
probability vectors of the *confident* windows (max probability >= the model's `threshold`,
and not the model's idle label); if no window qualifies, it is the single most confident
window. Why: a clip has idle lead-in and lead-out (hands rising, hands falling), whose windows
are near-uniform or wrong, so a plain mean over all windows dilutes the sign; the single maximum
on the other hand follows whichever window happened to spike, and one window's spike is noisier
than the agreement of several windows that cover the sign. Averaging the confident ones is
steadier than either; the fallback keeps a result for clips where the model is unsure everywhere.
Only windows with enough real footage take part (the decoder's `min_real_s`).

Speed: only the frames the model's resampling picks are tracked (`window.frames_at_fps`: same clip
windows; a 30 fps file costs a 15 fps model half); the MediaPipe graphs are built on a second thread
while the file is probed and the model loads; the decoder runs on its own thread and gets each
frame as soon as it is tracked (in the order `classify_sequence` replays them), so its classifier
runs overlap tracking; the clip windows are built and classified a batch at a time (flat memory).
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Iterable, Iterator

import numpy as np

from .core import transcript
from .core.decoder import DecoderConfig, Segment, Status, clip_status
from .core.errors import EXIT_ERROR, EXIT_OK, printable, run_cli
from .core.runtime import Classifier, Prediction
from .core.stream import SignStream
from .core.video import VideoInfo, probe_video

PROG = "slr-desktop classify"
DEFAULT_STRIDE = 8   # frames at the model's fps between the clip windows of the table and `top`
DECODE_EVERY = 2     # frames at the model's fps between the decoder's windows: what the app does
BATCH = 32
QUEUE_FRAMES = 256   # tracked frames waiting for the decoder thread (tracking waits beyond that)


@dataclass
class WindowResult:
    start_s: float
    end_s: float
    top: list[Prediction]
    probs: np.ndarray = field(repr=False)
    real_s: float = 0.0          # seconds of the clip in the window (the rest is edge padding)


@dataclass
class ClipResult:
    model: dict
    video: dict
    windows: list[WindowResult]
    top: list[Prediction]
    confident_windows: list[int]
    timing: dict
    segments: list[Segment] = field(default_factory=list)
    status: Status = Status.NO_SIGN
    seen: dict = field(default_factory=dict)    # share of the model's frames with a pose / each hand

    @property
    def top_confident(self) -> bool:
        """Whether any window passed the threshold (else `top` is the least bad guess)."""
        return bool(self.confident_windows) and self.status in (Status.SIGN, Status.UNKNOWN)

    def to_json_dict(self) -> dict:
        return {
            "model": self.model,
            "video": self.video,
            "status": self.status.value,
            "segments": [s.to_json() for s in self.segments],
            "transcript": transcript.plain(self.segments),
            "windows": [{"start_s": round(w.start_s, 3), "end_s": round(w.end_s, 3), "real_s": round(w.real_s, 3),
                         "top": [asdict(p) for p in w.top]} for w in self.windows],
            "top": [asdict(p) for p in self.top],
            "top_confident": self.top_confident,
            "seen": self.seen,
            "aggregation": {"method": "mean of confident windows, else most confident window",
                            "confident_windows": self.confident_windows},
            "timing": self.timing,
        }


def aggregate(probs: np.ndarray, threshold: float, idle_index: int | None = None
              ) -> tuple[np.ndarray, list[int]]:
    """Window probabilities (N, K) -> clip probabilities (K,) and the windows used.

    Mean of the windows whose max prob >= threshold and whose best label is not the idle label;
    if none, the most confident non-idle window (or the most confident window if all are idle).
    """
    best = probs.argmax(1)
    conf = probs.max(1)
    not_idle = best != idle_index if idle_index is not None else np.ones(len(probs), bool)
    chosen = np.flatnonzero((conf >= threshold) & not_idle)
    if chosen.size:
        return probs[chosen].mean(0), chosen.tolist()
    pool = np.flatnonzero(not_idle) if not_idle.any() else np.arange(len(probs))
    one = int(pool[np.argmax(conf[pool])])
    return probs[one], [one]


def decode_signs(frames: Iterable, clf: Classifier, config: DecoderConfig | None = None
                 ) -> tuple[list[Segment], bool]:
    """Every frame, in order, through the app's `SignStream` (a window every `DECODE_EVERY`
    frames, as the app classifies) -> the segments, and whether anyone was seen at all."""
    stream = SignStream(clf, every_s=DECODE_EVERY / clf.meta.fps, config=config or DecoderConfig())
    segments: list[Segment] = []
    seen = False
    for f in frames:
        seen = seen or bool(f.present.any())
        segments += stream.push(f).state.segments
    segments += stream.finish().state.segments
    return segments, seen


def classify_sequence(seq, clf: Classifier, stride: int = DEFAULT_STRIDE, k: int = 5,
                      config: DecoderConfig | None = None) -> ClipResult:
    """A tracked `LandmarkSequence` -> segments and status (the decoder), and the clip's windows
    and top-k (no video info).

    Two readings of one clip: the decoder streams every frame through the app's `SignStream`
    (`decode_signs`), which says *what was signed and when*; the clip windows (`clip_windows`)
    give the per-window table and the clip-level top-k, which only counts as confident when the
    decoder accepted a sign.
    """
    segments, seen = decode_signs(seq.frames(), clf, config)
    return clip_windows(seq, clf, stride, k, segments, clip_status(segments, seen))


def clip_windows(seq, clf: Classifier, stride: int, k: int, segments: list[Segment], status: Status
                 ) -> ClipResult:
    """The clip windows (`window_spans` + `fit_window`, `stride` apart, edge-padded like
    training's aligned windows), built and classified `BATCH` at a time -> `ClipResult`."""
    from .core import window

    pts, mask, _ = window.resample(seq, clf.meta.fps)                     # (T', 75, 3), (T', 75)
    spans = window.window_spans(len(pts), clf.meta.seq_len, stride, clf.meta.fps)
    probs = np.concatenate([clf.predict(*window.windows_for(pts, mask, spans[b], clf.meta.seq_len))
                            for b in window.iter_batches(len(spans), BATCH)])
    windows = [WindowResult(sp.start_s, sp.end_s, clf.top(p, k), p, sp.end_s - sp.start_s)
               for sp, p in zip(spans, probs)]
    idle = clf.labels.index(clf.meta.idle_label) if clf.meta.idle_label in clf.labels else None
    clip_probs, used = aggregate(probs, clf.meta.threshold, idle)
    # confident: windows that passed the gate, and only when the decoder accepted a sign (a still
    # photo or a clip of nothing can still give one window a high probability)
    confident = [i for i in used if probs[i].max() >= clf.meta.threshold and probs[i].argmax() != idle
                 and status == Status.SIGN]
    return ClipResult({}, {}, windows, clf.top(clip_probs, k), confident, {}, segments, status,
                      window.seen_shares(mask))


class DecoderThread:
    """`decode_signs` on its own thread, fed frame by frame while the clip is tracked.

    `put` hands over a frame exactly as `LandmarkSequence.frames()` would replay it (the sequence
    stores `image_motion` as float32), so the segments equal `classify_sequence`'s bit for bit."""

    def __init__(self, clf: Classifier, config: DecoderConfig | None = None) -> None:
        self._q: queue.Queue = queue.Queue(QUEUE_FRAMES)
        self._result: tuple[list[Segment], bool] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(clf, config), name="slr-decode", daemon=True)
        self._thread.start()

    def _frames(self) -> Iterator:
        while (f := self._q.get()) is not None:
            yield f

    def _run(self, clf: Classifier, config: DecoderConfig | None) -> None:
        try:
            self._result = decode_signs(self._frames(), clf, config)
        except BaseException as e:  # noqa: BLE001 (re-raised on the caller's thread by `finish`)
            self._error = e
            while self._q.get() is not None:   # keep the tracking side from blocking on a full queue
                pass

    def put(self, frame) -> None:
        if frame.image_motion is not None:
            frame = replace(frame, image_motion=float(np.float32(frame.image_motion)))
        self._q.put(frame)

    def finish(self) -> tuple[list[Segment], bool]:
        """Wait for the last frame's decoding; the thread's error, if any, is raised here."""
        self._q.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def model_info(clf: Classifier) -> dict:
    m = clf.meta
    return {"name": m.name, "path": str(clf.path), "n_labels": len(m.labels), "seq_len": m.seq_len,
            "fps": m.fps, "threshold": m.threshold, "layout_id": m.layout_id,
            "sign_language": m.sign_language, "dataset": m.dataset}


@contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[IO[str]]:
    """Send fd 2 to /dev/null (MediaPipe's C++ logging cannot be turned off otherwise) and yield
    a text stream on the real stderr for our own progress output."""
    if not enabled:
        yield sys.stderr
        return
    sys.stderr.flush()
    saved = os.dup(2)
    real = os.fdopen(os.dup(saved), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield real
    finally:
        real.flush()
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        real.close()


def classify_landmarks(seq, source: str | os.PathLike, model: str | os.PathLike | None = None, k: int = 5,
                       stride: int = DEFAULT_STRIDE) -> ClipResult:
    """An already tracked `LandmarkSequence` (e.g. from a .pose file) -> `ClipResult`; no video, no tracker."""
    from .core.model_registry import default_model

    clf = Classifier(Path(model) if model else default_model())
    res = classify_sequence(seq, clf, stride, k)
    res.model = model_info(clf)
    res.video = {"path": str(source), "fps": round(seq.fps, 3), "frames": len(seq), "width": seq.width,
                 "height": seq.height, "duration_s": round(seq.duration_s, 3), "truncated": False}
    return res


def classify_video(path: str | os.PathLike, model: str | os.PathLike | None = None, k: int = 5,
                   stride: int = DEFAULT_STRIDE, pose_model: str = "lite", progress: IO[str] | None = None,
                   bundle_dir: str | os.PathLike | None = None, every_frame: bool = False) -> ClipResult:
    """Library entry for one clip: a video (tracked at the model's fps unless `every_frame`) or a .pose
    file of landmarks. Raises VideoError / ModelError / BundleError / PoseFileError (one-line)."""
    from .core.clip import timing_summary, track_video
    from .core.model_registry import default_model
    from .core.pose_file import is_pose_file, read_pose
    from .core.tracker import Tracker, TrackerConfig

    if is_pose_file(path):      # landmarks already tracked: read them instead of a video
        return classify_landmarks(read_pose(path), path, model, k, stride)
    t_start = time.perf_counter()
    # MediaPipe builds its graphs on a second thread while the file is probed and the model loads
    with ThreadPoolExecutor(1, thread_name_prefix="slr-setup") as setup:
        pending = setup.submit(Tracker, TrackerConfig(pose_model=pose_model, bundle_dir=bundle_dir))
        try:
            info: VideoInfo = probe_video(path)
            clf = Classifier(Path(model) if model else default_model())
        except BaseException:
            pending.add_done_callback(lambda f: f.exception() is None and f.result().close())
            raise
        tracker = pending.result()   # a missing bundle raises here, before the progress bar
    timings: list[dict[str, float]] = []
    first_frame: list[float] = []
    with tracker:
        bar = None
        if progress is not None:
            from tqdm import tqdm

            bar = tqdm(total=info.frame_count, unit="frame", desc=f"tracking {Path(path).name}",
                       file=progress, leave=False, dynamic_ncols=True)

        def tick(done: int, expected: int) -> None:
            if not first_frame:
                first_frame.append(time.perf_counter())
            if bar is not None:
                bar.update(done - bar.n)

        decoder = DecoderThread(clf)
        try:
            seq = track_video(path, tracker, tick, timings, sink=decoder.put, fps=None if every_frame else clf.meta.fps)
        finally:
            if bar is not None:
                bar.close()
            segments, seen = decoder.finish()
    res = clip_windows(seq, clf, stride, k, segments, clip_status(segments, seen))
    res.model = model_info(clf)
    res.video = {"path": str(path), "fps": round(seq.fps, 3), "frames": seq.meta["frames_read"],
                 "width": seq.width, "height": seq.height, "duration_s": round(seq.duration_s, 3),
                 "truncated": seq.meta.get("truncated", False)}
    res.timing = {**timing_summary(timings), "tracked": "every frame" if every_frame else "model fps"}
    res.timing["first_frame_s"] = round(first_frame[0] - t_start, 3)
    res.timing["wall_s"] = round(time.perf_counter() - t_start, 3)
    return res


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video file to classify (mp4, avi, mkv, ...), or a .pose file of landmarks")
    p.add_argument("--model", metavar="PATH", help="ONNX model (default: models/DEFAULT or the first model found)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="how many labels to show (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout instead of a table")
    p.add_argument("--stride", type=int, default=DEFAULT_STRIDE, metavar="N",
                   help=f"frames (at the model's fps) between the listed windows (default {DEFAULT_STRIDE}); "
                        "the segments come from the decoder, which classifies every other frame as the app")
    p.add_argument("--srt", metavar="FILE", help="also write the recognised signs as SRT subtitles")
    p.add_argument("--vtt", metavar="FILE", help="also write the recognised signs as WebVTT subtitles")
    p.add_argument("--pose-model", choices=("lite", "full"), default="lite",
                   help="MediaPipe pose model (default lite)")
    p.add_argument("--bundle-dir", metavar="DIR", help="folder with the MediaPipe .task bundles "
                   "(default: $SLR_MEDIAPIPE_DIR, then the user cache, then download)")
    p.add_argument("--every-frame", action="store_true", help="track every frame (default: only those the "
                   "model's fps uses, e.g. every other frame of a 30 fps file for a 15 fps model)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--verbose", action="store_true", help="keep MediaPipe's native log output on stderr")


MAX_TABLE_WINDOWS = 24


def _print_table(res: ClipResult, out: IO[str]) -> None:
    m = res.model
    print(f"model: {printable(m['name'])} ({m['n_labels']} labels, {m['seq_len']} frames @ {m['fps']:g} fps)  "
          f"{printable(m['path'])}", file=out)
    v = res.video
    print(f"video: {printable(v['path'])}  {v['width']}x{v['height']}, {v['frames']} frames, "
          f"{v['duration_s']:.2f} s" + ("  (truncated)" if v["truncated"] else ""), file=out)
    print(f"\nsigns: {len(res.segments) or 'none'} (status: {res.status.value})", file=out)
    for seg in res.segments:
        what = f"{transcript.label_text(seg)} ({seg.prob:.2f})" if seg.label else (
            f"{transcript.UNKNOWN_TEXT} (closest: {printable(seg.top[0].label)} {seg.top[0].prob:.2f})" if seg.top
            else transcript.UNKNOWN_TEXT)
        print(f"  {seg.start_s:6.2f}-{seg.end_s:6.2f} s  {what}", file=out)
    if not res.segments:
        print("  (no sign recognised)", file=out)
    shown = min(3, len(res.top))
    step = max(1, -(-len(res.windows) // MAX_TABLE_WINDOWS))
    print(f"\n{'window':>15}  " + "  ".join(f"{'top' + str(i + 1):<22}" for i in range(shown))
          + (f"   (1 row in {step}; --json lists every window)" if step > 1 else ""), file=out)
    used = set(res.confident_windows)
    for i, w in enumerate(res.windows):
        if i % step and i != len(res.windows) - 1:
            continue
        cells = "  ".join(f"{printable(p.label)[:15]:<15} {p.prob:5.2f} " for p in w.top[:shown])
        mark = "*" if i in used else " "
        print(f"{w.start_s:6.2f}-{w.end_s:6.2f} s {mark} {cells}", file=out)
    note = "" if res.top_confident else "  -- not confident: no sign passed the threshold"
    print(f"\n(* = confident window, used for the overall result)\noverall top {len(res.top)}:{note}", file=out)
    for i, p in enumerate(res.top, 1):
        print(f"  {i}. {printable(p.label):<20} {p.prob:6.3f}", file=out)
    t = res.timing
    if t.get("frames"):
        of = f" of {res.video['frames']} ({t['tracked']})" if "tracked" in t else ""
        print(f"\ntracking: {t['frames']}{of} frames, median {t.get('total_ms_median', 0):.1f} ms/frame "
              f"(pose {t.get('pose_ms_median', 0):.1f}, hands {t.get('hands_ms_median', 0):.1f})", file=out)


def run(args: argparse.Namespace) -> int:
    """CLI body: returns the exit code; errors are one line on stderr."""
    if args.top < 1 or args.stride < 1:
        print(f"{PROG}: error: --top and --stride must be >= 1", file=sys.stderr)
        return EXIT_ERROR

    def body() -> int:
        with native_stderr_silenced(not args.verbose) as err:
            res = classify_video(args.video, args.model, args.top, args.stride, args.pose_model,
                                 progress=None if args.no_progress else err, bundle_dir=args.bundle_dir,
                                 every_frame=args.every_frame)
        for path, kind in ((args.srt, ".srt"), (args.vtt, ".vtt")):
            if path:
                transcript.write(path, res.segments, kind)
        if args.json:
            json.dump(res.to_json_dict(), sys.stdout)
            sys.stdout.write("\n")
        else:
            _print_table(res, sys.stdout)
        sys.stdout.flush()
        return EXIT_OK

    return run_cli(PROG, body)


__all__ = ["ClipResult", "DecoderThread", "WindowResult", "add_arguments", "aggregate", "classify_landmarks",
           "classify_sequence", "classify_video", "clip_windows", "decode_signs", "model_info", "run"]
