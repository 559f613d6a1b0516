"""How often a reply reaches the token limit (`--max-new-tokens`), on the embedded model or any --model.

    python benchmarks/bench_reply_length.py [--model embedded] [--samples 3] [--cap 384]
                                            [--limits 96,160,256,320] [--threads 1] [--json]

Each prompt of `eva bench serve` (original en/uk openers) goes through the local backend exactly as
the bot sends it (persona system prompt + the message), sampled with the bot's defaults
(temperature 0.7, top_p 0.9), `--samples` times with different seeds, with a generous `--cap` on new
tokens. A reply of n tokens that stopped by itself would have been cut at any limit L <= n, so one
run gives the hit rate at every limit below the cap, and, for the replies a limit cuts, what
`trim_to_sentence` makes of their first L tokens: how many end at a complete sentence (the rest end
with "…") and how much of the cut text it keeps. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def generate(model: str, samples: int, cap: int, home: Path):
    """[(language, new tokens, text)] of every reply (one that never stopped has `cap`), and the tokenizer."""
    import torch

    from eva_cli.backends.local import LocalBackend, LocalBackendConfig
    from eva_cli.bench.serve_bench import PROMPTS, messages_for
    from eva_cli.lang import detect_lang

    backend = LocalBackend.from_model(model, home, LocalBackendConfig(
        max_concurrency=len(PROMPTS), max_new_tokens=cap, timeout_s=7200, device="cpu"))
    rows = []
    try:
        for seed in range(samples):
            torch.manual_seed(seed)
            replies = await asyncio.gather(*(backend.generate_reply(messages_for(i)) for i in range(len(PROMPTS))))
            rows += [(detect_lang(p), r.tokens, r.text) for p, r in zip(PROMPTS, replies)]
    finally:
        await backend.aclose()
    return rows, backend.tokenizer


def at_limit(rows, tok, limit: int) -> dict:
    """What --max-new-tokens `limit` does to these replies."""
    from eva_cli.backends.trim import last_sentence_end, trim_to_sentence

    rate = {"all": round(sum(n >= limit for _, n, _ in rows) / len(rows), 3)}
    for lang in ("en", "uk"):
        mine = [n for la, n, _ in rows if la == lang]
        rate[lang] = round(sum(n >= limit for n in mine) / max(1, len(mine)), 3)
    sentence, kept = [], []
    for _, n, text in rows:
        if n < limit:
            continue
        # The reply as the limit would have cut it (re-encoding the decoded text gives its ids back).
        cut = tok.decode(tok(text, add_special_tokens=False)["input_ids"][:limit], skip_special_tokens=True).strip()
        sentence.append(last_sentence_end(cut) is not None)
        kept.append(len(trim_to_sentence(cut)) / max(1, len(cut)))
    rate["cut_ending_at_a_sentence"] = round(sum(sentence) / max(1, len(sentence)), 3)
    rate["cut_chars_kept"] = round(sum(kept) / max(1, len(kept)), 3)
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--cap", type=int, default=384)
    ap.add_argument("--limits", default="96,160,256,320")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import torch

    from eva_cli.settings import load_settings

    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    rows, tok = asyncio.run(generate(args.model, args.samples, args.cap, load_settings().home_dir))
    lengths = sorted(n for _, n, _ in rows)
    summary = {"model": args.model, "replies": len(rows), "cap": args.cap, "seconds": time.perf_counter() - started,
               "never_stopped": sum(n >= args.cap for n in lengths), "median_tokens": lengths[len(lengths) // 2],
               "limits": {int(v): at_limit(rows, tok, int(v)) for v in args.limits.split(",") if int(v) <= args.cap}}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{summary['replies']} replies of {args.model} in {summary['seconds']:.0f} s; median {summary['median_tokens']} "
          f"new tokens; {summary['never_stopped']} never stopped within {args.cap}")
    for limit, r in summary["limits"].items():
        print(f"  --max-new-tokens {limit}: limit reached by {r['all']:.0%} (en {r['en']:.0%}, uk {r['uk']:.0%}); "
              f"trimmed, {r['cut_ending_at_a_sentence']:.0%} of those end at a complete sentence, "
              f"keeping {r['cut_chars_kept']:.0%} of the cut text")


if __name__ == "__main__":
    main()
