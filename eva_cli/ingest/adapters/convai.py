"""convai: the `personality` / `utterances` layout of Hugging Face's transfer-learning-conv-ai.

Each dialog is `{"personality": [sentences], "utterances": [{"history": [turns], "candidates": [replies]}]}`,
in a JSON list or under `train` / `valid` keys (both are read, the key kept as `split` in meta). As in
that format, the history alternates speakers and ends with the other person's turn, and the LAST
candidate is the gold reply; the others are random distractors taken from other dialogs. Each
utterance becomes one example: the history as messages (its last turn the user's), the gold reply
as the response. The personality goes to meta, not into the prompt (eva adds its own persona).

With `--convai-distractors N`, N of the distractors (the ones just before the gold reply) each give
one more example with that distractor as the rejected reply; off by default, since a random reply
from another dialog is an easy negative (the `mismatch` strategy already makes those).
"""

from __future__ import annotations

from typing import Any, Iterator

from eva_cli.ingest.adapters.base import Adapter, Candidate, Drop, Item, short_hash, text_of
from eva_cli.ingest.readers import Records


def _is_utterance(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("history"), list) and isinstance(
        value.get("candidates"), list)


def detect(records: Records) -> bool:
    col = records.key("utterances")
    if col is None:
        return False
    return any(isinstance(r.get(col), list) and r[col] and _is_utterance(r[col][0]) for r in records.sample(20))


def explain(records: Records) -> str | None:
    col = records.key("utterances")
    if col is None:
        return None
    for row in records.sample(20):
        value = row.get(col)
        if isinstance(value, list) and value:
            keys = ", ".join(sorted(map(str, value[0]))[:6]) if isinstance(value[0], dict) else type(value[0]).__name__
            return f"column utterances matched, but its items need history and candidates lists (found: {keys})"
    return "column utterances matched, but it holds no list of utterances"


def convert(records: Records, options: Any = None) -> Iterator[Item]:
    distractors = int(getattr(options, "convai_distractors", 0) or 0)
    personality_col, utterances_col = records.key("personality"), records.key("utterances")
    for index, row in enumerate(records.iter_rows()):
        utterances = row.get(utterances_col)
        if not isinstance(utterances, list) or not utterances:
            yield Drop("malformed")
            continue
        persona = row.get(personality_col) if personality_col else None
        persona = [text_of(p).strip() for p in persona if text_of(p).strip()] if isinstance(persona, list) else []
        meta: dict = {"dialog": index}
        if persona:
            meta["personality"] = persona
        split = text_of(row.get("split")).strip()
        if split:
            meta["split"] = split
        first = next((text_of(u["history"][0]) for u in utterances if _is_utterance(u) and u["history"]), "")
        group = short_hash(" ".join(persona), first, str(index))
        for turn, utterance in enumerate(utterances):
            yield from _utterance(utterance, group, dict(meta, utterance=turn), distractors)


def _utterance(utterance: Any, group: str, meta: dict, distractors: int) -> Iterator[Item]:
    if not _is_utterance(utterance) or not utterance["candidates"]:
        yield Drop("malformed")
        return
    history = [text_of(t) for t in utterance["history"]]
    if not history:
        yield Drop("no_context")
        return
    # the last history turn is the other person's: count roles back from it
    messages = [{"role": "user" if (len(history) - 1 - k) % 2 == 0 else "assistant", "content": text}
                for k, text in enumerate(history)]
    candidates = [text_of(c) for c in utterance["candidates"]]
    gold = candidates[-1]
    yield Candidate(group=group, messages=messages, response=gold, meta=meta)
    others = [c for c in reversed(candidates[:-1]) if c.strip() and c.strip() != gold.strip()]
    for rejected in others[:distractors]:
        yield Candidate(group=group, messages=messages, response=gold, rejected=rejected,
                        meta=dict(meta, rejected="distractor"))


ADAPTER = Adapter(
    name="convai",
    summary="transfer-learning-conv-ai dialogs: personality + utterances[{history, candidates}]; the last candidate is gold",
    fields="personality, utterances[{history, candidates}] (a list, or under train/valid)",
    detect=detect,
    convert=convert,
    required=(("utterances",),),
    example="eva ingest counsel_chat_250-tokens_full.json",
    explain=explain,
    takes_options=True,
)
