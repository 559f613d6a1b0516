"""`eva bench serve`: Micro-batched vs sequential generation throughput and latency."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(bench: typer.Typer) -> None:
    @bench.command("serve", help="Micro-batched vs sequential generation throughput and latency. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva bench serve` is not built yet in this version.")
