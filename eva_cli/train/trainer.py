"""The one place where the ORPO trainer is built: TRL's ORPOConfig from a TrainConfig.

The loss is TRL's (`trl.experimental.orpo`); eva adds callbacks and, when
`eva_cli.train.fast_trainer` is present, its speed-ups (`EvaORPOTrainer`).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from eva_cli.errors import InputError
from eva_cli.train.config import TrainConfig


def fast_trainer_available() -> bool:
    return importlib.util.find_spec("eva_cli.train.fast_trainer") is not None


def _schedule(every: int | None, cfg: TrainConfig, has_data: bool = True) -> tuple[str, dict]:
    """(strategy, kwargs) for eval or save: every N steps, once at the end of --max-steps, or each epoch."""
    if not has_data:
        return "no", {}
    if every:
        return "steps", {"steps": every}
    if cfg.max_steps:
        return "steps", {"steps": cfg.max_steps}
    return "epoch", {}


def validate_names(cfg: TrainConfig) -> None:
    """Optimizer, scheduler and logger names, checked before anything is written."""
    from transformers.trainer_utils import SchedulerType
    from transformers.training_args import OptimizerNames

    try:
        OptimizerNames(cfg.optim)
    except ValueError:
        raise InputError(f"--optim: {cfg.optim!r} is not an optimizer transformers knows.",
                         "Use e.g. paged_adamw_8bit, adamw_8bit, adamw_torch or sgd.") from None
    try:
        SchedulerType(cfg.lr_scheduler)
    except ValueError:
        raise InputError(f"lr_scheduler: {cfg.lr_scheduler!r} is not a schedule transformers knows.",
                         "Use e.g. linear, cosine or constant.") from None
    check_report_to(cfg.report_to)


def check_report_to(report_to: str) -> list[str]:
    if report_to == "none":
        return []
    module = {"tensorboard": "tensorboard", "wandb": "wandb"}[report_to]
    if importlib.util.find_spec(module) is None:
        raise InputError(f"--report-to {report_to}: the {module} package is not installed.",
                         f"`pip install {module}`, or use --report-to none (metrics.jsonl is always written).")
    return [report_to]


def orpo_args(cfg: TrainConfig, run_dir: Path, hw, has_eval: bool):
    eval_strategy, eval_kw = _schedule(cfg.eval_steps, cfg, has_eval)
    save_strategy, save_kw = _schedule(cfg.save_steps, cfg)
    report_to = check_report_to(cfg.report_to)
    if "tensorboard" in report_to:
        os.environ.setdefault("TENSORBOARD_LOGGING_DIR", str(run_dir / "tensorboard"))
    try:
        return _orpo_config(cfg, run_dir, hw, eval_strategy, eval_kw, save_strategy, save_kw, report_to)
    except ValueError as exc:  # e.g. an --optim or scheduler name transformers does not know
        raise InputError(f"transformers rejected the training options: {str(exc).splitlines()[0][:300]}",
                         "Check --optim and the scheduler name (see `eva train --help`).") from exc


def _orpo_config(cfg, run_dir, hw, eval_strategy, eval_kw, save_strategy, save_kw, report_to):
    from trl.experimental.orpo import ORPOConfig

    return ORPOConfig(
        output_dir=str(run_dir / "checkpoints"),
        run_name=run_dir.name,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps or -1,
        learning_rate=cfg.lr,
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        optim=cfg.optim,
        beta=cfg.beta,
        max_length=cfg.max_length,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_ratio,
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        logging_strategy="steps",
        logging_steps=cfg.logging_steps,
        logging_nan_inf_filter=False,  # a NaN loss must reach the NaN guard, not be averaged away
        eval_strategy=eval_strategy,
        eval_steps=eval_kw.get("steps"),
        save_strategy=save_strategy,
        save_steps=save_kw.get("steps", 500),
        save_total_limit=cfg.save_total_limit,
        seed=cfg.seed,
        data_seed=cfg.seed,
        bf16=hw.bf16,
        gradient_checkpointing=(cfg.grad_checkpointing == "on"),
        report_to=report_to,
        disable_tqdm=True,
        remove_unused_columns=False,
        ddp_find_unused_parameters=False if cfg.mode != "full" else None,
        dataloader_pin_memory=hw.device == "cuda",
        use_cpu=hw.device == "cpu",  # also what turns a CPU multi-process launch into gloo DDP
    )


def speed_options(cfg: TrainConfig, cache_dir: Path | None):
    from eva_cli.train.fast_trainer import SpeedOptions

    pad = cfg.pad_multiple
    return SpeedOptions(
        length_grouped=cfg.length_grouping,
        token_cache_dir=cache_dir if cfg.token_cache else None,
        pad_to_multiple_of=None if pad == "off" else ("auto" if pad == "auto" else int(pad)),
        liger={"auto": "auto", "on": True, "off": False}[cfg.liger],
        gradient_checkpointing={"auto": "auto", "on": True, "off": False}[cfg.grad_checkpointing],
    )


def build_trainer(cfg: TrainConfig, model, tok, train_ds, eval_ds, callbacks, *, run_dir: Path, hw,
                  cache_dir: Path | None = None, token_counter=None, new_token_ids: list[int] | None = None):
    """An ORPO trainer (eva's fast one when available) with LoRA applied for lora/qlora.

    `new_token_ids`: embedding rows added for the tokenizer (a base model's ChatML), trained with the adapter.
    """
    from eva_cli.train.modeling import lora_config

    args = orpo_args(cfg, run_dir, hw, eval_ds is not None)
    peft = lora_config(cfg, model, new_token_ids) if cfg.mode != "full" else None
    kwargs = dict(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, processing_class=tok,
                  callbacks=callbacks, peft_config=peft)
    if fast_trainer_available():
        from eva_cli.train.fast_trainer import EvaORPOTrainer

        trainer = EvaORPOTrainer(**kwargs, speed=speed_options(cfg, cache_dir))
    else:
        from trl.experimental.orpo import ORPOTrainer

        trainer = ORPOTrainer(**kwargs)
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    for cb in (PrinterCallback, ProgressCallback):  # eva draws its own progress bar
        trainer.remove_callback(cb)
    if token_counter is not None:
        _count_tokens(trainer, token_counter)
    return trainer


def _count_tokens(trainer, counter) -> None:
    """Count the tokens of every batch the trainer computes a training loss on."""
    compute_loss = trainer.compute_loss

    def counted(model, inputs, *args, **kwargs):
        counter.add(inputs)
        return compute_loss(model, inputs, *args, **kwargs)

    trainer.compute_loss = counted
