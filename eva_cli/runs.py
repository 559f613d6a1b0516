"""Loading what `eva train` left in a run folder, for eval, chat, the bot and merge.

Run folder contract (written by eva_cli.train):
  runs/<run>/train-config.json   {"model": spec, "model_path": resolved path, "mode": lora|qlora|full, "beta": ...}
  runs/<run>/adapter/            PEFT adapter + tokenizer (lora/qlora)
  runs/<run>/model/              full weights + tokenizer (mode full)
"""

from __future__ import annotations

import json
from pathlib import Path

from eva_cli.errors import EvaError, MissingArtifactError


def read_train_config(run_dir: Path) -> dict:
    path = run_dir / "train-config.json"
    if not path.is_file():
        raise MissingArtifactError(f"{path} is missing: {run_dir.name} is not a finished run.", "Run `eva train` first.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EvaError(f"{path} is not valid JSON ({exc.msg}).", "Re-run `eva train` for this run.") from exc


def base_model_path(run_dir: Path) -> str:
    cfg = read_train_config(run_dir)
    return cfg.get("model_path") or cfg["model"]


def load_run_model(run_dir: Path, device: str = "cpu", dtype=None):
    """(model, tokenizer) for a run: base + adapter, or the full fine-tuned weights."""
    import torch
    from eva_cli.models import load_causal_lm, load_tokenizer

    adapter = run_dir / "adapter"
    full = run_dir / "model"
    if (full / "config.json").is_file():
        tok = load_tokenizer(str(full))
        return load_causal_lm(str(full), dtype=dtype, device=device, tokenizer=tok), tok
    if not (adapter / "adapter_config.json").is_file():
        raise MissingArtifactError(f"{adapter} has no adapter_config.json.", "Run `eva train` to finish this run.")
    from peft import PeftModel

    tok = load_tokenizer(str(adapter))  # rows for tokens added in training are grown before the adapter loads
    base = load_causal_lm(base_model_path(run_dir), dtype=dtype or torch.float32, device=device, tokenizer=tok)
    model = PeftModel.from_pretrained(base, str(adapter))
    model.eval()
    return model, tok
