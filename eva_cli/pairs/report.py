"""pairs/report.json and the printed summary: counts, lengths and the shortcut check.

A preference model can learn "shorter reply = worse" instead of "colder reply = worse". The
report gives chosen vs rejected length (words: median, p90) and the share of pairs whose
rejected reply is shorter, overall and per strategy, so the shortcut is visible. The words of a
reply are another shortcut: `shortcut.py` scores how well a bag-of-words classifier tells chosen from
rejected without the prompt. `chosen_rank` counts pairs by the score rank of their chosen reply
among the answers to its prompt (1 = best; see `base.ChosenQuality`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

SHORTCUT_BAND = (0.35, 0.65)


def _percentile(values: list[int], q: float) -> float:
    if not values:
        return 0.0
    import numpy as np

    return round(float(np.percentile(np.asarray(values), q)), 1)


def length_stats(chosen: list[int], rejected: list[int]) -> dict[str, Any]:
    n = len(chosen)
    shorter = sum(map(int.__lt__, rejected, chosen))
    return {
        "pairs": n,
        "chosen_words": {"median": _percentile(chosen, 50), "p90": _percentile(chosen, 90)},
        "rejected_words": {"median": _percentile(rejected, 50), "p90": _percentile(rejected, 90)},
        "rejected_shorter_share": round(shorter / n, 4) if n else None,
    }


def chosen_rank_labels(pairs: list, examples, quality) -> list[str]:
    """For each pair, the score rank of its chosen reply ('1', '2', ... or 'unscored'): the rank of the
    example it came from when the chosen reply is that example's reply, else 'unscored' (bot feedback)."""
    from eva_cli.pairs.base import UNSCORED

    index = {eid: i for i, eid in enumerate(examples.ids)}
    out = []
    for p in pairs:
        i = index.get(p.example_id)
        out.append(quality.label(i) if i is not None and examples.responses[i].strip() == p.chosen else UNSCORED)
    return out


def _rank_counts(labels: list[str]) -> dict[str, int]:
    counts = Counter(labels)
    return dict(sorted(counts.items(), key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0)))


def build_report(pairs: list, chosen_words: list[int], rejected_words: list[int], *, examples: int,
                 strategies: dict[str, dict], dropped: dict[str, int], options: dict[str, Any],
                 chosen_ranks: list[str] | None = None, seed: int = 42) -> dict[str, Any]:
    """pairs: the final `Pair`s; *_words: the reply lengths and chosen_ranks the chosen reply's score
    rank, in the same order."""
    from eva_cli.pairs.shortcut import measure
    by = {key: Counter(getattr(p, key) for p in pairs) for key in ("strategy", "source", "lang")}
    n_eval = sum(1 for p in pairs if p.split == "eval")
    index: dict[str, list[int]] = {name: [] for name in strategies}
    for k, p in enumerate(pairs):
        index.setdefault(p.strategy, []).append(k)
    per_strategy = {name: length_stats([chosen_words[k] for k in idx], [rejected_words[k] for k in idx])
                    for name, idx in index.items()}
    overall = length_stats(chosen_words, rejected_words)
    share = overall["rejected_shorter_share"]
    ranks = chosen_ranks or ["unscored"] * len(pairs)
    words = measure(pairs, seed) if pairs else {}
    return {
        "examples": examples,
        "pairs": {"total": len(pairs), "train": len(pairs) - n_eval, "eval": n_eval},
        "by_strategy": dict(sorted(by["strategy"].items())),
        "by_source": dict(sorted(by["source"].items())),
        "by_lang": dict(sorted(by["lang"].items())),
        "strategies": strategies,
        "lengths": {"unit": "words", **overall, "by_strategy": per_strategy},
        "chosen_rank": {
            "all": _rank_counts(ranks),
            "by_strategy": {name: _rank_counts([ranks[k] for k in idx]) for name, idx in index.items()},
        },
        "shortcut": {
            "rejected_shorter_share": share,
            "band": list(SHORTCUT_BAND),
            "balanced": share is not None and SHORTCUT_BAND[0] <= share <= SHORTCUT_BAND[1],
            "words": words,
        },
        "dropped": dropped,
        "options": options,
    }


def render_summary(report: dict[str, Any], console, *, seconds: float | None = None) -> None:
    """The printed summary: what was built, what was empty, and the length shortcut."""
    from rich.table import Table

    pairs = report["pairs"]
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    console.print(f"[bold]{pairs['total']}[/] pairs from {report['examples']} examples{took}: "
                  f"{pairs['train']} train, {pairs['eval']} eval")

    table = Table(title="pairs by strategy", title_justify="left")
    for col in ("strategy", "pairs", "chosen words (median / p90)", "rejected words (median / p90)", "rejected shorter",
                "words shortcut"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    lengths = report["lengths"]
    words = report["shortcut"].get("words") or {}
    by_words = words.get("by_strategy", {})
    for name, info in report["strategies"].items():
        st = lengths["by_strategy"].get(name, {})
        if info["pairs"]:
            table.add_row(name, str(info["pairs"]), _mp(st["chosen_words"]), _mp(st["rejected_words"]),
                          _pct(st["rejected_shorter_share"]), _acc(by_words.get(name)))
        else:
            table.add_row(name, "0", "-", "-", "-", "-", style="yellow")
    table.add_row("all", str(pairs["total"]), _mp(lengths["chosen_words"]), _mp(lengths["rejected_words"]),
                  _pct(lengths["rejected_shorter_share"]), _acc(words.get("accuracy")), style="bold")
    console.print(table)
    if words:
        overlap = words["topic_overlap"]
        console.print(f"words shortcut: {words['model']} (0.5 = none); topic overlap with the user's message "
                      f"chosen {overlap['chosen']:.2f} / rejected {overlap['rejected']:.2f}; rejected replies in "
                      f"the prompt's language {_pct(words['rejected_same_language_share'])}", highlight=False)
        kinds = {k: v for k, v in (words.get("by_rewrite_kind") or {}).items() if v is not None}
        if kinds:
            console.print("rewrite kinds: " + ", ".join(f"{k} {_acc(v)}" for k, v in kinds.items()), highlight=False)
        if words.get("trivial_kinds"):
            console.print(f"[yellow]trivially separable (>= {words['threshold']}):[/] {', '.join(words['trivial_kinds'])}")
    console.print("chosen reply's score rank: " + _counts(report["chosen_rank"]["all"]), highlight=False)

    for name, info in report["strategies"].items():
        if not info["pairs"]:
            console.print(f"[yellow]{name}: no pairs[/] - {info.get('note', 'nothing to pair')}")
    console.print("by language: " + _counts(report["by_lang"]))
    console.print("by source: " + _counts(report["by_source"]))
    dropped = {k: v for k, v in report["dropped"].items() if v}
    if dropped:
        console.print("dropped: " + _counts(dropped))
    model = report["strategies"].get("model", {}).get("model")
    if model:
        s = model.get("sampling", {})
        console.print(f"model strategy: {model.get('model')} ({model.get('model_path')}), "
                      f"temperature {s.get('temperature')}, max_new_tokens {s.get('max_new_tokens')}, seed {s.get('seed')}")
    short = report["shortcut"]
    if short["rejected_shorter_share"] is not None and not short["balanced"]:
        console.print(f"[yellow]length shortcut:[/] the rejected reply is shorter in "
                      f"{_pct(short['rejected_shorter_share'])} of pairs; `--length-match` rebalances it.")
    if pairs["eval"] == 0:
        console.print("[yellow]no eval pairs:[/] the examples have no eval split that produced pairs.")


def _acc(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _mp(d: dict) -> str:
    return f"{d['median']:.0f} / {d['p90']:.0f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _counts(counter: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.items()) or "-"
