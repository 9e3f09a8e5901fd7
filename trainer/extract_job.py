"""One extraction job: a clip (a video, or a `.pose` file) in, the encoded output file's bytes out.

Shared by every engine of `slr-train extract` — the local process pool (`trainer.extract`) and
Ray (`trainer.ray_extract`) — so a clip gives the same bytes whichever ran it. Light (no torch):
spawned and Ray workers import it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slr_desktop.core.landmarks import LandmarkSequence

FATAL = "fatal"


@dataclass(frozen=True)
class Job:
    src: str        # absolute video path
    rel: str        # path relative to VIDEOS (posix): the video id within the set
    gloss: str
    out_rel: str    # output path relative to OUT
    extra: tuple[tuple[str, str], ...] = ()   # other manifest columns


def provenance(job: Job, dataset: str) -> dict:
    """What a sequence records about where it came from (also restored for `.pose` outputs)."""
    video_id = Path(job.rel).with_suffix("").as_posix()
    meta = dict(dataset=dataset, id=video_id, group=video_id, real=True, origin=video_id, video=job.rel)
    if job.extra:
        meta["manifest"] = dict(job.extra)
    return meta


def load_job(job: Job, dataset: str, pose_model: str = "lite", bundle_dir: str | None = None,
             read_from: str | None = None) -> LandmarkSequence:
    """Track one video (or read one `.pose` file) into a sequence with its gloss and provenance.

    read_from: a local copy of `job.src` to read instead (Ray workers); the result is the same.
    Raises BundleError when the tracker cannot start, anything else for a bad input.
    """
    from slr_desktop.core.clip import track_video
    from slr_desktop.core.pose_file import is_pose_file, read_pose
    from slr_desktop.core.tracker import Tracker, TrackerConfig
    from slr_desktop.core.video import probe_video

    path = read_from or job.src
    if is_pose_file(job.src):
        seq = read_pose(path)
        seq.meta.update(time_axis="uniform (.pose)", nominal_fps=True)
    else:
        probe_video(path)   # an unusable file (image, audio, broken link, ...) costs no tracker start-up
        with Tracker(TrackerConfig(pose_model=pose_model, bundle_dir=bundle_dir)) as tracker:
            seq = track_video(path, tracker)
        seq.meta.update(time_axis="video-clock", nominal_fps=False)
    seq.source = job.src
    seq.gloss = job.gloss
    seq.meta.update(provenance(job, dataset), assumed_size=False)
    return seq


def encode(seq: LandmarkSequence, out_rel: str) -> bytes:
    """The output file's bytes: `.pose` or our `.npz`, by the output name."""
    from slr_desktop.core.pose_file import is_pose_file, pose_bytes

    return pose_bytes(seq) if is_pose_file(out_rel) else seq.to_npz_bytes()


def process(job: Job, dataset: str, pose_model: str = "lite", bundle_dir: str | None = None,
            read_from: str | None = None) -> tuple[Job, str | None, bytes | None, int]:
    """One job -> (job, error or None, output bytes, n_frames); never raises for a bad input.
    A missing MediaPipe bundle is returned as error "fatal: ..." (no video can work)."""
    from slr_desktop.core.bundles import BundleError

    try:
        seq = load_job(job, dataset, pose_model, bundle_dir, read_from)
        return job, None, encode(seq, job.out_rel), len(seq)
    except BundleError as e:
        return job, f"{FATAL}: {e}", None, 0
    except Exception as e:          # one bad video must never stop the run
        return job, f"{type(e).__name__}: {e}".replace("\n", " ")[:500], None, 0


def read_output(job: Job, out: Path) -> LandmarkSequence:
    """A finished output read back for the index (a `.pose` file gets its provenance again)."""
    from slr_desktop.core.pose_file import is_pose_file, read_pose

    path = out / job.out_rel
    if not is_pose_file(path):
        return LandmarkSequence.load(path)
    seq = read_pose(path)
    seq.gloss = job.gloss
    seq.meta.update(provenance(job, out.name))
    return seq


__all__ = ["FATAL", "Job", "encode", "load_job", "process", "provenance", "read_output"]
