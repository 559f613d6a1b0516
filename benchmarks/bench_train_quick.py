"""Time `eva train --preset quick` the way `make demo` runs it: the bundled corpus, the embedded model.

    .venv/bin/python benchmarks/bench_train_quick.py            # ingest + build-pairs into a temp workspace, then train
    .venv/bin/python benchmarks/bench_train_quick.py --cold     # also time the embedded model's first conversion
    .venv/bin/python benchmarks/bench_train_quick.py --keep DIR # keep the workspace

Each command runs in its own process under /usr/bin/time -v; prints wall, CPU (user+sys), peak RSS, the load
average around the run (other jobs on the machine inflate wall time, not CPU time) and the run's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVA = [sys.executable, "-m", "eva_cli"]


def timed(cmd: list[str], env: dict) -> dict:
    before = os.getloadavg()[0]
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    err = proc.stderr

    def grab(label: str) -> str:
        m = re.search(rf"{re.escape(label)}: (.+)", err)
        return m.group(1).strip() if m else "?"

    wall = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"wall_s": round(seconds, 1),
            "cpu_s": round(float(grab("User time (seconds)")) + float(grab("System time (seconds)")), 1),
            "peak_rss_mb": round(int(grab("Maximum resident set size (kbytes)")) / 1024),
            "load_before": round(before, 1), "load_after": round(os.getloadavg()[0], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cold", action="store_true", help="use an empty EVA_HOME so the embedded model is converted")
    ap.add_argument("--keep", type=Path, help="workspace folder to keep (default: a temp folder)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "examples" / "corpus")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="eva-bench-train-"))
    ws = args.keep or tmp / "ws"
    env = dict(os.environ, TRL_EXPERIMENTAL_SILENCE="1", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    if args.cold:
        env["EVA_HOME"] = str(tmp / "home")
    for step in (["ingest", str(args.corpus)], ["build-pairs"]):
        timed([*EVA, "-w", str(ws), "--quiet", *step], env)
    result = timed([*EVA, "-w", str(ws), "train", "--preset", "quick", "--run", "bench"], env)
    run = ws / "runs" / "bench"
    cfg = json.loads((run / "train-config.json").read_text())
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    train = [r for r in rows if "loss" in r]
    evals = [r for r in rows if "eval_loss" in r]
    out = {
        **result,
        "steps": cfg["global_step"],
        "train_pairs": cfg["data"]["train"]["used"], "eval_pairs": cfg["data"]["eval"].get("used"),
        "tokens_per_second_median": sorted(r["tokens_per_second"] for r in train)[len(train) // 2],
        "first_loss": round(train[0]["loss"], 4), "last_loss": round(train[-1]["loss"], 4),
        "eval": {k: round(evals[-1][k], 4) for k in ("eval_loss", "eval_rewards/margins", "eval_rewards/accuracies")}
        if evals else None,
        "train_wall_time_s": cfg["wall_time_s"],
        "threads": cfg["hardware"]["name"],
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
