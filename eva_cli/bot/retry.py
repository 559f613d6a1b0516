"""Retrying Telegram API calls: aiogram raises and never retries by itself.

- 429 Too Many Requests: wait exactly `retry_after` seconds (as Telegram asks), then retry;
- 5xx, "restarting" and network errors (timeouts, dropped connections): exponential backoff
  with jitter, capped at `max_delay_s`;
- anything else (400, 403, ...) is raised at once: retrying cannot fix it.

getUpdates is left to the poller (it has its own backoff and must stay stoppable), and
sendChatAction ("typing...") is best-effort, so neither is retried here.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import RestartingTelegram, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, SendChatAction

from eva_cli.errors import InputError

log = logging.getLogger("eva.bot.retry")


@dataclass
class RetryPolicy:
    max_attempts: int = 6  # attempts in all, the first included
    base_delay_s: float = 0.5  # first backoff for 5xx / network errors
    max_delay_s: float = 30.0  # backoff cap
    max_retry_after_s: float = 600.0  # a longer 429 wait is raised instead of honoured
    jitter: float = 0.1  # +-10 % so that replicas do not retry in lockstep

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InputError("retry max_attempts must be at least 1.")
        if self.base_delay_s < 0 or self.max_delay_s < self.base_delay_s:
            raise InputError("retry delays must satisfy 0 <= base_delay_s <= max_delay_s.")

    def backoff(self, failures: int) -> float:
        """Delay before the next try after `failures` consecutive 5xx/network failures (1-based)."""
        delay = min(self.max_delay_s, self.base_delay_s * (2 ** (failures - 1)))
        return max(0.0, delay * (1 + random.uniform(-self.jitter, self.jitter)))


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(self, policy: RetryPolicy | None = None, sleep=asyncio.sleep, on_retry=None):
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self.retries = 0  # how many retries happened (for logs and tests)
        self.on_retry = on_retry  # called with "429", "server" or "network" before each retry (metrics)

    async def __call__(self, make_request, bot, method):
        if isinstance(method, (GetUpdates, SendChatAction)):
            return await make_request(bot, method)
        policy, attempt, failures = self.policy, 1, 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= policy.max_attempts or exc.retry_after > policy.max_retry_after_s:
                    raise
                delay = float(exc.retry_after)
                reason, kind = f"429, retry_after={exc.retry_after}", "429"
            except (TelegramServerError, RestartingTelegram, TelegramNetworkError) as exc:
                failures += 1
                if attempt >= policy.max_attempts:
                    raise
                delay = policy.backoff(failures)
                reason = type(exc).__name__
                kind = "network" if isinstance(exc, TelegramNetworkError) else "server"
            attempt += 1
            self.retries += 1
            if self.on_retry is not None:
                self.on_retry(kind)
            log.warning("%s failed (%s); retry %d/%d in %.1f s", method.__api_method__, reason,
                        attempt - 1, policy.max_attempts - 1, delay)
            await self._sleep(delay)
