"""Benchmark: `eva eval` reward-margin scoring throughput, and what length-sorted batching saves.

    .venv/bin/python benchmarks/bench_eval.py [--model embedded|tiny|llama3-8b|PATH] [--pairs 64]
                                              [--batch-sizes 1,4,8] [--device auto] [--json]

`llama3-8b` is a randomly initialised model of the Meta-Llama-3-8B shape, built in GPU memory (no download),
with the tiny test tokenizer: for speed and memory on a GPU only.

Pairs are synthetic (original phrases), with replies of mixed length as in real corpora. For each batch size
(pairs per pass) it scores every pair twice: as the runner does (chosen and rejected sequences sorted by length,
longest first) and as TRL's concatenated batch does (each pair's chosen + rejected padded together, file order).
It reports pairs/s and the share of padding tokens in the forward passes.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OPEN = ["I can't sleep because of", "I feel anxious about", "Lately I feel lonely and", "I'm exhausted by",
        "Мені постійно тривожно через", "Я дуже втомилася від"]
TOPIC = ["work", "my exams", "money", "the move", "my family", "навчання", "гроші", "переїзд"]
GOOD = ["It sounds like this has been weighing on you.", "That must be hard to carry.",
        "What happens in your body when you think about it?", "You deserve support with this.",
        "Схоже, це дуже тебе виснажує.", "Що ти відчуваєш, коли думаєш про це?"]
BAD = ["Just stop thinking about it.", "Everyone has problems.", "Go to sleep earlier.", "Це не проблема."]


def synth_pairs(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        user = f"{rng.choice(OPEN)} {rng.choice(TOPIC)} ({i})."
        rows.append({
            "prompt": [{"role": "user", "content": user}],
            "chosen": [{"role": "assistant", "content": " ".join(rng.choice(GOOD) for _ in range(rng.randint(1, 14)))}],
            "rejected": [{"role": "assistant", "content": " ".join(rng.choice(BAD) for _ in range(rng.randint(1, 6)))}],
        })
    return rows


def _padding_share(batches) -> float:
    real = sum(len(q.ids) for b in batches for q in b)
    total = sum(len(b) * max(len(q.ids) for q in b) for b in batches)
    return 1 - real / total


def _trl_style(tokens, batch_size: int):
    """TRL's concatenated batches: the chosen then the rejected sides of consecutive pairs, one padded tensor."""
    from eva_cli.evaluate import margins as M

    out = []
    for i in range(0, len(tokens), batch_size):
        chunk = M.sides(tokens[i:i + batch_size])
        out.append([q for q in chunk if not q.rejected] + [q for q in chunk if q.rejected])
    return out


def _random_8b(device: str, dtype):
    """A random Llama-3-8B-shaped model built directly on `device`, and the tiny tokenizer."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from eva_cli.models import prepare_tokenizer
    from eva_cli.random_model import SHAPES, build_tokenizer

    tok = prepare_tokenizer(build_tokenizer())
    cfg = LlamaConfig(**SHAPES["llama3-8b"], bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    with torch.device("meta"):
        model = LlamaForCausalLM(cfg)
    model = model.to_empty(device=device).to(dtype)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)
    return model.eval(), tok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--pairs", type=int, default=64)
    ap.add_argument("--batch-sizes", default="1,4,8")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch

    from eva_cli.evaluate import margins as M
    from eva_cli.models import best_device, load_causal_lm, load_tokenizer, resolve_model
    from eva_cli.settings import load_settings

    device = best_device() if args.device == "auto" else args.device
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    if args.model == "llama3-8b":
        model, tok = _random_8b(device, dtype)
    else:
        if args.model == "tiny":
            from eva_cli.random_model import build_random_llama

            path = str(build_random_llama(tempfile.mkdtemp(prefix="eva-bench-")))
        else:
            path = resolve_model(args.model, load_settings().home_dir)
        model = load_causal_lm(path, dtype=dtype, device=device).eval()
        tok = load_tokenizer(path)
    tokens = M.tokenize_pairs(tok, synth_pairs(args.pairs), max_length=1024)
    M.score_pairs(model, tokens, tok.pad_token_id, 1)  # warm-up over every length (kernel selection, caches)

    results = []
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        for order in ("sorted sides", "TRL pairs"):
            batches = (M.length_batches(M.sides(tokens), 2 * bs) if order == "sorted sides"
                       else _trl_style(tokens, bs))
            if device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            for b in batches:
                M.score_batch(model, b, tok.pad_token_id)
            if device == "cuda":
                torch.cuda.synchronize()
            secs = time.perf_counter() - t0
            results.append({"batch_size": bs, "order": order, "pairs_per_s": round(len(tokens) / secs, 2),
                            "seconds": round(secs, 2), "padding_share": round(_padding_share(batches), 3)})
    info = {"model": args.model, "device": device, "dtype": str(dtype).removeprefix("torch."), "pairs": len(tokens),
            "mean_tokens_per_pair": round(sum(len(t.chosen_ids) + len(t.rejected_ids) for t in tokens) / len(tokens), 1),
            "threads": torch.get_num_threads(), "machine": platform.processor() or platform.machine(),
            "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
            "peak_gpu_mem_gb": round(torch.cuda.max_memory_allocated() / 2**30, 1) if device == "cuda" else None,
            "results": results}
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"{info['model']} on {device} ({info['gpu'] or str(info['threads']) + ' threads'}), {info['pairs']} pairs, "
          f"{info['mean_tokens_per_pair']} tokens per pair (chosen + rejected)")
    for r in results:
        print(f"  batch {r['batch_size']:>2} {r['order']:<13} {r['pairs_per_s']:>8.2f} pairs/s  "
              f"padding {r['padding_share']:.0%}  ({r['seconds']} s)")


if __name__ == "__main__":
    main()
