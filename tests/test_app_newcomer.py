"""The window as a newcomer meets it (issue 13) and the decoder's app side (issue 17), pytest-qt.

Layout at the minimum size (no overlapping or squeezed widgets, messages not cut by the rates),
click-to-seek on the slider and the track (lands within one frame), frame stepping and speed,
per-model threshold, Esc leaves full screen, Open Recent and the remembered folder, drag-and-drop,
title, Playback disabled with nothing loaded, per-source counters, the honest camera menu, the
first-run hint, Help, the vocabulary panel, and on a real clip with the bundled wlasl50: segments
on the track with a legend, Export Transcript (SRT/CSV), Copy History, a fresh track per pass.
"""
from __future__ import annotations

import csv
import io
import itertools
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, QSize, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QStyle, QStyleOptionSlider  # noqa: E402

from slr_desktop.app.settings import AppSettings, SettingsStore  # noqa: E402
from slr_desktop.app.sources import SourceSpec  # noqa: E402
from slr_desktop.core.cameras import CameraDevice  # noqa: E402
from slr_desktop.core.segments import LabelProb, Segment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WLASL50 = ROOT / "models" / "wlasl50.onnx"


class FakeCam:
    """A camera for tests: a moving gradient at ~100 fps."""

    def __init__(self) -> None:
        self.n = 0

    def read(self):
        self.n += 1
        time.sleep(0.01)
        img = np.zeros((120, 160, 3), np.uint8)
        img[:, :, 1] = (np.arange(160) + self.n) % 255
        return img, self.n * 10

    def release(self):
        pass


def rect_in(win, w) -> QRect:
    return QRect(w.mapTo(win, QPoint(0, 0)), w.size())


def layout_parts(win) -> dict:
    side, tl, tr = win.side, win.timeline, win.track
    return {
        "video": win.view, "play": tl.play_button, "slider": tl.slider, "time": tl.time_label,
        "track": tr.plot, "legend": tr.legend, "sign": side.sign_panel.sign, "detail": side.sign_panel.detail,
        "history": side.sign_panel.history, "bars": side.bars, "threshold label": side.threshold_label,
        "threshold slider": side.threshold_slider, "tabs": side.tabs, "search": side.vocabulary.search,
        "vocabulary": side.vocabulary.list,
    }


# ----------------------------------------------------------------------------------- layout
def min_height(w) -> int:
    """The height Qt's layouts promise a widget: its explicit minimum, else its minimum size hint."""
    return w.minimumHeight() if w.minimumHeight() > 0 else w.minimumSizeHint().height()


@pytest.mark.parametrize("size", [(860, 560), (1600, 1000)])
def test_layout_has_no_overlapping_or_squeezed_widgets(qtbot, make_window, small_clip, size):
    win = make_window(tracker_factory=None)
    win.start(source=str(small_clip))            # a file: timeline and track shown too
    win.resize(*size)
    qtbot.waitUntil(lambda: win.size() == QSize(*size), timeout=3000)
    if size == (860, 560):
        assert win.minimumSize() == QSize(860, 560)
    QApplication.processEvents()
    central = win.centralWidget()
    # the layout asks for no more than the window gives: nothing is pressed below its minimum
    assert central.minimumSizeHint().height() <= central.height(), central.minimumSizeHint()
    area = rect_in(win, central)
    parts = {k: w for k, w in layout_parts(win).items() if w.isVisible()}
    assert set(parts) >= {"video", "slider", "track", "bars", "threshold slider", "sign", "history"}
    rects = {k: rect_in(win, w) for k, w in parts.items()}
    for k, r in rects.items():
        assert area.contains(r), (k, r, area)                      # not clipped by the window
        assert r.height() >= min_height(parts[k]) - 1, (k, r)
    assert win.bars.height() >= win.bars.minimumHeight()           # all five bars drawn whole
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        if parts[a].isAncestorOf(parts[b]) or parts[b].isAncestorOf(parts[a]):
            continue
        assert not ra.intersects(rb), (a, ra, b, rb)


def test_status_message_is_not_cut_by_the_rates(qtbot, make_window):
    win = make_window(tracker_factory=None)
    win.resize(860, 560)
    qtbot.waitUntil(lambda: win.width() == 860, timeout=3000)
    win.status.set_source("clip_with_a_long_name.mp4")
    win._update_status()
    msg = "Cannot open video: holiday_2024_final_v2.mp4 looks like a MP4/MOV video but is corrupt or truncated"
    win.status.message(msg, 300)
    bar = win.statusBar()
    assert not any(label.isVisible() for label in win.status_labels.values())
    assert bar.currentMessage() == msg
    assert bar.fontMetrics().horizontalAdvance(msg) < bar.width() - 8
    qtbot.waitUntil(lambda: win.status_labels["capture"].isVisible(), timeout=3000)   # back afterwards
    # wider than the bar: elided in the middle, the whole text in the tooltip
    win.status.message("x" * 400, 2000)
    assert "…" in bar.currentMessage() and bar.toolTip() == "x" * 400


# -------------------------------------------------------------------------------- seeking
def handle_centre(slider) -> int:
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    r = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle,
                                      slider)
    return r.center().x()


def test_click_on_the_timeline_and_the_track_seeks_within_one_frame(qtbot, make_window, small_clip):
    win = make_window(tracker_factory=None)
    win.hint.hide()
    win.start(source=str(small_clip))
    qtbot.waitUntil(lambda: win.view.frames_shown > 2, timeout=5000)
    win.toggle_play()
    s = win.timeline.slider
    n = win.spec.frame_count
    px_per_frame = (s.width() - 12) / (n - 1)
    for target in (7, 31, 52, 3):
        x = s.x_of(target)
        qtbot.mouseClick(s, Qt.MouseButton.LeftButton, pos=QPoint(x, s.height() // 2))
        assert abs(s.value() - target) <= 1, (target, s.value())
        assert abs(handle_centre(s) - x) <= px_per_frame + 1          # the handle is under the pointer
        qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.position == s.value(), timeout=5000)
    plot = win.track.plot
    for target in (12, 45):
        x = plot.x_of(target / win.spec.fps)
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, plot.height() // 2))
        assert abs(s.value() - target) <= 1, (target, s.value())
        assert abs(plot.x_of(win.track.cursor.value()) - x) <= 2       # the cursor is where we clicked
        qtbot.waitUntil(lambda: win.last_result.position == s.value(), timeout=5000)


def test_frame_stepping_pauses_and_moves_one_frame(qtbot, make_window, small_clip):
    win = make_window(tracker_factory=None)
    win.start(source=str(small_clip))
    qtbot.waitUntil(lambda: win.view.frames_shown > 2, timeout=5000)
    win.seek(20)
    win.menus.next_frame.trigger()
    assert not win._playing and win.timeline.slider.value() == 21
    qtbot.waitUntil(lambda: win.last_result.position == 21, timeout=5000)
    win.menus.prev_frame.trigger()
    win.menus.prev_frame.trigger()
    qtbot.waitUntil(lambda: win.last_result.position == 19, timeout=5000)
    assert win.timeline.slider.value() == 19


def test_speed_changes_the_pace_of_a_file(small_clip):
    """Playback → Speed: frames come at `speed` × the file's rate (ratio against 1× in this run)."""
    from slr_desktop.app.capture import CaptureWorker
    from slr_desktop.app.events import SessionCallbacks
    from slr_desktop.app.live import LatestSlot, RateMeter
    from slr_desktop.app.sources import file_spec

    def seconds_for(frames: int, speed: float) -> float:
        slot = LatestSlot()
        w = CaptureWorker(file_spec(small_clip), slot, SessionCallbacks(), RateMeter(), itertools.count(),
                          lambda: 0)
        w.set_speed(speed)
        w.start()
        slot.get(2.0)
        t0 = time.perf_counter()
        for _ in range(frames):
            assert slot.get(2.0) is not None
        took = time.perf_counter() - t0
        w.stop()
        w.join(1.0)
        return took

    normal, double, half = seconds_for(20, 1.0), seconds_for(20, 2.0), seconds_for(10, 0.5)
    assert 0.35 < double / normal < 0.7, (double, normal)
    assert 0.75 < half / normal < 1.4, (half, normal)          # 10 frames at half speed ~ 20 at 1×


def test_speed_menu_reaches_the_capture_thread(qtbot, make_window, small_clip):
    win = make_window(tracker_factory=None)
    win.start(source=str(small_clip))
    win.menus.speed_actions[0.5].trigger()
    assert win.speed == 0.5 and win.session.capture.speed == 0.5
    win.menus.faster.trigger()
    assert win.speed == 0.75 and win.menus.speed_actions[0.75].isChecked()
    win.open_source(str(small_clip))                          # a new file keeps the chosen speed
    assert win.session.capture.speed == 0.75


# --------------------------------------------------------------------------- state, settings
def test_threshold_is_per_model_and_persists(qtbot, make_window, models_dir, tmp_path):
    win = make_window(tracker_factory=None)
    alpha, beta = models_dir / "alpha.onnx", models_dir / "beta.onnx"
    assert win.load_model(alpha)
    win.set_threshold(0.95)
    assert win.load_model(beta)
    beta_default = win.classifier.meta.threshold
    assert win.threshold == pytest.approx(beta_default) and win.threshold_slider.value() == round(beta_default * 100)
    win.set_threshold(0.2)
    assert win.load_model(alpha) and win.threshold == pytest.approx(0.95)
    win.close()
    s = SettingsStore(tmp_path / "settings.ini").load()
    assert s.threshold_for(alpha, 0.5) == pytest.approx(0.95) and s.threshold_for(beta, 0.5) == pytest.approx(0.2)
    win2 = make_window(tracker_factory=None)
    win2.load_initial_model(None)                             # the last model: alpha
    assert win2.classifier.path.name == "alpha.onnx" and win2.threshold == pytest.approx(0.95)
    win2.reset_threshold()
    assert win2.threshold == pytest.approx(win2.classifier.meta.threshold)
    assert win2.load_model(beta) and win2.threshold == pytest.approx(0.2)


def test_escape_leaves_full_screen(qtbot, make_window):
    win = make_window(tracker_factory=None)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    win.menus.fullscreen.trigger()
    qtbot.waitUntil(win.isFullScreen, timeout=3000)
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not win.isFullScreen(), timeout=3000)
    qtbot.keyClick(win, Qt.Key.Key_Escape)                   # harmless when not in full screen
    assert not win.isFullScreen()


def test_open_recent_and_the_last_folder(qtbot, make_window, small_clip, signing_clip, tmp_path, monkeypatch):
    win = make_window(tracker_factory=None)
    assert win.open_video(small_clip) and win.open_video(signing_clip)
    win.menus.fill_recent()
    entries = [a for a in win.menus.recent_menu.actions() if a.data()]
    assert [a.toolTip() for a in entries] == [str(signing_clip.resolve()), str(small_clip.resolve())]
    assert entries[0].text() == "&1 05732.mp4"
    entries[1].trigger()
    assert win.spec.path == small_clip.resolve() or win.spec.path.resolve() == small_clip.resolve()
    win.close()
    win2 = make_window(tracker_factory=None)                 # next run: the folder is remembered
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: asked.append(a) or ("", "")))
    win2.open_video_dialog()
    assert asked and asked[0][2] == str(small_clip.parent.resolve())
    win2.menus.fill_recent()
    assert len([a for a in win2.menus.recent_menu.actions() if a.data()]) == 2
    win2.clear_recent()
    assert SettingsStore(tmp_path / "settings.ini").load().recent_files == []


def test_drag_and_drop_a_video_and_a_model(qtbot, make_window, small_clip, models_dir):
    win = make_window(tracker_factory=None)
    win.load_initial_model(None)
    win.hint.hide()
    QApplication.processEvents()
    target = win.childAt(win.view.mapTo(win, win.view.rect().center()))   # what lies under the drop
    pos = target.mapFrom(win, win.view.mapTo(win, win.view.rect().center()))

    def drop(urls=None, text=None):
        mime = QMimeData()
        if urls:
            mime.setUrls([QUrl.fromLocalFile(str(u)) for u in urls])
        if text:
            mime.setText(text)
        enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, enter)
        if not enter.isAccepted():
            return False
        ev = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                        Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, ev)
        return True

    assert drop(text="just some text") is False                   # not a file: refused
    assert drop(urls=[small_clip])
    assert win.spec is not None and win.spec.path.name == small_clip.name
    assert win.windowTitle() == f"{small_clip.name} — SLR Desktop"
    assert drop(urls=[models_dir / "beta.onnx"]) and win.classifier.path.name == "beta.onnx"


def test_title_playback_items_and_counters_follow_the_source(qtbot, make_window, small_clip):
    win = make_window(tracker_factory=None)
    assert win.windowTitle() == "SLR Desktop"
    assert not win.menus.play.isEnabled() and not win.menus.next_frame.isEnabled()   # nothing loaded
    assert not win.menus.speed_menu.isEnabled()
    win.start(source=str(small_clip))
    assert win.menus.play.isEnabled() and win.menus.restart.isEnabled()
    assert win.windowTitle() == "24955.mp4 — SLR Desktop"
    win.session.slot.dropped += 7                             # drops of this source
    win._update_status()
    assert win.status_labels["dropped"].text() == "dropped 7"
    win.open_source(SourceSpec("camera", FakeCam, label="Camera 5", camera_index=5))
    win._update_status()
    assert win.status_labels["dropped"].text().startswith("dropped 0") or win.status.dropped(win.session) <= 1
    assert not win.menus.play.isEnabled() and win.windowTitle() == "Camera 5 — SLR Desktop"
    assert not win.timeline.isVisible()


def test_mirror_on_a_file_says_it_is_for_cameras(qtbot, make_window, small_clip):
    win = make_window(tracker_factory=None)
    win.start(source=str(small_clip))
    win.mirror_action.setChecked(not win.mirror_action.isChecked())
    assert "cameras" in win.statusBar().currentMessage() and not win.view.mirrored


def test_camera_menu_is_honest(qtbot, make_window, monkeypatch):
    from slr_desktop.core import cameras

    win = make_window(tracker_factory=None)

    def missing():
        raise OSError("camera 0 cannot be opened (in use, missing or no permission)")

    monkeypatch.setattr(cameras, "find_cameras", lambda: [])
    win.start(source=SourceSpec("camera", missing, label="Camera 0", camera_index=0))
    qtbot.waitUntil(lambda: "No camera" in win.view.placeholder_label.text(), timeout=3000)
    assert "No camera was found" in win.view.placeholder_label.text()
    win.menus.fill_cameras()
    acts = win.menus.camera_menu.actions()
    assert not any(a.isChecked() for a in acts)               # no "Camera 0" ticked
    assert [a.text() for a in acts if not a.isSeparator()] == ["No camera found", "Try the Camera Again"]
    # "Try the camera again" says it tried, and when
    monkeypatch.setattr("slr_desktop.app.window_sources.camera_spec",
                        lambda i: SourceSpec("camera", missing, label=f"Camera {i}", camera_index=i))
    win.view.retry_button.click()
    qtbot.waitUntil(lambda: "tried 2 times" in win.view.placeholder_label.text(), timeout=3000)
    # with cameras present the picker lists them by name; the working one is ticked
    monkeypatch.setattr(cameras, "find_cameras", lambda: [CameraDevice(0, "Integrated Camera"),
                                                          CameraDevice(2, "USB Camera")])
    win.open_source(SourceSpec("camera", FakeCam, label="Camera 2", camera_index=2))
    qtbot.waitUntil(lambda: win.camera_live, timeout=3000)
    win.menus.fill_cameras()
    acts = {a.text(): a for a in win.menus.camera_menu.actions()}
    assert acts["Camera 0 – Integrated Camera"].isChecked() is False and acts["Camera 2 – USB Camera"].isChecked()


def test_sysfs_camera_names(tmp_path):
    from slr_desktop.core.cameras import find_cameras

    for node, index, name in (("video0", "0", "Integrated Camera"), ("video1", "1", "Integrated Camera"),
                              ("video2", "0", "USB Camera")):
        (tmp_path / node).mkdir()
        (tmp_path / node / "index").write_text(index + "\n")
        (tmp_path / node / "name").write_text(name + "\n")
    assert find_cameras(root=tmp_path, platform="linux") == [CameraDevice(0, "Integrated Camera"),
                                                               CameraDevice(2, "USB Camera")]
    assert find_cameras(root=tmp_path / "none", platform="linux") == []
    assert find_cameras(probe=lambda: [1], platform="darwin") == [CameraDevice(1)]


# ------------------------------------------------------------------------------ help, words
def test_first_run_hint_once_and_from_help(qtbot, make_window, tmp_path):
    win = make_window(tracker_factory=None)
    assert win.hint.isVisible()
    assert win.view.geometry().contains(win.hint.geometry())  # over the video, not the panels
    win.hint.ok.click()
    assert not win.hint.isVisible()
    assert SettingsStore(tmp_path / "settings.ini").load().hint_shown is True
    win.close()
    win2 = make_window(tracker_factory=None)
    assert not win2.hint.isVisible()
    help_actions = {a.text(): a for a in win2.menus.help_menu.actions()}
    help_actions["Getting Started"].trigger()
    assert win2.hint.isVisible()


def test_help_menu_lists_shortcuts_and_about(qtbot, make_window):
    win = make_window(tracker_factory=None)
    win.load_initial_model(None)
    keys = {a.text(): a.shortcut().toString() for a in win.actions()}
    assert keys["Keyboard Shortcuts"] == "F1" and keys["About This Model…"] == "Ctrl+I"
    assert keys["Next Frame"] == "." and keys["Previous Frame"] == "," and keys["Leave Full Screen"] == "Esc"
    assert keys["Export Transcript…"] == "Ctrl+E" and keys["Copy History"] == "Ctrl+C"
    win.menus.shortcuts.trigger()
    table = win.shortcuts_dialog.table
    rows = {(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    assert {("Play / Pause", "Space"), ("Next Frame", "."), ("Leave Full Screen", "Esc"), ("Quit", "Ctrl+Q")} <= rows
    win.shortcuts_dialog.close()
    box = win.show_about_app()
    assert "SLR Desktop" in box.text() and "onnxruntime" in box.text()
    box.close()


def test_vocabulary_panel_is_searchable(qtbot, make_window, models_dir):
    win = make_window(tracker_factory=None)
    win.load_model(models_dir / "beta.onnx")
    voc = win.side.vocabulary
    assert voc.visible_names() == sorted(["hello", "thanks", "before", "go", "yes", "no", "please"])
    assert win.side.tabs.tabText(0) == "Signs it knows (7)"
    win.focus_vocabulary()
    qtbot.keyClicks(voc.search, "th")
    assert voc.visible_names() == ["thanks"] and voc.count.text() == "1 of 7 signs match"


def test_about_this_model_has_no_raw_values():
    from slr_desktop.core import model_card
    from slr_desktop.core.runtime import Classifier

    for name in ("cafe-words", "wlasl50"):
        clf = Classifier(ROOT / "models" / f"{name}.onnx")
        text = model_card.render(clf.meta, clf.path.name)
        assert "{" not in text and "}" not in text, name                  # no Python dicts
        assert not any(len(tok) > 7 for tok in __import__("re").findall(r"\d+\.\d+", text)), name
        if clf.meta.idle_label:
            assert f"the no-sign class `{clf.meta.idle_label}`" in text


# ------------------------------------------------------------- a real clip through the window
def test_real_clip_segments_track_export_copy_and_passes(qtbot, make_window, signing_clip, tmp_path, monkeypatch):
    """WLASL 05732 'before' with the bundled wlasl50: one segment, drawn on the track with a legend,
    exported as SRT and CSV, copied with Ctrl+C; playing it again starts a fresh track."""
    from slr_desktop.app.session import default_tracker_factory

    win = make_window(tracker_factory=default_tracker_factory)
    win.hint.hide()
    assert win.load_model(WLASL50)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    win.export_transcript_dialog()                            # nothing recognised yet: says so
    assert "Nothing recognised" in win.statusBar().currentMessage()
    win.open_source(str(signing_clip))
    qtbot.waitUntil(lambda: win._ended, timeout=120000)
    qtbot.waitUntil(lambda: bool(win.presenter.segments), timeout=10000)
    segs = win.presenter.segments
    assert [s.label for s in segs] == ["before"], segs
    qtbot.waitUntil(lambda: win.sign_panel.history.text() != "", timeout=3000)
    assert win.sign_panel.history.text() == "before"
    # the track: one span with its label, the legend names it
    assert win.track.segments == segs and len(win.track._span_items) == 2
    assert "before" in win.track.legend.text() and "threshold" in win.track.legend.text()
    # Export Transcript: SRT and CSV through the dialog (the typed name gets the chosen format)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (str(tmp_path / "out"), "SubRip subtitles (*.srt)")))
    win.export_transcript_dialog()
    srt = (tmp_path / "out.srt").read_text()
    assert srt.startswith("1\n00:00:0") and "before (" in srt and " --> " in srt
    assert win.export_transcript(tmp_path / "t.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text())))
    assert [r["label"] for r in rows] == ["before"]
    assert float(rows[0]["start_s"]) == pytest.approx(segs[0].start_s, abs=1e-3)
    assert float(rows[0]["end_s"]) == pytest.approx(segs[0].end_s, abs=1e-3)
    # Copy History (Ctrl+C)
    QApplication.clipboard().clear()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    qtbot.keyClick(win, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == win.presenter.history_text() and "\tbefore\t" in \
        QApplication.clipboard().text()
    # play again from the end: a new pass, a fresh track and transcript (the history goes on)
    win.toggle_play()
    qtbot.waitUntil(lambda: not win.presenter.segments and not win.track.segments, timeout=20000)
    assert win.sign_panel.history.text() == "before"


def test_settings_store_round_trips_lists_and_dicts(tmp_path):
    store = SettingsStore(tmp_path / "s.ini")
    s = AppSettings(recent_files=["/a/one.mp4"], thresholds={"/m/x.onnx": 0.8}, last_dir="/a", hint_shown=True)
    store.save(s)
    back = SettingsStore(tmp_path / "s.ini").load()
    assert back.recent_files == ["/a/one.mp4"] and back.thresholds == {"/m/x.onnx": 0.8}
    assert back.last_dir == "/a" and back.hint_shown is True


def test_segments_from_the_presenter_reach_the_track(qtbot, make_window, small_clip):
    """Unknown signs look different (grey, hatched, 'unknown sign'); a new pass clears the track."""
    win = make_window(tracker_factory=None)
    win.start(source=str(small_clip))
    segs = [Segment(0.1, 0.6, "sign1", 0.8, (LabelProb("sign1", 0.8),)), Segment(0.9, 1.5, None, 0.3)]
    win.track.set_segments(segs)
    texts = [i.toPlainText() for i in win.track._span_items if hasattr(i, "toPlainText")]
    assert texts == ["sign1", "unknown sign"]
    rects = [i for i in win.track._span_items if not hasattr(i, "toPlainText")]
    assert rects[1].brush().style() == Qt.BrushStyle.BDiagPattern
    assert rects[0].brush().style() == Qt.BrushStyle.SolidPattern
    assert win.track.color_of(None).name() != win.track.color_of("sign1").name()
    assert "unknown sign" in win.track.legend.text()
    gen = win.session.generation
    win._note_pass(gen, 40)
    win._note_pass(gen, 2)                                    # position went back without a seek
    assert win.track.segments == [] and "no sign recognised yet" in win.track.legend.text()


def test_history_shows_the_newest_entries_that_fit(qtbot, make_window):
    win = make_window(tracker_factory=None)
    panel = win.sign_panel
    many = tuple(f"sign-number-{i}" for i in range(8))
    text = panel.fit_history(many)
    assert text.endswith("sign-number-7") and text.startswith("…") and "sign-number-0" not in text
    assert panel.fit_history(("go", "no")) == "go  ·  no"


def test_a_loop_restart_never_drops_the_end_of_the_file(small_clip):
    """The end-of-file marker (the decoder closes the last sign on it) reaches a slow worker even
    when play is pressed again the moment the file ends (as Loop does)."""
    from slr_desktop.app.capture import CaptureWorker
    from slr_desktop.app.events import SessionCallbacks
    from slr_desktop.app.live import LatestSlot, RateMeter
    from slr_desktop.app.sources import file_spec

    slot = LatestSlot()
    holder = {}
    cb = SessionCallbacks(event=lambda kind, msg: kind == "ended" and holder["w"].play())
    w = holder["w"] = CaptureWorker(file_spec(small_clip), slot, cb, RateMeter(), itertools.count(), lambda: 0,
                                    fast=True)
    w.start()
    ends, frames = 0, 0
    t0 = time.perf_counter()
    while ends < 2 and time.perf_counter() - t0 < 30:
        item = slot.get(1.0)
        if item is None:
            continue
        time.sleep(0.01)                       # a worker slower than the capture
        ends += item.end_of_stream
        frames += not item.end_of_stream
    w.stop()
    w.join(1.0)
    assert ends == 2 and frames >= 2 * 59, (ends, frames)
