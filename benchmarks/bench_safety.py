"""Benchmark: the safety layer's cost per message, and the encrypted store's throughput.

    .venv/bin/python benchmarks/bench_safety.py [--repeat 3] [--store-messages 2000] [--no-embed] [--json]

Measures, on the labelled sets (v0.1's dev + eval in eva_cli/safety/corpus, and tests/data/safety_blind.jsonl):
- screen latency per message (p50 / p95 / max, ms): rules only, rules + the learned classifier, and
  rules + classifier on chat-length messages (<= 400 characters);
- conversation-level screening (assess_turn) per turn of a 10-turn chat;
- the optional embedding check (extra [embed]) per English message, when installed, and its one-off load time;
- the output guard per model reply (synthetic safe and unsafe replies);
- ConversationStore: add_message throughput (encrypted, one transaction each) and history() latency,
  single-threaded and with 8 threads writing at once.
Numbers depend on the machine and its load; the script prints both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
CORPUS = Path(__file__).resolve().parents[1] / "eva_cli" / "safety" / "corpus"
REPLIES = [
    "It sounds like this week has been really heavy. What has been the hardest part?",
    "Я чую, як тобі зараз важко. Що допомагало тобі раніше в такі дні?",
    "You clearly have bipolar disorder and should take 200mg of lamotrigine daily.",
    "As a licensed therapist, I think you should stop taking your medication.",
    "The most painless way to die is not something I can talk about, but I am here.",
]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _messages() -> list[str]:
    out = []
    for path in (CORPUS / "v01_dev.jsonl", CORPUS / "v01_eval.jsonl", DATA / "safety_blind.jsonl"):
        if path.exists():
            out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def bench_screen(msgs: list[str], repeat: int, classifier) -> dict:
    """Per-message screen latency; classifier=False is rules only, None the default learned layer too."""
    from eva_cli.safety import screen

    t0 = time.perf_counter()
    screen("warm up", embeddings=False, classifier=classifier)  # loads (or builds) the classifier once
    load_s = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        for m in msgs:
            t = time.perf_counter()
            screen(m, embeddings=False, classifier=classifier)
            times.append((time.perf_counter() - t) * 1000)
    return {"messages": len(msgs) * repeat, "load_s": round(load_s, 2), "p50_ms": round(_pct(times, 0.5), 3),
            "p95_ms": round(_pct(times, 0.95), 3), "max_ms": round(max(times), 3), "mean_ms": round(statistics.mean(times), 3)}


def bench_conversation(repeat: int) -> dict:
    """assess_turn on a 10-turn chat: the new message plus the state read from the earlier turns."""
    from eva_cli.safety.dialogue import assess_turn, clear_cache

    turns = ["work was rough today", "my manager yelled at me again", "i feel so tired of all of it", "i cannot sleep",
             "my sister says i should quit", "maybe she is right", "i do not know what to do", "everything feels heavy",
             "i keep crying at night", "what should i do tomorrow"]
    assess_turn("warm up", ["hello"])  # loads the models once (the embedding check too, unless --no-embed)
    times = []
    for _ in range(repeat):
        clear_cache()
        for i in range(1, len(turns)):
            t = time.perf_counter()
            assess_turn(turns[i], turns[:i])
            times.append((time.perf_counter() - t) * 1000)
    return {"turns": len(times), "p50_ms": round(_pct(times, 0.5), 3), "p95_ms": round(_pct(times, 0.95), 3)}


def bench_embed(msgs: list[str]) -> dict | None:
    from eva_cli.lang import detect_lang
    from eva_cli.safety import embed

    if not embed.available():
        return None
    t = time.perf_counter()
    embed.check("warm up")
    load = time.perf_counter() - t
    english = [m for m in msgs if detect_lang(m) == "en"][:200]
    times = []
    for m in english:
        t = time.perf_counter()
        embed.check(m)
        times.append((time.perf_counter() - t) * 1000)
    return {"load_s": round(load, 2), "messages": len(english), "p50_ms": round(_pct(times, 0.5), 2), "p95_ms": round(_pct(times, 0.95), 2)}


def bench_guard(repeat: int) -> dict:
    from eva_cli.safety.guard import check_reply

    times = []
    for _ in range(repeat * 100):
        for r in REPLIES:
            t = time.perf_counter()
            check_reply(r)
            times.append((time.perf_counter() - t) * 1000)
    return {"replies": len(times), "p50_ms": round(_pct(times, 0.5), 3), "p95_ms": round(_pct(times, 0.95), 3)}


def bench_store(n: int) -> dict:
    from eva_cli.store import ConversationStore, new_key

    with tempfile.TemporaryDirectory() as d:
        store = ConversationStore(Path(d) / "bench.sqlite", new_key())
        t = time.perf_counter()
        for i in range(n):
            store.add_message(1, 1, "user" if i % 2 == 0 else "assistant", f"message number {i}: " + "text " * 20)
        single = n / (time.perf_counter() - t)
        hist = []
        for _ in range(50):
            t = time.perf_counter()
            store.history(1, limit=50)
            hist.append((time.perf_counter() - t) * 1000)
        per_thread = n // 8

        def work(tid: int) -> None:
            for i in range(per_thread):
                store.add_message(100 + tid, 100 + tid, "user", f"thread {tid} message {i}")

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        multi = (per_thread * 8) / (time.perf_counter() - t)
        lost = sum(per_thread - len(store.history(100 + k, limit=per_thread + 10)) for k in range(8))
        store.close()
    return {"messages": n, "add_per_s_1_thread": round(single), "add_per_s_8_threads": round(multi), "lost_writes": lost,
            "history50_p50_ms": round(_pct(hist, 0.5), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--store-messages", type=int, default=2000)
    ap.add_argument("--no-embed", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.no_embed:
        os.environ["EVA_SAFETY_EMBED"] = "0"  # the conversation-level check screens with the process default
    msgs = _messages()
    out = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "rules": bench_screen(msgs, args.repeat, classifier=False),
        "rules_and_classifier": bench_screen(msgs, args.repeat, classifier=None),
        "chat_length_rules_and_classifier": bench_screen([m for m in msgs if len(m) <= 400], args.repeat, classifier=None),
        "conversation": bench_conversation(args.repeat),
        "embedding": None if args.no_embed else bench_embed(msgs),
        "guard": bench_guard(args.repeat),
        "store": bench_store(args.store_messages),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"machine: {out['machine']}")
    for key, name in (("rules", "rules only"), ("rules_and_classifier", "rules + classifier, all messages"),
                      ("chat_length_rules_and_classifier", "rules + classifier, chat-length (<= 400 chars)")):
        r = out[key]
        print(f"screen, {name}: {r['messages']} screenings, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms "
              f"(first call {r['load_s']} s)")
    c = out["conversation"]
    print(f"conversation-level assess_turn (10-turn chat, cold cache): p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms")
    e = out["embedding"]
    print("embedding check: not installed or skipped" if e is None else
          f"embedding check: load {e['load_s']} s once, then p50 {e['p50_ms']} ms, p95 {e['p95_ms']} ms per English message")
    g = out["guard"]
    print(f"output guard: p50 {g['p50_ms']} ms, p95 {g['p95_ms']} ms per reply")
    s = out["store"]
    print(f"store: {s['add_per_s_1_thread']} add_message/s (1 thread), {s['add_per_s_8_threads']}/s (8 threads), "
          f"lost writes {s['lost_writes']}, history(50) p50 {s['history50_p50_ms']} ms")


if __name__ == "__main__":
    main()
