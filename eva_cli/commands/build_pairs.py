"""`eva build-pairs`: Build ORPO preference pairs (prompt, chosen, rejected) from the examples."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("build-pairs", help="Build ORPO preference pairs (prompt, chosen, rejected) from the examples. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva build-pairs` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
