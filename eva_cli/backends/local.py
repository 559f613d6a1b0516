"""The `local` backend: a transformers model (base, base + PEFT adapter, or full fine-tune).

Generation never runs on the event loop. Requests go into a queue; one worker coroutine takes
up to `max_concurrency` of them at a time (a micro-batch), runs one left-padded batched
`model.generate` in a dedicated worker thread, and resolves each request's future. Requests
that arrive while a batch is generating wait for the next batch. Every request has its own
timeout; a request that timed out before its batch started is dropped from the queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from eva_cli.backends.base import BackendError, GenerationTimeout, Reply
from eva_cli.backends.trim import trim_to_sentence
from eva_cli.errors import InputError

log = logging.getLogger("eva.backend.local")


@dataclass
class LocalBackendConfig:
    max_concurrency: int = 8  # largest micro-batch (requests generated together)
    timeout_s: float = 120.0  # per request, queueing included
    batch_window_ms: float = 10.0  # an idle worker waits this long for more requests before starting
    max_new_tokens: int = 160  # default when a request does not say
    temperature: float = 0.7  # 0 = greedy
    top_p: float = 0.9
    repetition_penalty: float = 1.1
    max_prompt_tokens: int = 2048  # safety net: longer prompts keep their most recent tokens
    prefix_cache: bool = True  # reuse the system prompt's KV cache across requests (same replies, less prefill)
    seed: int = 42
    device: str | None = None  # None = best available (cuda, else cpu)

    def __post_init__(self) -> None:
        if self.max_concurrency < 1:
            raise InputError(f"--max-concurrency must be at least 1 (got {self.max_concurrency}).")
        if self.timeout_s <= 0:
            raise InputError(f"--timeout must be positive (got {self.timeout_s}).")
        if self.max_new_tokens < 1:
            raise InputError(f"--max-new-tokens must be at least 1 (got {self.max_new_tokens}).")
        if self.temperature < 0:
            raise InputError(f"--temperature must be 0 (greedy) or more (got {self.temperature}).")
        if not 0 < self.top_p <= 1:
            raise InputError(f"top_p must be in (0, 1] (got {self.top_p}).")
        if self.batch_window_ms < 0:
            raise InputError("batch_window_ms must be 0 or more.")


@dataclass
class _Request:
    messages: list[dict]
    max_new_tokens: int
    temperature: float
    future: asyncio.Future
    abandoned: bool = False  # its caller timed out or went away


@dataclass
class BatchStats:
    """What the worker did, for benchmarks and logs."""

    batches: int = 0
    requests: int = 0
    tokens: int = 0
    generate_seconds: float = 0.0
    sizes: list[int] = field(default_factory=list)

    @property
    def mean_batch(self) -> float:
        return self.requests / self.batches if self.batches else 0.0


class LocalBackend:
    name = "local"

    def __init__(self, model, tokenizer, config: LocalBackendConfig | None = None, label: str = "model"):
        self.model = model
        self.tokenizer = tokenizer
        self.config = config or LocalBackendConfig()
        self.label = label
        self.stats = BatchStats()
        self._queue: deque[_Request] = deque()
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task | None = None
        self._closing = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eva-generate")
        tokenizer.padding_side = "left"
        tokenizer.truncation_side = "left"
        import copy

        # A fast tokenizer must not be used from two threads at once ("Already borrowed"): the event
        # loop counts tokens with its own copy; the worker thread owns `tokenizer`.
        self._count_tokenizer = copy.deepcopy(tokenizer)
        self._stop_ids = self._collect_stop_ids()
        self._prefixes: dict[tuple[int, ...], object] = {}  # system-prompt token ids -> its KV cache
        import torch

        torch.manual_seed(self.config.seed)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_run(cls, run_dir: Path, config: LocalBackendConfig | None = None) -> "LocalBackend":
        """Base + PEFT adapter (or the full fine-tune) of a finished `eva train` run."""
        from eva_cli.models import best_device
        from eva_cli.runs import load_run_model

        config = config or LocalBackendConfig()
        device = config.device or best_device()
        model, tok = load_run_model(Path(run_dir), device=device, dtype=_dtype_for(device))
        model.eval()
        return cls(model, tok, config, label=f"run {Path(run_dir).name}")

    @classmethod
    def from_model(cls, spec: str | None, home: Path, config: LocalBackendConfig | None = None) -> "LocalBackend":
        """A plain model: `embedded`, a local folder, or a Hugging Face id in the local cache."""
        from eva_cli.models import best_device, load_causal_lm, load_tokenizer, resolve_model

        config = config or LocalBackendConfig()
        device = config.device or best_device()
        path = resolve_model(spec, home)
        tok = load_tokenizer(path)
        model = load_causal_lm(path, dtype=_dtype_for(device), device=device, tokenizer=tok)
        model.eval()
        return cls(model, tok, config, label=spec or "embedded")

    # -- the Backend interface ----------------------------------------------------------------
    async def generate(self, messages: list[dict], *, max_new_tokens: int | None = None,
                       temperature: float | None = None) -> str:
        reply = await self.generate_reply(messages, max_new_tokens=max_new_tokens, temperature=temperature)
        return trim_to_sentence(reply.text) if reply.cut else reply.text

    async def generate_reply(self, messages: list[dict], *, max_new_tokens: int | None = None,
                             temperature: float | None = None) -> Reply:
        """Queue one request; it is generated with whatever else is queued (up to max_concurrency)."""
        if self._closing:
            raise BackendError("the local backend is shutting down")
        loop = asyncio.get_running_loop()
        self._ensure_worker()
        req = _Request(messages=list(messages),
                       max_new_tokens=max_new_tokens or self.config.max_new_tokens,
                       temperature=self.config.temperature if temperature is None else temperature,
                       future=loop.create_future())
        self._queue.append(req)
        self._wakeup.set()
        try:
            return await asyncio.wait_for(asyncio.shield(req.future), self.config.timeout_s)
        except asyncio.TimeoutError:
            req.abandoned = True
            raise GenerationTimeout(f"no reply within {self.config.timeout_s:g} s") from None
        except asyncio.CancelledError:
            req.abandoned = True
            raise

    def count_tokens(self, text: str) -> int:
        return len(self._count_tokenizer(text, add_special_tokens=False)["input_ids"])

    async def aclose(self) -> None:
        """Finish every request already queued, then stop the worker thread."""
        self._closing = True
        if self._worker is not None:
            self._wakeup.set()
            await self._worker
            self._worker = None
        self._executor.shutdown(wait=True)

    # -- the worker ---------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._wakeup = asyncio.Event()
            self._worker = asyncio.create_task(self._run(), name="eva-local-backend")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._drop_abandoned()
            if not self._queue:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if len(self._queue) < self.config.max_concurrency and self.config.batch_window_ms > 0:
                await asyncio.sleep(self.config.batch_window_ms / 1000)  # let a burst gather
            batch = self._take_batch()
            if not batch:
                continue
            started = time.perf_counter()
            try:
                replies = await loop.run_in_executor(self._executor, self._generate_sync, batch)
            except Exception as exc:  # the model failed: every request in the batch gets the error
                log.warning("generation failed for a batch of %d: %s: %s", len(batch), type(exc).__name__, exc)
                for req in batch:
                    if not req.future.done():
                        req.future.set_exception(BackendError(f"{type(exc).__name__}: {exc}"))
                continue
            self.stats.batches += 1
            self.stats.requests += len(batch)
            self.stats.sizes.append(len(batch))
            self.stats.tokens += sum(r.tokens for r in replies)
            self.stats.generate_seconds += time.perf_counter() - started
            for req, reply in zip(batch, replies):
                if not req.future.done():
                    req.future.set_result(reply)

    def _drop_abandoned(self) -> None:
        if any(r.abandoned for r in self._queue):
            self._queue = deque(r for r in self._queue if not r.abandoned)

    def _take_batch(self) -> list[_Request]:
        """Up to max_concurrency queued requests that share the head request's temperature."""
        self._drop_abandoned()
        if not self._queue:
            return []
        key = self._queue[0].temperature
        batch, rest = [], deque()
        while self._queue:
            req = self._queue.popleft()
            if len(batch) < self.config.max_concurrency and req.temperature == key:
                batch.append(req)
            else:
                rest.append(req)
        self._queue = rest
        return batch

    # -- the model (worker thread only) -------------------------------------------------------
    def _collect_stop_ids(self) -> set[int]:
        ids: set[int] = set()
        for value in (self.tokenizer.eos_token_id, self.tokenizer.pad_token_id,
                      getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)):
            if isinstance(value, int):
                ids.add(value)
            elif isinstance(value, (list, tuple)):
                ids.update(v for v in value if isinstance(v, int))
        return ids

    def _generate_sync(self, batch: list[_Request]) -> list[Reply]:
        tok, cfg = self.tokenizer, self.config
        texts = [tok.apply_chat_template(r.messages, tokenize=False, add_generation_prompt=True) for r in batch]
        ids = [tok(t, add_special_tokens=False)["input_ids"][-cfg.max_prompt_tokens:] for t in texts]
        prefix = self._shared_system_prefix(batch, ids) if cfg.prefix_cache else None
        try:
            out, width = self._generate_ids(batch, self._with_prefix(ids, prefix) if prefix else self._left_padded(ids))
        except Exception as exc:
            if not prefix:
                raise
            # A model whose cache cannot be shared this way: turn the optimisation off, keep serving.
            log.warning("system-prompt cache disabled (%s: %s)", type(exc).__name__, exc)
            cfg.prefix_cache = False
            self._prefixes.clear()
            out, width = self._generate_ids(batch, self._left_padded(ids))
        new = out[:, width:].tolist()
        replies = []
        for req, row in zip(batch, new):
            row = row[: req.max_new_tokens]
            end = next((i for i, t in enumerate(row) if t in self._stop_ids), len(row))
            text = tok.decode(row[:end], skip_special_tokens=True).strip()
            replies.append(Reply(text=text, tokens=end, cut=end == req.max_new_tokens))
        return replies

    def _generate_ids(self, batch: list[_Request], inputs: dict):
        """(output ids, prompt width) of one batched `generate`."""
        import torch

        tok, cfg = self.tokenizer, self.config
        temperature = batch[0].temperature
        kwargs = dict(max_new_tokens=max(r.max_new_tokens for r in batch), pad_token_id=tok.pad_token_id,
                      eos_token_id=sorted(self._stop_ids) or None, repetition_penalty=cfg.repetition_penalty)
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=cfg.top_p)
        else:
            kwargs.update(do_sample=False)
        with torch.inference_mode():
            out = self.model.generate(**inputs, **kwargs)
        return out, inputs["input_ids"].shape[1]

    def _left_padded(self, ids: list[list[int]]) -> dict:
        import torch

        width = max(len(x) for x in ids)
        pad = self.tokenizer.pad_token_id
        input_ids = [[pad] * (width - len(x)) + x for x in ids]
        mask = [[0] * (width - len(x)) + [1] * len(x) for x in ids]
        device = self.model.device
        return {"input_ids": torch.tensor(input_ids, device=device), "attention_mask": torch.tensor(mask, device=device)}

    def _shared_system_prefix(self, batch: list[_Request], ids: list[list[int]]) -> tuple[int, ...] | None:
        """The system prompt's tokens, when every request of the batch starts with the same one."""
        first = batch[0].messages[0] if batch[0].messages else None
        if not first or first.get("role") != "system" or any(r.messages[0] != first for r in batch):
            return None
        text = self.tokenizer.apply_chat_template([first], tokenize=False, add_generation_prompt=False)
        prefix = tuple(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        if len(prefix) < 8 or any(len(x) <= len(prefix) or tuple(x[: len(prefix)]) != prefix for x in ids):
            return None  # the template does not tokenize the system turn on its own the same way
        return prefix

    def _with_prefix(self, ids: list[list[int]], prefix: tuple[int, ...]) -> dict:
        """[system prompt | padding | rest] with the system prompt's KV cache computed once and reused.

        Padding sits between the shared prefix and each request's own tokens; the attention mask hides
        it and positions follow the mask, so the model sees exactly what it sees without the cache."""
        import copy

        import torch

        cache = self._prefixes.get(prefix)
        if cache is None:
            with torch.inference_mode():
                out = self.model(input_ids=torch.tensor([list(prefix)], device=self.model.device), use_cache=True)
            cache = out.past_key_values
            if len(self._prefixes) >= 8:  # one per language in practice
                self._prefixes.pop(next(iter(self._prefixes)))
            self._prefixes[prefix] = cache
        n = len(prefix)
        rest = [x[n:] for x in ids]
        width = max(len(r) for r in rest)
        pad = self.tokenizer.pad_token_id
        input_ids = [list(prefix) + [pad] * (width - len(r)) + r for r in rest]
        mask = [[1] * n + [0] * (width - len(r)) + [1] * len(r) for r in rest]
        batch_cache = copy.deepcopy(cache)
        if len(ids) > 1:
            batch_cache.batch_repeat_interleave(len(ids))
        device = self.model.device
        return {"input_ids": torch.tensor(input_ids, device=device), "attention_mask": torch.tensor(mask, device=device),
                "past_key_values": batch_cache}


def _dtype_for(device: str):
    import torch

    return torch.bfloat16 if device.startswith("cuda") and torch.cuda.is_bf16_supported() else torch.float32
