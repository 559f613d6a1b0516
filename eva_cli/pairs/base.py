"""The pieces every pair strategy shares: the examples, one pair, the strategy protocol.

A strategy turns examples (or another input, such as bot feedback) into `Pair`s. It never
adds the system prompt, checks leakage or writes files: `build.py` does that once for all.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:  # numpy is only needed when a build runs
    import numpy as np
    import pyarrow as pa

_WORD = re.compile(r"\w+", re.UNICODE)


def norm_text(text: str) -> str:
    """Lower-case words only: what 'the same text' means for leakage, ties and duplicates."""
    return " ".join(_WORD.findall((text or "").lower()))


def word_count(text: str) -> int:
    return len((text or "").split())


def stable_hash(*parts: str, length: int = 16) -> str:
    """A short content hash that does not depend on the Python process (unlike hash())."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def strip_system(messages: Sequence[dict]) -> list[dict]:
    """The conversation without system turns (the persona is added later, once)."""
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in messages if m.get("role") != "system"]


def prompt_key(messages: Sequence[dict]) -> str:
    """The normalized prompt text, compared across splits for leakage."""
    return "\n".join(f"{m['role']}:{norm_text(m['content'])}" for m in messages if m.get("role") != "system")


def last_user_text(messages: Sequence[dict]) -> str:
    for m in reversed(messages):
        if m.get("role") == "user":
            return str(m.get("content") or "")
    return ""


def meta_topic(meta: str | None) -> str | None:
    """The topic an ingest adapter recorded in `meta` (`topic` or the first of `topics`), if any."""
    if not meta or "topic" not in meta:
        return None
    try:
        obj = json.loads(meta)
    except (TypeError, ValueError):
        return None
    if not isinstance(obj, dict):
        return None
    topic = obj.get("topic")
    if topic is None:
        topics = obj.get("topics")
        if isinstance(topics, list) and topics:
            topic = topics[0]
        elif isinstance(topics, str):
            topic = topics.split(",")[0]
    topic = str(topic or "").split(",")[0].strip().lower()
    return topic or None


@dataclass
class ExampleSet:
    """examples.parquet as plain column lists (fast to loop over), plus derived columns."""

    ids: list[str]
    sources: list[str]
    formats: list[str]
    groups: list[str]
    messages: list[list[dict]]
    responses: list[str]
    rejected: list[str | None]
    scores: list[float | None]
    langs: list[str]
    splits: list[str]
    topics: list[str | None]
    user_texts: list[str] = field(default_factory=list)
    prompt_keys: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.user_texts:
            self.user_texts = [last_user_text(m) for m in self.messages]
        if not self.prompt_keys:
            self.prompt_keys = [prompt_key(m) for m in self.messages]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_table(cls, table: "pa.Table") -> "ExampleSet":
        col = lambda name: table.column(name).to_pylist()  # noqa: E731
        messages = [strip_system(m or []) for m in col("messages")]
        metas = col("meta") if "meta" in table.column_names else [None] * table.num_rows
        topic_of: dict[str | None, str | None] = {}  # many rows share one meta string
        return cls(
            ids=[str(x) for x in col("id")],
            sources=[str(x or "") for x in col("source")],
            formats=[str(x or "") for x in col("format")],
            groups=[str(x if x is not None else "") for x in col("group")],
            messages=messages,
            responses=[str(x or "") for x in col("response")],
            rejected=[x if x else None for x in col("rejected")],
            scores=[None if x is None or x != x else float(x) for x in col("score")],
            langs=[str(x or "other") for x in col("lang")],
            splits=[str(x or "train") for x in col("split")],
            topics=[topic_of[m] if m in topic_of else topic_of.setdefault(m, meta_topic(m)) for m in metas],
        )

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> "ExampleSet":
        """For tests and other callers with rows shaped like schema.EXAMPLES."""
        import pyarrow as pa

        from eva_cli.schema import EXAMPLES

        full = [{name: r.get(name) for name in EXAMPLES.names} for r in rows]
        return cls.from_table(pa.Table.from_pylist(full, schema=EXAMPLES))


@dataclass(slots=True)
class Pair:
    """One preference pair before the persona is added. `messages` ends with a user turn."""

    example_id: str
    messages: list[dict]
    chosen: str
    rejected: str
    strategy: str
    source: str
    lang: str
    split: str
    prompt_key: str = ""
    kind: str = ""  # a finer label for the report (the rewrite kind, 'scores' or 'rejected' for ranked)
    id: str = ""  # set by build: stable hash of (example_id, strategy, chosen, rejected)


CHOSEN_MARGIN = 0.1  # a scored reply may be chosen when score >= top - CHOSEN_MARGIN * max(|top|, 1)
UNSCORED = "unscored"


@dataclass(frozen=True)
class ChosenQuality:
    """Which replies may be chosen: the best-scored answers to their prompt (answers share `group` and
    prompt text), or those within `margin` of the best; unscored replies unless `require_score`.

    `ranks[i]` is the dense rank of example i's score among the answers to its prompt (1 = top) or
    None when it has no score; `ok[i]` says whether its reply may be a chosen reply."""

    ranks: list[int | None]
    ok: list[bool]
    margin: float = CHOSEN_MARGIN
    require_score: bool = False

    @classmethod
    def of(cls, ex: "ExampleSet", margin: float = CHOSEN_MARGIN, require_score: bool = False) -> "ChosenQuality":
        buckets: dict[tuple[str, str], list[int]] = {}
        for i, score in enumerate(ex.scores):
            if score is not None:
                buckets.setdefault((ex.groups[i], ex.prompt_keys[i]), []).append(i)
        ranks: list[int | None] = [None] * len(ex)
        ok = [not require_score] * len(ex)
        for members in buckets.values():
            distinct = sorted({ex.scores[i] for i in members}, reverse=True)
            rank_of = {score: r for r, score in enumerate(distinct, 1)}
            floor = distinct[0] - margin * max(abs(distinct[0]), 1.0)
            for i in members:
                ranks[i] = rank_of[ex.scores[i]]
                ok[i] = ex.scores[i] >= floor
        return cls(ranks, ok, margin, require_score)

    def label(self, i: int) -> str:
        """The report's name for example i's rank: '1', '2', ... or 'unscored'."""
        rank = self.ranks[i]
        return UNSCORED if rank is None else str(rank)


@dataclass
class StrategyContext:
    """What a strategy may use: its own random generator and the shared knobs."""

    rng: "np.random.Generator"
    pairs_per_example: int = 1
    weight: float = 1.0
    length_match: bool = False
    quality: ChosenQuality | None = None  # None: every reply may be chosen

    def may_choose(self, i: int) -> bool:
        """Whether example i's reply is good enough to be a chosen reply (see ChosenQuality)."""
        return self.quality is None or self.quality.ok[i]

    def counts(self, n: int) -> "np.ndarray":
        """How many pairs each of n examples gets: weight * pairs_per_example, the fraction drawn at random."""
        import numpy as np

        target = self.weight * self.pairs_per_example
        base = int(target)
        frac = target - base
        out = np.full(n, base, dtype=np.int64)
        if frac > 0:
            out += (self.rng.random(n) < frac).astype(np.int64)
        return out

    def want_longer(self, n: int) -> "np.ndarray | None":
        """With --length-match: for each example, should its rejected reply be longer than the chosen one?"""
        if not self.length_match:
            return None
        return self.rng.random(n) < 0.5


@runtime_checkable
class Strategy(Protocol):
    """A source of preference pairs. `stats` (optional) and `note` go into the report."""

    name: str

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterable[Pair]:
        ...
