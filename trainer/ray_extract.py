"""`slr-train extract --engine ray`: the per-clip work of `trainer.extract` fanned out over a Ray cluster.

Why Ray and not a home-made scheduler: it already starts workers on many machines, retries a task
whose node died, and moves data between nodes. We add only what extraction needs:

* **no shared filesystem needed**: the driver reads each video and ships its bytes; a worker
  writes them to a private temporary folder under the clip's own file name, runs the same
  `trainer.extract.process` as the local pool, and returns the encoded output (`.npz` or `.pose`),
  which the driver writes atomically into OUT. Same function, deterministic encodings: the same
  bytes per clip as `--engine local`.
* **resumable**: `extract_all` skips finished outputs before anything is sent.
* **a failed clip is a row in failures.csv, never the end of the run** — a bad video comes back
  as an error value, a crashed worker as a Ray error that is caught; only a missing MediaPipe
  bundle (no clip can work) stops it.
* **bounded**: at most 2 tasks per cluster CPU are in flight, so 21,000 clips never sit in the
  object store at once.

Every node needs this package with the `[cluster]` extra and the MediaPipe bundles
(`$SLR_MEDIAPIPE_DIR`, the user cache, or a download). Without `--address` a private local Ray
with `--workers` CPUs is started and stopped again.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from slr_desktop.core.atomic import atomic_write_bytes
from slr_desktop.core.errors import UserError, one_line

from .extract_job import Job, process

LOCAL_OBJECT_STORE = 256 * 2**20      # bytes; a local run holds a few clips at a time
IN_FLIGHT_PER_CPU = 2


def _ray():
    try:
        import ray
    except ImportError:
        raise UserError("--engine ray needs the optional package ray: "
                        "pip install 'slr-desktop[cluster]' (or pip install ray)") from None
    return ray


def _track_remote(job: Job, video: bytes, dataset: str, pose_model: str,
                  bundle_dir: str | None) -> tuple[Job, str | None, bytes | None, int]:
    """Runs on a Ray worker: the clip's bytes -> (job, error, output bytes, n_frames)."""
    with tempfile.TemporaryDirectory(prefix="slr-extract-") as tmp:
        local = Path(tmp) / Path(job.src).name
        local.write_bytes(video)
        return process(job, dataset, pose_model, bundle_dir, read_from=str(local))


def extract_ray(todo: list[Job], out: Path, handle: Callable[[tuple[Job, str | None, int]], bool],
                pose_model: str = "lite", bundle_dir: str | None = None, address: str | None = None,
                workers: int = 1) -> None:
    """Run `todo` on Ray, write each output under `out`, and report every result to `handle`
    (as `(job, error or None, n_frames)`); stop early when `handle` returns False (fatal)."""
    ray = _ray()
    out = Path(out)
    started = not ray.is_initialized()
    if started:
        quiet = dict(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(num_cpus=max(1, workers), object_store_memory=LOCAL_OBJECT_STORE, **quiet)
    try:
        task = ray.remote(num_cpus=1, max_retries=1)(_track_remote)
        limit = IN_FLIGHT_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))
        queue = iter(todo)
        in_flight: dict = {}

        def submit() -> bool:
            """Fill the window; False if `handle` asked to stop on an unreadable input."""
            while len(in_flight) < limit:
                job = next(queue, None)
                if job is None:
                    return True
                try:
                    video = Path(job.src).read_bytes()
                except OSError as e:
                    if not handle((job, f"{type(e).__name__}: {e.strerror or e}", 0)):
                        return False
                    continue
                in_flight[task.remote(job, video, out.name, pose_model, bundle_dir)] = job
            return True

        go_on = submit()
        while go_on and in_flight:
            (ref,), _ = ray.wait(list(in_flight), num_returns=1)
            job = in_flight.pop(ref)
            try:
                _, err, data, n = ray.get(ref)
            except ray.exceptions.RayError as e:     # the worker died or the task could not run
                err, data, n = f"worker failed: {one_line(e)}"[:500], None, 0
            if data is not None:
                atomic_write_bytes(out / job.out_rel, data)
            go_on = handle((job, err, n)) and submit()
        for ref in in_flight:                        # stopped early: drop what is still running
            ray.cancel(ref, force=True)
    finally:
        if started:
            ray.shutdown()


__all__ = ["extract_ray"]
