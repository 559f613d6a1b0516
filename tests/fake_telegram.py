"""A fake Telegram Bot API server for end-to-end tests (aiohttp on 127.0.0.1, random port).

It speaks the real HTTP protocol that aiogram uses (`POST /bot<token>/<method>`, form fields,
JSON answers) and implements what Eva needs: getMe, getUpdates (long poll, offset confirms),
sendMessage, sendChatAction, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
setMyCommands, deleteWebhook, setWebhook. Tests inject updates (text, stickers, voice, photos,
callback queries) and faults (429 with retry_after, 500, a dropped connection), then read what
the bot sent. Like Telegram, it serves one poller: a getUpdates that arrives while another one is
still waiting (its client still connected) is answered 409 Conflict.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmnop"
BOT_ID = 123456789


@dataclass
class Call:
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    def __init__(self, token: str = TOKEN, username: str = "eva_test_bot"):
        self.token = token
        self.username = username
        self.updates: list[dict] = []  # not yet confirmed by an offset
        self.calls: list[Call] = []  # every call but getUpdates, in order
        self.sent: list[dict] = []  # messages the bot sent (Message objects as returned)
        self.messages: dict[tuple[int, int], dict] = {}  # (chat, message_id) -> message
        self.faults: dict[str, deque] = defaultdict(deque)
        self.get_updates_calls = 0
        self.conflicts = 0  # getUpdates answered 409 because another poller was waiting
        self._poll_request: web.Request | None = None  # the getUpdates being served now
        self.confirmed_below = 0
        self.webhook: dict | None = None
        self.port: int | None = None
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._user_message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> "FakeTelegram":
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeTelegram":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # -- injecting updates ---------------------------------------------------------------------
    def _user(self, user_id: int, language_code: str | None) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _incoming(self, user_id: int, chat_id: int | None, language_code: str | None, **content) -> int:
        chat_id = chat_id or user_id
        message = {"message_id": next(self._user_message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group",
                            "first_name": f"User{user_id}"},
                   "from": self._user(user_id, language_code), **content}
        return self._push({"message": message})

    def message(self, user_id: int, text: str, *, chat_id: int | None = None, language_code: str | None = "en",
                reply_to: dict | None = None) -> int:
        """Inject a text message; returns its update_id."""
        content: dict = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            content["reply_to_message"] = _public(reply_to)
        return self._incoming(user_id, chat_id, language_code, **content)

    def sticker(self, user_id: int, language_code: str | None = "en") -> int:
        return self._incoming(user_id, None, language_code, sticker={
            "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
            "is_animated": False, "is_video": False})

    def voice(self, user_id: int, language_code: str | None = "en") -> int:
        return self._incoming(user_id, None, language_code, voice={"file_id": "voice-1", "file_unique_id": "v1",
                                                                   "duration": 3})

    def photo(self, user_id: int, language_code: str | None = "en") -> int:
        return self._incoming(user_id, None, language_code, photo=[{"file_id": "photo-1", "file_unique_id": "p1",
                                                                    "width": 90, "height": 90}])

    def callback(self, user_id: int, message: dict, data: str, language_code: str | None = "en") -> int:
        """A button press on `message` (one of `self.sent`)."""
        return self._push({"callback_query": {"id": f"cb{len(self.calls)}-{time.monotonic_ns()}",
                                              "from": self._user(user_id, language_code),
                                              "chat_instance": "ci", "data": data, "message": _public(message)}})

    def _push(self, payload: dict) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, **payload})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- faults --------------------------------------------------------------------------------
    def fail(self, method: str, kind: str, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` fail: kind '429' (with retry_after), '500' or 'drop'."""
        if kind not in ("429", "500", "drop"):
            raise ValueError(kind)
        for _ in range(times):
            self.faults[method].append((kind, retry_after))

    # -- reading what the bot did --------------------------------------------------------------
    def texts(self, chat_id: int | None = None) -> list[str]:
        return [m["text"] for m in self.sent if chat_id is None or m["chat"]["id"] == chat_id]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate, timeout: float = 15.0):
        """Wait until predicate() is truthy (checked whenever the bot calls the server)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not (result := predicate()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout} s; bot sent: {self.texts()}")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except asyncio.TimeoutError:
                    pass
        return result

    async def wait_texts(self, chat_id: int, count: int, timeout: float = 15.0) -> list[str]:
        await self.wait_for(lambda: len(self.texts(chat_id)) >= count, timeout)
        return self.texts(chat_id)

    # -- the HTTP side -------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = {k: _decode(v) for k, v in (await request.post()).items()}
        fault = self.faults[method].popleft() if self.faults.get(method) else None
        if fault is not None:
            kind, retry_after = fault
            self.calls.append(Call(f"{method}!{kind}", params))
            if kind == "429":
                return _error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
            if kind == "500":
                return _error(500, "Internal Server Error")
            request.transport.close()  # 'drop': the connection goes away with no answer
            return web.Response(status=500)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not in the fake server")
        polling = method.lower() == "getupdates"
        if not polling:
            self.calls.append(Call(method, params))
        elif _connected(self._poll_request):
            self.conflicts += 1
            return _error(409, "Conflict: terminated by other getUpdates request; "
                               "make sure that only one bot instance is running")
        else:
            self._poll_request = request
        try:
            result = await handler(params)
        except _ApiError as exc:
            return _error(exc.code, exc.description)
        finally:
            if polling and self._poll_request is request:
                self._poll_request = None
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _m_getme(self, p):
        return {"id": BOT_ID, "is_bot": True, "first_name": "Eva", "username": self.username,
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _m_getupdates(self, p):
        self.get_updates_calls += 1
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        if offset:
            self.confirmed_below = max(self.confirmed_below, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self.updates and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
        return self.updates[:limit]

    def _bot_message(self, chat_id: int, text: str, reply_markup) -> dict:
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Eva", "username": self.username},
                   "text": text}
        if isinstance(reply_markup, dict) and "inline_keyboard" in reply_markup:
            message["reply_markup"] = reply_markup
        return message

    async def _m_sendmessage(self, p):
        text = p.get("text") or ""
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        message = self._bot_message(int(p["chat_id"]), text, p.get("reply_markup"))
        message["_markup"] = p.get("reply_markup")  # what was asked for, ForceReply included
        self.sent.append(message)
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        return {k: v for k, v in message.items() if not k.startswith("_")}

    async def _m_sendchataction(self, p):
        return True

    async def _m_editmessagetext(self, p):
        message = self._find(p)
        message["text"] = p["text"]
        return {k: v for k, v in message.items() if not k.startswith("_")}

    async def _m_editmessagereplymarkup(self, p):
        message = self._find(p)
        markup = p.get("reply_markup")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["_markup"] = markup
        return {k: v for k, v in message.items() if not k.startswith("_")}

    async def _m_answercallbackquery(self, p):
        return True

    async def _m_setmycommands(self, p):
        return True

    async def _m_deletewebhook(self, p):
        self.webhook = None
        return True

    async def _m_setwebhook(self, p):
        self.webhook = {"url": p.get("url"), "secret_token": p.get("secret_token")}
        return True

    def _find(self, p) -> dict:
        key = (int(p["chat_id"]), int(p["message_id"]))
        if key not in self.messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]


class _ApiError(Exception):
    def __init__(self, code: int, description: str):
        self.code, self.description = code, description


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def _connected(request: web.Request | None) -> bool:
    transport = request.transport if request is not None else None
    return transport is not None and not transport.is_closing()


def _public(message: dict) -> dict:
    return {k: v for k, v in message.items() if not k.startswith("_")}


def _decode(value):
    """aiogram sends scalars as text and objects/lists as JSON text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for the bot's webhook server in tests)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
