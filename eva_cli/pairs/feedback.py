"""`feedback`: preference pairs from the bot's users (consenting users only; the store filters).

Rows come from the bot store's `export_feedback()` (SQLite or PostgreSQL, eva_cli/store):
`{"prompt": [messages], "reply": str, "rating": +1|-1, "rewrite": str|None, "lang": str}`.

- A thumbs-down reply with a preferred rewrite: chosen = the rewrite, rejected = the reply.
- One prompt with a thumbs-up reply and a thumbs-down reply: chosen = up, rejected = down.

Feedback pairs go to the train split (they have no ingest split); a prompt that equals an eval
prompt is dropped like any other leak. Their `example_id` is `feedback-<hash>`, source `bot-feedback`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Iterator

from eva_cli.errors import InputError
from eva_cli.lang import detect_lang
from eva_cli.pairs.base import ExampleSet, Pair, StrategyContext, last_user_text, norm_text, prompt_key, stable_hash, strip_system

SOURCE = "bot-feedback"


def _clean(row: dict) -> tuple[list[dict], str, int, str | None, str] | None:
    """(messages, reply, rating, rewrite, lang) for a well-formed row, else None."""
    prompt = row.get("prompt")
    reply = row.get("reply")
    rating = row.get("rating")
    if not isinstance(prompt, list) or not isinstance(reply, str) or not reply.strip():
        return None
    if not all(isinstance(m, dict) and "role" in m and isinstance(m.get("content"), str) for m in prompt):
        return None
    messages = strip_system(prompt)
    if not messages or messages[-1]["role"] != "user":
        return None
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        return None
    if rating not in (1, -1):
        return None
    rewrite = row.get("rewrite")
    rewrite = rewrite.strip() if isinstance(rewrite, str) and rewrite.strip() else None
    lang = row.get("lang") or detect_lang(last_user_text(messages))
    return messages, reply.strip(), rating, rewrite, str(lang)


def feedback_pairs(rows: Iterable[dict], stats: dict | None = None) -> list[Pair]:
    """Pairs from feedback rows; malformed rows are counted in stats['invalid'] and skipped."""
    stats = stats if stats is not None else {}
    stats.setdefault("kinds", Counter())
    stats.setdefault("invalid", 0)
    stats.setdefault("rows", 0)
    out: list[Pair] = []
    ups: dict[str, list[tuple[list[dict], str, str]]] = defaultdict(list)
    downs: dict[str, list[tuple[list[dict], str, str]]] = defaultdict(list)
    for row in rows:
        stats["rows"] += 1
        clean = _clean(row) if isinstance(row, dict) else None
        if clean is None:
            stats["invalid"] += 1
            continue
        messages, reply, rating, rewrite, lang = clean
        key = prompt_key(messages)
        if rating == 1:
            ups[key].append((messages, reply, lang))
            continue
        downs[key].append((messages, reply, lang))
        if rewrite and norm_text(rewrite) != norm_text(reply):
            out.append(_pair(messages, key, rewrite, reply, lang, "rewrite"))
            stats["kinds"]["rewrite"] += 1
    for key in sorted(set(ups) & set(downs)):
        for messages, good, lang in ups[key]:
            for _, bad, _ in downs[key]:
                if norm_text(good) != norm_text(bad):
                    out.append(_pair(messages, key, good, bad, lang, "rating"))
                    stats["kinds"]["rating"] += 1
    return out


def _pair(messages: list[dict], key: str, chosen: str, rejected: str, lang: str, kind: str) -> Pair:
    example_id = "feedback-" + stable_hash(key, rejected)
    return Pair(example_id, messages, chosen, rejected, "feedback", SOURCE, lang, "train", key, kind)


class FeedbackStrategy:
    """Plugs feedback rows into the same pipeline as the example strategies (examples unused)."""

    name = "feedback"
    note_when_empty = "no thumbs-down reply with a rewrite, and no prompt rated both up and down"

    def __init__(self, rows: Iterable[dict], origin: str = "rows") -> None:
        self.rows = list(rows)
        self.stats: dict = {"origin": origin}
        if not self.rows:
            self.note_when_empty = f"no feedback rows ({origin})"

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterator[Pair]:
        yield from feedback_pairs(self.rows, self.stats)


def load_feedback_rows(store, data_key: str | None, retention_days: int = 30) -> tuple[list[dict], str]:
    """Rows from the bot's encrypted store (a SQLite file, or a postgresql:// URL), and where they came
    from. No store file: no rows.

    `retention_days` must be the bot's (EVA_RETENTION_DAYS): opening the store applies it.
    """
    from eva_cli.store.factory import describe, is_postgres

    where = describe(store)
    if not is_postgres(store) and not Path(store).is_file():
        return [], f"no bot store at {store}"
    if not data_key:
        raise InputError(f"--feedback: {where} is encrypted and EVA_DATA_KEY is not set.",
                         "Set EVA_DATA_KEY to the key the bot runs with.")
    try:
        from eva_cli.store import open_store
    except ImportError as exc:
        raise InputError(f"--feedback: this installation cannot read the bot store ({exc}).") from exc
    store = open_store(store, data_key, retention_days=retention_days)
    try:
        rows = list(store.export_feedback())
    finally:
        store.close()
    return rows, where
