"""markers: one `text` column holding `<HUMAN>: ... <ASSISTANT>: ...` conversations.

Each assistant turn becomes an example with the turns before it as the messages.
"""

from __future__ import annotations

import re
from typing import Iterator

from eva_cli.ingest.adapters.base import Adapter, Drop, Item, dialog_items, scalar_meta, short_hash, text_of
from eva_cli.ingest.readers import Records

_MARKER = re.compile(r"<\s*(HUMAN|ASSISTANT|USER|BOT)\s*>\s*:?", re.IGNORECASE)
_ROLES = {"human": "user", "user": "user", "assistant": "assistant", "bot": "assistant"}


def split_markers(text: str) -> list[dict]:
    """'<HUMAN>: hi <ASSISTANT>: hello' -> [{user: hi}, {assistant: hello}] (text before the first marker is dropped)."""
    parts = _MARKER.split(text)
    return [{"role": _ROLES[parts[i].lower()], "content": parts[i + 1].strip()} for i in range(1, len(parts) - 1, 2)]


def detect(records: Records) -> bool:
    text = records.key("text")
    return bool(text) and any(isinstance(r.get(text), str) and _MARKER.search(r.get(text)) for r in records.sample(20))


def convert(records: Records) -> Iterator[Item]:
    text = records.key("text")
    for row in records.iter_rows():
        turns = split_markers(text_of(row.get(text)))
        if not turns:
            yield Drop("malformed" if text_of(row.get(text)).strip() else "empty")
            continue
        first_user = next((t["content"] for t in turns if t["role"] == "user"), "")
        yield from dialog_items(turns, short_hash(first_user), scalar_meta(row, (text,)))


ADAPTER = Adapter(
    name="markers",
    summary="one `text` column of '<HUMAN>: ... <ASSISTANT>: ...' conversations",
    fields="text (with <HUMAN>: and <ASSISTANT>: markers)",
    detect=detect,
    convert=convert,
    required=(("text",),),
    example="eva ingest mental_health_chatbot.csv",
)
