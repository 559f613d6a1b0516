"""`eva build-pairs`: examples.parquet -> pairs/{train,eval}.parquet + pairs/report.json.

Each strategy yields `Pair`s; this module then, once for all of them:
1. drops pairs whose chosen and rejected are the same text, and duplicates;
2. drops train pairs whose prompt equals an eval prompt (leakage);
3. with --length-match, trims the majority side so that 35-65% of rejected replies are shorter;
4. adds the persona system message, hashes ids, sorts, and writes all three files atomically.
"""

from __future__ import annotations

import random
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from eva_cli.errors import EvaError, InputError, MissingArtifactError
from eva_cli.pairs.base import (CHOSEN_MARGIN, ChosenQuality, ExampleSet, Pair, Strategy, StrategyContext, norm_text,
                                stable_hash, word_count)
from eva_cli.pairs.report import SHORTCUT_BAND, build_report, chosen_rank_labels
from eva_cli.workspace import Workspace

STRATEGY_NAMES = ("ranked", "rewrite", "mismatch", "model", "feedback", "expert")
DEFAULT_STRATEGIES = ("ranked", "rewrite", "mismatch")
REQUIRED_COLUMNS = ("id", "source", "group", "messages", "response", "rejected", "score", "lang", "split")
REAL_STRATEGIES = frozenset({"ranked", "feedback", "expert"})  # human preference: trimmed last by --length-match
TRIM_TARGET = (0.4, 0.6)  # --length-match trims to this share, safely inside SHORTCUT_BAND

if TYPE_CHECKING:
    import pyarrow as pa

Progress = Callable[[str, int, int], None]


@dataclass
class BuildOptions:
    strategies: tuple[str, ...] = field(default=DEFAULT_STRATEGIES, metadata={"help": "strategies to run, in order"})
    weights: dict[str, float] = field(default_factory=dict, metadata={"help": "per strategy: pairs per example x weight"})
    pairs_per_example: int = field(default=1, metadata={"help": "pairs each strategy makes from one example"})
    system_prompt: str | None = field(default=None, metadata={"help": "custom system message (default: Eva's persona)"})
    use_system_prompt: bool = field(default=True, metadata={"help": "False: prompts carry no system message"})
    length_match: bool = field(default=False, metadata={"help": "rebalance so rejected is not systematically shorter"})
    seed: int = field(default=42, metadata={"help": "same seed, same bytes"})
    feedback: bool = field(default=False, metadata={"help": "add pairs from the bot's feedback store"})
    model: str = field(default="embedded", metadata={"help": "model strategy: which model writes rejected replies"})
    model_batch_size: int = field(default=8, metadata={"help": "model strategy: batch size"})
    model_max_new_tokens: int = field(default=96, metadata={"help": "model strategy: tokens per reply"})
    model_limit: int = field(default=0, metadata={"help": "model strategy: at most this many examples (0 = all)"})
    home: Path = field(default=Path("~/.cache/eva"), metadata={"help": "EVA_HOME, where the embedded model lives"})
    data_key: str | None = field(default=None, metadata={"help": "EVA_DATA_KEY, to read the bot store"})
    retention_days: int = field(default=30, metadata={"help": "EVA_RETENTION_DAYS: the bot store applies it on open"})
    store: str | None = field(default=None, metadata={
        "help": "--store / EVA_STORE_URL: the bot store to read feedback from (default workspace/bot/eva.sqlite)"})
    chosen_margin: float = field(default=CHOSEN_MARGIN, metadata={
        "help": "a scored reply may be chosen when score >= top - margin * max(|top|, 1) among its prompt's answers"})
    require_score: bool = field(default=False, metadata={"help": "replies with no score are never chosen"})
    review: str | None = field(default=None, metadata={"help": "expert strategy: the review (workspace/review/NAME)"})

    def __post_init__(self) -> None:
        self.strategies = tuple(self.strategies)
        if self.feedback and "feedback" not in self.strategies:
            self.strategies = (*self.strategies, "feedback")
        if self.review and "expert" not in self.strategies:
            self.strategies = (*self.strategies, "expert")
        if "expert" in self.strategies and not self.review:
            raise InputError("--strategies expert needs --review NAME (a review under workspace/review).")
        unknown = [s for s in self.strategies if s not in STRATEGY_NAMES]
        if unknown:
            raise InputError(f"--strategies: unknown strategy {unknown[0]!r}.", f"Valid names: {', '.join(STRATEGY_NAMES)}.")
        if not self.strategies:
            raise InputError("--strategies: name at least one strategy.", f"Valid names: {', '.join(STRATEGY_NAMES)}.")
        if len(set(self.strategies)) != len(self.strategies):
            raise InputError(f"--strategies: {','.join(self.strategies)} names a strategy twice.")
        if "feedback" in self.strategies:
            self.feedback = True
        for name, w in self.weights.items():
            if name not in self.strategies:
                raise InputError(f"--weights: {name!r} is not among --strategies ({','.join(self.strategies)}).")
            if not w >= 0 or w == float("inf"):
                raise InputError(f"--weights: the weight of {name} must be a finite number >= 0 (got {w}).")
        if not 0 <= self.chosen_margin < float("inf"):
            raise InputError(f"--chosen-margin must be a number >= 0 (got {self.chosen_margin}).",
                             "0 keeps only the top-scored answers; 0.1 (the default) also those within 10% of the top.")
        if self.pairs_per_example < 1:
            raise InputError(f"--pairs-per-example must be at least 1 (got {self.pairs_per_example}).")
        if self.system_prompt is not None and not self.system_prompt.strip():
            raise InputError("--system-prompt is empty.", "Give a text, or use --no-system-prompt to drop it.")
        if self.system_prompt is not None and not self.use_system_prompt:
            raise InputError("--system-prompt and --no-system-prompt contradict each other; use one.")
        self.home = Path(self.home).expanduser()

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 1.0))

    def describe(self) -> dict[str, Any]:
        mode = "none" if not self.use_system_prompt else ("custom" if self.system_prompt else "persona")
        out = {
            "strategies": list(self.strategies), "weights": {s: self.weight(s) for s in self.strategies},
            "pairs_per_example": self.pairs_per_example, "system_prompt": mode, "length_match": self.length_match,
            "seed": self.seed, "chosen_margin": self.chosen_margin, "require_score": self.require_score,
        }
        if mode == "custom":
            out["system_prompt_text"] = self.system_prompt
        return out


@dataclass
class PairsResult:
    train_path: Path
    eval_path: Path
    report_path: Path
    report: dict[str, Any]
    seconds: float

    @property
    def n_train(self) -> int:
        return self.report["pairs"]["train"]

    @property
    def n_eval(self) -> int:
        return self.report["pairs"]["eval"]


def parse_strategies(text: str | None) -> tuple[str, ...]:
    """'ranked, rewrite' -> ('ranked', 'rewrite'); unknown names raise InputError listing the valid ones."""
    if text is None:
        return DEFAULT_STRATEGIES
    names = tuple(s.strip().lower() for s in text.split(",") if s.strip())
    for name in names:
        if name not in STRATEGY_NAMES:
            raise InputError(f"--strategies: unknown strategy {name!r}.", f"Valid names: {', '.join(STRATEGY_NAMES)}.")
    if not names:
        raise InputError("--strategies is empty.", f"Valid names: {', '.join(STRATEGY_NAMES)}.")
    return names


def parse_weights(text: str | None, strategies: tuple[str, ...]) -> dict[str, float]:
    """'rewrite=2,mismatch=0.5' or '1,2,0.5' (one per strategy, in order) -> {name: weight}."""
    if text is None or not text.strip():
        return {}
    items = [s.strip() for s in text.split(",")]
    usage = "Use NAME=NUMBER pairs such as rewrite=2,mismatch=0.5, or one number per --strategies entry."
    named = all("=" in s for s in items)
    if not named and any("=" in s for s in items):
        raise InputError(f"--weights: {text!r} mixes NAME=NUMBER and plain numbers.", usage)
    if not named and len(items) != len(strategies):
        raise InputError(f"--weights: {len(items)} numbers for {len(strategies)} strategies ({','.join(strategies)}).", usage)
    out: dict[str, float] = {}
    for pos, item in enumerate(items):
        name, _, value = item.partition("=") if named else (strategies[pos], "=", item)
        name = name.strip().lower()
        if name not in STRATEGY_NAMES:
            raise InputError(f"--weights: unknown strategy {name!r}.", f"Valid names: {', '.join(STRATEGY_NAMES)}.")
        try:
            weight = float(value)
        except ValueError:
            raise InputError(f"--weights: {value.strip()!r} (for {name}) is not a number.", usage) from None
        if not weight >= 0 or weight == float("inf"):
            raise InputError(f"--weights: the weight of {name} must be a finite number >= 0 (got {value.strip()}).", usage)
        if name in out:
            raise InputError(f"--weights: {name} is given twice.", usage)
        out[name] = weight
    return out


def load_examples(ws: Workspace) -> ExampleSet:
    """examples.parquet, checked: present, readable, with the columns and at least one row."""
    from eva_cli.schema import read_table

    path = ws.examples
    if not path.is_file() or path.stat().st_size == 0:
        raise MissingArtifactError(f"{path} is missing or empty.", "Run `eva ingest PATH...` first.")
    try:
        table = read_table(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(f"{path} is not a readable parquet file ({type(exc).__name__}).",
                         "Run `eva ingest PATH...` again to rebuild it.") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(f"{path} lacks the columns {', '.join(missing)}.", "Run `eva ingest PATH...` again to rebuild it.")
    if table.num_rows == 0:
        raise MissingArtifactError(f"{path} has no examples.", "Run `eva ingest PATH...` on a corpus that has data.")
    if "format" not in table.column_names:
        import pyarrow as pa

        table = table.append_column("format", pa.array([""] * table.num_rows, pa.string()))
    return ExampleSet.from_table(table)


def make_strategy(name: str, options: BuildOptions, ws: Workspace, progress: Progress | None,
                  feedback_rows: list[dict] | None = None) -> Strategy:
    if name == "ranked":
        from eva_cli.pairs.ranked import RankedStrategy

        return RankedStrategy()
    if name == "rewrite":
        from eva_cli.pairs.rewrite import RewriteStrategy

        return RewriteStrategy()
    if name == "mismatch":
        from eva_cli.pairs.mismatch import MismatchStrategy

        return MismatchStrategy()
    if name == "model":
        from eva_cli.pairs.model import ModelStrategy, ModelStrategyConfig

        config = ModelStrategyConfig(model=options.model, batch_size=options.model_batch_size,
                                     max_new_tokens=options.model_max_new_tokens, limit=options.model_limit)
        return ModelStrategy(config, options.home, seed=options.seed, progress=progress)
    if name == "feedback":
        from eva_cli.pairs.feedback import FeedbackStrategy, load_feedback_rows

        if feedback_rows is not None:
            return FeedbackStrategy(feedback_rows, origin="rows given by the caller")
        rows, origin = load_feedback_rows(options.store or ws.bot_db, options.data_key, options.retention_days)
        return FeedbackStrategy(rows, origin=origin)
    if name == "expert":
        from eva_cli.review.pairs import ExpertStrategy
        from eva_cli.review.tasks import resolve_review

        return ExpertStrategy(resolve_review(ws, options.review, "--review"))
    raise InputError(f"--strategies: unknown strategy {name!r}.", f"Valid names: {', '.join(STRATEGY_NAMES)}.")


def strategy_rng(seed: int, name: str):
    """Each strategy draws from its own stream, so adding one does not change the others' pairs."""
    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def build_pairs(options: BuildOptions, workspace: Workspace, progress: Progress | None = None,
                feedback_rows: list[dict] | None = None) -> PairsResult:
    """Build and write the pairs; return the paths and the report. Nothing is written on failure."""
    start = time.perf_counter()
    examples = load_examples(workspace)
    quality = ChosenQuality.of(examples, options.chosen_margin, options.require_score)
    pairs: list[Pair] = []
    summaries: dict[str, dict] = {}
    for name in options.strategies:
        strategy = make_strategy(name, options, workspace, progress, feedback_rows)
        ctx = StrategyContext(rng=strategy_rng(options.seed, name), pairs_per_example=options.pairs_per_example,
                              weight=options.weight(name), length_match=options.length_match, quality=quality)
        if progress:
            progress(name, 0, 1)
        made = list(strategy.pairs(examples, ctx)) if ctx.weight > 0 else []
        if progress:
            progress(name, 1, 1)
        pairs.extend(made)
        summaries[name] = _strategy_summary(strategy, made, ctx.weight)

    kept, dropped = _clean(pairs, examples)
    if options.length_match:
        kept, dropped["length_match"] = _balance_lengths(kept, options.seed)
    for name, summary in summaries.items():
        summary["pairs"] = sum(1 for p in kept if p.strategy == name)
    if not kept and pairs:
        why = ", ".join(f"{k} {v}" for k, v in dropped.items() if v)
        raise EvaError(f"all {len(pairs)} pairs built from {workspace.examples} were dropped ({why}).",
                       "Check the examples" + (", or run without --length-match." if dropped.get("length_match") else "."))
    if not kept:
        empty = "; ".join(f"{n}: {s.get('note', 'no pairs')}" for n, s in summaries.items())
        raise EvaError(f"no pairs were built from {workspace.examples} ({empty}).",
                       "Check the examples, or add strategies with --strategies.")

    kept.sort(key=lambda p: (p.split == "eval", p.id))
    words = _WordCounter()
    chosen_words = [words(p.chosen) for p in kept]
    rejected_words = [words(p.rejected) for p in kept]
    report = build_report(kept, chosen_words, rejected_words, examples=len(examples), strategies=summaries,
                          dropped=dropped, options=options.describe(),
                          chosen_ranks=chosen_rank_labels(kept, examples, quality), seed=options.seed)
    n_train = sum(1 for p in kept if p.split != "eval")
    _write(workspace, _table(kept[:n_train], options), _table(kept[n_train:], options), report)
    return PairsResult(workspace.pairs("train"), workspace.pairs("eval"), workspace.pairs_report, report,
                       time.perf_counter() - start)


def _strategy_summary(strategy: Strategy, made: list[Pair], weight: float) -> dict[str, Any]:
    stats = dict(getattr(strategy, "stats", {}) or {})
    kinds = stats.pop("kinds", None)
    summary: dict[str, Any] = {"pairs": 0, "made": len(made), "weight": weight}
    if kinds:
        summary["kinds"] = dict(sorted(kinds.items()))
    if stats:
        summary["stats"] = stats
    info = getattr(strategy, "info", None)
    if info:
        summary["model"] = info
    if not made:
        summary["note"] = "weight 0" if weight == 0 else getattr(strategy, "note_when_empty", "nothing to pair")
    return summary


def _clean(pairs: list[Pair], examples: ExampleSet) -> tuple[list[Pair], dict[str, int]]:
    """Drop same-text pairs, duplicates, and train pairs whose prompt is an eval prompt."""
    dropped = {"identical": 0, "duplicate": 0, "eval_prompt_in_train": 0}
    memo: dict[str, str] = {}

    def norm(text: str) -> str:
        out = memo.get(text)
        if out is None:
            out = memo[text] = norm_text(text)
        return out

    eval_keys = {k for k, s in zip(examples.prompt_keys, examples.splits) if s == "eval"}
    eval_keys.update(p.prompt_key for p in pairs if p.split == "eval")
    seen: set[tuple[str, str, str]] = set()
    kept: list[Pair] = []
    for p in pairs:
        p.chosen, p.rejected = p.chosen.strip(), p.rejected.strip()
        # same words, ignoring case and punctuation; the first word decides most pairs without normalizing
        c_first, r_first = _first_word(p.chosen), _first_word(p.rejected)
        if not c_first or not r_first or (c_first == r_first and norm(p.chosen) == norm(p.rejected)):
            dropped["identical"] += 1
            continue
        key = (p.prompt_key, p.chosen, p.rejected)
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        if p.split != "eval" and p.prompt_key in eval_keys:
            dropped["eval_prompt_in_train"] += 1
            continue
        p.id = stable_hash(p.example_id, p.strategy, p.chosen, p.rejected)
        kept.append(p)
    return kept, dropped


_FIRST_WORD = re.compile(r"\w+", re.UNICODE)


def _first_word(text: str) -> str:
    m = _FIRST_WORD.search(text)
    return m.group(0).lower() if m else ""


def _balance_lengths(pairs: list[Pair], seed: int) -> tuple[list[Pair], int]:
    """Drop pairs from the majority side until 40-60% have a shorter rejected reply.

    Synthetic pairs go first; real human preference (ranked, feedback) only when nothing else is left.
    """
    words = _WordCounter()
    shorter = [words(p.rejected) < words(p.chosen) for p in pairs]
    n, s = len(pairs), sum(shorter)
    if not n or SHORTCUT_BAND[0] <= s / n <= SHORTCUT_BAND[1]:
        return pairs, 0
    lo, hi = TRIM_TARGET
    if s / n > hi:
        side, need = True, -(-(s - hi * n) // (1 - hi))  # (s - d) / (n - d) <= hi
    else:
        side, need = False, n - int(s / lo)  # s / (n - d) >= lo
    need = int(need)
    rng = random.Random(seed)
    candidates = [k for k in range(n) if shorter[k] == side]
    rng.shuffle(candidates)
    candidates.sort(key=lambda k: pairs[k].strategy in REAL_STRATEGIES)  # stable: synthetic first
    drop = set(candidates[:need])
    return [p for k, p in enumerate(pairs) if k not in drop], len(drop)


class _WordCounter:
    """word_count with a memo: the same reply text is counted once."""

    def __init__(self) -> None:
        self.memo: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        n = self.memo.get(text)
        if n is None:
            n = self.memo[text] = word_count(text)
        return n


def _table(pairs: list[Pair], options: BuildOptions) -> "pa.Table":
    """The PAIRS table: the persona system message first in each prompt, one assistant turn each side."""
    import pyarrow as pa

    from eva_cli.persona import system_prompt
    from eva_cli.schema import PAIRS

    systems: dict[str, list[dict]] = {}

    def system(lang: str) -> list[dict]:
        if not options.use_system_prompt:
            return []
        if lang not in systems:
            systems[lang] = [{"role": "system", "content": options.system_prompt or system_prompt(lang)}]
        return systems[lang]

    def replies(texts: list[str]) -> "pa.Array":
        # one assistant turn per row, built from flat arrays (no per-row dicts)
        turns = pa.StructArray.from_arrays(
            [pa.array(["assistant"] * len(texts), pa.string()), pa.array(texts, pa.string())], names=["role", "content"])
        return pa.ListArray.from_arrays(pa.array(range(len(texts) + 1), pa.int32()), turns)

    def prompts() -> "pa.Array":
        # pairs from one example share its prompt: build each distinct prompt once (flat), then gather
        index: dict[tuple[int, str], int] = {}
        roles: list[str] = []
        contents: list[str] = []
        offsets = [0]
        take: list[int] = []
        for p in pairs:
            key = (id(p.messages), p.lang)
            k = index.get(key)
            if k is None:
                k = index[key] = len(offsets) - 1
                for m in system(p.lang) + p.messages:
                    roles.append(m["role"])
                    contents.append(m["content"])
                offsets.append(len(roles))
            take.append(k)
        turns = pa.StructArray.from_arrays([pa.array(roles, pa.string()), pa.array(contents, pa.string())],
                                           names=["role", "content"])
        unique = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), turns)
        return unique.take(pa.array(take, pa.int64()))

    column = lambda values, type=pa.string(): pa.array(values, type=type)  # noqa: E731
    return pa.table({
        "id": column([p.id for p in pairs]),
        "example_id": column([p.example_id for p in pairs]),
        "prompt": prompts(),
        "chosen": replies([p.chosen for p in pairs]),
        "rejected": replies([p.rejected for p in pairs]),
        "strategy": column([p.strategy for p in pairs]),
        "source": column([p.source for p in pairs]),
        "lang": column([p.lang for p in pairs]),
        "split": column(["eval" if p.split == "eval" else "train" for p in pairs]),
    }, schema=PAIRS)


def _write(ws: Workspace, train: "pa.Table", evals: "pa.Table", report: dict) -> None:
    """All three files, or none: each goes to a temporary file and all are moved in at the end."""
    import json

    from eva_cli.atomic import atomic_path
    from eva_cli.schema import PAIRS, write_table

    with atomic_path(ws.pairs("train"), suffix=".parquet") as t_train, \
            atomic_path(ws.pairs("eval"), suffix=".parquet") as t_eval, \
            atomic_path(ws.pairs_report, suffix=".json") as t_report:
        write_table(train, t_train, PAIRS)
        write_table(evals, t_eval, PAIRS)
        t_report.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


__all__ = [
    "BuildOptions", "PairsResult", "build_pairs", "parse_strategies", "parse_weights", "load_examples",
    "STRATEGY_NAMES", "DEFAULT_STRATEGIES",
]
