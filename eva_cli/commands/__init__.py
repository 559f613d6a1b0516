"""One module a command. Each exposes `register(app)` and keeps heavy imports inside functions."""

from __future__ import annotations

import importlib

import typer

# In the order `eva --help` lists them.
COMMAND_MODULES = (
    "doctor",
    "ingest",
    "build_pairs",
    "train",
    "report",
    "merge",
    "evaluate",
    "safety",
    "review",
    "chat",
    "serve_telegram",
    "bench",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"eva_cli.commands.{name}").register(app)
