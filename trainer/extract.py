"""`slr-train extract`: track every video of a folder into landmark `.npz` files (resumable).

    slr-train extract VIDEOS [--manifest CSV] OUT [--workers N] [--pose-model lite|full]
                      [--format npz|pose] [--engine local|ray [--address ADDR]]

Glosses come from the sub-folder name (`VIDEOS/<gloss>/<clip>.mp4`) or from a manifest CSV with
columns `file` (relative to VIDEOS) and `gloss` (e.g. ../shared/datasets/wlasl_clips/manifest.csv;
its other columns are kept in `meta["manifest"]`).

Each video becomes `OUT/<gloss>/<video>.npz` through the app's own `track_video`, so extracted
training data and live input are tracked identically. The file is written atomically; a restart
skips finished outputs and first removes stale `*.part` temporaries, so a crash or kill at any
point loses at most the videos in flight. A video that fails (corrupt, unreadable, no frame) is
logged to `OUT/failures.csv` (file, error) and skipped; it is retried on the next run: that covers
a broken symbolic link, an image or audio file with a video name (`VideoSource` says which) and a
clip with fewer than two decodable frames (`core.clip.MIN_FRAMES`). Gloss and file names are sanitised
(`trainer.dataset.safe_name`): no output can land outside OUT. Inputs (the folder, the manifest,
the MediaPipe bundles, OUT's writability) are checked before anything is written, and MediaPipe's
native log lines are kept off the terminal (`--verbose` keeps them).

Worker processes (spawn) each track one video at a time with a fresh `Tracker`, closed after the
video: MediaPipe's VIDEO mode carries tracking state from frame to frame, and `track_video`
expects a tracker that is not mid-way through another clip (creating one costs ~0.1 s once
the worker has loaded MediaPipe, small next to tracking a clip).

`--format pose` writes `.pose` files (pose-format, for sign.mt and the sign-language-processing
tools) instead of our `.npz`; `--engine ray` fans the same per-clip work out over a Ray cluster
(`trainer.ray_extract`). Per clip, every engine and worker count writes the same bytes: the work
is one function (`trainer.extract_job.process`) and both encodings are deterministic.

This module's top level stays light (no torch): spawned workers import it.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from slr_desktop.core.atomic import atomic_write_bytes
from slr_desktop.core.errors import printable
from slr_desktop.core.video import VIDEO_EXTENSIONS

from .errors import DataError, command
from .extract_job import FATAL, Job, process, read_output

FAILURES_NAME = "failures.csv"
UNLABELLED = "_unlabelled"      # output folder of clips without a gloss


def _safe(text: str) -> str:
    from .landmark_sets import safe_name
    return safe_name(text)


def find_jobs(videos: Path, manifest: Path | None = None, out_suffix: str = ".npz",
              extensions: frozenset[str] | tuple[str, ...] = VIDEO_EXTENSIONS) -> list[Job]:
    """The videos to track, sorted by relative path, with their gloss and output name.

    out_suffix: `.npz` (a landmark set) or `.pose`; extensions: the input files to look for when
    there is no manifest (`slr-train import pose` passes `.pose`).
    """
    videos = Path(videos).resolve()
    raw: list[tuple[Path, str, tuple]] = []
    if manifest is not None:
        manifest = Path(manifest)
        if not manifest.is_file():
            raise DataError(f"manifest not found: {manifest}" if not manifest.exists()
                            else f"manifest {manifest} is not a file")
        try:
            with open(manifest, newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f)
                missing = {"file", "gloss"} - set(reader.fieldnames or [])
                if missing:
                    raise DataError(f"{manifest}: manifest lacks column(s) {', '.join(sorted(missing))}")
                for line, row in enumerate(reader, start=2):
                    if not row.get("file") or row.get("gloss") is None:
                        raise DataError(f"{manifest}, line {line}: empty file or gloss")
                    extra = tuple((k, v) for k, v in row.items() if k not in ("file", "gloss") and k)
                    raw.append((videos / row["file"], row["gloss"].strip(), extra))
        except UnicodeDecodeError:
            raise DataError(f"manifest {manifest} is not a text (UTF-8) CSV file") from None
        except csv.Error as e:
            raise DataError(f"manifest {manifest}: not a readable CSV ({e})") from None
    else:
        for p in sorted(videos.rglob("*")):
            # a broken link named like a video is a job too: it fails with a message, not in silence
            if (p.is_file() or (p.is_symlink() and not p.exists())) and p.suffix.lower() in extensions:
                rel = p.relative_to(videos)
                gloss = rel.parts[-2] if len(rel.parts) > 1 else ""
                raw.append((p, gloss, ()))
    jobs, used = [], Counter()
    for p, gloss, extra in sorted(raw, key=lambda r: str(r[0])):
        try:  # a link is named by where it is, not by where it points
            rel = (p.parent.resolve() / p.name).relative_to(videos).as_posix()
        except ValueError:
            rel = p.name        # a manifest entry outside VIDEOS: id by name only
        stem = _safe(Path(rel).stem)
        out_rel = f"{_safe(gloss) if gloss else UNLABELLED}/{stem}{out_suffix}"
        used[out_rel] += 1
        if used[out_rel] > 1:   # same clip name twice under one gloss: tell them apart
            tag = hashlib.sha1(rel.encode()).hexdigest()[:8]
            out_rel = f"{out_rel[:-len(out_suffix)]}-{tag}{out_suffix}"
        jobs.append(Job(str(p), rel, gloss, out_rel, extra))
    return jobs


# -- worker side -------------------------------------------------------------------------------
_CONFIG: dict = {}


def _init_worker(pose_model: str, bundle_dir: str | None) -> None:
    _CONFIG.update(pose_model=pose_model, bundle_dir=bundle_dir)


def extract_one(job: Job, out: str, pose_model: str = "lite",
                bundle_dir: str | None = None) -> tuple[Job, str | None, int]:
    """Track one video and save it under `out`. Returns (job, error or None, n_frames)."""
    job, err, data, n = process(job, Path(out).name, pose_model, bundle_dir)
    if data is not None:
        atomic_write_bytes(Path(out) / job.out_rel, data)
    return job, err, n


def _work(job: Job, out: str) -> tuple[Job, str | None, int]:
    return extract_one(job, out, _CONFIG.get("pose_model", "lite"), _CONFIG.get("bundle_dir"))


# -- main process ------------------------------------------------------------------------------
@dataclass
class ExtractSummary:
    total: int
    done_before: int
    extracted: int
    failures: list[tuple[str, str]]
    seconds: float
    fatal: str | None = None
    noun: str = "videos"

    def report(self) -> str:
        s = (f"{self.total} {self.noun}: {self.extracted} extracted, {self.done_before} already done, "
             f"{len(self.failures)} failed, {self.seconds:.1f} s")
        if self.fatal:
            s += f"\nABORTED: {printable(self.fatal)}"
        for f, e in self.failures[:10]:
            s += f"\n  failed {printable(f)}: {printable(e)}"
        if len(self.failures) > 10:
            s += f"\n  ... and {len(self.failures) - 10} more (see {FAILURES_NAME})"
        return s


def _write_failures(out: Path, failures: list[tuple[str, str]]) -> None:
    from slr_desktop.core.atomic import atomic_write_text
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "error"])
    w.writerows(failures)
    atomic_write_text(out / FAILURES_NAME, buf.getvalue())


def extract_all(jobs: list[Job], out: str | os.PathLike, workers: int = 1, pose_model: str = "lite",
                bundle_dir: str | None = None, progress: bool = True, engine: str = "local",
                address: str | None = None, progress_file=None) -> ExtractSummary:
    """Track `jobs` into `out` with `workers` processes (engine "local") or over a Ray cluster
    (engine "ray", `address` None = a local Ray); resumable, failures logged."""
    import multiprocessing as mp

    from tqdm import tqdm

    from .landmark_sets import INDEX_NAME, clean_stale_parts, index_row, write_index

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clean_stale_parts(out)
    t0 = time.perf_counter()
    todo = [j for j in jobs if not (out / j.out_rel).is_file()]
    done_before = len(jobs) - len(todo)
    failures: list[tuple[str, str]] = []
    extracted, fatal = 0, None
    _write_failures(out, failures)
    bar = tqdm(total=len(jobs), initial=done_before, desc="extract", unit="video", disable=not progress,
               file=progress_file)
    if todo:
        def handle(res: tuple[Job, str | None, int]) -> bool:
            nonlocal extracted, fatal
            job, err, _ = res
            bar.update(1)
            if err is None:
                extracted += 1
                return True
            if err.startswith(FATAL):
                fatal = err
                return False
            failures.append((job.rel, err))
            _write_failures(out, failures)
            return True

        if engine == "ray":
            from .ray_extract import extract_ray

            extract_ray(todo, out, handle, pose_model, bundle_dir, address=address, workers=workers)
        elif workers <= 1:
            for j in todo:
                if not handle(extract_one(j, str(out), pose_model, bundle_dir)):
                    break
        else:
            ctx = mp.get_context("spawn")
            pool = ctx.Pool(min(workers, len(todo)), initializer=_init_worker,
                            initargs=(pose_model, bundle_dir))
            try:
                for res in pool.imap_unordered(_work_star, [(j, str(out)) for j in todo]):
                    if not handle(res):
                        pool.terminate()
                        break
                else:
                    pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
    bar.close()

    rows = []
    for j in jobs:
        p = out / j.out_rel
        if p.is_file():
            try:
                rows.append(index_row(read_output(j, out), j.out_rel))
            except Exception as e:   # unreadable output: drop it so the next run redoes it
                p.unlink()
                failures.append((j.rel, f"unreadable output removed: {e}"))
    write_index(out / INDEX_NAME, rows)
    _write_failures(out, failures)
    return ExtractSummary(len(jobs), done_before, extracted, failures,
                          time.perf_counter() - t0, fatal)


def _work_star(args: tuple[Job, str]) -> tuple[Job, str | None, int]:
    return _work(*args)


def import_pose(src: str | os.PathLike, out: str | os.PathLike, progress: bool = True) -> ExtractSummary:
    """`slr-train import pose SRC OUT`: every `SRC/<gloss>/*.pose` into our landmark set in OUT
    (mapped by point name, see `slr_desktop.core.pose_file`); resumable like extraction."""
    from slr_desktop.core.pose_file import require_pose_format

    require_pose_format()
    if not Path(src).is_dir():
        raise DataError(f"not a folder: {src}")
    jobs = [replace(j, gloss="") if j.gloss == UNLABELLED else j     # what extract wrote unlabelled
            for j in find_jobs(Path(src), extensions=(".pose",))]
    if not jobs:
        raise DataError(f"no .pose files under {src}")
    summary = extract_all(jobs, out, workers=1, progress=progress)
    summary.noun = ".pose files"
    return summary


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("videos", metavar="VIDEOS", type=Path,
                        help="folder of videos (gloss = sub-folder name unless --manifest)")
    parser.add_argument("out", metavar="OUT", type=Path, help="output folder of .npz sequences")
    parser.add_argument("--manifest", type=Path, default=None,
                        help="CSV with columns file (relative to VIDEOS), gloss")
    parser.add_argument("--workers", type=int, default=max(1, min(4, (os.cpu_count() or 2) // 2)),
                        help="tracking processes (default: half the CPU cores, at most 4)")
    parser.add_argument("--pose-model", choices=("lite", "full"), default="lite")
    parser.add_argument("--bundle-dir", default=None, help="folder or file of the MediaPipe bundles")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--format", choices=("npz", "pose"), default="npz",
                        help="npz: our landmark set (default); pose: .pose files (pose-format, "
                             "for sign.mt and other tools; read back with `slr-train import pose`)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local: a process pool on this machine; ray: a Ray cluster "
                             "(pip install 'slr-desktop[cluster]')")
    parser.add_argument("--address", default=None,
                        help="Ray cluster address (e.g. 10.0.0.5:6379 or auto); default: start a "
                             "local Ray with --workers CPUs")
    parser.add_argument("--verbose", action="store_true", help="keep MediaPipe's native log output on stderr")


@command("extract")
def run(args: argparse.Namespace) -> int:
    from slr_desktop.classify import native_stderr_silenced
    from slr_desktop.core.atomic import check_output_dir
    from slr_desktop.core.bundles import find_bundle

    if not Path(args.videos).is_dir():
        raise DataError(f"video folder not found: {args.videos}" if not Path(args.videos).exists()
                        else f"not a folder: {args.videos}")
    if args.workers < 1:
        raise DataError(f"--workers must be >= 1, got {args.workers}")
    if args.address and args.engine != "ray":
        raise DataError("--address needs --engine ray")
    if args.format == "pose":
        from slr_desktop.core.pose_file import require_pose_format

        require_pose_format()       # before hours of tracking, not after
    jobs = find_jobs(args.videos, args.manifest, out_suffix=f".{args.format}")
    if not jobs:
        raise DataError(f"no videos under {args.videos} (looked for {', '.join(VIDEO_EXTENSIONS)})")
    check_output_dir(args.out, "output folder")
    for name in ("hand_landmarker", f"pose_landmarker_{args.pose_model}"):
        find_bundle(name, args.bundle_dir)  # a missing bundle now, not after the first video
    # workers inherit the silenced fd 2; the progress bar writes to the real stderr
    with native_stderr_silenced(not args.verbose) as err:
        summary = extract_all(jobs, args.out, workers=args.workers, pose_model=args.pose_model,
                              bundle_dir=args.bundle_dir, progress=not args.no_progress,
                              engine=args.engine, address=args.address, progress_file=err)
    print(summary.report())
    if summary.fatal:
        return 2
    return 1 if summary.failures else 0


__all__ = ["ExtractSummary", "Job", "configure_parser", "extract_all", "extract_one", "find_jobs", "import_pose",
           "run"]
