"""A reply cut by the token limit ends at its last complete sentence (en and uk), in every backend."""

from __future__ import annotations

import pytest

from fakes import fake_openai_server

from eva_cli.backends.trim import trim_to_sentence

CHAT = [{"role": "system", "content": "You are Eva."}, {"role": "user", "content": "I feel stuck."}]


@pytest.mark.parametrize("cut, expected", [
    # en
    ("I'm so sorry. It's okay to rest. And what did you choose", "I'm so sorry. It's okay to rest."),
    ("Have you talked to Dr. Lee about it? You could also try e.g. a short walk before",
     "Have you talked to Dr. Lee about it?"),
    ('She said "I am done." Then she left and', 'She said "I am done."'),
    ("Really?! Tell me more about", "Really?!"),
    ("I see... Tell me what happened after", "I see..."),
    ("Some ideas:\n1. Take a walk.\n2. Call a friend who", "Some ideas:\n1. Take a walk."),
    ("About 3.5 hours of sleep is not enough, and I wonder whether", "About 3.5 hours of sleep is not enough, and I wonder…"),
    ("That sounds really hard.", "That sounds really hard."),
    ("That sounds really hard.  \n", "That sounds really hard."),
    # uk
    ("Мені дуже шкода. Це нормально — відпочивати. А що ти обрала", "Мені дуже шкода. Це нормально — відпочивати."),
    ("Спробуй щось просте, напр. прогулянку. Або поговори з кимось, хто", "Спробуй щось просте, напр. прогулянку."),
    ("Можна гуляти, читати і т.д. Головне — не", "Можна гуляти, читати і т.д."),
    ("Ти казала: «Я втомилася.» А потім", "Ти казала: «Я втомилася.»"),
    ("Чи можеш ти розповісти, що саме тебе", "Чи можеш ти розповісти, що саме…"),
    ("Я тебе чую!", "Я тебе чую!"),
])
def test_trim_to_sentence(cut, expected):
    assert trim_to_sentence(cut) == expected


async def test_openai_backend_trims_only_a_reply_that_hit_the_limit():
    from eva_cli.backends.openai import OpenAIBackend, OpenAIBackendConfig

    async with fake_openai_server() as server:
        backend = OpenAIBackend(OpenAIBackendConfig(base_url=f"http://127.0.0.1:{server.port}/v1", model="m",
                                                    max_retries=0))
        try:
            server.reply = "I hear you. It has been a long week, and"
            server.finish_reason = "length"
            assert await backend.generate(CHAT, max_new_tokens=12) == "I hear you."
            server.finish_reason = "stop"  # the model ended there itself: left as it is
            assert await backend.generate(CHAT) == "I hear you. It has been a long week, and"
        finally:
            await backend.aclose()


async def test_local_backend_marks_and_trims_a_cut_reply(tiny_model_dir):
    from eva_cli.backends.local import LocalBackend, LocalBackendConfig
    from eva_cli.models import load_causal_lm, load_tokenizer

    tok = load_tokenizer(str(tiny_model_dir))
    backend = LocalBackend(load_causal_lm(str(tiny_model_dir), tokenizer=tok), tok,
                           LocalBackendConfig(temperature=0, max_concurrency=1))
    try:
        reply = await backend.generate_reply(CHAT, max_new_tokens=6)
        text = await backend.generate(CHAT, max_new_tokens=6)  # greedy: the same reply
    finally:
        await backend.aclose()
    assert reply.cut == (reply.tokens == 6)
    assert reply.cut  # random weights never reach the end-of-turn token this soon
    assert text == trim_to_sentence(reply.text) and text != reply.text
