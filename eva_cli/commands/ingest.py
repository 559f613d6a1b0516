"""`eva ingest`: Normalize public counseling corpora into workspace/data/examples.parquet."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("ingest", help="Normalize public counseling corpora into workspace/data/examples.parquet. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva ingest` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
