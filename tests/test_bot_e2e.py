"""The real bot (aiogram dispatcher, routers, middlewares, retrying session, offset-safe polling)
end to end against the fake Bot API server, with a fake model backend and the real encrypted store."""

from __future__ import annotations

import asyncio
import time

import pytest

from fake_telegram import FakeTelegram
from fakes import FakeBackend, new_store, rows_about_user, running_bot

from eva_cli.backends.base import BackendError, GenerationTimeout
from eva_cli.bot.texts import t
from eva_cli.conversation import TEXTS, ConversationConfig
from eva_cli.persona import GREETING, SYSTEM_PROMPTS

pytestmark = pytest.mark.timeout(120)

CRISIS_EN = "I have decided to kill myself tonight. I already have the pills."
CRISIS_UK = "Я вирішила покінчити з собою сьогодні вночі, таблетки вже лежать поруч."


@pytest.fixture
async def tg():
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def db(tmp_path):
    return tmp_path / "bot" / "eva.sqlite"


@pytest.fixture
def store(db):
    return new_store(db)


async def settle(seconds: float = 0.3) -> None:
    """Give the bot a moment to (wrongly) send anything more."""
    await asyncio.sleep(seconds)


# -- commands ---------------------------------------------------------------------------------

async def test_start_help_privacy(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store):
        tg.message(1, "/start")
        [start] = await tg.wait_texts(1, 1)
        assert start.startswith(GREETING["en"])
        assert "not a therapist" in start and "emergency service" in start and "/help" in start
        tg.message(1, "/help")
        help_text = (await tg.wait_texts(1, 2))[1]
        from eva_cli.safety import help_text as crisis_lines

        assert crisis_lines("en", "UA") in help_text and "/forget" in help_text
        tg.message(1, "/privacy")
        privacy = (await tg.wait_texts(1, 3))[2]
        assert "30 days" in privacy and "/forget" in privacy and t("encrypted", "en") in privacy
    assert backend.calls == []  # commands never reach the model


async def test_ukrainian_user_gets_ukrainian_greeting(tg, store):
    async with running_bot(tg, FakeBackend(), store):
        tg.message(5, "/start", language_code="uk")
        [start] = await tg.wait_texts(5, 1)
        assert start.startswith(GREETING["uk"])


async def test_lang_command_switches_persona_language(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store):
        tg.message(1, "/lang uk")
        assert (await tg.wait_texts(1, 1))[0] == t("lang_set", "uk")
        tg.message(1, "I had a rough day at work and I keep replaying it")
        await tg.wait_texts(1, 2)
        assert backend.calls[-1][0] == {"role": "system", "content": SYSTEM_PROMPTS["uk"]}
        tg.message(1, "/lang auto")
        await tg.wait_texts(1, 3)
        tg.message(1, "Another rough day, and I am tired of it all")
        await tg.wait_texts(1, 4)
        assert backend.calls[-1][0]["content"] == SYSTEM_PROMPTS["en"]
        tg.message(1, "/lang xx")
        assert (await tg.wait_texts(1, 5))[4] == t("lang_usage", "en")


async def test_replies_follow_the_users_language(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store):
        tg.message(2, "Мені сьогодні дуже важко, не можу зібратися з думками")
        await tg.wait_texts(2, 1)
    assert backend.calls[0][0]["content"] == SYSTEM_PROMPTS["uk"]


# -- conversation -----------------------------------------------------------------------------

async def test_normal_message_memory_and_feedback_buttons(tg, store):
    backend = FakeBackend(["That sounds exhausting. What weighs on you most?", "It makes sense to feel that way."])
    async with running_bot(tg, backend, store):
        tg.message(1, "I could not sleep again and I feel worn out")
        [reply] = await tg.wait_texts(1, 1)
        assert reply == "That sounds exhausting. What weighs on you most?"
        markup = tg.sent[-1]["reply_markup"]["inline_keyboard"][0]
        assert [b["text"] for b in markup] == ["👍", "👎"]
        tg.message(1, "Mostly the exams next week")
        await tg.wait_texts(1, 2)
        second = backend.calls[1]
        assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
        assert second[2]["content"] == "That sounds exhausting. What weighs on you most?"
        assert [m["role"] for m in store.history(1)] == ["user", "assistant", "user", "assistant"]
        assert tg.calls_of("sendChatAction")  # "typing..." was shown


async def test_reset_forgets_context(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store):
        tg.message(1, "My sister and I argued about money")
        await tg.wait_texts(1, 1)
        tg.message(1, "/reset")
        assert (await tg.wait_texts(1, 2))[1] == t("reset", "en")
        tg.message(1, "Work is stressful too")
        await tg.wait_texts(1, 3)
    assert [m["role"] for m in backend.calls[-1]] == ["system", "user"]


async def test_forget_deletes_every_row_about_the_user(tg, store, db):
    backend = FakeBackend()
    async with running_bot(tg, backend, store):
        tg.message(1, "/consent")
        tg.message(1, "I feel lonely since I moved to a new city")
        await tg.wait_texts(1, 2)
        # the model's reply (the one with 👍/👎); the /consent answer may be sent after it
        rated = [m for m in tg.sent if m["chat"]["id"] == 1 and m.get("reply_markup")][-1]
        tg.callback(1, rated, "fb:up")
        await tg.wait_for(lambda: tg.calls_of("answerCallbackQuery"))
        tg.message(7, "Someone else's conversation about their new job")
        await tg.wait_texts(7, 1)
        assert rows_about_user(db, 1) > 0
        assert store.export_feedback()
        tg.message(1, "/forget")
        confirm = (await tg.wait_texts(1, 3))[2]
        assert confirm.startswith("Deleted:")
        assert rows_about_user(db, 1) == 0
        assert store.history(1) == []
        assert not store.has_consent(1)
        assert store.export_feedback() == []
        assert rows_about_user(db, 7) > 0  # other users untouched
        assert len(store.history(7)) == 2


async def test_crisis_messages_get_crisis_reply_without_model_call(tg, store):
    from eva_cli.safety import crisis_reply

    backend = FakeBackend()
    async with running_bot(tg, backend, store, locale="UA"):
        tg.message(1, CRISIS_EN, language_code="en-US")
        tg.message(2, CRISIS_UK, language_code="uk")
        [en] = await tg.wait_texts(1, 1)
        [uk] = await tg.wait_texts(2, 1)
    assert backend.calls == [] and backend.started == 0
    assert en == crisis_reply("en", "US") and "988" in en
    assert uk == crisis_reply("uk", "UA") and "7333" in uk
    assert "reply_markup" not in tg.sent[0] and "reply_markup" not in tg.sent[1]  # nothing to rate


async def test_long_input_gets_polite_reply_without_model_call(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store, conversation=ConversationConfig(max_input_chars=4000)):
        tg.message(1, "I keep thinking about the week. " * 130)  # > 4000 characters
        [reply] = await tg.wait_texts(1, 1)
    assert reply == TEXTS["too_long"]["en"].format(limit=4000)
    assert backend.calls == []


async def test_sticker_voice_photo_get_friendly_text_only_reply(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store):
        tg.sticker(1)
        tg.voice(1)
        tg.photo(1, language_code="uk")
        replies = await tg.wait_texts(1, 3)
    assert replies.count(t("non_text", "en")) >= 2
    assert backend.calls == []


async def test_long_reply_is_split_on_sentence_boundaries(tg, store):
    sentence = "You have been carrying a great deal on your own, and it is understandable to feel tired. "
    long_reply = (sentence * 110).strip()  # about 9,800 characters
    backend = FakeBackend([long_reply])
    async with running_bot(tg, backend, store):
        tg.message(1, "Everything piles up and I cannot keep up")
        await tg.wait_for(lambda: len(tg.texts(1)) >= 3)
        await settle()
    chunks = tg.texts(1)
    assert len(chunks) == 3
    assert all(len(c) <= 4096 and c.endswith("tired.") for c in chunks)
    assert " ".join(chunks) == long_reply
    assert [("reply_markup" in m) for m in tg.sent] == [False, False, True]  # buttons on the last part


# -- failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [RuntimeError("CUDA out of memory"), BackendError("server said 500"),
                                   GenerationTimeout("no reply within 120 s")])
async def test_generation_failure_sends_apology_and_keeps_serving(tg, store, error):
    backend = FakeBackend([error, "I am here. What happened?"])
    async with running_bot(tg, backend, store):
        tg.message(1, "Something happened at home today")
        [apology] = await tg.wait_texts(1, 1)
        tg.message(2, "I argued with my friend")
        [reply] = await tg.wait_texts(2, 1)
    assert apology == TEXTS["apology"]["en"]
    assert reply == "I am here. What happened?"


async def test_429_on_send_message_is_retried_after_retry_after(tg, store):
    tg.fail("sendMessage", "429", retry_after=1)
    async with running_bot(tg, FakeBackend(["Thank you for telling me."]), store):
        tg.message(1, "I finally told my parents how I feel")
        await tg.wait_texts(1, 1)
        await settle()
    assert tg.texts(1) == ["Thank you for telling me."]  # delivered, exactly once
    limited = [c for c in tg.calls if c.method == "sendMessage!429"]
    delivered = tg.calls_of("sendMessage")
    assert len(limited) == 1 and len(delivered) == 1
    assert delivered[0].at - limited[0].at >= 0.95  # retry_after honoured


async def test_5xx_and_dropped_connections_are_retried(tg, store):
    tg.fail("sendMessage", "500", times=2)
    tg.fail("sendMessage", "drop")
    tg.fail("getUpdates", "500")
    tg.fail("getUpdates", "drop")
    async with running_bot(tg, FakeBackend(["I am listening."]), store):
        tg.message(1, "Today was hard")
        await tg.wait_texts(1, 1)
        await settle()
    assert tg.texts(1) == ["I am listening."]
    failed = [c.method for c in tg.calls if "!" in c.method]
    assert failed.count("sendMessage!500") == 2 and "sendMessage!drop" in failed
    assert "getUpdates!500" in failed and "getUpdates!drop" in failed


async def test_flooding_is_rate_limited_without_model_calls(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store, rate_burst=3, rate_window_s=60, rate_notice_s=60):
        for i in range(10):
            tg.message(1, f"message number {i} about my day")
        tg.message(2, "A calm message from someone else")
        await tg.wait_texts(2, 1)
        await tg.wait_for(lambda: t("rate_limited", "en") in tg.texts(1))
        tg.message(1, CRISIS_EN)  # over the limit, but a crisis is always answered
        await tg.wait_for(lambda: len(tg.texts(1)) >= 5)
        await settle()
    texts = tg.texts(1)
    user1_calls = [c for c in backend.calls if "about my day" in c[-1]["content"]]
    assert len(user1_calls) == 3
    assert texts.count(t("rate_limited", "en")) == 1  # one polite note, not one per message
    from eva_cli.safety import crisis_reply

    assert texts[-1] == crisis_reply("en", "UA")
    assert len(texts) == 5


async def test_commands_stay_instant_while_a_reply_is_generated(tg, store):
    backend = FakeBackend(delay=3.0)
    async with running_bot(tg, backend, store, typing_interval_s=0.3):
        tg.message(1, "Tell me something kind")
        await tg.wait_for(lambda: backend.started == 1)
        started = time.monotonic()
        tg.message(2, "/help")
        await tg.wait_texts(2, 1)
        help_latency = time.monotonic() - started
        assert not tg.texts(1)  # user 1's reply is still being generated
        await tg.wait_texts(1, 1)
    assert help_latency < 1.5
    typing = [c for c in tg.calls_of("sendChatAction") if int(c.params["chat_id"]) == 1]
    assert len(typing) >= 3 and typing[0].params["action"] == "typing"  # refreshed while generating


async def test_allow_list_keeps_other_users_out(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store, allowed_users=frozenset({1})):
        tg.message(2, "Hello, can we talk?")
        tg.message(1, "Hello, can we talk?")
        [outsider] = await tg.wait_texts(2, 1)
        await tg.wait_texts(1, 1)
    assert outsider.startswith(t("not_allowed", "en"))
    assert len(backend.calls) == 1


# -- feedback ---------------------------------------------------------------------------------

async def test_feedback_up_and_down_with_rewrite_exported_only_with_consent(tg, store):
    backend = FakeBackend(["Have you tried just relaxing?", "That sounds really lonely.", "unused"])
    async with running_bot(tg, backend, store):
        tg.message(1, "/consent")
        await tg.wait_texts(1, 1)
        tg.message(1, "Nobody at school talks to me")
        await tg.wait_texts(1, 2)
        bad = tg.sent[-1]
        tg.callback(1, bad, "fb:down")
        ask_text = t("rewrite_ask", "en")
        await tg.wait_for(lambda: ask_text in tg.texts(1))
        ask = tg.sent[-1]
        assert ask["_markup"] == {"force_reply": True, "selective": False}
        assert tg.messages[(1, bad["message_id"])].get("reply_markup") is None  # buttons removed
        tg.message(1, "Something like: that sounds painful, how long has it been like this?", reply_to=ask)
        await tg.wait_for(lambda: t("rewrite_thanks", "en") in tg.texts(1))
        calls_after_rewrite = len(backend.calls)
        tg.message(1, "It has been a few months")
        await tg.wait_for(lambda: "That sounds really lonely." in tg.texts(1))
        tg.callback(1, tg.sent[-1], "fb:up")
        await tg.wait_for(lambda: len(tg.calls_of("answerCallbackQuery")) == 2)
        tg.message(3, "A user without consent")
        await tg.wait_texts(3, 1)
        tg.callback(3, tg.sent[-1], "fb:up")
        await tg.wait_for(lambda: len(tg.calls_of("answerCallbackQuery")) == 3)
        exported = store.export_feedback()
    assert calls_after_rewrite == 1  # the rewrite did not go to the model
    assert len(exported) == 2  # user 3 did not consent
    down = next(e for e in exported if e["rating"] == -1)
    up = next(e for e in exported if e["rating"] == 1)
    assert down["reply"] == "Have you tried just relaxing?"
    assert down["rewrite"].startswith("Something like: that sounds painful")
    assert down["prompt"][-1] == {"role": "user", "content": "Nobody at school talks to me"}
    assert up["reply"] == "That sounds really lonely." and up["rewrite"] is None


async def test_feedback_survives_a_restart(tg, db):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    async with running_bot(tg, FakeBackend(["I am glad you reached out."]), new_store(db, key)):
        tg.message(1, "/consent")
        tg.message(1, "I finally asked for help today")
        await tg.wait_texts(1, 2)
    rated = [m for m in tg.sent if m["chat"]["id"] == 1 and m.get("reply_markup")][-1]  # the model's reply
    store = new_store(db, key)
    async with running_bot(tg, FakeBackend(), store):  # a new process: no in-memory state
        tg.callback(1, rated, "fb:up")
        await tg.wait_for(lambda: tg.calls_of("answerCallbackQuery"))
        exported = store.export_feedback()
    assert [(e["rating"], e["reply"]) for e in exported] == [(1, "I am glad you reached out.")]
    assert exported[0]["prompt"][-1]["content"] == "I finally asked for help today"


# -- shutdown and restarts --------------------------------------------------------------------

async def test_stop_finishes_replies_in_flight_and_leaves_the_rest_for_next_start(tg, db):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    backend = FakeBackend(["Reply for the message in flight."], delay=1.0)
    async with running_bot(tg, backend, new_store(db, key)) as app:
        tg.message(1, "A message that is being answered when the stop comes")
        await tg.wait_for(lambda: backend.started == 1)
        app.request_stop()  # what SIGTERM does
        await asyncio.sleep(0.2)
        late = tg.message(2, "A message sent after the stop")
        await asyncio.wait_for(app.task, 10)
    assert tg.texts(1) == ["Reply for the message in flight."]  # finished, not dropped
    assert tg.texts(2) == []
    assert backend.closed
    assert [u["update_id"] for u in tg.updates] == [late]  # still unconfirmed on the server
    async with running_bot(tg, FakeBackend(["Now I can answer you."]), new_store(db, key)):
        await tg.wait_texts(2, 1)
        await settle()
    assert tg.texts(2) == ["Now I can answer you."]
    assert tg.texts(1) == ["Reply for the message in flight."]  # not answered twice


async def test_restart_with_pending_updates_answers_each_exactly_once(tg, db):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    for user in (1, 2, 3):
        tg.message(user, f"pending message from user {user}")  # queued while the bot is down
    async with running_bot(tg, FakeBackend(), new_store(db, key)):
        for user in (1, 2, 3):
            await tg.wait_texts(user, 1)
    handled = list(range(1, 4))
    assert tg.confirmed_below == 4 and tg.updates == []
    # Telegram delivers again what it never saw confirmed (e.g. the process died before confirming):
    for uid in handled:
        tg.updates.append({"update_id": uid, "message": {
            "message_id": 900 + uid, "date": int(time.time()), "chat": {"id": uid, "type": "private"},
            "from": {"id": uid, "is_bot": False, "first_name": "U"}, "text": f"pending message from user {uid}"}})
    tg.message(4, "a new message after the restart")
    backend = FakeBackend()
    async with running_bot(tg, backend, new_store(db, key)):
        await tg.wait_texts(4, 1)
        await settle()
    for user in (1, 2, 3):
        assert len(tg.texts(user)) == 1  # not answered twice
    assert len(backend.calls) == 1



async def test_an_update_whose_process_was_killed_mid_reply_is_answered_after_restart(tg, db):
    import signal
    import subprocess
    import sys

    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    uid = tg.message(1, "a message the old process claimed, then it was killed")
    code = ("import os, signal, sys; from eva_cli.store import ConversationStore; "
            "ConversationStore(sys.argv[1], sys.argv[2]).claim_update(int(sys.argv[3])); os.kill(os.getpid(), signal.SIGKILL)")
    proc = subprocess.run([sys.executable, "-c", code, str(db), key, str(uid)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    async with running_bot(tg, FakeBackend(["Here after the restart."]), new_store(db, key)):
        await tg.wait_texts(1, 1)
        await settle()
    assert tg.texts(1) == ["Here after the restart."]

# -- webhook ----------------------------------------------------------------------------------

async def test_webhook_mode_checks_the_secret_token(tg, store):
    import aiohttp

    from fake_telegram import _free_port

    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    backend = FakeBackend(["Webhook reply."])
    async with running_bot(tg, backend, store, webhook_url=url, webhook_host="127.0.0.1", webhook_port=port,
                           webhook_secret="s3cret-token_1"):
        assert tg.webhook == {"url": url, "secret_token": "s3cret-token_1"}
        update = {"update_id": 77, "message": {"message_id": 1, "date": int(time.time()),
                                                "chat": {"id": 5, "type": "private"},
                                                "from": {"id": 5, "is_bot": False, "first_name": "U"},
                                                "text": "Hello through the webhook"}}
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as resp:
                assert resp.status == 401  # no secret
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as resp:
                assert resp.status == 401
            assert backend.calls == []
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"}
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 200
            await tg.wait_texts(5, 1)
            async with http.post(url, json=update, headers=headers) as resp:  # Telegram re-sends
                assert resp.status == 200
            await settle()
    assert tg.texts(5) == ["Webhook reply."]  # answered once


async def test_group_chats_are_ignored(tg, store):
    backend = FakeBackend()
    async with running_bot(tg, backend, store, rate_burst=1):
        for _ in range(3):
            tg.message(1, "hello everyone in the group", chat_id=-100)
        tg.message(1, "/start")
        await tg.wait_texts(1, 1)
        await settle()
    assert tg.texts(-100) == [] and backend.calls == []


async def test_a_failing_handler_still_answers_and_the_bot_keeps_serving(tg, store):
    class BrokenForChat13:
        def __getattr__(self, name):
            return getattr(store, name)

        def history(self, chat_id, limit=50):
            if chat_id == 13:
                raise RuntimeError("database is locked")
            return store.history(chat_id, limit)

    backend = FakeBackend()
    async with running_bot(tg, backend, BrokenForChat13()):
        tg.message(13, "Hello, are you there?")
        [apology] = await tg.wait_texts(13, 1)
        tg.message(14, "Hello, are you there?")
        [reply] = await tg.wait_texts(14, 1)
    assert apology == TEXTS["apology"]["en"]
    assert reply == backend.default
