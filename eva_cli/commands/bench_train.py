"""`eva bench train`: eva vs plain TRL ORPO training throughput."""

from __future__ import annotations

from pathlib import Path

import typer

from eva_cli.state import get_state


def register(bench: typer.Typer) -> None:
    @bench.command("train", help="eva's training path vs plain TRL ORPO: same model, data, hyperparameters and seed; "
                                 "prints samples/s, tokens/s, padding, peak memory and loss per side, and the speedup.")
    def _cmd(
        ctx: typer.Context,
        model: str = typer.Option(None, "--model", help="embedded, a local model folder, or a cached HF id "
                                  "(default: EVA_MODEL or embedded)."),
        pairs: Path = typer.Option(None, "--pairs", help="Preference pairs parquet (default: workspace "
                                   "pairs/train.parquet when present)."),
        mix: bool = typer.Option(True, "--mix/--no-mix", help="Add the built-in long-tailed counseling-length mix "
                                 "(median ~60 words, longest ~600)."),
        steps: int = typer.Option(10, "--steps", help="Optimizer steps per side (both train one epoch over "
                                  "steps x batch-size pairs)."),
        batch_size: int = typer.Option(4, "--batch-size", help="Pairs per step."),
        max_length: int = typer.Option(1024, "--max-length", help="Max tokens per prompt+reply."),
        qlora: bool = typer.Option(False, "--qlora", help="Load the base model in 4-bit NF4 (QLoRA) instead of LoRA."),
        lora_r: int = typer.Option(16, "--lora-r", help="LoRA rank, both sides."),
        eval_pairs: int = typer.Option(8, "--eval-pairs", help="Held-out pairs scored before and after training."),
        rounds: int = typer.Option(1, "--rounds", help="A/B rounds, alternating which side runs first; "
                                   "the speedup is the median per-round ratio."),
        seed: int = typer.Option(0, "--seed", help="Seed for data sample, LoRA init and dropout."),
        as_json: bool = typer.Option(False, "--json", help='Print {"baseline": {...}, "eva": {...}, "speedup": x}.'),
    ) -> None:
        from eva_cli.bench.train_bench import TrainBenchConfig, run_train_bench

        state = get_state(ctx)
        if pairs is None:
            default = state.workspace.pairs("train")
            pairs = default if default.is_file() else None
        cfg = TrainBenchConfig(model=model or state.settings.model, pairs=pairs, mix=mix, steps=steps,
                               batch_size=batch_size, max_length=max_length, qlora=qlora, lora_r=lora_r,
                               lora_alpha=2 * lora_r, eval_pairs=eval_pairs, rounds=rounds, seed=seed)
        progress = None if (as_json or state.quiet) else (lambda msg: state.err.print(f"[dim]{msg}[/dim]"))
        report = run_train_bench(cfg, state.home, progress=progress, verbose=state.verbose)
        if as_json:
            import json

            typer.echo(json.dumps(report, indent=2, default=str))
            return
        _print_report(state.console, report)


def _print_report(console, report: dict) -> None:
    from rich.table import Table

    base, eva = report["baseline"], report["eva"]
    data = report["data"]
    table = Table(title=f"eva bench train: {data['train_pairs']} pairs, {base['details']['steps']} steps, "
                        f"{base['details']['device']}")
    table.add_column("")
    table.add_column("plain TRL", justify="right")
    table.add_column("eva", justify="right")

    def fmt(value, spec: str = ".3f") -> str:
        return "-" if value is None else format(value, spec)

    rows = [
        ("samples/s", fmt(base["samples_per_second"]), fmt(eva["samples_per_second"])),
        ("tokens/s", fmt(base["tokens_per_second"], ".1f"), fmt(eva["tokens_per_second"], ".1f")),
        ("padding fraction", fmt(base["padding_fraction"], ".1%"), fmt(eva["padding_fraction"], ".1%")),
        (f"peak memory ({base['memory_kind']}, MB)", fmt(base["peak_memory_mb"], ".0f"),
         fmt(eva["peak_memory_mb"], ".0f")),
        ("loss after last step", fmt(base["final_loss"], ".4f"), fmt(eva["final_loss"], ".4f")),
        ("mean training loss", fmt(base["mean_loss"], ".4f"), fmt(eva["mean_loss"], ".4f")),
        ("held-out loss before", fmt(base["eval_loss_before"], ".5f"), fmt(eva["eval_loss_before"], ".5f")),
        ("held-out loss after", fmt(base["eval_loss_after"], ".5f"), fmt(eva["eval_loss_after"], ".5f")),
        ("train seconds", fmt(base["train_seconds"], ".1f"), fmt(eva["train_seconds"], ".1f")),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    d = eva["details"]
    console.print(f"eva path: layout {d['layout']}, length grouping {'on' if d['length_grouped'] else 'off'}, "
                  f"liger {'on' if d['liger'] else 'off'}, gradient checkpointing {d['gradient_checkpointing']} "
                  f"(plain TRL: {base['details']['gradient_checkpointing']}), "
                  f"pad multiple {d['pad_to_multiple_of'] or 'none'}")
    console.print(f"[bold]speedup: {report['speedup']:.2f}x[/bold] samples/s (eva / plain TRL)"
                  + (f", per round {report['speedup_per_round']}" if len(report["speedup_per_round"]) > 1 else ""))
