"""Chosen quality (only the best answers are chosen), the words shortcut score, and the rewrite kinds'
`lead` / `weight` (issue 14). Fixtures written here."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from eva_cli.pairs.base import ChosenQuality, ExampleSet, StrategyContext
from eva_cli.pairs.rewrite import KINDS, RewriteStrategy, load_taxonomy, opening
from eva_cli.pairs.shortcut import TRIVIAL, bow_accuracy
from test_pairs_build import pairs_of, report_of
from test_pairs_samples import Q_EXAMS, Q_GRIEF, Q_SISTER, Q_SLEEP, _ex, write_examples

TOP = "Being on call at night without agreeing to it is exhausting. When would you like your boss to reach you?"
MIDDLE = "Work stress follows many of us to bed. What happens in your body when the phone lights up late?"
LOW = "Buy blackout curtains, a white-noise machine and a smart lamp. Good sleep hygiene solves most sleep problems."


def rows() -> list[dict]:
    return [
        _ex("a", "q1", Q_SLEEP, TOP, score=20, topic="work"),
        _ex("b", "q1", Q_SLEEP, MIDDLE, score=9, topic="work"),
        _ex("c", "q1", Q_SLEEP, LOW, score=3, topic="work"),
        _ex("d", "q2", Q_SISTER, "A silence after a fight with a sister can feel endless. What do you miss most?",
            topic="family"),
        _ex("e", "q3", Q_EXAMS, "That voice calling you a failure sounds loud this week. Whose voice does it remind you of?",
            score=4, topic="school"),
        _ex("f", "q4", Q_GRIEF, "A month is very little time. Crying each evening can be how grief finds room.",
            topic="grief", split="eval"),
    ]


def test_quality_ranks_and_margin():
    ex = ExampleSet.from_rows(rows())
    q = ChosenQuality.of(ex)
    assert q.ranks == [1, 2, 3, None, 1, None]
    assert q.ok == [True, False, False, True, True, True]
    assert [q.label(i) for i in range(3)] == ["1", "2", "3"] and q.label(3) == "unscored"
    assert ChosenQuality.of(ex, require_score=True).ok == [True, False, False, False, True, False]
    assert ChosenQuality.of(ex, margin=0.6).ok[:3] == [True, True, False]   # 9 >= 20 - 0.6 * 20
    assert ChosenQuality.of(ex, margin=0.0).ok[:3] == [True, False, False]


def test_only_the_best_answer_is_chosen_in_every_strategy(eva, workspace):
    write_examples(workspace, rows())
    r = eva("build-pairs", "--pairs-per-example", "3")
    assert r.code == 0, r.output
    pairs = pairs_of(workspace, "train") + pairs_of(workspace, "eval")
    chosen = {p["chosen"][0]["content"] for p in pairs}
    assert TOP in chosen and MIDDLE not in chosen and LOW not in chosen
    lower = [p for p in pairs if p["rejected"][0]["content"] in (MIDDLE, LOW)]
    assert lower and all(p["strategy"] == "ranked" and p["chosen"][0]["content"] == TOP for p in lower)
    assert {p["strategy"] for p in pairs} == {"ranked", "rewrite", "mismatch"}
    report = report_of(workspace)
    assert set(report["chosen_rank"]["all"]) == {"1", "unscored"}
    assert sum(report["chosen_rank"]["all"].values()) == report["pairs"]["total"]
    assert report["chosen_rank"]["by_strategy"]["ranked"] == {"1": 2}
    assert report["strategies"]["rewrite"]["stats"]["chosen_not_best"] == 2
    assert "chosen reply's score rank: 1" in r.out


def test_margin_and_require_score_flags(eva, workspace):
    write_examples(workspace, rows())
    assert eva("build-pairs", "--chosen-margin", "100").code == 0   # every scored answer may be chosen again
    ranks = report_of(workspace)["chosen_rank"]["all"]
    assert {"1", "2", "3", "unscored"} == set(ranks)
    assert report_of(workspace)["options"]["chosen_margin"] == 100
    assert eva("build-pairs", "--require-score").code == 0
    assert set(report_of(workspace)["chosen_rank"]["all"]) == {"1"}
    r = eva("build-pairs", "--chosen-margin", "-0.5")
    assert r.code == 2 and "--chosen-margin" in r.err and "Traceback" not in r.output


# ---------------------------------------------------------------- the words shortcut

WORDS = ("morning evening friend sister work sleep worry hope walk talk call write rest breathe plan notice "
         "feel heavy light quiet loud small big").split()


def _texts(rng: random.Random, n: int, extra: tuple[str, ...] = ()) -> list[str]:
    return [" ".join(rng.sample(WORDS, 6) + list(extra)) for _ in range(n)]


def test_bow_accuracy_tells_marked_replies_apart():
    rng = random.Random(1)
    chosen = _texts(rng, 60)
    rejected = [t + " " + rng.choice(["whatever", "anyway", "calm down", "get over it"]) for t in _texts(rng, 60)]
    assert bow_accuracy(chosen, rejected) >= TRIVIAL


def test_bow_accuracy_is_near_chance_for_same_kind_replies():
    rng = random.Random(2)
    assert bow_accuracy(_texts(rng, 80), _texts(rng, 80)) < 0.7
    # each text chosen in one pair and rejected in another (mismatch donors): no shortcut at all
    texts = _texts(rng, 80)
    assert bow_accuracy(texts, texts[1:] + texts[:1]) == pytest.approx(0.5, abs=0.05)
    assert bow_accuracy(texts[:5], texts[5:10]) is None   # too few pairs to say


def test_report_and_table_carry_the_shortcut(eva, workspace):
    many = [_ex(f"x{i}", f"g{i}", f"My sister {n} stopped talking to me and I feel lonely at work.",
                f"It hurts when {n} goes quiet. What do you miss about talking with {n}, and what feels hardest now?",
                topic=f"t{i % 7}") for i, n in enumerate(["Anna", "Olha", "Marta", "Iryna", "Sofia", "Dana"] * 8)]
    write_examples(workspace, many)
    r = eva("build-pairs", "--strategies", "rewrite,mismatch", "--pairs-per-example", "2")
    assert r.code == 0, r.output
    words = report_of(workspace)["shortcut"]["words"]
    assert words["by_strategy"]["rewrite"] > words["by_strategy"]["mismatch"]
    assert words["by_strategy"]["mismatch"] < 0.7 and 0 < words["accuracy"] <= 1
    assert set(words["by_rewrite_kind"]) <= set(KINDS) and words["threshold"] == TRIVIAL
    assert words["topic_overlap"]["chosen"] > 0 and words["rejected_same_language_share"] == 1.0
    assert "words shortcut" in r.out


# ---------------------------------------------------------------- rewrite kinds: lead and weight

def test_opening_keeps_all_but_the_last_sentence():
    assert opening("One. Two? Three!", 2) == "One. Two?"
    assert opening("One. Two.", 2) == "One."
    assert opening("Only one sentence here.", 2) == ""


def test_weights_thin_kinds_and_lead_opens_with_the_chosen_reply():
    for lang in ("en", "uk"):
        taxonomy = load_taxonomy(lang)
        assert taxonomy["cold"].lead == 2 and taxonomy["cold"].weight == 1.0
        assert taxonomy["lecturing"].weight < 1
    reply = "That sounds like a lonely week. I am glad you wrote. What would help tonight?"
    many = [_ex(f"x{i}", f"g{i}", f"My sister {i} stopped talking to me and I feel lonely.", reply) for i in range(150)]
    strategy = RewriteStrategy()
    pairs = list(strategy.pairs(ExampleSet.from_rows(many),
                                StrategyContext(rng=np.random.default_rng(3), pairs_per_example=9)))
    kinds = Counter(p.kind for p in pairs)
    assert kinds["cold"] > 100 and kinds["lecturing"] < 0.75 * kinds["cold"]
    assert strategy.stats["down_weighted"] > 0
    cold = [p.rejected for p in pairs if p.kind == "cold"]
    assert all(t.startswith("That sounds like a lonely week. I am glad you wrote. ") for t in cold)
    assert all("What would help tonight?" not in t for t in cold)
