"""`eva review prepare|serve|status`: counselors judge Eva's replies in a local web page."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from eva_cli.state import get_state

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(app: typer.Typer) -> None:
    review = typer.Typer(help="Counselors compare, correct and rate Eva's replies; judgments become pairs and an eval.",
                         no_args_is_help=True)
    app.add_typer(review, name="review")

    @review.command("prepare")
    def prepare_cmd(
        ctx: typer.Context,
        run: Optional[str] = typer.Option(None, "--run", help="Run name under workspace/runs (default: the latest)."),
        name: Optional[str] = typer.Option(None, "--name", help="Review name, a folder under workspace/review (default: the run's name)."),
        prompts: Optional[Path] = typer.Option(None, "--prompts", help="JSONL (messages/prompt/text) or CSV (prompt/text column) of prompts. Default: held-out pairs."),
        feedback: bool = typer.Option(False, "--feedback", help="Prompts from consenting users' feedback in the bot store (needs EVA_DATA_KEY)."),
        mode: str = typer.Option("base-vs-tuned", "--mode", help="base-vs-tuned, or samples (two samples of the tuned model)."),
        limit: int = typer.Option(40, "--limit", help="At most this many prompts (0 = all)."),
        batch_size: int = typer.Option(8, "--batch-size", help="Conversations per generation batch."),
        max_new_tokens: int = typer.Option(160, "--max-new-tokens", help="Length cap of each reply."),
        temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature (0 = greedy)."),
        seed: int = typer.Option(42, "--seed", help="Seed for prompt choice and sampling."),
        device: str = typer.Option("auto", "--device", help="auto | cpu | cuda."),
    ) -> None:
        """Generate two candidate replies per prompt, off-line, into workspace/review/NAME/tasks.jsonl."""
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from eva_cli.review.tasks import PrepareOptions, prepare

        state = get_state(ctx)
        s = state.settings
        options = PrepareOptions(
            run=run, name=name, prompts=prompts, feedback=feedback, mode=mode, limit=limit, batch_size=batch_size,
            max_new_tokens=max_new_tokens, temperature=temperature, seed=seed, device=device, home=state.home,
            data_key=s.data_key.get_secret_value() if s.data_key else None, retention_days=s.retention_days,
            store=getattr(s, "store_url", None))
        from eva_cli.quiet import quiet_libraries

        quiet_libraries(state.verbose)
        columns = (TextColumn("generating ({task.description})"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=state.err, transient=True, disable=state.quiet) as bar:
            ids: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in ids:
                    ids[stage] = bar.add_task(stage, total=total)
                bar.update(ids[stage], completed=done, total=total)

            result = prepare(options, state.workspace, progress,
                             notify=lambda m: state.err.print(f"[yellow]warning:[/] {escape(m)}"))
        state.console.print(f"{result.tasks} tasks from {escape(result.source)} in {result.seconds:.1f} s "
                            f"({result.guarded} replies replaced by the output guard)")
        state.console.print(f"wrote {escape(str(result.folder / 'tasks.jsonl'))}")
        state.console.print(f"next: eva review serve {escape(result.name)}", soft_wrap=True)

    @review.command("serve")
    def serve_cmd(
        ctx: typer.Context,
        name: Optional[str] = typer.Argument(None, help="Review name (default: the most recently prepared)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; keep 127.0.0.1 unless behind an authenticating proxy."),
        port: int = typer.Option(8765, "--port", help="TCP port."),
        per_task: int = typer.Option(1, "--per-task", help="Reviewers who judge each task (2 or more gives inter-rater agreement)."),
        lang: str = typer.Option("en", "--lang", help="Interface language to start with: en | uk (each reviewer can switch)."),
    ) -> None:
        """Serve the review page; prints a one-time login URL (the access token changes at every start)."""
        from eva_cli.errors import InputError
        from eva_cli.review.tasks import resolve_review
        from eva_cli.review.web import LANGS, serve

        state = get_state(ctx)
        if per_task < 1:
            raise InputError(f"--per-task must be at least 1 (got {per_task}).")
        if lang not in LANGS:
            raise InputError(f"--lang must be one of {', '.join(LANGS)} (got {lang!r}).")
        if not 0 < port < 65536:
            raise InputError(f"--port must be between 1 and 65535 (got {port}).")
        folder = resolve_review(state.workspace, name)
        if host not in LOOPBACK:
            state.err.print(f"[yellow]warning:[/] --host {host}: the page is reachable from other machines over plain "
                            "HTTP; anyone who sees the URL can review.", soft_wrap=True)

        def announce(url: str) -> None:
            print(f"review {folder.name}: open {url}", flush=True)
            print("(the link logs you in; it changes every time the server starts. Ctrl-C stops.)", flush=True)

        serve(folder, host=host, port=port, per_task=per_task, lang=lang, announce=announce)

    @review.command("status")
    def status_cmd(
        ctx: typer.Context,
        name: Optional[str] = typer.Argument(None, help="Review name (default: the most recently prepared)."),
        bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples for the 95% CIs."),
        seed: int = typer.Option(42, "--seed", help="Bootstrap seed."),
    ) -> None:
        """Judgments so far: win rate of tuned over base, ratings, safety flags and agreement."""
        from eva_cli.evaluate.bootstrap import BootstrapConfig
        from eva_cli.review.stats import human_section, summary_lines
        from eva_cli.review.tasks import resolve_review

        state = get_state(ctx)
        folder = resolve_review(state.workspace, name)
        section = human_section(folder, BootstrapConfig(resamples=max(100, bootstrap), seed=seed))
        for line in summary_lines(section):
            state.console.print(line, markup=False, soft_wrap=True)
