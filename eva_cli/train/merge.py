"""`eva merge`: base model + LoRA adapter -> one plain transformers folder that vLLM or TGI can serve.

A QLoRA adapter is merged into the full-precision base (the 4-bit weights were only a training
device); the merged weights are saved in the base model's own dtype unless --dtype says otherwise.
"""

from __future__ import annotations

from pathlib import Path

from eva_cli.errors import EvaError, InputError, MissingArtifactError

DTYPES = ("auto", "float32", "float16", "bfloat16")


def _quiet() -> None:
    import logging
    import warnings

    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)  # its CPU-kernel notice is about 4-bit training
    warnings.filterwarnings("ignore", message=".*is deprecated and will be removed in v6.*")
    import transformers

    transformers.utils.logging.disable_progress_bar()


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} is a file.", "Give a folder path.")
    if out.is_dir() and any(out.iterdir()) and not (out / "config.json").is_file():
        raise InputError(f"--out: {out} already holds files that are not a model; merge replaces the folder whole.",
                         "Choose a new or empty folder.")


def merge_run(run_dir: Path, out: Path | None = None, dtype: str = "auto", home: Path | None = None) -> Path:
    """Write the merged model (safetensors + tokenizer with chat template) to `out` (default runs/<run>/merged)."""
    from eva_cli.runs import read_train_config

    if dtype not in DTYPES:
        raise InputError(f"--dtype: {dtype!r} is not one of {', '.join(DTYPES)}.")
    cfg = read_train_config(run_dir)
    adapter = run_dir / "adapter"
    if cfg.get("mode") == "full" or (run_dir / "model" / "config.json").is_file():
        raise EvaError(f"{run_dir.name} is a full fine-tune: {run_dir / 'model'} is already a complete model.",
                       "Serve that folder directly; there is no adapter to merge.")
    if not (adapter / "adapter_config.json").is_file():
        raise MissingArtifactError(f"{adapter} has no adapter_config.json: {run_dir.name} did not finish.",
                                   f"Resume it with `eva train --run {run_dir.name} --resume`.")
    out = Path(out) if out else run_dir / "merged"
    _check_out(out)
    base_path = cfg.get("model_path") or cfg["model"]
    if not Path(base_path).exists() and home is not None:
        from eva_cli.models import resolve_model

        base_path = resolve_model(cfg["model"], home)  # e.g. the embedded cache was cleared

    _quiet()
    import torch
    from peft import PeftModel
    from transformers import AutoConfig, AutoModelForCausalLM

    from eva_cli.atomic import atomic_dir
    from eva_cli.models import fit_embeddings, load_tokenizer, stop_token_ids, strip_gguf_markers

    try:
        base_cfg = AutoConfig.from_pretrained(base_path)
    except OSError as exc:
        raise MissingArtifactError(f"the base model {base_path} of {run_dir.name} cannot be loaded ({exc}).",
                                   "Restore it, or re-run `eva train`.") from exc
    if dtype == "auto":
        native = getattr(base_cfg, "dtype", None) or getattr(base_cfg, "torch_dtype", None)
        torch_dtype = native if isinstance(native, torch.dtype) else getattr(torch, str(native or "float32"), torch.float32)
    else:
        torch_dtype = getattr(torch, dtype)

    base = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch_dtype)
    strip_gguf_markers(base)
    tok = load_tokenizer(str(adapter))
    fit_embeddings(base, tok)  # rows for tokens added in training (a base model's ChatML)
    model = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    # the end-of-turn token (Llama 3's <|eot_id|>) among the stop ids, for servers that read generation_config
    model.generation_config.eos_token_id = stop_token_ids(tok, model)
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
    return out
