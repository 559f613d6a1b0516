"""`eva train`: Fine-tune with ORPO and LoRA/QLoRA; writes workspace/runs/<run>/."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from eva_cli.train.config import help_for as h


def register(app: typer.Typer) -> None:
    @app.command("train", help="Fine-tune with ORPO and QLoRA/LoRA (or full); writes workspace/runs/<run>/.")
    def _cmd(
        ctx: typer.Context,
        model: Optional[str] = typer.Option(None, "--model", help=h("model")),
        qlora: bool = typer.Option(False, "--qlora", help="4-bit NF4 base (double quantization) + LoRA \\[default]."),
        lora: bool = typer.Option(False, "--lora", help="Full-precision base + LoRA."),
        full: bool = typer.Option(False, "--full", help="Train every weight (writes model/ instead of adapter/)."),
        preset: Optional[str] = typer.Option(None, "--preset", help=h("preset")),
        config: Optional[Path] = typer.Option(None, "--config", help="YAML file of options; flags win over it."),
        epochs: Optional[float] = typer.Option(None, "--epochs", help=h("epochs") + " \\[default: 10]"),
        lr: Optional[float] = typer.Option(None, "--lr", help=h("lr") + " \\[default: 1e-5]"),
        batch_size: Optional[int] = typer.Option(None, "--batch-size", help=h("batch_size") + " \\[default: 4]"),
        grad_accum: Optional[int] = typer.Option(None, "--grad-accum", help=h("grad_accum") + " \\[default: 1]"),
        optim: Optional[str] = typer.Option(None, "--optim", help=h("optim") + " \\[default: paged_adamw_8bit]"),
        beta: Optional[float] = typer.Option(None, "--beta", help=h("beta") + " \\[default: 0.1]"),
        max_length: Optional[int] = typer.Option(None, "--max-length", help=h("max_length") + " \\[default: 1024]"),
        lora_r: Optional[int] = typer.Option(None, "--lora-r", help=h("lora_r") + " \\[default: 16]"),
        lora_alpha: Optional[int] = typer.Option(None, "--lora-alpha", help=h("lora_alpha") + " \\[default: 32]"),
        lora_dropout: Optional[float] = typer.Option(None, "--lora-dropout", help=h("lora_dropout") + " \\[default: 0.05]"),
        target_modules: Optional[str] = typer.Option(None, "--target-modules", help=h("target_modules")),
        max_steps: Optional[int] = typer.Option(None, "--max-steps", help=h("max_steps")),
        eval_steps: Optional[int] = typer.Option(None, "--eval-steps", help=h("eval_steps")),
        save_steps: Optional[int] = typer.Option(None, "--save-steps", help=h("save_steps")),
        eval_pairs: Optional[int] = typer.Option(None, "--eval-pairs", help=h("eval_pairs")),
        logging_steps: Optional[int] = typer.Option(None, "--logging-steps", help=h("logging_steps") + " \\[default: 1]"),
        warmup_ratio: Optional[float] = typer.Option(None, "--warmup-ratio", help=h("warmup_ratio")),
        run: Optional[str] = typer.Option(None, "--run", help=h("run")),
        resume: bool = typer.Option(False, "--resume", help="Continue the latest checkpoint of --run (default: the newest run)."),
        seed: Optional[int] = typer.Option(None, "--seed", help=h("seed") + " \\[default: 42]"),
        report_to: Optional[str] = typer.Option(None, "--report-to", help=h("report_to")),
        no_length_grouping: bool = typer.Option(False, "--no-length-grouping", help="Turn off length-grouped batches."),
        no_token_cache: bool = typer.Option(False, "--no-token-cache", help="Turn off the tokenization cache."),
        pad_multiple: Optional[str] = typer.Option(None, "--pad-multiple", help=h("pad_multiple")),
        liger: Optional[bool] = typer.Option(None, "--liger/--no-liger", help=h("liger"), show_default=False),
        grad_checkpointing: Optional[str] = typer.Option(None, "--grad-checkpointing", help=h("grad_checkpointing")),
    ) -> None:
        from eva_cli.errors import InputError
        from eva_cli.state import get_state
        from eva_cli.train.run import run_training

        st = get_state(ctx)
        modes = [m for m, on in (("qlora", qlora), ("lora", lora), ("full", full)) if on]
        if len(modes) > 1:
            raise InputError(f"--{modes[0]} and --{modes[1]} cannot be combined.", "Choose one of --qlora, --lora, --full.")
        flags = dict(
            model=model, mode=modes[0] if modes else None, preset=preset, epochs=epochs, lr=lr,
            batch_size=batch_size, grad_accum=grad_accum, optim=optim, beta=beta, max_length=max_length,
            lora_r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout, target_modules=target_modules,
            max_steps=max_steps, eval_steps=eval_steps, eval_pairs=eval_pairs, save_steps=save_steps, logging_steps=logging_steps,
            warmup_ratio=warmup_ratio, run=run, seed=seed, report_to=report_to,
            length_grouping=False if no_length_grouping else None, token_cache=False if no_token_cache else None,
            pad_multiple=pad_multiple, liger=None if liger is None else ("on" if liger else "off"),
            grad_checkpointing=grad_checkpointing,
        )
        result = run_training(flags, config, st.workspace, st.home, st.console, st.err, resume=resume, quiet=st.quiet,
                              verbose=st.verbose)
        if _is_main_process():
            s = result.summary
            figures = ", ".join(f"{k} {v:.4g}" for k, v in s.items()
                                if k in ("loss", "eval_loss", "eval_rewards/margins", "eval_rewards/accuracies")
                                and isinstance(v, float))
            st.console.print(f"[green]done[/]: {result.global_step} steps in {result.wall_time_s:.0f} s"
                             + (f" ({figures})" if figures else ""), highlight=False)
            st.console.print(f"run folder: {result.run_dir}", highlight=False, soft_wrap=True)


def _is_main_process() -> bool:
    import os

    return int(os.environ.get("RANK", "0")) == 0
