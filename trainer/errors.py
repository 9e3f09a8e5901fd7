"""How the trainer's commands report errors: through the app's one CLI error path.

Library code raises `UserError` subclasses, or ValueError / OSError from its checks of data,
configs and paths; every `slr-train` subcommand's `run` is wrapped by `command`, so each of those
is one line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

from slr_desktop.core.errors import UserError, cli_command

USER_ERRORS: tuple[type[BaseException], ...] = (UserError, ValueError, OSError)


def command(name: str):
    """Decorator for a subcommand's `run(args)`: `slr-train NAME: error: <one line>`, exit 2."""
    return cli_command(f"slr-train {name}", USER_ERRORS)


__all__ = ["USER_ERRORS", "UserError", "command"]
