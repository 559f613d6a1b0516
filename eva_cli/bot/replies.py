"""Sending replies: split at Telegram's 4096-character limit on sentence boundaries, and "typing..."."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

log = logging.getLogger("eva.bot")

TELEGRAM_LIMIT = 4096  # characters, counted in UTF-16 code units
_BOUNDARY = re.compile(r"\n+|[.!?…]+[\"'»”)\]]*\s+")


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Chunks of at most `limit`, cut after sentence ends or line breaks; words are cut only when
    a single sentence is longer than `limit`, and a single word only when it alone is."""
    text = text.strip()
    if tg_len(text) <= limit:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and tg_len(current + piece) > limit:
            chunks.append(current.strip())
            current = ""
        current += piece
    if current.strip():
        chunks.append(current.strip())
    return [c for c in chunks if c]


def _pieces(text: str, limit: int):
    """Sentences (with their trailing space), each no longer than `limit`."""
    start = 0
    for m in _BOUNDARY.finditer(text):
        yield from _fit(text[start:m.end()], limit)
        start = m.end()
    if start < len(text):
        yield from _fit(text[start:], limit)


def _fit(sentence: str, limit: int):
    if tg_len(sentence) <= limit:
        yield sentence
        return
    current = ""
    for word in re.findall(r"\S+\s*", sentence):
        while tg_len(word) > limit:  # one enormous "word": hard cut
            cut = _cut_at(word, limit)
            if current:
                yield current
                current = ""
            yield word[:cut]
            word = word[cut:]
        if current and tg_len(current + word) > limit:
            yield current
            current = ""
        current += word
    if current:
        yield current


def _cut_at(word: str, limit: int) -> int:
    """Largest prefix length whose UTF-16 length fits `limit`."""
    n, size = 0, 0
    for ch in word:
        size += 2 if ord(ch) > 0xFFFF else 1
        if size > limit:
            break
        n += 1
    return max(1, n)


@contextlib.asynccontextmanager
async def typing(bot, chat_id: int, interval_s: float = 4.0):
    """Show "typing..." in the chat, refreshed every `interval_s`, until the block ends.

    On exit the chat action already on its way is awaited (not cancelled), so that it reaches
    Telegram before the reply does: a late one would show "typing..." under the answer.
    """
    done = asyncio.Event()

    async def refresh() -> None:
        while True:  # at least once, even when the reply was instant
            try:
                await bot.send_chat_action(chat_id=chat_id, action="typing")
            except Exception as exc:  # best-effort: never fails a reply
                log.debug("typing action failed: %s", type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), interval_s)
            if done.is_set():
                return

    task = asyncio.create_task(refresh())
    try:
        yield
    finally:
        done.set()
        try:
            await asyncio.wait_for(task, 5.0)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            task.cancel()


async def send_long(bot, chat_id: int, text: str, reply_markup=None):
    """Send `text` as one or more messages; the markup goes on the last one. Returns the last Message."""
    chunks = split_message(text) or ["…"]
    last = None
    for i, chunk in enumerate(chunks):
        is_last = i == len(chunks) - 1
        last = await bot.send_message(chat_id=chat_id, text=chunk,
                                      reply_markup=reply_markup if is_last else None)
    return last
