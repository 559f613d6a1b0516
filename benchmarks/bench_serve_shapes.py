"""Serving benchmark on randomly initialised models of real shapes (no download, any hardware).

    python benchmarks/bench_serve_shapes.py [--shape smollm2-135m|llama3-8b] [--device cpu|cuda]
                                            [--threads N] [--concurrency 1,8,32] [--requests 64]
                                            [--max-new-tokens 64] [--json]

The same closed-loop measurement as `eva bench serve` (eva_cli/bench/serve_bench.py): C clients
through one LocalBackend(max_concurrency=C), C=1 being sequential. Weights are random, so replies
are noise, almost never stop early (every reply runs to --max-new-tokens) and cost exactly what
the real model of that shape costs per token. Use it where the embedded model is not at hand
(a GPU box) or to size a deployment for Llama-3-8B. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHAPES = {
    # SmolLM2-135M-Instruct, the embedded model (config.json of the converted GGUF).
    "smollm2-135m": dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                         num_key_value_heads=3, vocab_size=49152, max_position_embeddings=8192,
                         tie_word_embeddings=True, rms_norm_eps=1e-5),
    # Meta-Llama-3-8B.
    "llama3-8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                      num_key_value_heads=8, vocab_size=128256, max_position_embeddings=8192,
                      tie_word_embeddings=False, rms_norm_eps=1e-5),
}


def random_model(shape: str, device: str):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from eva_cli.random_model import build_tokenizer

    tok = build_tokenizer()
    params = dict(SHAPES[shape])
    cfg = LlamaConfig(**params, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    torch.manual_seed(0)
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):  # initialised in place: no float32 copy of an 8B model on the CPU
            model = LlamaForCausalLM(cfg)
    finally:
        torch.set_default_dtype(torch.float32)
    model.eval()
    return model, tok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="smollm2-135m")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--requests", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch

    from eva_cli.bench.serve_bench import ServeBenchConfig, measure_level, parse_concurrency

    if args.threads:
        torch.set_num_threads(args.threads)
    model, tok = random_model(args.shape, args.device)
    cfg = ServeBenchConfig(concurrency=parse_concurrency(args.concurrency), requests=args.requests,
                           max_new_tokens=args.max_new_tokens, temperature=0.0, device=args.device)
    levels = []
    for c in cfg.concurrency:
        r = asyncio.run(measure_level(model, tok, cfg, c))
        levels.append(r)
        print(f"c={c}: {r.replies_per_s:.2f} replies/s, {r.tokens_per_s:.0f} tok/s, p50 {r.p50_s:.2f} s, "
              f"p95 {r.p95_s:.2f} s, batch {r.mean_batch:.1f}", file=sys.stderr, flush=True)
    base = levels[0]
    out = {"shape": args.shape, "device": args.device,
           "gpu": torch.cuda.get_device_name() if args.device.startswith("cuda") else None,
           "torch_threads": torch.get_num_threads(), "requests": args.requests,
           "max_new_tokens": args.max_new_tokens,
           "levels": [{"concurrency": r.concurrency, "replies_per_s": round(r.replies_per_s, 3),
                       "tokens_per_s": round(r.tokens_per_s, 1), "p50_s": round(r.p50_s, 3),
                       "p95_s": round(r.p95_s, 3), "mean_batch": round(r.mean_batch, 2),
                       "speedup": round(r.replies_per_s / base.replies_per_s, 2),
                       "p95_ratio": round(r.p95_s / base.p95_s, 2)} for r in levels]}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for lv in out["levels"]:
            print(lv)


if __name__ == "__main__":
    main()
