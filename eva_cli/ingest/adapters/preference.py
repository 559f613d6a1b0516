"""preference: sources that already carry a preferred and a rejected reply.

Either `prompt` / `chosen` / `rejected` (strings, or message lists as in UltraFeedback-style
data, where `chosen` may hold the whole conversation and `prompt` may be absent), or
`question` / `response_j` / `response_k` (StackExchange-paired style; response_j preferred).
"""

from __future__ import annotations

from typing import Any, Iterator

from eva_cli.ingest.adapters.base import (Adapter, Candidate, Drop, Item, normalize_turns, scalar_meta,
                                          short_hash, text_of, to_float)
from eva_cli.ingest.readers import Records

_SCORE_KEYS = ("score_chosen", "chosen_score", "score_j", "score")


def detect(records: Records) -> bool:
    cols = records.colset
    return {"chosen", "rejected"} <= cols or {"question", "response_j", "response_k"} <= cols


def _reply(value: Any) -> tuple[list[dict] | None, str | None]:
    """A chosen/rejected value -> (the turns before the reply, the reply); (None, None) if malformed."""
    if isinstance(value, str):
        return [], value
    turns = normalize_turns(value)
    if not turns:
        return None, None
    if turns[-1]["role"] != "assistant":
        return None, None
    return turns[:-1], turns[-1]["content"]


def _prompt(value: Any) -> list[dict] | None:
    if value is None or isinstance(value, str):
        return [{"role": "user", "content": value}] if value and value.strip() else []
    return normalize_turns(value)


def convert(records: Records) -> Iterator[Item]:
    k = records.key
    if k("chosen") and k("rejected"):
        prompt_col, chosen_col, rejected_col = k("prompt"), k("chosen"), k("rejected")
    else:
        prompt_col, chosen_col, rejected_col = k("question"), k("response_j"), k("response_k")
    id_col, score_col = k("id", "qid", "prompt_id"), k(*_SCORE_KEYS)
    used = [c for c in (prompt_col, chosen_col, rejected_col) if c]
    for row in records.iter_rows():
        prompt = _prompt(row.get(prompt_col)) if prompt_col else []
        before_chosen, chosen = _reply(row.get(chosen_col))
        _, rejected = _reply(row.get(rejected_col))
        if prompt is None or chosen is None or rejected is None:
            yield Drop("malformed")
            continue
        messages = prompt or before_chosen  # the prompt can live inside `chosen`
        first_user = next((m["content"] for m in messages if m["role"] == "user"), "")
        group = text_of(row.get(id_col)).strip() if id_col else ""
        meta = scalar_meta(row, used)
        yield Candidate(group=group or short_hash(first_user), messages=messages, response=chosen,
                        rejected=rejected, score=to_float(row.get(score_col)) if score_col else None, meta=meta)


ADAPTER = Adapter(
    name="preference",
    summary="rows with a preferred and a rejected reply: prompt/chosen/rejected or question/response_j/response_k",
    fields="prompt, chosen, rejected (strings or message lists) | question, response_j, response_k",
    detect=detect,
    convert=convert,
    required=(("chosen", "rejected"), ("question", "response_j", "response_k")),
    example="eva ingest preference.jsonl",
)
