"""A whole Teach session in the real app, as a user would do it; makes docs/teach.png.

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/teach_session.py OUT.json \
        [--screenshot docs/teach.png] [--signs 10] [--takes 5]

The main window plays one shared WLASL clip per sign in a loop (a "camera" that keeps signing
that sign); the Teach window adds each sign by its gloss and records `--takes` takes with the
Record button (countdown 0.5 s, automatic stop when the hands drop), then presses Train and times
it until the personal model is loaded and selected in the Model menu. Then every clip is played
again for a few loops and the decoder's segments are counted (same clips: a check that it works,
not an accuracy figure). Run it with XDG_DATA_HOME / XDG_CACHE_HOME / SLR_SETTINGS_FILE set to a
temporary folder to keep the real home untouched.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from teach_ui_driver import CLIPS, wait_until  # noqa: E402

SIGNS = [("before", "05732"), ("change", "09960"), ("chapter", "10008"), ("complex", "12226"),
         ("cook", "13158"), ("counselor", "13509"), ("develop", "15936"), ("experience", "20380"),
         ("fault", "21276"), ("fruit", "23705")]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--screenshot")
    p.add_argument("--signs", type=int, default=10)
    p.add_argument("--takes", type=int, default=5)
    p.add_argument("--check-s", type=float, default=8.0, help="seconds each clip plays after training")
    args = p.parse_args()

    from PySide6.QtWidgets import QPushButton

    from slr_desktop.app.main import create_app
    from slr_desktop.app.main_window import MainWindow
    from slr_desktop.app.settings import SettingsStore
    from slr_desktop.app.sources import looping_spec

    signs = SIGNS[: args.signs]
    res: dict = {"signs": [g for g, _ in signs], "takes": args.takes}
    app = create_app()
    win = MainWindow(store=SettingsStore())
    win.resize(1180, 720)
    win.show()
    win.start(source=looping_spec(CLIPS / f"{signs[0][1]}.mp4"))
    assert wait_until(app, lambda: win.results_seen > 5, 60), "no tracked frames"
    win.menus.teach.trigger()
    tw = win.teach_window
    tw.countdown_spin.setValue(0.5)

    def click(text: str) -> None:
        for b in tw.findChildren(QPushButton):
            if b.text() == text:
                b.click()
                return
        raise AssertionError(f"no button {text!r}")

    t_rec = time.perf_counter()
    for gloss, clip in signs:
        win.open_source(looping_spec(CLIPS / f"{clip}.mp4"))
        assert wait_until(app, lambda: win.results_seen > 5, 30)
        tw.name_edit.setText(gloss)
        click("Add Sign")
        tw.signs.select(gloss)
        assert tw.signs.current() == gloss, tw.error_label.text()
        for _ in range(args.takes):
            click("●  Record Take")
            assert wait_until(app, lambda: not tw.recorder.busy, 60), tw.state_label.text()
    res["recording_s"] = round(time.perf_counter() - t_rec, 1)
    res["counts"] = tw.project.counts()
    res["durations"] = {g: [round(t.duration_s, 2) for t in tw.project.takes(g)] for g, _ in signs}
    res["no_hands"] = {g: sum(not t.hands for t in tw.project.takes(g)) for g, _ in signs}

    t0 = time.perf_counter()
    click("Train")
    tp = tw.train_panel
    name = tw.project.root.name
    ok = wait_until(app, lambda: not tp.running and (tp.report is not None or tp.error), 600)
    wait_until(app, lambda: win.classifier is not None and win.classifier.name == name, 60)
    res["train_to_menu_s"] = round(time.perf_counter() - t0, 2)
    res["train_ok"], res["train_error"] = ok and tp.report is not None, tp.error
    res["result_text"] = tp.result_label.text()
    res["menu_models"] = [(a.text(), a.isChecked()) for a in win.model_actions()]
    res["held_out"] = tp.report["held_out"] if tp.report else None
    res["threshold"] = tp.report["threshold"] if tp.report else None
    res["report_seconds"] = tp.report["seconds"] if tp.report else None

    shot_sign = signs[0]
    recognised = {}
    for gloss, clip in signs:            # the personal model on the same clips, several loops each
        win.open_source(looping_spec(CLIPS / f"{clip}.mp4"))
        wait_until(app, lambda: win.results_seen > 5, 30)
        n0 = len(win.presenter.segments)
        wait_until(app, lambda: False, args.check_s)
        segs = win.presenter.segments[n0:]
        recognised[gloss] = dict(Counter(s.label or "unknown" for s in segs))
    res["segments_after"] = recognised

    if args.screenshot:                  # mid-take on the first sign, as a user sees it
        win.open_source(looping_spec(CLIPS / f"{shot_sign[1]}.mp4"))
        wait_until(app, lambda: win.results_seen > 5, 30)
        tw.signs.select(shot_sign[0])
        tw.countdown_spin.setValue(0.0)
        tw.length_spin.setValue(6.0)
        tw.drop_check.setChecked(False)
        wait_until(app, lambda: False, 1.0)
        click("●  Record Take")
        wait_until(app, lambda: tw.recorder.state.elapsed_s > 1.0, 30)
        tw.raise_()
        app.processEvents()
        tw.grab().save(args.screenshot)
        click("Cancel Take")
        win.grab().save(str(Path(args.screenshot).with_name(Path(args.screenshot).stem + "_main.png")))
    Path(args.out).write_text(json.dumps(res, indent=1, default=str))
    tw.close()
    win.close()
    app.quit()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SLR_NO_DIALOGS", "1")
    sys.exit(main())
