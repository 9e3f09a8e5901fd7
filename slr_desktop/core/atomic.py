"""Atomic file writes: write to a temporary file beside the target, fsync, then rename.

A reader (or a resumed job) therefore sees either the old file or the complete new one, never half.
`check_output_file` / `check_output_dir` let a command refuse an output it could not write
*before* its long work (a benchmark, a training run), not after.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import UserError


class OutputError(UserError):
    """An output path that cannot be written; the message is one line for the user."""


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_output_dir(path: str | os.PathLike, what: str = "output folder") -> Path:
    """Raise `OutputError` unless `path` is (or can be created as) a folder we can write into.

    Nothing is created: the check looks at `path` or its nearest existing parent.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what} {path} is a file, not a folder")
    base = _nearest_existing(path.absolute())
    if not base.is_dir():
        raise OutputError(f"cannot create {what} {path}: {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        if base == path.absolute():
            raise OutputError(f"{what} {path} is not writable")
        raise OutputError(f"cannot create {what} {path}: {base} is not writable")
    return path


def check_output_file(path: str | os.PathLike, what: str = "output file") -> Path:
    """Raise `OutputError` unless a file at `path` could be written (atomically) now."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{what} {path} is a folder, not a file")
    if path.name in ("", ".", ".."):
        raise OutputError(f"{what} {path} is not a file name")
    base = _nearest_existing(path.parent.absolute())
    if not base.is_dir():
        raise OutputError(f"cannot write {what} {path}: {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {what} {path}: {base} is not writable")
    return path


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file for writing that replaces `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    # text is UTF-8 on every machine; the undecodable bytes of a file name (carried as lone
    # surrogates) are written back as the bytes they were instead of failing the whole write
    text = {} if "b" in mode else {"encoding": "utf-8", "errors": "surrogateescape"}
    try:
        with os.fdopen(fd, mode, **text) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; give the file the permissions a plain open() would have
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as f:
        f.write(text)


__all__ = ["OutputError", "atomic_open", "atomic_write_bytes", "atomic_write_text", "check_output_dir",
           "check_output_file"]
