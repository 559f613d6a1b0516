"""Bot replicas sharing one PostgreSQL store (a real server, tests/pg.py), against the fake Bot API:
every update is answered exactly once, across round-robin and duplicated webhooks, a polling hot
standby, a replica SIGKILLed mid-reply, and a database restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time

import pytest

from fake_telegram import TOKEN, FakeTelegram, _free_port
from fakes import FakeBackend, fake_openai_server, running_bot

from eva_cli.store import new_key, open_store

pytestmark = pytest.mark.timeout(150)
SECRET = "replica-secret_1"
TEXTS = ("I had a long day at work.", "My sister called and we talked for an hour.",
         "We planted tomatoes in the garden this morning.", "The exam went better than I expected.")


@pytest.fixture
async def tg():
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def key():
    return new_key()


def _update(update_id: int, user: int, text: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "en"}, "text": text}}


async def _eventually(check, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def _accepts(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Replica:
    """`eva serve-telegram --backend openai --store postgresql://...` as its own process."""

    def __init__(self, tmp_path, name: str):
        self.log = tmp_path / f"{name}.log"
        self.ws = tmp_path / name
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, tg, openai_port: int, store_url: str, key: str, *args: str) -> "Replica":
        env = dict(os.environ, EVA_TELEGRAM_TOKEN=TOKEN, EVA_DATA_KEY=key, EVA_WEBHOOK_SECRET=SECRET)
        env.pop("EVA_STORE_URL", None)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "eva_cli", "-w", str(self.ws), "serve-telegram", "--backend", "openai",
            "--openai-base-url", f"http://127.0.0.1:{openai_port}/v1", "--openai-model", "fake",
            "--api-server", tg.base_url, "--store", store_url, "--rate-limit", "100/1", *args,
            stdout=asyncio.subprocess.DEVNULL, stderr=self.log.open("wb"), env=env, cwd=str(self.ws.parent))
        await _eventually(lambda: "Eva is serving" in self.text() or self.proc.returncode is not None, 90,
                          "the replica to start")
        assert self.proc.returncode is None, self.text()[-2000:]
        if "--webhook-port" in args:  # the log line comes just before the webhook server binds
            port = int(args[args.index("--webhook-port") + 1])
            await _eventually(lambda: _accepts(port), 30, "the webhook port")
        return self

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def test_two_webhook_replicas_answer_round_robin_and_retried_updates_once(tg, pg_url, key):
    """A load balancer alternates between the replicas; every third update is also re-sent to the
    other replica at the same moment (Telegram retrying after a slow answer)."""
    import aiohttp

    ports = [_free_port(), _free_port()]
    urls = [f"http://127.0.0.1:{p}/hook" for p in ports]
    backends = [FakeBackend(delay=0.05), FakeBackend(delay=0.05)]
    bots = [running_bot(tg, backends[i], open_store(pg_url, key), webhook_url=urls[i], webhook_host="127.0.0.1",
                        webhook_port=ports[i], webhook_secret=SECRET, rate_burst=100) for i in range(2)]
    updates = [_update(1000 + i, 1 + i % 6, TEXTS[i % len(TEXTS)]) for i in range(36)]
    async with bots[0], bots[1], aiohttp.ClientSession() as http:
        async def deliver(url, update):
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                assert resp.status == 200

        for i, update in enumerate(updates):
            targets = [urls[i % 2]] + ([urls[(i + 1) % 2]] if i % 3 == 0 else [])
            await asyncio.gather(*(deliver(url, update) for url in targets))
        await tg.wait_for(lambda: len(tg.sent) >= len(updates), timeout=60)
        await asyncio.sleep(0.5)  # an answer sent twice would show up now
    assert len(tg.sent) == len(updates)
    for user in range(1, 7):
        assert len(tg.texts(user)) == 6
    calls = [len(b.calls) for b in backends]
    assert sum(calls) <= len(updates) and min(calls) >= len(updates) // 4, calls  # both replicas worked


async def test_a_webhook_replica_killed_mid_reply_fails_the_delivery_and_the_other_answers_it(tg, pg_url, key,
                                                                                               tmp_path):
    """A replica answers Telegram's POST only after handling the update: killed mid-reply, the delivery
    fails, and Telegram's re-send to the other replica is answered (the dead replica's claim is taken over)."""
    import aiohttp

    port_a, port_b = _free_port(), _free_port()
    doomed = Replica(tmp_path, "a")
    update = _update(500, 7, TEXTS[0])
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with fake_openai_server() as openai:
        try:
            await doomed.start(tg, openai.port, pg_url, key, "--webhook-url", f"http://127.0.0.1:{port_a}/hook",
                               "--webhook-host", "127.0.0.1", "--webhook-port", str(port_a))
            openai.delay = 5
            async with running_bot(tg, FakeBackend(default="B answers you."), open_store(pg_url, key),
                                   webhook_url=f"http://127.0.0.1:{port_b}/hook", webhook_host="127.0.0.1",
                                   webhook_port=port_b, webhook_secret=SECRET), aiohttp.ClientSession() as http:
                async def deliver(port):
                    async with http.post(f"http://127.0.0.1:{port}/hook", json=update, headers=headers) as resp:
                        return resp.status

                first = asyncio.create_task(deliver(port_a))
                await _eventually(lambda: openai.open == 1 or first.done(), 60, "replica A's model call")
                assert not first.done(), first.result()
                await doomed.kill()
                with pytest.raises(aiohttp.ClientError):
                    await first  # the delivery failed: Telegram will send it again
                assert await deliver(port_b) == 200
                assert tg.texts(7) == ["B answers you."]
                assert await deliver(port_b) == 200  # and a further re-send is skipped
                await asyncio.sleep(0.3)
        finally:
            await doomed.stop()
    assert tg.texts(7) == ["B answers you."]


async def test_polling_standby_takes_over_when_the_poller_dies_mid_reply_or_stops(tg, pg_url, key, tmp_path):
    """Replica A (its own process) polls; B waits as a hot standby. A is SIGKILLed mid-reply: B takes
    over and answers that message. C starts as the next standby; B stops: C takes over."""
    import aiohttp

    leader = Replica(tmp_path, "a")
    backend_b, backend_c = FakeBackend(default="B answers you."), FakeBackend(default="C answers you.")
    async with fake_openai_server() as openai:
        try:
            await leader.start(tg, openai.port, pg_url, key)
            await _eventually(lambda: tg.get_updates_calls > 0, what="the first poll")
            b_running = running_bot(tg, backend_b, open_store(pg_url, key), rate_burst=100)
            b = await b_running.__aenter__()
            try:
                # Telegram serves one poller: a second getUpdates while the leader long-polls is a 409.
                async with aiohttp.ClientSession() as http:
                    async with http.post(f"{tg.base_url}/bot{TOKEN}/getUpdates", data={"timeout": "0"}) as resp:
                        assert resp.status == 409
                tg.message(1, "Hello, the leader should answer this one.")
                [first] = await tg.wait_texts(1, 1)
                assert "You said" in first and backend_b.calls == []
                assert b.poller.standing_by  # it waits on the lease; it does not poll

                openai.delay = 5  # the leader's next reply hangs (the server's shutdown waits this out) ...
                tg.message(2, "A message the leader is answering when it is killed.")
                await _eventually(lambda: openai.open == 1, 60, "the leader's model call")
                await leader.kill()  # ... and the leader is SIGKILLed mid-reply
                assert await tg.wait_texts(2, 1, timeout=30) == ["B answers you."]
                assert not b.poller.standing_by
                async with running_bot(tg, backend_c, open_store(pg_url, key), rate_burst=100) as c:
                    tg.message(3, "One more while B leads.")
                    assert await tg.wait_texts(3, 1) == ["B answers you."]
                    assert c.poller.standing_by
                    await b_running.__aexit__(None, None, None)  # B stops (SIGTERM's path) ...
                    b_running = None
                    tg.message(4, "And one after B stopped.")
                    assert await tg.wait_texts(4, 1, timeout=30) == ["C answers you."]  # ... C took over
                    await asyncio.sleep(0.5)
            finally:
                if b_running is not None:
                    await b_running.__aexit__(None, None, None)
        finally:
            await leader.stop()
    assert [len(tg.texts(u)) for u in (1, 2, 3, 4)] == [1, 1, 1, 1]  # each answered exactly once
    assert len(backend_b.calls) == 2 and len(backend_c.calls) == 1
    assert TOKEN not in leader.text()


async def test_the_bot_reconnects_after_a_database_restart_and_loses_no_message(tg, private_pg, key):
    backend = FakeBackend()
    store = open_store(private_pg.url, key)
    async with running_bot(tg, backend, store, rate_burst=100):
        for user in (1, 2):
            tg.message(user, TEXTS[user])
        await tg.wait_texts(1, 1)
        await tg.wait_texts(2, 1)
        down, up = threading.Event(), threading.Event()

        def restart():
            private_pg.stop()  # a fast shutdown: every connection of the bot is cut
            down.set()
            time.sleep(1.5)
            private_pg.start()
            up.set()

        threading.Thread(target=restart, daemon=True).start()
        await asyncio.to_thread(down.wait, 60)
        for user in (3, 4, 5):  # arrive while the database is down
            tg.message(user, TEXTS[user % len(TEXTS)])
        await asyncio.to_thread(up.wait, 60)
        tg.message(6, TEXTS[0])
        for user in (3, 4, 5, 6):
            await tg.wait_texts(user, 1, timeout=40)
        await asyncio.sleep(0.5)
    assert [len(tg.texts(u)) for u in range(1, 7)] == [1] * 6
    assert len(backend.calls) <= 6
    with open_store(private_pg.url, key) as after:  # and what was said is stored
        assert [m["role"] for m in after.history(4)] == ["user", "assistant"]
