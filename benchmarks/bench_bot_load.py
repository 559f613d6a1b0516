"""Load benchmark: many simulated Telegram users at once through the real bot and the fake Bot API server.

    .venv/bin/python benchmarks/bench_bot_load.py [--users 50] [--messages 5] [--max-new-tokens 24]
                                                 [--concurrency 8,1] [--model embedded|PATH] [--threads N] [--json]

Every user sends all their messages at the same moment (users x messages updates queued at once).
The real bot (aiogram dispatcher, middlewares, offset-safe polling, encrypted store, conversation
pipeline, local backend) answers them through tests/fake_telegram.py on 127.0.0.1. For each
--max-concurrency level it checks that every message is answered exactly once and reports the
reply latency (from the burst to each reply, p50/p95) and the throughput (replies/s, tokens/s).
Messages of one chat are answered in order, so the k-th reply of a chat answers its k-th message.

Replicas and faults (no model: a fast fake backend, so the figures are the bot's own cost):

    .venv/bin/python benchmarks/bench_bot_load.py --fake-backend [--users 1000] [--messages 5]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--kill-after 0.4] [--json]

Two scenarios: two webhook replicas (`eva serve-telegram`'s BotApp, each its own process) sharing a fresh
PostgreSQL database, one of them SIGKILLed once --kill-after of the updates were delivered; then the
same messages through one replica on SQLite. This process plays Telegram: it POSTs each update to a
replica in turn (a load balancer), at most 40 at once (Telegram's default max_connections), and
re-sends a delivery that failed, after 1 s, to a replica still up. Every reply quotes its message's
tag, so each message is checked answered exactly once. Reported: the per-update latency (POST to
answer, the bot answers after handling) one at a time (the pipeline's own overhead; model time is
zero) and under the load, and the throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import logging
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
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


# ---- replicas and faults ------------------------------------------------------------------------------
SECRET = "bench-webhook-secret"
TAG = re.compile(r"\[m(\d+)\]")


class EchoBackend:
    """A model that answers at once, quoting the message (so each reply names its message)."""

    name = "echo"

    async def generate(self, messages, *, max_new_tokens=None, temperature=None) -> str:
        return f"Thank you for telling me. {messages[-1]['content']}"

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)

    async def aclose(self) -> None:
        pass


def serve_replica(args) -> None:
    """One bot replica (a child process of this benchmark): webhook mode, the echo backend."""
    from eva_cli.bot.app import BotApp
    from eva_cli.bot.config import BotConfig
    from eva_cli.store import open_store

    logging.basicConfig(level=logging.WARNING)
    url = f"http://127.0.0.1:{args.port}/hook"
    config = BotConfig(token=args.token, api_server=args.api_server, webhook_url=url, webhook_host="127.0.0.1",
                       webhook_port=args.port, webhook_secret=SECRET, rate_burst=1000, drain_timeout_s=30)
    app = BotApp(config, EchoBackend(), open_store(args.serve_replica, args.key))
    asyncio.run(app.run())


async def _start_replica(store: str, key: str, tg, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, __file__, "--serve-replica", store, "--key", key, "--port", str(port),
                             "--api-server", tg.base_url, "--token", tg.token])
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"a replica exited at start ({proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            await asyncio.sleep(0.2)
    raise SystemExit("a replica did not start in 180 s")


def _update(update_id: int, user: int, text: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "en"}, "text": text}}


async def run_replicas(name: str, stores: list[str], key: str, args, kill_after: float | None) -> dict:
    """Deliver users x messages updates to len(stores) webhook replicas; see the module doc."""
    import aiohttp
    from fake_telegram import FakeTelegram, _free_port

    async with FakeTelegram() as tg:
        ports = [_free_port() for _ in stores]
        procs = [await _start_replica(store, key, tg, port) for store, port in zip(stores, ports)]
        urls = [f"http://127.0.0.1:{p}/hook" for p in ports]
        up = [True] * len(urls)
        turn = itertools.count()
        stats = {"redelivered": 0, "killed": False, "failures": collections.Counter(),
                 "per_replica": [0] * len(urls), "in_flight": [0] * len(urls), "in_flight_at_kill": None}
        probe_n = args.latency_probe
        probe = [_update(i, 10_000_000 + i, f"{MESSAGES[i % len(MESSAGES)]} [m{i}]") for i in range(probe_n)]
        load = [_update(probe_n + m * args.users + u, u + 1,
                        f"{MESSAGES[(u + m) % len(MESSAGES)]} [m{probe_n + m * args.users + u}]")
                for m in range(args.messages) for u in range(args.users)]
        delivered = 0

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=70)) as http:
            async def deliver(update: dict) -> float:
                nonlocal delivered
                while True:
                    alive = [i for i in range(len(urls)) if up[i]]
                    target = alive[next(turn) % len(alive)]
                    start = time.perf_counter()
                    stats["in_flight"][target] += 1
                    try:
                        async with http.post(urls[target], json=update,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                            await resp.read()
                            ok = resp.status == 200
                    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                        ok = False
                        stats["failures"][type(exc).__name__] += 1
                        if procs[target].poll() is not None:
                            up[target] = False  # the load balancer's health check takes it out
                    finally:
                        stats["in_flight"][target] -= 1
                    if ok:
                        stats["per_replica"][target] += 1
                        delivered += 1
                        if kill_after is not None and not stats["killed"] and delivered >= kill_after * len(load):
                            stats["killed"] = True
                            stats["in_flight_at_kill"] = stats["in_flight"][0]
                            procs[0].send_signal(signal.SIGKILL)
                        return time.perf_counter() - start
                    stats["redelivered"] += 1
                    await asyncio.sleep(1.0)  # Telegram re-sends a failed delivery a little later

            async def deliver_all(updates: list[dict], concurrency: int) -> list[float]:
                queue = list(reversed(updates))
                out: list[float] = []

                async def worker():
                    while queue:
                        out.append(await deliver(queue.pop()))

                await asyncio.gather(*(worker() for _ in range(concurrency)))
                return out

            probe_lat = await deliver_all(probe, 1)
            delivered = 0
            began = time.perf_counter()
            load_lat = await deliver_all(load, args.webhook_connections)
            wall = time.perf_counter() - began
        await asyncio.sleep(1.0)  # an answer sent twice would show up now
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
        counts = collections.Counter(int(m.group(1)) for t in tg.texts() if (m := TAG.search(t)))
        untagged = sum(1 for t in tg.texts() if not TAG.search(t))  # e.g. a safety-layer reply (no model call)
    tags = [int(TAG.search(u["message"]["text"]).group(1)) for u in probe + load]
    lost = sum(1 for t in tags if counts[t] == 0)
    doubled = sum(1 for t in tags if counts[t] > 1)
    return {"scenario": name, "replicas": len(stores), "messages": len(load),
            "answered_exactly_once": lost == 0 and doubled == 0, "lost": lost, "answered_twice": doubled,
            "untagged_replies": untagged,
            "replica_killed": stats["killed"], "in_flight_at_kill": stats["in_flight_at_kill"],
            "redelivered": stats["redelivered"], "failures": dict(stats["failures"]),
            "answered_by_replica": stats["per_replica"],
            "overhead_p50_ms": round(1000 * percentile(probe_lat, 50), 1),
            "overhead_p95_ms": round(1000 * percentile(probe_lat, 95), 1),
            "load_p50_ms": round(1000 * percentile(load_lat, 50), 1),
            "load_p95_ms": round(1000 * percentile(load_lat, 95), 1),
            "wall_s": round(wall, 1), "messages_per_s": round(len(load) / wall, 1)}


def main_fake(args) -> None:
    import psycopg
    from cryptography.fernet import Fernet

    from pg import reachable, with_database

    logging.basicConfig(level=logging.WARNING)
    if not reachable(args.pg_url):
        raise SystemExit(f"no PostgreSQL server at {args.pg_url} (--pg-url)")
    key = Fernet.generate_key().decode()
    name = f"eva_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    results = []
    try:
        db = with_database(args.pg_url, name)
        print(f"two replicas on PostgreSQL: {args.users} users x {args.messages} messages ...", file=sys.stderr, flush=True)
        results.append(asyncio.run(run_replicas("postgresql x2, one killed", [db, db], key, args, args.kill_after)))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            print("one replica on SQLite ...", file=sys.stderr, flush=True)
            results.append(asyncio.run(run_replicas("sqlite x1", [str(Path(tmp) / "eva.sqlite")], key, args, None)))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    finally:
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    out = {"users": args.users, "messages_per_user": args.messages, "webhook_connections": args.webhook_connections,
           "latency_probe": args.latency_probe, "cpu": platform.processor() or platform.machine(),
           "cores": os.cpu_count(), "scenarios": results}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{'scenario':<28} {'once':>5} {'lost':>5} {'twice':>6} {'resent':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'load p50':>9} {'load p95':>9} {'msg/s':>7}")
    for r in results:
        print(f"{r['scenario']:<28} {str(r['answered_exactly_once']):>5} {r['lost']:>5} {r['answered_twice']:>6} "
              f"{r['redelivered']:>7} {r['overhead_p50_ms']:>7} {r['overhead_p95_ms']:>7} {r['load_p50_ms']:>9} "
              f"{r['load_p95_ms']:>9} {r['messages_per_s']:>7}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--messages", type=int, default=5)
    ap.add_argument("--max-new-tokens", type=int, default=24)
    ap.add_argument("--concurrency", default="8,1", help="--max-concurrency levels to compare")
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = one per core)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--fake-backend", action="store_true", help="replicas and faults, no model (see above)")
    ap.add_argument("--pg-url", default=os.environ.get("EVA_TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--kill-after", type=float, default=0.4, help="SIGKILL one replica after this share is delivered")
    ap.add_argument("--webhook-connections", type=int, default=40, help="deliveries at once (Telegram's max_connections)")
    ap.add_argument("--latency-probe", type=int, default=200, help="messages sent one at a time first, for the overhead")
    ap.add_argument("--serve-replica", metavar="STORE", help=argparse.SUPPRESS)
    for hidden in ("--key", "--port", "--api-server", "--token"):
        ap.add_argument(hidden, help=argparse.SUPPRESS, type=int if hidden == "--port" else str)
    args = ap.parse_args()
    if args.serve_replica:
        return serve_replica(args)
    if args.fake_backend:
        if args.users == 50 and "--users" not in sys.argv:
            args.users = 1000
        return main_fake(args)

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
