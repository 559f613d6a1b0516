"""Test doubles: a fake model backend (queued replies or exceptions, optional delay, a record of every
call), a fake OpenAI-compatible server, and a harness that runs the real bot against tests/fake_telegram.py."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

from eva_cli.backends.base import approx_tokens


class FakeBackend:
    name = "fake"

    def __init__(self, replies=(), default: str = "I hear you. Tell me more about how that felt.",
                 delay: float = 0.0):
        self.queue: deque = deque(replies)
        self.default = default
        self.delay = delay
        self.calls: list[list[dict]] = []  # the messages of every generate() call
        self.kwargs: list[dict] = []
        self.started = 0  # generate() calls that began (a slow call counts before it ends)
        self.closed = False

    def push(self, *replies) -> None:
        """Queue replies; an Exception instance is raised instead of returned."""
        self.queue.extend(replies)

    async def generate(self, messages: list[dict], *, max_new_tokens: int | None = None,
                       temperature: float | None = None) -> str:
        self.started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        self.calls.append([dict(m) for m in messages])
        self.kwargs.append({"max_new_tokens": max_new_tokens, "temperature": temperature})
        item = self.queue.popleft() if self.queue else self.default
        if isinstance(item, BaseException):
            raise item
        return item

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    async def aclose(self) -> None:
        self.closed = True


@contextlib.asynccontextmanager
async def running_bot(tg, backend, store, *, conversation=None, **overrides):
    """A real BotApp (aiogram dispatcher, polling or webhook) against the fake server, stopped on exit."""
    from eva_cli.bot.app import BotApp
    from eva_cli.bot.config import BotConfig
    from eva_cli.bot.retry import RetryPolicy

    settings = dict(token=tg.token, api_server=tg.base_url, polling_timeout_s=1, busy_poll_interval_s=0.05,
                    retry=RetryPolicy(base_delay_s=0.05, max_delay_s=0.2), drain_timeout_s=20)
    settings.update(overrides)
    app = BotApp(BotConfig(**settings), backend, store, conversation)
    task = asyncio.create_task(app.run(handle_signals=False))
    ready = asyncio.create_task(app.ready.wait())
    await asyncio.wait({task, ready}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()  # raises the start-up error
    if not app.ready.is_set():
        raise AssertionError("the bot did not start within 120 s")
    app.task = task
    try:
        yield app
    finally:
        app.request_stop()
        await asyncio.wait_for(asyncio.shield(task), 30)


def new_store(path, key: str | None = None):
    """The real encrypted ConversationStore at `path` (a fresh Fernet key unless given)."""
    from cryptography.fernet import Fernet

    from eva_cli.store import ConversationStore

    path.parent.mkdir(parents=True, exist_ok=True)
    return ConversationStore(path, key or Fernet.generate_key().decode(), retention_days=30)


def rows_about_user(db_path, user_id: int) -> int:
    """Rows in any table of the SQLite file whose user-id column holds `user_id` (schema-agnostic)."""
    import sqlite3

    con = sqlite3.connect(str(db_path))
    try:
        total = 0
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            cols = [r[1] for r in con.execute(f"pragma table_info('{table}')")]
            for col in cols:
                if col.lower() in ("user_id", "user", "uid", "telegram_user_id"):
                    total += con.execute(f"select count(*) from '{table}' where {col} = ?", (user_id,)).fetchone()[0]
        return total
    finally:
        con.close()


class FakeOpenAI:
    """POST /v1/chat/completions like vLLM answers it; records requests and concurrency."""

    def __init__(self):
        self.requests: list[dict] = []
        self.auth: list[str] = []
        self.status = 200
        self.delay = 0.0
        self.reply = None  # None: echo "You said: <last message>"
        self.finish_reason = "stop"  # "length": the reply reached max_tokens
        self.open = 0
        self.max_open = 0
        self.port = None

    async def handle(self, request):
        from aiohttp import web

        body = await request.json()
        self.requests.append(body)
        self.auth.append(request.headers.get("Authorization", ""))
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.open -= 1
        if self.status != 200:
            return web.json_response({"error": {"message": "overloaded", "type": "server_error"}}, status=self.status)
        last = body["messages"][-1]["content"]
        content = self.reply if self.reply is not None else f"  You said: {last}  "
        return web.json_response({
            "id": "cmpl-1", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
            "choices": [{"index": 0, "finish_reason": self.finish_reason,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})


@contextlib.asynccontextmanager
async def fake_openai_server():
    """A FakeOpenAI listening on 127.0.0.1 (random port) for the duration of the block."""
    from aiohttp import web

    fake = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.port = runner.addresses[0][1]
    try:
        yield fake
    finally:
        await runner.cleanup()


class ServerThread:
    """Runs an async server context manager (e.g. fake_openai_server()) in a background event loop,
    for tests that call the synchronous CLI."""

    def __init__(self, factory):
        import threading

        self._factory = factory
        self._ready = threading.Event()
        self._loop = None
        self._stop = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.server = None

    async def _main(self):
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self._factory() as server:
            self.server = server
            self._ready.set()
            await self._stop.wait()

    def __enter__(self):
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("the fake server did not start")
        return self.server

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)
