"""Drives the real app's Teach window like a user (run under xvfb-run by tests/test_teach_ui.py).

    python tests/teach_ui_driver.py OUT.json [--screenshot PNG] [--kill-mid-take] [--takes N]

The main window plays a shared WLASL clip in a loop (a "camera" that keeps signing); the Teach
window records through its buttons: a bad name first, then two signs x N takes (the second sign
from another clip), replays one take, trains with the Train button (`slr-train teach` in a child
process) and checks that the model is in the Model menu, selected. Everything goes under the
temporary XDG folders the test sets. With --kill-mid-take it records one take, starts a second
and prints KILL-ME while recording (the test SIGKILLs it there).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIPS = Path(__import__("os").environ.get("SLR_SHARED_DIR", ROOT.parent / "shared")) / "datasets" / "wlasl_clips"


def wait_until(app, cond, timeout: float, step_ms: int = 20) -> bool:
    from PySide6.QtTest import QTest

    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if cond():
            return True
        app.processEvents()
        QTest.qWait(step_ms)
    return cond()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--screenshot")
    p.add_argument("--kill-mid-take", action="store_true")
    p.add_argument("--takes", type=int, default=3)
    args = p.parse_args()

    from PySide6.QtWidgets import QPushButton

    from slr_desktop.app.main import create_app
    from slr_desktop.app.main_window import MainWindow
    from slr_desktop.app.settings import SettingsStore
    from slr_desktop.app.sources import looping_spec
    from slr_desktop.core.take_recorder import Phase

    result: dict = {"events": []}
    app = create_app()
    win = MainWindow(store=SettingsStore())
    win.resize(1180, 720)
    win.show()
    win.start(source=looping_spec(CLIPS / "05732.mp4"))      # 'before', 640x480
    assert wait_until(app, lambda: win.results_seen > 5, 60), "no tracked frames"

    # the one entry point: Model -> Teach Signs…
    act = win.menus.teach
    result["menu_entry"] = [act.text(), act.shortcut().toString()]
    act.trigger()
    tw = win.teach_window
    tw.countdown_spin.setValue(0.5)
    tw.length_spin.setValue(1.5)
    assert wait_until(app, lambda: tw.view.frames_shown > 0, 20), "the Teach window shows no video"

    def click(text: str) -> None:
        for b in tw.findChildren(QPushButton):
            if b.text() == text:
                b.click()
                return
        raise AssertionError(f"no button {text!r}")

    # a bad name, typed and added as a user would
    tw.name_edit.setText("thank you")
    click("Add Sign")
    result["bad_name_error"] = tw.error_label.text()
    tw.name_edit.setText("café")
    click("Add Sign")
    result["bad_name_error_2"] = tw.error_label.text()

    def record_takes(sign: str, n: int) -> list[float]:
        if sign not in tw.project.signs:
            tw.name_edit.setText(sign)
            click("Add Sign")
        tw.signs.select(sign)
        assert tw.signs.current() == sign, tw.error_label.text()
        durations = []
        for _ in range(n):
            click("●  Record Take")
            assert tw.recorder.busy, tw.error_label.text() or tw.state_label.text()
            if args.kill_mid_take and sum(tw.project.counts().values()) >= 1:
                wait_until(app, lambda: tw.recorder.state.phase == Phase.RECORDING, 30)
                print("KILL-ME", flush=True)
                wait_until(app, lambda: False, 60)          # recording until killed
            assert wait_until(app, lambda: not tw.recorder.busy, 60), tw.state_label.text()
            durations.append(tw.project.takes(sign)[-1].duration_s)
        return durations

    result["takes_alpha"] = record_takes("alpha", args.takes)
    # re-record the first take in place, delete the last one and record it again
    tw.takes.setCurrentRow(0)
    first = tw.takes.current().path.read_bytes()
    click("Re-record")
    assert wait_until(app, lambda: not tw.recorder.busy, 60)
    result["rerecorded_changed"] = tw.project.takes("alpha")[0].path.read_bytes() != first
    tw.takes.setCurrentRow(tw.takes.count() - 1)
    click("Delete")
    result["after_delete"] = tw.project.counts()["alpha"]
    result["takes_alpha"][-1:] = record_takes("alpha", 1)
    # a sign added and removed again, and a recorded "no sign"
    tw.name_edit.setText("gamma")
    click("Add Sign")
    click("Remove")
    result["after_remove"] = list(tw.project.signs)
    click("+ No Sign")
    click("●  Record Take")
    assert wait_until(app, lambda: not tw.recorder.busy, 60)
    win.open_source(looping_spec(CLIPS / "24955.mp4"))        # 'go', another clip
    assert wait_until(app, lambda: win.results_seen > 5, 30)
    result["takes_beta"] = record_takes("beta", args.takes)
    result["signs"] = tw.project.counts()
    result["project"] = str(tw.project.root)
    result["hands"] = {s: [t.hands for t in tw.project.takes(s)] for s in tw.project.signs}

    click("Replay")
    result["replay_started"] = tw.replay.playing
    wait_until(app, lambda: not tw.replay.playing, 10)

    # train with the button, wait for the model to be loaded and selected
    t0 = time.perf_counter()
    click("Train")
    tp = tw.train_panel
    ok = wait_until(app, lambda: not tp.running and (tp.report is not None or tp.error), 300)
    result["train_wall_s"] = round(time.perf_counter() - t0, 2)
    result["train_seconds_shown"] = tp.seconds
    result["train_error"] = tp.error
    result["train_ok"] = ok and tp.report is not None
    result["result_text"] = tp.result_label.text()
    win.menus.fill_models()
    result["menu_models"] = [(a.text(), a.isChecked()) for a in win.model_actions()]
    result["loaded_model"] = win.classifier.name if win.classifier else None
    result["loaded_labels"] = list(win.classifier.labels) if win.classifier else []
    result["report"] = tp.report
    # the personal model runs live: some classified frames with its labels
    n0 = win.predictions_seen
    wait_until(app, lambda: win.predictions_seen > n0 + 3, 30)
    result["predictions_after"] = win.predictions_seen - n0

    if args.screenshot:                    # mid-take, as a user sees it
        tw.signs.select("alpha")
        tw.countdown_spin.setValue(0.0)
        tw.length_spin.setValue(6.0)
        tw.drop_check.setChecked(False)
        click("●  Record Take")
        wait_until(app, lambda: tw.recorder.state.elapsed_s > 0.8, 30)
        tw.raise_()
        app.processEvents()
        tw.grab().save(args.screenshot)
        click("Cancel Take")
        win.grab().save(str(Path(args.screenshot).with_name(Path(args.screenshot).stem + "_main.png")))
    Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    tw.close()
    win.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
