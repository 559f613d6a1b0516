"""Dispatcher middlewares: in-flight tracking, update de-duplication, allow-list, services, rate limit."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject, Update

from eva_cli.bot.services import Services
from eva_cli.bot.texts import t

log = logging.getLogger("eva.bot")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class InFlightMiddleware(BaseMiddleware):
    """Counts updates being handled, so that shutdown can wait for the replies in progress."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self.count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self.count -= 1
            if not self.count:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False


class DedupMiddleware(BaseMiddleware):
    """Skips an update this bot already handled (a restart, or Telegram re-sending a webhook)."""

    def __init__(self, store) -> None:
        self.store = store
        self.skipped = 0

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        uid = event.update_id
        # In a thread: a database that is restarting holds up this update, not the event loop.
        if not await asyncio.to_thread(self.store.claim_update, uid):
            self.skipped += 1
            log.info("update %d was already handled (or is being handled); skipped", uid)
            return None
        try:
            result = await handler(event, data)
        except asyncio.CancelledError:
            self.store.release_update(uid)  # not answered: a redelivery after the restart answers it
            raise
        except Exception:
            self.store.finish_update(uid)  # a handler error is not retried on every redelivery
            raise
        # At once, not behind queued work: until this commits, a replica that dies here would answer twice.
        self.store.finish_update(uid)
        return result


class ServicesMiddleware(BaseMiddleware):
    """Hands the services built at start-up to every handler as `services`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["services"] = self.services
        return await handler(event, data)


class AllowListMiddleware(BaseMiddleware):
    """With an allow-list, other users get a short note (with crisis lines) and nothing else."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        allowed = self.services.config.allowed_users
        user = data.get("event_from_user")
        if not allowed or (user is not None and user.id in allowed):
            return await handler(event, data)
        log.info("update from a user outside the allow-list ignored")
        if isinstance(event, Update) and event.message is not None and user is not None \
                and event.message.chat.type == "private":
            from eva_cli.safety import help_text

            lang = self.services.lang_for(user.id, event.message.chat.id, user.language_code)
            locale = self.services.locale_for(user.language_code)
            await event.message.answer(f"{t('not_allowed', lang)}\n\n{help_text(lang, locale)}")
        elif isinstance(event, Update) and event.callback_query is not None:
            await event.callback_query.answer()
        return None


class TokenBucket:
    """`burst` tokens, refilled evenly over `window_s`."""

    def __init__(self, burst: int, window_s: float, now: float):
        self.capacity = float(burst)
        self.rate = burst / window_s
        self.tokens = float(burst)
        self.stamp = now
        self.noticed_at = float("-inf")

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RateLimitMiddleware(BaseMiddleware):
    """Per-user burst limit on messages that would reach the model.

    Commands are cheap and always pass (so /help with crisis lines is always reachable), and a
    message the safety screen rates `crisis` always passes: its reply needs no model call.
    Over the limit, the user gets one polite note per `rate_notice_s`; nothing reaches the model.
    """

    def __init__(self, services: Services, clock=time.monotonic) -> None:
        self.services = services
        self.clock = clock
        self.buckets: dict[int, TokenBucket] = {}
        self.limited = 0

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or event.from_user is None or event.chat.type != "private":
            return await handler(event, data)  # groups are ignored by the routers anyway
        text = event.text or ""
        if text.startswith("/"):
            return await handler(event, data)
        cfg = self.services.config
        now = self.clock()
        bucket = self.buckets.get(event.from_user.id)
        if bucket is None:
            bucket = self.buckets[event.from_user.id] = TokenBucket(cfg.rate_burst, cfg.rate_window_s, now)
            self._prune(now)
        if bucket.take(now):
            return await handler(event, data)
        if text:
            from eva_cli.safety import screen

            if (await asyncio.to_thread(screen, text)).risk == "crisis":
                return await handler(event, data)
        self.limited += 1
        if now - bucket.noticed_at >= cfg.rate_notice_s:
            bucket.noticed_at = now
            lang = self.services.lang_for(event.from_user.id, event.chat.id, event.from_user.language_code)
            await event.answer(t("rate_limited", lang))
        return None

    def _prune(self, now: float) -> None:
        """Forget users whose bucket is full again (keeps memory bounded)."""
        if len(self.buckets) < 10_000:
            return
        for uid in [u for u, b in self.buckets.items()
                    if b.tokens + (now - b.stamp) * b.rate >= b.capacity]:
            del self.buckets[uid]
