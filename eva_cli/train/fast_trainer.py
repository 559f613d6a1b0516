"""EvaORPOTrainer: TRL's ORPOTrainer with the same objective, computed with less waste.

What it changes (each one can be switched off through `SpeedOptions`):
- length_grouped: `PairLengthGroupedSampler` instead of random batches (TRL's own
  `group_by_length` crashes on preference rows): same pairs per epoch, far less padding.
- token_cache_dir: TRL's tokenization of the train/eval sets is stored in the workspace and
  reused while data, tokenizer and tokenization parameters are unchanged (`token_cache`).
- share_prompt: TRL runs the prompt twice, once before the chosen and once before the rejected
  reply. eva packs each pair as one row [prompt | chosen | rejected], with position ids that
  restart the rejected reply right after the prompt and an attention mask that hides the chosen
  reply from it, so every token sees exactly the context it sees in TRL's two rows.
- split_pairs (when the prompt cannot be shared): chosen and rejected run as two forward
  passes, each padded to its own width, instead of one padded to the longer of the two.
- trim_logits: TRL computes full-vocabulary logits at every position of every row (padding and
  rejected prompts included) and reads only some. eva feeds the output layer only the positions
  the loss reads (chosen: every real token, for the NLL term; rejected: its reply) and takes one
  log-softmax for both terms.
- pad_to_multiple_of: "auto" rounds widths up to a multiple of 8 on CUDA only; on the CPU it
  was measured to cost time (docs/benchmarks.md).
- liger: on CUDA with liger-kernel installed, LigerFusedLinearORPOLoss computes the same loss
  chunk by chunk without materialising the logits at all.
- gradient_checkpointing: "auto" decides per batch. Checkpointing saves memory but recomputes the
  forward (measured +31% step time on CPU, docs/benchmarks.md), so a batch runs without it when its
  estimated activations fit in 60% of available RAM (80% of free GPU memory) and with it when they
  do not. With length grouping most batches are short and skip the recomputation. On CUDA a step
  that still runs out of memory is retried with checkpointing, which then stays on.

The loss is TRL's: NLL over the chosen prompt+reply tokens (token mean over the batch) minus
beta * mean log-sigmoid of the log-odds ratio of the length-normalised reply log-probabilities.
tests/test_speed_trainer.py checks loss and gradients against plain ORPOTrainer on one batch.

`SpeedOptions` imports without torch; `EvaORPOTrainer` is built on first access.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

AUTO = "auto"
# Decoder families whose attention is plain causal + RoPE positions, so a custom 4D mask with
# explicit position ids reproduces two separate rows exactly.
SHAREABLE_MODEL_TYPES = frozenset({"llama", "mistral", "qwen2", "qwen3", "granite", "olmo", "olmo2"})


def _tri(value, name: str):
    """Normalise a bool-or-'auto' option."""
    if isinstance(value, str):
        low = value.strip().lower()
        if low == AUTO:
            return AUTO
        if low in ("on", "true", "yes", "1"):
            return True
        if low in ("off", "false", "no", "0"):
            return False
        raise ValueError(f"{name} must be true, false or 'auto', got {value!r}")
    return bool(value)


@dataclass
class SpeedOptions:
    """How EvaORPOTrainer speeds ORPO up without changing what it learns. The defaults are eva's."""

    length_grouped: bool = field(default=True, metadata={
        "help": "batch pairs of similar chosen+rejected length (shuffled within megabatches)"})
    token_cache_dir: Path | None = field(default=None, metadata={
        "help": "folder for the tokenization cache (eva train uses workspace/cache); None = no cache"})
    pad_to_multiple_of: int | None | str = field(default=AUTO, metadata={
        "help": "round sequence widths up to a multiple of N; 'auto' = 8 on CUDA only; None or 'off' = never"})
    liger: bool | str = field(default=AUTO, metadata={
        "help": "Liger fused linear ORPO loss; 'auto' = on when liger-kernel is installed and CUDA is used"})
    gradient_checkpointing: bool | str = field(default=AUTO, metadata={
        "help": "'auto' = per batch: on only when the batch's activations would not fit in memory"})
    share_prompt: bool | str = field(default=AUTO, metadata={
        "help": "run each pair as one row [prompt|chosen|rejected]; 'auto' = when the model and attention allow"})
    split_pairs: bool | str = field(default=AUTO, metadata={
        "help": "without share_prompt: chosen and rejected as two forwards; 'auto' = single process only"})
    trim_logits: bool = field(default=True, metadata={
        "help": "apply the output layer only where the ORPO loss reads logits"})
    megabatch_mult: int = field(default=50, metadata={
        "help": "length grouping sorts within megabatches of this many optimizer steps"})

    def __post_init__(self):
        if self.token_cache_dir is not None:
            self.token_cache_dir = Path(self.token_cache_dir)
        pad = self.pad_to_multiple_of
        if isinstance(pad, str):
            low = pad.strip().lower()
            if low in ("off", "none", "0", ""):
                pad = None
            elif low == AUTO:
                pad = AUTO
            elif low.isdigit():
                pad = int(low)
            else:
                raise ValueError(f"pad_to_multiple_of must be a positive integer, 'auto' or 'off', got {pad!r}")
        if isinstance(pad, bool) or (isinstance(pad, int) and pad < 1):
            raise ValueError(f"pad_to_multiple_of must be a positive integer, 'auto' or 'off', got {pad!r}")
        self.pad_to_multiple_of = pad
        self.liger = _tri(self.liger, "liger")
        self.gradient_checkpointing = _tri(self.gradient_checkpointing, "gradient_checkpointing")
        self.share_prompt = _tri(self.share_prompt, "share_prompt")
        self.split_pairs = _tri(self.split_pairs, "split_pairs")
        self.length_grouped = bool(self.length_grouped)
        self.trim_logits = bool(self.trim_logits)
        if isinstance(self.megabatch_mult, bool) or int(self.megabatch_mult) < 1:
            raise ValueError(f"megabatch_mult must be an integer >= 1, got {self.megabatch_mult!r}")
        self.megabatch_mult = int(self.megabatch_mult)

    @classmethod
    def off(cls) -> "SpeedOptions":
        """Every speed-up off: EvaORPOTrainer then runs exactly plain ORPOTrainer's code paths."""
        return cls(length_grouped=False, token_cache_dir=None, pad_to_multiple_of=None, liger=False,
                   gradient_checkpointing=False, share_prompt=False, split_pairs=False, trim_logits=False)


def liger_orpo_loss_class():
    """LigerFusedLinearORPOLoss when an installed liger-kernel can compute TRL's objective, else None.

    TRL's NLL term covers the prompt as well as the reply, so the Liger loss must accept a separate
    `nll_target`; versions without it would change the objective and are not used.
    """
    import inspect

    try:
        from liger_kernel.chunked_loss import LigerFusedLinearORPOLoss
    except Exception:  # not installed, or no triton / CUDA build
        return None
    try:
        params = inspect.signature(LigerFusedLinearORPOLoss.forward).parameters
    except (TypeError, ValueError):
        return None
    return LigerFusedLinearORPOLoss if "nll_target" in params else None


def __getattr__(name: str):
    if name == "EvaORPOTrainer":
        cls = _build_trainer_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _checkpointing_arg(args) -> bool:
    """Whether TrainingArguments ask for checkpointing (`activation_checkpointing` in transformers >= 5.2x)."""
    return bool(getattr(args, "activation_checkpointing", None) or getattr(args, "gradient_checkpointing", False))


def _set_checkpointing_args(args, on: bool) -> None:
    """Set checkpointing on TrainingArguments after construction: the new name and the deprecated alias."""
    for name in ("activation_checkpointing", "gradient_checkpointing"):
        if hasattr(args, name):
            setattr(args, name, on)
    if on:
        for name in ("activation_checkpointing_kwargs", "gradient_checkpointing_kwargs"):
            if hasattr(args, name):
                setattr(args, name, {"use_reentrant": False, **(getattr(args, name) or {})})


def _round_up(n: int, multiple: int | None) -> int:
    if not multiple or multiple <= 1:
        return n
    return -(-n // multiple) * multiple


# ---- batch layouts ------------------------------------------------------------------------------
#
# A plan is one model call plus, for every log-probability the loss needs, where to read it:
#   rows, cols: the hidden state (row, position) whose logits predict the token
#   targets:    the token id predicted
#   completion: the token is part of the reply (counts towards the sequence log-probability)
#   seq:        0..B-1 = chosen sequence i, B..2B-1 = rejected sequence i
# plus, for Liger, where each whole sequence lies: seq_ids, seq_row, seq_cols (S, W), seq_valid.


@dataclass
class ForwardPlan:
    input_ids: object
    attention_mask: object
    position_ids: object | None
    rows: object
    cols: object
    targets: object
    completion: object
    seq: object
    seq_ids: object
    seq_row: object
    seq_cols: object
    seq_valid: object
    real_tokens: int = 0  # non-padding positions in input_ids


def _prompt_lengths(labels, lengths):
    """Leading -100 labels per row = prompt tokens (TRL masks the prompt, and only the prompt, so).

    A row whose reply was truncated away entirely is all prompt: its prompt length is its length.
    """
    import torch

    real = labels != -100
    first = torch.where(real.any(-1), real.int().argmax(-1).long(), lengths.long())
    return torch.minimum(first, lengths.long())


def _row_entries(lengths, prompt, chosen: bool, seq_offset: int, row_offset: int):
    """Entries for sequences laid out one per row from column 0 (TRL's layout)."""
    import torch

    rows, cols, completion, seq = [], [], [], []
    for i, (n, p) in enumerate(zip(lengths.tolist(), prompt.tolist())):
        if chosen:  # every real token after the first: TRL's NLL term
            c = torch.arange(0, max(0, n - 1))
        else:       # the reply only
            c = torch.arange(max(0, p - 1), max(0, n - 1))
        rows.append(torch.full_like(c, row_offset + i))
        cols.append(c)
        completion.append(c >= p - 1)
        seq.append(torch.full_like(c, seq_offset + i))
    return [torch.cat(x) for x in (rows, cols, completion, seq)]


def _rows_plan(ids, mask, labels, lengths, prompt, chosen_flags, seq_offsets, pad_value: int, width: int, device):
    """One call over sequences stacked as rows (TRL-style), padded to `width`."""
    import torch
    import torch.nn.functional as F

    def pad(t, value):
        return F.pad(t[:, :width], (0, max(0, width - t.shape[1])), value=value)

    ids_p, mask_p = pad(ids, pad_value), pad(mask, 0)
    parts = [_row_entries(lengths[k:k + 1], prompt[k:k + 1], bool(chosen_flags[k]), int(seq_offsets[k]), k)
             for k in range(ids.shape[0])]
    rows, cols, completion, seq = (torch.cat([p[j] for p in parts]) for j in range(4))
    targets = ids_p[rows, cols + 1]
    seq_cols = torch.arange(width)[None, :].expand(ids.shape[0], width)
    seq_valid = seq_cols < lengths[:, None]
    return ForwardPlan(ids_p.to(device), mask_p.to(device), None, rows.to(device), cols.to(device),
                       targets.to(device), completion.to(device), seq.to(device),
                       torch.as_tensor(seq_offsets).to(device), torch.arange(ids.shape[0]).to(device),
                       seq_cols.to(device), seq_valid.to(device), int(lengths.sum()))


def plan_forwards(batch, layout: str, pad_value: int, pad_multiple: int | None, device,
                  mask_dtype=None) -> list[ForwardPlan]:
    """Model calls for one ORPO batch: layout "concat" (TRL's), "split" or "shared" (see module doc).

    `mask_dtype` None gives a boolean 4D mask (SDPA); a float dtype gives an additive one (eager).
    """
    import torch

    c_ids, c_mask, c_lab = (batch[f"chosen_{k}"].cpu() for k in ("input_ids", "attention_mask", "labels"))
    r_ids, r_mask, r_lab = (batch[f"rejected_{k}"].cpu() for k in ("input_ids", "attention_mask", "labels"))
    n = c_ids.shape[0]
    c_len, r_len = c_mask.sum(-1).long(), r_mask.sum(-1).long()
    c_pro, r_pro = _prompt_lengths(c_lab, c_len), _prompt_lengths(r_lab, r_len)
    chosen_seq, rejected_seq = list(range(n)), list(range(n, 2 * n))

    if layout == "split":
        return [
            _rows_plan(c_ids, c_mask, c_lab, c_len, c_pro, [True] * n, chosen_seq, pad_value,
                       _round_up(int(c_len.max()), pad_multiple), device),
            _rows_plan(r_ids, r_mask, r_lab, r_len, r_pro, [False] * n, rejected_seq, pad_value,
                       _round_up(int(r_len.max()), pad_multiple), device),
        ]
    if layout == "concat":
        width = _round_up(max(int(c_len.max()), int(r_len.max())), pad_multiple)
        import torch.nn.functional as F

        def widen(t, value):
            return F.pad(t, (0, max(0, width - t.shape[1])), value=value)[:, :width]

        ids = torch.cat([widen(c_ids, pad_value), widen(r_ids, pad_value)])
        mask = torch.cat([widen(c_mask, 0), widen(r_mask, 0)])
        labels = torch.cat([widen(c_lab, -100), widen(r_lab, -100)])
        return [_rows_plan(ids, mask, labels, torch.cat([c_len, r_len]), torch.cat([c_pro, r_pro]),
                           [True] * n + [False] * n, chosen_seq + rejected_seq, pad_value, width, device)]
    if layout != "shared":
        raise ValueError(f"unknown layout {layout!r}")

    # shared: row i = prompt_i | chosen reply_i | rejected reply_i | padding
    width = _round_up(int((c_len + r_len - c_pro).max()), pad_multiple)
    ids = torch.full((n, width), pad_value, dtype=c_ids.dtype)
    pos = torch.zeros((n, width), dtype=torch.long)
    segment = torch.full((n, width), 3, dtype=torch.long)  # 0 prompt, 1 chosen, 2 rejected, 3 padding
    rows, cols, targets, completion, seq = [], [], [], [], []
    seq_cols = torch.zeros((2 * n, width), dtype=torch.long)
    seq_valid = torch.zeros((2 * n, width), dtype=torch.bool)
    for i in range(n):
        p, lc, lr = int(c_pro[i]), int(c_len[i]), int(r_len[i])
        nc, nr = lc - p, lr - p  # reply lengths
        ids[i, :lc] = c_ids[i, :lc]
        ids[i, lc:lc + nr] = r_ids[i, p:lr]
        pos[i, :lc] = torch.arange(lc)
        pos[i, lc:lc + nr] = torch.arange(p, lr)
        pos[i, lc + nr:] = torch.arange(lc + nr, width)
        segment[i, :p], segment[i, p:lc], segment[i, lc:lc + nr] = 0, 1, 2
        # chosen: logits at 0..lc-2 predict tokens 1..lc-1 (NLL); those from p-1 on are the reply
        cc = torch.arange(0, max(0, lc - 1))
        rows.append(torch.full_like(cc, i)), cols.append(cc), targets.append(c_ids[i, 1:lc])
        completion.append(cc >= p - 1), seq.append(torch.full_like(cc, i))
        # rejected reply token j sits at lc+j; it is predicted by the last prompt token (j=0) or lc+j-1
        rc = torch.cat([torch.tensor([p - 1]), torch.arange(lc, lc + nr - 1)]) if nr > 0 and p > 0 \
            else torch.zeros(0, dtype=torch.long)
        rows.append(torch.full_like(rc, i)), cols.append(rc), targets.append(r_ids[i, p:p + len(rc)])
        completion.append(torch.ones_like(rc, dtype=torch.bool)), seq.append(torch.full_like(rc, n + i))
        seq_cols[i, :lc] = torch.arange(lc)
        seq_valid[i, :lc] = True
        seq_cols[n + i, :p] = torch.arange(p)
        seq_cols[n + i, p:lr] = torch.arange(lc, lc + nr)
        seq_valid[n + i, :lr] = True
    q, k = segment[:, :, None], segment[:, None, :]
    causal = torch.ones(width, width, dtype=torch.bool).tril()
    allowed = causal[None] & ((k == 0) | (k == q))  # padding rows see the prompt and themselves: no empty rows
    mask = allowed[:, None]
    if mask_dtype is not None:
        mask = torch.zeros(mask.shape, dtype=mask_dtype).masked_fill(~mask, torch.finfo(mask_dtype).min)
    return [ForwardPlan(ids.to(device), mask.to(device), pos.to(device),
                        *(torch.cat(x).to(device) for x in (rows, cols, targets, completion, seq)),
                        torch.arange(2 * n).to(device), torch.cat([torch.arange(n), torch.arange(n)]).to(device),
                        seq_cols.to(device), seq_valid.to(device), int((c_len + r_len - c_pro).sum()))]


def can_share_prompt(batch) -> bool:
    """True when every pair's chosen and rejected rows start with the same prompt tokens."""
    import torch

    c_ids, r_ids = batch["chosen_input_ids"], batch["rejected_input_ids"]
    c_pro = _prompt_lengths(batch["chosen_labels"], batch["chosen_attention_mask"].sum(-1))
    r_pro = _prompt_lengths(batch["rejected_labels"], batch["rejected_attention_mask"].sum(-1))
    if not torch.equal(c_pro, r_pro) or bool((c_pro == 0).any()):
        return False
    width = min(c_ids.shape[1], r_ids.shape[1])
    cols = torch.arange(width, device=c_ids.device)[None, :]
    in_prompt = cols < c_pro[:, None]
    return bool(((c_ids[:, :width] == r_ids[:, :width]) | ~in_prompt).all())


def reduce_log_probs(token_logps, completion, seq, n_pairs: int):
    """(chosen_logps, rejected_logps, nll): TRL's length-normalised reply log-probs and chosen NLL."""
    import torch

    total = 2 * n_pairs
    sums = torch.zeros(total, dtype=token_logps.dtype, device=token_logps.device)
    sums = sums.index_add(0, seq[completion], token_logps[completion])
    counts = torch.bincount(seq[completion], minlength=total).to(token_logps.dtype)
    logps = sums / counts
    nll = -token_logps[seq < n_pairs].mean()
    return logps[:n_pairs], logps[n_pairs:], nll


def estimate_slots(batch, layout: str) -> int:
    """Input positions one batch takes in `layout` (before any rounding up of widths)."""
    c_len = batch["chosen_attention_mask"].sum(-1)
    r_len = batch["rejected_attention_mask"].sum(-1)
    n = int(c_len.shape[0])
    if layout == "shared":
        prompt = _prompt_lengths(batch["chosen_labels"], c_len)
        return n * int((c_len + r_len - prompt).max())
    if layout == "split":
        return n * (int(c_len.max()) + int(r_len.max()))
    return 2 * n * max(int(c_len.max()), int(r_len.max()))


class _HeadTap:
    """Forward pre-hook on the output layer: feed it only selected positions, or capture its input."""

    def __init__(self):
        self.select = None   # (rows, cols) index tensors
        self.capture = False  # keep the hidden states, give the output layer nothing to do
        self.hidden = None

    def __call__(self, module, args, kwargs):
        if self.select is None and not self.capture:
            return None
        h = args[0]
        if self.capture:
            self.hidden = h
            return (h[..., :0, :], *args[1:]), kwargs
        rows, cols = self.select
        return (h[rows, cols], *args[1:]), kwargs


def _build_trainer_class():
    import torch
    import torch.nn.functional as F
    from trl.experimental.orpo import ORPOTrainer

    from eva_cli.train.sampler import PairLengthGroupedSampler, pair_lengths
    from eva_cli.train.token_cache import TokenCache, cache_key

    class EvaORPOTrainer(ORPOTrainer):
        """Drop-in ORPOTrainer (same constructor) plus `speed: SpeedOptions`."""

        def __init__(self, *args, speed: SpeedOptions | None = None, **kwargs):
            import inspect

            self.speed = speed if speed is not None else SpeedOptions()
            bound = inspect.signature(ORPOTrainer.__init__).bind(self, *args, **kwargs)
            call = dict(bound.arguments)
            call.pop("self")
            targs = call.get("args")
            model = call.get("model")
            on_cuda = torch.cuda.is_available() and not getattr(targs, "use_cpu", False)

            # Gradient checkpointing: True/False are fixed; "auto" (which overrides TRL's default of on)
            # decides per step from this batch's activation memory (see _checkpointing_for).
            gc = self.speed.gradient_checkpointing
            self._eva_gc_auto = gc == AUTO
            self._eva_gc_forced_on = False  # set after a CUDA out-of-memory without checkpointing
            self._eva_on_cuda = on_cuda
            if targs is not None:
                _set_checkpointing_args(targs, gc is True)

            # Tokenization cache: on a hit TRL tokenizes one row only and the cached rows are swapped in.
            cached, to_store = {}, {}
            tok = call.get("processing_class")
            self._eva_token_cache = None
            if self.speed.token_cache_dir is not None and tok is not None and hasattr(model, "config"):
                from datasets import Dataset

                self._eva_token_cache = TokenCache(self.speed.token_cache_dir)
                params = {
                    "trainer": "orpo",
                    "max_length": getattr(targs, "max_length", None) or 512,
                    "max_completion_length": getattr(targs, "max_completion_length", None),
                    "is_encoder_decoder": bool(getattr(model.config, "is_encoder_decoder", False)),
                }
                for name in ("train_dataset", "eval_dataset"):
                    ds = call.get(name)
                    if not isinstance(ds, Dataset) or len(ds) == 0:
                        continue
                    try:
                        key, desc = cache_key(ds, tok, params)
                    except Exception as exc:  # e.g. a processor without a vocabulary: tokenize as TRL does
                        log.warning("tokenization cache off for %s: %s", name, exc)
                        continue
                    hit = self._eva_token_cache.load(key)
                    if hit is not None:
                        cached[name] = hit
                        call[name] = ds.select([0])
                    else:
                        to_store[name] = (key, desc)
            self.eva_cache_hits = sorted(cached)

            super().__init__(**call)

            for name, dataset in cached.items():
                setattr(self, name, dataset)
            if to_store and self.accelerator.is_main_process:
                for name, (key, desc) in to_store.items():
                    self._eva_token_cache.save(key, getattr(self, name), desc)

            pad = self.speed.pad_to_multiple_of
            self._eva_pad_multiple = (8 if on_cuda else None) if pad == AUTO else pad
            self._eva_layout = self._resolve_layout()
            self._eva_liger = self._resolve_liger(on_cuda)
            self._eva_tap = None
            self.eva_gradient_checkpointing = _checkpointing_arg(self.args)
            self.eva_gc_steps = 0  # training steps run with checkpointing on
            self._eva_act_bytes = None
            # input positions fed to the model and how many held real tokens (padding = the rest)
            self.eva_token_counts = {"slots": 0, "real": 0}

        # ---- choices -------------------------------------------------------------------------

        def _resolve_layout(self) -> str:
            """"shared", "split" or "concat" (TRL's); batches that cannot share fall back per batch."""
            distributed = self.accelerator.num_processes > 1
            config = getattr(self.accelerator.unwrap_model(self.model), "config", None)
            attn = getattr(config, "_attn_implementation", None)
            window = getattr(config, "sliding_window", None)
            shareable = (not self.is_encoder_decoder and attn in ("sdpa", "eager")
                         and getattr(config, "model_type", None) in SHAREABLE_MODEL_TYPES
                         and (window is None or window >= self.max_length))
            share = self.speed.share_prompt
            if share is True and not shareable:
                log.warning("share_prompt is off: model type %r with %r attention cannot take the pair mask.",
                            getattr(config, "model_type", None), attn)
            if share is not False and shareable:
                return "shared"
            split = self.speed.split_pairs
            if split is True and distributed:
                log.warning("split_pairs is off under DDP: DistributedDataParallel needs one forward per step.")
            return "split" if (split is True or split == AUTO) and not distributed else "concat"

        def _resolve_liger(self, on_cuda: bool):
            want = self.speed.liger
            if want is False or (want == AUTO and not on_cuda):
                return None
            loss_cls = liger_orpo_loss_class()
            usable = (loss_cls is not None and not self.is_encoder_decoder and not self.aux_loss_enabled
                      and self._plain_head() is not None)
            if want is True and not usable:
                from eva_cli.errors import InputError

                raise InputError("liger: liger-kernel with `nll_target` support is not installed, or cannot handle "
                                 "this model's output layer.", "pip install liger-kernel, or turn liger off.")
            if not usable:
                return None
            # Uncompiled: with torch 2.11 on an H200, compiled=True stopped a QLoRA run in torch.compile
            # (InternalTorchDynamoError, docs/benchmarks.md). The chunked loss still never builds full logits.
            return loss_cls(ignore_index=-100, beta=self.beta, compute_nll_loss=True, compiled=False)

        def _plain_head(self):
            head = self.accelerator.unwrap_model(self.model).get_output_embeddings()
            if type(head) is torch.nn.Linear and head.weight.is_floating_point():
                return head
            return None

        @property
        def eva_layout(self) -> str:
            return self._eva_layout

        @property
        def eva_liger_active(self) -> bool:
            return self._eva_liger is not None

        # ---- sampler -------------------------------------------------------------------------

        def _get_train_sampler(self, train_dataset=None):
            dataset = train_dataset if train_dataset is not None else self.train_dataset
            if not self.speed.length_grouped or "chosen_input_ids" not in getattr(dataset, "column_names", ()):
                return super()._get_train_sampler(train_dataset)
            lengths = pair_lengths(dataset)
            if self._eva_layout == "shared" and "prompt_input_ids" in dataset.column_names:
                import pyarrow.compute as pc

                prompt = pc.list_value_length(dataset.with_format("arrow")["prompt_input_ids"]).to_pylist()
                lengths = [n - p for n, p in zip(lengths, prompt)]
            seed = self.args.data_seed if self.args.data_seed is not None else self.args.seed
            return PairLengthGroupedSampler(lengths, batch_size=self._train_batch_size,
                                            world_size=max(1, self.args.world_size),
                                            megabatch_mult=self.speed.megabatch_mult, seed=seed)

        # ---- gradient checkpointing, decided per batch -------------------------------------

        def _activation_bytes_per_token(self) -> float:
            """Estimated activation memory one token keeps for the backward pass without checkpointing.

            Per decoder layer: the inputs saved by norms, projections, attention and the gated MLP
            (about 12 x hidden + 5 x intermediate values), plus the LoRA dropout copies when dropout is
            on. Calibrated on SmolLM2-135M with LoRA r16 (measured 1.7 MB/token, estimated 2.3 MB).
            """
            if self._eva_act_bytes is None:
                unwrapped = self.accelerator.unwrap_model(self.model)
                cfg = unwrapped.config
                layers = getattr(cfg, "num_hidden_layers", 24)
                hidden = getattr(cfg, "hidden_size", 2048)
                inter = getattr(cfg, "intermediate_size", None) or 4 * hidden
                width = 2 if self.args.bf16 or self.args.fp16 else 4
                per_layer = 12 * hidden + 5 * inter
                peft = getattr(unwrapped, "peft_config", None) or {}
                if any(getattr(c, "lora_dropout", 0) for c in peft.values()):
                    per_layer += 6 * hidden + inter
                vocab = getattr(cfg, "vocab_size", 32000)
                self._eva_act_bytes = (layers * per_layer * width, 3 * vocab * 4)  # activations, logits
            return self._eva_act_bytes

        def _memory_budget(self) -> int:
            """Bytes this step may use for activations: free device memory, or available RAM."""
            if self._eva_on_cuda:
                free, _ = torch.cuda.mem_get_info(self.accelerator.device)
                cached = torch.cuda.memory_reserved(self.accelerator.device) - torch.cuda.memory_allocated(
                    self.accelerator.device)
                return int(0.8 * (free + cached))
            try:
                with open("/proc/meminfo", encoding="ascii") as fh:
                    info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in fh}
                return int(0.6 * info["MemAvailable"])
            except (OSError, KeyError, ValueError, IndexError):
                import os

                return int(0.6 * os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))

        def _checkpointing_for(self, inputs) -> bool:
            """Whether this batch needs checkpointing to fit: estimated activations vs the memory budget."""
            if not self._eva_gc_auto:
                return _checkpointing_arg(self.args)
            if self._eva_gc_forced_on:
                return True
            slots = estimate_slots(inputs, self._eva_layout)
            act, logits = self._activation_bytes_per_token()
            if self._eva_liger is not None:
                logits = 0  # Liger never materialises the logits
            return slots * (act + logits) > self._memory_budget()

        def _set_checkpointing(self, on: bool) -> None:
            if on == self.eva_gradient_checkpointing:
                return
            unwrapped = self.accelerator.unwrap_model(self.model)
            if on:
                if hasattr(unwrapped, "activation_checkpointing_enable"):  # transformers >= 5.2x
                    unwrapped.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
                else:
                    unwrapped.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            elif hasattr(unwrapped, "activation_checkpointing_disable"):
                unwrapped.activation_checkpointing_disable()
            else:
                unwrapped.gradient_checkpointing_disable()
            self.eva_gradient_checkpointing = on

        def training_step(self, model, inputs, num_items_in_batch=None):
            if self._eva_gc_auto:
                self._set_checkpointing(self._checkpointing_for(inputs))
            try:
                out = super().training_step(model, inputs, num_items_in_batch)
            except torch.OutOfMemoryError:
                if not (self._eva_gc_auto and self._eva_on_cuda and not self.eva_gradient_checkpointing):
                    raise
                model.zero_grad(set_to_none=True)  # a failed step leaves partial gradients
                torch.cuda.empty_cache()
                log.warning("out of GPU memory without gradient checkpointing: on from now on.")
                self._eva_gc_forced_on = True
                self._set_checkpointing(True)
                out = super().training_step(model, inputs, num_items_in_batch)
            self.eva_gc_steps += int(self.eva_gradient_checkpointing)
            return out

        # ---- the forward ---------------------------------------------------------------------

        def _tap(self, model):
            if self._eva_tap is None:
                head = self.accelerator.unwrap_model(model).get_output_embeddings()
                self._eva_tap = _HeadTap()
                head.register_forward_pre_hook(self._eva_tap, with_kwargs=True)
            return self._eva_tap

        def _plans(self, batch) -> list[ForwardPlan]:
            layout = self._eva_layout
            if layout == "shared" and not can_share_prompt(batch):
                layout = "split" if self.accelerator.num_processes == 1 else "concat"
            mask_dtype = None
            if layout == "shared":
                config = self.accelerator.unwrap_model(self.model).config
                if config._attn_implementation == "eager":
                    mask_dtype = next(self.model.parameters()).dtype
                    mask_dtype = mask_dtype if mask_dtype.is_floating_point else torch.float32
            return plan_forwards(batch, layout, self.padding_value, self._eva_pad_multiple,
                                 self.accelerator.device, mask_dtype)

        def _call(self, model, plan: ForwardPlan):
            self.eva_token_counts["slots"] += int(plan.input_ids.numel())
            self.eva_token_counts["real"] += plan.real_tokens
            kwargs = {"attention_mask": plan.attention_mask, "use_cache": False}
            if plan.position_ids is not None:
                kwargs["position_ids"] = plan.position_ids
            return model(plan.input_ids, **kwargs)

        def concatenated_forward(self, model, batch):
            if (self.is_encoder_decoder or self.aux_loss_enabled or not self.speed.trim_logits
                    or self.accelerator.unwrap_model(model).get_output_embeddings() is None):
                return super().concatenated_forward(model, batch)
            tap = self._tap(model)
            n_pairs = batch["chosen_input_ids"].shape[0]
            token_logps, completion, seq = [], [], []
            logit_sum, logit_count = [0.0, 0.0], [0, 0]  # chosen, rejected
            for plan in self._plans(batch):
                tap.select = (plan.rows, plan.cols)
                try:
                    logits = self._call(model, plan).logits
                finally:
                    tap.select = None
                if logits.dim() == 3:  # the hook did not fire (unusual model): select here instead
                    logits = logits[plan.rows, plan.cols]
                token_logps.append(-F.cross_entropy(logits, plan.targets, reduction="none"))
                completion.append(plan.completion)
                seq.append(plan.seq)
                with torch.no_grad():  # logged means of the computed logits (TRL's include padding)
                    sums = logits.sum(-1, dtype=torch.float32)
                    for side, rows in enumerate((plan.seq < n_pairs, plan.seq >= n_pairs)):
                        logit_sum[side] = logit_sum[side] + sums[rows].sum()
                        logit_count[side] += int(rows.sum()) * logits.shape[-1]
            chosen_logps, rejected_logps, nll = reduce_log_probs(
                torch.cat(token_logps), torch.cat(completion), torch.cat(seq), n_pairs)
            stats = [torch.as_tensor(s / max(1, c)).reshape(1) for s, c in zip(logit_sum, logit_count)]
            return chosen_logps, rejected_logps, stats[0], stats[1], nll

        # ---- Liger (CUDA) --------------------------------------------------------------------

        def get_batch_loss_metrics(self, model, batch, train_eval="train"):
            if self._eva_liger is None:
                return super().get_batch_loss_metrics(model, batch, train_eval)
            head = self._plain_head()
            tap = self._tap(model)
            n_pairs = batch["chosen_input_ids"].shape[0]
            plans = self._plans(batch)
            width = max(int(p.seq_cols.shape[1]) for p in plans)
            hidden = None
            for plan in plans:
                tap.capture = True
                try:
                    self._call(model, plan)
                finally:
                    tap.capture = False
                h, tap.hidden = tap.hidden, None
                seq_h = h[plan.seq_row[:, None], plan.seq_cols] * plan.seq_valid[..., None].to(h.dtype)
                seq_h = F.pad(seq_h, (0, 0, 0, width - seq_h.shape[1]))
                if hidden is None:
                    hidden = seq_h.new_zeros((2 * n_pairs, width, seq_h.shape[-1]))
                hidden = hidden.index_copy(0, plan.seq_ids, seq_h)
            device = hidden.device
            ids = torch.cat([F.pad(batch[f"{s}_input_ids"], (0, width - batch[f"{s}_input_ids"].shape[1]),
                                   value=self.padding_value)[:, :width] for s in ("chosen", "rejected")]).to(device)
            mask = torch.cat([F.pad(batch[f"{s}_attention_mask"], (0, width - batch[f"{s}_attention_mask"].shape[1]))
                              [:, :width] for s in ("chosen", "rejected")]).to(device)
            labels = torch.cat([F.pad(batch[f"{s}_labels"], (0, width - batch[f"{s}_labels"].shape[1]), value=-100)
                                [:, :width] for s in ("chosen", "rejected")]).to(device)
            nll_target = torch.where(mask[:, 1:] == 1, ids[:, 1:], -100)
            nll_target[n_pairs:] = -100
            loss, aux = self._eva_liger(head.weight, hidden[:, :-1].contiguous(), labels[:, 1:].contiguous(),
                                        head.bias, nll_target=nll_target.contiguous())
            chosen_logps, rejected_logps, chosen_logits_mean, rejected_logits_mean, nll_loss = aux[:5]
            with torch.no_grad():
                _, chosen_rewards, rejected_rewards, log_odds_ratio, log_odds_chosen = self.odds_ratio_loss(
                    chosen_logps.detach(), rejected_logps.detach())
            prefix = "eval_" if train_eval == "eval" else ""
            gather = self.accelerator.gather_for_metrics
            metrics = {
                f"{prefix}rewards/chosen": gather(chosen_rewards).mean(),
                f"{prefix}rewards/rejected": gather(rejected_rewards).mean(),
                f"{prefix}rewards/accuracies": gather((chosen_rewards > rejected_rewards).float()).mean(),
                f"{prefix}rewards/margins": gather(chosen_rewards - rejected_rewards).mean(),
                f"{prefix}logps/rejected": gather(rejected_logps.detach()).mean(),
                f"{prefix}logps/chosen": gather(chosen_logps.detach()).mean(),
                f"{prefix}logits/rejected": gather(rejected_logits_mean.detach().reshape(1)).mean(),
                f"{prefix}logits/chosen": gather(chosen_logits_mean.detach().reshape(1)).mean(),
                f"{prefix}nll_loss": gather(nll_loss.detach().reshape(1)).mean(),
                f"{prefix}log_odds_ratio": gather(log_odds_ratio.detach().reshape(1)).mean(),
                f"{prefix}log_odds_chosen": gather(log_odds_chosen.detach().reshape(1)).mean(),
            }
            return loss, {k: v.item() for k, v in metrics.items()}

    EvaORPOTrainer.__module__ = __name__
    EvaORPOTrainer.__qualname__ = "EvaORPOTrainer"
    return EvaORPOTrainer
