"""instruction: `instruction` / `input` / `output` rows, as in Psych8k and MentalChat16K (JSON or CSV).

When `input` holds the client's words and `instruction` is a standing directive
("You are a helpful mental health counselling assistant..."), the user turn is the
input and the directive goes to meta; otherwise instruction and input are joined.
"""

from __future__ import annotations

import re
from typing import Iterator

from eva_cli.ingest.adapters.base import Adapter, Candidate, Item, scalar_meta, short_hash, text_of
from eva_cli.ingest.readers import Records

_DIRECTIVE = re.compile(r"^\s*(you are|you're|act as|as an? |imagine you are|pretend you are|ти |ви )", re.IGNORECASE)


def detect(records: Records) -> bool:
    return {"instruction", "output"} <= records.colset


def convert(records: Records) -> Iterator[Item]:
    k = records.key
    instruction, inp, output = k("instruction"), k("input"), k("output")
    for row in records.iter_rows():
        directive = text_of(row.get(instruction)).strip()
        words = text_of(row.get(inp)).strip() if inp else ""
        meta = scalar_meta(row, [c for c in (instruction, inp, output) if c])
        if words and _DIRECTIVE.match(directive):
            user = words
            meta["instruction"] = directive
        else:
            user = "\n\n".join(p for p in (directive, words) if p)
        yield Candidate(group=short_hash(user), messages=[{"role": "user", "content": user}],
                        response=text_of(row.get(output)), meta=meta)


ADAPTER = Adapter(
    name="instruction",
    summary="instruction/input/output rows (Psych8k, MentalChat16K), JSON, JSON lines or CSV",
    fields="instruction, input, output",
    detect=detect,
    convert=convert,
    required=(("instruction", "output"),),
    example="eva ingest Psych8k.json",
)
