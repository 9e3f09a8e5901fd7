"""The main window's source side: cameras and video files, file playback, view options.

A mixin of `MainWindow` (it uses the window's session, timeline, track, view and settings): the
window's methods grouped by what they are about, in a file of their own.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..core.errors import one_line
from ..core.video import VideoError
from .menus import SPEEDS, speed_text
from .sources import SourceSpec, camera_spec, file_spec


class SourcesMixin:
    """Open a camera or a file, play / pause / seek / step a file at a speed, mirror and overlay."""

    def open_source(self, source: str | int | Path | SourceSpec) -> bool:
        """A camera index (int or digit string), a video path, or a ready `SourceSpec`."""
        if isinstance(source, SourceSpec):
            return self._open_spec(source)
        if isinstance(source, int) or (isinstance(source, str) and source.strip().isdigit()):
            return self.open_camera(int(source))
        return self.open_video(source)

    def open_camera(self, index: int) -> bool:
        self.settings.camera_index = int(index)
        self._save_settings()
        self.view.show_placeholder(f"Opening camera {index}…", offer_camera=False)
        return self._open_spec(camera_spec(int(index)))

    def retry_camera(self) -> bool:
        """"Try the camera again": says it is trying, and the result says when it last tried."""
        self.camera_attempts += 1
        self.status.message(f"Trying camera {self.settings.camera_index} again…", 3000)
        return self.open_camera(self.settings.camera_index)

    def open_video(self, path: str | Path) -> bool:
        """Open a video file; a bad one is a dialog, and the view says what failed when nothing
        else is showing (a source that plays keeps playing)."""
        try:
            spec = file_spec(path)
        except Exception as e:  # VideoError, or anything else a broken file can raise
            msg = one_line(e) if isinstance(e, VideoError) else f"{Path(path).name}: {one_line(e)}"
            self.show_error("Cannot open video", msg)
            if self.spec is None:
                self.view.show_placeholder(f"Cannot open the video\n{msg}", offer_camera=True)
            return False
        if self._open_spec(spec):
            self.remember_file(spec.path)
            return True
        return False

    def _open_spec(self, spec: SourceSpec) -> bool:
        self.spec = spec
        self.camera_live = False
        self._ended = False
        self._pass = (None, None)
        self.view.set_banner(None)
        is_file = not spec.is_camera
        self.presenter.new_source(is_file)        # history and transcript belong to one source
        self.side.show_state(self.presenter.state)
        self.bars.reset()
        self.timeline.setVisible(is_file)
        self.track.setVisible(is_file)
        if is_file:
            self.timeline.configure(spec.frame_count, spec.fps)
            self.track.configure(spec.frame_count, spec.fps, list(self.presenter.labels), list(self.presenter.names))
        self.view.set_mirrored(spec.is_camera and self.mirror_action.isChecked())
        self.status.set_source(spec.label)
        self.status.new_source(self.session)      # the dropped-frames count restarts per source
        self.menus.set_playback_enabled(is_file)
        self.update_title()
        self._playing = True
        self.timeline.set_playing(True)
        self.session.open(spec, playing=True, backoff=self.camera_backoff)
        if is_file and self.session.capture is not None:
            self.session.capture.set_speed(self.speed)
        return True

    # -- playback
    @property
    def is_file(self) -> bool:
        return self.spec is not None and not self.spec.is_camera

    def live_camera_index(self) -> int | None:
        """The camera in use, only while it delivers frames (a camera that failed is not "in use")."""
        if self.spec is not None and self.spec.is_camera and self.camera_live:
            return self.spec.camera_index
        return None

    def toggle_play(self) -> None:
        if not self.is_file:
            return
        if self._playing:
            self.session.pause()
        else:
            self.session.play()       # at the end this starts a new pass from frame 0
            self._ended = False
        self._playing = not self._playing
        self.timeline.set_playing(self._playing)

    def seek(self, index: int) -> None:
        if not self.is_file:
            return
        index = int(np.clip(index, 0, max(0, self.spec.frame_count - 1)))
        self.presenter.reset()
        self.session.seek(index)
        self._ended = False
        self.timeline.set_position(index)
        self.track.set_cursor(index)

    def step_seconds(self, seconds: float) -> None:
        if self.is_file:
            self.seek(self.timeline.slider.value() + int(round(seconds * self.spec.fps)))

    def step_frames(self, n: int) -> None:
        """Previous / Next Frame: pause, then move `n` frames (the frame is shown, not tracked twice)."""
        if not self.is_file:
            return
        if self._playing:
            self.toggle_play()
        self.seek(self.timeline.slider.value() + int(n))

    def set_speed(self, speed: float) -> None:
        """Play files at `speed` × their frame rate; every frame is still tracked."""
        self.speed = float(speed)
        self.menus.check_speed(self.speed)
        if self.is_file and self.session.capture is not None:
            self.session.capture.set_speed(self.speed)
        self.status.message(f"Playback speed {speed_text(self.speed)}", 2500)

    def nudge_speed(self, step: int) -> None:
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.set_speed(SPEEDS[int(np.clip(i + step, 0, len(SPEEDS) - 1))])

    def set_drop_late(self, on: bool) -> None:
        """Files: skip frames to keep real time (results then depend on the CPU's speed)."""
        self.session.drop_late = bool(on)
        if self.session.capture is not None:
            self.session.capture.drop_late = bool(on)

    def set_fast(self, on: bool) -> None:
        self.session.fast = bool(on)
        if self.session.capture is not None:
            self.session.capture.fast = bool(on)

    # -- view options
    def set_mirror(self, on: bool) -> None:
        """Selfie view for cameras. A file is always shown as recorded (mirroring a signer swaps
        their hands), so on a file the toggle is remembered for cameras and says so."""
        self.settings.mirror = bool(on)
        self.view.set_mirrored(bool(on) and (self.spec is None or self.spec.is_camera))
        if self.is_file:
            self.status.message(f"Mirror {'on' if on else 'off'} for cameras; video files are shown as recorded.",
                                4000)
        self._save_settings()

    def set_overlay(self, on: bool) -> None:
        self.settings.overlay = bool(on)
        self.view.set_overlay_visible(on)
        if self.last_result is not None:
            r = self.last_result
            self.view.set_landmarks(r.landmarks, r.bgr.shape[1], r.bgr.shape[0])
        self._save_settings()

    def _on_position(self, pos: int, playing: bool) -> None:
        if not playing:
            self._playing = False
            self.timeline.set_playing(False)
            self.timeline.set_position(pos)

    def _on_opened(self, spec: SourceSpec) -> None:
        if spec is self.spec and self.view.frames_shown == 0:
            self.view.show_placeholder("Waiting for the first frame…", offer_camera=False)

    def _no_camera(self, msg: str) -> None:
        """No camera: say so, with what exists and when it was last tried (so a retry shows)."""
        from ..core.cameras import find_cameras

        try:
            found = find_cameras()
        except Exception:
            found = []
        exists = ("Cameras on this computer: " + ", ".join(c.title for c in found)) if found else \
            "No camera was found on this computer."
        tried = f" (tried {self.camera_attempts + 1} times, last at {time.strftime('%H:%M:%S')})" \
            if self.camera_attempts else ""
        self.view.show_placeholder(f"No camera available{tried}\n{msg}\n{exists}\n\nOpen a video file instead "
                                   "(Ctrl+O or drop it here), or connect a camera and try again.")
        self.status.set_source("no camera")
        self.side.show_state(self.presenter.no_source())
        self.status.message(f"{msg}{tried}", 8000)


__all__ = ["SourcesMixin"]
