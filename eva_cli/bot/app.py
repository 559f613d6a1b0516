"""Wiring the bot: the aiogram Bot (retrying session, any Bot API server), the Dispatcher (routers,
middlewares, services), long polling or webhook, maintenance, and graceful shutdown.

`BotApp.run()` owns what it is given: on exit it finishes the replies in flight, stores waiting
feedback, then closes the backend, the store and the HTTP session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal

from eva_cli.bot.config import BotConfig
from eva_cli.bot.metrics import BotMetrics, MeteredBackend, MetricsMiddleware
from eva_cli.bot.metrics import add_routes as add_metrics_routes
from eva_cli.bot.middlewares import (AllowListMiddleware, DedupMiddleware, InFlightMiddleware, RateLimitMiddleware,
                                     ServicesMiddleware)
from eva_cli.bot.redact import install_redaction, redact
from eva_cli.bot.retry import RetryMiddleware
from eva_cli.bot.services import FeedbackBook, Services
from eva_cli.errors import EvaError

log = logging.getLogger("eva.bot")


def build_bot(config: BotConfig, metrics: BotMetrics | None = None):
    """An aiogram Bot on `config.api_server` (or api.telegram.org) whose requests are retried."""
    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import PRODUCTION, TelegramAPIServer

    api = TelegramAPIServer.from_base(config.api_server) if config.api_server else PRODUCTION
    session = AiohttpSession(api=api, timeout=config.request_timeout_s)
    session.middleware(RetryMiddleware(config.retry, on_retry=metrics.on_retry if metrics else None))
    return Bot(token=config.token, session=session, default=DefaultBotProperties(parse_mode=None))


def build_dispatcher(services: Services, metrics: BotMetrics | None = None):
    """Routers (one per concern) behind the middlewares; returns (dispatcher, in-flight tracker)."""
    from aiogram import Dispatcher

    from eva_cli.bot.routers import all_routers

    dp = Dispatcher(disable_fsm=True)
    inflight = InFlightMiddleware()
    dp.update.outer_middleware(inflight)
    dp.update.outer_middleware(DedupMiddleware(services.store))
    if metrics is not None:  # after dedup: an update re-sent by Telegram is counted once
        dp.update.outer_middleware(MetricsMiddleware(metrics))
    dp.update.outer_middleware(AllowListMiddleware(services))
    dp.update.outer_middleware(ServicesMiddleware(services))
    dp.message.outer_middleware(RateLimitMiddleware(services))
    dp.include_routers(*all_routers())
    dp.errors.register(_on_error)
    return dp, inflight


async def _on_error(event, services: Services | None = None) -> bool:
    """A handler failed (a store or bug, not the model: that is the pipeline's apology). Log it and
    tell the user something went wrong rather than leaving them without an answer."""
    from eva_cli.conversation import text_for

    exc = event.exception
    log.error("handling update %s failed: %s: %s", event.update.update_id, type(exc).__name__, redact(str(exc)),
              exc_info=(type(exc), exc, exc.__traceback__))
    message = event.update.message
    if message is not None and message.chat.type == "private":
        lang = "en"
        if services is not None and message.from_user is not None:
            with contextlib.suppress(Exception):
                lang = services.lang_for(message.from_user.id, message.chat.id, message.from_user.language_code)
        with contextlib.suppress(Exception):
            await message.answer(text_for("apology", lang))
    return True


class BotApp:
    def __init__(self, config: BotConfig, backend, store, conversation=None):
        from eva_cli.conversation import ConversationConfig, ConversationPipeline

        conversation = conversation or ConversationConfig(locale=config.locale)
        install_redaction(config.token, config.webhook_secret)
        self.config = config
        self.metrics = BotMetrics()  # this app's own registry: /metrics (webhook, or --metrics-port)
        pipeline = ConversationPipeline(MeteredBackend(backend, self.metrics), store, conversation,
                                        on_turn=self.metrics.on_turn)
        self.services = Services(pipeline=pipeline, store=store,
                                 backend=backend, config=config, feedback=FeedbackBook())
        self.dp, self.inflight = build_dispatcher(self.services, self.metrics)
        self.bot = build_bot(config, self.metrics)
        self.poller = None
        self.ready = asyncio.Event()  # set once the bot is polling / listening
        self.port: int | None = None  # the webhook port actually bound
        self.metrics_port: int | None = None  # the --metrics-port actually bound
        self._stop: asyncio.Event | None = None
        self._force: asyncio.Event | None = None
        self._signals = 0

    def healthy(self) -> bool:
        """/healthz: serving, and not stopping (a load balancer then sends new work elsewhere)."""
        return self.ready.is_set() and not (self._stop is not None and self._stop.is_set())

    def request_stop(self) -> None:
        """Stop taking new updates and finish the ones in flight; a second request stops at once."""
        self._signals += 1
        if self._stop is not None:
            self._stop.set()
        if self._signals > 1 and self._force is not None:
            self._force.set()

    async def run(self, handle_signals: bool = True) -> None:
        self._stop, self._force = asyncio.Event(), asyncio.Event()
        if self._signals:
            self._stop.set()
        loop = asyncio.get_running_loop()
        installed = []
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(sig, self._on_signal, sig)
                    installed.append(sig)
        maintenance = metrics_runner = None
        try:
            if self.config.metrics_port is not None:  # up before start-up, so /healthz says 503 until ready
                from eva_cli.bot.metrics import start_server

                metrics_runner, self.metrics_port = await start_server(
                    self.metrics, self.healthy, self.config.metrics_host, self.config.metrics_port)
            me = await self._check_token()
            await asyncio.to_thread(self.services.store.purge_expired)
            await asyncio.to_thread(_warm_up_screen)
            await self._set_commands()
            maintenance = asyncio.create_task(self._maintenance())
            log.info("Eva is serving @%s by %s (%s backend)", me.username, self.config.mode,
                     getattr(self.services.backend, "name", "?"))
            if self.config.mode == "webhook":
                await self._serve_webhook()
            else:
                await self._serve_polling()
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
            if maintenance is not None:
                maintenance.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await maintenance
            await self._close()
            if metrics_runner is not None:
                await metrics_runner.cleanup()

    # -- modes ---------------------------------------------------------------------------------
    async def _serve_polling(self) -> None:
        from eva_cli.bot.polling import OffsetSafePoller

        await self.bot.delete_webhook(drop_pending_updates=False)
        self.poller = OffsetSafePoller(self.dp, self.bot, timeout_s=self.config.polling_timeout_s,
                                       busy_interval_s=self.config.busy_poll_interval_s,
                                       allowed_updates=self.dp.resolve_used_update_types(),
                                       lease=getattr(self.services.store, "holds_polling_lease", None))
        self.ready.set()
        await self.poller.run(self._stop)
        log.info("stopping: no new updates; finishing the replies in flight")
        drained = await _first(self._force, self.poller.drain(self.config.drain_timeout_s))
        if drained is None:  # a second signal
            for task in list(self.poller.in_flight.values()):
                task.cancel()
            await asyncio.gather(*self.poller.in_flight.values(), return_exceptions=True)

    async def _serve_webhook(self) -> None:
        from aiohttp import web
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler

        secret = self.config.webhook_secret
        if not secret:
            secret = secrets.token_urlsafe(32)
            install_redaction(secret)
            log.warning("EVA_WEBHOOK_SECRET is not set: using a random one for this process. "
                        "Replicas behind one load balancer need the same EVA_WEBHOOK_SECRET.")
        app = web.Application()
        # Answer Telegram after the update is handled: if this replica dies mid-reply, the delivery fails
        # and Telegram re-sends it (to another replica). aiogram answers early after 55 s (Telegram waits 60).
        handler = SimpleRequestHandler(dispatcher=self.dp, bot=self.bot, secret_token=secret,
                                       handle_in_background=False)
        handler.register(app, path=self.config.webhook_path)
        add_metrics_routes(app, self.metrics, self.healthy)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.config.webhook_host, self.config.webhook_port)
        await site.start()
        self.port = runner.addresses[0][1] if runner.addresses else self.config.webhook_port
        try:
            await self.bot.set_webhook(url=self.config.webhook_url, secret_token=secret,
                                       allowed_updates=self.dp.resolve_used_update_types(),
                                       drop_pending_updates=False)
            self.ready.set()
            await self._stop.wait()
            log.info("stopping: webhook closed to new updates; finishing the replies in flight")
            await site.stop()
            await _first(self._force, self.inflight.wait_idle(self.config.drain_timeout_s))
            # Background handler tasks still running after a forced stop are cancelled by cleanup.
        finally:
            await runner.cleanup()

    # -- start-up, maintenance, shutdown ------------------------------------------------------
    async def _check_token(self):
        from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError

        try:
            return await self.bot.get_me()
        except TelegramUnauthorizedError:
            raise EvaError("Telegram rejected the bot token (401 Unauthorized).",
                           "Check EVA_TELEGRAM_TOKEN / --token against @BotFather.") from None
        except (TelegramNetworkError, TelegramServerError) as exc:
            where = self.config.api_server or "https://api.telegram.org"
            raise EvaError(f"cannot reach the Telegram Bot API at {where}: {redact(str(exc))}",
                           "Check the network or --api-server.") from None

    async def _set_commands(self) -> None:
        from aiogram.types import BotCommand

        from eva_cli.bot.routers.commands import BOT_COMMANDS

        for lang, commands in BOT_COMMANDS.items():
            try:
                await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in commands],
                                               language_code=None if lang == "en" else lang)
            except Exception as exc:  # the menu is a convenience, not a reason to stop
                log.warning("setMyCommands (%s) failed: %s", lang, type(exc).__name__)

    async def _maintenance(self) -> None:
        from eva_cli.bot.routers.feedback import flush_pending

        while True:
            await asyncio.sleep(min(self.config.purge_interval_s, self.config.rewrite_ttl_s))
            try:
                removed = await asyncio.to_thread(self.services.store.purge_expired)
                if removed:
                    log.info("retention: purged %d expired rows", removed)
                for pending in self.services.feedback.expired(self.config.rewrite_ttl_s):
                    flush_pending(self.services, pending.user_id)
            except Exception as exc:
                log.error("maintenance failed: %s: %s", type(exc).__name__, exc)

    def _on_signal(self, sig) -> None:
        log.warning("received %s: %s", signal.Signals(sig).name,
                    "stopping now" if self._signals else "finishing the replies in flight, then exiting")
        self.request_stop()

    async def _close(self) -> None:
        from eva_cli.bot.routers.feedback import flush_pending

        for user_id in list(self.services.feedback.pending):
            with contextlib.suppress(Exception):
                flush_pending(self.services, user_id)
        with contextlib.suppress(Exception):
            await self.services.backend.aclose()
        with contextlib.suppress(Exception):
            self.services.store.close()
        with contextlib.suppress(Exception):
            await self.bot.session.close()


def _warm_up_screen() -> None:
    """Load what the safety screen loads lazily (the optional embedding model) before the first user."""
    from eva_cli.safety import screen

    screen("Hello, I just wanted to talk about my day.")


async def _first(event: asyncio.Event, coro):
    """Await `coro` unless `event` is set first (then cancel it and return None)."""
    task = asyncio.ensure_future(coro)
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None
