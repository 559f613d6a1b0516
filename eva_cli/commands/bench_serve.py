"""`eva bench serve`: micro-batched vs sequential generation throughput and latency (local backend)."""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(bench: typer.Typer) -> None:
    @bench.command("serve", help="Micro-batched vs sequential generation with the local backend: replies/s, "
                                 "tokens/s, p50/p95 latency at each concurrency.")
    def _cmd(
        ctx: typer.Context,
        concurrency: str = typer.Option("1,4,8", "--concurrency", help="Comma-separated levels; 1 (sequential) is always included."),
        requests: int = typer.Option(32, "--requests", help="Requests per concurrency level."),
        max_new_tokens: int = typer.Option(48, "--max-new-tokens", help="New tokens per reply (greedy decoding)."),
        model: Optional[str] = typer.Option(None, "--model", help="embedded (default), a model folder, or a cached HF id."),
        temperature: float = typer.Option(0.0, "--temperature", help="0 = greedy: identical work at every level."),
        device: Optional[str] = typer.Option(None, "--device", help="cpu or cuda \\[default: cuda when available]."),
        threads: Optional[int] = typer.Option(None, "--threads", help="torch CPU threads \\[default: one per core]; 1 is steadier on a busy machine."),
        prefix_cache: bool = typer.Option(True, "--prefix-cache/--no-prefix-cache", help="Reuse the system prompt's KV cache across requests."),
        rate: Optional[float] = typer.Option(None, "--rate", help="Open loop: requests arrive at this mean rate per second "
                                             "(Poisson, same schedule at every level); latency counts from arrival."),
        as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    ) -> None:
        from eva_cli.bench.serve_bench import ServeBenchConfig, parse_concurrency, run_serve_bench
        from eva_cli.state import get_state

        st = get_state(ctx)
        cfg = ServeBenchConfig(model=model, concurrency=parse_concurrency(concurrency), requests=requests,
                               max_new_tokens=max_new_tokens, temperature=temperature, device=device,
                               threads=threads, prefix_cache=prefix_cache, rate=rate)
        progress = None if (as_json or st.quiet) else (lambda m: st.err.print(f"[dim]{m}[/]"))
        result = run_serve_bench(cfg, st.home, progress=progress)
        if as_json:
            print(json.dumps(result, indent=2))
            return
        _print_table(st.console, result)


def _print_table(console, result: dict) -> None:
    from rich.table import Table

    table = Table(title=f"eva bench serve: {result['model']} on {result['device']} ({result['torch_threads']} threads), "
                        f"{result['requests']} requests x {result['max_new_tokens']} new tokens, "
                        f"prefix cache {'on' if result['prefix_cache'] else 'off'}, {result['mode']}")
    for col in ("concurrency", "replies/s", "tokens/s", "p50 s", "p95 s", "mean batch", "speedup", "p95 vs seq"):
        table.add_column(col, justify="right")
    for lv in result["levels"]:
        table.add_row(str(lv["concurrency"]), f"{lv['replies_per_s']:.2f}", f"{lv['tokens_per_s']:.1f}",
                      f"{lv['p50_s']:.2f}", f"{lv['p95_s']:.2f}", f"{lv['mean_batch']:.1f}",
                      f"{lv['speedup']:.2f}x", f"{lv['p95_ratio']:.2f}x")
    console.print(table)
    t = result["target"]
    if t is None:  # open loop: the targets are defined on the closed loop
        return
    verdict = "[green]met[/]" if t["met"] else "[yellow]missed[/]"
    console.print(f"target at concurrency {t['concurrency']}: throughput >= {t['speedup_target']:g}x sequential "
                  f"(got {t['speedup']:.2f}x), p95 <= {t['p95_ratio_target']:g}x sequential (got {t['p95_ratio']:.2f}x): "
                  f"{verdict}", highlight=False)
