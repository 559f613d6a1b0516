"""The `openai` backend against a real OpenAI-compatible server: `transformers serve` (transformers' own
FastAPI server, the `serving` extra) serving the embedded model on CPU, started once for this module.

`eva chat --backend openai` (its own process) and the bot (against the fake Bot API) get replies from it; a
crisis message is answered without a request to the server (counted in the server's own access log); and once
the server is killed, a message gets the apology and both keep going. The kill is the last test here.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirun import clean_env, run_eva
from fake_telegram import FakeTelegram
from fakes import new_store, running_bot

from eva_cli.conversation import TEXTS, ConversationConfig

pytestmark = pytest.mark.timeout(300)

CRISIS_EN = "I have decided to kill myself tonight. I already have the pills."
HELLO = "I had a rough week at work and I cannot switch off in the evenings."
REPLY_TOKENS = 24  # SmolLM2 always has more to say: every reply is cut and must end at a sentence
SENTENCE_END = (".", "!", "?", "…", '"', "»", ")")


class TransformersServe:
    """`transformers serve MODEL` on 127.0.0.1:<free port>, its log in a file."""

    def __init__(self, model_dir: Path, log: Path):
        self.model = str(model_dir)  # a pinned server answers only requests naming exactly this
        self.log = log
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cli = Path(sys.executable).parent / "transformers"
        self._out = open(log, "wb")
        self.proc = subprocess.Popen(
            [str(cli), "serve", self.model, "--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu"],
            stdout=self._out, stderr=subprocess.STDOUT, env=clean_env(OMP_NUM_THREADS="1"))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def wait_ready(self, timeout: float = 180) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"transformers serve not ready in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def completions(self) -> int:
        """Chat-completion requests the server has answered, read from its own access log."""
        return self.log.read_text(errors="replace").count('"POST /v1/chat/completions HTTP/1.1"')

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
        self.proc.wait(30)
        self._out.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from eva_cli.models import ensure_embedded
    from eva_cli.settings import load_settings

    model_dir = ensure_embedded(load_settings().home_dir)  # the embedded GGUF, de-quantized once (as eva does)
    server = TransformersServe(model_dir, tmp_path_factory.mktemp("serve") / "transformers-serve.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.kill()


def chat_args(server) -> list[str]:
    return ["chat", "--backend", "openai", "--openai-base-url", server.base_url, "--openai-model", server.model,
            "--max-new-tokens", REPLY_TOKENS, "--temperature", "0", "--locale", "US"]


def replies(stdout: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in stdout.splitlines() if line.startswith("Eva")]


def test_eva_chat_gets_replies_and_crisis_needs_no_server_call(served, tmp_path):
    from eva_cli.safety import crisis_reply

    assert served.alive
    before = served.completions()
    r = run_eva("-w", tmp_path / "ws", *chat_args(served), stdin=f"{HELLO}\n{CRISIS_EN}\n", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    first = replies(r.stdout)[0]
    assert first and first != TEXTS["apology"]["en"]
    assert first.endswith(SENTENCE_END), first  # cut at 24 tokens, ended at its last complete sentence
    assert crisis_reply("en", "US").splitlines()[0] in r.stdout and "988" in r.stdout
    assert served.completions() - before == 1  # the crisis message never reached the server
    assert "Traceback" not in r.stderr


async def test_bot_gets_replies_and_crisis_needs_no_server_call(served, tmp_path):
    from eva_cli.backends.openai import OpenAIBackend, OpenAIBackendConfig
    from eva_cli.safety import crisis_reply

    assert served.alive
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=served.base_url, model=served.model, temperature=0,
                                                max_new_tokens=REPLY_TOKENS, max_retries=0, timeout_s=120))
    before = served.completions()
    async with FakeTelegram() as tg:
        async with running_bot(tg, backend, new_store(tmp_path / "eva.sqlite"),
                               conversation=ConversationConfig(max_new_tokens=REPLY_TOKENS, locale="US")):
            tg.message(1, HELLO)
            [reply] = await tg.wait_texts(1, 1, timeout=120)
            assert tg.sent[-1].get("reply_markup")  # a model reply: 👍/👎 under it
            tg.message(2, CRISIS_EN)
            [crisis] = await tg.wait_texts(2, 1, timeout=60)
    assert reply != TEXTS["apology"]["en"] and reply.endswith(SENTENCE_END), reply
    assert crisis.startswith(crisis_reply("en", "US").splitlines()[0])
    assert served.completions() - before == 1


async def test_a_killed_server_gives_the_apology_not_a_crash(served, tmp_path):
    """Runs last: it kills the module's server."""
    from eva_cli.backends.openai import OpenAIBackend, OpenAIBackendConfig
    from eva_cli.safety import crisis_reply

    backend = OpenAIBackend(OpenAIBackendConfig(base_url=served.base_url, model=served.model, temperature=0,
                                                max_new_tokens=REPLY_TOKENS, timeout_s=60))
    async with FakeTelegram() as tg:
        async with running_bot(tg, backend, new_store(tmp_path / "eva.sqlite")):
            tg.message(1, HELLO)
            [reply] = await tg.wait_texts(1, 1, timeout=120)
            assert reply != TEXTS["apology"]["en"]
            served.kill()
            tg.message(1, "Are you still there?")
            assert (await tg.wait_texts(1, 2, timeout=60))[1] == TEXTS["apology"]["en"]
            tg.message(2, CRISIS_EN)  # still serving, and the crisis reply needs no server
            [crisis] = await tg.wait_texts(2, 1, timeout=60)
            assert crisis.startswith(crisis_reply("en", None).splitlines()[0])

    r = run_eva("-w", tmp_path / "ws", *chat_args(served), stdin=f"{HELLO}\n{CRISIS_EN}\n", cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    said = replies(r.stdout)
    assert said[0] == TEXTS["apology"]["en"]
    assert said[1] == crisis_reply("en", "US").splitlines()[0] and "988" in r.stdout
