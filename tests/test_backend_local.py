"""The local backend on the tiny random Llama: micro-batching, off-loop generation, timeouts, runs."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from eva_cli.backends.base import GenerationTimeout
from eva_cli.backends.local import LocalBackend, LocalBackendConfig
from eva_cli.errors import InputError

CHAT = [{"role": "system", "content": "You are Eva."}, {"role": "user", "content": "I feel anxious and cannot sleep."}]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from eva_cli.models import load_causal_lm, load_tokenizer

    return load_causal_lm(str(tiny_model_dir)), load_tokenizer(str(tiny_model_dir))


def backend_for(tiny, **cfg) -> LocalBackend:
    import copy

    model, tok = tiny
    return LocalBackend(model, copy.deepcopy(tok), LocalBackendConfig(**cfg))


async def test_concurrent_requests_are_micro_batched(tiny):
    backend = backend_for(tiny, max_concurrency=4, max_new_tokens=8, temperature=0)
    try:
        replies = await asyncio.gather(*[backend.generate_reply(CHAT) for _ in range(6)])
    finally:
        await backend.aclose()
    assert len(replies) == 6 and all(isinstance(r.text, str) for r in replies)
    assert backend.stats.requests == 6
    assert max(backend.stats.sizes) == 4 and backend.stats.batches == 2  # 4 + 2, not 6 single runs
    assert all(0 < r.tokens <= 8 for r in replies)


async def test_batched_greedy_matches_one_at_a_time(tiny):
    """Left padding must not change what the model says."""
    other = [{"role": "system", "content": "You are Eva."}, {"role": "user", "content": "Hi"}]
    solo = backend_for(tiny, max_concurrency=1, max_new_tokens=6, temperature=0)
    batched = backend_for(tiny, max_concurrency=2, max_new_tokens=6, temperature=0)
    try:
        alone = [await solo.generate(CHAT), await solo.generate(other)]
        together = await asyncio.gather(batched.generate(CHAT), batched.generate(other))
    finally:
        await solo.aclose()
        await batched.aclose()
    assert batched.stats.sizes == [2]
    assert list(together) == alone


async def test_per_request_max_new_tokens(tiny):
    backend = backend_for(tiny, max_concurrency=4, temperature=0)
    try:
        short, long = await asyncio.gather(backend.generate_reply(CHAT, max_new_tokens=2),
                                           backend.generate_reply(CHAT, max_new_tokens=12))
    finally:
        await backend.aclose()
    assert short.tokens <= 2 and long.tokens <= 12
    assert backend.stats.batches == 1


async def test_event_loop_stays_responsive_while_generating(tiny):
    # Long enough to matter on a fast CI machine; a blocked loop would show one gap as long as the run.
    backend = backend_for(tiny, max_concurrency=2, max_new_tokens=400, temperature=0.0)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker():
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    try:
        await backend.generate(CHAT)
    finally:
        took = time.perf_counter() - started
        stop.set()
        await tick
        await backend.aclose()
    assert took > 0.2, "generation was too quick to show anything"
    assert len(gaps) >= 5 and max(gaps) < max(0.25, took / 3)  # the loop never waited for the model


async def test_timeout_then_backend_still_serves(tiny):
    backend = backend_for(tiny, max_concurrency=1, max_new_tokens=60, temperature=0, timeout_s=0.01)
    try:
        with pytest.raises(GenerationTimeout):
            await backend.generate(CHAT)
        backend.config.timeout_s = 60
        reply = await backend.generate_reply(CHAT, max_new_tokens=3)
    finally:
        await backend.aclose()
    assert reply.tokens <= 3


async def test_close_finishes_queued_requests(tiny):
    backend = backend_for(tiny, max_concurrency=1, max_new_tokens=4, temperature=0)
    pending = [asyncio.create_task(backend.generate(CHAT)) for _ in range(3)]
    await asyncio.sleep(0)
    await backend.aclose()
    assert backend.stats.requests == 3  # generated before close returned, not dropped
    assert all(isinstance(r, str) for r in await asyncio.gather(*pending))


def test_config_is_validated():
    with pytest.raises(InputError, match="--max-concurrency"):
        LocalBackendConfig(max_concurrency=0)
    with pytest.raises(InputError, match="--timeout"):
        LocalBackendConfig(timeout_s=0)


async def test_from_run_loads_base_plus_adapter(tiny_model_dir, tmp_path):
    """A run folder as `eva train` leaves it: train-config.json + a PEFT adapter."""
    from peft import LoraConfig, get_peft_model

    from eva_cli.models import load_causal_lm, load_tokenizer

    run = tmp_path / "runs" / "r1"
    base = load_causal_lm(str(tiny_model_dir))
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                 init_lora_weights=False))
    peft_model.save_pretrained(run / "adapter")
    load_tokenizer(str(tiny_model_dir)).save_pretrained(run / "adapter")
    (run / "train-config.json").write_text(json.dumps({"model": str(tiny_model_dir), "model_path": str(tiny_model_dir),
                                                       "mode": "lora", "beta": 0.1, "max_length": 256}))
    backend = LocalBackend.from_run(run, LocalBackendConfig(max_new_tokens=4, temperature=0, device="cpu"))
    plain = LocalBackend.from_model(str(tiny_model_dir), tmp_path, LocalBackendConfig(max_new_tokens=4, temperature=0,
                                                                                         device="cpu"))
    try:
        from peft import PeftModel

        assert isinstance(backend.model, PeftModel)
        adapted = await backend.generate_reply(CHAT)
        assert adapted.tokens <= 4
        logits = [b.model(**b.tokenizer("hello", return_tensors="pt")).logits for b in (backend, plain)]
        assert not logits[0].allclose(logits[1])  # the adapter is really applied
    finally:
        await backend.aclose()
        await plain.aclose()


async def test_system_prompt_cache_gives_the_same_replies(tiny):
    """The persona's KV cache is computed once and reused; replies must not change."""
    from eva_cli.persona import system_prompt

    chats = [[{"role": "system", "content": system_prompt("en")}, {"role": "user", "content": u}]
             for u in ("hi", "I can't sleep and my head keeps replaying the whole day", "Work is hard")]
    results = {}
    for cached in (False, True):
        backend = backend_for(tiny, max_concurrency=3, max_new_tokens=8, temperature=0, prefix_cache=cached)
        try:
            batched = await asyncio.gather(*[backend.generate(c) for c in chats])
            alone = await backend.generate(chats[1])
        finally:
            await backend.aclose()
        results[cached] = (list(batched), alone, len(backend._prefixes))
    assert results[True][:2] == results[False][:2]
    assert results[True][2] == 1 and results[False][2] == 0  # the cache was really used (once)


def test_bench_serve_reports_every_level(eva, tiny_model_dir):
    """`eva bench serve` end to end on the tiny model (figures are meaningless here; the shape is checked)."""
    r = eva("bench", "serve", "--model", tiny_model_dir, "--concurrency", "2", "--requests", "4",
            "--max-new-tokens", "4", "--device", "cpu", "--json")
    assert r.code == 0, r.output
    result = json.loads(r.out)
    levels = result["levels"]
    assert [lv["concurrency"] for lv in levels] == [1, 2]  # sequential baseline always included
    assert all(lv["requests"] == 4 and lv["tokens"] > 0 and lv["p95_s"] >= lv["p50_s"] > 0 for lv in levels)
    assert levels[1]["mean_batch"] == 2.0 and levels[0]["speedup"] == 1.0
    assert set(result["target"]) >= {"speedup", "p95_ratio", "met"}
    bad = eva("bench", "serve", "--concurrency", "1,x")
    assert bad.code == 2 and "--concurrency" in bad.err
    bad = eva("bench", "serve", "--rate", "0")
    assert bad.code == 2 and "--rate" in bad.err


def test_bench_serve_open_loop_counts_latency_from_arrival(eva, tiny_model_dir):
    from eva_cli.bench.serve_bench import ServeBenchConfig, arrival_times

    times = arrival_times(ServeBenchConfig(requests=6, rate=20.0))
    assert times == sorted(times) and len(times) == 6 and times == arrival_times(ServeBenchConfig(requests=6, rate=20.0))
    r = eva("bench", "serve", "--model", tiny_model_dir, "--concurrency", "3", "--requests", "6", "--rate", "20",
            "--max-new-tokens", "4", "--device", "cpu", "--json")
    assert r.code == 0, r.output
    result = json.loads(r.out)
    assert result["mode"].startswith("open loop, 20 requests/s") and result["target"] is None
    for lv in result["levels"]:
        assert lv["requests"] == 6 and lv["tokens"] > 0
        assert lv["wall_s"] >= times[-1]  # the last request could not be answered before it arrived
