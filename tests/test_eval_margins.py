"""Margins use TRL ORPO's own definitions: same tokens, same log-probs, same aggregates (within 1e-4).

Checked on three tokenizers: the tiny byte-level ChatML one, and Meta's real Llama 3 tokenizer with the Llama 3
chat format (instruct) and without a template (base: eva's ChatML tokens added, embeddings grown).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from eva_cli.evaluate import margins as M

BETA = 0.2
# long enough for every prompt, short enough that one chosen reply is cut (Llama 3 needs fewer tokens)
MAX_LENGTHS = {"chatml": 100, "llama3-instruct": 64, "llama3-base": 64}

ROWS = [
    dict(prompt=[{"role": "user", "content": "I feel anxious and I cannot sleep."}],
         chosen=[{"role": "assistant", "content": "It sounds like you are carrying a lot right now. What helps you feel safer?"}],
         rejected=[{"role": "assistant", "content": "Just sleep."}]),
    dict(prompt=[{"role": "system", "content": "You are Eva."},
                 {"role": "user", "content": "Мені тривожно, і я не можу заснути."}],
         chosen=[{"role": "assistant", "content": "Схоже, вам зараз дуже важко."}],
         rejected=[{"role": "assistant", "content": "0123456789"}]),
    # multi-turn, long enough that max_length cuts the chosen reply
    dict(prompt=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello, how are you?"},
                 {"role": "user", "content": "Bad. " * 6}],
         chosen=[{"role": "assistant", "content": "I am sorry it is so hard. " * 5}],
         rejected=[{"role": "assistant", "content": "ok"}]),
    dict(prompt=[{"role": "user", "content": "What helps? " * 3}],
         chosen=[{"role": "assistant", "content": "Breathing slowly."}],
         rejected=[{"role": "assistant", "content": "Nothing helps, ever."}]),
    dict(prompt=[{"role": "user", "content": "Що допомагає вам почуватися трохи спокійніше?"}],
         chosen=[{"role": "assistant", "content": "Мені тривожно."}],
         rejected=[{"role": "assistant", "content": "I feel a little safer when I sleep, it sounds like."}]),
]


@pytest.fixture(scope="module", params=list(MAX_LENGTHS))
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def model_dir(kind, request):
    if kind == "chatml":
        return request.getfixturevalue("tiny_model_dir")
    return request.getfixturevalue("llama3_model_dir")(kind.split("-", 1)[1])


@pytest.fixture(scope="module")
def max_length(kind) -> int:
    return MAX_LENGTHS[kind]


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    from eva_cli.models import load_tokenizer

    return load_tokenizer(str(model_dir))


@pytest.fixture(scope="module")
def sharp_model(model_dir, tokenizer):
    """The tiny model with larger random weights, so per-pair log-probs differ a lot (a meaningful comparison)."""
    import torch

    from eva_cli.models import load_causal_lm

    model = load_causal_lm(str(model_dir), tokenizer=tokenizer)
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.4)
    return model.eval()


@pytest.fixture(scope="module")
def trl_batch(sharp_model, tokenizer, max_length, tmp_path_factory):
    """TRL's own tokenized rows and logged metrics for all ROWS as one batch."""
    import torch
    from datasets import Dataset
    from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    args = ORPOConfig(output_dir=str(tmp_path_factory.mktemp("orpo")), beta=BETA, max_length=max_length,
                      per_device_train_batch_size=len(ROWS), report_to=[], use_cpu=True)
    trainer = ORPOTrainer(model=sharp_model, args=args, train_dataset=Dataset.from_list(ROWS),
                          processing_class=tokenizer)
    features = [trainer.train_dataset[i] for i in range(len(ROWS))]
    batch = trainer.data_collator(features)
    with torch.no_grad():
        _, metrics = trainer.get_batch_loss_metrics(trainer.model, batch, train_eval="train")
    return features, metrics


def test_tokens_match_trl_tokenize_row(tokenizer, trl_batch, max_length, kind):
    features, _ = trl_batch
    tokens = M.tokenize_pairs(tokenizer, ROWS, max_length)
    assert any(len(t.chosen_ids) == max_length for t in tokens), "one chosen reply should be cut by max_length"
    if kind.startswith("llama3"):  # <|begin_of_text|> once, though the instruct template writes it too
        assert all(t.chosen_ids.count(tokenizer.bos_token_id) == 1 == t.rejected_ids.count(tokenizer.bos_token_id)
                   for t in tokens)
    for t, f in zip(tokens, features):
        assert t.chosen_ids == f["chosen_input_ids"]
        assert t.rejected_ids == f["rejected_input_ids"]
        assert [-100] * t.chosen_start + t.chosen_ids[t.chosen_start:] == f["chosen_labels"]
        assert [-100] * t.rejected_start + t.rejected_ids[t.rejected_start:] == f["rejected_labels"]


def test_margins_match_trl_orpo_metrics(sharp_model, tokenizer, trl_batch, max_length):
    _, trl = trl_batch
    tokens = M.tokenize_pairs(tokenizer, ROWS, max_length)
    # a different batching than TRL's single batch: padding must not change anything
    scores = M.score_pairs(sharp_model, tokens, tokenizer.pad_token_id, batch_size=2)
    arrays = M.pair_arrays(scores, BETA)
    ours = M.summarize(arrays, BETA)
    assert arrays.logp_chosen.std() > 0.1, "log-probs should spread out for this check to mean something"
    pairs = {
        "rewards/chosen": "reward_chosen", "rewards/rejected": "reward_rejected", "rewards/margins": "margin_mean",
        "rewards/accuracies": "accuracy", "logps/chosen": "logps_chosen", "logps/rejected": "logps_rejected",
        "log_odds_ratio": "log_odds_ratio", "log_odds_chosen": "log_odds_chosen", "nll_loss": "nll_chosen",
    }
    for trl_key, our_key in pairs.items():
        assert ours[our_key] == pytest.approx(trl[trl_key], abs=1e-4), trl_key
    assert ours["ppl_chosen"] == pytest.approx(math.exp(trl["nll_loss"]), rel=1e-4)
    assert ours["orpo_loss"] == pytest.approx(trl["nll_loss"] - BETA * trl["log_odds_ratio"], abs=1e-4)


def test_batch_size_and_order_do_not_change_scores(sharp_model, tokenizer, max_length):
    tokens = M.tokenize_pairs(tokenizer, ROWS, max_length)
    one = M.score_pairs(sharp_model, tokens, tokenizer.pad_token_id, batch_size=1)
    many = M.score_pairs(sharp_model, tokens, tokenizer.pad_token_id, batch_size=4)
    assert [s.index for s in one] == [s.index for s in many] == list(range(len(ROWS)))
    for a, b in zip(one, many):
        assert a.logp_chosen == pytest.approx(b.logp_chosen, abs=1e-5)
        assert a.logp_rejected == pytest.approx(b.logp_rejected, abs=1e-5)
        assert a.nll_full_sum == pytest.approx(b.nll_full_sum, abs=1e-3)
        assert a.nll_full_count == b.nll_full_count


def test_prompt_filling_max_length_is_skipped(sharp_model, tokenizer):
    tokens = M.tokenize_pairs(tokenizer, ROWS, 30)
    assert not all(t.scorable for t in tokens)
    scores = M.score_pairs(sharp_model, tokens, tokenizer.pad_token_id, batch_size=8)
    assert [s.index for s in scores] == [t.index for t in tokens if t.scorable]
    assert all(math.isfinite(s.logp_chosen) for s in scores)


def test_sides_are_batched_longest_first():
    items = [M.PairTokens(i, [0] * n, 1, [0] * (n - 1), 1) for i, n in enumerate([3, 9, 5, 7])]
    batches = M.length_batches(M.sides(items), 3)
    assert [[(q.pair, q.rejected) for q in b] for b in batches] == [
        [(1, False), (1, True), (3, False)], [(3, True), (2, False), (2, True)], [(0, False), (0, True)]]


def test_summarize_by_hand():
    scores = [M.PairScore(0, -1.0, -2.0, 4, 3, nll_full_sum=10.0, nll_full_count=10),
              M.PairScore(1, -3.0, -2.5, 2, 2, nll_full_sum=2.0, nll_full_count=10)]
    beta = 0.5
    s = M.summarize(M.pair_arrays(scores, beta), beta)

    def log_odds(lc, lr):
        return (lc - lr) - (math.log(1 - math.exp(lc)) - math.log(1 - math.exp(lr)))

    lo = [log_odds(-1, -2), log_odds(-3, -2.5)]
    assert s["accuracy"] == 0.5
    assert s["reward_chosen"] == pytest.approx(0.5 * (-1 - 3) / 2)
    assert s["margin_mean"] == pytest.approx((0.5 * 1.0 + 0.5 * -0.5) / 2)
    assert s["log_odds_chosen"] == pytest.approx(sum(lo) / 2)
    assert s["log_odds_ratio"] == pytest.approx(sum(math.log(1 / (1 + math.exp(-x))) for x in lo) / 2)
    assert s["nll_chosen"] == pytest.approx(12 / 20)
    assert s["nll_chosen_reply"] == pytest.approx((1 * 4 + 3 * 2) / 6)
    assert s["ppl_chosen_reply"] == pytest.approx(math.exp(10 / 6))
    sub = M.summarize(M.pair_arrays(scores, beta), beta, np.array([1]))
    assert sub["n"] == 1 and sub["accuracy"] == 0.0


@pytest.mark.parametrize("x", [-5.0, -0.9, -0.5, -1e-3])
def test_log1mexp_both_branches(x):
    assert M.log1mexp(np.array([x]))[0] == pytest.approx(math.log(1 - math.exp(x)), rel=1e-9)
