"""Teach projects on disk (core.recording) and one take's recorder (core.take_recorder), no Qt.

Real landmarks: takes are real imported sequences of the shared wlasl50 set, and the recorder is
fed frames tracked from a real WLASL clip.
"""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from slr_desktop.core.landmarks import LandmarkFrame, LandmarkSequence
from slr_desktop.core.layout import LAYOUT
from slr_desktop.core.recording import NOTHING, BadNameError, Project, check_name, trim_to_hands
from slr_desktop.core.take_recorder import Phase, RecorderConfig, TakeRecorder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def real_seqs(tmp_path_factory, shared_dir):
    """A few real sequences (wlasl50 'accident', imported from the shared archive)."""
    import trainer.importers as I
    from trainer.landmark_sets import load_set

    out = tmp_path_factory.mktemp("imp") / "wl"
    I.import_dataset("wlasl50", shared_dir / "datasets" / "wlasl50_landmarks", out, labels={"accident"},
                     progress=False)
    return load_set(out)[:6]


@pytest.mark.parametrize("name, why", [
    ("a/b", "slash"), ("..", "dot"), ("../x", "slash"), (".hidden", "dot"), ("thank you", "space"),
    ("café", "non-ASCII"), ("日本", "non-ASCII"), ("", "empty"), ("   ", "empty"), ("-", "reserved"),
    ("hi!", "contains '!'"), ("_x", "must start"), ("x" * 41, "longer"), ("a\\b", "slash"),
])
def test_bad_sign_names_get_a_clear_answer(name, why):
    with pytest.raises(BadNameError) as e:
        check_name(name)
    msg = str(e.value)
    assert why in msg and "\n" not in msg


def test_duplicate_names_ignore_case(tmp_path):
    p = Project.create("proj", tmp_path)
    assert p.add_sign("hello") == "hello"
    with pytest.raises(BadNameError, match="already a sign called 'hello'"):
        p.add_sign("Hello")
    with pytest.raises(BadNameError, match="already a project"):
        Project.create("PROJ", tmp_path)
    assert check_name("  thank-you_2 ") == "thank-you_2"


def test_project_is_a_landmark_set_like_import_writes(tmp_path, real_seqs):
    from trainer.landmark_sets import INDEX_COLUMNS, load_set

    p = Project.create("mine", tmp_path)
    p.add_sign("hello")
    p.add_sign(NOTHING)
    takes = [p.save_take("hello", real_seqs[i]) for i in range(3)]
    p.save_take(NOTHING, real_seqs[3])
    assert [t.number for t in takes] == [1, 2, 3]
    assert (tmp_path / "mine" / "hello" / "0001.npz").is_file() and (tmp_path / "mine" / "_-" / "0001.npz").is_file()
    rows = list(csv.DictReader(open(tmp_path / "mine" / "index.csv")))
    assert tuple(rows[0]) == INDEX_COLUMNS and len(rows) == 4
    assert {r["gloss"] for r in rows} == {"hello", "-"} and rows[0]["file"] == "hello/0001.npz"
    seqs = load_set(tmp_path / "mine")
    assert sorted(s.gloss for s in seqs) == ["-", "hello", "hello", "hello"]
    np.testing.assert_array_equal(seqs[1].points, real_seqs[0].points)
    assert len({s.meta["id"] for s in seqs}) == 4          # ids unique, as load_set requires

    # delete, re-record in place, rename, remove; reopen sees exactly that
    p.delete_take(takes[1])
    p.save_take("hello", real_seqs[4], replace=takes[2])
    assert [t.number for t in p.takes("hello")] == [1, 3]
    p.rename_sign("hello", "hi")
    with pytest.raises(BadNameError, match="'-' is reserved"):
        p.rename_sign("hi", "-")
    q = Project.open(tmp_path / "mine")
    assert q.signs == ["hi", NOTHING] and [t.number for t in q.takes("hi")] == [1, 3]
    np.testing.assert_array_equal(q.load_take(q.takes("hi")[1]).points, real_seqs[4].points)
    assert all(s.gloss in ("hi", "-") for s in load_set(tmp_path / "mine"))
    q.remove_sign("hi")
    assert Project.open(tmp_path / "mine").signs == [NOTHING]
    assert not any(x.name.startswith(".re") for x in (tmp_path / "mine").iterdir())


def test_a_take_without_hands_is_flagged(tmp_path, real_seqs):
    s = real_seqs[0]
    mask = s.mask.copy()
    mask[:, LAYOUT.n_pose:] = False
    no_hands = LandmarkSequence(s.points * mask[..., None], mask, s.fps, s.width, s.height, s.gloss)
    p = Project.create("p", tmp_path)
    take = p.save_take("x", no_hands)
    assert not take.hands and "no hands" in take.label
    assert p.load_take(take).meta["no_hands"] is True
    assert p.summary()["x"] == {"takes": 1, "no_hands": 1}


def test_trim_keeps_the_hands_and_a_margin(real_seqs):
    s = real_seqs[0]
    pad = 30
    pts = np.concatenate([np.repeat(s.points[:1], pad, 0), s.points, np.repeat(s.points[-1:], pad, 0)])
    mask = np.concatenate([np.repeat(s.mask[:1], pad, 0), s.mask, np.repeat(s.mask[-1:], pad, 0)])
    mask[:pad, LAYOUT.n_pose:] = mask[-pad:, LAYOUT.n_pose:] = False
    seq = LandmarkSequence(pts, mask, 30.0, 640, 480, timestamps_ms=np.arange(len(pts)) * 1000 / 30.0)
    t = trim_to_hands(seq, margin_s=0.2)
    hands = np.flatnonzero(mask[:, LAYOUT.n_pose:].any(1))
    first, last = max(0, hands[0] - 6), min(len(pts) - 1, hands[-1] + 6)   # 0.2 s at 30 fps
    assert len(t) == last - first + 1 and t.meta["trimmed_from"] == len(seq)
    np.testing.assert_array_equal(t.points, pts[first:last + 1])
    no_hands = LandmarkSequence(pts[:pad], mask[:pad], 30.0, 640, 480)
    assert len(trim_to_hands(no_hands)) == pad              # nothing to trim to: kept whole


def _frames_of(seq: LandmarkSequence, t0: float = 0.0, n_rest: int = 0) -> list[LandmarkFrame]:
    frames = seq.frames()
    step = 1000.0 / seq.fps
    rest = [LandmarkFrame(f.points * 0, np.array([True, False, False]), 0, 0, f.width, f.height)
            for f in frames[:1]] * n_rest
    out = []
    for i, f in enumerate(rest + frames + rest):
        out.append(LandmarkFrame(f.points, f.present, int(t0 + i * step), i, f.width, f.height))
    return out


def test_recorder_counts_down_records_and_stops_when_hands_drop(real_seqs):
    seq = real_seqs[1]
    rec = TakeRecorder(RecorderConfig(countdown_s=1.0, max_s=10.0, hands_gone_s=0.3))
    assert rec.start().phase == Phase.COUNTDOWN
    frames = _frames_of(seq, n_rest=45)            # 1.5 s hands down, the sign, 1.5 s hands down
    states = [rec.feed(f) for f in frames]
    phases = [s.phase for s in states]
    assert phases[0] == Phase.COUNTDOWN and Phase.RECORDING in phases and phases[-1] == Phase.DONE
    assert states[-1].stop_reason == "hands dropped"
    take = rec.result
    hands = seq.mask[:, LAYOUT.n_pose:].any(1)
    assert take is not None and take.mask[:, LAYOUT.n_pose:].any(1).sum() == hands.sum()
    assert take.duration_s < seq.duration_s + 1.0          # trimmed: not the 3 s of rest


def test_recorder_time_limit_unwrapped_clock_and_cancel(real_seqs):
    seq = real_seqs[2]
    rec = TakeRecorder(RecorderConfig(countdown_s=0.0, max_s=0.5, stop_on_hands_drop=False))
    rec.start()
    frames = _frames_of(seq)
    # a looped file: the clock jumps back to 0 in the middle of the take
    looped = frames[:5] + [LandmarkFrame(f.points, f.present, i * 33, i, f.width, f.height)
                           for i, f in enumerate(frames[5:])]
    st = None
    for f in looped:
        st = rec.feed(f)
        if st.phase == Phase.DONE:
            break
    assert st.phase == Phase.DONE and st.stop_reason == "time limit"
    assert np.all(np.diff(rec.result.timestamps_ms) > 0)
    rec.start()
    rec.feed(frames[0])
    assert rec.cancel().phase == Phase.IDLE and rec.result is None


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np
    from slr_desktop.core.landmarks import LandmarkSequence
    from slr_desktop.core.recording import Project
    from trainer.landmark_sets import load_set
    seqs = load_set(sys.argv[2])
    p = Project.open(sys.argv[1])
    i = 0
    while True:                      # takes as fast as possible until killed
        p.save_take("sign", seqs[i % len(seqs)])
        i += 1
        print(i, flush=True)
""")


def test_killed_mid_take_loses_at_most_that_take(tmp_path, real_seqs):
    """SIGKILL a process saving takes at random moments: every take file on disk is whole, the
    project reopens with an index that matches its files, and nothing but the last take is lost."""
    from trainer.landmark_sets import load_set

    src = tmp_path / "src"
    p0 = Project.create("src", tmp_path)
    for s in real_seqs:
        p0.save_take("a", s)
    Project.create("kill", tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rng = np.random.default_rng(0)
    saved = 0
    for round_ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_path / "kill"), str(src)],
                                stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        line = proc.stdout.readline()          # it is writing takes now
        assert line.strip(), "the writer did not start"
        time.sleep(float(rng.uniform(0.05, 0.4)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        p = Project.open(tmp_path / "kill")          # cleans temporary files, rebuilds the index
        n = len(p.takes("sign"))
        assert n >= saved + 1                         # every take it reported is still there
        saved = n
        leftovers = [x for x in (tmp_path / "kill").rglob("*") if x.name.endswith(".part")]
        assert not leftovers
        rows = list(csv.DictReader(open(tmp_path / "kill" / "index.csv")))
        assert len(rows) == n
        assert len(load_set(tmp_path / "kill", cache=False)) == n   # every file is a whole take


def test_a_read_only_project_opens_for_viewing_and_saving_says_why(tmp_path, real_seqs, monkeypatch):
    import slr_desktop.core.recording as rec

    p = Project.create("p", tmp_path)
    p.add_sign("hello")
    p.save_take("hello", real_seqs[0])

    def refuse(*a, **k):
        raise PermissionError(13, "Read-only file system", str(tmp_path / "p" / "index.csv"))

    # what a read-only folder does to every write (root ignores chmod, so the writes are refused here)
    monkeypatch.setattr(rec, "write_index", refuse)
    monkeypatch.setattr(rec.LandmarkSequence, "save", refuse)
    q = Project.open(tmp_path / "p")
    assert q.read_only and q.counts() == {"hello": 1}           # the takes are still there to train from
    with pytest.raises(OSError):
        q.save_take("hello", real_seqs[1])
    assert Project.open(tmp_path / "p").counts() == {"hello": 1}
