"""Find, verify and (if allowed) download the MediaPipe Tasks model bundles.

Lookup order for a bundle name (e.g. "hand_landmarker"):

1. the explicit path given by the caller (a settings value): a `.task` file or a directory;
2. the directory in env `SLR_MEDIAPIPE_DIR`;
3. the user cache, `platformdirs.user_cache_dir("slr-desktop")/mediapipe`;
4. a download from Google's official URL into that cache (atomic write, tqdm progress bar),
   unless `download=False` or env `SLR_MEDIAPIPE_OFFLINE=1`.

The sha256 of a found file is checked against the hashes hard-coded below every time; a file that
does not match is never used. Verification is cached per (path, mtime, size) within a process, so
repeated lookups (every app start of a tracker, every test) cost a `stat`, not a re-hash.
"""
from __future__ import annotations

import hashlib
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_open
from .errors import UserError, one_line

ENV_DIR = "SLR_MEDIAPIPE_DIR"
ENV_OFFLINE = "SLR_MEDIAPIPE_OFFLINE"
URL_BASE = "https://storage.googleapis.com/mediapipe-models"


class BundleError(UserError):
    """A MediaPipe bundle that cannot be found or trusted; the message is one line for the user."""


@dataclass(frozen=True)
class BundleSpec:
    name: str
    task: str
    sha256: str
    size: int

    @property
    def filename(self) -> str:
        return f"{self.name}.task"

    @property
    def url(self) -> str:
        return f"{URL_BASE}/{self.task}/{self.name}/float16/1/{self.filename}"


BUNDLES: dict[str, BundleSpec] = {
    s.name: s for s in (
        BundleSpec("hand_landmarker", "hand_landmarker",
                   "fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1", 7_819_105),
        BundleSpec("pose_landmarker_lite", "pose_landmarker",
                   "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a", 5_777_746),
        BundleSpec("pose_landmarker_full", "pose_landmarker",
                   "5134a3aad27a58b93da0088d431f366da362b44e3ccfbe3462b3827a839011b1", 9_398_198),
    )
}

# (resolved path, mtime_ns, size) -> sha256 matched
_verified: dict[tuple[str, int, int], bool] = {}
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where downloaded bundles live: the per-user cache directory."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("slr-desktop")) / "mediapipe"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, spec: BundleSpec) -> bool:
    """True when `path` holds exactly the known bytes of `spec` (cached per path, mtime, size)."""
    try:
        st = path.stat()
    except OSError:
        return False
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _lock:
        if key in _verified:
            return _verified[key]
    ok = st.st_size == spec.size and _sha256(path) == spec.sha256
    with _lock:
        _verified[key] = ok
    return ok


def _offline_env() -> bool:
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


def _candidate(location: Path, spec: BundleSpec) -> Path:
    """A setting may name the `.task` file itself or the directory holding it."""
    if location.suffix == ".task" and not location.is_dir():
        return location
    return location / spec.filename


def _download(spec: BundleSpec, dest: Path, progress: bool) -> None:
    from tqdm import tqdm

    req = urllib.request.Request(spec.url, headers={"User-Agent": "slr-desktop"})
    h = hashlib.sha256()
    with urllib.request.urlopen(req, timeout=30) as resp:
        total = int(resp.headers.get("Content-Length") or spec.size)
        with atomic_open(dest, "wb") as f, tqdm(
            total=total, unit="B", unit_scale=True, desc=f"downloading {spec.filename}",
            disable=not progress, leave=False,
        ) as bar:
            while True:
                block = resp.read(1 << 16)
                if not block:
                    break
                h.update(block)
                f.write(block)
                bar.update(len(block))
            # check before the rename so a bad download never lands in the cache
            if h.hexdigest() != spec.sha256:
                raise BundleError(f"downloaded {spec.filename} from {spec.url} has the wrong sha256")


def find_bundle(name: str, explicit: Path | str | None = None, download: bool = True,
                progress: bool = True) -> Path:
    """Path of a verified bundle `name` ("hand_landmarker", "pose_landmarker_lite", "..._full").

    Raises `BundleError` (one-line message) when it is missing everywhere, tampered, or the
    download fails.
    """
    spec = BUNDLES.get(name)
    if spec is None:
        raise BundleError(f"unknown MediaPipe bundle {name!r}; known: {', '.join(BUNDLES)}")

    places: list[tuple[str, Path]] = []
    if explicit:
        given = Path(explicit).expanduser()
        if not given.exists():  # a typo must not fall back to another copy silently
            raise BundleError(f"MediaPipe bundle folder or file not found: {given}")
        if given.is_file() and given.suffix != ".task":
            raise BundleError(f"{given} is not a MediaPipe .task bundle (give the folder that holds "
                              f"{spec.filename}, or the .task file)")
        places.append(("setting", _candidate(given, spec)))
    env = os.environ.get(ENV_DIR)
    if env:
        places.append((ENV_DIR, _candidate(Path(env).expanduser(), spec)))
    cached = cache_dir() / spec.filename
    places.append(("cache", cached))

    tampered: list[Path] = []
    for _, path in places:
        if path.is_file():
            if verify(path, spec):
                return path
            tampered.append(path)

    looked = ", ".join(str(p) for _, p in places)
    if tampered:
        bad = ", ".join(str(p) for p in tampered)
        hint = f"delete it or set {ENV_DIR} to a folder with the official file"
    if not download or _offline_env():
        if tampered:
            raise BundleError(f"{spec.filename} at {bad} does not match the official sha256 "
                              f"(tampered or incomplete); {hint}")
        raise BundleError(f"{spec.filename} not found (looked in {looked}) and downloading is disabled; "
                          f"set {ENV_DIR} to a folder containing it, or unset {ENV_OFFLINE} and "
                          f"connect to the internet")
    try:
        _download(spec, cached, progress)
    except BundleError as e:
        raise BundleError(f"{e}; set {ENV_DIR} to a folder with the official file") from None
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        reason = getattr(e, "reason", None) or e
        msg = one_line(reason) or type(e).__name__
        what = f"{spec.filename} at {bad} does not match the official sha256 and" if tampered \
            else f"{spec.filename} not found (looked in {looked}) and"
        raise BundleError(f"{what} downloading {spec.url} failed ({msg[:120]}); connect to the internet "
                          f"or set {ENV_DIR} to a folder containing it") from None
    if not verify(cached, spec):  # should not happen: the download checked the hash
        raise BundleError(f"downloaded {cached} does not match the official sha256")
    return cached


__all__ = ["BUNDLES", "BundleError", "BundleSpec", "cache_dir", "find_bundle", "verify"]
