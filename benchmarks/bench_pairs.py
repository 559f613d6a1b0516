"""Benchmark: `build_pairs` on 100,000 synthetic examples with ranked,rewrite,mismatch.

Target (issue 3): <= 20 s on 2 CPU cores, from reading examples.parquet to the three files written.

    .venv/bin/python benchmarks/bench_pairs.py [--examples 100000] [--json]

It writes the examples to a temporary workspace, then times `python -m eva_cli build-pairs` in its
own process (start-up, reading, the three strategies, checks, atomic writes), with and without
--length-match, and prints wall time and the CPU time the process used.

The examples are assembled from short original phrases: English and Ukrainian, scored answer groups
(counsel-chat-like), carried rejected replies (preference-like), topics in `meta`, 10% eval.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EN_OPEN = ["I can't sleep because of", "My sister keeps fighting with me about", "I feel anxious about",
           "Lately I feel lonely and", "My boss yells at me over", "I'm exhausted by", "I cry every night about",
           "My partner ignores me when we talk about", "I feel guilty about", "Everything feels pointless since"]
EN_TOPIC = ["work", "my exams", "money", "the move", "my family", "my health", "the divorce", "my friends",
            "the war", "my weight", "school", "my marriage"]
EN_TAIL = ["and I don't know what to do.", "and nobody seems to notice.", "and it is getting worse.",
           "and I am tired of pretending.", "and I feel stuck.", "and I keep thinking about it all day."]
EN_REPLY = ["It sounds like {t} has been weighing on you.", "That must be hard to carry.",
            "What happens in your body when you think about {t}?", "You deserve support with this.",
            "Could we look at one small moment from this week?", "Who knows how you feel about {t}?",
            "It makes sense to feel this way.", "What would feel a little lighter tomorrow?"]
UK_OPEN = ["Я не можу спати через", "Мені постійно тривожно через", "Я дуже втомилася від",
           "Мені самотньо, відколи почалася", "Мама сердиться на мене через", "Мені соромно через"]
UK_TOPIC = ["роботу", "навчання", "гроші", "переїзд", "війну", "сварку з подругою", "розлучення"]
UK_TAIL = ["і я не знаю, що робити.", "і ніхто цього не помічає.", "і стає дедалі гірше.", "і я застрягла."]
UK_REPLY = ["Схоже, це дуже тебе виснажує.", "Це важко нести самій.", "Що ти відчуваєш, коли думаєш про це?",
            "Ти заслуговуєш на підтримку.", "Що могло б трохи полегшити завтрашній день?",
            "Хто знає, як тобі зараз?"]


def synth_examples(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    g = 0
    while len(rows) < n:
        g += 1
        uk = rng.random() < 0.3
        opens, topics, tails, replies = (UK_OPEN, UK_TOPIC, UK_TAIL, UK_REPLY) if uk else (EN_OPEN, EN_TOPIC, EN_TAIL, EN_REPLY)
        t = rng.choice(topics)
        user = f"{rng.choice(opens)} {t} {rng.choice(tails)} ({g})"
        split = "eval" if rng.random() < 0.1 else "train"
        kind = rng.random()
        answers = rng.randint(2, 5) if kind < 0.3 else 1
        for a in range(answers):
            reply = " ".join(rng.choice(replies).format(t=t) for _ in range(rng.randint(2, 12)))
            rows.append({
                "id": f"x{len(rows)}", "source": "synthetic.jsonl", "format": "counselchat" if answers > 1 else "conversation",
                "group": f"g{g}", "messages": [{"role": "user", "content": user}], "response": reply,
                "rejected": "Just stop worrying." if 0.3 <= kind < 0.4 else None,
                "score": float(rng.randint(0, 10)) if answers > 1 else None,
                "lang": "uk" if uk else "en", "split": split, "meta": json.dumps({"topic": t}),
            })
    return rows[:n]


def run_cli(workspace: Path, *args: str) -> dict:
    """`eva build-pairs` in its own process: wall time and the CPU time it used (user + sys)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "eva_cli", "--quiet", "-w", str(workspace), "build-pairs", *args],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "TRL_EXPERIMENTAL_SILENCE": "1"})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"eva build-pairs failed ({proc.returncode}): {proc.stderr.strip()}")
    report = json.loads((workspace / "pairs" / "report.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"args": " ".join(args) or "(defaults)", "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "pairs": report["pairs"], "rejected_shorter_share": report["shortcut"]["rejected_shorter_share"],
            "by_strategy": report["by_strategy"]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    from eva_cli.schema import EXAMPLES, write_table

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        write_table(synth_examples(args.examples), ws / "data" / "examples.parquet", EXAMPLES)
        runs = [run_cli(ws), run_cli(ws, "--length-match")]
    out = {"benchmark": "build-pairs", "examples": args.examples, "strategies": "ranked,rewrite,mismatch",
           "target_wall_s": 20, "runs": runs, "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
           "python": platform.python_version()}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"build-pairs on {args.examples} examples (target <= 20 s), load average {out['load_average']:.1f}:")
        for r in runs:
            print(f"  {r['args']:<16} wall {r['wall_s']:6.1f} s   cpu {r['cpu_s']:6.1f} s   "
                  f"{r['pairs']['total']} pairs   rejected shorter {100 * r['rejected_shorter_share']:.0f}%")
    return out


if __name__ == "__main__":
    main()
