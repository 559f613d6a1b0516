"""`eva eval`: Reward margins base vs tuned on held-out pairs, with an HTML report."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("eval", help="Reward margins base vs tuned on held-out pairs, with an HTML report. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva eval` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
