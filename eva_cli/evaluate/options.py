"""What `eva eval` is asked to do: one validated dataclass shared by the CLI and the runner."""

from __future__ import annotations

from dataclasses import dataclass, field

from eva_cli.errors import InputError

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")
QUANTIZE = ("auto", "none", "4bit")


@dataclass
class EvalOptions:
    run: str | None = field(default=None, metadata={"help": "Run name under workspace/runs; None = the latest run."})
    pairs: str = field(default="eval", metadata={"help": "`eval`, `train` (not held out!) or a path to a pairs parquet."})
    baseline: bool = field(default=True, metadata={"help": "Also score the base model (adapter disabled)."})
    batch_size: int = field(default=8, metadata={"help": "Pairs per forward pass (2x sequences: chosen + rejected)."})
    generate: int = field(default=0, metadata={"help": "Held-out prompts to generate replies for (0 = none)."})
    judge_url: str | None = field(default=None, metadata={"help": "OpenAI-compatible endpoint that rates replies."})
    judge_model: str | None = field(default=None, metadata={"help": "Judge model name; default: the first model the endpoint lists at /v1/models."})
    judge_api_key: str | None = field(default=None, metadata={"help": "Bearer token for the judge endpoint (EVA_OPENAI_API_KEY)."})
    judge_timeout: float = field(default=60.0, metadata={"help": "Seconds per judge request."})
    model: str | None = field(default=None, metadata={"help": "Base model; must be the adapter's base. None = from train-config.json."})
    limit: int = field(default=0, metadata={"help": "Score only the first N pairs (0 = all)."})
    max_new_tokens: int = field(default=160, metadata={"help": "Generation length cap."})
    temperature: float = field(default=0.7, metadata={"help": "Sampling temperature for generation (0 = greedy)."})
    seed: int = field(default=42, metadata={"help": "Seed for generation, prompt choice and the bootstrap."})
    bootstrap: int = field(default=2000, metadata={"help": "Bootstrap resamples for the 95% CIs."})
    device: str = field(default="auto", metadata={"help": "auto | cpu | cuda."})
    dtype: str = field(default="auto", metadata={"help": "auto (bf16 on GPU, fp32 on CPU) | float32 | bfloat16 | float16."})
    quantize: str = field(default="auto", metadata={"help": "auto (NF4 base for qlora runs, as trained) | none | 4bit."})
    review: str | None = field(default=None, metadata={"help": "Add a human section from workspace/review/NAME (eva review)."})

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise InputError(f"--batch-size must be at least 1 (got {self.batch_size}).")
        if self.generate < 0:
            raise InputError(f"--generate must be 0 or more (got {self.generate}).")
        if self.limit < 0:
            raise InputError(f"--limit must be 0 or more (got {self.limit}).")
        if self.max_new_tokens < 1:
            raise InputError(f"--max-new-tokens must be at least 1 (got {self.max_new_tokens}).")
        if self.temperature < 0:
            raise InputError(f"--temperature must be 0 or more (got {self.temperature}).")
        if self.bootstrap < 100:
            raise InputError(f"--bootstrap must be at least 100 resamples (got {self.bootstrap}).")
        if self.judge_timeout <= 0:
            raise InputError(f"--judge-timeout must be positive (got {self.judge_timeout}).")
        if self.device not in DEVICES:
            raise InputError(f"--device must be one of {', '.join(DEVICES)} (got {self.device!r}).")
        if self.dtype not in DTYPES:
            raise InputError(f"--dtype must be one of {', '.join(DTYPES)} (got {self.dtype!r}).")
        if self.quantize not in QUANTIZE:
            raise InputError(f"--quantize must be one of {', '.join(QUANTIZE)} (got {self.quantize!r}).")
        if self.judge_url and self.generate == 0:
            raise InputError("--judge-url rates generated replies: add --generate N (for example --generate 16).")
        if self.judge_url and not self.judge_url.startswith(("http://", "https://")):
            raise InputError(f"--judge-url must start with http:// or https:// (got {self.judge_url!r}).")
