"""A chat template without a system role (Gemma style: it raises on one): eva folds the persona into the first
user turn, the same way for training pairs, eval and serving (the tokenizer eva saves carries the fold)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import eva_in_process

from eva_cli.persona import system_prompt

# Written for this test in the style of Gemma's template: no system role, user/model turns, <end_of_turn>.
NO_SYSTEM_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
)
SYSTEM = system_prompt("en")
USER = "I keep going over the argument with my brother."


def _raw_tokenizer():
    from eva_cli.random_model import build_tokenizer

    tok = build_tokenizer()
    tok.add_tokens(["<start_of_turn>", "<end_of_turn>"], special_tokens=True)
    tok.chat_template = NO_SYSTEM_TEMPLATE
    return tok


@pytest.fixture(scope="module")
def no_system_model(tmp_path_factory) -> Path:
    """A tiny random Llama whose saved tokenizer has the template above, exactly as written."""
    from eva_cli.random_model import build_random_llama

    raw = tmp_path_factory.mktemp("no-system-tok")
    _raw_tokenizer().save_pretrained(raw)
    out = build_random_llama(tmp_path_factory.mktemp("no-system-llama"), tokenizer_from=raw)
    _raw_tokenizer().save_pretrained(out)  # the builder saved eva's prepared copy: put the raw one back
    return out


def test_detects_a_template_without_system_role():
    from eva_cli.models import SYSTEM_FOLD, prepare_tokenizer, template_accepts_system
    from eva_cli.random_model import build_llama3_tokenizer, build_tokenizer

    raw = _raw_tokenizer()
    assert not template_accepts_system(raw)
    with pytest.raises(Exception, match="System role not supported"):
        raw.apply_chat_template([{"role": "system", "content": "x"}, {"role": "user", "content": "y"}], tokenize=False)
    tok = prepare_tokenizer(raw)
    assert tok.chat_template.startswith(SYSTEM_FOLD) and template_accepts_system(tok)
    assert tok.eos_token == "<end_of_turn>"  # the token that ends a reply in this template
    for other in (build_tokenizer(), build_llama3_tokenizer("instruct")):  # templates with a system role stay as they are
        template = other.chat_template
        assert template_accepts_system(other) and prepare_tokenizer(other).chat_template == template


def test_persona_is_folded_into_the_first_user_turn():
    from eva_cli.models import prepare_tokenizer

    tok = prepare_tokenizer(_raw_tokenizer())
    chat = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER},
            {"role": "assistant", "content": "That sounds painful."}, {"role": "user", "content": "It is."}]
    folded = tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    by_hand = _raw_tokenizer().apply_chat_template(
        [{"role": "user", "content": SYSTEM + "\n\n" + USER}, *chat[2:]], tokenize=False, add_generation_prompt=True)
    assert folded == by_hand
    assert folded.count("<start_of_turn>user") == 2 and "system" not in folded.split(SYSTEM)[0]
    # a conversation without a system message renders exactly as the template wrote it
    plain = chat[1:]
    assert tok.apply_chat_template(plain, tokenize=False) == _raw_tokenizer().apply_chat_template(plain, tokenize=False)


def test_training_pairs_and_eval_tokenize_with_the_fold():
    from eva_cli.evaluate import margins as M
    from eva_cli.models import prepare_tokenizer

    tok = prepare_tokenizer(_raw_tokenizer())
    row = dict(prompt=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}],
               chosen=[{"role": "assistant", "content": "What part of it stays with you most?"}],
               rejected=[{"role": "assistant", "content": "Forget it."}])
    prompt, chosen, _ = M.template_pair(tok, row["prompt"], row["chosen"], row["rejected"])
    assert prompt.startswith(tok.bos_token + "<start_of_turn>user\n" + SYSTEM.strip() + "\n\n" + USER)
    assert prompt.endswith("<start_of_turn>model\n") and chosen.startswith("What part")
    [pair] = M.tokenize_pairs(tok, [row], 512)
    assert pair.chosen_ids[-1] == tok.eos_token_id == tok.convert_tokens_to_ids("<end_of_turn>")


_eva = eva_in_process


def test_train_and_serve_a_model_without_system_role(no_system_model, tmp_path):
    from transformers import AutoTokenizer

    from test_llama3 import write_pairs  # prompts carry Eva's persona as a system message

    ws = tmp_path / "ws"
    write_pairs(ws, n_train=4, n_eval=2)
    code, out = _eva(ws, "train", "--model", no_system_model, "--lora", "--max-steps", 1, "--batch-size", 2,
                     "--max-length", 512, "--optim", "adamw_torch", "--eval-pairs", 0, "--run", "fold")
    assert code == 0, out
    # the adapter's tokenizer (what `eva merge` hands to vLLM) folds the persona by itself
    saved = AutoTokenizer.from_pretrained(str(ws / "runs" / "fold" / "adapter"))
    text = saved.apply_chat_template([{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}],
                                     tokenize=False, add_generation_prompt=True)
    assert "<start_of_turn>user\n" + SYSTEM.strip() in text
    # serving: the bot's pipeline sends the persona as a system message
    code, out = _eva(ws, "chat", "--run", "fold", "--max-new-tokens", 4, "--temperature", 0, stdin=USER + "\n")
    assert code == 0, out
    assert any(line.startswith("Eva") for line in out.splitlines())
