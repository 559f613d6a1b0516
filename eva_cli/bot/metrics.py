"""Prometheus metrics and a health check for the bot (`/metrics`, `/healthz`).

One `BotMetrics` per BotApp, on its own CollectorRegistry (never the process-global one), so two
bots in one process keep separate counts. It is fed by injection, never from handlers:
- `MetricsMiddleware` (dispatcher): updates by kind, in-flight updates, reply latency;
- the conversation pipeline's `on_turn` hook: replies by kind, crisis/elevated screenings by language;
- `MeteredBackend` (wraps the model backend): model time and backend errors;
- the retrying Bot API session's `on_retry` hook: Telegram retries by reason (429, server, network).

Labels are small fixed sets (kinds, languages, reasons): no message text and no user id, ever.
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

# Seconds; replies on a CPU model take seconds, on vLLM well under one.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120)
MEDIA_KINDS = ("sticker", "voice", "photo", "video", "video_note", "audio", "document", "animation", "location",
               "contact", "poll")


class BotMetrics:
    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = r = CollectorRegistry(auto_describe=True)
        self.updates = Counter("eva_updates", "Telegram updates handled, by kind "
                               "(message, command, sticker, voice, photo, callback, ...).", ["kind"], registry=r)
        self.replies = Counter("eva_replies", "Replies to text messages, by kind (model, crisis, too_long, error).",
                               ["kind"], registry=r)
        self.screenings = Counter("eva_screenings", "Messages the safety screen rated crisis or elevated, by language.",
                                  ["risk", "lang"], registry=r)
        self.backend_errors = Counter("eva_backend_errors", "Model backend failures, by kind (timeout, error).",
                                      ["kind"], registry=r)
        self.telegram_retries = Counter("eva_telegram_retries", "Bot API calls retried, by reason (429, server, "
                                        "network).", ["reason"], registry=r)
        self.reply_seconds = Histogram("eva_reply_seconds", "Handling one text message, from the update to the "
                                       "reply sent (model time included).", buckets=LATENCY_BUCKETS, registry=r)
        self.model_seconds = Histogram("eva_model_seconds", "One model backend call (generation only).",
                                       buckets=LATENCY_BUCKETS, registry=r)
        self.in_flight = Gauge("eva_in_flight_updates", "Updates being handled right now.", registry=r)
        self.model_in_flight = Gauge("eva_model_in_flight", "Model backend calls running or queued right now.",
                                     registry=r)

    # -- hooks --------------------------------------------------------------------------------
    def on_turn(self, turn) -> None:
        """The conversation pipeline answered a text message (an eva_cli.conversation.Turn)."""
        self.replies.labels(kind=turn.kind).inc()
        if turn.risk in ("crisis", "elevated"):
            self.screenings.labels(risk=turn.risk, lang=turn.lang).inc()

    def on_retry(self, reason: str) -> None:
        self.telegram_retries.labels(reason=reason).inc()

    # -- exposition ---------------------------------------------------------------------------
    def render(self) -> tuple[bytes, str]:
        """(body, content type) in the Prometheus text format."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def value(self, name: str, **labels) -> float:
        """A sample's current value (0 if never set), e.g. value("eva_replies_total", kind="crisis")."""
        return self.registry.get_sample_value(name, labels) or 0.0


def update_kind(update: Update) -> str:
    """A fixed label for what an update carries (never its content)."""
    message = update.message
    if message is not None:
        if message.text is not None:
            return "command" if message.text.startswith("/") else "message"
        return next((kind for kind in MEDIA_KINDS if getattr(message, kind, None) is not None), "other")
    if update.callback_query is not None:
        return "callback"
    try:
        return update.event_type  # one of the Bot API's update types (edited_message, my_chat_member, ...)
    except Exception:
        return "other"


class MetricsMiddleware(BaseMiddleware):
    """Outer update middleware: counts each update by kind, tracks in-flight ones, times text replies."""

    def __init__(self, metrics: BotMetrics) -> None:
        self.metrics = metrics

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        kind = update_kind(event)
        self.metrics.updates.labels(kind=kind).inc()
        started = time.perf_counter()
        self.metrics.in_flight.inc()
        try:
            return await handler(event, data)
        finally:
            self.metrics.in_flight.dec()
            if kind == "message":
                self.metrics.reply_seconds.observe(time.perf_counter() - started)


class MeteredBackend:
    """A model backend that times each call and counts its failures (otherwise the backend itself)."""

    def __init__(self, backend, metrics: BotMetrics) -> None:
        self.backend = backend
        self.metrics = metrics

    def __getattr__(self, name: str):  # name, label, count_tokens, aclose, stats, ...
        return getattr(self.backend, name)

    async def generate(self, messages: list[dict], **kwargs) -> str:
        from eva_cli.backends.base import GenerationTimeout

        started = time.perf_counter()
        self.metrics.model_in_flight.inc()
        try:
            return await self.backend.generate(messages, **kwargs)
        except GenerationTimeout:
            self.metrics.backend_errors.labels(kind="timeout").inc()
            raise
        except Exception:
            self.metrics.backend_errors.labels(kind="error").inc()
            raise
        finally:
            self.metrics.model_in_flight.dec()
            self.metrics.model_seconds.observe(time.perf_counter() - started)


def add_routes(app, metrics: BotMetrics, healthy: Callable[[], bool]) -> None:
    """GET /metrics and GET /healthz on an aiohttp application."""
    from aiohttp import web

    async def metrics_view(_request):
        body, content_type = metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def health_view(_request):
        ok = healthy()
        return web.json_response({"status": "ok" if ok else "unavailable"}, status=200 if ok else 503)

    app.router.add_get("/metrics", metrics_view)
    app.router.add_get("/healthz", health_view)


async def start_server(metrics: BotMetrics, healthy: Callable[[], bool], host: str, port: int):
    """A small aiohttp server with /metrics and /healthz (polling mode's --metrics-port); returns
    (runner, bound port). The caller cleans the runner up."""
    from aiohttp import web

    app = web.Application()
    add_routes(app, metrics, healthy)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner, runner.addresses[0][1]
