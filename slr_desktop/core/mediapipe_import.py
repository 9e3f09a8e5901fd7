"""Import MediaPipe without the parts we never use: 1.4 s of start-up becomes ~0.2 s.

`import mediapipe` runs `mediapipe/tasks/python/__init__.py`, which imports every task family:
audio (sounddevice), text, the vision drawing helpers (matplotlib.pyplot, ~1 s on its own),
decision and retrieval. The app needs the pose and hand landmarkers and `mp.Image`. Those other
subpackages are imported through `importlib.util.LazyLoader` instead: they are still there, as
module objects in `sys.modules`, and load for real on the first attribute access, so code that
uses them later (a notebook drawing landmarks) works unchanged.

Only the first import in a process can be made lazy; if MediaPipe is already imported, this is a
plain `import mediapipe`. The finder is removed again right after, so nothing else is affected.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from types import ModuleType

LAZY = frozenset({
    "mediapipe.tasks.python.audio",
    "mediapipe.tasks.python.text",
    "mediapipe.tasks.python.genai",
    "mediapipe.tasks.python.decision",
    "mediapipe.tasks.python.retrieval",
    "mediapipe.tasks.python.vision.drawing_utils",
    "mediapipe.tasks.python.vision.drawing_styles",
})
_lock = threading.Lock()


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the `LAZY` modules where the normal path finder would, with a lazy loader."""

    def find_spec(self, name, path, target=None):
        if name not in LAZY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def import_mediapipe() -> ModuleType:
    """`import mediapipe`, with the unused task families deferred (see the module docstring)."""
    with _lock:
        if "mediapipe" in sys.modules:
            return sys.modules["mediapipe"]
        finder = _LazyFinder()
        sys.meta_path.insert(0, finder)
        try:
            import mediapipe
        finally:
            sys.meta_path.remove(finder)
        return mediapipe


__all__ = ["LAZY", "import_mediapipe"]
