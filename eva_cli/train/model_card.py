"""runs/<run>/README.md: a Hugging Face model card (YAML metadata + key figures) for a finished run."""

from __future__ import annotations

from pathlib import Path

EMBEDDED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"  # what `embedded` was dequantized from


def base_model_id(spec: str) -> str:
    """The card's `base_model`: a hub id where one is known, else the local folder's name."""
    if spec == "embedded":
        return EMBEDDED_HUB_ID
    path = Path(spec).expanduser()
    if path.exists():
        return path.resolve().name
    return spec


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def model_card(record: dict, sources: list[str]) -> str:
    import yaml

    mode = record["mode"]
    meta = {
        "base_model": base_model_id(record["model"]),
        "library_name": "peft" if mode != "full" else "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["orpo", mode, "mental-health", "trl", "eva"],
        "datasets": sources or ["local preference pairs (eva build-pairs)"],
        "language": ["en", "uk"],
        "license": "other",
    }
    summary = record.get("summary") or {}
    hw = record.get("hardware") or {}
    figures = [
        ("steps", record.get("global_step")),
        ("final train loss", summary.get("loss")),
        ("eval loss", summary.get("eval_loss")),
        ("eval reward margin (chosen - rejected)", summary.get("eval_rewards/margins")),
        ("eval reward accuracy", summary.get("eval_rewards/accuracies")),
        ("samples per second", summary.get("samples_per_second")),
        ("peak memory (MB)", summary.get("peak_memory_mb")),
        ("wall time (s)", record.get("wall_time_s")),
        ("hardware", f"{hw.get('name')} x{hw.get('world_size', 1)}"),
    ]
    rows = "\n".join(f"| {k} | {_fmt(v)} |" for k, v in figures if v is not None)
    params = ", ".join(f"{k}={record.get(k)}" for k in (
        "epochs", "max_steps", "lr", "batch_size", "grad_accum", "optim", "beta", "max_length",
        "lora_r", "lora_alpha", "lora_dropout", "target_modules", "seed") if record.get(k) is not None)
    data = record.get("data") or {}
    grow = ("base.resize_token_embeddings(len(tokenizer))  # rows for the added chat tokens (the adapter holds them)\n"
            if record.get("added_tokens") else "")
    load = ("```python\nfrom peft import PeftModel\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n"
            f"tokenizer = AutoTokenizer.from_pretrained('adapter')\n"
            f"base = AutoModelForCausalLM.from_pretrained({record.get('model_path')!r})\n{grow}"
            "model = PeftModel.from_pretrained(base, 'adapter')\n```"
            if mode != "full" else
            "```python\nfrom transformers import AutoModelForCausalLM\nmodel = AutoModelForCausalLM.from_pretrained('model')\n```")
    return (
        "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n"
        f"# Eva ({record.get('run')}): ORPO {mode} fine-tune of {meta['base_model']}\n\n"
        "Eva is a psychological-support assistant built with the open-source `eva` toolkit. It is not a "
        "therapist and not an emergency service; serve it only behind eva's crisis-safety layer.\n\n"
        "## Training\n\n"
        f"ORPO (TRL `ORPOTrainer`) with {mode}. Resolved options: {params}.\n\n"
        f"Train pairs: {data.get('train', {}).get('used')} (sha256 {str(data.get('train', {}).get('sha256'))[:16]}), "
        f"eval pairs: {data.get('eval', {}).get('used')}.\n\n"
        "## Key figures\n\n| figure | value |\n| --- | --- |\n" + rows + "\n\n"
        "Graphs: `training-report.html`; every logged step: `metrics.jsonl`; every option: `train-config.json`.\n\n"
        "## Use\n\n" + load + "\n\n`eva merge --run " + str(record.get("run")) +
        "` writes base + adapter as one model folder for vLLM or TGI.\n"
    )


def write_model_card(run_dir: Path, record: dict) -> Path:
    from eva_cli.atomic import write_text
    from eva_cli.train.data import pair_sources

    sources: list[str] = []
    for split in ("train", "eval"):
        path = (record.get("data") or {}).get(split, {}).get("path")
        if path and Path(path).is_file():
            sources += [s for s in pair_sources(Path(path)) if s not in sources]
    return write_text(Path(run_dir) / "README.md", model_card(record, sources))
