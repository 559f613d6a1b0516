"""`eva serve-telegram`: Serve Eva as a Telegram bot (aiogram 3)."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("serve-telegram", help="Serve Eva as a Telegram bot (aiogram 3). (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva serve-telegram` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
