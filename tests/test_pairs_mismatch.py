"""`mismatch`: a real reply from another conversation and topic, same language and split."""

from __future__ import annotations

import numpy as np

from eva_cli.pairs.base import ExampleSet, StrategyContext, word_count
from eva_cli.pairs.mismatch import MismatchStrategy, content_words, overlap
from test_pairs_samples import _ex, sample_rows


def run(rows, **ctx):
    ex = ExampleSet.from_rows(rows)
    strategy = MismatchStrategy()
    pairs = list(strategy.pairs(ex, StrategyContext(rng=np.random.default_rng(0), **ctx)))
    return pairs, ex, strategy


def test_rejected_comes_from_another_group_language_split_and_topic():
    rows = sample_rows()
    pairs, ex, _ = run(rows)
    assert pairs
    by_response = {}
    for i, r in enumerate(rows):
        by_response.setdefault(r["response"], []).append(i)
    for p in pairs:
        own = next(i for i, r in enumerate(rows) if r["id"] == p.example_id)
        assert p.chosen == rows[own]["response"] and p.rejected != p.chosen
        donors = by_response[p.rejected]
        assert any(rows[j]["group"] != rows[own]["group"] and rows[j]["lang"] == rows[own]["lang"]
                   and rows[j]["split"] == rows[own]["split"]
                   and (ex.topics[own] is None or ex.topics[j] is None or ex.topics[j] != ex.topics[own])
                   for j in donors), p


def test_same_topic_is_never_used_when_topics_are_known():
    rows = [_ex(f"w{i}", f"gw{i}", f"work question {i}", f"work reply number {i}", topic="work") for i in range(6)]
    rows.append(_ex("f0", "gf0", "family question", "family reply", topic="family"))
    pairs, _, _ = run(rows)
    for p in pairs:
        if p.example_id.startswith("w"):
            assert p.rejected == "family reply"
        else:
            assert p.rejected.startswith("work reply")


def test_without_topics_a_reply_sharing_many_words_is_avoided():
    sleep = "Sleep trouble after night shifts can wreck your evenings; shifts, sleep and evenings all blur together."
    similar = "Night shifts and sleep trouble wreck evenings; sleep, shifts and evenings blur together for many."
    other = "Grief for a grandmother can come in waves, especially around holidays and family dinners."
    assert overlap(content_words(sleep), content_words(similar)) > 0.2 > overlap(content_words(sleep), content_words(other))
    rows = [_ex("a", "g1", "night shifts ruin my sleep", sleep), _ex("b", "g2", "shift work and sleep", similar),
            _ex("c", "g3", "I miss my grandmother", other)]
    pairs, _, strategy = run(rows, pairs_per_example=2)
    got = {(p.example_id, p.rejected) for p in pairs}
    assert ("a", similar) not in got and ("b", sleep) not in got
    assert ("a", other) in got and ("b", other) in got


def test_a_lone_example_in_its_language_gets_no_pair():
    rows = [_ex("a", "g1", "I argued with my brother", "Arguments with siblings can sting for days."),
            _ex("b", "g2", "My cat is sick", "Worrying about a sick pet is exhausting."),
            _ex("u", "g3", "Мені сумно.", "Розкажи більше.", lang="uk")]
    pairs, _, strategy = run(rows)
    assert {p.example_id for p in pairs} == {"a", "b"}
    assert strategy.stats["no_candidate"] == 1


def test_length_match_picks_shorter_replies_when_they_are_rare():
    # 50 replies of 10 words, 10 of 5 words; the words share nothing (digits keep them out of the overlap check)
    rows = [_ex(f"x{i}", f"g{i}", f"q{i}", " ".join(f"w{i}x{k}" for k in range(10 if i < 50 else 5))) for i in range(60)]

    def share(**ctx):
        pairs, _, _ = run(rows, **ctx)
        return sum(word_count(p.rejected) < word_count(p.chosen) for p in pairs) / len(pairs)

    assert share() < 0.3  # random donors are rarely shorter here
    assert 0.35 <= share(length_match=True) <= 0.65
