"""`eva report`: Re-render a run's training-report.html from metrics.jsonl."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("report", help="Re-render a run's training-report.html from its metrics.jsonl.")
    def _cmd(
        ctx: typer.Context,
        run: Optional[str] = typer.Option(None, "--run", help="Run name under workspace/runs/ (default: the newest)."),
    ) -> None:
        from eva_cli.state import get_state
        from eva_cli.train.report import write_training_report

        st = get_state(ctx)
        path = write_training_report(st.workspace.resolve_run(run))
        st.console.print(f"training report: {path}", highlight=False, soft_wrap=True)
