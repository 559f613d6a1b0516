"""intents: Kaggle chatbot `intents.json` ({"intents": [{tag, patterns, responses}]}).

Every pattern paired with every response of its intent is one example; the tag is the group.
"""

from __future__ import annotations

from typing import Iterator

from eva_cli.ingest.adapters.base import Adapter, Candidate, Drop, Item, text_of
from eva_cli.ingest.readers import Records


def detect(records: Records) -> bool:
    return {"tag", "patterns", "responses"} <= records.colset


def _texts(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    return [text_of(v) for v in value if text_of(v).strip()] if isinstance(value, list) else []


def convert(records: Records) -> Iterator[Item]:
    tag_col, patterns_col, responses_col = records.key("tag"), records.key("patterns"), records.key("responses")
    for row in records.iter_rows():
        tag = text_of(row.get(tag_col)).strip()
        patterns, responses = _texts(row.get(patterns_col)), _texts(row.get(responses_col))
        if not isinstance(row.get(patterns_col), (list, str)) or not isinstance(row.get(responses_col), (list, str)):
            yield Drop("malformed")
            continue
        if not patterns or not responses:
            yield Drop("empty")
            continue
        for pattern in patterns:
            for response in responses:
                yield Candidate(group=tag or pattern, messages=[{"role": "user", "content": pattern}],
                                response=response, meta={"tag": tag} if tag else {})


ADAPTER = Adapter(
    name="intents",
    summary="Kaggle chatbot intents.json: each pattern x response of an intent; the tag is the group",
    fields="intents[{tag, patterns[], responses[]}]",
    detect=detect,
    convert=convert,
    required=(("tag", "patterns", "responses"),),
    example="eva ingest intents.json",
)
