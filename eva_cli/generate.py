"""Batched chat generation with a transformers model (left padding, chat template).

Shared by build-pairs (`model` strategy), eval (`--generate`) and the local bot backend.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SamplingConfig:
    max_new_tokens: int = 160
    temperature: float = 0.7  # 0 = greedy
    top_p: float = 0.9
    repetition_penalty: float = 1.1
    seed: int = 42

    def as_dict(self) -> dict:
        return asdict(self)


def generate_batch(model, tokenizer, conversations: list[list[dict]], sampling: SamplingConfig = SamplingConfig()) -> list[str]:
    """One reply per conversation (a list of {role, content} ending with a user turn)."""
    import torch

    if not conversations:
        return []
    texts = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in conversations]
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
    finally:
        tokenizer.padding_side = side
    torch.manual_seed(sampling.seed)
    kwargs = dict(max_new_tokens=sampling.max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                  eos_token_id=tokenizer.eos_token_id, repetition_penalty=sampling.repetition_penalty)
    if sampling.temperature > 0:
        kwargs.update(do_sample=True, temperature=sampling.temperature, top_p=sampling.top_p)
    else:
        kwargs.update(do_sample=False)
    with torch.inference_mode():
        out = model.generate(**enc, **kwargs)
    new = out[:, enc["input_ids"].shape[1]:]
    return [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
