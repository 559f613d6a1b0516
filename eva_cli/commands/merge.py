"""`eva merge`: Merge a run's adapter into its base model for vLLM or TGI."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("merge", help="Merge a run's LoRA adapter into its base model: one folder vLLM or TGI can serve.")
    def _cmd(
        ctx: typer.Context,
        run: Optional[str] = typer.Option(None, "--run", help="Run name under workspace/runs/ (default: the newest)."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: workspace/runs/<run>/merged)."),
        dtype: str = typer.Option("auto", "--dtype", help="Saved weight dtype: auto (the base model's), float32, float16, bfloat16."),
    ) -> None:
        from eva_cli.state import get_state
        from eva_cli.train.merge import merge_run

        st = get_state(ctx)
        path = merge_run(st.workspace.resolve_run(run), out, dtype=dtype, home=st.home)
        st.console.print(f"merged model: {path}", highlight=False, soft_wrap=True)
