"""What an adapter is and what it yields.

An adapter turns the `Records` of one source into `Candidate` examples (raw text;
the pipeline cleans, filters and deduplicates them) or `Drop(reason)` markers for
records that yield nothing, so every record is accounted for.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from eva_cli.ingest.readers import Records

# Why a candidate did not become an example (the keys of `dropped` in the report).
DROP_REASONS = {
    "malformed": "a line or record that could not be parsed",
    "empty": "no usable text: empty question, reply or conversation",
    "no_context": "a reply with no user turn before it",
    "too_short": "the reply is shorter than --min-chars",
    "too_long": "the last user turn plus the reply exceed --max-chars",
    "lang": "the language is not in --langs",
    "duplicate": "same texts (ignoring case and spacing) as an earlier example, in any source",
}


@dataclass
class Candidate:
    group: str                      # question / conversation id inside its source
    messages: list[dict]            # [{"role", "content"}], should end with a user turn
    response: str
    rejected: str | None = None
    score: float | None = None
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Drop:
    reason: str


Item = Candidate | Drop


@dataclass(frozen=True)
class Adapter:
    name: str
    summary: str                                   # one line for --list-formats
    fields: str                                    # the columns/keys it expects, for errors
    detect: Callable[[Records], bool]
    convert: Callable[[Records], Iterator[Item]]
    required: tuple[tuple[str, ...], ...] = ()     # alternatives of required columns (for --format)
    csv_parser: Callable | None = None             # tolerant text parser tried before the CSV reader
    example: str = ""                              # an example command for the README
    explain: Callable[[Records], str | None] | None = None  # why a near miss is not this format
    takes_options: bool = False                    # convert(records, options) gets the IngestOptions

    def accepts(self, records: Records) -> bool:
        """Whether --format NAME can read these records: one alternative of columns is present."""
        if not self.required:
            return self.detect(records)
        cols = records.colset
        return any(all(c.lower() in cols for c in alt) for alt in self.required)

    def read(self, records: Records, options: Any) -> Iterator[Item]:
        return self.convert(records, options) if self.takes_options else self.convert(records)

    def near_miss(self, records: Records) -> str | None:
        """What matched and what is missing, when the records come close to this format; else None."""
        if self.explain is not None:
            why = self.explain(records)
            if why:
                return why
        cols = records.colset
        best: tuple[list[str], list[str]] | None = None
        for alt in self.required:
            found = [c for c in alt if c.lower() in cols]
            if found and (best is None or len(found) > len(best[0])):
                best = (found, [c for c in alt if c.lower() not in cols])
        if best is None:
            return None
        found, missing = best
        if missing:
            return f"{', '.join(found)} matched; missing {', '.join(missing)}"
        return f"{', '.join(found)} matched, but the values are not in its shape ({self.fields})"


# ---------------------------------------------------------------- helpers shared by adapters

def short_hash(*parts: str) -> str:
    """A short stable id from text (whitespace- and case-insensitive)."""
    joined = "\x1f".join(" ".join(str(p).casefold().split()) for p in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=6).hexdigest()


def text_of(value: Any) -> str:
    """A cell as text: None/NaN -> '', numbers -> their string form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return "" if math.isnan(value) else (str(int(value)) if value.is_integer() else str(value))
    if isinstance(value, (int, bool)):
        return str(value)
    return ""


def to_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) or math.isinf(out) else out


def scalar_meta(row: dict, exclude: Iterable[str]) -> dict:
    """The row's other scalar fields (topic, id, ...), short strings only, for `meta`."""
    skip = {e.lower() for e in exclude}
    out = {}
    for k, v in row.items():
        if str(k).lower() in skip or v is None:
            continue
        if isinstance(v, bool) or isinstance(v, int):
            out[str(k)] = v
        elif isinstance(v, float) and not math.isnan(v):
            out[str(k)] = v
        elif isinstance(v, str) and v.strip() and len(v) <= 200:
            out[str(k)] = v.strip()
    return out


ROLE_NAMES = {
    "user": "user", "human": "user", "usr": "user", "seeker": "user", "patient": "user", "client": "user",
    "prompter": "user",
    "assistant": "assistant", "gpt": "assistant", "bot": "assistant", "model": "assistant", "sys": "assistant",
    "supporter": "assistant", "therapist": "assistant", "counselor": "assistant", "chatgpt": "assistant",
    "system": "system",
}


def normalize_turns(turns: Any) -> list[dict] | None:
    """[{role, content}] or ShareGPT [{from, value}] -> [{role, content}]; None if malformed."""
    if not isinstance(turns, list):
        return None
    out = []
    for turn in turns:
        if not isinstance(turn, dict):
            return None
        role = turn.get("role", turn.get("from", turn.get("speaker")))
        content = turn.get("content", turn.get("value", turn.get("text")))
        role = ROLE_NAMES.get(str(role).strip().lower()) if role is not None else None
        if isinstance(content, list):  # OpenAI-style content parts: keep the text parts
            parts = [p.get("text") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
            content = "\n".join(parts) if parts or not content else None
        if role is None or not isinstance(content, (str, type(None))):
            return None
        out.append({"role": role, "content": (content or "").strip()})
    return out


def merge_turns(turns: list[dict], extra: list[Any] | None = None) -> tuple[list[dict], list[list[Any]]]:
    """Drop empty turns and join consecutive turns of one role; `extra` items ride along per block."""
    blocks: list[dict] = []
    extras: list[list[Any]] = []
    for i, turn in enumerate(turns):
        content = turn["content"].strip()
        if not content:
            continue
        if blocks and blocks[-1]["role"] == turn["role"]:
            blocks[-1] = {"role": turn["role"], "content": blocks[-1]["content"] + "\n" + content}
            extras[-1].append(extra[i] if extra else None)
        else:
            blocks.append({"role": turn["role"], "content": content})
            extras.append([extra[i] if extra else None])
    return blocks, extras


def dialog_items(turns: list[dict], group: str, meta: dict, extra: list[Any] | None = None,
                 block_meta: Callable[[int, list[dict], list[list[Any]]], dict] | None = None,
                 score: Callable[[int, list[dict], list[list[Any]]], float | None] | None = None) -> Iterator[Item]:
    """One candidate per assistant block, its context being every block before it.

    A conversation with no assistant reply yields Drop('empty'); a reply with no user
    turn before it, Drop('no_context').
    """
    blocks, extras = merge_turns(turns, extra)
    replies = [i for i, b in enumerate(blocks) if b["role"] == "assistant"]
    if not replies:
        yield Drop("empty")
        return
    for i in replies:
        context = blocks[:i]
        if not context or context[-1]["role"] != "user":
            yield Drop("no_context")
            continue
        m = dict(meta)
        m["turn"] = i
        if block_meta:
            m.update(block_meta(i, blocks, extras))
        yield Candidate(group=group, messages=[dict(b) for b in context], response=blocks[i]["content"],
                        score=score(i, blocks, extras) if score else None, meta=m)
