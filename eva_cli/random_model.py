"""Randomly initialised Llama models for tests and hardware benchmarks.

`tiny`: a few layers and a small hidden size, with a byte-level BPE tokenizer trained
in-process (no download), so tests run in seconds. `llama3-8b`: the published
Meta-Llama-3-8B shape, for GPU memory and speed checks where no weights can be fetched.
"""

from __future__ import annotations

from pathlib import Path

from eva_cli.models import CHATML_TEMPLATE

SHAPES = {
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=2048),
    "llama3-8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                      num_key_value_heads=8, max_position_embeddings=8192, rope_theta=500000.0,
                      rms_norm_eps=1e-5, vocab_size=128256),
}

_SEED_TEXT = (
    "I feel anxious and I cannot sleep. It sounds like you are carrying a lot right now. "
    "Мені тривожно, і я не можу заснути. Схоже, вам зараз дуже важко. "
    "What helps you feel a little safer? Що допомагає вам почуватися трохи спокійніше? "
    "0123456789 .,!?;:'\"()-"
)


def build_tokenizer(vocab_size: int = 512):
    """A small byte-level BPE tokenizer with a ChatML template; covers any UTF-8 text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([_SEED_TEXT] * 20, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                   pad_token="<|endoftext|>", unk_token="<|endoftext|>")
    fast.chat_template = CHATML_TEMPLATE
    return fast


def build_random_llama(out_dir: str | Path, shape: str = "tiny", seed: int = 0, dtype: str = "float32",
                       tokenizer_from: str | Path | None = None) -> Path:
    """Write a random LlamaForCausalLM plus tokenizer to `out_dir`; return the folder.

    `tokenizer_from`: a folder whose tokenizer to use instead of the small in-process one
    (real token counts matter for speed and memory figures at a given max length).
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from eva_cli.models import load_tokenizer

    out = Path(out_dir)
    tok = load_tokenizer(str(tokenizer_from)) if tokenizer_from else build_tokenizer()
    params = dict(SHAPES[shape])
    params.setdefault("vocab_size", len(tok))
    cfg = LlamaConfig(**params, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id, tie_word_embeddings=(shape == "tiny"))
    torch.manual_seed(seed)
    with torch.device("meta" if shape != "tiny" else "cpu"):
        model = LlamaForCausalLM(cfg)
    if shape != "tiny":  # materialise big shapes in place, without a float32 copy on the CPU first
        model = model.to_empty(device="cuda" if torch.cuda.is_available() else "cpu").to(getattr(torch, dtype))
        for p in model.parameters():
            torch.nn.init.normal_(p, std=0.02)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out
