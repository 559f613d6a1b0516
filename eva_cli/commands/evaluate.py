"""`eva eval`: Reward margins base vs tuned on held-out pairs, with an HTML report."""

from __future__ import annotations

from typing import Optional

import typer

from eva_cli.state import get_state


def register(app: typer.Typer) -> None:
    @app.command("eval", help="Reward margins base vs tuned on held-out pairs (TRL-ORPO definitions), "
                              "generation metrics, an optional LLM judge, and an HTML report.")
    def _cmd(
        ctx: typer.Context,
        run: Optional[str] = typer.Option(None, "--run", help="Run name under workspace/runs (default: the latest)."),
        pairs: str = typer.Option("eval", "--pairs", help="eval | train (not held out) | PATH to a pairs .parquet."),
        baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Also score the base model."),
        batch_size: int = typer.Option(8, "--batch-size", help="Pairs per forward pass."),
        generate: int = typer.Option(0, "--generate", help="Generate replies for N held-out prompts (base and tuned)."),
        judge_url: Optional[str] = typer.Option(None, "--judge-url", help="OpenAI-compatible endpoint to rate replies (needs --generate)."),
        judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Judge model name (default: the first model the endpoint lists)."),
        model: Optional[str] = typer.Option(None, "--model", help="Base model; must be the one the run was trained on."),
        limit: int = typer.Option(0, "--limit", help="Score only the first N pairs (0 = all)."),
        max_new_tokens: int = typer.Option(160, "--max-new-tokens", help="Generation length cap."),
        temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature (0 = greedy)."),
        seed: int = typer.Option(42, "--seed", help="Seed for sampling, prompt choice and the bootstrap."),
        bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples for the 95% CIs."),
        device: str = typer.Option("auto", "--device", help="auto | cpu | cuda."),
        dtype: str = typer.Option("auto", "--dtype", help="auto | float32 | bfloat16 | float16."),
        quantize: str = typer.Option("auto", "--quantize", help="auto (4-bit NF4 base for qlora runs, as trained) | none | 4bit."),
        review: Optional[str] = typer.Option(None, "--review", help="Add counselors' judgments from workspace/review/NAME (eva review)."),
    ) -> None:
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from eva_cli.evaluate.options import EvalOptions
        from eva_cli.evaluate.report import strategy_table, summary_table
        from eva_cli.evaluate.runner import run_eval

        state = get_state(ctx)
        s = state.settings
        options = EvalOptions(
            run=run, pairs=pairs, baseline=baseline, batch_size=batch_size, generate=generate, judge_url=judge_url,
            judge_model=judge_model,
            judge_api_key=s.openai_api_key.get_secret_value() if s.openai_api_key else None,
            model=model, limit=limit, max_new_tokens=max_new_tokens, temperature=temperature, seed=seed,
            bootstrap=bootstrap, device=device, dtype=dtype, quantize=quantize, review=review)

        def warn(message: str) -> None:
            state.err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)

        if not state.verbose:  # our own progress bar only; no per-file loading bars or deprecation notes
            import logging
            import warnings

            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            logging.getLogger("bitsandbytes").setLevel(logging.ERROR)  # optional-kernel notice on CPUs
            warnings.filterwarnings("ignore", category=FutureWarning)

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=state.err, transient=True, disable=state.quiet) as progress:
            result = run_eval(options, state.workspace, progress, home=state.home, notify=warn)

        console = state.console
        console.print(summary_table(result.report))
        if result.report.get("by_strategy") and not state.quiet:
            console.print(strategy_table(result.report))
        gen = result.report.get("generation")
        if gen and not state.quiet:
            names = [n for n in ("base", "tuned") if n in gen]
            console.print("generation: " + "; ".join(
                f"{n}: {gen[n]['length_words']:.1f} words, distinct-2 {gen[n]['distinct_2']:.3f}, "
                f"ROUGE-L {gen[n]['rouge_l_f1']:.3f}" for n in names))
        judge = result.report.get("judge")
        if judge and judge.get("available"):
            console.print("judge (1-5): " + "; ".join(
                f"{n}: overall {judge[n]['overall']:.2f}" for n in ("base", "tuned") if judge.get(n, {}).get("n")))
        if result.report.get("human"):
            from eva_cli.review.stats import summary_lines

            for line in summary_lines(result.report["human"]):
                console.print(line, markup=False, soft_wrap=True)
        console.print(f"report: {escape(str(result.html_path))}")
        console.print(f"data:   {escape(str(result.json_path))}")
        if result.samples_path:
            console.print(f"samples: {escape(str(result.samples_path))}")
