"""`ranked`: higher-scored answer over lower-scored, carried rejected replies, ties skipped."""

from __future__ import annotations

import numpy as np

from eva_cli.pairs.base import ExampleSet, StrategyContext
from eva_cli.pairs.ranked import RankedStrategy
from test_pairs_samples import Q_SLEEP, _ex


def run(rows, **ctx):
    strategy = RankedStrategy()
    pairs = list(strategy.pairs(ExampleSet.from_rows(rows), StrategyContext(rng=np.random.default_rng(0), **ctx)))
    return pairs, strategy


def test_higher_score_is_chosen_and_ties_are_skipped():
    rows = [_ex("a", "q", Q_SLEEP, "best answer", score=10), _ex("b", "q", Q_SLEEP, "middle answer", score=5),
            _ex("c", "q", Q_SLEEP, "tied answer one", score=1), _ex("d", "q", Q_SLEEP, "tied answer two", score=1)]
    pairs, strategy = run(rows, pairs_per_example=3)
    got = {(p.chosen, p.rejected) for p in pairs}
    assert got == {("best answer", "middle answer"), ("best answer", "tied answer one"),
                   ("best answer", "tied answer two"), ("middle answer", "tied answer one"),
                   ("middle answer", "tied answer two")}
    assert strategy.stats["ties_skipped"] == 1
    assert all(p.example_id in {"a", "b"} and p.kind == "scores" for p in pairs)


def test_one_pair_per_chosen_answer_by_default():
    rows = [_ex(f"x{i}", "q", Q_SLEEP, f"answer {i}", score=float(i)) for i in range(5)]
    pairs, _ = run(rows)
    assert sorted(p.example_id for p in pairs) == ["x1", "x2", "x3", "x4"]
    by_id = {r["id"]: r["score"] for r in rows}
    text_score = {r["response"]: r["score"] for r in rows}
    assert all(by_id[p.example_id] > text_score[p.rejected] for p in pairs)


def test_answers_to_different_prompts_are_not_paired():
    rows = [_ex("a", "conv", "first question here", "reply one", score=3),
            _ex("b", "conv", "a different later question", "reply two", score=1),
            _ex("c", "other", "first question here", "reply three", score=0)]
    pairs, _ = run(rows)
    assert pairs == []  # same group but another prompt, or same prompt but another group


def test_carried_rejected_reply_is_used_directly():
    rows = [_ex("p", "g", "I feel hurt.", "That sounds painful. What happened?", rejected="Get over it.",
                source="preference.jsonl", fmt="preference")]
    pairs, strategy = run(rows)
    assert [(p.chosen, p.rejected, p.kind, p.source) for p in pairs] == [
        ("That sounds painful. What happened?", "Get over it.", "rejected", "preference.jsonl")]


def test_no_scores_no_rejected_yields_nothing():
    rows = [_ex("a", "g1", "one", "reply a"), _ex("b", "g1", "one", "reply b")]
    pairs, strategy = run(rows)
    assert pairs == []
    assert strategy.note_when_empty
