"""`feedback`: the bot's thumbs-down replies with a preferred rewrite become ranked pairs."""

from __future__ import annotations

import numpy as np
import pytest

from eva_cli.errors import EvaError
from eva_cli.pairs.base import ExampleSet, StrategyContext
from eva_cli.pairs.feedback import FeedbackStrategy, feedback_pairs, load_feedback_rows
from test_pairs_samples import sample_rows

PROMPT = [{"role": "user", "content": "I keep fighting with my mom about everything."}]
ROWS = [
    {"prompt": PROMPT, "reply": "Just move out.", "rating": -1,
     "rewrite": "Constant fights with your mom sound draining. What do the fights usually start with?", "lang": "en"},
    {"prompt": PROMPT, "reply": "That sounds hard. What happened most recently?", "rating": 1, "rewrite": None, "lang": "en"},
    {"prompt": [{"role": "system", "content": "persona"}, {"role": "user", "content": "Мені дуже сумно."}],
     "reply": "Не сумуй!", "rating": -1, "rewrite": "Мені шкода, що тобі сумно. Що сталося?", "lang": "uk"},
    # thumbs-down without a rewrite and no thumbs-up on the same prompt: nothing to prefer
    {"prompt": [{"role": "user", "content": "Nobody gets me."}], "reply": "Ok.", "rating": -1, "rewrite": None, "lang": "en"},
    # a rewrite equal to the reply is no preference
    {"prompt": [{"role": "user", "content": "I am tired."}], "reply": "Rest.", "rating": -1, "rewrite": "rest", "lang": "en"},
    # malformed rows are counted, not fatal
    {"prompt": "not a list", "reply": "x", "rating": -1},
    {"prompt": PROMPT, "reply": "x", "rating": 5},
    {"prompt": [{"role": "assistant", "content": "hi"}], "reply": "x", "rating": -1, "rewrite": "y"},
]


def test_thumbs_down_with_rewrite_and_up_versus_down():
    stats: dict = {}
    pairs = feedback_pairs(ROWS, stats)
    got = {(p.chosen, p.rejected, p.kind) for p in pairs}
    assert got == {
        (ROWS[0]["rewrite"], "Just move out.", "rewrite"),
        ("That sounds hard. What happened most recently?", "Just move out.", "rating"),
        ("Мені шкода, що тобі сумно. Що сталося?", "Не сумуй!", "rewrite"),
    }
    assert stats["invalid"] == 3 and stats["rows"] == len(ROWS)
    for p in pairs:
        assert p.strategy == "feedback" and p.source == "bot-feedback" and p.split == "train"
        assert p.example_id.startswith("feedback-")
        assert p.messages[-1]["role"] == "user" and all(m["role"] != "system" for m in p.messages)
    uk = next(p for p in pairs if p.lang == "uk")
    assert uk.messages == [{"role": "user", "content": "Мені дуже сумно."}]


def test_language_is_detected_when_missing():
    rows = [{"prompt": [{"role": "user", "content": "Мені дуже тривожно через роботу."}], "reply": "Ок.",
             "rating": -1, "rewrite": "Розкажи, що саме тривожить?"}]
    assert [p.lang for p in feedback_pairs(rows)] == ["uk"]


def test_strategy_plugs_into_the_same_interface():
    strategy = FeedbackStrategy(ROWS)
    pairs = list(strategy.pairs(ExampleSet.from_rows(sample_rows()), StrategyContext(rng=np.random.default_rng(0))))
    assert len(pairs) == 3 and strategy.stats["kinds"]["rewrite"] == 2


def test_no_store_file_means_no_rows(tmp_path):
    rows, origin = load_feedback_rows(tmp_path / "bot" / "eva.sqlite", data_key=None)
    assert rows == [] and "no bot store" in origin


def test_store_without_key_is_a_clear_error(tmp_path):
    db = tmp_path / "eva.sqlite"
    db.write_bytes(b"x")
    with pytest.raises(EvaError, match="EVA_DATA_KEY"):
        load_feedback_rows(db, data_key=None)


def test_build_pairs_adds_feedback_rows_to_train(workspace):
    from eva_cli.pairs.build import BuildOptions, build_pairs
    from eva_cli.schema import read_table
    from eva_cli.workspace import Workspace
    from test_pairs_samples import write_examples

    write_examples(workspace)
    result = build_pairs(BuildOptions(strategies=("ranked",), feedback=True), Workspace(workspace), feedback_rows=ROWS)
    assert result.report["by_strategy"]["feedback"] == 3
    train = read_table(result.train_path).to_pylist()
    fb = [r for r in train if r["strategy"] == "feedback"]
    assert len(fb) == 3 and all(r["prompt"][0]["role"] == "system" for r in fb)


def test_cli_feedback_reads_the_encrypted_store_consenting_users_only(eva, workspace, monkeypatch, store_backend):
    """Either store: workspace/bot/eva.sqlite by default, or the PostgreSQL one named by EVA_STORE_URL."""
    from cryptography.fernet import Fernet

    from eva_cli.schema import read_table
    from eva_cli.store import open_store
    from test_pairs_samples import write_examples

    write_examples(workspace)
    key = Fernet.generate_key().decode()
    target = workspace / "bot" / "eva.sqlite"
    if store_backend.name == "postgresql":
        target = store_backend.target()
        monkeypatch.setenv("EVA_STORE_URL", target)
    store = open_store(target, key)
    store.set_consent(1, True)
    store.add_feedback(1, 10, 100, -1, PROMPT, "Just move out.", rewrite=ROWS[0]["rewrite"])
    store.add_feedback(2, 20, 200, -1, [{"role": "user", "content": "Nobody listens to me."}], "Ok.",
                       rewrite="It hurts when nobody seems to listen. Who did you try to talk to?")  # no consent
    store.close()

    r = eva("build-pairs", "--feedback")
    assert r.code == 2 and "EVA_DATA_KEY" in r.err  # the store is encrypted
    monkeypatch.setenv("EVA_DATA_KEY", key)
    r = eva("build-pairs", "--strategies", "ranked", "--feedback")
    assert r.code == 0, r.output
    fb = [row for row in read_table(workspace / "pairs" / "train.parquet").to_pylist() if row["strategy"] == "feedback"]
    assert [(row["chosen"][0]["content"], row["rejected"][0]["content"]) for row in fb] == [
        (ROWS[0]["rewrite"], "Just move out.")]


def test_cli_feedback_without_a_store_is_reported_not_fatal(eva, workspace):
    from test_pairs_samples import write_examples

    write_examples(workspace)
    r = eva("build-pairs", "--feedback")
    assert r.code == 0, r.output
    assert "feedback: no pairs" in r.out
