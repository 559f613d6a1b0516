"""`eva bench`: training and serving speed. Each sub-command lives in its own module."""

from __future__ import annotations

import typer

from eva_cli.commands import bench_serve, bench_train


def register(app: typer.Typer) -> None:
    bench = typer.Typer(help="Measure training (eva vs plain TRL) and serving (micro-batched vs sequential) speed.",
                        no_args_is_help=True)
    bench_train.register(bench)
    bench_serve.register(bench)
    app.add_typer(bench, name="bench")
