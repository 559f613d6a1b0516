"""The one small interface every model backend implements.

A backend turns a chat (a list of {"role", "content"} dicts, system prompt first, ending with a
user turn) into one reply. It is async so that the Telegram bot and `eva chat` never block
their event loop on a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class BackendError(Exception):
    """A generation failed (model error, server error); the caller apologises and carries on."""


class GenerationTimeout(BackendError):
    """A generation took longer than the per-request timeout."""


@dataclass(frozen=True)
class Reply:
    """A generated reply and how many new tokens it took (for throughput figures)."""

    text: str
    tokens: int
    cut: bool = False  # it reached max_new_tokens instead of ending by itself


@runtime_checkable
class Backend(Protocol):
    """What the conversation pipeline needs from a model."""

    name: str

    async def generate(self, messages: list[dict], *, max_new_tokens: int | None = None,
                       temperature: float | None = None) -> str:
        """One reply to `messages`; one cut by the token limit ends at its last complete sentence
        (eva_cli.backends.trim). Raises BackendError (or GenerationTimeout) on failure."""
        ...

    def count_tokens(self, text: str) -> int:
        """Roughly how many prompt tokens `text` takes (for the memory budget)."""
        ...

    async def aclose(self) -> None:
        """Finish the requests already accepted, then release the model or client."""
        ...


def approx_tokens(text: str) -> int:
    """A tokenizer-free estimate (about 3.5 characters a token for en/uk text)."""
    return max(1, int(len(text) / 3.5) + 1)
