"""The conversation pipeline shared by the bot and `eva chat`: safety order, memory budget, language."""

from __future__ import annotations

import asyncio

import pytest

from fakes import FakeBackend

from eva_cli.backends.base import GenerationTimeout
from eva_cli.conversation import (TEXTS, ConversationConfig, ConversationPipeline, InMemoryHistory, build_context,
                                  reply_lang)
from eva_cli.errors import InputError
from eva_cli.persona import SYSTEM_PROMPTS

CRISIS_EN = "I have decided to kill myself tonight. I already have the pills."
CRISIS_UK = "Я вирішила покінчити з собою сьогодні вночі, таблетки вже лежать поруч."


def pipeline(backend=None, **cfg) -> ConversationPipeline:
    return ConversationPipeline(backend or FakeBackend(), InMemoryHistory(), ConversationConfig(**cfg))


async def test_crisis_reply_without_model_call_en_and_uk():
    from eva_cli.safety import crisis_reply

    p = pipeline()
    en = await p.respond(1, 1, CRISIS_EN, locale="US")
    uk = await p.respond(2, 2, CRISIS_UK, locale="UA")
    assert p.backend.calls == []
    assert (en.kind, en.risk, en.lang) == ("crisis", "crisis", "en") and en.text == crisis_reply("en", "US")
    assert "988" in en.text
    assert (uk.kind, uk.lang) == ("crisis", "uk") and uk.text == crisis_reply("uk", "UA") and "7333" in uk.text
    assert not en.model_called
    assert [m["role"] for m in p.memory.history(1)] == ["user", "assistant"]  # the exchange is remembered


async def test_crisis_wins_over_the_length_limit():
    p = pipeline(max_input_chars=100)
    turn = await p.respond(1, 1, "It has been a long year. " * 10 + CRISIS_EN)
    assert turn.kind == "crisis" and p.backend.calls == []


async def test_model_reply_uses_persona_and_memory():
    backend = FakeBackend(["First reply.", "Second reply."])
    p = pipeline(backend)
    await p.respond(1, 1, "I have been feeling low this week")
    turn = await p.respond(1, 1, "It started after the move")
    assert turn.kind == "model" and turn.text == "Second reply." and turn.model_called
    sent = backend.calls[1]
    assert sent[0] == {"role": "system", "content": SYSTEM_PROMPTS["en"]}
    assert [m["content"] for m in sent[1:]] == ["I have been feeling low this week", "First reply.",
                                                "It started after the move"]
    assert turn.prompt == sent[1:]
    assert backend.kwargs[0]["max_new_tokens"] == 160


def test_context_keeps_the_newest_turns_that_fit_the_budget():
    history = []
    for i in range(20):
        history += [{"role": "user", "content": f"user turn {i} " + "x" * 40},
                    {"role": "assistant", "content": f"reply {i} " + "y" * 40}]
    count = lambda s: len(s) // 4 + 1  # noqa: E731
    ctx = build_context("system prompt", history, "the new message", budget=200, count_tokens=count)
    assert ctx[0]["role"] == "system" and ctx[-1] == {"role": "user", "content": "the new message"}
    kept = ctx[1:-1]
    assert kept and kept[0]["role"] == "user"  # never starts mid-exchange
    assert kept[-1]["content"].startswith("reply 19")  # the newest turns survive
    assert sum(count(m["content"]) + 6 for m in ctx) <= 200
    assert len(kept) < len(history)
    assert build_context("s", history, "m", budget=10, count_tokens=count)[1:] == [{"role": "user", "content": "m"}]


async def test_elevated_risk_appends_the_check_in():
    from eva_cli.safety import elevated_addendum, screen

    text = "Lately everything feels pointless. What is even the point of going on like this"
    assert screen(text).risk == "elevated"
    p = pipeline(FakeBackend(["That sounds heavy."]))
    turn = await p.respond(1, 1, text, locale="US")
    assert turn.kind == "model" and turn.text == f"That sounds heavy.\n\n{elevated_addendum('en', 'US').strip()}"
    assert "988" in turn.text
    assert p.memory.history(1)[-1]["content"] == "That sounds heavy."  # memory keeps it without the addendum


async def test_unsafe_model_output_is_replaced_by_the_guard():
    from eva_cli.safety import guard_reply

    unsafe = UNSAFE_REPLY
    assert not guard_reply(unsafe, "en").safe
    p = pipeline(FakeBackend([unsafe]))
    turn = await p.respond(1, 1, "My moods swing a lot and I wonder what is going on with me")
    assert turn.guarded and turn.text != unsafe and turn.text == guard_reply(unsafe, "en").text
    assert turn.model_reply == unsafe


@pytest.mark.parametrize("failure", [RuntimeError("boom"), GenerationTimeout("slow"), ""])
async def test_failures_become_an_apology(failure):
    p = pipeline(FakeBackend([failure, "Fine again."]))
    turn = await p.respond(1, 1, "My week was strange")
    assert turn.kind == "error" and turn.text == TEXTS["apology"]["en"]
    assert (await p.respond(1, 1, "Still there?")).text == "Fine again."


async def test_too_long_input_gets_polite_reply():
    p = pipeline(max_input_chars=50)
    turn = await p.respond(1, 1, "a calm but long message " * 5)
    assert turn.kind == "too_long" and turn.text == TEXTS["too_long"]["en"].format(limit=50)
    assert p.backend.calls == [] and p.memory.history(1) == []


async def test_language_follows_the_user_and_lang_choice():
    backend = FakeBackend()
    p = pipeline(backend)
    await p.respond(1, 1, "Мені самотньо після переїзду, і я не знаю, з ким поговорити")
    assert backend.calls[-1][0]["content"] == SYSTEM_PROMPTS["uk"]
    await p.respond(1, 1, "ok")  # too short to switch language
    assert backend.calls[-1][0]["content"] == SYSTEM_PROMPTS["uk"]
    p.memory.set_lang(1, "en")
    await p.respond(1, 1, "Мені трохи краще сьогодні, дякую тобі")
    assert backend.calls[-1][0]["content"] == SYSTEM_PROMPTS["en"]


def test_reply_lang_rules():
    assert reply_lang("en", None, "I feel bad today", "en") == "en"
    assert reply_lang("uk", "en", "Мені погано сьогодні", "en") == "uk"
    assert reply_lang("ru", None, "Мне плохо сегодня вечером", "en") == "uk"
    assert reply_lang("other", "uk", "🙂🙂", "en") == "uk"
    assert reply_lang("other", None, "🙂🙂", "en") == "en"


async def test_one_chat_is_answered_in_order_while_chats_run_concurrently():
    spans: dict[str, list[float]] = {}

    class Timed(FakeBackend):
        async def generate(self, messages, **kw):
            loop = asyncio.get_running_loop()
            start = loop.time()
            reply = await super().generate(messages, **kw)
            spans[messages[-1]["content"]] = [start, loop.time()]
            return reply

    backend = Timed(delay=0.3)
    p = pipeline(backend)
    await asyncio.gather(p.respond(1, 1, "first message here"), p.respond(1, 1, "second message here"),
                         p.respond(2, 2, "another chat's message"))
    first, second, other = (spans[k] for k in ("first message here", "second message here", "another chat's message"))
    assert second[0] >= first[1]  # chat 1: the second turn waited for the first
    assert other[0] < first[1]  # chat 2 ran alongside chat 1
    chat1 = [c for c in backend.calls if "message here" in c[-1]["content"]]
    assert chat1[1][1]["content"] == "first message here"  # the second turn saw the first


def test_config_is_validated():
    with pytest.raises(InputError, match="--context-tokens"):
        ConversationConfig(context_tokens=10)
    with pytest.raises(InputError, match="--lang"):
        ConversationConfig(default_lang="fr")


UNSAFE_REPLY = "You clearly have bipolar disorder, and you should double your sertraline to 200 mg."
