"""Long polling whose offset only moves past updates that were fully handled.

aiogram's own polling confirms an update (advances the getUpdates offset) as soon as it has been
read, so updates being handled when the process stops are lost. Here each update runs as its own
task and the offset we send is the lowest update_id still in flight: after a restart Telegram
delivers again everything that was not finished, and the store's `claim_update` skips any that
were finished but not yet confirmed. While updates are in flight the poller re-polls every
`busy_interval_s` (a long poll would return at once with the unconfirmed updates).

Replicas: Telegram serves one poller per bot and answers another concurrent getUpdates with 409
Conflict. With a shared store, only the replica holding the store's polling lease polls; the others
are hot standbys that check the lease every `standby_interval_s` and take over (with every update
not yet confirmed) when the poller stops or dies. A 409 (some other process polls) also means: stand by.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates

log = logging.getLogger("eva.bot.polling")


class OffsetSafePoller:
    def __init__(self, dispatcher, bot, *, timeout_s: int = 25, busy_interval_s: float = 0.5,
                 allowed_updates: list[str] | None = None, max_backoff_s: float = 30.0, lease=None,
                 standby_interval_s: float = 1.0, **data):
        self.dp = dispatcher
        self.bot = bot
        self.timeout_s = timeout_s
        self.busy_interval_s = busy_interval_s
        self.allowed_updates = allowed_updates
        self.max_backoff_s = max_backoff_s
        self.lease = lease  # store.holds_polling_lease (blocking; run in a thread), or None: always poll
        self.standby_interval_s = standby_interval_s
        self.standing_by = False
        self.data = data
        self.in_flight: dict[int, asyncio.Task] = {}
        self.max_seen: int | None = None
        self.handled = 0

    @property
    def offset(self) -> int | None:
        """What getUpdates is told: everything below it is handled."""
        if self.in_flight:
            return min(self.in_flight)
        return None if self.max_seen is None else self.max_seen + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; updates still in flight keep running (see `drain`)."""
        failures = 0
        while not stop.is_set():
            if not await self._may_poll():
                await _sleep_until(stop, self.standby_interval_s)
                continue
            busy = bool(self.in_flight)
            try:
                updates = await _until(stop, self._fetch(0 if busy else self.timeout_s))
            except TelegramConflictError:
                self._stand_by("another process is polling this bot (409 Conflict)")
                await _sleep_until(stop, self.standby_interval_s)
                continue
            except Exception as exc:  # network, 5xx, 429: back off and keep polling
                failures += 1
                delay = min(self.max_backoff_s, 0.5 * 2 ** (failures - 1))
                log.warning("getUpdates failed (%s); retrying in %.1f s", type(exc).__name__, delay)
                await _sleep_until(stop, delay)
                continue
            if updates is None:  # stop was requested while waiting
                break
            failures = 0
            # Telegram's update ids increase, so anything at or below max_seen is in flight or handled.
            fresh = [u for u in updates if self.max_seen is None or u.update_id > self.max_seen]
            for update in fresh:
                self._start(update)
            if not fresh and self.in_flight:
                # Nothing new; wait for a reply to finish (or a little) before asking again.
                await _wait_any(stop, list(self.in_flight.values()), self.busy_interval_s)

    async def _may_poll(self) -> bool:
        """Whether this replica holds the polling lease (always, without a lease)."""
        if self.lease is None:
            ok = True
        else:
            try:
                ok = await asyncio.to_thread(self.lease)
            except Exception as exc:  # the store is unreachable: no claim could succeed either
                log.warning("polling lease unknown (%s: %s); standing by", type(exc).__name__, exc)
                ok = False
        if not ok:
            self._stand_by("another replica is polling")
        elif self.standing_by:
            self.standing_by = False
            log.warning("taking over polling: answering the updates not yet confirmed")
        return ok

    def _stand_by(self, why: str) -> None:
        if not self.standing_by:
            log.warning("standing by: %s", why)
        self.standing_by = True

    async def drain(self, timeout: float) -> bool:
        """Wait for the updates in flight; then confirm them to Telegram. False on timeout."""
        tasks = list(self.in_flight.values())
        if tasks:
            log.info("finishing %d update(s) in flight", len(tasks))
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            if pending:
                log.warning("%d update(s) still running after %.0f s; they will be delivered again", len(pending),
                            timeout)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                return False
        await self.confirm()
        return True

    async def confirm(self) -> None:
        """Tell Telegram that everything below the offset is handled (a zero-timeout getUpdates)."""
        if self.offset is None:
            return
        with contextlib.suppress(Exception):
            await self.bot(GetUpdates(offset=self.offset, limit=1, timeout=0,
                                      allowed_updates=self.allowed_updates))

    async def _fetch(self, timeout: int):
        method = GetUpdates(offset=self.offset, timeout=timeout, allowed_updates=self.allowed_updates)
        return await self.bot(method, request_timeout=int(self.bot.session.timeout + timeout))

    def _start(self, update) -> None:
        uid = update.update_id
        self.max_seen = uid if self.max_seen is None else max(self.max_seen, uid)
        task = asyncio.create_task(self._handle(update), name=f"update-{uid}")
        self.in_flight[uid] = task

    async def _handle(self, update) -> None:
        uid = update.update_id
        try:
            await self.dp.feed_update(self.bot, update, **self.data)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a handler bug: log it, the update still counts as handled
            log.error("update %d failed: %s: %s", uid, type(exc).__name__, exc, exc_info=True)
        finally:
            self.in_flight.pop(uid, None)
        self.handled += 1


async def _until(stop: asyncio.Event, coro):
    """Run `coro`; None if `stop` is set first (the coroutine is cancelled)."""
    task = asyncio.ensure_future(coro)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return None


async def _sleep_until(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _wait_any(stop: asyncio.Event, tasks: list[asyncio.Task], timeout: float) -> None:
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({stopper, *tasks}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
