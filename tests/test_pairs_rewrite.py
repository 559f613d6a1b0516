"""`rewrite`: the taxonomy of replies to avoid, in English and Ukrainian, written for the prompt."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from eva_cli.lang import detect_lang
from eva_cli.pairs.base import ExampleSet, StrategyContext, word_count
from eva_cli.pairs.cues import extract_cues
from eva_cli.pairs.rewrite import FIELDS, KINDS, RewriteStrategy, eligible_kinds, available_fields, load_taxonomy, render
from test_pairs_samples import _ex

EN_MESSAGES = [
    "My sister Anna stopped talking to me after an argument and I feel so lonely.",
    "I can't sleep because of work and my boss calls me at night.",
    "I failed my exams again and I feel like a failure.",
    "My husband keeps criticising everything I cook.",
    "Since my dog died the house feels empty.",
    "I moved to a new city and I don't know anyone.",
]
UK_MESSAGES = [
    "Я посварилася з Оксаною, і тепер мені дуже самотньо.",
    "Не можу спати через роботу, начальник пише мені вночі.",
    "Мій чоловік постійно мене критикує, я втомилася.",
    "Мама не розуміє, чому я хочу змінити професію, і мені соромно.",
    "Після переїзду я нікого не знаю в новому місті.",
    "Мені страшно через обстріли, і я погано сплю.",
]
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)  # content-ish words of the message
_ANY_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_taxonomy_has_nine_kinds_and_forty_phrasings(lang):
    taxonomy = load_taxonomy(lang)
    assert tuple(taxonomy) == KINDS
    phrasings = [p.text for kind in taxonomy.values() for p in kind.phrasings]
    assert len(set(phrasings)) >= 40
    for kind in taxonomy.values():
        assert len(kind.phrasings) >= 4, kind.name
        for p in kind.phrasings:
            assert p.fields and p.fields <= FIELDS, p.text  # every phrasing weaves in the message


@pytest.mark.parametrize("lang,messages", [("en", EN_MESSAGES), ("uk", UK_MESSAGES)])
def test_every_reply_uses_words_from_the_message_in_its_language(lang, messages):
    rng = random.Random(0)
    seen = set()
    for text in messages:
        values = extract_cues(text, lang).values()
        user_words = {w.lower() for w in _WORD.findall(text)}
        # the person/feeling/topic values are the message's words in another form (case, person)
        cue_words = {w.lower() for k in ("person", "feeling", "topic") if k in values
                     for w in _ANY_WORD.findall(values[k]) if w.lower() not in {"your", "твій", "твоя"}}
        for kind in eligible_kinds(lang, available_fields(values)):
            for _ in range(8):
                reply = render(values, kind, lang, rng)
                assert "{" not in reply and "}" not in reply, reply
                reply_words = {w.lower() for w in _ANY_WORD.findall(reply)}
                assert reply_words & (user_words | cue_words), (kind, reply)
                if lang == "uk":
                    assert detect_lang(reply) == "uk", reply
                seen.add(reply)
    assert len(seen) >= 40  # many different replies, not one template


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_all_kinds_are_available_from_the_quote_alone(lang):
    values = extract_cues("something happened today and it keeps going" if lang == "en"
                          else "щось сталося сьогодні і досі не минає", lang).values()
    assert set(eligible_kinds(lang, available_fields(values))) == set(KINDS)


def test_stretching_reaches_the_chosen_length():
    values = extract_cues(EN_MESSAGES[1], "en").values()
    rng = random.Random(1)
    for kind in KINDS:
        reply = render(values, kind, "en", rng, min_words=120)
        assert word_count(reply) >= 120, kind
    assert word_count(render(values, "judging", "en", rng)) < 40  # without a target: one phrasing


def test_strategy_uses_the_prompt_language_and_skips_other_languages():
    rows = [_ex("a", "g1", EN_MESSAGES[0], "That sounds painful."),
            _ex("b", "g2", UK_MESSAGES[0], "Це звучить болісно.", lang="uk"),
            _ex("c", "g3", "Bonjour, je suis triste.", "Je comprends.", lang="other")]
    strategy = RewriteStrategy()
    pairs = list(strategy.pairs(ExampleSet.from_rows(rows), StrategyContext(rng=np.random.default_rng(0))))
    assert [p.example_id for p in pairs] == ["a", "b"]
    assert detect_lang(pairs[1].rejected) == "uk"
    assert strategy.stats["skipped_language"] == 1
    assert all(p.kind in KINDS and p.strategy == "rewrite" for p in pairs)


def test_pairs_per_example_gives_distinct_kinds():
    rows = [_ex("a", "g1", EN_MESSAGES[1], "That sounds exhausting.")]
    pairs = list(RewriteStrategy().pairs(ExampleSet.from_rows(rows),
                                         StrategyContext(rng=np.random.default_rng(0), pairs_per_example=3)))
    assert len(pairs) == 3
    assert len({p.kind for p in pairs}) == 3


def test_length_match_stretches_about_half_of_the_replies():
    long_reply = " ".join(["It sounds like a lot to carry, and it makes sense that you feel worn out."] * 5)
    rows = [_ex(f"x{i}", f"g{i}", EN_MESSAGES[i % len(EN_MESSAGES)], long_reply) for i in range(200)]
    ex = ExampleSet.from_rows(rows)
    plain = list(RewriteStrategy().pairs(ex, StrategyContext(rng=np.random.default_rng(0))))
    matched = list(RewriteStrategy().pairs(ex, StrategyContext(rng=np.random.default_rng(0), length_match=True)))
    share = lambda ps: sum(word_count(p.rejected) < word_count(p.chosen) for p in ps) / len(ps)  # noqa: E731
    assert share(plain) == 1.0
    assert 0.35 <= share(matched) <= 0.65
