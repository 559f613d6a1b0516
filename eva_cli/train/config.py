"""`TrainConfig`: every `eva train` option with its default, help text and validation.

Precedence, lowest first: the defaults below (the reference hyperparameters), a named preset
(`--preset quick`), a `--config FILE.yaml`, then flags given on the command line, the same
way TRL's argument parser puts YAML values under flags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from eva_cli.errors import InputError

MODES = ("qlora", "lora", "full")
REPORT_TO = ("none", "tensorboard", "wandb")
TRISTATE = ("auto", "on", "off")


def _f(default: Any, help: str):
    return field(default=default, metadata={"help": help})


@dataclass
class TrainConfig:
    model: str = _f("embedded", "Base model: `embedded`, a Hugging Face id in the local cache, or a local folder.")
    mode: str = _f("qlora", "qlora: 4-bit NF4 base + LoRA; lora: full-precision base + LoRA; full: all weights.")
    epochs: float = _f(10.0, "Training epochs over the train pairs (ignored when --max-steps is set).")
    lr: float = _f(1e-5, "Peak learning rate.")
    batch_size: int = _f(4, "Pairs per device per step.")
    grad_accum: int = _f(1, "Gradient accumulation steps (effective batch = batch-size x grad-accum x processes).")
    optim: str = _f("paged_adamw_8bit", "Optimizer name as transformers spells it (paged_adamw_8bit, adamw_torch, ...).")
    beta: float = _f(0.1, "ORPO beta: weight of the odds-ratio term against the NLL term.")
    max_length: int = _f(1024, "Maximum tokens of prompt + answer; longer answers are truncated.")
    lora_r: int = _f(16, "LoRA rank.")
    lora_alpha: int = _f(32, "LoRA alpha (scaling = alpha / r).")
    lora_dropout: float = _f(0.05, "Dropout on the LoRA branch.")
    target_modules: str = _f("all-linear", "LoRA target modules: all-linear, or comma-separated names (q_proj,v_proj).")
    max_steps: int | None = _f(None, "Stop after this many optimizer steps (overrides --epochs).")
    eval_steps: int | None = _f(None, "Evaluate every N steps (default: each epoch, or once at the end with --max-steps).")
    save_steps: int | None = _f(None, "Checkpoint every N steps (default: each epoch, or once at the end with --max-steps).")
    eval_pairs: int | None = _f(None, "Evaluate on at most N eval pairs, a seeded random subset (0: no evaluation; default: all).")
    logging_steps: int = _f(1, "Write a metrics row every N steps.")
    warmup_ratio: float = _f(0.0, "Fraction of the steps spent warming the learning rate up linearly.")
    lr_scheduler: str = _f("linear", "Learning-rate schedule (linear, cosine, constant, ...).")
    weight_decay: float = _f(0.0, "AdamW weight decay.")
    max_grad_norm: float = _f(1.0, "Gradient clipping norm.")
    save_total_limit: int = _f(2, "Checkpoints kept in runs/<run>/checkpoints/ (oldest are deleted).")
    run: str | None = _f(None, "Run name under workspace/runs/ (default: a timestamp).")
    seed: int = _f(42, "Random seed (data order, LoRA init, dropout).")
    report_to: str = _f("none", "Also log to: none, tensorboard or wandb.")
    preset: str | None = _f(None, "Named preset applied under --config and flags: quick (CPU demo) or paper "
                                  "(the reference QLoRA recipe on Llama 3 8B Instruct, one GPU).")
    # speed-ups (eva_cli.train.fast_trainer); each is on by default and a flag turns it off
    length_grouping: bool = _f(True, "Group pairs of similar length into batches (less padding).")
    token_cache: bool = _f(True, "Tokenize the pairs once and cache them under workspace/cache/.")
    pad_multiple: str = _f("auto", "Pad batches to a multiple of N tokens: a number, auto or off.")
    liger: str = _f("auto", "Liger fused kernels: auto (on when installed and on a GPU), on or off.")
    grad_checkpointing: str = _f("auto", "Gradient checkpointing: auto, on or off.")

    def __post_init__(self) -> None:
        self.mode = str(self.mode).lower()
        if self.mode not in MODES:
            raise InputError(f"--mode: {self.mode!r} is not one of {', '.join(MODES)}.", "Use --qlora, --lora or --full.")
        _positive("--epochs", self.epochs)
        _positive("--lr", self.lr)
        for flag, value in (("--batch-size", self.batch_size), ("--grad-accum", self.grad_accum),
                            ("--lora-r", self.lora_r), ("--lora-alpha", self.lora_alpha),
                            ("--logging-steps", self.logging_steps), ("--save-total-limit", self.save_total_limit)):
            _positive_int(flag, value)
        for flag, value in (("--max-steps", self.max_steps), ("--eval-steps", self.eval_steps),
                            ("--save-steps", self.save_steps)):
            if value is not None:
                _positive_int(flag, value)
        if self.eval_pairs is not None and (not isinstance(self.eval_pairs, int) or self.eval_pairs < 0):
            raise InputError(f"--eval-pairs: {self.eval_pairs!r} must be a whole number >= 0.")
        if self.max_length < 16:
            raise InputError(f"--max-length: {self.max_length} is too short (need at least 16 tokens).")
        _positive("--beta", self.beta)
        if not 0.0 <= self.lora_dropout < 1.0:
            raise InputError(f"--lora-dropout: {self.lora_dropout} must be in [0, 1).")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise InputError(f"--warmup-ratio: {self.warmup_ratio} must be in [0, 1).")
        if self.weight_decay < 0 or self.max_grad_norm <= 0:
            raise InputError("--weight-decay must be >= 0 and --max-grad-norm > 0.")
        self.report_to = str(self.report_to).lower()
        if self.report_to not in REPORT_TO:
            raise InputError(f"--report-to: {self.report_to!r} is not one of {', '.join(REPORT_TO)}.")
        if not self.target_modules or not str(self.target_modules).strip():
            raise InputError("--target-modules is empty.", "Use all-linear or names such as q_proj,v_proj.")
        if self.run is not None:
            self.run = str(self.run)
            if not self.run or "/" in self.run or "\\" in self.run or self.run.startswith("."):
                raise InputError(f"--run: {self.run!r} is not a usable folder name.", "Use letters, digits, - and _.")
        self.pad_multiple = str(self.pad_multiple).lower()
        if self.pad_multiple not in ("auto", "off") and not (self.pad_multiple.isdigit() and int(self.pad_multiple) > 0):
            raise InputError(f"--pad-multiple: {self.pad_multiple!r} must be a positive number, auto or off.")
        self.liger = _tristate("--liger", self.liger)
        self.grad_checkpointing = _tristate("--grad-checkpointing", self.grad_checkpointing)
        if self.preset is not None and self.preset not in PRESETS:
            raise InputError(f"--preset: unknown preset {self.preset!r}.", f"Presets: {', '.join(PRESETS)}.")

    @property
    def lora_targets(self) -> str | list[str]:
        t = str(self.target_modules).strip()
        return t if t == "all-linear" else [m.strip() for m in t.split(",") if m.strip()]

    def to_dict(self) -> dict:
        return asdict(self)


def _positive(flag: str, value) -> None:
    if not isinstance(value, (int, float)) or value <= 0:
        raise InputError(f"{flag}: {value!r} must be a positive number.")


def _positive_int(flag: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InputError(f"{flag}: {value!r} must be a positive whole number.")


def _tristate(flag: str, value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    value = str(value).lower()
    value = {"true": "on", "false": "off", "1": "on", "0": "off"}.get(value, value)
    if value not in TRISTATE:
        raise InputError(f"{flag}: {value!r} must be auto, on or off.")
    return value


# `quick`: the CPU demo (`make demo`) on the embedded 135M model: 40 steps of 4 pairs (160 of the ~400 train
# pairs, about 5-6 minutes on 2 cores), a LoRA learning rate, and beta 0.5 so the odds-ratio term weighs
# enough in so few steps to move the held-out preference (docs/results.md); eval on 8 held-out pairs at the end.
# `paper`: the reference recipe (the paper's Llama 3 fine-tune) on one GPU: QLoRA (NF4, double quantization),
# paged 8-bit AdamW, 10 epochs at lr 1e-5, batch 4, max length 1024, LoRA r16 on all linear layers, gradient
# checkpointing on. Its model, Meta-Llama-3-8B-Instruct, loads from the local Hugging Face cache (`hf download`).
PAPER_MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"
PRESETS: dict[str, dict[str, Any]] = {
    "quick": dict(mode="lora", max_steps=40, batch_size=4, lr=5e-4, beta=0.5, max_length=512, save_steps=20,
                  warmup_ratio=0.1, lora_dropout=0.0, eval_pairs=8),
    "paper": dict(model=PAPER_MODEL, mode="qlora", epochs=10.0, lr=1e-5, batch_size=4, grad_accum=1,
                  optim="paged_adamw_8bit", beta=0.1, max_length=1024, lora_r=16, lora_alpha=32, lora_dropout=0.05,
                  target_modules="all-linear", grad_checkpointing="on"),
}

FIELD_NAMES = tuple(f.name for f in fields(TrainConfig))
_TYPES = {f.name: str(f.type) for f in fields(TrainConfig)}


def _coerce(name: str, value: Any, source: Path | None) -> Any:
    """YAML 1.1 reads `1e-4` as a string and `off` as False: bring values to the field's type."""
    kind = _TYPES[name]
    if value is None:
        return None
    try:
        if kind.startswith("float"):
            return float(value)
        if kind.startswith("int"):
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError(value)
            return int(float(value))
        if kind == "bool":
            if isinstance(value, bool):
                return value
            low = str(value).lower()
            if low in ("true", "yes", "on", "1"):
                return True
            if low in ("false", "no", "off", "0"):
                return False
            raise ValueError(value)
        if kind.startswith("str") and isinstance(value, bool) and name in ("liger", "grad_checkpointing", "pad_multiple"):
            return "on" if value else "off"
        return str(value) if kind.startswith("str") else value
    except (TypeError, ValueError):
        raise InputError(f"--config: {source}: {name.replace('_', '-')}: {value!r} is not a valid {kind.split(' ')[0]}.")


def help_for(name: str) -> str:
    return next(f.metadata["help"] for f in fields(TrainConfig) if f.name == name)


def read_yaml_config(path: Path) -> dict[str, Any]:
    """Option values from a YAML mapping; keys are field names (dashes or underscores)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--config: {path} does not exist.", "Give a YAML file of option: value lines.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"--config: {path} is not valid YAML ({str(exc).splitlines()[0]}).") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"--config: {path} must hold a mapping of option: value.")
    out = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name not in FIELD_NAMES:
            raise InputError(f"--config: {path} has an unknown option {key!r}.",
                             f"Known options: {', '.join(n.replace('_', '-') for n in FIELD_NAMES)}.")
        out[name] = value
    return out


def resolve_config(flags: dict[str, Any], config_file: Path | None = None,
                   base: dict[str, Any] | None = None) -> TrainConfig:
    """defaults < `base` (a resumed run's config) < preset < YAML < flags; None in `flags` means 'not given'."""
    given = {k: v for k, v in flags.items() if v is not None}
    unknown = set(given) - set(FIELD_NAMES)
    if unknown:
        raise InputError(f"unknown training options: {', '.join(sorted(unknown))}.")
    from_file = read_yaml_config(config_file) if config_file else {}
    preset = given.get("preset", from_file.get("preset"))  # a resumed run's preset is already in `base`
    values: dict[str, Any] = {}
    values.update({k: v for k, v in (base or {}).items() if k in FIELD_NAMES})
    if preset is not None:
        if preset not in PRESETS:
            raise InputError(f"--preset: unknown preset {preset!r}.", f"Presets: {', '.join(PRESETS)}.")
        values.update(PRESETS[preset])
        values["preset"] = preset
    values.update({k: _coerce(k, v, config_file) for k, v in from_file.items()})
    values.update(given)
    try:
        return TrainConfig(**values)
    except TypeError as exc:  # a YAML value of the wrong shape
        raise InputError(f"training options: {exc}.") from exc
