"""The LLM judge against a fake OpenAI-compatible server on 127.0.0.1, and its tolerant score parsing."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eva_cli.evaluate import judge as J


class FakeJudge:
    """A tiny /v1/models + /v1/chat/completions server. `answer(reply_text) -> content` decides the verdict."""

    def __init__(self, answer=None, status: int = 200, models=("fake-judge-7b",)):
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.answer = answer or self.by_empathy_words
        self.status = status
        self.models = list(models)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, code: int, body: dict | str) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/v1/models":
                    self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in outer.models]})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                outer.headers.append(dict(self.headers))
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": "not found"})
                if outer.status != 200:
                    return self._send(outer.status, {"error": "overloaded"})
                reply = body["messages"][-1]["content"].split("Reply to rate:\n", 1)[1]
                self._send(200, {"id": "x", "object": "chat.completion", "model": body["model"],
                                 "choices": [{"index": 0, "message": {"role": "assistant",
                                                                      "content": outer.answer(reply)}}]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def by_empathy_words(reply: str) -> str:
        empathy = 5 if "sounds" in reply else 2
        return f'```json\n{{"empathy": {empathy}, "relevance": 4, "safety": 5, "rationale": "ok"}}\n```'

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


PROMPTS = [[{"role": "system", "content": "You are Eva."}, {"role": "user", "content": "I cannot sleep."}],
           [{"role": "user", "content": "Мені самотньо."}]]
REPLIES = {"base": ["Go to sleep.", "Ok."], "tuned": ["That sounds exhausting.", "It sounds lonely. Tell me more?"]}


def test_scores_each_system_with_the_rubric():
    with FakeJudge() as fake:
        section = J.run_judge(J.JudgeConfig(url=fake.url, api_key="secret"), PROMPTS, REPLIES)
    assert section["available"] is True
    assert section["rubric"]["judge_model"] == "fake-judge-7b"
    assert section["rubric"]["text"] == J.RUBRIC and section["rubric"]["criteria"] == ["empathy", "relevance", "safety"]
    assert section["base"]["empathy"] == 2 and section["tuned"]["empathy"] == 5
    assert section["delta"]["empathy"] == 3 and section["delta"]["relevance"] == 0
    assert section["tuned"]["overall"] == pytest.approx((5 + 4 + 5) / 3)
    assert len(fake.requests) == 4
    req = fake.requests[0]
    assert req["model"] == "fake-judge-7b" and req["temperature"] == 0
    assert req["messages"][0]["content"] == J.RUBRIC
    assert "USER: I cannot sleep." in req["messages"][1]["content"]
    assert "You are Eva." not in req["messages"][1]["content"]  # the system prompt is not part of what is judged
    assert all(h.get("Authorization") == "Bearer secret" for h in fake.headers)


def test_named_model_and_full_url_are_used():
    with FakeJudge() as fake:
        section = J.run_judge(J.JudgeConfig(url=fake.url + "/v1/chat/completions", model="my-judge"),
                              PROMPTS[:1], {"tuned": REPLIES["tuned"][:1]})
    assert section["available"] and section["rubric"]["judge_model"] == "my-judge"
    assert fake.requests[0]["model"] == "my-judge"


def test_endpoint_down_is_unavailable_with_reason():
    section = J.run_judge(J.JudgeConfig(url=closed_port_url(), timeout=5), PROMPTS, REPLIES)
    assert section["available"] is False
    assert "cannot reach" in section["reason"]
    assert section["rubric"]["text"] == J.RUBRIC


def test_server_errors_make_the_judge_unavailable():
    with FakeJudge(status=503) as fake:
        section = J.run_judge(J.JudgeConfig(url=fake.url, model="m"), PROMPTS, REPLIES)
    assert section["available"] is False and "HTTP 503" in section["reason"]


def test_unparseable_answers_are_counted_not_fatal():
    answers = iter(['{"empathy": 4, "relevance": 4, "safety": 4}', "I like it.", "nine out of ten", "empathy 3"] * 2)
    lock = threading.Lock()

    def answer(_reply):
        with lock:
            return next(answers)

    with FakeJudge(answer=answer) as fake:
        section = J.run_judge(J.JudgeConfig(url=fake.url, model="m", workers=1), PROMPTS, REPLIES)
    assert section["available"] is True
    assert section["n_failed"] == 3
    assert section["base"]["n"] + section["tuned"]["n"] == 1


@pytest.mark.parametrize("text", [
    '{"empathy": 4, "relevance": 3, "safety": 5}',
    'Sure!\n```json\n{"Empathy": "4", "Relevance": 3.0, "safety": 5, "rationale": "kind {but} brief"}\n```',
    '<think>{"empathy": 1}</think> {"scores": {"empathy": 4, "relevance": 3, "safety": 5}}',
    "Empathy: 4\nRelevance - 3\nSafety: 5/5",
])
def test_parse_verdict_variants(text):
    v = J.parse_verdict(text)
    assert v.scores == {"empathy": 4.0, "relevance": 3.0, "safety": 5.0}


@pytest.mark.parametrize("text", ['{"empathy": 7, "relevance": 3, "safety": 5}', "no scores here", "",
                                  '{"empathy": true, "relevance": 3, "safety": 5}'])
def test_parse_verdict_rejects_bad_scores(text):
    v = J.parse_verdict(text)
    assert v.scores is None and "empathy" in v.error


def test_judge_config_url_forms():
    for url in ("http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/chat/completions"):
        assert J.JudgeConfig(url=url).chat_url == "http://h:8000/v1/chat/completions"
