"""`eva bench train`: eva vs plain TRL ORPO training throughput."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(bench: typer.Typer) -> None:
    @bench.command("train", help="eva vs plain TRL ORPO training throughput. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva bench train` is not built yet in this version.")
