#!/usr/bin/env python3
"""Build resources/idle_pool.npz: real idle ("-") sequences shipped with the app.

"Teach your own signs" pads a user's few recordings with real idle frames (as training does with
`--idle-pool`), and an installed app has no data set beside it, so a small pool travels inside
the package. Source: the MIT-licensed traduttore `cafe_words` set, imported with the trainer's own
importer (`trainer.importers`, 75-point layout, frame 0 dropped, the 60 all-zero "-" rows left
out). Both recorders, `PER_GROUP` sequences each, evenly spread over each recorder's sequence
numbers (so every recording run is represented), chosen without looking at their content.

    python scripts/make_idle_pool.py [--src ../shared/datasets/cafe_words] [--out resources/idle_pool.npz]

Arrays (read by `slr_desktop.core.idle_pool.load_idle_pool`): `points` (frames, 75, 3) float16 —
half precision keeps the file at a few hundred KB; the rounding error (<= 1e-3 of the image size)
is far below tracking noise — `mask` (frames, 75) bool, `lengths`, `ids`, `groups`, and `meta`
(JSON: provenance, selection, licence text). Deterministic: the same source gives the same file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slr_desktop.core.atomic import atomic_write_bytes  # noqa: E402
from slr_desktop.core.idle_pool import FORMAT_VERSION  # noqa: E402
from slr_desktop.core.landmarks import npz_bytes  # noqa: E402
from slr_desktop.core.layout import LAYOUT  # noqa: E402
from trainer.importers import SPECS, import_dataset  # noqa: E402
from trainer.landmark_sets import IDLE_LABEL, idle_sequences, load_set  # noqa: E402

PER_GROUP = 40
MIT_TEXT = """MIT License

Copyright (c) 2022 traduttore

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def select(seqs: list, per_group: int) -> list:
    """`per_group` sequences of each recorder, evenly spaced over its sorted sequence numbers."""
    by_group: dict[str, list] = defaultdict(list)
    for s in seqs:
        by_group[s.meta["group"]].append(s)
    out = []
    for group in sorted(by_group):
        items = sorted(by_group[group], key=lambda s: int(s.meta["sequence"]))
        if len(items) < per_group:
            raise SystemExit(f"recorder {group} has only {len(items)} tracked idle sequences")
        idx = np.unique(np.linspace(0, len(items) - 1, per_group).round().astype(int))
        out += [items[i] for i in idx]
    return out


def build(src: Path, per_group: int) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        import_dataset("cafe_words", src, tmp, labels={IDLE_LABEL}, progress=False)
        seqs = select(idle_sequences(load_set(tmp, cache=False)), per_group)
    spec = SPECS["cafe_words"]
    meta = dict(
        what="real idle ('-') sequences for padding user recordings (teach your own signs)",
        dataset="cafe_words", label=IDLE_LABEL, layout_id=LAYOUT.id, fps=spec.fps,
        width=spec.width, height=spec.height, nominal_fps=True, assumed_size=True,
        source="github.com/traduttore/traduttore-model c7c2f3eba11226a32bad547c4f89186afab676da, "
               "MP_Data/-/<sequence>, imported by trainer.importers (frame 0 dropped)",
        archive_sha256=sha256(src / "MP_Data.tar.xz"),
        selection=f"{per_group} per recorder (git-author proxy), evenly spaced over sequence numbers; "
                  "all-zero rows excluded",
        precision="points stored as float16 (rounding <= 1e-3 of the image size)",
        licence="MIT, Copyright (c) 2022 traduttore", licence_text=MIT_TEXT,
    )
    arrays = dict(
        points=np.concatenate([s.points for s in seqs]).astype(np.float16),        # (F, 75, 3)
        mask=np.concatenate([s.mask for s in seqs]),                              # (F, 75)
        lengths=np.array([len(s) for s in seqs], np.int32),
        ids=np.array([s.meta["id"] for s in seqs]),
        groups=np.array([s.meta["group"] for s in seqs]),
        layout_id=np.str_(LAYOUT.id),
        format_version=np.int64(FORMAT_VERSION),
        meta=np.str_(json.dumps(meta, sort_keys=True)),
    )
    return npz_bytes(arrays)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--src", type=Path, default=ROOT.parent / "shared" / "datasets" / "cafe_words")
    p.add_argument("--out", type=Path, default=ROOT / "resources" / "idle_pool.npz")
    p.add_argument("--per-group", type=int, default=PER_GROUP)
    a = p.parse_args()
    data = build(a.src, a.per_group)
    atomic_write_bytes(a.out, data)
    print(f"{a.out}: {len(data) / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
