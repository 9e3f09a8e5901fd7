"""Errors meant for the user, and the one way a command line reports them.

Every problem a user can cause or fix (a bad video, model, bundle, data set or config) raises a
subclass of `UserError` whose message is one line that says what and where. A CLI runs its body
through `run_cli`, which turns those into `PROG: error: <line>` and exit code 2, Ctrl+C into 130
and a closed stdout (`| head`) into a quiet exit, so no traceback ever reaches a user for them.
"""
from __future__ import annotations

import functools
import os
import re
import sys
from typing import Callable

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """A problem with the user's input or environment; the message is one line for the user."""


# C0/C1 controls (newlines, ANSI escapes), line/paragraph separators and bidi overrides: text
# that can redraw or reorder a terminal line, never shown raw; and lone surrogates (undecodable
# bytes of a file name), which a UTF-8 terminal stream cannot even encode
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: object) -> str:
    """`text` safe to print on a terminal: control characters shown as escapes (`\\n`, `\\x1b`)."""
    s = str(text)
    if not _CONTROL.search(s):
        return s
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), s)


def one_line(e: BaseException | str) -> str:
    """An error as one printable line (or its type name when it has no message).

    A `UserError` is one line by design, so a newline in it came from data (a file name, a
    label) and is escaped; other exceptions keep only their first line (library messages often
    add a dump after it).
    """
    text = str(e).strip()
    if not text:
        return type(e).__name__ if isinstance(e, BaseException) else ""
    if not isinstance(e, UserError):
        text = text.splitlines()[0]
    return printable(text)


def run_cli(prog: str, body: Callable[[], int | None],
            expected: tuple[type[BaseException], ...] = (UserError,)) -> int:
    """Run a command's body and map the errors a user can meet to one line and an exit code."""
    try:
        return int(body() or EXIT_OK)
    except expected as e:
        print(f"{prog}: error: {one_line(e)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_OK


def cli_command(prog: str, expected: tuple[type[BaseException], ...] = (UserError,)):
    """Decorate a command's `run(args) -> int` so that it reports through `run_cli`."""
    def wrap(fn: Callable[..., int | None]) -> Callable[..., int]:
        @functools.wraps(fn)
        def run(*args, **kwargs) -> int:
            return run_cli(prog, lambda: fn(*args, **kwargs), expected)
        return run
    return wrap


__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "UserError", "cli_command", "one_line", "printable",
           "run_cli"]
