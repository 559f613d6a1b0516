"""The format adapters, in detection order (the first whose `detect` matches wins)."""

from __future__ import annotations

from eva_cli.ingest.adapters import (amod, convai, counselchat, empathetic, esconv, instruction, intents, markers,
                                     messages, preference)
from eva_cli.ingest.adapters.base import DROP_REASONS, Adapter, Candidate, Drop

ADAPTERS: dict[str, Adapter] = {a.name: a for a in (
    empathetic.ADAPTER,
    esconv.ADAPTER,
    counselchat.ADAPTER,
    preference.ADAPTER,
    intents.ADAPTER,
    messages.ADAPTER,
    convai.ADAPTER,
    markers.ADAPTER,
    instruction.ADAPTER,
    amod.ADAPTER,
)}


def format_names() -> list[str]:
    return list(ADAPTERS)


def get_adapter(name: str) -> Adapter:
    return ADAPTERS[name]


__all__ = ["ADAPTERS", "Adapter", "Candidate", "Drop", "DROP_REASONS", "format_names", "get_adapter"]
