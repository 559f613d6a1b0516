"""`eva train` end to end: options -> data and model checks -> ORPO -> the run folder.

runs/<run>/
  train-config.json      every resolved option, data sha256s, versions, hardware, wall time, status
  metrics.jsonl          one row per logged step (TRL keys + samples/tokens per second, peak memory)
  checkpoints/           Trainer checkpoints (resume point)
  adapter/ | model/      the PEFT adapter + tokenizer (lora/qlora), or the full weights (full)
  training-report.html   four plotly graphs (eva_cli.train.report)
  README.md              a Hugging Face model card

Only the main process (rank 0) writes run artifacts; every process trains.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from eva_cli.errors import EvaError, InputError, Interrupted, MissingArtifactError
from eva_cli.train.config import FIELD_NAMES, TrainConfig, resolve_config
from eva_cli.workspace import Workspace

CONFIG_FILE = "train-config.json"
LIBRARIES = ("torch", "transformers", "trl", "peft", "bitsandbytes", "accelerate", "datasets", "eva-cli")
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


@dataclass
class TrainResult:
    run_dir: Path
    status: str
    global_step: int
    wall_time_s: float
    summary: dict


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def library_versions() -> dict:
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = md.version(lib)
        except md.PackageNotFoundError:
            out[lib] = None
    return out


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The newest complete checkpoint (one whose trainer_state.json was written)."""
    folder = run_dir / "checkpoints"
    if not folder.is_dir():
        return None
    found = [(int(m.group(1)), p) for p in folder.iterdir()
             if (m := _CHECKPOINT.match(p.name)) and (p / "trainer_state.json").is_file()]
    return max(found)[1] if found else None


def checkpoint_step(path: Path) -> int:
    return int(_CHECKPOINT.match(path.name).group(1))


def trim_metrics(path: Path, last_step: int) -> int:
    """Drop rows logged after `last_step` (work lost since the checkpoint); returns rows dropped."""
    if not path.is_file():
        return 0
    from eva_cli.atomic import write_text

    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    keep = [ln for ln in lines if json.loads(ln).get("step", 0) <= last_step]
    if len(keep) != len(lines):
        write_text(path, "".join(ln + "\n" for ln in keep))
    return len(lines) - len(keep)


def resume_command(ws: Workspace, run: str) -> str:
    return f"eva -w {ws.root.resolve()} train --run {run} --resume"


def _new_run_name(ws: Workspace) -> str:
    base = datetime.now().strftime("%Y%m%d-%H%M%S")
    name, n = base, 2
    while ws.run_dir(name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


def _broadcast(value, state):
    if state.num_processes == 1:
        return value
    from accelerate.utils import broadcast_object_list

    return broadcast_object_list([value])[0]


def _stored_config(run_dir: Path) -> dict:
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        raise MissingArtifactError(f"--resume: {path} is missing, so {run_dir.name} cannot be resumed.",
                                   "Start a new run without --resume.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"--resume: {path} is not valid JSON ({exc.msg}).") from exc


class _Session:
    """What one `eva train` invocation needs to carry from step to step."""

    def __init__(self, ws: Workspace, home: Path, console, err, quiet: bool):
        self.ws, self.home, self.console, self.err, self.quiet = ws, home, console, err, quiet
        self.started = time.time()
        self.started_at = _now()

    def note(self, text: str, is_main: bool) -> None:
        if is_main and not self.quiet:
            self.console.print(text, highlight=False)

    def warn(self, text: str, is_main: bool) -> None:
        if is_main:
            self.err.print(f"[yellow]warning:[/] {text}", highlight=False)


def quiet_libraries() -> None:
    """Library progress bars and deprecation chatter would drown eva's own progress bar."""
    import logging
    import warnings

    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)  # before anything imports it
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    for pattern in (".*is deprecated and will be removed in v6.*", ".*Paged optimizers are not supported on CPU.*",
                    ".*torch.utils.checkpoint.*use_reentrant.*",
                    ".*Setting `save_embedding_layers` to `True`.*"):  # a base model's added ChatML rows
        warnings.filterwarnings("ignore", message=pattern)


def run_training(flags: dict, config_file: Path | None, ws: Workspace, home: Path, console, err,
                 resume: bool = False, quiet: bool = False, verbose: bool = False) -> TrainResult:
    """Train with ORPO and write the run folder. Raises EvaError subclasses for anything the user can fix."""
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    if not verbose:
        quiet_libraries()
    import torch
    from accelerate import PartialState

    from eva_cli.models import load_tokenizer, resolve_model
    from eva_cli.train.data import check_lengths, load_pairs, require_pairs, sha256_file
    from eva_cli.train.modeling import detect_hardware

    s = _Session(ws, home, console, err, quiet)
    # cpu=True makes a torchrun / accelerate launch without GPUs a gloo process group (MULTI_CPU)
    state = PartialState(cpu=not torch.cuda.is_available())
    hw = detect_hardware(state)
    main = state.is_main_process

    # -- which run, with which options
    stored: dict | None = None
    if resume:
        run_dir = ws.resolve_run(flags.get("run"))
        stored = _stored_config(run_dir)
        base = {k: v for k, v in stored.items() if k in FIELD_NAMES}
        cfg = resolve_config({**flags, "run": run_dir.name}, config_file, base=base)
        for key in ("model", "mode", "lora_r", "target_modules"):
            if stored.get(key) is not None and getattr(cfg, key) != stored[key]:
                raise InputError(f"--resume: {run_dir.name} was trained with {key.replace('_', '-')}={stored[key]!r}, "
                                 f"not {getattr(cfg, key)!r}; its checkpoints only continue with the same value.",
                                 "Drop that option, or start a new run.")
    else:
        cfg = resolve_config(flags, config_file)
        if cfg.run is not None and ws.run_dir(cfg.run).exists():
            raise InputError(f"--run: a run named {cfg.run!r} already exists in {ws.runs_dir}.",
                             f"Continue it with `{resume_command(ws, cfg.run)}`, or choose another --run name.")
        cfg.run = _broadcast(cfg.run or (_new_run_name(ws) if main else None), state)
        run_dir = ws.run_dir(cfg.run)
    from eva_cli.train.trainer import validate_names

    validate_names(cfg)
    state.wait_for_everyone()  # every process checked before rank 0 creates anything

    # -- data
    train_path = require_pairs(ws.pairs("train"), "train")
    eval_path = require_pairs(ws.pairs("eval"), "eval")
    data = {split: {"path": str(p.resolve()), "sha256": sha256_file(p)}
            for split, p in (("train", train_path), ("eval", eval_path))}
    if stored is not None:
        for split in ("train", "eval"):
            old = (stored.get("data") or {}).get(split, {}).get("sha256")
            if old and old != data[split]["sha256"]:
                raise InputError(f"--resume: {data[split]['path']} changed since {run_dir.name} started "
                                 f"(sha256 {data[split]['sha256'][:12]} vs {old[:12]}).",
                                 "Resume needs the same pairs; start a new run to train on the new data.")
    train_ds = load_pairs(train_path, "train")
    eval_ds = _load_eval(eval_path, s, main)

    # -- model and tokenizer
    with state.main_process_first():  # the embedded model is converted once, by rank 0
        model_path = resolve_model(cfg.model, home)
    if stored is not None and stored.get("model_path") and stored["model_path"] != model_path:
        s.warn(f"the base model now resolves to {model_path} (was {stored['model_path']}).", main)
    tok = load_tokenizer(model_path)

    lengths = {}
    for split, ds in (("train", train_ds), ("eval", eval_ds)):
        if ds is None:
            continue
        report, keep = check_lengths(ds, tok, cfg.max_length)
        lengths[split] = {"pairs": report.pairs, "truncated": report.truncated,
                          "dropped_prompt_too_long": report.prompt_too_long, "longest_tokens": report.longest}
        msg = report.message(cfg.max_length, train_path if split == "train" else eval_path)
        if msg:
            s.warn(msg, main)
        if not keep and split == "train":
            raise InputError(f"--max-length {cfg.max_length}: every prompt in train.parquet is longer than that.",
                             f"Raise --max-length (the longest pair has {report.longest} tokens).")
        if not keep:
            s.warn(f"every eval prompt is longer than --max-length {cfg.max_length}; training without evaluation.",
                   main)
            eval_ds = None
            continue
        if len(keep) < len(ds):
            ds = ds.select(keep)
        if split == "train":
            train_ds = ds
        else:
            eval_ds = ds
        data[split]["pairs"], data[split]["used"] = report.pairs, len(ds)
    if eval_ds is not None and cfg.eval_pairs is not None and cfg.eval_pairs < len(eval_ds):
        eval_ds = eval_ds.shuffle(seed=cfg.seed).select(range(cfg.eval_pairs)) if cfg.eval_pairs else None
        data["eval"]["used"] = len(eval_ds) if eval_ds is not None else 0

    # -- the run folder: written before training so an interrupted run can be resumed
    record = _record(cfg, model_path, data, lengths, hw, stored)
    if main:
        run_dir.mkdir(parents=True, exist_ok=True)
        _write_record(run_dir, record)
    state.wait_for_everyone()

    ckpt = latest_checkpoint(run_dir) if resume else None
    if resume and main:
        dropped = trim_metrics(run_dir / "metrics.jsonl", checkpoint_step(ckpt) if ckpt else 0)
        s.note(f"resuming {run_dir.name} from {ckpt.name if ckpt else 'the start (no checkpoint yet)'}"
               + (f"; dropped {dropped} metric rows logged after it" if dropped else ""), main)
    state.wait_for_everyone()

    s.note(f"run {run_dir.name}: {cfg.mode} on {cfg.model} ({hw.name}, {hw.world_size} process"
           f"{'es' if hw.world_size > 1 else ''}), {len(train_ds)} train / {len(eval_ds) if eval_ds else 0} eval pairs",
           main)
    return _train(cfg, s, state, hw, run_dir, model_path, tok, train_ds, eval_ds, record, ckpt)


def _load_eval(path: Path, s: _Session, main: bool):
    from eva_cli.train.data import load_pairs

    try:
        return load_pairs(path, "eval")
    except InputError as exc:
        if "holds no pairs" not in str(exc):
            raise
        s.warn(f"{path} holds no pairs; training without evaluation.", main)
        return None


def _record(cfg: TrainConfig, model_path: str, data: dict, lengths: dict, hw, stored: dict | None) -> dict:
    from eva_cli.train.trainer import fast_trainer_available

    rec = dict(cfg.to_dict())
    rec.update({
        "model_path": model_path,
        "status": "running",
        "data": data,
        "length_check": lengths,
        "versions": library_versions(),
        "hardware": hw.as_dict(),
        "fast_trainer": fast_trainer_available(),
        "started_at": (stored or {}).get("started_at") or _now(),
        "sessions": list((stored or {}).get("sessions") or []),
        "wall_time_s": (stored or {}).get("wall_time_s") or 0.0,
        "command": " ".join(["eva", *sys.argv[1:]]) if sys.argv else None,
    })
    return rec


def _write_record(run_dir: Path, record: dict) -> None:
    from eva_cli.atomic import write_json

    write_json(run_dir / CONFIG_FILE, record)


def _train(cfg, s: _Session, state, hw, run_dir: Path, model_path: str, tok, train_ds, eval_ds, record: dict,
           ckpt: Path | None) -> TrainResult:
    from eva_cli.train.callbacks import InterruptCallback, MetricsCallback, NaNGuard, RichProgressCallback, TokenCounter
    from eva_cli.train.modeling import OOM_HINT, count_parameters, is_oom, load_base_model
    from eva_cli.train.trainer import build_trainer

    main = state.is_main_process
    session = {"started_at": s.started_at, "from_step": checkpoint_step(ckpt) if ckpt else 0}
    tokens = TokenCounter()
    metrics_cb = MetricsCallback(run_dir / "metrics.jsonl", cfg.batch_size * cfg.grad_accum * hw.world_size,
                                 hw.device, tokens, dist_device=state.device)
    nan_guard, interrupt = NaNGuard(), InterruptCallback(dist_device=state.device)
    callbacks = [metrics_cb, nan_guard, interrupt]
    progress = None
    if main and not s.quiet:
        progress = RichProgressCallback(s.console, f"ORPO {cfg.mode}")
        callbacks.append(progress)

    try:
        model = load_base_model(cfg.mode, model_path, hw)
        record["quantization"] = quantization_record(model)
        from eva_cli.models import fit_embeddings

        new_ids = fit_embeddings(model, tok)  # ChatML tokens added for a base model without a chat template
        if new_ids:
            record["added_tokens"] = {t: i for t, i in zip(tok.convert_ids_to_tokens(new_ids), new_ids)}
        trainer = build_trainer(cfg, model, tok, train_ds, eval_ds, callbacks, run_dir=run_dir, hw=hw,
                                cache_dir=s.ws.cache_dir, token_counter=tokens, new_token_ids=new_ids)
        trainable, total = count_parameters(trainer.model)
        record["parameters"] = {"trainable": trainable, "total": total}
        interrupt.install()
        try:
            trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)
        finally:
            interrupt.uninstall()
            if progress:
                progress.stop()
    except Exception as exc:
        if is_oom(exc):
            raise EvaError(f"out of memory while training {cfg.mode} with --batch-size {cfg.batch_size} "
                           f"and --max-length {cfg.max_length} on {hw.name}.", OOM_HINT) from exc
        raise

    step = trainer.state.global_step
    session.update({"to_step": step, "wall_time_s": round(time.time() - s.started, 2), "finished_at": _now()})
    record["sessions"].append(session)
    record["wall_time_s"] = round(float(record["wall_time_s"]) + session["wall_time_s"], 2)
    record["global_step"] = step
    record["trainer_summary"] = metrics_cb.summary

    if nan_guard.bad_step is not None:
        good = latest_checkpoint(run_dir)
        record["status"] = f"failed: loss {nan_guard.bad_value} at step {nan_guard.bad_step}"
        if main:
            _write_record(run_dir, record)
            _try_report(run_dir, s)
        where = (f"the last good checkpoint is {good}" if good else "no checkpoint was saved before it")
        raise EvaError(f"training stopped: the loss became {nan_guard.bad_value} at step {nan_guard.bad_step}; "
                       f"{where}, and no adapter was written.",
                       "Start a new run with a lower --lr or --max-grad-norm, and check the pairs.")

    if interrupt.stopped_at is not None:
        record["status"] = f"interrupted at step {step}"
        if main:
            _write_record(run_dir, record)
            _try_report(run_dir, s)
        good = latest_checkpoint(run_dir)
        raise Interrupted(f"interrupted at step {step}; checkpoint saved to {good}.",
                          f"Resume with: {resume_command(s.ws, run_dir.name)}")

    _save_final(trainer, cfg, run_dir, state)
    record["status"] = "finished"
    record["finished_at"] = _now()
    from eva_cli.train.report import read_metrics, summary

    rows = read_metrics(run_dir) if (run_dir / "metrics.jsonl").is_file() else []
    record["summary"] = summary(rows)
    if main:
        from eva_cli.train.model_card import write_model_card

        _write_record(run_dir, record)
        _try_report(run_dir, s)
        write_model_card(run_dir, record)
    state.wait_for_everyone()
    return TrainResult(run_dir, "finished", step, record["wall_time_s"], record["summary"])


def quantization_record(model) -> dict | None:
    """How the base was quantized (qlora), as loaded: bitsandbytes settings and 4-bit layer count."""
    qc = getattr(model.config, "quantization_config", None)
    if qc is None:
        return None
    qc = qc if isinstance(qc, dict) else qc.to_dict()
    layers = sum(1 for m in model.modules() if type(m).__name__ == "Linear4bit")
    keys = ("load_in_4bit", "bnb_4bit_quant_type", "bnb_4bit_use_double_quant", "bnb_4bit_compute_dtype",
            "bnb_4bit_quant_storage")
    return {**{k: qc.get(k) for k in keys}, "linear4bit_layers": layers}


def _save_final(trainer, cfg, run_dir: Path, state) -> None:
    """Adapter (or full model) + tokenizer, swapped in whole once complete."""
    target = run_dir / ("model" if cfg.mode == "full" else "adapter")
    partial = run_dir / f".{target.name}.partial"
    if state.is_main_process and partial.exists():
        shutil.rmtree(partial)
    state.wait_for_everyone()
    trainer.save_model(str(partial))  # every process: FSDP / ZeRO-3 gather the weights
    state.wait_for_everyone()
    if state.is_main_process:
        trainer.processing_class.save_pretrained(str(partial))
        (partial / "training_args.bin").unlink(missing_ok=True)
        old = run_dir / f".{target.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(partial, target)
        shutil.rmtree(old, ignore_errors=True)
    state.wait_for_everyone()


def _try_report(run_dir: Path, s: _Session) -> None:
    from eva_cli.train.report import write_training_report

    try:
        write_training_report(run_dir)
    except EvaError as exc:  # no metrics rows yet: nothing to draw
        s.warn(f"no training report: {exc}", True)
    except ImportError as exc:  # plotly missing (a bare GPU box): metrics.jsonl is there for `eva report` later
        s.warn(f"no training report ({exc}); render it later with `eva report --run {run_dir.name}`.", True)
