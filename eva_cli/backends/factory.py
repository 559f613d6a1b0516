"""Build the backend that `--backend`, `--run`, `--model` and the `--openai-*` flags name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eva_cli.errors import InputError

BACKENDS = ("local", "openai")


@dataclass
class BackendOptions:
    backend: str = "local"
    run: str | None = None  # a run in the workspace (base + adapter, or full weights)
    model: str | None = None  # embedded | a local folder | a HF id in the local cache
    openai_base_url: str | None = None
    openai_model: str | None = None
    openai_api_key: str | None = None
    max_concurrency: int = 8
    timeout_s: float = 120.0
    max_new_tokens: int = 160
    temperature: float = 0.7
    device: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise InputError(f"--backend must be one of {', '.join(BACKENDS)} (got {self.backend!r}).")
        if self.run and self.model:
            raise InputError("--run and --model are alternatives: give one of them.",
                             "--run serves a trained run (base + adapter); --model serves a plain model.")
        if self.backend == "openai" and (self.run or self.model):
            raise InputError("--run/--model choose a local model; with --backend openai use --openai-model.")


def build_backend(opts: BackendOptions, workspace, home: Path, default_model: str = "embedded"):
    """A ready backend (the local model is loaded here, which can take a while)."""
    if opts.backend == "openai":
        from eva_cli.backends.openai import OpenAIBackend, OpenAIBackendConfig

        if not opts.openai_base_url:
            raise InputError("--backend openai needs --openai-base-url (env EVA_OPENAI_BASE_URL), "
                             "e.g. http://127.0.0.1:8000/v1.")
        return OpenAIBackend(OpenAIBackendConfig(
            base_url=opts.openai_base_url, model=opts.openai_model or "", api_key=opts.openai_api_key,
            max_concurrency=opts.max_concurrency, timeout_s=opts.timeout_s,
            max_new_tokens=opts.max_new_tokens, temperature=opts.temperature))

    from eva_cli.backends.local import LocalBackend, LocalBackendConfig

    config = LocalBackendConfig(max_concurrency=opts.max_concurrency, timeout_s=opts.timeout_s,
                                max_new_tokens=opts.max_new_tokens, temperature=opts.temperature,
                                device=opts.device)
    if opts.run:
        return LocalBackend.from_run(workspace.resolve_run(opts.run), config)
    return LocalBackend.from_model(opts.model or default_model, home, config)
