"""What the global options resolve to, handed to every command through typer's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console

from eva_cli.settings import EvaSettings
from eva_cli.workspace import Workspace


@dataclass
class State:
    settings: EvaSettings
    verbose: bool = False
    quiet: bool = False
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))

    @property
    def workspace(self) -> Workspace:
        return Workspace(Path(self.settings.workspace))

    @property
    def home(self) -> Path:
        return self.settings.home_dir


def get_state(ctx: typer.Context) -> State:
    """The State built by the `eva` callback (or a default one when a command runs alone)."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        from eva_cli.settings import load_settings

        root.obj = State(settings=load_settings())
    return root.obj
