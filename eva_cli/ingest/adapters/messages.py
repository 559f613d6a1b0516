"""messages: chat JSON lines (`{"messages": [{role, content}]}`) or ShareGPT (`conversations: [{from, value}]`).

Consecutive turns of one role are merged; each assistant turn becomes one example with the
turns before it (a system message included) as the messages. Other scalar fields (id,
topic, ...) go to meta; `id` / `conversation_id` is the group when present.
"""

from __future__ import annotations

from typing import Iterator

from eva_cli.ingest.adapters.base import (Adapter, Drop, Item, dialog_items, normalize_turns, scalar_meta,
                                          short_hash, text_of)
from eva_cli.ingest.readers import Records


def detect(records: Records) -> bool:
    col = records.key("messages", "conversations")
    return bool(col) and any(isinstance(r.get(col), list) for r in records.sample(20))


def convert(records: Records) -> Iterator[Item]:
    col = records.key("messages", "conversations")
    id_col = records.key("conversation_id", "conv_id", "id")
    for row in records.iter_rows():
        turns = normalize_turns(row.get(col))
        if turns is None:
            yield Drop("malformed")
            continue
        first_user = next((t["content"] for t in turns if t["role"] == "user"), "")
        group = text_of(row.get(id_col)).strip() if id_col else ""
        yield from dialog_items(turns, group or short_hash(first_user), scalar_meta(row, (col,)))


ADAPTER = Adapter(
    name="messages",
    summary='chat JSON lines {"messages":[{role,content}]} or ShareGPT {"conversations":[{from,value}]}',
    fields="messages[{role, content}] | conversations[{from, value}]",
    detect=detect,
    convert=convert,
    required=(("messages",), ("conversations",)),
    example="eva ingest conversations.jsonl",
)
