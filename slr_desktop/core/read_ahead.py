"""Read the next items of an iterable on a thread while the caller works on the current one.

`classify` and `extract` decode a file and track it: decoding on the tracking thread adds its
time to every frame, while MediaPipe's pose and hand threads leave a core idle part of each frame
(the faster graph waits for the slower). OpenCV releases the GIL while it decodes, so a reader
thread a few frames ahead hides the decode in that slack.
"""
from __future__ import annotations

import queue
import threading
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def read_ahead(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """Yield `items` in order; a thread produces up to `depth` of them ahead.

    An exception in the producer is raised here, at the item where it happened. Close the
    generator (or exhaust it) before releasing what the items come from: closing stops the thread
    and waits for it, so nothing reads from a released video afterwards.
    """
    if depth < 1:
        raise ValueError("depth must be >= 1")
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failure(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="slr-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


__all__ = ["read_ahead"]
