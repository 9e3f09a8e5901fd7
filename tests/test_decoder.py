"""The sign decoder, pure: scripted hand activity and window probabilities -> status and segments.

Every rule of core/decoder.py's docstring has a test here that fails if the rule goes: no claim
from an empty window, hysteresis (a spike is no sign, a held sign is one entry), rest closes a run
and cuts the window, unknown signs, back-to-back signs, still hands, no person, reset.
"""
from __future__ import annotations

import numpy as np
import pytest

from slr_desktop.core.decoder import DecoderConfig, SignDecoder, Status, clip_status
from slr_desktop.core.landmarks import LandmarkFrame
from slr_desktop.core.layout import LAYOUT

LABELS = ["-", "go", "before", "?"]       # idle, two signs, the model's "other sign" class
STEP = 1000 / 30                          # ms per frame
CFG = DecoderConfig()


def frame(t_ms: float, hands: str = "moving", person: bool = True) -> LandmarkFrame:
    """A tracked frame: both shoulders; a right hand that moves (a circle), holds still, or is absent."""
    pts = np.zeros((LAYOUT.n_points, 3), np.float32)
    present = np.array([person, False, hands != "none" and person])
    pts[LAYOUT.left_shoulder, :2] = (0.6, 0.4)
    pts[LAYOUT.right_shoulder, :2] = (0.4, 0.4)
    if present[2]:
        a = t_ms / 1000 * 2 * np.pi if hands == "moving" else 0.0
        centre = np.array([0.45 + 0.08 * np.cos(a), 0.55 + 0.08 * np.sin(a)])
        pts[LAYOUT.right_hand, :2] = centre + np.random.default_rng(0).normal(0, 0.01, (LAYOUT.n_hand, 2))
    return LandmarkFrame(pts, present, int(round(t_ms)), 0, 640, 480)


def probs(label: str, p: float = 0.9) -> np.ndarray:
    out = np.full(len(LABELS), (1 - p) / (len(LABELS) - 1))
    out[LABELS.index(label)] = p
    return out


class Script:
    """Drive a decoder frame by frame: every 2nd frame a classified window."""

    def __init__(self, **kw) -> None:
        self.d = SignDecoder(LABELS, threshold=0.6, idle_label="-", unknown_label="?", config=DecoderConfig(**kw))
        self.t = 0.0
        self.real_from = 0.0
        self.segments = []
        self.states = []
        self.cuts = []

    def run(self, seconds: float, label: str, p: float = 0.9, hands: str = "moving", person: bool = True):
        for _ in range(int(round(seconds * 1000 / STEP))):
            self.d.frame(frame(self.t, hands, person))
            if int(round(self.t / STEP)) % 2 == 0:
                st = self.d.window(self.t, probs(label, p), min(64 / 30, (self.t - self.real_from) / 1000))
                self.states.append(st)
                self.segments += st.segments
                if st.cut_ms is not None:
                    self.cuts.append(st.cut_ms)
            self.t += STEP
        return self

    def finish(self):
        self.segments += self.d.finish(self.t)
        return self

    @property
    def labels(self):
        return [s.label for s in self.segments]


def test_no_claim_from_a_window_that_is_mostly_empty():
    s = Script().run(CFG.min_real_s * 0.9, "go", 0.99)
    assert all(not st.decided and st.status != Status.SIGN for st in s.states)
    assert s.labels == []


def test_a_held_sign_is_one_segment_and_rest_closes_it():
    s = Script().run(1.0, "-").run(2.0, "go").run(1.5, "-")
    assert s.labels == ["go"]
    seg = s.segments[0]
    # times are estimates: a window's verdict trails its frames by about half a window
    assert 0.0 <= seg.start_s < 1.2 and 1.5 < seg.end_s <= 3.5 and seg.prob == pytest.approx(0.9, abs=0.05)
    assert [p.label for p in seg.top][0] == "go" and "-" not in [p.label for p in seg.top]
    assert s.cuts, "a closed run asks for a fresh window"
    statuses = [st.status for st in s.states]
    assert Status.SIGN in statuses and statuses[-1] == Status.SIGN   # shown for show_s after it ended


def test_a_spike_is_not_a_sign():
    s = Script().run(1.0, "-").run(CFG.hold_s * 0.6, "go").run(1.5, "-").finish()
    assert s.labels == []


def test_below_threshold_for_long_is_an_unknown_sign():
    s = Script().run(1.0, "-").run(1.5, "go", p=0.4).run(1.5, "-")
    assert s.labels == [None] and s.segments[0].top[0].label == "go"
    assert Status.UNKNOWN in [st.status for st in s.states]
    short = Script().run(1.0, "-").run(CFG.min_unknown_s * 0.5, "go", p=0.4).run(1.5, "-")
    assert short.labels == []


def test_the_models_other_class_is_unknown():
    s = Script().run(1.0, "-").run(1.5, "?").run(1.5, "-")
    assert s.labels == [None]


def test_back_to_back_signs_are_two_segments_in_order():
    s = Script().run(1.0, "-").run(1.5, "go").run(1.5, "before").run(1.5, "-")
    assert s.labels == ["go", "before"]
    assert s.segments[0].end_s <= s.segments[1].start_s + 1e-9


def test_a_short_label_before_another_was_a_transition():
    s = Script().run(1.0, "-").run(CFG.hold_s + 0.1, "before").run(1.5, "go").run(1.5, "-")
    assert s.labels == ["go"]


def test_hands_out_of_view_are_rest_and_nobody_is_no_person():
    s = Script().run(1.0, "-").run(1.5, "go").run(1.0, "go", hands="none")
    assert s.labels == ["go"]        # the model still says "go": the hands are gone, the sign is over
    s.run(CFG.show_s + CFG.person_lost_s + 0.5, "go", hands="none", person=False)
    assert s.states[-1].status == Status.NO_PERSON and s.labels == ["go"]


def test_still_hands_end_a_recognised_sign_but_not_a_static_one():
    # a sign, then the hands freeze (a held pose the model still calls "go"): one segment only
    s = Script().run(1.0, "-").run(1.5, "go").run(2.5, "go", hands="still").run(1.0, "-")
    assert s.labels == ["go"]
    # a static handshape: still hands from the start are recognised all the same
    st = Script().run(1.0, "-").run(1.5, "before", hands="still").run(1.5, "-")
    assert st.labels == ["before"]


def test_reset_forgets_the_sign_in_progress():
    s = Script().run(1.0, "-").run(1.0, "go")
    assert s.states[-1].status == Status.SIGN
    s.d.reset()
    s.real_from = s.t
    s.run(1.0, "-").finish()
    assert s.labels == []


def test_end_of_file_closes_an_open_sign():
    s = Script().run(1.0, "-").run(1.0, "go").finish()
    assert s.labels == ["go"] and s.segments[0].end_s == pytest.approx(s.t / 1000, abs=0.05)


def test_clip_status():
    from slr_desktop.core.decoder import Segment

    assert clip_status([], person_seen=False) == Status.NO_PERSON
    assert clip_status([], person_seen=True) == Status.NO_SIGN
    assert clip_status([Segment(0, 1, None, 0.3)], True) == Status.UNKNOWN
    assert clip_status([Segment(0, 1, None, 0.3), Segment(1, 2, "go", 0.9)], True) == Status.SIGN


def test_config_is_validated():
    with pytest.raises(ValueError):
        DecoderConfig(off_s=-1)


def test_a_frozen_picture_is_rest_even_when_the_tracker_jitters():
    import dataclasses

    d = SignDecoder(LABELS, threshold=0.6, idle_label="-", unknown_label="?")
    t, segments = 0.0, []
    for i in range(120):   # 4 s of a still photo: the hand landmarks jitter, the pixels do not change
        f = dataclasses.replace(frame(t, "moving"), image_motion=0.0 if i else None)
        d.frame(f)
        if i % 2 == 0:
            segments += d.window(t, probs("go", 0.3), min(64 / 30, t / 1000)).segments
        t += STEP
    segments += d.finish(t)
    assert segments == []


def test_transcript_formats():
    from slr_desktop.core import transcript
    from slr_desktop.core.decoder import LabelProb, Segment

    segs = [Segment(0.5, 1.75, "go", 0.91, (LabelProb("go", 0.91),)), Segment(62.0, 63.2, None, 0.3),
            Segment(70.0, 71.0, "bad\nlabel\x1b[31m", 0.8)]
    assert transcript.plain(segs) == "go [unknown sign] bad label [31m"
    srt = transcript.to_srt(segs)
    assert srt.startswith("1\n00:00:00,500 --> 00:00:01,750\ngo (91%)\n") and "00:01:02,000 --> 00:01:03,200" in srt
    assert "\x1b" not in srt and srt.count(" --> ") == 3
    vtt = transcript.to_vtt(segs)
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:01.750\ngo (91%)\n")
    csv_text = transcript.to_csv(segs)
    assert csv_text.splitlines()[0] == "start_s,end_s,label,prob,top" and ",," in csv_text.splitlines()[2]
    with pytest.raises(ValueError):
        transcript.write("/tmp/x.doc", segs)
