"""The desktop app: a pure live pipeline under a thin Qt shell.

No Qt: `live` (per-frame pipeline, latest-frame slot), `sources`, `capture` and `session` (the
threads), `events`, `presenter` (what the panels show), `settings`' dataclass. Qt: `main_window`,
`menus`, `video_view`, `side_panel`, `timeline`, `dialogs`, `theme`, `main`. The Qt-free modules are
tested without a display.
"""
