"""Load benchmark: many simulated Telegram users at once through the real bot and the fake Bot API server.

    .venv/bin/python benchmarks/bench_bot_load.py [--users 50] [--messages 5] [--max-new-tokens 24]
                                                 [--concurrency 8,1] [--model embedded|PATH] [--threads N] [--json]

Every user sends all their messages at the same moment (users x messages updates queued at once).
The real bot (aiogram dispatcher, middlewares, offset-safe polling, encrypted store, conversation
pipeline, local backend) answers them through tests/fake_telegram.py on 127.0.0.1. For each
--max-concurrency level it checks that every message is answered exactly once and reports the
reply latency (from the burst to each reply, p50/p95) and the throughput (replies/s, tokens/s).
Messages of one chat are answered in order, so the k-th reply of a chat answers its k-th message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# Original, non-crisis messages (a crisis message would skip the model and flatter the numbers).
MESSAGES = (
    "I had a long day and I feel drained.", "Work keeps piling up and I can't catch up.",
    "I argued with my brother again this morning.", "Мені важко заснути останнім часом.",
    "I keep worrying about my exams next week.", "Я відчуваю себе самотньою в новому місті.",
    "My friend hasn't replied for days and it bothers me.", "I don't know how to tell my parents I'm tired.",
    "Сьогодні був дуже напружений день на роботі.", "I feel like everyone else has it figured out.",
)


def percentile(values: list[float], q: float) -> float:
    data = sorted(values)
    k = (len(data) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


async def run_level(model, tokenizer, concurrency: int, args) -> dict:
    from fake_telegram import FakeTelegram

    from eva_cli.backends.local import LocalBackend, LocalBackendConfig
    from eva_cli.bot.app import BotApp
    from eva_cli.bot.config import BotConfig
    from eva_cli.conversation import ConversationConfig
    from eva_cli.store import ConversationStore

    backend = LocalBackend(model, tokenizer, LocalBackendConfig(
        max_concurrency=concurrency, max_new_tokens=args.max_new_tokens, temperature=0.7, timeout_s=3600))
    with tempfile.TemporaryDirectory() as tmp:
        from cryptography.fernet import Fernet

        store = ConversationStore(Path(tmp) / "eva.sqlite", Fernet.generate_key().decode())
        async with FakeTelegram() as tg:
            config = BotConfig(token=tg.token, api_server=tg.base_url, polling_timeout_s=5, busy_poll_interval_s=0.2,
                               rate_burst=1000, drain_timeout_s=3600, typing_interval_s=4.0)
            app = BotApp(config, backend, store, ConversationConfig(max_new_tokens=args.max_new_tokens))
            users = list(range(1, args.users + 1))
            burst_at = time.monotonic()
            for m in range(args.messages):
                for u in users:
                    tg.message(u, MESSAGES[(u + m) % len(MESSAGES)], language_code="en")
            task = asyncio.create_task(app.run(handle_signals=False))
            total = args.users * args.messages

            async def progress() -> None:
                while True:
                    await asyncio.sleep(60)
                    print(f"  {len(tg.sent)}/{total} answered after {time.monotonic() - burst_at:.0f} s",
                          file=sys.stderr, flush=True)

            ticker = asyncio.create_task(progress())
            await tg.wait_for(lambda: len(tg.sent) >= total, timeout=24 * 3600)
            ticker.cancel()
            finished = time.monotonic()
            await asyncio.sleep(1.0)  # anything answered twice would show up now
            app.request_stop()
            await task
            per_chat: dict[int, list[float]] = {u: [] for u in users}
            for call in tg.calls_of("sendMessage"):
                per_chat[int(call.params["chat_id"])].append(call.at - burst_at)
    answered_once = all(len(v) == args.messages for v in per_chat.values()) and len(tg.sent) == total
    latencies = [t for v in per_chat.values() for t in v]
    wall = finished - burst_at
    return {"max_concurrency": concurrency, "messages": total, "answered_exactly_once": answered_once,
            "wall_s": round(wall, 2), "replies_per_s": round(total / wall, 3),
            "tokens_per_s": round(backend.stats.tokens / wall, 1),
            "p50_s": round(percentile(latencies, 50), 2), "p95_s": round(percentile(latencies, 95), 2),
            "mean_batch": round(backend.stats.mean_batch, 2), "model_calls": backend.stats.requests}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--messages", type=int, default=5)
    ap.add_argument("--max-new-tokens", type=int, default=24)
    ap.add_argument("--concurrency", default="8,1", help="--max-concurrency levels to compare")
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = one per core)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import logging

    import torch

    from eva_cli.models import load_causal_lm, load_tokenizer, resolve_model

    logging.basicConfig(level=logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    path = resolve_model(args.model, Path("~/.cache/eva").expanduser())
    model = load_causal_lm(path)
    model.eval()
    results = []
    for c in [int(x) for x in args.concurrency.split(",")]:
        print(f"max-concurrency {c}: {args.users} users x {args.messages} messages ...", file=sys.stderr, flush=True)
        results.append(asyncio.run(run_level(model, load_tokenizer(path), c, args)))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    out = {"model": args.model, "users": args.users, "messages_per_user": args.messages,
           "max_new_tokens": args.max_new_tokens, "cpu": platform.processor() or platform.machine(),
           "torch_threads": torch.get_num_threads(), "levels": results}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{'max-conc':>8} {'answered once':>14} {'wall s':>8} {'replies/s':>10} {'tokens/s':>9} {'p50 s':>7} "
          f"{'p95 s':>7} {'batch':>6}")
    for r in results:
        print(f"{r['max_concurrency']:>8} {str(r['answered_exactly_once']):>14} {r['wall_s']:>8} {r['replies_per_s']:>10} "
              f"{r['tokens_per_s']:>9} {r['p50_s']:>7} {r['p95_s']:>7} {r['mean_batch']:>6}")


if __name__ == "__main__":
    main()
