"""TrainerCallbacks: metrics.jsonl, the rich progress bar, the NaN guard and Ctrl-C handling."""

from __future__ import annotations

import math
import signal
import time
from pathlib import Path

from transformers import TrainerCallback

SUMMARY_KEYS = ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss")


def peak_memory_mb(device: str) -> float:
    """Peak GPU memory allocated by this process on CUDA, else the process's peak resident memory."""
    import torch

    if device == "cuda" and torch.cuda.is_available():
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _all_ranks_sum(value: float, device) -> float:
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return value
    t = torch.tensor([float(value)], device=device)
    dist.all_reduce(t)
    return float(t.item())


class TokenCounter:
    """Non-padding tokens of the batches actually trained on (chosen + rejected), this process."""

    def __init__(self) -> None:
        self.tokens = 0

    def add(self, inputs: dict) -> None:
        for key in ("chosen_attention_mask", "rejected_attention_mask"):
            mask = inputs.get(key)
            if mask is not None and hasattr(mask, "sum"):
                self.tokens += int(mask.sum().item())


class MetricsCallback(TrainerCallback):
    """Append one JSON line per logged step to metrics.jsonl (rank 0 only), TRL's keys unchanged."""

    def __init__(self, path: Path, samples_per_step: int, device: str, tokens: TokenCounter, dist_device=None):
        self.path = Path(path)
        self.samples_per_step = samples_per_step  # batch x grad-accum x processes
        self.device = device
        self.dist_device = dist_device
        self.tokens = tokens
        self.summary: dict = {}
        self._train_time = 0.0
        self._step_start: float | None = None
        self._last_step = 0
        self._last_tokens = 0

    def on_train_begin(self, args, state, control, **kw):
        self._last_step = state.global_step
        self._last_tokens = self.tokens.tokens

    def on_step_begin(self, args, state, control, **kw):
        self._step_start = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        if self._step_start is not None:
            self._train_time += time.perf_counter() - self._step_start
            self._step_start = None

    def on_log(self, args, state, control, logs=None, **kw):
        logs = dict(logs or {})
        if any(k in logs for k in SUMMARY_KEYS):
            self.summary.update({k: logs[k] for k in SUMMARY_KEYS if k in logs})
            return
        row = dict(logs)
        if "loss" in logs:
            tokens = _all_ranks_sum(self.tokens.tokens - self._last_tokens, self.dist_device)
            steps = state.global_step - self._last_step
            seconds = max(self._train_time, 1e-9)
            row["samples_per_second"] = round(steps * self.samples_per_step / seconds, 4)
            row["tokens_per_second"] = round(tokens / seconds, 2)
            row["peak_memory_mb"] = peak_memory_mb(self.device)
            self._train_time, self._last_step, self._last_tokens = 0.0, state.global_step, self.tokens.tokens
        elif not any(k.startswith("eval_") for k in logs):
            return
        row["epoch"] = state.epoch
        row["step"] = state.global_step
        if state.is_world_process_zero:
            from eva_cli.atomic import append_jsonl

            append_jsonl(self.path, [row])


class NaNGuard(TrainerCallback):
    """Stop at the first non-finite loss, before any checkpoint of the damaged weights is saved."""

    def __init__(self) -> None:
        self.bad_step: int | None = None
        self.bad_value: float | None = None

    def on_step_end(self, args, state, control, **kw):
        if control.should_save:  # check the loss before every checkpoint
            control.should_log = True

    def on_log(self, args, state, control, logs=None, **kw):
        loss = (logs or {}).get("loss")
        if isinstance(loss, (int, float)) and not math.isfinite(loss):
            self.bad_step, self.bad_value = state.global_step, loss
            control.should_training_stop = True
            control.should_save = False
            control.should_evaluate = False


class InterruptCallback(TrainerCallback):
    """First Ctrl-C: finish the current step, save a checkpoint and stop. A second one aborts at once."""

    def __init__(self, dist_device=None) -> None:
        self.requested = False
        self.stopped_at: int | None = None
        self.dist_device = dist_device
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def install(self) -> None:
        self._previous = signal.signal(signal.SIGINT, self._handler)

    def uninstall(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def on_step_end(self, args, state, control, **kw):
        # every process must stop at the same step: agree on the flag across ranks
        if _all_ranks_sum(1.0 if self.requested else 0.0, self.dist_device) > 0:
            self.requested = True
            self.stopped_at = state.global_step
            control.should_save = True
            control.should_log = True
            control.should_training_stop = True


class RichProgressCallback(TrainerCallback):
    """A rich progress bar: steps, elapsed, ETA, and the latest loss / reward accuracy (rank 0)."""

    def __init__(self, console, description: str = "training") -> None:
        self.console = console
        self.description = description
        self.progress = None
        self.task = None

    def on_train_begin(self, args, state, control, **kw):
        if not state.is_world_process_zero:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[stats]}"),
            console=self.console, transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(self.description, total=state.max_steps, completed=state.global_step,
                                           stats="")

    def on_step_end(self, args, state, control, **kw):
        if self.progress is not None:
            self.progress.update(self.task, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kw):
        if self.progress is None or not logs:
            return
        if "loss" in logs:
            acc = logs.get("rewards/accuracies")
            stats = f"loss {logs['loss']:.4f}" + (f"  acc {acc:.2f}" if acc is not None else "")
            self.progress.update(self.task, stats=stats)
        elif "eval_loss" in logs:
            acc = logs.get("eval_rewards/accuracies")
            self.progress.console.print(
                f"  eval @ step {state.global_step}: loss {logs['eval_loss']:.4f}"
                + (f", reward accuracy {acc:.2f}" if acc is not None else "")
                + (f", margin {logs['eval_rewards/margins']:.4f}" if "eval_rewards/margins" in logs else ""))

    def on_train_end(self, args, state, control, **kw):
        self.stop()

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
