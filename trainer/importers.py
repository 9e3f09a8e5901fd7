"""`slr-train import`: convert a shared landmark dataset into our 75-point `.npz` sequences.

Both shared sets (`../shared/datasets/cafe_words`, `../shared/datasets/wlasl50_landmarks`) are
legacy MediaPipe Holistic output, one `.npy` per frame inside `MP_Data.tar.xz`, plus a
`sequences.csv` we use for provenance. The archive is streamed once with `tarfile` (members of a
sequence are adjacent), nothing is unpacked to disk.

Output: `OUT/<gloss>/<sequence>.npz` (`LandmarkSequence.save`, atomic), and at the end
`OUT/index.csv` (id, gloss, group, real, origin, n_frames, file). Converted sequences are first
staged in the hidden `OUT/.import/` and moved into place, with the index, only once the whole
archive has been read: a truncated or corrupt archive (or a kill) never leaves a half set that
`load_set` would take for a whole one. Re-running skips sequences already converted (in place or
staged), so an interrupted import resumes; stale temporary files are removed first.

Inputs are checked before anything is written: SRC holds the archive and a `sequences.csv` with
the dataset's columns (the other shared dataset's folder is recognised and named), OUT is
writable. NaN/Inf coordinates are masked (a point that is not a number was not tracked) and
counted in the report.

Decisions about the data (see the dataset READMEs), in one place:

cafe_words
  * frame 0 is followed by a 2 s pause ("STARTING COLLECTION") before frames 1-19: it is not part
    of the same uniform clip, so it is dropped and 19 frames are stored.
  * no clock: frames were grabbed as fast as Holistic ran on a laptop (10-30 fps). We store a
    nominal 15 fps (19 frames = 1.27 s, the length of a short café sign at a relaxed pace) and no
    timestamps; `meta["nominal_fps"] = True`.
  * frame size unknown: a 640x480 laptop webcam is assumed (`meta["assumed_size"] = True`), it
    only sets the aspect correction of `window.to_model_coords`.
  * group = `added_by_git_author`, the README's proxy for the recorder (signer + room).
  * session = `<commit>:<sequence // 30>`: a recording run (30 consecutive, near-identical
    sequences of one label in one commit); splits hold out whole sessions, not single rows.
  * 60 idle "-" sequences are all zeros and identical (nothing tracked): kept as samples, flagged
    `meta["all_zero"] = True` so nobody uses them as real idle padding.
  * by default only the 16 word classes of the original training script are imported.

wlasl50
  * 11 pose points (0, 11-16, 23-26) with visibility; the other 22 pose points are masked.
  * hand-less frames were dropped by the extractor and short rows padded with all-zero frames at
    the end: trailing all-zero frames are removed (padding, not data); the remaining time axis is
    "sign-normalised" (about 30 samples spread over the whole sign, not the video clock):
    `meta["time_axis"] = "sign-normalised"`.
  * nominal 15 fps: a row spans the whole WLASL clip in 30 samples (step (end-start)//30), and our
    WLASL clips last 1.9 s median (0.7-5.4 s, `wlasl_clips/manifest.csv`); after dropping the
    hand-less frames (mostly the rest pose before and after the sign) about 24 frames remain,
    i.e. 1.6 s at 15 fps, about the length of the sign itself.
  * frame size unknown (mixed WLASL sources): 4:3 (640x480) assumed, `meta["assumed_size"]`.
  * `kind` in sequences.csv: real rows by default, `--include-augmented` adds the synthetic
    copies; copy k+i comes from real i mod k (k = real count of the label), which is its
    `origin` and its `group`, so a split never separates a copy from its source.
  * augmented rows are physically inconsistent (their noise also hits visibility and all-zero
    blocks); they are imported as-is with `real = False` and must never be evaluated on.

Masks: a part (pose / hand) whose values are all zero is missing; inside a present part a point
that is exactly (0, 0, 0) is masked too. Masked points are stored as zeros.
"""
from __future__ import annotations

import argparse
import csv
import io
import lzma
import os
import shutil
import tarfile
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from slr_desktop.core.atomic import check_output_dir
from slr_desktop.core.errors import one_line, printable
from slr_desktop.core.landmarks import LandmarkSequence
from slr_desktop.core.layout import LAYOUT

from .errors import DataError, command
from .landmark_sets import INDEX_NAME, clean_stale_parts, index_row, safe_name, write_index

ARCHIVE = "MP_Data.tar.xz"
SEQUENCES_CSV = "sequences.csv"
STAGE = ".import"            # converted sequences wait here until the whole archive has been read

CAFE_WORDS = ("hello", "thank-you", "coffee", "-", "tea", "please", "medium", "no", "muffin",
              "small", "large", "i", "a", "can", "get", "water")
WLASL50_POSE = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26)

CAFE_LICENCE = ("MIT, Copyright (c) 2022 traduttore (github.com/traduttore/traduttore-model "
                "c7c2f3eb); keep the copyright notice and licence text")
WLASL50_LICENCE = ("no licence file (github.com/Adarsha16/ASL_tester 56cc5fbe); derived from "
                   "WLASL videos under C-UDA: non-commercial computational research use only")


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    n_features: int
    n_frames: int            # frames per sequence in the archive
    fps: float               # nominal, the sources have no clock
    width: int = 640         # assumed frame size (aspect correction only)
    height: int = 480
    licence: str = ""
    default_labels: tuple[str, ...] | None = None   # None: all labels
    columns: tuple[str, ...] = ()                   # sequences.csv columns the import reads
    folder: str = ""                                # its folder under ../shared/datasets


SPECS: dict[str, DatasetSpec] = {
    "cafe_words": DatasetSpec("cafe_words", 258, 20, 15.0, licence=CAFE_LICENCE,
                              default_labels=CAFE_WORDS, folder="cafe_words",
                              columns=("label", "sequence", "added_by_git_author", "added_in_commit",
                                       "commit_date")),
    "wlasl50": DatasetSpec("wlasl50", 170, 30, 15.0, licence=WLASL50_LICENCE, folder="wlasl50_landmarks",
                           columns=("label", "sequence", "kind")),
}


# -- feature vectors -> 75-point layout ----------------------------------------------------
def _finish(points: np.ndarray, part_present: np.ndarray,
            point_known: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """points (T, 75, 3), part_present (T, 3) -> zeroed points and the per-point mask (T, 75).

    A point with a NaN/Inf coordinate is masked like an untracked one (`nonfinite_points` counts
    them for the report)."""
    mask = LAYOUT.point_mask(part_present) > 0                      # (T, 75)
    mask &= np.any(points != 0.0, axis=-1)                          # exact (0,0,0) = not tracked
    mask &= np.isfinite(points).all(-1)                             # NaN / Inf = not tracked
    if point_known is not None:
        mask &= point_known[None, :]
    points = np.where(mask[..., None], points, 0.0).astype(np.float32)
    return points, mask


def cafe_to_layout(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 258) cafe_words frames -> points (T, 75, 3) float32, mask (T, 75) bool."""
    x = np.asarray(x, np.float64)
    t = x.shape[0]
    pose = x[:, :132].reshape(t, 33, 4)
    lh = x[:, 132:195].reshape(t, 21, 3)
    rh = x[:, 195:258].reshape(t, 21, 3)
    points = np.concatenate([pose[..., :3], lh, rh], axis=1)        # (T, 75, 3), visibility dropped
    present = np.stack([np.any(pose != 0, axis=(1, 2)), np.any(lh != 0, axis=(1, 2)),
                        np.any(rh != 0, axis=(1, 2))], axis=1)      # (T, 3)
    return _finish(points, present)


def wlasl50_to_layout(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 170) wlasl50 frames -> points (T, 75, 3) float32, mask (T, 75) bool.

    Only the 11 stored pose points are known; the other 22 are masked in every frame.
    """
    x = np.asarray(x, np.float64)
    t = x.shape[0]
    pose11 = x[:, :44].reshape(t, 11, 4)
    lh = x[:, 44:107].reshape(t, 21, 3)
    rh = x[:, 107:170].reshape(t, 21, 3)
    points = np.zeros((t, LAYOUT.n_points, 3), np.float64)
    points[:, list(WLASL50_POSE)] = pose11[..., :3]
    points[:, LAYOUT.left_hand] = lh
    points[:, LAYOUT.right_hand] = rh
    present = np.stack([np.any(pose11 != 0, axis=(1, 2)), np.any(lh != 0, axis=(1, 2)),
                        np.any(rh != 0, axis=(1, 2))], axis=1)
    known = np.zeros(LAYOUT.n_points, bool)
    known[list(WLASL50_POSE)] = True
    known[LAYOUT.n_pose:] = True
    return _finish(points, present, known)


def zero_frame_runs(x: np.ndarray) -> tuple[int, int]:
    """(leading, trailing) counts of all-zero frames of (T, F); all zero -> (0, T)."""
    nonzero = np.flatnonzero(np.any(x != 0, axis=1))
    if nonzero.size == 0:
        return 0, int(x.shape[0])
    return int(nonzero[0]), int(x.shape[0] - 1 - nonzero[-1])


# -- archive streaming --------------------------------------------------------------------
def iter_archive_sequences(archive: Path, wanted: Callable[[str, int], bool],
                           n_frames: int) -> Iterator[tuple[str, int, str, np.ndarray]]:
    """Stream `MP_Data/<label>/<seq>/<frame>.npy` members; yield (label, seq, member_dir, X (T, F)).

    Only sequences for which `wanted(label, seq)` is true are decoded. A sequence is yielded as
    soon as its `n_frames` frames have been read (members of one sequence are adjacent in the
    archive, so memory stays small); incomplete sequences are yielded at the end with fewer rows
    (the caller reports them).
    """
    pending: dict[tuple[str, int], dict[int, np.ndarray]] = defaultdict(dict)
    dirs: dict[tuple[str, int], str] = {}
    at = ["its start"]   # the member being read, for the message
    try:
        yield from _stream(archive, wanted, n_frames, pending, dirs, at)
    except (tarfile.TarError, EOFError, lzma.LZMAError, zlib.error, OSError) as e:
        raise DataError(f"{archive} is corrupt or truncated (at {at[0]}: {one_line(e)[:100]})") from None
    for key, frames in sorted(pending.items()):
        yield key[0], key[1], dirs[key], np.stack([frames[i] for i in sorted(frames)])


def _stream(archive: Path, wanted: Callable[[str, int], bool], n_frames: int,
            pending: dict[tuple[str, int], dict[int, np.ndarray]], dirs: dict[tuple[str, int], str],
            at: list[str]) -> Iterator[tuple[str, int, str, np.ndarray]]:
    with tarfile.open(archive, "r:xz") as tf:
        for m in tf:
            at[0] = f"member {m.name}"
            if not m.isfile() or not m.name.endswith(".npy"):
                continue
            parts = m.name.split("/")
            if len(parts) != 4:
                continue
            _, label, seq_s, frame_s = parts
            try:
                seq, frame = int(seq_s), int(frame_s[:-4])
            except ValueError:
                continue
            if not wanted(label, seq):
                continue
            key = (label, seq)
            f = tf.extractfile(m)
            assert f is not None
            raw = f.read()   # a damaged stream raises here (EOFError, LZMAError): the archive's fault
            try:
                arr = np.load(io.BytesIO(raw), allow_pickle=False)
            except (ValueError, OSError, EOFError) as e:
                raise DataError(f"{archive}: member {m.name} is not a readable .npy frame "
                                f"({one_line(e)[:80]})") from None
            if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.number):
                raise DataError(f"{archive}: member {m.name} holds a {arr.dtype} array of shape "
                                f"{arr.shape}, not one frame's feature vector")
            pending[key][frame] = arr
            dirs[key] = "/".join(parts[:3])
            if len(pending[key]) == n_frames:
                frames = pending.pop(key)
                try:
                    x = np.stack([frames[i] for i in sorted(frames)])
                except ValueError:
                    raise DataError(f"{archive}: frames of {dirs[key]} differ in length") from None
                yield label, seq, dirs.pop(key), x


def read_sequences_csv(path: Path, columns: tuple[str, ...] = ("label", "sequence")) -> dict[tuple[str, int], dict]:
    """(label, sequence) -> row. `DataError` for a missing column or a bad sequence number."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError(f"{path} lacks column(s) {', '.join(missing)} "
                                f"(has {', '.join(map(printable, reader.fieldnames or [])) or 'none'})")
            out = {}
            for line, r in enumerate(reader, start=2):
                try:
                    out[(r["label"], int(r["sequence"]))] = r
                except (TypeError, ValueError):
                    raise DataError(f"{path}, line {line}: sequence {printable(r.get('sequence'))!r} "
                                    f"is not a number") from None
            return out
    except UnicodeDecodeError:
        raise DataError(f"{path} is not a text (UTF-8) CSV file") from None
    except csv.Error as e:
        raise DataError(f"{path}: not a readable CSV ({one_line(e)})") from None


def check_source(dataset: str, src: Path) -> DatasetSpec:
    """SRC holds `dataset`'s archive and sequences.csv (with its columns); the other shared
    dataset's folder is recognised and named. Reads only the CSV header."""
    if dataset not in SPECS:
        raise DataError(f"unknown dataset {dataset!r}; choose from {', '.join(SPECS)}")
    spec = SPECS[dataset]
    if not src.is_dir():
        raise DataError(f"dataset folder not found: {src}" if not src.exists()
                        else f"{src} is a file, not a dataset folder")
    csv_path, archive = src / SEQUENCES_CSV, src / ARCHIVE
    if not csv_path.is_file() or not archive.is_file():
        lacks = [n for n, p in ((ARCHIVE, archive), (SEQUENCES_CSV, csv_path)) if not p.is_file()]
        raise DataError(f"{src} lacks {' and '.join(lacks)}: give the {dataset} folder "
                        f"(e.g. ../shared/datasets/{spec.folder})")
    try:
        with open(csv_path, newline="", encoding="utf-8") as f:
            header = set(next(csv.reader(f), []))
    except (UnicodeDecodeError, csv.Error):
        raise DataError(f"{csv_path} is not a text (UTF-8) CSV file") from None
    for other in SPECS.values():
        own = set(spec.columns) - set(other.columns)
        theirs = set(other.columns) - set(spec.columns)
        if other is not spec and theirs <= header and not own <= header:
            raise DataError(f"{src} looks like the {other.name} dataset, not {dataset} "
                            f"({SEQUENCES_CSV} has {', '.join(sorted(theirs))}); "
                            f"run `slr-train import {other.name} {src} OUT`")
    return spec


# -- one sequence ---------------------------------------------------------------------------
def seq_id(dataset: str, label: str, seq: int) -> str:
    return f"{dataset}:{label}:{seq}"


def seq_file(label: str, seq: int) -> str:
    return f"{safe_name(label)}/{seq:04d}.npz"


def _check_shape(spec: DatasetSpec, member_dir: str, x: np.ndarray, archive: Path) -> None:
    if x.shape == (spec.n_frames, spec.n_features):
        return
    other = [o.name for o in SPECS.values() if o is not spec and x.shape[1:] == (o.n_features,)]
    hint = f"; this looks like the {other[0]} archive" if other else ""
    raise DataError(f"{archive}: {member_dir} has frames of {x.shape[1] if x.ndim == 2 else '?'} features, "
                    f"{spec.name} has {spec.n_features}{hint}")


def _nonfinite(x: np.ndarray) -> int:
    """Frames' feature values that are NaN or infinite (masked on import, reported)."""
    return int(np.size(x) - np.count_nonzero(np.isfinite(x)))


def convert_cafe(label: str, seq: int, member_dir: str, x: np.ndarray, row: dict,
                 archive: Path) -> LandmarkSequence:
    spec = SPECS["cafe_words"]
    _check_shape(spec, member_dir, x, archive)
    all_zero = not np.any(x)
    x = x[1:]                          # frame 0 precedes a 2 s pause: not part of the clip
    points, mask = cafe_to_layout(x)
    sid = seq_id(spec.name, label, seq)
    meta = dict(
        dataset=spec.name, id=sid, group=row["added_by_git_author"], real=True, origin=sid,
        kind="real", label=label, sequence=seq, member=member_dir + "/", archive=archive.name,
        licence=spec.licence, recorder_proxy=row["added_by_git_author"],
        added_in_commit=row["added_in_commit"], commit_date=row["commit_date"],
        session=f"{row['added_in_commit'][:8]}:{seq // 30}",
        frames_dropped="frame 0 (2 s pause before frames 1-19)", nominal_fps=True,
        assumed_size=True, time_axis="uniform-nominal", all_zero=bool(all_zero),
        nonfinite_values_masked=_nonfinite(x),
    )
    return LandmarkSequence(points=points, mask=mask, fps=spec.fps, width=spec.width,
                            height=spec.height, gloss=label, source=f"{archive}::{member_dir}/",
                            meta=meta)


def convert_wlasl50(label: str, seq: int, member_dir: str, x: np.ndarray, row: dict,
                    archive: Path, n_real: int) -> LandmarkSequence:
    spec = SPECS["wlasl50"]
    _check_shape(spec, member_dir, x, archive)
    real = row["kind"] == "real"
    # trailing zero frames are the extractor's padding; time-reversed augmented copies carry
    # it at the start instead. Neither is data.
    lead, pad = zero_frame_runs(x)
    kept = x[lead: x.shape[0] - pad] if lead + pad < x.shape[0] else x[:1]
    points, mask = wlasl50_to_layout(kept)
    sid = seq_id(spec.name, label, seq)
    if real:
        origin = sid
    else:                              # copy k+i was made from real sequence i mod k
        if n_real <= 0 or seq < n_real:
            raise DataError(f"{member_dir}: augmented row {seq} but {n_real} real rows")
        origin = seq_id(spec.name, label, (seq - n_real) % n_real)
    meta = dict(
        dataset=spec.name, id=sid, group=origin, real=real, origin=origin, kind=row["kind"],
        label=label, sequence=seq, member=member_dir + "/", archive=archive.name,
        licence=spec.licence, trailing_padding_dropped=pad, leading_padding_dropped=lead, time_axis="sign-normalised",
        nominal_fps=True, assumed_size=True, pose_points=list(WLASL50_POSE),
        all_zero=bool(not np.any(kept)), nonfinite_values_masked=_nonfinite(kept),
    )
    return LandmarkSequence(points=points, mask=mask, fps=spec.fps, width=spec.width,
                            height=spec.height, gloss=label, source=f"{archive}::{member_dir}/",
                            meta=meta)


# -- whole import -----------------------------------------------------------------------------
@dataclass
class ImportSummary:
    dataset: str
    written: int = 0
    skipped_existing: int = 0
    incomplete: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    nonfinite: int = 0          # NaN/Inf values in the archive's frames (masked as not tracked)

    def counts(self) -> dict:
        real = [r for r in self.rows if r["real"] == "1"]
        return dict(
            sequences=len(self.rows), real=len(real), augmented=len(self.rows) - len(real),
            classes=len({r["gloss"] for r in self.rows}),
            groups=len({r["group"] for r in self.rows}),
            all_zero=sum(r.get("all_zero") == "1" for r in self.rows),
        )

    def report(self) -> str:
        c = self.counts()
        lines = [
            f"{self.dataset}: {c['sequences']} sequences ({c['real']} real, {c['augmented']} augmented), "
            f"{c['classes']} classes, {c['groups']} groups, {c['all_zero']} all-zero; "
            f"{self.written} written, {self.skipped_existing} already there, {self.seconds:.1f} s",
        ]
        per_class = Counter(r["gloss"] for r in self.rows)
        lines.append("per class: " + ", ".join(f"{printable(k)} {v}" for k, v in sorted(per_class.items())))
        per_group = Counter(r["group"] for r in self.rows)
        if len(per_group) <= 20:
            lines.append("per group: " + ", ".join(f"{printable(k)} {v}" for k, v in sorted(per_group.items())))
        else:
            sizes = Counter(per_group.values())
            lines.append("group sizes: " + ", ".join(f"{n} seq x {k}" for n, k in sorted(sizes.items())))
        if self.nonfinite:
            lines.append(f"NaN/Inf: {self.nonfinite} values in the archive's frames were not numbers; "
                         f"their points are masked as not tracked")
        if self.incomplete:
            shown = ", ".join(map(printable, self.incomplete[:10]))
            more = f" and {len(self.incomplete) - 10} more" if len(self.incomplete) > 10 else ""
            lines.append(f"INCOMPLETE (skipped): {shown}{more}")
        return "\n".join(lines)


def parse_labels(text: str | None, dataset: str) -> set[str] | None:
    """None -> the dataset default; "all" -> every label; else a comma-separated list."""
    if text is None:
        d = SPECS[dataset].default_labels
        return set(d) if d is not None else None
    if text.strip().lower() == "all":
        return None
    return {s.strip() for s in text.split(",") if s.strip()}


def import_dataset(dataset: str, src: str | Path, out: str | Path, labels: set[str] | None = None,
                   include_augmented: bool = False, progress: bool = True) -> ImportSummary:
    """Import `dataset` from `src` (laid out like ../shared/datasets/<name>) into `out`.

    labels: the labels to keep (None = all). Existing outputs are kept (resume). Every input is
    checked before `out` is touched; new sequences reach `out` only when the archive was read to
    the end (they wait in `out/.import`).
    """
    from tqdm import tqdm

    src, out = Path(src), Path(out)
    spec = check_source(dataset, src)
    archive = src / ARCHIVE
    table = read_sequences_csv(src / SEQUENCES_CSV, spec.columns)
    if dataset == "cafe_words":
        table = {k: r for k, r in table.items() if r.get("folder", "MP_Data") == "MP_Data"}
    if not table:
        raise DataError(f"{src / SEQUENCES_CSV} lists no sequences")
    if labels is not None:
        unknown = labels - {k[0] for k in table}
        if unknown:
            raise DataError(f"labels not in {dataset}: {', '.join(map(printable, sorted(unknown)[:20]))}")
    check_output_dir(out, "output folder")
    n_real = Counter(k[0] for k, r in table.items() if r.get("kind", "real") == "real")

    def selected(label: str, seq: int) -> bool:
        row = table.get((label, seq))
        if row is None or (labels is not None and label not in labels):
            return False
        return include_augmented or row.get("kind", "real") == "real"

    todo = {k for k in table if selected(*k)}
    out.mkdir(parents=True, exist_ok=True)
    stage = out / STAGE
    clean_stale_parts(out)
    summary = ImportSummary(dataset)
    t0 = time.perf_counter()
    rows: dict[tuple[str, int], dict] = {}
    staged: set[tuple[str, int]] = set()

    # resume: converted files (in place, or staged by an interrupted run) are read back for the
    # index instead of being converted again; unreadable leftovers are converted again
    for k in sorted(todo):
        for base in (out, stage):
            f = base / seq_file(*k)
            if not f.is_file():
                continue
            try:
                seq = LandmarkSequence.load(f)
            except Exception:
                f.unlink()
                continue
            rows[k] = index_row(seq, seq_file(*k))
            summary.nonfinite += int(seq.meta.get("nonfinite_values_masked", 0))
            summary.skipped_existing += 1
            if base == stage:
                staged.add(k)
            break
    remaining = todo - set(rows)

    if remaining:
        seen: set[tuple[str, int]] = set()
        bar = tqdm(total=len(remaining), desc=f"import {dataset}", unit="seq", disable=not progress)
        try:
            for label, seq, member_dir, x in iter_archive_sequences(
                    archive, lambda lab, s: (lab, s) in remaining, spec.n_frames):
                seen.add((label, seq))
                if x.shape[0] != spec.n_frames:
                    summary.incomplete.append(f"{member_dir} ({x.shape[0]} frames)")
                    continue
                row = table[(label, seq)]
                if dataset == "cafe_words":
                    ls = convert_cafe(label, seq, member_dir, x, row, archive)
                else:
                    ls = convert_wlasl50(label, seq, member_dir, x, row, archive, n_real[label])
                ls.save(stage / seq_file(label, seq))
                rows[(label, seq)] = index_row(ls, seq_file(label, seq))
                staged.add((label, seq))
                summary.nonfinite += int(ls.meta["nonfinite_values_masked"])
                summary.written += 1
                bar.update(1)
                if len(seen) == len(remaining):
                    break              # the rest of the archive holds nothing we want
        except DataError as e:
            raise DataError(f"{e}; nothing was added to {out} ({len(staged)} sequences read before the "
                            f"damage wait in {stage} for a rerun)") from None
        finally:
            bar.close()
        summary.incomplete += [f"{lab}/{s} (not in archive)" for lab, s in sorted(remaining - seen)]
    # the archive was read to the end: move the new sequences into place, then the index
    for k in sorted(staged):
        dest = out / seq_file(*k)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / seq_file(*k), dest)
    shutil.rmtree(stage, ignore_errors=True)
    summary.rows = [rows[k] for k in sorted(rows)]
    write_index(out / INDEX_NAME, summary.rows)
    summary.seconds = time.perf_counter() - t0
    return summary


# -- CLI --------------------------------------------------------------------------------------
def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", choices=sorted(SPECS) + ["pose"],
                        help="which shared dataset SRC_DIR holds, or 'pose': a folder of .pose files "
                             "(SRC_DIR/<gloss>/*.pose, MediaPipe Holistic layout; see trainer.extract)")
    parser.add_argument("src", metavar="SRC_DIR", type=Path,
                        help=f"folder with {ARCHIVE} and {SEQUENCES_CSV} (e.g. ../shared/datasets/cafe_words)")
    parser.add_argument("out", metavar="OUT", type=Path, help="output folder of .npz sequences")
    parser.add_argument("--labels", default=None,
                        help="comma-separated labels to import, or 'all' (default: cafe_words' 16 "
                             "word classes; every wlasl50 label). Write --labels=-,hello when "
                             "the list starts with the idle label '-'")
    parser.add_argument("--include-augmented", action="store_true",
                        help="wlasl50: also import the synthetic copies (never evaluated on)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


@command("import")
def run(args: argparse.Namespace) -> int:
    if args.dataset == "pose":
        from .extract import import_pose

        summary = import_pose(args.src, args.out, progress=not args.no_progress)
        print(summary.report())
        return 1 if summary.failures else 0
    labels = parse_labels(args.labels, args.dataset)
    summary = import_dataset(args.dataset, args.src, args.out, labels=labels,
                             include_augmented=args.include_augmented, progress=not args.no_progress)
    print(summary.report())
    print(f"index: {Path(args.out) / INDEX_NAME}")
    return 1 if summary.incomplete else 0


__all__ = [
    "CAFE_WORDS", "SPECS", "DatasetSpec", "ImportSummary", "cafe_to_layout", "configure_parser",
    "convert_cafe", "convert_wlasl50", "import_dataset", "iter_archive_sequences", "parse_labels",
    "run", "wlasl50_to_layout", "zero_frame_runs",
]
