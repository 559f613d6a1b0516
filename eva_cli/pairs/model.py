"""`model`: the rejected reply is written by a model told to be generic, cold and advice-dumping.

Off by default (`--strategies ...,model`). The model is `--model` (default: the embedded base
model); generation is batched, reports progress, and the model and sampling settings are
recorded in pairs/report.json.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

from eva_cli.generate import SamplingConfig
from eva_cli.lang import detect_lang
from eva_cli.pairs.base import ExampleSet, Pair, StrategyContext, norm_text

# What the generating model is told; its answer becomes the rejected reply.
ELICIT_PROMPTS = {
    "en": (
        "You are a busy assistant who answers quickly. Do not acknowledge feelings and do not ask "
        "questions. Reply in two or three flat sentences: tell the person what to do, in generic "
        "terms, as if the problem were simple."
    ),
    "uk": (
        "Ти зайнятий асистент, який відповідає швидко. Не зважай на почуття і не став запитань. "
        "Дай дві-три сухі фрази українською: скажи людині, що робити, загальними словами, "
        "ніби проблема проста."
    ),
}
MAX_CONTEXT_MESSAGES = 6  # older turns are dropped from the generation prompt

Progress = Callable[[str, int, int], None]


@dataclasses.dataclass
class ModelStrategyConfig:
    model: str = dataclasses.field(default="embedded", metadata={"help": "embedded, a local folder or a cached HF id"})
    batch_size: int = dataclasses.field(default=8, metadata={"help": "conversations per generate call"})
    max_new_tokens: int = dataclasses.field(default=96, metadata={"help": "length cap of each rejected reply"})
    temperature: float = dataclasses.field(default=0.8, metadata={"help": "sampling temperature (0 = greedy)"})
    limit: int = dataclasses.field(default=0, metadata={"help": "at most this many examples (0 = all)"})
    same_language: bool = dataclasses.field(
        default=True, metadata={"help": "drop replies not in the prompt's language (en/uk): language would give them away"})

    def __post_init__(self) -> None:
        from eva_cli.errors import InputError

        if self.batch_size < 1:
            raise InputError(f"--batch-size must be at least 1 (got {self.batch_size}).")
        if self.max_new_tokens < 1:
            raise InputError(f"--max-new-tokens must be at least 1 (got {self.max_new_tokens}).")
        if self.limit < 0:
            raise InputError(f"--model-limit must be 0 (all) or more (got {self.limit}).")
        if self.temperature < 0:
            raise InputError(f"temperature must be 0 or more (got {self.temperature}).")


class ModelStrategy:
    name = "model"
    note_when_empty = "the model produced no usable reply (empty, the same as the chosen one, or in another language)"

    def __init__(self, config: ModelStrategyConfig, home: Path, seed: int = 42,
                 progress: Progress | None = None) -> None:
        self.config = config
        self.home = Path(home)
        self.sampling = SamplingConfig(max_new_tokens=config.max_new_tokens, temperature=config.temperature, seed=seed)
        self.progress = progress
        self.stats: dict = {"kinds": Counter(), "generated": 0, "unusable": 0, "wrong_language": 0}
        self.info: dict = {}

    def pairs(self, examples: ExampleSet, ctx: StrategyContext) -> Iterator[Pair]:
        from eva_cli.generate import generate_batch
        from eva_cli.models import best_device, load_causal_lm, load_tokenizer, resolve_model

        ex = examples
        counts = ctx.counts(len(ex))
        jobs = [i for i in range(len(ex)) for _ in range(int(counts[i])) if ex.responses[i] and ctx.may_choose(i)]
        if self.config.limit and len(jobs) > self.config.limit:
            keep = sorted(ctx.rng.choice(len(jobs), size=self.config.limit, replace=False).tolist())
            jobs = [jobs[k] for k in keep]
        path = resolve_model(self.config.model, self.home)
        device = best_device()
        self.info = {
            "model": self.config.model, "model_path": path, "device": device,
            "sampling": self.sampling.as_dict(), "batch_size": self.config.batch_size,
            "elicit_prompts": ELICIT_PROMPTS, "examples": len(jobs),
        }
        if not jobs:
            return
        tokenizer = load_tokenizer(path)
        model = load_causal_lm(path, device=device, tokenizer=tokenizer)
        model.eval()
        conversations = [self._conversation(ex, i) for i in jobs]
        # Similar lengths share a batch (less padding); the order is fixed, so results are repeatable.
        order = sorted(range(len(jobs)), key=lambda k: (sum(len(m["content"]) for m in conversations[k]), k))
        size = self.config.batch_size
        total = len(order)
        done = 0
        if self.progress:
            self.progress("model", 0, total)
        for b, start in enumerate(range(0, total, size)):
            batch = order[start:start + size]
            sampling = dataclasses.replace(self.sampling, seed=self.sampling.seed + b)
            replies = generate_batch(model, tokenizer, [conversations[k] for k in batch], sampling)
            for k, reply in zip(batch, replies):
                i = jobs[k]
                self.stats["generated"] += 1
                reply = (reply or "").strip()
                if not norm_text(reply) or norm_text(reply) == norm_text(ex.responses[i]):
                    self.stats["unusable"] += 1
                    continue
                lang = ex.langs[i]
                if self.config.same_language and lang in ("en", "uk") and detect_lang(reply) != lang:
                    self.stats["wrong_language"] += 1
                    continue
                self.stats["kinds"]["generated"] += 1
                yield Pair(ex.ids[i], ex.messages[i], ex.responses[i], reply, self.name,
                           ex.sources[i], ex.langs[i], ex.splits[i], ex.prompt_keys[i], "generated")
            done += len(batch)
            if self.progress:
                self.progress("model", done, total)

    @staticmethod
    def _conversation(ex: ExampleSet, i: int) -> list[dict]:
        elicit = ELICIT_PROMPTS.get(ex.langs[i], ELICIT_PROMPTS["en"])
        return [{"role": "system", "content": elicit}, *ex.messages[i][-MAX_CONTEXT_MESSAGES:]]
