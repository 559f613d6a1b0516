"""`eva merge`: Merge a run's adapter into its base model for vLLM or TGI."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("merge", help="Merge a run's adapter into its base model for vLLM or TGI. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva merge` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
