"""`eva train`: Fine-tune with ORPO and LoRA/QLoRA; writes workspace/runs/<run>/."""

from __future__ import annotations

import typer

from eva_cli.errors import NotBuiltError


def register(app: typer.Typer) -> None:
    @app.command("train", help="Fine-tune with ORPO and LoRA/QLoRA; writes workspace/runs/<run>/. (not built yet)", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def _cmd(ctx: typer.Context) -> None:
        raise NotBuiltError("`eva train` is not built yet in this version.", "Run `eva --help` for the commands that work now.")
