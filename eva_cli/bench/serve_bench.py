"""`eva bench serve`: micro-batched vs sequential generation with the local backend.

At each concurrency C, C simulated clients share N requests in a closed loop (each sends its next
request as soon as its reply arrives) through one LocalBackend with max_concurrency=C. C=1 is the
sequential baseline. Decoding is greedy by default, so every concurrency generates the same
replies and the same tokens: only the batching differs. Reported per concurrency: replies/s,
generated tokens/s, p50/p95 reply latency, mean micro-batch size, and the ratios against C=1.

In a closed loop, Little's law ties the two target ratios together: C clients in flight means
latency = C / throughput, so (throughput ratio) x (latency ratio) = C. With `rate`, requests instead
arrive on their own (Poisson, seeded, the same schedule at every level) the way users write to a bot,
and latency counts from arrival: queueing behind a busy sequential server shows up there.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eva_cli.errors import InputError

# Original counseling-style openers, English and Ukrainian, of different lengths.
PROMPTS = (
    "I can't sleep lately. My head keeps replaying everything I said at work.",
    "My best friend moved away and the evenings feel very empty now.",
    "I failed an exam I studied really hard for, and I feel like a fraud.",
    "Мені важко зосередитися, постійно думаю про новини і не можу відпочити.",
    "My parents keep arguing and I end up in the middle every single time.",
    "I started a new job and I am scared everyone will notice I don't know enough.",
    "Останнім часом я відчуваю себе дуже самотньою, навіть коли поруч люди.",
    "I snap at my partner over small things and then feel terrible afterwards.",
    "How do I stop comparing myself to everyone I see online?",
    "I feel tired all the time, even after a full night of sleep.",
    "Я переїхав у нове місто і досі не знайшов тут жодного друга.",
    "Some days I just don't want to get out of bed, and I don't know why.",
)

# Targets from the serving issue.
TARGET_SPEEDUP = 2.0  # throughput at the highest concurrency vs sequential
TARGET_P95_RATIO = 1.5  # p95 latency at the highest concurrency vs sequential p95


@dataclass
class ServeBenchConfig:
    model: str | None = None  # --model: embedded (default), a folder, or a cached HF id
    concurrency: tuple[int, ...] = (1, 4, 8)  # 1 is always measured: it is the baseline
    requests: int = 32  # requests per concurrency level
    max_new_tokens: int = 48
    temperature: float = 0.0  # greedy: the same work at every concurrency
    warmup: int = 2  # untimed requests first (allocations, kernels)
    device: str | None = None
    threads: int | None = None  # torch CPU threads (None = torch's default: one per core)
    prefix_cache: bool = True  # the local backend's system-prompt KV cache
    rate: float | None = None  # open loop: requests arrive at this mean rate per second (Poisson)
    seed: int = 0  # arrival schedule of the open loop

    def __post_init__(self) -> None:
        levels = sorted(set(int(c) for c in self.concurrency) | {1})
        if any(c < 1 or c > 256 for c in levels):
            raise InputError(f"--concurrency values must be between 1 and 256 (got {self.concurrency}).")
        self.concurrency = tuple(levels)
        if self.requests < 1:
            raise InputError(f"--requests must be at least 1 (got {self.requests}).")
        if self.max_new_tokens < 1:
            raise InputError(f"--max-new-tokens must be at least 1 (got {self.max_new_tokens}).")
        if self.rate is not None and not self.rate > 0:
            raise InputError(f"--rate must be a number of requests per second above 0 (got {self.rate}).")


@dataclass
class LevelResult:
    concurrency: int
    requests: int
    wall_s: float
    replies_per_s: float
    tokens_per_s: float
    tokens: int
    p50_s: float
    p95_s: float
    mean_batch: float
    speedup: float = 1.0  # replies/s vs concurrency 1
    p95_ratio: float = 1.0  # p95 vs concurrency 1
    latencies: list[float] = field(default_factory=list, repr=False)


def parse_concurrency(value: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(v) for v in value.replace(" ", "").split(",") if v)
    except ValueError:
        raise InputError(f"--concurrency must be comma-separated integers, e.g. 1,4,8 (got {value!r}).") from None
    if not levels:
        raise InputError("--concurrency needs at least one value, e.g. 1,4,8.")
    return levels


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    data = sorted(values)
    if not data:
        return 0.0
    k = (len(data) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def messages_for(i: int) -> list[dict]:
    from eva_cli.lang import detect_lang
    from eva_cli.persona import system_prompt

    text = PROMPTS[i % len(PROMPTS)]
    return [{"role": "system", "content": system_prompt(detect_lang(text))}, {"role": "user", "content": text}]


def arrival_times(cfg: ServeBenchConfig) -> list[float]:
    """Seconds after the start at which each request of the open loop arrives."""
    rng = random.Random(cfg.seed)
    return list(itertools.accumulate(rng.expovariate(cfg.rate) for _ in range(cfg.requests)))


async def measure_level(model, tokenizer, cfg: ServeBenchConfig, concurrency: int) -> LevelResult:
    """One LocalBackend(max_concurrency=C): C closed-loop clients, or open-loop arrivals with `rate`."""
    from eva_cli.backends.local import LocalBackend, LocalBackendConfig

    backend = LocalBackend(model, tokenizer, LocalBackendConfig(
        max_concurrency=concurrency, max_new_tokens=cfg.max_new_tokens, temperature=cfg.temperature,
        timeout_s=3600, device=cfg.device, prefix_cache=cfg.prefix_cache))
    try:
        # Untimed: one sequential pass, then one full batch (first use of a batch shape is slow, on CUDA most).
        for i in range(cfg.warmup):
            await backend.generate_reply(messages_for(i))
        if concurrency > 1:
            await asyncio.gather(*(backend.generate_reply(messages_for(i)) for i in range(concurrency)))
        backend.stats.__init__()  # count only the timed part
        queue = list(range(cfg.requests))
        latencies: list[float] = []
        tokens = 0

        async def client() -> None:
            nonlocal tokens
            while queue:
                i = queue.pop(0)
                started = time.perf_counter()
                reply = await backend.generate_reply(messages_for(i))
                latencies.append(time.perf_counter() - started)
                tokens += reply.tokens

        async def arrival(i: int, at: float) -> None:
            nonlocal tokens
            await asyncio.sleep(max(0.0, started + at - time.perf_counter()))
            reply = await backend.generate_reply(messages_for(i))
            latencies.append(time.perf_counter() - (started + at))
            tokens += reply.tokens

        started = time.perf_counter()
        if cfg.rate:
            await asyncio.gather(*(arrival(i, at) for i, at in enumerate(arrival_times(cfg))))
        else:
            await asyncio.gather(*(client() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    finally:
        await backend.aclose()
    return LevelResult(concurrency=concurrency, requests=cfg.requests, wall_s=wall,
                       replies_per_s=cfg.requests / wall, tokens_per_s=tokens / wall, tokens=tokens,
                       p50_s=percentile(latencies, 50), p95_s=percentile(latencies, 95),
                       mean_batch=backend.stats.mean_batch, latencies=latencies)


def run_serve_bench(cfg: ServeBenchConfig, home: Path, progress=None) -> dict:
    """Load the model once, measure every concurrency level; returns a JSON-ready summary."""
    import torch

    from eva_cli.models import best_device, load_causal_lm, load_tokenizer, resolve_model

    device = cfg.device or best_device()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    path = resolve_model(cfg.model, home)
    model = load_causal_lm(path, device=device)
    model.eval()
    tokenizer = load_tokenizer(path)
    levels: list[LevelResult] = []
    for c in cfg.concurrency:
        if progress:
            progress(f"concurrency {c}: {cfg.requests} requests x {cfg.max_new_tokens} new tokens ...")
        levels.append(asyncio.run(measure_level(model, tokenizer, cfg, c)))
    base = levels[0]
    for level in levels:
        level.speedup = level.replies_per_s / base.replies_per_s
        level.p95_ratio = level.p95_s / base.p95_s if base.p95_s else float("nan")
    top = levels[-1]
    return {
        "model": cfg.model or "embedded",
        "device": device,
        "torch_threads": torch.get_num_threads(),
        "requests": cfg.requests,
        "max_new_tokens": cfg.max_new_tokens,
        "temperature": cfg.temperature,
        "prefix_cache": cfg.prefix_cache,
        "mode": f"open loop, {cfg.rate:g} requests/s (Poisson, seed {cfg.seed})" if cfg.rate else "closed loop",
        "levels": [{k: v for k, v in asdict(level).items() if k != "latencies"} for level in levels],
        "target": None if cfg.rate else {"concurrency": top.concurrency, "speedup": top.speedup, "speedup_target": TARGET_SPEEDUP,
                   "p95_ratio": top.p95_ratio, "p95_ratio_target": TARGET_P95_RATIO,
                   "met": top.concurrency > 1 and top.speedup >= TARGET_SPEEDUP and top.p95_ratio <= TARGET_P95_RATIO},
    }

