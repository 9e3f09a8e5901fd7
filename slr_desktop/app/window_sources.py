"""The main window's source side: cameras and video files, file playback, view options.

A mixin of `MainWindow` (it uses the window's session, timeline, track, view and settings): the
window's methods grouped by what they are about, in a file of their own.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog

from ..core.errors import one_line
from ..core.video import VIDEO_EXTENSIONS, VideoError
from .sources import SourceSpec, camera_spec, file_spec

VIDEO_FILTER = f"Videos ({' '.join('*' + e for e in VIDEO_EXTENSIONS)});;All files (*)"


class SourcesMixin:
    """Open a camera or a file, play / pause / seek a file, mirror and overlay."""

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
        return self._open_spec(spec)

    def _open_spec(self, spec: SourceSpec) -> bool:
        self.spec = spec
        self.view.set_banner(None)
        self.presenter.new_source()          # history and transcript belong to one source
        self.side.show_state(self.presenter.state)
        is_file = not spec.is_camera
        self.timeline.setVisible(is_file)
        self.track.setVisible(is_file)
        if is_file:
            self.timeline.configure(spec.frame_count, spec.fps)
            self.track.configure(spec.frame_count, spec.fps, self.classifier.labels if self.classifier else [])
        self.view.set_mirrored(spec.is_camera and self.mirror_action.isChecked())
        self.status_labels["source"].setText(spec.label)
        self._playing = True
        self.timeline.set_playing(True)
        self.session.open(spec, playing=True, backoff=self.camera_backoff)
        return True

    def open_video_dialog(self) -> None:
        start = str(self.spec.path.parent) if self.spec is not None and self.spec.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open video", start, VIDEO_FILTER)
        if path:
            self.open_video(path)

    # -- playback
    @property
    def is_file(self) -> bool:
        return self.spec is not None and not self.spec.is_camera

    def toggle_play(self) -> None:
        if not self.is_file:
            return
        if self._playing:
            self.session.pause()
        else:
            self.session.play()
        self._playing = not self._playing
        self.timeline.set_playing(self._playing)

    def seek(self, index: int) -> None:
        if not self.is_file:
            return
        index = int(np.clip(index, 0, max(0, self.spec.frame_count - 1)))
        self.presenter.reset()
        self.session.seek(index)
        self.timeline.set_position(index)
        self.track.set_cursor(index)

    def step_seconds(self, seconds: float) -> None:
        if self.is_file:
            current = self.timeline.slider.value()
            self.seek(current + int(round(seconds * self.spec.fps)))

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
        self.settings.mirror = bool(on)
        self.view.set_mirrored(bool(on) and (self.spec is None or self.spec.is_camera))
        self._save_settings()

    def set_overlay(self, on: bool) -> None:
        self.settings.overlay = bool(on)
        self.view.set_overlay_visible(on)
        if self.last_result is not None:
            r = self.last_result
            self.view.set_landmarks(r.landmarks, r.bgr.shape[1], r.bgr.shape[0])
        self._save_settings()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def _on_position(self, pos: int, playing: bool) -> None:
        if not playing:
            self._playing = False
            self.timeline.set_playing(False)
            self.timeline.set_position(pos)

    def _on_opened(self, spec: SourceSpec) -> None:
        if spec is self.spec and self.view.frames_shown == 0:
            self.view.show_placeholder("Waiting for the first frame…", offer_camera=False)


__all__ = ["SourcesMixin", "VIDEO_FILTER"]
