"""Services built once at start-up and injected into every handler (handlers hold no ML code)."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from eva_cli.bot.config import BotConfig


@dataclass
class RatedReply:
    """A model reply the user can rate, and the conversation it answered."""

    chat_id: int
    message_id: int  # the Telegram message carrying the 👍/👎 buttons
    prompt: list[dict]
    reply: str


@dataclass
class PendingRewrite:
    """A 👎 waiting for the user's optional "what would have helped" answer."""

    user_id: int
    rated: RatedReply
    ask_message_id: int  # the bot's question; a Telegram reply to it is the rewrite
    created: float = field(default_factory=time.monotonic)


class FeedbackBook:
    """Replies that can still be rated (bounded, in memory) and 👎s waiting for a rewrite."""

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._replies: OrderedDict[tuple[int, int], RatedReply] = OrderedDict()
        self.pending: dict[int, PendingRewrite] = {}

    def remember(self, rated: RatedReply) -> None:
        key = (rated.chat_id, rated.message_id)
        self._replies[key] = rated
        self._replies.move_to_end(key)
        while len(self._replies) > self.capacity:
            self._replies.popitem(last=False)

    def pop(self, chat_id: int, message_id: int) -> RatedReply | None:
        return self._replies.pop((chat_id, message_id), None)

    def expired(self, ttl_s: float) -> list[PendingRewrite]:
        now = time.monotonic()
        return [p for p in self.pending.values() if now - p.created > ttl_s]

    def forget_chat(self, chat_id: int) -> None:
        for key in [k for k in self._replies if k[0] == chat_id]:
            del self._replies[key]

    def forget_user(self, user_id: int, chat_id: int) -> None:
        self.pending.pop(user_id, None)
        self.forget_chat(chat_id)


@dataclass
class Services:
    pipeline: object  # eva_cli.conversation.ConversationPipeline
    store: object  # eva_cli.store.ConversationStore
    backend: object  # eva_cli.backends.Backend
    config: BotConfig
    feedback: FeedbackBook = field(default_factory=FeedbackBook)

    def lang_for(self, user_id: int, chat_id: int, language_code: str | None = None) -> str:
        """Reply language for fixed texts: /lang choice, else the conversation's, else Telegram's UI language."""
        chosen = self.store.get_lang(user_id)
        if chosen in ("en", "uk"):
            return chosen
        seen = self.pipeline.last_lang(chat_id)
        if seen:
            return seen
        code = (language_code or "").lower()
        if code.startswith(("uk", "ru")):
            return "uk"
        if code.startswith("en"):
            return "en"
        return self.pipeline.config.default_lang

    def locale_for(self, language_code: str | None) -> str | None:
        """Crisis-resource region: Telegram's `en-US` style code when it has a region, else the default."""
        code = language_code or ""
        if "-" in code:
            region = code.split("-", 1)[1].upper()
            if len(region) == 2:
                return region
        return self.config.locale
