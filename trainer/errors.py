"""How the trainer's commands report errors: through the app's one CLI error path.

Every problem a user can cause or fix raises a `UserError` subclass with a one-line message that
says what and where: `ConfigError` (a config file, `--set`, a flag), `DataError` (a landmark set,
a dataset folder, an archive, a manifest), `CheckpointError` (a `.pt` file), and the app's own
`VideoError`, `ModelError`, `BundleError`, `LandmarkFileError`, `OutputError`. An `OSError` (disk
full, permission denied) is the environment's and is reported the same way. Every `slr-train`
subcommand's `run` is wrapped by `command`, so each of those is one line on stderr and exit code 2.

A bare `ValueError` / `KeyError` / `TypeError` is *not* in that list: coming out of the trainer it
means a bug, and a traceback says so honestly instead of dressing it up as a user mistake. The
subclasses below also derive from `ValueError`, so library callers that catch `ValueError` keep
working.
"""
from __future__ import annotations

from slr_desktop.core.errors import UserError, cli_command


class ConfigError(UserError, ValueError):
    """A training config that cannot be used (unknown key, wrong type, out of range, bad YAML)."""


class DataError(UserError, ValueError):
    """Input data that cannot be used: a landmark set, a dataset folder, an archive, a manifest."""


class CheckpointError(UserError, ValueError):
    """A `.pt` checkpoint that cannot be used (not a checkpoint, truncated, other labels...)."""


USER_ERRORS: tuple[type[BaseException], ...] = (UserError, OSError)


def command(name: str):
    """Decorator for a subcommand's `run(args)`: `slr-train NAME: error: <one line>`, exit 2."""
    return cli_command(f"slr-train {name}", USER_ERRORS)


__all__ = ["USER_ERRORS", "CheckpointError", "ConfigError", "DataError", "UserError", "command"]
