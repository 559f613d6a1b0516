"""Conversation-level crisis handling end to end: the real bot against the fake Bot API, and `eva chat`.

A plan announced after earlier hopelessness gets the crisis reply with no model call; the chat
then stays in crisis (no model call) until the person says they are safe; /reset also ends it."""

from __future__ import annotations

import pytest

from fake_telegram import FakeTelegram
from fakes import FakeBackend, new_store, running_bot

from eva_cli.safety import crisis_followup, crisis_reply, safe_ack

pytestmark = pytest.mark.timeout(180)

CHATS = {
    "en": ["my boyfriend broke up with me on tuesday, we were together four years",
           "i keep thinking there is no point in anything now",
           "i'm done. i'm going to end it this weekend"],
    "uk": ["мій хлопець пішов від мене у вівторок, ми були разом чотири роки",
           "постійно думаю, що тепер уже немає сенсу ні в чому",
           "все, з мене досить. на вихідних покінчу з цим"],
}
AFTER = {"en": ("what should i eat for dinner", "ok i am safe now, i called my sister and she is here"),
         "uk": ("що мені приготувати на вечерю", "добре, я в безпеці, зі мною сестра")}


@pytest.fixture
async def tg():
    async with FakeTelegram() as server:
        yield server


@pytest.mark.parametrize("lang", ["en", "uk"])
async def test_plan_after_hopelessness_gets_crisis_reply_and_stays_until_safe(tg, tmp_path, lang):
    backend = FakeBackend()
    store = new_store(tmp_path / "eva.sqlite")
    user = 41 if lang == "en" else 42
    async with running_bot(tg, backend, store):
        first, second, plan = CHATS[lang]
        tg.message(user, first)
        await tg.wait_texts(user, 1)
        tg.message(user, second)
        await tg.wait_texts(user, 2)
        calls_before = len(backend.calls)
        assert calls_before == 2  # the two early messages are ordinary model turns

        tg.message(user, plan)
        replies = await tg.wait_texts(user, 3)
        assert replies[2] == crisis_reply(lang, "UA", ["suicidal_ideation_active", "plan_intent_means"])
        assert len(backend.calls) == calls_before  # no model call for the crisis message

        ordinary, safe = AFTER[lang]
        tg.message(user, ordinary)
        replies = await tg.wait_texts(user, 4)
        assert replies[3] == crisis_followup(lang, "UA", 1)  # still crisis: resources and a check-in
        assert len(backend.calls) == calls_before

        tg.message(user, safe)
        replies = await tg.wait_texts(user, 5)
        assert replies[4] == safe_ack(lang, "UA")
        assert len(backend.calls) == calls_before

        tg.message(user, ordinary)
        await tg.wait_texts(user, 6)
        assert len(backend.calls) == calls_before + 1  # ordinary conversation again


async def test_reset_ends_the_crisis_state(tg, tmp_path):
    backend = FakeBackend()
    store = new_store(tmp_path / "eva.sqlite")
    async with running_bot(tg, backend, store):
        for i, text in enumerate(CHATS["en"], 1):
            tg.message(7, text)
            await tg.wait_texts(7, i)
        calls = len(backend.calls)
        tg.message(7, "/reset")
        await tg.wait_texts(7, 4)
        tg.message(7, AFTER["en"][0])
        await tg.wait_texts(7, 5)
        assert len(backend.calls) == calls + 1


def test_eva_chat_gives_the_crisis_reply_after_hopelessness(tmp_path):
    """`eva chat` runs the same pipeline: piped input, the embedded model for ordinary turns."""
    import os
    import subprocess
    import sys

    script = "\n".join(CHATS["en"] + [AFTER["en"][0], "/quit"]) + "\n"
    r = subprocess.run([sys.executable, "-m", "eva_cli", "-w", str(tmp_path), "chat", "--max-new-tokens", "8"], input=script,
                       capture_output=True, text=True, timeout=170, cwd=tmp_path,
                       env={**os.environ, "EVA_SAFETY_EMBED": "0", "COLUMNS": "400"})
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    first_crisis = crisis_reply("en", None, ["suicidal_ideation_active"]).split("\n")[0]
    assert first_crisis in out
    assert crisis_followup("en", None, 1).split("\n")[0] in out
