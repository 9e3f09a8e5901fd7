"""The Qt window (pytest-qt, offscreen): live clip, overlay, model switching, every error path.

Dialogs never block: `errors.set_dialog_hook` records them instead. Settings go to tmp_path
(`make_window` and `models_dir` are in conftest.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")


from slr_desktop.app.settings import AppSettings, SettingsStore  # noqa: E402
from slr_desktop.app.sources import SourceSpec  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _grab(widget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy()


# ------------------------------------------------------------------------------ live clip
def test_live_clip_predictions_bars_fps_overlay_and_fast_shutdown(qtbot, make_window, signing_clip, dialogs):
    win = make_window()
    win.start(source=str(signing_clip))
    labels = set(win.classifier.labels)
    qtbot.waitUntil(lambda: win.predictions_seen >= 3 and win.view.edges_drawn > 0, timeout=20000)
    qtbot.waitUntil(lambda: all(win.bars.labels), timeout=5000)
    # 5 bars, labelled with the model's labels, probabilities sorted
    assert len(win.bars.labels) == 5 and set(win.bars.labels) <= labels
    assert np.all(np.diff(win.bars.probs) <= 1e-9) and win.bars.probs[0] > 0
    assert [t.toPlainText() for t in win.bars.name_items] == win.bars.labels
    # FPS for every stage, read back from the status bar
    win._update_status()
    for key in ("capture", "landmarks", "classifier"):
        text = win.status_labels[key].text()
        assert float(text.split()[1]) > 0, text
    assert "dropped" in win.status_labels["dropped"].text() and win.latency_ms > 0
    assert win.sign_panel.detail.text()

    # the skeleton changes pixels of the video view: same frame, overlay on vs off
    win.toggle_play()
    qtbot.waitUntil(lambda: not win.session.capture.playing, timeout=2000)
    qtbot.wait(150)
    win._render()
    with_overlay = _grab(win.view)
    win.overlay_action.setChecked(False)
    without = _grab(win.view)
    diff = np.abs(with_overlay.astype(int) - without.astype(int)).sum(axis=2) > 30
    assert diff.sum() > 200, diff.sum()
    win.overlay_action.setChecked(True)
    win.grab().save("/tmp/slr_app_test_live.png")
    assert dialogs == []

    threads = list(win.session.alive_threads)
    assert len(threads) == 2
    t0 = time.perf_counter()
    win.close()
    took = time.perf_counter() - t0
    assert took < 1.0 and win.shutdown_s < 1.0, (took, win.shutdown_s)
    assert not any(t.is_alive() for t in threads)
    assert win.session.worker.closed.is_set()


def test_seek_and_prediction_track(qtbot, make_window, small_clip):
    win = make_window(settings=AppSettings(classify_every=1))
    win.start(source=str(small_clip))
    assert win.timeline.isVisible() and win.track.isVisible()
    qtbot.waitUntil(lambda: win.predictions_seen >= 5, timeout=20000)
    # the track (like the bars) gets points once a window holds enough real footage (0.5 s)
    qtbot.waitUntil(lambda: np.isfinite(win.track.prob).sum() >= 1, timeout=20000)
    win._update_status()
    # with the gate open, the top sign is shown large while it lasts and logged in the history
    # once it ends (at the latest when the file ends: the decoder closes the open sign)
    win.set_threshold(0.0)
    qtbot.waitUntil(lambda: win.sign_state.current is not None, timeout=10000)
    win._render()
    assert win.sign_panel.current in win.classifier.labels
    assert win.sign_panel.sign.text() == win.sign_panel.current
    qtbot.waitUntil(lambda: bool(win.sign_state.history), timeout=10000)
    win.toggle_play()
    win.seek(10)
    qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.position == 10, timeout=5000)
    assert win.timeline.slider.value() == 10


# ------------------------------------------------------------------------------- models
def test_switch_models_from_menu(qtbot, make_window, models_dir):
    win = make_window(tracker_factory=None)
    win.start(source=SourceSpec("camera", _FakeCam, label="fake"))
    assert win.classifier.path.name == "alpha.onnx"
    win._fill_model_menu()
    actions = {a.text(): a for a in win.model_actions()}
    assert set(actions) >= {"alpha", "beta"} and actions["alpha"].isChecked()
    with qtbot.waitSignal(win.model_changed, timeout=5000):
        actions["beta"].trigger()
    assert win.classifier.path.name == "beta.onnx" and "hello" in win.classifier.labels
    win._fill_model_menu()
    checked = [a.text() for a in win.model_actions() if a.isChecked()]
    assert checked == ["beta"]
    assert SettingsStore(win.store.file_name).load().model_path.endswith("beta.onnx")
    # About this model shows the licence and the labels
    dlg = win.show_about_model()
    text = dlg.browser.toPlainText()
    assert "Licence" in text and "MIT" in text and "hello" in text
    dlg.close()


def test_bad_model_keeps_previous(qtbot, make_window, tmp_path, dialogs):
    win = make_window(tracker_factory=None)
    win.load_initial_model(None)
    before = win.classifier
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(os.urandom(4096))
    assert win.load_model(junk) is False
    assert win.classifier is before
    assert dialogs and dialogs[-1][0] == "Cannot load model" and "junk.onnx" in dialogs[-1][1]
    # a valid ONNX file that is not an SLR model (no metadata) is refused the same way
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    plain = tmp_path / "plain.onnx"
    onnx.save(helper.make_model(g), plain)
    assert win.load_model(plain) is False and win.classifier is before
    assert "not an SLR model" in dialogs[-1][1]


# ------------------------------------------------------------------------------- errors
class _FakeCam:
    """A camera for tests: a moving gradient at ~100 fps."""

    def __init__(self, good: int = 10**9) -> None:
        self.good, self.n = good, 0

    def read(self):
        if self.n >= self.good:
            return None
        self.n += 1
        time.sleep(0.01)
        img = np.zeros((120, 160, 3), np.uint8)
        img[:, :, 1] = (np.arange(160) + self.n) % 255
        return img, self.n * 10

    def release(self):
        pass


def test_no_camera_offers_open_video(qtbot, make_window, dialogs):
    win = make_window(tracker_factory=None)

    def missing():
        raise OSError("camera 3 cannot be opened (in use, missing or no permission)")

    win.start(source=SourceSpec("camera", missing, label="Camera 3", camera_index=3))
    qtbot.waitUntil(lambda: "No camera" in win.view.placeholder_label.text(), timeout=3000)
    assert win.view.placeholder_shown and win.view.open_button.isVisible()
    assert dialogs == []  # a missing camera is a state of the view, not a dialog


def test_real_missing_camera_index(qtbot, make_window):
    win = make_window(tracker_factory=None)
    win.start(source="9")  # no /dev/video9 here
    qtbot.waitUntil(lambda: "No camera" in win.view.placeholder_label.text(), timeout=5000)


def test_camera_lost_mid_run_shows_message_and_retries(qtbot, make_window):
    win = make_window(tracker_factory=None)
    opened = []

    def open_cam():
        opened.append(1)
        return _FakeCam(good=15 if len(opened) == 1 else 10**9)

    win.start(source=SourceSpec("camera", open_cam, label="Camera 0", camera_index=0))
    qtbot.waitUntil(lambda: win.view.banner.isVisible() and "retrying" in win.view.banner.text(), timeout=5000)
    qtbot.waitUntil(lambda: not win.view.banner.isVisible(), timeout=5000)  # back after the retry
    assert len(opened) >= 2
    n = win.results_seen
    qtbot.waitUntil(lambda: win.results_seen > n + 3, timeout=3000)


def test_unreadable_video_dialog(qtbot, make_window, tmp_path, dialogs):
    win = make_window(tracker_factory=None)
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(os.urandom(5000))
    assert win.open_video(bad) is False
    assert dialogs and dialogs[-1][0] == "Cannot open video" and "broken.mp4" in dialogs[-1][1]
    assert win.open_video(tmp_path / "missing.mp4") is False
    assert "not found" in dialogs[-1][1]


def test_missing_bundle_dialog_says_where_it_looked(qtbot, make_window, tmp_path, monkeypatch, dialogs,
                                                    small_clip):
    from slr_desktop.app.session import default_tracker_factory
    from slr_desktop.core import bundles

    empty = tmp_path / "no_bundles"
    empty.mkdir()
    monkeypatch.setenv("SLR_MEDIAPIPE_DIR", str(empty))
    monkeypatch.setenv("SLR_MEDIAPIPE_OFFLINE", "1")
    monkeypatch.setattr(bundles, "cache_dir", lambda: tmp_path / "cache")
    win = make_window(tracker_factory=default_tracker_factory)
    win.start(source=str(small_clip))
    qtbot.waitUntil(lambda: bool(dialogs), timeout=10000)
    title, text = dialogs[0]
    assert "MediaPipe" in title and str(empty) in text
    # the video still plays, without landmarks
    qtbot.waitUntil(lambda: win.view.frames_shown > 0, timeout=5000)
    assert win.last_result.landmarks is None and win.view.banner.isVisible()


# ------------------------------------------------------------------------ settings, keys
def test_settings_persist_and_shortcuts(qtbot, make_window, tmp_path):
    win = make_window(tracker_factory=None)
    win.load_initial_model(None)
    win.mirror_action.setChecked(False)
    win.set_threshold(0.73)
    win.close()
    s = SettingsStore(tmp_path / "settings.ini").load()
    assert s.mirror is False and s.geometry
    assert s.threshold_for(win.classifier.path, 0.5) == pytest.approx(0.73)   # for this model only
    win2 = make_window(tracker_factory=None)
    assert not win2.mirror_action.isChecked()
    win2.load_initial_model(None)
    assert win2.threshold == pytest.approx(0.73) and win2.threshold_slider.value() == 73
    keys = {a.text(): a.shortcut().toString() for a in win2.actions()}
    assert keys["Open Video…"] == "Ctrl+O" and keys["Play / Pause"] == "Space"
    assert keys["Mirror Camera (selfie view)"] == "M" and keys["Quit"] == "Ctrl+Q"
    assert keys["Full Screen"] == "F11"


# ------------------------------------------------------------------------------ headless
def test_headless_demo_writes_screenshot_and_never_imports_torch(tmp_path, models_dir, small_clip):
    out = tmp_path / "shot.png"
    code = ("import sys\n"
            "from slr_desktop.app.main import main\n"
            f"rc = main(['--source', {str(small_clip)!r}, '--model', {str(models_dir / 'beta.onnx')!r},"
            f" '--screenshot', {str(out)!r}, '--exit-after', '3'])\n"
            "assert 'torch' not in sys.modules, 'the app imported torch'\n"
            "sys.exit(rc)\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SLR_SETTINGS_FILE=str(tmp_path / "s.ini"),
               SLR_NO_DIALOGS="1")
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.is_file() and out.stat().st_size > 10_000
    assert time.time() - t0 < 30
    # MediaPipe's native log lines ("W0000 ...", "INFO: Created TensorFlow Lite ...") stay off the terminal
    assert "W0000" not in proc.stderr and "TensorFlow Lite" not in proc.stderr, proc.stderr[-2000:]


def test_mirror_applies_to_camera_display_only(qtbot, make_window, small_clip):
    win = make_window(tracker_factory=None)
    win.mirror_action.setChecked(True)
    win.start(source=SourceSpec("camera", _FakeCam, label="fake", camera_index=0))
    qtbot.waitUntil(lambda: win.view.frames_shown > 2, timeout=3000)
    assert win.view.mirrored and win.view.vb.xInverted()
    # the frame handed to the pipeline is never flipped: only the view box is
    row = win.last_result.bgr[0, :, 1].astype(int)
    assert np.all(np.diff(row) % 255 == 1)
    win.mirror_action.setChecked(False)
    assert not win.view.vb.xInverted()
    win.mirror_action.setChecked(True)
    win.open_source(str(small_clip))
    assert not win.view.mirrored  # a video file is shown as recorded


def test_loop_replays_a_file_after_its_end(qtbot, make_window, small_clip):
    """Playback → Loop (on for timed demos) starts a finished file over; off, the file stops."""
    win = make_window(tracker_factory=None)
    win.loop_action.setChecked(True)
    win.open_source(str(small_clip))
    n = win.spec.frame_count
    qtbot.waitUntil(lambda: win.view.frames_shown > n + 10, timeout=15000)
    win.loop_action.setChecked(False)
    qtbot.waitUntil(lambda: not win._playing, timeout=15000)
