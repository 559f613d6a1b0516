"""One small family of user-facing errors.

Every `EvaError` becomes a one-line message and exit code 2 at the CLI boundary
(`eva_cli.cli.main`). Anything else is a bug: exit 1, traceback with --verbose.
"""

from __future__ import annotations


class EvaError(Exception):
    """A problem the user can fix: bad input, a missing artifact, a wrong flag."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class InputError(EvaError):
    """An input file or flag value cannot be used."""


class MissingArtifactError(EvaError):
    """A workspace artifact that an earlier command writes is absent."""


class ModelNotFoundError(EvaError):
    """`--model` names nothing that can be loaded offline."""


class NotBuiltError(EvaError):
    """A command that this version does not provide yet."""


class Interrupted(EvaError):
    """The user stopped a long command (Ctrl-C); work was saved where possible."""

    exit_code = 130
