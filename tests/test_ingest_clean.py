"""Text cleaning, language detection and the group split of `eva ingest`."""

from __future__ import annotations

import random
import string

import pytest

from eva_cli.ingest.clean import (clean_text, dedup_key, example_lang, fix_glued_sentences, html_to_text,
                                  undo_escapes)
from eva_cli.ingest.split import assign_splits, eval_groups
from eva_cli.lang import detect_lang


def test_html_keeps_paragraphs_and_unescapes_entities():
    raw = ("<p>First thought&nbsp;here.</p><p class='x'>It&#39;s &amp; it&rsquo;s <b>fine</b>.</p>"
           "<ul><li>one</li><li>two</li></ul>line<br/>break")
    assert clean_text(raw) == "First thought here.\n\nIt's & it\u2019s fine.\n\n- one\n- two\n\nline\nbreak"


def test_html_leaves_non_tags_alone():
    assert html_to_text("I <3 my cat, and 2 < 5 > 1") == "I <3 my cat, and 2 < 5 > 1"


def test_nbsp_and_zero_width_and_newlines():
    assert clean_text("a\xa0b\u200bc\r\nd\re  \t f\n\n\n\ng  \n  h") == "a bc\nd\ne f\n\ng\nh"


@pytest.mark.parametrize("raw, fixed", [
    ("I agree with.Seriously though", "I agree with. Seriously though"),
    ("It helps!Then again", "It helps! Then again"),
    ("Мені погано.Допоможіть", "Мені погано. Допоможіть"),
    ("Dr.Smith and U.S.A stay", "Dr.Smith and U.S.A stay"),
    ("version 3.5 and e.g. this", "version 3.5 and e.g. this"),
])
def test_glued_sentences(raw, fixed):
    assert fix_glued_sentences(raw) == fixed


def test_empathetic_escapes():
    assert undo_escapes("yes_comma_ and a_pipe_b") == "yes, and a|b"


@pytest.mark.parametrize("raw, expected", [
    ("write to anna.k+x@mail.example.com today", "write to [email] today"),
    ("mail me@x.com.Seriously, do", "mail [email]. Seriously, do"),
    ("see https://example.org/a?b=1. Then", "see [url]. Then"),
    ("go to www.helpsite.org/page, or counselchat.com/questions!", "go to [url], or [url]!"),
    ("call +380 44 123 45 67 or (044) 123-45-67", "call [phone] or ([phone]"),
    ("US line 1-800-273-8255.", "US line [phone]."),
    ("call 7333 or 988 or 116 123 in 2019-2020", "call 7333 or 988 or 116 123 in 2019-2020"),
    ("order ab1234567890 stays", "order ab1234567890 stays"),
])
def test_pii_scrubbed(raw, expected):
    assert clean_text(raw) == expected


def test_dedup_key_ignores_case_and_spacing():
    a, b = clean_text("Hello   THERE\n\nfriend"), clean_text(" hello there friend ")
    assert dedup_key([a]) == dedup_key([b])
    assert dedup_key([a]) != dedup_key([clean_text("hello there, friend")])


def test_lang_fast_path_matches_detect_lang_on_latin_text():
    rng = random.Random(3)
    vocab = ["the", "and", "I", "feel", "sad", "Hund", "Katze", "bonjour", "amigo", "don't", "it's", "ok", "x", "42",
             "my_word", "je", "suis", "casa", "TO", "Im"]
    for _ in range(3000):
        words = [rng.choice(vocab) for _ in range(rng.randint(0, 8))]
        sep = rng.choice([" ", ", ", "\n", "_", "'", "  "])
        user = sep.join(words) + rng.choice(["", ".", "?", " 123"])
        reply = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 3)))
        text = user + "\n" + reply
        expected = detect_lang(text)
        assert example_lang(user, reply) == (expected if expected in ("en", "uk") else "other"), text
    letters = string.ascii_letters + " .,'"
    for _ in range(2000):
        user = "".join(rng.choice(letters) for _ in range(rng.randint(0, 30)))
        expected = detect_lang(user + "\n")
        assert example_lang(user, "") == (expected if expected in ("en", "uk") else "other")


def test_lang_labels():
    assert example_lang("Мені дуже тривожно вночі", "Я поруч, розкажи більше") == "uk"
    assert example_lang("Мне очень тревожно", "Это понятно, расскажите ещё") == "other"
    assert example_lang("I can't sleep at night", "That sounds exhausting") == "en"
    assert example_lang("Je ne dors pas la nuit", "C'est difficile") == "other"


def test_split_keeps_groups_whole_and_is_seeded():
    groups = [f"q{i // 3}" for i in range(300)] + [f"solo{i}" for i in range(60)]
    splits = assign_splits(groups, 0.2, seed=1)
    by_group: dict[str, set] = {}
    for g, s in zip(groups, splits):
        by_group.setdefault(g, set()).add(s)
    assert all(len(s) == 1 for s in by_group.values())
    share = splits.count("eval") / len(splits)
    assert 0.17 <= share <= 0.2
    assert assign_splits(groups, 0.2, seed=1) == splits
    assert assign_splits(groups, 0.2, seed=2) != splits
    # order of the examples does not matter, only the group ids
    assert eval_groups(list(reversed(groups)), 0.2, 1) == eval_groups(groups, 0.2, 1)


def test_split_edge_cases():
    assert assign_splits(["a", "a"], 0.5, 0) == ["train", "train"]          # one group: no eval
    assert set(assign_splits(["a", "b"], 0.1, 0)) == {"train", "eval"}       # small: still one eval group
    assert assign_splits(["a", "b", "c"], 0.0, 0) == ["train"] * 3
    big = ["big"] * 50 + ["s1", "s2"]
    assert [s for g, s in zip(big, assign_splits(big, 0.1, 0)) if g == "big"] == ["train"] * 50
