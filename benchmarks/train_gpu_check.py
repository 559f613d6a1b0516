"""GPU check for `eva train --qlora` on a Llama-3-8B-shaped model (random weights; no download).

    python benchmarks/train_gpu_check.py --steps 6                 # writes $OUT/train_gpu_check.json when $OUT is set
    python benchmarks/train_gpu_check.py --model /path/to/built/model --steps 6

Builds a randomly initialised LlamaForCausalLM with Meta-Llama-3-8B's published sizes (bf16, built on the
GPU; weights do not matter for memory or speed), writes preference pairs long enough to fill
`--max-length`, then runs the same code path as
`eva train --model PATH --qlora --max-steps N --max-length 1024 --batch-size 4` and reports peak GPU memory,
samples per second and tokens per second from the run's metrics.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def write_long_pairs(ws: Path, n: int = 64) -> None:
    """Pairs whose prompt + reply exceed 1024 tokens of the random model's byte-level tokenizer."""
    from eva_cli.schema import PAIRS, write_table

    worry = ("I keep replaying the conversation with my sister and I cannot stop feeling guilty about it. "
             "Every evening the same thoughts come back and I end up lying awake until three. ")
    kind = ("It makes sense that this keeps returning when the day goes quiet. Guilt often means you care about "
            "the relationship. What would you want your sister to know, if you could say one thing calmly? ")
    curt = "You should just stop thinking about it and go to sleep earlier. "
    rows = []
    for i in range(n):
        rows.append(dict(id=f"p{i}", example_id=f"e{i}", strategy="rewrite", source="gpu-check", lang="en",
                         split="train",
                         prompt=[{"role": "user", "content": worry * (2 + i % 3)}],
                         chosen=[{"role": "assistant", "content": kind * 24}],
                         rejected=[{"role": "assistant", "content": curt * 40}]))
    write_table(rows, ws / "pairs" / "train.parquet", PAIRS)
    write_table([dict(r, split="eval") for r in rows[:8]], ws / "pairs" / "eval.parquet", PAIRS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, help="an already built model folder (default: build llama3-8b)")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=1024)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "eva-gpu-check")
    args = ap.parse_args()

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from rich.console import Console

    from eva_cli.random_model import build_random_llama
    from eva_cli.train.run import run_training
    from eva_cli.workspace import Workspace

    assert torch.cuda.is_available(), "this check needs a CUDA GPU"
    t0 = time.time()
    model = args.model or build_random_llama(args.work / "llama3-8b", shape="llama3-8b", dtype="bfloat16")
    build_s = round(time.time() - t0, 1)
    torch.cuda.empty_cache()
    ws = Workspace(args.work / "ws")
    write_long_pairs(ws.root)
    flags = dict(model=str(model), mode="qlora", max_steps=args.steps, max_length=args.max_length,
                 batch_size=args.batch_size, eval_pairs=8, save_steps=args.steps, run=f"gpu-{int(time.time())}")
    console = Console()
    result = run_training(flags, None, ws, Path.home() / ".cache" / "eva", console, Console(stderr=True))
    rows = [json.loads(x) for x in (result.run_dir / "metrics.jsonl").read_text().splitlines() if x.strip()]
    train = [r for r in rows if "loss" in r]
    steady = train[1:] or train  # the first step includes warm-up (allocator, kernels)
    cfg = json.loads((result.run_dir / "train-config.json").read_text())
    report = {
        "device": torch.cuda.get_device_name(0),
        "model": "random Llama-3-8B shape (32 layers, hidden 4096, vocab 128256)",
        "mode": "qlora (NF4, double quant, bf16 compute)",
        "steps": result.global_step, "batch_size": args.batch_size, "max_length": args.max_length,
        "peak_memory_mb": max(r["peak_memory_mb"] for r in train),
        "samples_per_second_median": statistics.median(r["samples_per_second"] for r in steady),
        "tokens_per_second_median": statistics.median(r["tokens_per_second"] for r in steady),
        "losses": [round(r["loss"], 4) for r in train],
        "eval_loss": next((r["eval_loss"] for r in rows if "eval_loss" in r), None),
        "trainable_params": cfg["parameters"]["trainable"],
        "quantization": cfg["quantization"],
        "build_model_s": build_s, "train_wall_time_s": result.wall_time_s,
        "versions": cfg["versions"], "fast_trainer": cfg["fast_trainer"],
        "adapter_written": (result.run_dir / "adapter" / "adapter_model.safetensors").is_file(),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if os.environ.get("OUT"):
        Path(os.environ["OUT"], "train_gpu_check.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
