"""/metrics and /healthz of the real bot, scraped over HTTP: the counters match what went through the fake Bot
API, and no label carries message text or a user id."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from fake_telegram import FakeTelegram, _free_port
from fakes import FakeBackend, new_store, running_bot

from eva_cli.backends.base import BackendError, GenerationTimeout
from eva_cli.bot.metrics import BotMetrics
from eva_cli.conversation import ConversationConfig

pytestmark = pytest.mark.timeout(120)

NORMAL = ["I could not sleep again and I feel worn out", "Мені сьогодні дуже важко, не можу зібратися з думками"]
CRISIS = {"en": "I have decided to kill myself tonight. I already have the pills.",
          "uk": "Я вирішила покінчити з собою сьогодні вночі, таблетки вже лежать поруч."}
ELEVATED = "Lately everything feels pointless. What is even the point of going on like this"
ALLOWED_LABELS = {"kind", "risk", "lang", "reason", "le"}


@pytest.fixture
async def tg():
    async with FakeTelegram() as server:
        yield server


async def scrape(port: int) -> tuple[dict[tuple[str, tuple], float], str]:
    """{(sample name, sorted labels): value} and the raw text of GET /metrics."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain")
            text = await resp.text()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, text


async def health(port: int) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status


async def until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


class GatedBackend(FakeBackend):
    """Replies only once the test opens the gate (a reply held "in flight" for as long as needed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Event()
        self.waiting = 0  # calls that reached the gate

    async def generate(self, messages, **kwargs):
        self.waiting += 1
        await self.gate.wait()
        return await super().generate(messages, **kwargs)


def get(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_polling_metrics_count_what_was_sent(tg, tmp_path):
    from eva_cli.safety import screen

    assert [screen(t).risk for t in (*NORMAL, ELEVATED, *CRISIS.values())] == \
        ["none", "none", "elevated", "crisis", "crisis"]  # what the counts below rest on
    backend = FakeBackend(["That sounds exhausting.", "Це звучить виснажливо.", "That sounds heavy.",
                           BackendError("server down"), GenerationTimeout("too slow")])
    store = new_store(tmp_path / "bot" / "eva.sqlite")
    conversation = ConversationConfig(max_input_chars=200)
    async with running_bot(tg, backend, store, conversation=conversation, metrics_port=0,
                           metrics_host="127.0.0.1") as app:
        port = app.metrics_port
        assert await health(port) == 200
        tg.fail("sendMessage", "429", times=1, retry_after=1)  # the first reply is retried once
        users = iter(range(101, 200))  # one user per message: no conversation carries over
        sent = {}  # user -> text
        for text in [*NORMAL, ELEVATED, CRISIS["en"], CRISIS["uk"], "too long " * 40,
                     "Is anyone there today?", "Still there?"]:
            user = next(users)
            sent[user] = text
            tg.message(user, text)
        tg.message(next(users), "/start")
        sticker_user, voice_user = next(users), next(users)
        tg.sticker(sticker_user)
        tg.voice(voice_user)
        for user in [*sent, sticker_user, voice_user]:
            await tg.wait_texts(user, 1)
        await tg.wait_for(lambda: len(tg.sent) == len(sent) + 3)
        samples, text = await scrape(port)

    assert get(samples, "eva_updates_total", kind="message") == 8
    assert get(samples, "eva_updates_total", kind="command") == 1
    assert get(samples, "eva_updates_total", kind="sticker") == 1
    assert get(samples, "eva_updates_total", kind="voice") == 1
    assert get(samples, "eva_replies_total", kind="model") == 3
    assert get(samples, "eva_replies_total", kind="crisis") == 2
    assert get(samples, "eva_replies_total", kind="too_long") == 1
    assert get(samples, "eva_replies_total", kind="error") == 2
    assert get(samples, "eva_screenings_total", risk="crisis", lang="en") == 1
    assert get(samples, "eva_screenings_total", risk="crisis", lang="uk") == 1
    assert get(samples, "eva_screenings_total", risk="elevated", lang="en") == 1
    assert get(samples, "eva_backend_errors_total", kind="error") == 1
    assert get(samples, "eva_backend_errors_total", kind="timeout") == 1
    assert get(samples, "eva_telegram_retries_total", reason="429") == 1
    assert len(backend.calls) == 5  # the model was called for exactly the model and error replies...
    assert get(samples, "eva_model_seconds_count") == 5  # ...and each call was timed
    assert get(samples, "eva_reply_seconds_count") == 8  # one per text message
    assert get(samples, "eva_in_flight_updates") == 0 and get(samples, "eva_model_in_flight") == 0

    # Nothing personal in any label: only fixed label names, and no value that is a user id or message text.
    values = set()
    for name, labels in samples:
        assert {k for k, _ in labels} <= ALLOWED_LABELS, name
        values |= {v for k, v in labels if k != "le"}
    assert values <= {"message", "command", "sticker", "voice", "model", "crisis", "too_long", "error", "elevated",
                      "en", "uk", "timeout", "429"}, values
    assert not values & ({str(u) for u in sent} | set(sent.values()))


async def test_webhook_serves_metrics_and_health_on_its_own_server(tg, tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    backend = GatedBackend(["Webhook reply."])
    store = new_store(tmp_path / "bot" / "eva.sqlite")
    async with running_bot(tg, backend, store, webhook_url=url, webhook_host="127.0.0.1", webhook_port=port,
                           webhook_secret="s3cret-token_1") as app:
        assert await health(port) == 200
        update = {"update_id": 5, "message": {"message_id": 1, "date": int(time.time()),
                                               "chat": {"id": 9, "type": "private"},
                                               "from": {"id": 9, "is_bot": False, "first_name": "U"},
                                               "text": "Hello through the webhook"}}
        async with aiohttp.ClientSession() as http:
            async def post() -> int:
                async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"}) \
                        as resp:
                    return resp.status

            first = asyncio.create_task(post())  # aiogram answers the webhook when the reply is done
            await until(lambda: backend.waiting == 1)
            samples, _ = await scrape(port)  # while the reply is being generated
            assert await post() == 200  # Telegram re-sends it meanwhile: skipped, counted once
            await asyncio.sleep(0.3)
            backend.gate.set()
            assert await first == 200
        await tg.wait_texts(9, 1)
        await asyncio.sleep(0.2)
        after, _ = await scrape(port)
    assert get(samples, "eva_in_flight_updates") == 1 and get(samples, "eva_model_in_flight") == 1
    assert get(after, "eva_in_flight_updates") == 0 and get(after, "eva_model_in_flight") == 0
    assert get(after, "eva_updates_total", kind="message") == 1
    assert get(after, "eva_replies_total", kind="model") == 1
    assert get(after, "eva_model_seconds_sum") >= 0.3  # the reply held in flight, timed


def test_each_bot_has_its_own_registry():
    a, b = BotMetrics(), BotMetrics()  # the process-global registry would refuse the second
    a.updates.labels(kind="message").inc()
    assert a.value("eva_updates_total", kind="message") == 1 and b.value("eva_updates_total", kind="message") == 0


async def test_health_follows_start_up_and_draining(tmp_path):
    """--metrics-port is up during start-up (token check, warm-up): 503 until serving, 200 while serving,
    503 again while the replies in flight finish after a stop."""
    from eva_cli.bot.app import BotApp
    from eva_cli.bot.config import BotConfig

    async with FakeTelegram() as tg:
        release = asyncio.Event()
        real_get_me = tg._m_getme

        async def slow_get_me(params):
            await release.wait()
            return await real_get_me(params)

        tg._m_getme = slow_get_me
        backend = GatedBackend()
        app = BotApp(BotConfig(token=tg.token, api_server=tg.base_url, polling_timeout_s=1, busy_poll_interval_s=0.05,
                               metrics_port=0, metrics_host="127.0.0.1"), backend, new_store(tmp_path / "eva.sqlite"))
        task = asyncio.create_task(app.run(handle_signals=False))
        for _ in range(500):
            if app.metrics_port or task.done():
                break
            await asyncio.sleep(0.02)
        assert await health(app.metrics_port) == 503
        release.set()
        await asyncio.wait_for(app.ready.wait(), 30)
        assert await health(app.metrics_port) == 200
        tg.message(1, "I keep thinking about the argument we had")
        await until(lambda: backend.waiting == 1)
        app.request_stop()
        assert await health(app.metrics_port) == 503
        backend.gate.set()
        await asyncio.wait_for(task, 30)
        assert tg.texts(1) == [backend.default]  # the reply in flight was still sent
