"""empathetic: EmpatheticDialogues CSV (conv_id, utterance_idx, context, prompt, speaker_idx, utterance,
selfeval, tags).

The file is not properly quoted: commas and pipes inside text are written `_comma_` and
`_pipe_`, and some lines carry a 9th field, so a CSV reader fails on it. `parse_lines`
splits each line on commas and takes the fields by position. The speaker who opens a
conversation is the user; each reply of the other speaker (the listener) becomes an
example with the conversation so far as the messages. Group: conv_id.
"""

from __future__ import annotations

from itertools import groupby
from typing import Iterator

from eva_cli.ingest.adapters.base import Adapter, Drop, Item, dialog_items, text_of
from eva_cli.ingest.clean import undo_escapes
from eva_cli.ingest.readers import Records

COLUMNS = ["conv_id", "utterance_idx", "context", "prompt", "speaker_idx", "utterance", "selfeval", "tags"]


def parse_lines(text: str, sep: str = ",") -> tuple[list[dict], list[str], int] | None:
    """Rows from EmpatheticDialogues text, or None when the header is not its header."""
    lines = text.split("\n")
    header = [h.strip().lower() for h in lines[0].rstrip("\r").split(sep)]
    if header[:6] != COLUMNS[:6]:
        return None
    rows, malformed = [], 0
    for line in lines[1:]:
        line = line.rstrip("\r")
        if not line.strip():
            continue
        parts = line.split(sep)
        if len(parts) < 6 or not parts[1].strip().isdigit() or not parts[0].strip():
            malformed += 1
            continue
        if len(parts) < 8:
            parts += [""] * (8 - len(parts))
        rows.append(dict(zip(COLUMNS, parts[:8])))
    return rows, list(COLUMNS), malformed


def detect(records: Records) -> bool:
    return {"conv_id", "utterance_idx", "utterance"} <= records.colset


def convert(records: Records) -> Iterator[Item]:
    k = records.key
    conv, idx, speaker, utterance = k("conv_id"), k("utterance_idx"), k("speaker_idx"), k("utterance")
    emotion, situation = k("context"), k("prompt")
    for conv_id, rows in groupby(records.iter_rows(), key=lambda r: text_of(r.get(conv)).strip()):
        turns = []
        for row in rows:
            try:
                turns.append((int(text_of(row.get(idx)).strip()), row))
            except ValueError:
                yield Drop("malformed")
        if not turns:
            continue
        turns.sort(key=lambda t: t[0])
        first = text_of(turns[0][1].get(speaker)).strip() if speaker else None
        dialog, order = [], []
        for i, (n, row) in enumerate(turns):
            if speaker:
                role = "user" if text_of(row.get(speaker)).strip() == first else "assistant"
            else:  # no speaker column: speakers alternate
                role = "user" if i % 2 == 0 else "assistant"
            dialog.append({"role": role, "content": undo_escapes(text_of(row.get(utterance)))})
            order.append(n)
        head = turns[0][1]
        meta = {"conv_id": conv_id}
        if emotion and text_of(head.get(emotion)).strip():
            meta["emotion"] = text_of(head.get(emotion)).strip()
        if situation and text_of(head.get(situation)).strip():
            meta["situation"] = undo_escapes(text_of(head.get(situation))).strip()
        yield from dialog_items(
            dialog, conv_id or "?", meta, extra=order,
            block_meta=lambda i, blocks, extras: {"utterance_idx": extras[i][0]},
        )


ADAPTER = Adapter(
    name="empathetic",
    summary="EmpatheticDialogues CSV (its unquoted _comma_ layout) or a copy with the same columns",
    fields="conv_id, utterance_idx, context, prompt, speaker_idx, utterance, selfeval, tags",
    detect=detect,
    convert=convert,
    required=(("conv_id", "utterance_idx", "utterance"),),
    csv_parser=parse_lines,
    example="eva ingest empatheticdialogues/train.csv",
)
