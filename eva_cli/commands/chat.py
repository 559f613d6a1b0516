"""`eva chat`: Talk to Eva in the terminal: persona, memory, safety, backend."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("chat", help="Talk to Eva in the terminal: persona, memory, safety, backend. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva chat` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
