"""The `openai` backend: any OpenAI-compatible chat-completions server, with the async client.

For example vLLM serving the merged model (`eva merge`), or the base model with the run's
adapter via `--enable-lora` (see docs/deploy.md). This is the path when one machine is not
enough: the server does continuous batching; the bot only holds `max_concurrency` requests
open at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from eva_cli.backends.base import BackendError, GenerationTimeout, approx_tokens
from eva_cli.backends.trim import trim_to_sentence
from eva_cli.errors import InputError


@dataclass
class OpenAIBackendConfig:
    base_url: str  # e.g. http://127.0.0.1:8000/v1
    model: str  # the served model name (vLLM: --served-model-name, or the LoRA module name)
    api_key: str | None = None  # vLLM accepts any key unless started with --api-key
    max_concurrency: int = 8  # requests open at once
    timeout_s: float = 120.0
    max_new_tokens: int = 160
    temperature: float = 0.7
    top_p: float = 0.9
    max_retries: int = 2  # the client's own retries on connection errors, 429 and 5xx

    def __post_init__(self) -> None:
        if not self.base_url or not self.base_url.startswith(("http://", "https://")):
            raise InputError(f"--openai-base-url must be an http(s) URL such as http://127.0.0.1:8000/v1 "
                             f"(got {self.base_url!r}).")
        if not self.model:
            raise InputError("--openai-model is required with --backend openai (the served model name).")
        if self.max_concurrency < 1:
            raise InputError(f"--max-concurrency must be at least 1 (got {self.max_concurrency}).")
        if self.timeout_s <= 0:
            raise InputError(f"--timeout must be positive (got {self.timeout_s}).")


class OpenAIBackend:
    name = "openai"

    def __init__(self, config: OpenAIBackendConfig):
        from openai import AsyncOpenAI

        self.config = config
        self.label = f"{config.model} at {config.base_url}"
        self._client = AsyncOpenAI(base_url=config.base_url, api_key=config.api_key or "not-needed",
                                   timeout=config.timeout_s, max_retries=config.max_retries)
        self._slots = asyncio.Semaphore(config.max_concurrency)

    async def generate(self, messages: list[dict], *, max_new_tokens: int | None = None,
                       temperature: float | None = None) -> str:
        import openai

        cfg = self.config
        async with self._slots:
            try:
                resp = await self._client.chat.completions.create(
                    model=cfg.model, messages=messages,
                    max_tokens=max_new_tokens or cfg.max_new_tokens,
                    temperature=cfg.temperature if temperature is None else temperature,
                    top_p=cfg.top_p)
            except openai.APITimeoutError as exc:
                raise GenerationTimeout(f"no reply from {cfg.base_url} within {cfg.timeout_s:g} s") from exc
            except openai.APIStatusError as exc:
                raise BackendError(f"{cfg.base_url} answered HTTP {exc.status_code}") from exc
            except openai.APIError as exc:
                raise BackendError(f"{type(exc).__name__}: {exc}") from exc
        if not resp.choices:
            raise BackendError(f"{cfg.base_url} returned no choices")
        choice = resp.choices[0]
        text = (choice.message.content or "").strip()
        return trim_to_sentence(text) if choice.finish_reason == "length" else text

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    async def aclose(self) -> None:
        await self._client.close()
