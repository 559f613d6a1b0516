"""Benchmark `eva ingest` on generated corpora (target: <= 15 s wall, <= 1.5 GB peak RSS on 2 cores).

Generates, in a temporary folder, a 100,000-row EmpatheticDialogues-shaped CSV (its unquoted
`_comma_` layout, some 9-field lines) and a 50,000-row counselchat-shaped CSV (2020 layout,
HTML answers, several answers per question), then runs `eva ingest` on both in a fresh
process under `/usr/bin/time -v` and prints wall time, peak memory and the example counts.

    .venv/bin/python benchmarks/bench_ingest.py [--ed-rows 100000] [--cc-rows 50000] [--keep DIR]

Every text is assembled from the word lists below, written for this benchmark.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OPENERS = ["Lately", "This week", "Since the spring", "Every evening", "At work", "Since the move", "After the exam",
           "Most mornings", "When I am alone", "During the holidays"]
FEELINGS = ["anxious", "tired all the time", "lonely", "angry at small things", "numb", "on edge", "sad for no reason",
            "overwhelmed", "restless at night", "disconnected from friends"]
CAUSES = ["my manager keeps changing plans", "my sister stopped calling", "the news keeps me awake",
          "I moved to a new city", "my partner and I argue about money", "I lost my grandfather",
          "my exams are coming", "the air-raid alerts wake me up", "I work two jobs", "my best friend moved away"]
ASKS = ["What can I do?", "Is this normal?", "How do I stop overthinking?", "Should I talk to someone?",
        "How do I get through the day?", "Why does this keep happening?"]
REPLIES = ["It sounds like you are carrying a lot right now", "Thank you for putting this into words",
           "Many people feel this way after a change like that", "Your reaction makes sense given what happened",
           "It may help to notice when the feeling is strongest", "A small routine can make evenings easier",
           "Talking with someone you trust can lighten the load", "Sleep often improves when the mornings are steady",
           "Try writing down three things that went well each day", "A counselor can help you sort this out"]
EMOTIONS = ["sentimental", "afraid", "proud", "lonely", "anxious", "grateful", "sad", "hopeful", "annoyed", "guilty"]
TOPICS = ["anxiety", "grief", "relationships", "sleep", "loneliness", "work", "family", "trauma", "stress", "self-esteem"]


def _sentence(rng: random.Random, n: int) -> str:
    return (f"{rng.choice(OPENERS)} I feel {rng.choice(FEELINGS)} because {rng.choice(CAUSES)}. "
            f"It has gone on for {rng.randint(2, 40)} days ({n}). {rng.choice(ASKS)}")


def _reply(rng: random.Random, n: int, paragraphs: int) -> str:
    parts = []
    for p in range(paragraphs):
        picks = rng.sample(REPLIES, 3)
        parts.append(f"{picks[0]}, and I hear how much it weighs on you ({n}.{p}). {picks[1]}. {picks[2]}.")
    return parts


def write_empathetic(path: Path, rows: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("conv_id,utterance_idx,context,prompt,speaker_idx,utterance,selfeval,tags\n")
        written, conv = 0, 0
        while written < rows:
            turns = rng.randint(4, 8)
            emotion, situation = rng.choice(EMOTIONS), _sentence(rng, conv).replace(",", "_comma_")
            speakers = (rng.randint(1, 900), rng.randint(901, 1800))
            for t in range(1, min(turns, rows - written) + 1):
                text = (_sentence(rng, conv * 10 + t) if t % 2 else " ".join(_reply(rng, conv * 10 + t, 1)))
                line = [f"hit:{conv // 5}_conv:{conv}", str(t), emotion, situation, str(speakers[(t - 1) % 2]),
                        text.replace(",", "_comma_"), "5|5|5_2|2|5", ""]
                if rng.random() < 0.01:
                    line.append("extra")  # the stray 9th field of the real files
                fh.write(",".join(line) + "\n")
                written += 1
            conv += 1


def write_counselchat(path: Path, rows: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["", "questionID", "questionTitle", "questionText", "questionLink", "topic", "therapistInfo",
                      "therapistURL", "answerText", "upvotes", "views", "split"])
        row, qid = 0, 0
        while row < rows:
            title = f"{rng.choice(ASKS)} ({qid})"
            text = " ".join(_sentence(rng, qid * 100 + k) for k in range(rng.randint(1, 3)))
            topic = rng.choice(TOPICS)
            for _ in range(min(rng.randint(1, 5), rows - row)):
                paragraphs = _reply(rng, row, rng.randint(2, 5))
                answer = "".join(f"<p>{p.replace(' and ', ' and&nbsp;', 1)}</p>" for p in paragraphs)
                out.writerow([row, qid, title, text, f"https://counsel.example.com/q/{qid}", topic,
                              f"Therapist {rng.randint(1, 300)}, LPC", f"https://counsel.example.com/t/{row}",
                              answer, rng.randint(0, 12), rng.randint(10, 900), "train"])
                row += 1
            qid += 1


def _time_v(stderr: str) -> tuple[float | None, float | None, float | None]:
    wall = rss = cpu = None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", stderr)
    if m:
        wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if m:
        rss = int(m.group(1)) / 1024
    user = re.search(r"User time \(seconds\): ([\d.]+)", stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", stderr)
    if user and system:
        cpu = float(user.group(1)) + float(system.group(1))
    return wall, rss, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ed-rows", type=int, default=100_000)
    ap.add_argument("--cc-rows", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="write the generated data and workspace here and keep them")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="eva-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    ed, cc = work / "empathetic.csv", work / "counselchat.csv"
    write_empathetic(ed, args.ed_rows, rng)
    write_counselchat(cc, args.cc_rows, rng)
    print(f"generated {ed.stat().st_size / 1e6:.1f} MB + {cc.stat().st_size / 1e6:.1f} MB in "
          f"{time.perf_counter() - t0:.1f} s under {work}")

    ws = work / "ws"
    eva = [sys.executable, "-m", "eva_cli", "-w", str(ws), "--quiet", "ingest", str(ed), str(cc)]
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    env = dict(os.environ, COLUMNS="160")
    t0 = time.perf_counter()
    proc = subprocess.run(timer + eva, capture_output=True, text=True, cwd=ROOT, env=env)
    outer = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n")
        return proc.returncode
    wall, rss, cpu = _time_v(proc.stderr)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report = json.loads((ws / "data" / "ingest-report.json").read_text())
    totals = report["totals"]
    if rss:
        print(f"eva ingest: wall {wall or outer:.2f} s, CPU (user+sys) {cpu:.2f} s, peak RSS {rss:.0f} MB, "
              f"load average {load:.1f} on {os.cpu_count()} cores")
    else:
        print(f"eva ingest: wall {outer:.2f} s")
    print(f"records {totals['records']}, examples {totals['examples']}, dropped {totals['dropped']}, "
          f"groups {totals['groups']}, splits {report['splits']}")
    ok = (wall or outer) <= 15 and (rss is None or rss <= 1536)
    print("target (<= 15 s, <= 1.5 GB):", "met" if ok else "MISSED")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
