"""The tokenization cache: reused while nothing changes, invalidated by data, tokenizer or max length."""

from __future__ import annotations

import os

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

from test_speed_trainer import PAIRS, dataset, orpo_args  # noqa: E402


def build(tiny_model_dir, tmp_path, cache_dir, data=None, tok=None, **args):
    import torch
    from transformers import AutoModelForCausalLM

    from eva_cli.models import load_tokenizer
    from eva_cli.train.fast_trainer import EvaORPOTrainer, SpeedOptions

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    return EvaORPOTrainer(model=model, args=orpo_args(tmp_path, **args),
                          train_dataset=data if data is not None else dataset(),
                          eval_dataset=dataset(PAIRS[:2]),
                          processing_class=tok or load_tokenizer(str(tiny_model_dir)),
                          speed=SpeedOptions(token_cache_dir=cache_dir))


def columns(ds):
    return {k: ds[k] for k in ("chosen_input_ids", "rejected_input_ids", "chosen_labels", "prompt_input_ids")}


def test_cache_is_reused_then_invalidated(tiny_model_dir, tmp_path):
    from eva_cli.models import load_tokenizer
    from eva_cli.train.token_cache import TokenCache

    cache_dir = tmp_path / "cache"
    first = build(tiny_model_dir, tmp_path, cache_dir)
    assert first.eva_cache_hits == []
    assert len(TokenCache(cache_dir).entries()) == 2  # train and eval

    again = build(tiny_model_dir, tmp_path, cache_dir)
    assert again.eva_cache_hits == ["eval_dataset", "train_dataset"]
    assert len(again.train_dataset) == len(PAIRS)
    assert columns(again.train_dataset) == columns(first.train_dataset)
    assert columns(again.eval_dataset) == columns(first.eval_dataset)

    # data: one reply changed
    changed = [PAIRS[0], (PAIRS[1][0], PAIRS[1][1] + " I am here.", PAIRS[1][2]), *PAIRS[2:]]
    data_miss = build(tiny_model_dir, tmp_path, cache_dir, data=dataset(changed))
    assert data_miss.eva_cache_hits == ["eval_dataset"]
    assert columns(data_miss.train_dataset) != columns(first.train_dataset)

    # max length
    assert build(tiny_model_dir, tmp_path, cache_dir, max_length=64).eva_cache_hits == []

    # tokenizer: another chat template
    tok = load_tokenizer(str(tiny_model_dir))
    tok.chat_template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}" \
                        "{% if add_generation_prompt %}[assistant] {% endif %}"
    assert build(tiny_model_dir, tmp_path, cache_dir, tok=tok).eva_cache_hits == []

    # tokenizer: an added token (vocabulary change)
    tok = load_tokenizer(str(tiny_model_dir))
    tok.add_tokens(["<|eva_marker|>"])
    assert build(tiny_model_dir, tmp_path, cache_dir, tok=tok).eva_cache_hits == []

    # and the original inputs still hit
    assert build(tiny_model_dir, tmp_path, cache_dir).eva_cache_hits == ["eval_dataset", "train_dataset"]


def test_cache_key_parts(tiny_model_dir):
    from eva_cli.models import load_tokenizer
    from eva_cli.train.token_cache import cache_key, dataset_fingerprint

    tok = load_tokenizer(str(tiny_model_dir))
    ds = dataset()
    key, desc = cache_key(ds, tok, {"max_length": 256})
    assert cache_key(dataset(), tok, {"max_length": 256})[0] == key          # content, not object identity
    assert cache_key(ds, tok, {"max_length": 512})[0] != key
    assert cache_key(ds.select([1, 0, 2, 3, 4, 5]), tok, {"max_length": 256})[0] != key  # row order counts
    assert dataset_fingerprint(ds.select(range(3))) == dataset_fingerprint(dataset(PAIRS[:3]))
    assert desc["rows"] == len(PAIRS) and desc["params"] == {"max_length": 256}


def test_entries_are_whole_and_pruned(tiny_model_dir, tmp_path):
    from datasets import Dataset

    from eva_cli.train.token_cache import META_FILE, TokenCache

    cache = TokenCache(tmp_path / "c", keep=2)
    for i in range(3):
        cache.save(f"k{i}", Dataset.from_list([{"x": [i]}]), {"n": i})
    names = sorted(p.name for p in cache.entries())
    assert names == ["k1", "k2"]
    assert all((p / META_FILE).is_file() for p in cache.entries())
    assert cache.load("k0") is None
    assert cache.load("k2")["x"] == [[2]]
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".")]  # no temp leftovers
