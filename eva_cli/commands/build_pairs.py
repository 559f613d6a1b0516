"""`eva build-pairs`: build ORPO preference pairs (prompt, chosen, rejected) from the examples."""

from __future__ import annotations

from typing import Optional

import typer

from eva_cli.state import get_state


def register(app: typer.Typer) -> None:
    @app.command("build-pairs")
    def build_pairs_cmd(
        ctx: typer.Context,
        strategies: str = typer.Option(
            "ranked,rewrite,mismatch", "--strategies",
            help="Comma-separated: ranked, rewrite, mismatch, model (off by default), feedback, expert (needs --review)."),
        weights: Optional[str] = typer.Option(
            None, "--weights",
            help="Pairs per example for each strategy, as a multiple of --pairs-per-example: "
                 "rewrite=2,mismatch=0.5 or one number per strategy (1,2,0.5). Default 1 each."),
        pairs_per_example: int = typer.Option(1, "--pairs-per-example", help="Pairs each strategy makes from one example."),
        system_prompt: Optional[str] = typer.Option(
            None, "--system-prompt", help="System message for every prompt (default: Eva's persona in the prompt's language)."),
        no_system_prompt: bool = typer.Option(False, "--no-system-prompt", help="Prompts carry no system message."),
        chosen_margin: float = typer.Option(
            0.1, "--chosen-margin",
            help="Only the best-scored answers to a prompt are chosen, or those scoring >= top - margin x max(|top|, 1)."),
        require_score: bool = typer.Option(
            False, "--require-score", help="Replies with no score are never chosen (by default they count as good)."),
        length_match: bool = typer.Option(
            False, "--length-match", help="Rebalance so the rejected reply is not systematically shorter (35-65% shorter)."),
        seed: int = typer.Option(42, "--seed", help="Random seed; the same seed gives the same files."),
        feedback: bool = typer.Option(
            False, "--feedback", help="Add pairs from the bot's feedback (workspace/bot/eva.sqlite, needs EVA_DATA_KEY)."),
        store: Optional[str] = typer.Option(
            None, "--store", help="--feedback from this bot store: a postgresql:// URL (env EVA_STORE_URL) or a SQLite file."),
        review: Optional[str] = typer.Option(
            None, "--review", help="Add expert pairs from counselors' judgments in workspace/review/NAME (eva review)."),
        model: Optional[str] = typer.Option(
            None, "--model", help="model strategy: the model that writes rejected replies (default: EVA_MODEL or embedded)."),
        batch_size: int = typer.Option(8, "--batch-size", help="model strategy: conversations per generation batch."),
        max_new_tokens: int = typer.Option(96, "--max-new-tokens", help="model strategy: tokens per generated reply."),
        model_limit: int = typer.Option(0, "--model-limit", help="model strategy: at most this many examples (0 = all)."),
    ) -> None:
        """Build ORPO preference pairs (prompt, chosen, rejected) from data/examples.parquet."""
        from eva_cli.pairs.build import BuildOptions, build_pairs, parse_strategies, parse_weights
        from eva_cli.pairs.report import render_summary

        state = get_state(ctx)
        names = parse_strategies(strategies)
        options = BuildOptions(
            strategies=names,
            weights=parse_weights(weights, names),
            pairs_per_example=pairs_per_example,
            system_prompt=system_prompt,
            use_system_prompt=not no_system_prompt,
            length_match=length_match,
            chosen_margin=chosen_margin,
            require_score=require_score,
            seed=seed,
            feedback=feedback,
            review=review,
            model=model or state.settings.model,
            model_batch_size=batch_size,
            model_max_new_tokens=max_new_tokens,
            model_limit=model_limit,
            home=state.home,
            data_key=state.settings.data_key.get_secret_value() if state.settings.data_key else None,
            retention_days=state.settings.retention_days,
            store=store or state.settings.store_url,
        )
        with _progress(state) as progress:
            result = build_pairs(options, state.workspace, progress=progress)
        render_summary(result.report, state.console, seconds=result.seconds)
        state.console.print(f"wrote {result.train_path}, {result.eval_path} and {result.report_path}")


class _progress:
    """A rich progress bar per stage (one per strategy; the model strategy counts its replies)."""

    def __init__(self, state) -> None:
        self.state = state
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.state.quiet:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=self.state.console, transient=True)
        self.bar.__enter__()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
