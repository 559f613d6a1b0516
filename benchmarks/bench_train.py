"""Training speed: eva's ORPO path vs plain TRL (issue 8). Figures go to docs/benchmarks.md, "Training speed".

    # the target: embedded model, LoRA r16, batch 4, max length 1024, bundled corpus + long-tailed mix
    python benchmarks/bench_train.py run --workspace WS --steps 8 --rounds 2 --out bench-train.json

    # one batch, forward + backward, process CPU seconds (robust when other jobs share the cores):
    # TRL's forward vs each eva layout, padding to a multiple of 8, gradient checkpointing on/off
    python benchmarks/bench_train.py layouts --pairs 65,87,92,58 --threads 1

    # GPU: QLoRA on a randomly initialised Llama-3-8B-shaped model (built on the GPU, no download)
    python benchmarks/bench_train.py run --random-llama3-8b /tmp/llama3-8b --tokenizer-from .gpu-tok \
        --qlora --steps 8 --out $OUT/bench-train-gpu.json

`run` is `eva bench train` (same library call): both sides train one epoch over the same steps x batch pairs,
each in its own process, and the JSON holds {"baseline": {...}, "eva": {...}, "speedup": x}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def cmd_run(a) -> None:
    from eva_cli.bench.train_bench import TrainBenchConfig, run_train_bench

    model = a.model
    if a.random_llama3_8b:
        model = str(a.random_llama3_8b)
        if not (a.random_llama3_8b / "config.json").is_file():
            from eva_cli.random_model import build_random_llama

            t0 = time.perf_counter()
            build_random_llama(a.random_llama3_8b, "llama3-8b", dtype="bfloat16", tokenizer_from=a.tokenizer_from)
            print(f"built a random Llama-3-8B-shaped model in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    pairs = a.pairs
    if pairs is None and a.workspace is not None and (a.workspace / "pairs" / "train.parquet").is_file():
        pairs = a.workspace / "pairs" / "train.parquet"
    cfg = TrainBenchConfig(model=model, pairs=pairs, mix=not a.no_mix, steps=a.steps, batch_size=a.batch_size,
                           max_length=a.max_length, qlora=a.qlora, eval_pairs=a.eval_pairs, rounds=a.rounds,
                           seed=a.seed, order_seed=a.order_seed)
    home = Path(os.environ.get("EVA_HOME", "~/.cache/eva")).expanduser()
    report = run_train_bench(cfg, home, progress=lambda m: print(m, file=sys.stderr, flush=True))
    text = json.dumps(report, indent=2, default=str)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    b, e = report["baseline"], report["eva"]
    print(f"\nbaseline {b['samples_per_second']:.4f} samples/s, eva {e['samples_per_second']:.4f} samples/s, "
          f"speedup {report['speedup']:.2f}x (per round {report['speedup_per_round']}); padding "
          f"{b['padding_fraction']:.1%} -> {e['padding_fraction']:.1%}; peak {b['peak_memory_mb']:.0f} -> "
          f"{e['peak_memory_mb']:.0f} MB ({b['memory_kind']}); held-out loss after {b['eval_loss_after']} vs "
          f"{e['eval_loss_after']}", file=sys.stderr)


def cmd_layouts(a) -> None:
    """CPU seconds of one forward + backward on one batch, for each way of computing the same loss."""
    import torch

    torch.set_num_threads(a.threads)
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM
    from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    from eva_cli.bench.train_bench import length_mix
    from eva_cli.models import load_tokenizer, resolve_model
    from eva_cli.train.fast_trainer import EvaORPOTrainer, SpeedOptions

    path = resolve_model(a.model, Path(os.environ.get("EVA_HOME", "~/.cache/eva")).expanduser())
    mix = length_mix(200, seed=0)
    rows = [mix[int(i)] for i in a.pairs.split(",")]
    data = Dataset.from_list([{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows])
    tok = load_tokenizer(path)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    args = ORPOConfig(output_dir="/tmp/eva-bench-layouts", per_device_train_batch_size=len(rows), max_length=1024,
                      report_to=[], bf16=False, use_cpu=True, disable_tqdm=True, seed=0)
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    plain = ORPOTrainer(model=model, args=args, train_dataset=data, processing_class=tok, peft_config=lora)
    batch = plain.data_collator([plain.train_dataset[i] for i in range(len(rows))])
    print(f"chosen lengths {batch['chosen_attention_mask'].sum(1).tolist()}, "
          f"rejected {batch['rejected_attention_mask'].sum(1).tolist()}", file=sys.stderr)

    def eva_variant(layout: str, pad: int | None):
        # the same model and LoRA weights, another way of computing the loss
        e = EvaORPOTrainer.__new__(EvaORPOTrainer)
        e.__dict__.update(plain.__dict__)
        e.speed, e._eva_layout, e._eva_pad_multiple, e._eva_liger, e._eva_tap = SpeedOptions(), layout, pad, None, None
        e.eva_token_counts = {"slots": 0, "real": 0}
        return e

    variants = {"trl": plain, "eva-concat": eva_variant("concat", None), "eva-split": eva_variant("split", None),
                "eva-shared": eva_variant("shared", None), "eva-shared-pad8": eva_variant("shared", 8)}
    names = a.variants.split(",") if a.variants else list(variants)
    results: dict[str, list] = {n: [] for n in names}
    for gc in ([False, True] if a.checkpointing == "both" else [a.checkpointing == "on"]):
        if gc:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        else:
            model.gradient_checkpointing_disable()
        plain.model.train()
        for rep in range(a.reps):
            for name in (names if rep % 2 == 0 else names[::-1]):  # interleaved: A B C, C B A, ...
                model.zero_grad()
                c0, w0 = time.process_time(), time.perf_counter()
                loss, _ = variants[name].get_batch_loss_metrics(plain.model, batch)
                loss.backward()
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                results[name].append({"checkpointing": gc, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                                      "loss": round(loss.item(), 6)})
                print(f"{name:16s} checkpointing={gc!s:5s} cpu {cpu:7.2f} s  wall {wall:7.2f} s  "
                      f"loss {loss.item():.6f}", file=sys.stderr, flush=True)
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {peak_mb:.0f} MB", file=sys.stderr)
    print(json.dumps({"threads": a.threads, "pairs": a.pairs, "peak_rss_mb": round(peak_mb), "results": results},
                     indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="eva bench train: both sides, interleaved rounds")
    r.add_argument("--model", default="embedded")
    r.add_argument("--workspace", type=Path, help="use WS/pairs/train.parquet as --pairs when present")
    r.add_argument("--pairs", type=Path)
    r.add_argument("--no-mix", action="store_true")
    r.add_argument("--steps", type=int, default=8)
    r.add_argument("--batch-size", type=int, default=4)
    r.add_argument("--max-length", type=int, default=1024)
    r.add_argument("--qlora", action="store_true")
    r.add_argument("--eval-pairs", type=int, default=8)
    r.add_argument("--rounds", type=int, default=1)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--order-seed", type=int, help="batch-order seed only (same pairs): run-to-run noise")
    r.add_argument("--random-llama3-8b", type=Path, help="build (if missing) and use a random Llama-3-8B here")
    r.add_argument("--tokenizer-from", type=Path, help="tokenizer folder for the random model (realistic lengths)")
    r.add_argument("--out", type=Path)
    r.set_defaults(func=cmd_run)
    lay = sub.add_parser("layouts", help="one batch, forward+backward CPU seconds per layout")
    lay.add_argument("--model", default="embedded")
    lay.add_argument("--pairs", default="0,1,2,3", help="indices into length_mix(200, seed=0)")
    lay.add_argument("--threads", type=int, default=1)
    lay.add_argument("--reps", type=int, default=2)
    lay.add_argument("--variants", help="comma list of trl,eva-concat,eva-split,eva-shared,eva-shared-pad8")
    lay.add_argument("--checkpointing", choices=("off", "on", "both"), default="off")
    lay.set_defaults(func=cmd_layouts)
    a = ap.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
