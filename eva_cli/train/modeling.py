"""Loading the base model for each mode (qlora | lora | full) and the LoRA settings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from eva_cli.errors import EvaError

OOM_HINT = "Try --qlora, a smaller --batch-size (with --grad-accum to keep the effective batch), or a smaller --max-length."


@dataclass(frozen=True)
class Hardware:
    device: str           # cuda | cpu
    name: str             # e.g. "NVIDIA H100 80GB HBM3" or "CPU, 2 threads"
    bf16: bool            # bf16 compute available
    world_size: int
    rank: int
    local_rank: int

    @property
    def compute_dtype(self):
        import torch

        return torch.bfloat16 if self.bf16 else torch.float32

    def as_dict(self) -> dict:
        import torch

        return {"device": self.device, "name": self.name, "bf16": self.bf16, "world_size": self.world_size,
                "compute_dtype": str(self.compute_dtype).replace("torch.", ""),
                "cuda": torch.version.cuda if self.device == "cuda" else None}


def detect_hardware(partial_state) -> Hardware:
    import torch

    if torch.cuda.is_available():
        index = partial_state.local_process_index
        return Hardware("cuda", torch.cuda.get_device_name(index), torch.cuda.is_bf16_supported(),
                        partial_state.num_processes, partial_state.process_index, index)
    return Hardware("cpu", f"CPU, {torch.get_num_threads()} threads", False,
                    partial_state.num_processes, partial_state.process_index, partial_state.local_process_index)


def sharded_launch() -> bool:
    """FSDP or DeepSpeed (set by `accelerate launch --config_file ...`): every rank holds a shard."""
    return (os.environ.get("ACCELERATE_USE_FSDP", "").lower() == "true"
            or os.environ.get("ACCELERATE_USE_DEEPSPEED", "").lower() == "true")


def require_bnb_4bit() -> None:
    from eva_cli.doctor import bnb_4bit_status

    ok, why = bnb_4bit_status()
    if not ok:
        raise EvaError(f"--qlora needs bitsandbytes 4-bit support, which does not work here ({why}).",
                       "Install bitsandbytes>=0.48 (`pip install 'bitsandbytes>=0.50,<0.51'`), or train with --lora.")


def load_base_model(mode: str, path: str, hw: Hardware):
    """The base causal LM, ready for ORPOTrainer (which applies LoRA / kbit preparation itself)."""
    import torch
    from transformers import AutoModelForCausalLM

    kwargs: dict = {}
    if mode == "qlora":
        require_bnb_4bit()
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=hw.compute_dtype,
            # FSDP / ZeRO-3 shard the packed 4-bit weights, which needs a float storage type
            bnb_4bit_quant_storage=hw.compute_dtype if sharded_launch() else torch.uint8,
        )
        kwargs["dtype"] = hw.compute_dtype
        if not sharded_launch():
            kwargs["device_map"] = {"": hw.local_rank if hw.device == "cuda" else "cpu"}
    elif mode == "lora":
        kwargs["dtype"] = hw.compute_dtype
    else:  # full: float32 master weights; bf16 autocast on a capable GPU
        kwargs["dtype"] = torch.float32
    try:
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as exc:
        raise EvaError(f"--model: cannot load {path} ({str(exc).splitlines()[0][:200]}).",
                       "Check that the folder holds a causal LM (config.json and weights).") from exc
    from eva_cli.models import strip_gguf_markers

    if mode != "qlora":
        strip_gguf_markers(model)
    if getattr(model.config, "pad_token_id", None) is None and getattr(model.config, "eos_token_id", None) is not None:
        eos = model.config.eos_token_id
        model.config.pad_token_id = eos[0] if isinstance(eos, list) else eos
    return model


def lora_config(cfg, model=None, new_token_ids: list[int] | None = None):
    """LoRA settings; `new_token_ids` (rows `fit_embeddings` added) are trained and saved as PEFT trainable tokens.

    Their input rows always; their output rows too when the model does not tie the output matrix to the
    input one (Llama 3 8B), so the model can learn to write them (e.g. ChatML's <|im_end|>).
    """
    from peft import LoraConfig

    tokens = None
    if new_token_ids and model is not None:
        emb, out = model.get_input_embeddings(), model.get_output_embeddings()
        names = {m: n.rsplit(".", 1)[-1] for n, m in model.named_modules() if m is emb or m is out}
        tokens = {names[emb]: list(new_token_ids)}
        if out is not None and out.weight is not emb.weight:
            tokens[names[out]] = list(new_token_ids)
    return LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=cfg.lora_targets, bias="none", task_type="CAUSAL_LM",
                      trainable_token_indices=tokens)


def is_oom(exc: BaseException) -> bool:
    """CUDA out of memory, or the CPU allocator giving up."""
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, (RuntimeError, MemoryError)) and (
        "out of memory" in text or "can't allocate memory" in text or isinstance(exc, MemoryError))


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts; 4-bit packed weights count their real element number."""
    trainable = total = 0
    for p in model.parameters():
        n = p.numel()
        if getattr(p, "quant_state", None) is not None or p.__class__.__name__ == "Params4bit":
            n *= 2  # two 4-bit values per stored byte
        total += n
        if p.requires_grad:
            trainable += n
    return trainable, total
