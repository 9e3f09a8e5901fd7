"""The desktop app: a pure live pipeline (`pipeline`, `workers`) under a thin Qt shell (`window`).

Only `window`, `widgets`, `theme`, `errors`, `settings`' store and `main` import Qt; the pipeline and
its threads are plain Python and are tested without a display.
"""
