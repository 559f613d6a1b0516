"""amod: `Context` / `Response` rows (Amod's mental-health counseling conversations), JSON or JSON lines.

The same Context often appears with several responses; they share a group.
"""

from __future__ import annotations

from typing import Iterator

from eva_cli.ingest.adapters.base import Adapter, Candidate, Item, scalar_meta, short_hash, text_of
from eva_cli.ingest.readers import Records


def detect(records: Records) -> bool:
    cols = records.colset
    return {"context", "response"} <= cols and "utterance" not in cols


def convert(records: Records) -> Iterator[Item]:
    context, response = records.key("Context"), records.key("Response")
    for row in records.iter_rows():
        question = text_of(row.get(context))
        yield Candidate(
            group=short_hash(question),
            messages=[{"role": "user", "content": question}],
            response=text_of(row.get(response)),
            meta=scalar_meta(row, (context, response)),
        )


ADAPTER = Adapter(
    name="amod",
    summary="Context/Response pairs (Amod mental_health_counseling_conversations), JSON or JSON lines",
    fields="Context, Response",
    detect=detect,
    convert=convert,
    required=(("Context", "Response"),),
    example="eva ingest combined_dataset.json",
)
