"""Small pieces of the bot: message splitting, retry policy, token redaction, settings validation."""

from __future__ import annotations

import asyncio
import logging

import pytest

from eva_cli.bot.config import BotConfig, parse_allowed_users
from eva_cli.bot.middlewares import TokenBucket
from eva_cli.bot.redact import install_redaction, redact
from eva_cli.bot.replies import split_message, tg_len
from eva_cli.bot.retry import RetryMiddleware, RetryPolicy
from eva_cli.errors import InputError

TOKEN = "987654321:AAHsecretSecretSecretSecretSecret_xyz"


def test_short_text_is_one_message():
    assert split_message("Hello there.") == ["Hello there."]
    assert split_message("   ") == []


def test_split_prefers_sentence_ends_and_keeps_all_text():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = split_message(text, limit=100)
    assert all(len(c) <= 100 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(chunks) == text


def test_split_falls_back_to_words_then_characters():
    words = "word " * 60
    chunks = split_message(words.strip(), limit=50)
    assert all(len(c) <= 50 for c in chunks) and " ".join(chunks) == words.strip()
    blob = "x" * 130
    assert split_message(blob, limit=50) == ["x" * 50, "x" * 50, "x" * 30]


def test_split_counts_utf16_like_telegram():
    emoji = "🙂" * 3000  # 6000 UTF-16 units
    chunks = split_message(emoji)
    assert all(tg_len(c) <= 4096 for c in chunks) and "".join(chunks) == emoji


def test_split_keeps_paragraphs():
    text = "First paragraph line.\n\nSecond paragraph here.\nThird line!"
    assert split_message(text, limit=30) == ["First paragraph line.", "Second paragraph here.", "Third line!"]


def test_backoff_is_exponential_and_capped():
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


async def test_retry_middleware_honours_retry_after_and_gives_up_on_4xx():
    from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
    from aiogram.methods import SendMessage

    method = SendMessage(chat_id=1, text="hi")
    slept: list[float] = []

    async def fake_sleep(s):
        slept.append(s)

    outcomes = [TelegramRetryAfter(method=method, message="429", retry_after=7),
                TelegramServerError(method=method, message="500"), "ok"]

    async def make_request(bot, m):
        item = outcomes.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    mw = RetryMiddleware(RetryPolicy(base_delay_s=0.25, jitter=0.0), sleep=fake_sleep)
    assert await mw(make_request, None, method) == "ok"
    assert slept == [7.0, 0.25]

    async def bad_request(bot, m):
        raise TelegramBadRequest(method=method, message="chat not found")

    with pytest.raises(TelegramBadRequest):
        await mw(bad_request, None, method)
    assert slept == [7.0, 0.25]  # not retried


async def test_retry_middleware_stops_after_max_attempts():
    from aiogram.exceptions import TelegramNetworkError
    from aiogram.methods import SendMessage

    method = SendMessage(chat_id=1, text="hi")
    calls = 0

    async def failing(bot, m):
        nonlocal calls
        calls += 1
        raise TelegramNetworkError(method=method, message="connection reset")

    async def no_sleep(s):
        pass

    with pytest.raises(TelegramNetworkError):
        await RetryMiddleware(RetryPolicy(max_attempts=4), sleep=no_sleep)(failing, None, method)
    assert calls == 4


def test_redaction_covers_urls_and_tracebacks(caplog):
    install_redaction(TOKEN)
    log = logging.getLogger("aiogram.test")
    with caplog.at_level(logging.INFO):
        log.info("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
        try:
            raise RuntimeError(f"boom at /bot{TOKEN}/getUpdates")
        except RuntimeError:
            log.exception("request failed")
    text = caplog.text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "/bot<redacted>/sendMessage" in text
    assert redact(f"x 12345678:{'A' * 35} y") == "x <redacted> y"  # any token-shaped string


def test_bot_config_validates_without_echoing_the_token():
    with pytest.raises(InputError, match="EVA_TELEGRAM_TOKEN"):
        BotConfig(token="")
    with pytest.raises(InputError) as err:
        BotConfig(token="not-a-token-secretvalue")
    assert "secretvalue" not in str(err.value)
    with pytest.raises(InputError, match="--webhook-url"):
        BotConfig(token=TOKEN, webhook_url="ftp://example.org/hook")
    with pytest.raises(InputError, match="EVA_WEBHOOK_SECRET"):
        BotConfig(token=TOKEN, webhook_secret="has spaces")
    assert "AAHsecret" not in repr(BotConfig(token=TOKEN))
    assert BotConfig(token=TOKEN, webhook_url="https://eva.example.org/tg/hook").webhook_path == "/tg/hook"


def test_allowed_users_parsing():
    assert parse_allowed_users("") == frozenset()
    assert parse_allowed_users(" 12, 34 ;56") == {12, 34, 56}
    with pytest.raises(InputError, match="--allowed-users"):
        parse_allowed_users("12,alice")


def test_token_bucket_bursts_then_refills():
    bucket = TokenBucket(burst=3, window_s=30, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(5.0)  # 5 s refills half a message
    assert bucket.take(10.0)  # 10 s refills one


async def test_typing_is_sent_before_the_reply_and_refreshed():
    from eva_cli.bot.replies import typing

    events: list[str] = []

    class Bot:
        async def send_chat_action(self, chat_id, action):
            await asyncio.sleep(0.01)
            events.append(action)

    async with typing(Bot(), 1, interval_s=0.05):
        await asyncio.sleep(0.2)
    events.append("reply")
    assert events[-1] == "reply" and events.count("typing") >= 3
