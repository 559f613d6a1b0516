"""The openai backend against a fake OpenAI-compatible server (the real HTTP protocol, no network)."""

from __future__ import annotations

import asyncio

import pytest

from fakes import fake_openai_server

from eva_cli.backends.base import BackendError, GenerationTimeout
from eva_cli.backends.openai import OpenAIBackend, OpenAIBackendConfig
from eva_cli.errors import InputError

CHAT = [{"role": "system", "content": "You are Eva."}, {"role": "user", "content": "I feel stuck."}]


@pytest.fixture
async def server():
    async with fake_openai_server() as fake:
        yield fake


def backend_for(server, **kw) -> OpenAIBackend:
    cfg = dict(base_url=f"http://127.0.0.1:{server.port}/v1", model="eva-merged", max_retries=0)
    cfg.update(kw)
    return OpenAIBackend(OpenAIBackendConfig(**cfg))


async def test_chat_completion_request_and_reply(server):
    backend = backend_for(server, api_key="sk-local", temperature=0.3)
    try:
        reply = await backend.generate(CHAT, max_new_tokens=42)
    finally:
        await backend.aclose()
    assert reply == "You said: I feel stuck."
    req = server.requests[0]
    assert req["model"] == "eva-merged" and req["messages"] == CHAT
    assert req["max_tokens"] == 42 and req["temperature"] == 0.3
    assert server.auth == ["Bearer sk-local"]


async def test_server_error_becomes_backend_error(server):
    server.status = 503
    backend = backend_for(server)
    try:
        with pytest.raises(BackendError, match="503"):
            await backend.generate(CHAT)
    finally:
        await backend.aclose()


async def test_slow_server_times_out(server):
    server.delay = 2.0
    backend = backend_for(server, timeout_s=0.3)
    try:
        with pytest.raises(GenerationTimeout):
            await backend.generate(CHAT)
    finally:
        await backend.aclose()


async def test_requests_in_flight_are_capped(server):
    server.delay = 0.2
    backend = backend_for(server, max_concurrency=2)
    try:
        replies = await asyncio.gather(*[backend.generate(CHAT) for _ in range(6)])
    finally:
        await backend.aclose()
    assert len(replies) == 6 and server.max_open == 2


async def test_unreachable_server_is_a_backend_error():
    backend = OpenAIBackend(OpenAIBackendConfig(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0,
                                                timeout_s=5))
    try:
        with pytest.raises(BackendError):
            await backend.generate(CHAT)
    finally:
        await backend.aclose()


def test_config_is_validated():
    with pytest.raises(InputError, match="--openai-base-url"):
        OpenAIBackendConfig(base_url="localhost:8000", model="m")
    with pytest.raises(InputError, match="--openai-model"):
        OpenAIBackendConfig(base_url="http://127.0.0.1:8000/v1", model="")
