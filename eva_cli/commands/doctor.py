"""`eva doctor`: versions, capabilities and workspace contents."""

from __future__ import annotations

import typer

from eva_cli.state import get_state


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(ctx: typer.Context) -> None:
        """Print library versions, device, bitsandbytes 4-bit support, the embedded model and the workspace."""
        from rich.table import Table

        from eva_cli.doctor import collect

        state = get_state(ctx)
        table = Table(title="eva doctor")
        table.add_column("check")
        table.add_column("value")
        colour = {"ok": "green", "warn": "yellow", "info": ""}
        for check, value, status in collect(state):
            table.add_row(check, value, style=colour[status])
        state.console.print(table)
