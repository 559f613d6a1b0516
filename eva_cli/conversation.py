"""The conversation pipeline shared by the Telegram bot and `eva chat`.

For every incoming message, in this order:
1. screen it (eva_cli.safety.screen) BEFORE anything else;
2. `crisis` -> the safety layer's crisis reply at once, with no model call; the chat then stays in
   crisis (a follow-up with the lines, no model call) until the person says they are safe or resets
   it (eva_cli.safety.dialogue reads the chat's earlier user turns for this, and for escalation);
3. too long -> a polite request to shorten it, with no model call;
4. otherwise: persona system prompt + as many recent turns as fit the token budget + the message
   go to the backend; the reply passes the output guard (eva_cli.safety.guard_reply);
   `elevated` risk appends the safety layer's gentle check-in and resources;
5. a generation failure or timeout becomes a short apology; the caller keeps serving others.

Messages from one chat are handled one at a time (in arrival order); different chats run
concurrently, which is what lets the local backend micro-batch them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

from eva_cli.backends.base import BackendError, GenerationTimeout
from eva_cli.errors import InputError
from eva_cli.lang import detect_lang
from eva_cli.persona import system_prompt

log = logging.getLogger("eva.conversation")

LANGS = ("en", "uk")
TURN_OVERHEAD_TOKENS = 6  # role markers and separators the chat template adds per turn

TEXTS = {
    "apology": {
        "en": "I'm sorry, I couldn't put a reply together just now. Could you send that again in a moment?",
        "uk": "Вибач, мені зараз не вдалося скласти відповідь. Надішли, будь ласка, ще раз трохи згодом.",
    },
    "too_long": {
        "en": "That is a long message, more than I can read at once ({limit} characters at most). "
              "Could you send the most important part, or split it into a few shorter messages?",
        "uk": "Це довге повідомлення, більше, ніж я можу прочитати за раз (щонайбільше {limit} символів). "
              "Надішли, будь ласка, найважливішу частину або розділи його на кілька коротших.",
    },
}


def text_for(key: str, lang: str, **fmt) -> str:
    table = TEXTS[key]
    return table.get(lang, table["en"]).format(**fmt)


@dataclass
class ConversationConfig:
    context_tokens: int = 1536  # prompt budget: system prompt + recent turns + the new message
    max_new_tokens: int = 160  # reply length limit passed to the backend
    max_input_chars: int = 4000  # longer messages get a polite reply, no model call
    history_limit: int = 50  # turns read from memory before trimming to the budget
    default_lang: str = "en"  # when neither /lang nor the text says
    locale: str | None = None  # crisis-resource region (UA, US, GB, ...); None = the safety default

    def __post_init__(self) -> None:
        if self.context_tokens < 64:
            raise InputError(f"--context-tokens must be at least 64 (got {self.context_tokens}).")
        if self.max_new_tokens < 1:
            raise InputError(f"--max-new-tokens must be at least 1 (got {self.max_new_tokens}).")
        if self.max_input_chars < 1:
            raise InputError(f"--max-input-chars must be at least 1 (got {self.max_input_chars}).")
        if self.default_lang not in LANGS:
            raise InputError(f"--lang must be one of {', '.join(LANGS)} (got {self.default_lang!r}).")


@dataclass
class Turn:
    """The outcome of one incoming message."""

    text: str  # what to send back
    kind: str  # "model" | "crisis" | "too_long" | "error"
    lang: str
    risk: str = "none"
    categories: list[str] = field(default_factory=list)
    prompt: list[dict] = field(default_factory=list)  # turns sent to the model (no system prompt)
    model_reply: str | None = None  # the raw model reply, before the guard
    core: str = ""  # the reply without the elevated-risk addendum (what memory and feedback keep)
    guarded: bool = False  # the output guard replaced the model reply
    seconds: float = 0.0

    @property
    def model_called(self) -> bool:
        return self.kind in ("model", "error") and bool(self.prompt)


class InMemoryHistory:
    """Memory for `eva chat`: the store's conversation methods, kept in this process only."""

    def __init__(self) -> None:
        self._turns: dict[int, list[dict]] = {}
        self._langs: dict[int, str | None] = {}

    def add_message(self, user_id: int, chat_id: int, role: str, content: str) -> int:
        self._turns.setdefault(chat_id, []).append({"role": role, "content": content})
        return len(self._turns[chat_id])

    def history(self, chat_id: int, limit: int = 50) -> list[dict]:
        return [dict(t) for t in self._turns.get(chat_id, [])[-limit:]]

    def reset(self, chat_id: int) -> None:
        self._turns.pop(chat_id, None)

    def set_lang(self, user_id: int, lang: str | None) -> None:
        self._langs[user_id] = lang

    def get_lang(self, user_id: int) -> str | None:
        return self._langs.get(user_id)


def with_addendum(reply: str, addendum: str) -> str:
    """The reply, a blank line, then the safety layer's check-in."""
    return f"{reply.rstrip()}\n\n{addendum.strip()}"


def build_context(system: str, history: list[dict], user_text: str, budget: int, count_tokens) -> list[dict]:
    """System prompt + the most recent turns that fit `budget` tokens + the new user message."""
    used = count_tokens(system) + count_tokens(user_text) + 2 * TURN_OVERHEAD_TOKENS
    kept: list[dict] = []
    for turn in reversed(history):
        cost = count_tokens(turn["content"]) + TURN_OVERHEAD_TOKENS
        if used + cost > budget:
            break
        kept.append({"role": turn["role"], "content": turn["content"]})
        used += cost
    kept.reverse()
    while kept and kept[0]["role"] != "user":  # never open the context mid-exchange
        kept.pop(0)
    return [{"role": "system", "content": system}, *kept, {"role": "user", "content": user_text}]


def reply_lang(detected: str, previous: str | None, text: str, default: str) -> str:
    """The language to answer in when the user has not chosen one with /lang."""
    short = len(text.split()) < 3
    if previous in LANGS and (short or detected not in ("en", "uk", "ru")):
        return previous  # "ok", "дякую", emoji: keep the language of the conversation
    if detected == "en":
        return "en"
    if detected in ("uk", "ru"):
        return "uk"  # Cyrillic: Ukrainian is the first-class Cyrillic language here; /lang overrides
    return previous if previous in LANGS else default


class ConversationPipeline:
    """Screen -> (crisis reply | model reply -> guard -> addendum), with memory. See module doc."""

    def __init__(self, backend, memory, config: ConversationConfig | None = None, on_turn=None):
        self.backend = backend
        self.memory = memory
        self.on_turn = on_turn  # called with every Turn (the bot's metrics)
        self.config = config or ConversationConfig()
        self._last_lang: dict[int, str] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._lock_users: dict[int, int] = {}

    def language(self, user_id: int, chat_id: int, text: str = "", detected: str | None = None) -> str:
        chosen = self.memory.get_lang(user_id)
        if chosen in LANGS:
            return chosen
        if not text:
            return self._last_lang.get(chat_id, self.config.default_lang)
        return reply_lang(detected or detect_lang(text), self._last_lang.get(chat_id), text, self.config.default_lang)

    def last_lang(self, chat_id: int) -> str | None:
        """The language this chat was last answered in (this process only)."""
        return self._last_lang.get(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """Drop what this process remembers about a chat (after /reset or /forget)."""
        self._last_lang.pop(chat_id, None)

    async def respond(self, user_id: int, chat_id: int, text: str, *, locale: str | None = None) -> Turn:
        async with self._chat_lock(chat_id):
            started = time.perf_counter()
            turn = await self._respond(user_id, chat_id, text, locale or self.config.locale)
            turn.seconds = time.perf_counter() - started
        log.info("reply kind=%s lang=%s risk=%s guarded=%s %.2fs", turn.kind, turn.lang, turn.risk,
                 turn.guarded, turn.seconds)  # never the message text
        if self.on_turn is not None:
            self.on_turn(turn)
        return turn

    async def _respond(self, user_id: int, chat_id: int, text: str, locale: str | None) -> Turn:
        from eva_cli.safety import crisis_followup, crisis_reply, elevated_addendum, guard_reply, safe_ack
        from eva_cli.safety.dialogue import assess_turn

        history = self.memory.history(chat_id, limit=self.config.history_limit)
        earlier = [t["content"] for t in history if t["role"] == "user"]
        # Screened before anything else, whatever the length, together with the chat's earlier user
        # turns (escalation, and a crisis that stays until the person is safe); off the event loop.
        verdict = await asyncio.to_thread(assess_turn, text, earlier)
        screening = verdict.screening
        lang = self.language(user_id, chat_id, text, detected=getattr(screening, "lang", None))
        self._last_lang[chat_id] = lang
        base = dict(lang=lang, risk=screening.risk, categories=list(screening.categories))

        if verdict.action in ("crisis", "followup", "safe"):  # answered by the safety layer, no model call
            if verdict.action == "crisis":
                reply = crisis_reply(lang, locale, screening.categories)
            elif verdict.action == "followup":
                reply = crisis_followup(lang, locale, verdict.turns_in_crisis)
            else:
                reply = safe_ack(lang, locale)
            self.memory.add_message(user_id, chat_id, "user", text)
            self.memory.add_message(user_id, chat_id, "assistant", reply)
            return Turn(text=reply, kind="crisis" if verdict.action != "safe" else "safe", **base)

        if len(text) > self.config.max_input_chars:
            reply = text_for("too_long", lang, limit=self.config.max_input_chars)
            if screening.risk == "elevated":
                reply = with_addendum(reply, elevated_addendum(lang, locale, screening.categories))
            return Turn(text=reply, kind="too_long", **base)

        messages = build_context(system_prompt(lang), history, text, self.config.context_tokens,
                                 self.backend.count_tokens)
        prompt = messages[1:]
        self.memory.add_message(user_id, chat_id, "user", text)
        try:
            raw = await self.backend.generate(messages, max_new_tokens=self.config.max_new_tokens)
            if not raw.strip():
                raise BackendError("the model returned an empty reply")
        except (BackendError, GenerationTimeout) as exc:
            log.warning("generation failed (%s): %s", type(exc).__name__, exc)
            return Turn(text=text_for("apology", lang), kind="error", prompt=prompt, **base)
        except Exception as exc:  # a bug in a backend must not take the bot down
            log.exception("backend raised %s", type(exc).__name__)
            return Turn(text=text_for("apology", lang), kind="error", prompt=prompt, **base)

        guard = guard_reply(raw, lang)
        core = guard.text if not guard.safe else raw
        self.memory.add_message(user_id, chat_id, "assistant", core)  # memory keeps the reply without the addendum
        reply = core
        if screening.risk == "elevated":
            reply = with_addendum(core, elevated_addendum(lang, locale, screening.categories))
        return Turn(text=reply, kind="model", prompt=prompt, model_reply=raw, core=core, guarded=not guard.safe,
                    **base)

    @contextlib.asynccontextmanager
    async def _chat_lock(self, chat_id: int):
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._lock_users[chat_id] = self._lock_users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._lock_users[chat_id] -= 1
            if not self._lock_users[chat_id]:
                del self._lock_users[chat_id], self._locks[chat_id]
