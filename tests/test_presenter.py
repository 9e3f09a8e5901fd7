"""The presenter, pure (no Qt): what the window shows for each decoder state, in a newcomer's words.

Bars never say "-" (the idle class reads "no sign", an "other sign" class "unknown sign"); every
decoder state has its words; the history is one entry per segment; segments are cleared per pass
and source and replaced (not duplicated) when a stretch is replayed after a seek; cameras count
their transcript from their first frame; Copy History's text; the vocabulary and its search;
per-model thresholds and recent files in the settings.
"""
from __future__ import annotations

import numpy as np
import pytest

from slr_desktop.app.presenter import DETAIL, Presenter, clock, matches, vocabulary
from slr_desktop.app.settings import MAX_RECENT, AppSettings
from slr_desktop.core.decoder import DecoderState
from slr_desktop.core.segments import STATUS_TEXT, LabelProb, Segment, Status, display_label

LABELS = ("-", "go", "before", "other")


def seg(a: float, b: float, label: str | None = "go", p: float = 0.9) -> Segment:
    return Segment(a, b, label, p, (LabelProb(label or "go", p),))


def probs(i: int, p: float = 0.9) -> np.ndarray:
    out = np.full(len(LABELS), (1 - p) / (len(LABELS) - 1))
    out[i] = p
    return out


def test_display_label_words():
    assert display_label("-", "-", "other") == "no sign"
    assert display_label("other", "-", "other") == "unknown sign"
    assert display_label(None) == "unknown sign"
    assert display_label("go", "-", "other") == "go"
    assert display_label("-") == "-"          # a model without an idle class: "-" could be a sign


def test_idle_class_is_no_sign_in_the_bars():
    pr = Presenter(LABELS, 0.5, idle_label="-", unknown_label="other")
    st = pr.update(probs(0), DecoderState(Status.NO_SIGN, decided=True))
    assert st.bars[0].label == "no sign" and all(b.label != "-" for b in st.bars)
    st = pr.update(probs(3), DecoderState(Status.SIGNING, decided=True))
    assert "unknown sign" in [b.label for b in st.bars] and "other" not in [b.label for b in st.bars]


@pytest.mark.parametrize("status", [Status.NO_PERSON, Status.NO_SIGN, Status.SIGNING, Status.UNKNOWN])
def test_every_state_has_words(status):
    pr = Presenter(LABELS, 0.5, "-", "other")
    st = pr.update(probs(1), DecoderState(status, decided=True))
    assert st.headline == STATUS_TEXT[status] and st.detail == DETAIL[status]
    assert st.sign.current is None
    for text in (st.headline, st.detail):
        assert "window" not in text and "%" not in text and text.strip() not in ("-", "—")


def test_a_sign_shows_its_label_and_confidence():
    pr = Presenter(LABELS, 0.5, "-", "other")
    st = pr.update(probs(2), DecoderState(Status.SIGN, "before", 0.87, decided=True))
    assert st.headline == "before" and st.detail == "87% confident" and st.passed


def test_nobody_there_or_a_mostly_empty_window_shows_no_bars():
    pr = Presenter(LABELS, 0.5, "-")
    assert pr.update(probs(1), DecoderState(Status.NO_SIGN, decided=True)).bars
    assert pr.update(probs(1), DecoderState(Status.NO_PERSON, decided=True)).bars == ()
    # just after a start or a seek the window is mostly padding: its guess is not shown
    st = pr.update(probs(1), DecoderState(Status.NO_SIGN, decided=False))
    assert st.bars == () and st.track is None
    assert pr.update(None, DecoderState(Status.NO_SIGN)).bars == ()      # kept until the next window


def test_waiting_words_before_anything_arrives():
    pr = Presenter(LABELS)
    assert pr.state.headline == "—" and "open a video" in pr.state.detail
    pr.new_source(True)
    assert pr.state.detail == "starting…"


def test_history_is_one_entry_per_segment_and_copy_text():
    pr = Presenter(LABELS, 0.5, "-", "other")
    pr.update(probs(1), DecoderState(Status.SIGN, "go", 0.9, decided=True))
    pr.update(probs(1), DecoderState(Status.SIGN, "go", 0.9, decided=True))              # held: no entry yet
    st = pr.update(probs(0), DecoderState(Status.NO_SIGN, segments=(seg(0.5, 1.25, "go", 0.91),)))
    assert st.sign.history == ("go",) and st.sign.new_sign
    st = pr.update(probs(0), DecoderState(Status.UNKNOWN, segments=(seg(2.0, 3.0, None, 0.3),)))
    assert st.sign.history == ("go", "unknown sign")
    assert pr.history_text() == "0:00.5–0:01.2\tgo\t91%\n0:02.0–0:03.0\tunknown sign\n"
    assert [s.label for s in pr.segments] == ["go", None]
    pr.clear_history()
    assert pr.history_text() == "" and pr.segments == [] and pr.state.sign.history == ()


def test_segments_cleared_per_pass_and_source_and_replaced_after_a_seek():
    pr = Presenter(LABELS, 0.5, "-")
    pr.new_source(True)
    first = (seg(0.2, 1.0, "go"), seg(1.0, 1.6, "before"))   # back to back: both stay
    pr.update(None, DecoderState(Status.NO_SIGN, segments=first))
    pr.update(None, DecoderState(Status.NO_SIGN, segments=(seg(2.0, 2.5, "go"),)))
    assert [s.start_s for s in pr.segments] == [0.2, 1.0, 2.0]
    # seek back and play 0.9-1.7 again: the replayed sign replaces what overlapped it, no duplicate
    pr.reset()
    pr.update(None, DecoderState(Status.NO_SIGN, segments=(seg(0.95, 1.7, "before"),)))
    assert [(s.start_s, s.label) for s in pr.segments] == [(0.95, "before"), (2.0, "go")]
    assert len(pr.entries) == 4                               # the history keeps what was shown
    pr.new_pass()                                             # a loop restart: a fresh transcript
    assert pr.segments == [] and len(pr.entries) == 4
    pr.new_source(True)
    assert pr.segments == [] and pr.entries == [] and pr.state.sign.history == ()


def test_camera_transcript_counts_from_the_first_frame():
    pr = Presenter(LABELS, 0.5, "-")
    pr.new_source(is_file=False)
    pr.update(None, DecoderState(Status.NO_SIGN), t_ms=5_000_000.0)
    pr.update(None, DecoderState(Status.NO_SIGN, segments=(seg(5001.0, 5002.0, "go"),)), t_ms=5_002_500.0)
    assert pr.segments[0].start_s == pytest.approx(1.0) and pr.segments[0].end_s == pytest.approx(2.0)


def test_vocabulary_lists_signs_then_special_classes_and_searches():
    v = vocabulary(["water", "-", "Coffee", "other", "tea"], "-", "other")
    assert [e.name for e in v] == ["Coffee", "tea", "water", "no sign", "unknown sign"]
    assert [e.sign for e in v] == [True, True, True, False, False]
    assert [e.name for e in v if matches(e, "TE")] == ["tea", "water"]
    assert [e.name for e in v if matches(e, "")] == [e.name for e in v]
    assert [e.name for e in v if matches(e, "no si")] == ["no sign", "unknown sign"]


def test_clock():
    assert clock(0) == "0:00.0" and clock(63.25) == "1:03.2" and clock(-1) == "0:00.0"


def test_threshold_is_per_model_file(tmp_path):
    a, b = tmp_path / "a.onnx", tmp_path / "b.onnx"
    s = AppSettings()
    s.set_threshold(a, 0.95)
    assert s.threshold_for(a, 0.5) == 0.95 and s.threshold_for(b, 0.6) == 0.6
    s.set_threshold(a, None)
    assert s.threshold_for(a, 0.5) == 0.5
    # damaged stored values are dropped, not fatal
    assert AppSettings(thresholds={"x": 7.0, "y": "no", "z": 0.3}).thresholds == {"z": 0.3}


def test_recent_files_newest_first_unique_bounded(tmp_path):
    s = AppSettings()
    paths = [tmp_path / f"v{i}.mp4" for i in range(MAX_RECENT + 3)]
    for p in paths:
        s.add_recent(p)
    s.add_recent(paths[-3])
    assert s.recent_files[0] == str(paths[-3].resolve()) and len(s.recent_files) == MAX_RECENT
    assert len(set(s.recent_files)) == MAX_RECENT and s.last_dir == str(tmp_path.resolve())
