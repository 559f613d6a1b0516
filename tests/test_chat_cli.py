"""`eva chat` end to end: piped stdin, the tiny random model or an OpenAI-compatible server."""

from __future__ import annotations

import io

import pytest

from fakes import ServerThread, fake_openai_server

CRISIS_EN = "I have decided to kill myself tonight. I already have the pills."


def test_chat_with_piped_stdin_and_the_tiny_model(eva, tiny_model_dir, monkeypatch):
    from eva_cli.safety import crisis_reply

    monkeypatch.setattr("sys.stdin", io.StringIO(f"Hello, I had a long day at work\n\n{CRISIS_EN}\n/reset\n"))
    r = eva("chat", "--model", tiny_model_dir, "--max-new-tokens", "8", "--locale", "US")
    assert r.code == 0, r.output
    replies = [line for line in r.out.splitlines() if line.startswith("Eva")]
    assert len(replies) >= 2  # one per message (empty lines skipped)
    assert crisis_reply("en", "US").splitlines()[0] in r.out and "988" in r.out
    assert "conversation forgotten" in r.out


def test_chat_ukrainian_crisis_gets_7333(eva, tiny_model_dir, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Я вирішила покінчити з собою сьогодні вночі, таблетки вже лежать поруч.\n"))
    r = eva("chat", "--model", tiny_model_dir, "--locale", "UA")
    assert r.code == 0, r.output
    assert "7333" in r.out


def test_chat_through_an_openai_compatible_server(eva, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("I feel stuck at work\nMy manager ignores me\n"))
    with ServerThread(fake_openai_server) as server:
        r = eva("chat", "--backend", "openai", "--openai-base-url", f"http://127.0.0.1:{server.port}/v1",
                "--openai-model", "eva-merged", "--lang", "uk")
    assert r.code == 0, r.output
    assert "You said: I feel stuck at work" in r.out and "You said: My manager ignores me" in r.out
    second = server.requests[1]["messages"]
    from eva_cli.persona import SYSTEM_PROMPTS

    assert second[0]["content"] == SYSTEM_PROMPTS["uk"]  # --lang uk
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]  # memory


@pytest.mark.parametrize("args, needle", [
    (["--run", "r1", "--model", "embedded"], "--run and --model"),
    (["--backend", "vllm"], "--backend"),
    (["--backend", "openai"], "--openai-base-url"),
    (["--lang", "fr"], "--lang"),
    (["--run", "nope"], "--run"),
    (["--model", "/no/such/folder"], "--model"),
])
def test_chat_bad_options_are_one_line_errors(eva, monkeypatch, args, needle):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.delenv("EVA_OPENAI_BASE_URL", raising=False)
    r = eva("chat", *args)
    assert r.code == 2, r.output
    assert needle in r.err and "Traceback" not in r.err
