"""Reward margins with the same definitions as TRL's ORPO trainer (trl.experimental.orpo).

Per pair, exactly as ORPOTrainer does it:
  * prompt / chosen / rejected text: `trl.data_utils.maybe_apply_chat_template` (the function ORPO maps over its
    dataset), so the chat template is applied the same way as in training;
  * tokens: `ORPOTrainer.tokenize_row` (re-implemented in `tokenize_pair`): prompt+answer tokenized together, the
    prompt boundary moved back one token where the tokenizer merged across it, BOS prepended if missing, EOS
    appended if missing, the answer (never the prompt) cut so the sequence fits `max_length`;
  * log p: `get_batch_logps(average_log_prob=True)`: the mean log-probability of the answer tokens;
  * `odds_ratio_loss`: reward = beta * mean log p; log_odds = (lc - lr) - (log1mexp(lc) - log1mexp(lr));
    TRL logs mean(logsigmoid(log_odds)) as `log_odds_ratio` and mean(log_odds) as `log_odds_chosen`;
  * `nll_loss`: cross-entropy of the chosen sequence over ALL its non-pad tokens (prompt + reply), token-weighted.

Two deliberate differences, neither changing a figure beyond float noise: log-softmax is taken in float32 even
for bf16 models, and chosen and rejected sequences are batched independently by length instead of padded together
per pair (1.4-1.8x faster on a GPU; see docs/benchmarks.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

IGNORE = -100


@dataclass(frozen=True)
class PairTokens:
    """One tokenized pair: chosen and rejected full sequences and where their answers start."""

    index: int                 # position in the caller's list of pairs
    chosen_ids: list[int]
    chosen_start: int          # first answer token in chosen_ids
    rejected_ids: list[int]
    rejected_start: int

    @property
    def scorable(self) -> bool:
        """False when the prompt alone fills max_length and truncation left no answer token."""
        return len(self.chosen_ids) > self.chosen_start and len(self.rejected_ids) > self.rejected_start


@dataclass(frozen=True)
class PairScore:
    """Sums and counts per pair, from which every aggregate is computed."""

    index: int
    logp_chosen: float         # mean log p over chosen answer tokens (TRL average_log_prob=True)
    logp_rejected: float
    chosen_tokens: int         # answer tokens (incl. EOS) after truncation
    rejected_tokens: int
    nll_full_sum: float        # -sum log p over the whole chosen sequence (prompt + answer), TRL nll_loss
    nll_full_count: int


def template_pair(tokenizer, prompt: list[dict], chosen: list[dict], rejected: list[dict]) -> tuple[str, str, str]:
    """Prompt, chosen and rejected as text, via the very function TRL's ORPO maps over its dataset."""
    from trl.data_utils import maybe_apply_chat_template

    out = maybe_apply_chat_template({"prompt": prompt, "chosen": chosen, "rejected": rejected}, tokenizer)
    return out["prompt"], out["chosen"], out["rejected"]


def _split_answer(tokenizer, prompt: str, answer: str) -> tuple[list[int], list[int]]:
    """ORPOTrainer.build_tokenized_answer: enc(prompt + answer) split at the prompt boundary."""
    full = tokenizer(prompt + answer, add_special_tokens=False)["input_ids"]
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    start = len(prompt_ids)
    if prompt_ids != full[:start]:  # the last prompt token merged with the answer
        start -= 1
    return list(full[:start]), list(full[start:])


def tokenize_pair(tokenizer, prompt: str, chosen: str, rejected: str, max_length: int, index: int = 0) -> PairTokens:
    """ORPOTrainer.tokenize_row for a decoder-only model."""
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    parts = []
    for answer in (chosen, rejected):
        p_ids, a_ids = _split_answer(tokenizer, prompt, answer)
        if bos is not None and (not p_ids or p_ids[0] != bos):
            p_ids = [bos] + p_ids
        if eos is not None and (not a_ids or a_ids[-1] != eos):
            a_ids = a_ids + [eos]
        if len(p_ids) + len(a_ids) > max_length:  # TRL cuts the answer, never the prompt
            a_ids = a_ids[: max(0, max_length - len(p_ids))]
        parts.append((p_ids + a_ids, len(p_ids)))
    (c_ids, c_start), (r_ids, r_start) = parts
    return PairTokens(index, c_ids, c_start, r_ids, r_start)


def tokenize_pairs(tokenizer, pairs: Sequence[dict], max_length: int) -> list[PairTokens]:
    """Tokenize rows with prompt/chosen/rejected message lists (schema PAIRS)."""
    out = []
    for i, row in enumerate(pairs):
        p, c, r = template_pair(tokenizer, list(row["prompt"]), list(row["chosen"]), list(row["rejected"]))
        out.append(tokenize_pair(tokenizer, p, c, r, max_length, index=i))
    return out


@dataclass(frozen=True)
class Side:
    """One side of a pair: a full token sequence and where its answer starts."""

    pair: int                  # PairTokens.index
    rejected: bool
    ids: list[int]
    start: int


def sides(items: Sequence[PairTokens]) -> list[Side]:
    out = []
    for t in items:
        out.append(Side(t.index, False, t.chosen_ids, t.chosen_start))
        out.append(Side(t.index, True, t.rejected_ids, t.rejected_start))
    return out


def length_batches(seqs: Sequence[Side], batch_size: int) -> list[list[Side]]:
    """Batches of `batch_size` sequences of similar length, longest first (an out-of-memory shows at once).

    TRL pads each pair's chosen and rejected to one length (for FSDP); scoring sequences independently gives
    the same numbers with far less padding.
    """
    ordered = sorted(seqs, key=lambda q: (-len(q.ids), q.pair, q.rejected))
    return [ordered[i:i + batch_size] for i in range(0, len(ordered), batch_size)]


def _collate(batch: Sequence[Side], pad_id: int):
    """Right-padded input ids, attention mask and labels (-100 outside the answer), as TRL's collator makes them."""
    import torch

    width = max(len(q.ids) for q in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    for row, q in enumerate(batch):
        ids[row, : len(q.ids)] = torch.tensor(q.ids, dtype=torch.long)
        mask[row, : len(q.ids)] = 1
        labels[row, q.start: len(q.ids)] = torch.tensor(q.ids[q.start:], dtype=torch.long)
    return ids, mask, labels


def _token_logps(logits, ids):
    """log p(ids[t+1] | ids[:t+1]) for every position, in float32, one row at a time to bound memory."""
    import torch

    rows = []
    for row_logits, row_ids in zip(logits[:, :-1], ids[:, 1:]):
        row_logits = row_logits.float()
        picked = row_logits.gather(-1, row_ids.unsqueeze(-1)).squeeze(-1)
        rows.append(picked - torch.logsumexp(row_logits, dim=-1))
    return torch.stack(rows)


def score_batch(model, batch: Sequence[Side], pad_id: int) -> list[tuple[float, int, float, int]]:
    """One forward pass; per sequence (answer log p sum, answer tokens, whole-sequence log p sum, its tokens)."""
    import torch

    device = next(model.parameters()).device
    ids, mask, labels = (x.to(device) for x in _collate(batch, pad_id))
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=mask, use_cache=False).logits
        logps = _token_logps(logits, ids)                    # (B, L-1)
        answer = (labels[:, 1:] != IGNORE).float()
        full = mask[:, 1:].float()
        sums = torch.stack([(logps * answer).sum(-1), answer.sum(-1), (logps * full).sum(-1), full.sum(-1)], -1)
    return [(a, int(n), f, int(m)) for a, n, f, m in sums.double().cpu().tolist()]


def score_pairs(model, tokens: Sequence[PairTokens], pad_id: int, batch_size: int,
                advance: Callable[[float], None] | None = None) -> list[PairScore]:
    """Scores for every scorable pair, in the order of `tokens`; `batch_size` pairs = 2x sequences per pass."""
    from eva_cli.errors import EvaError

    per_side: dict[tuple[int, bool], tuple[float, int, float, int]] = {}
    for batch in length_batches(sides([t for t in tokens if t.scorable]), 2 * batch_size):
        try:
            results = score_batch(model, batch, pad_id)
        except RuntimeError as exc:
            if "out of memory" in str(exc).lower():
                raise EvaError(f"out of memory scoring {len(batch)} sequences of up to {len(batch[0].ids)} tokens.",
                               "Lower --batch-size (for example --batch-size 2).") from exc
            raise
        for q, r in zip(batch, results):
            per_side[(q.pair, q.rejected)] = r
        if advance:
            advance(len(batch) / 2)
    out = []
    for t in tokens:
        if (t.index, False) not in per_side:
            continue
        (c_sum, c_n, full_sum, full_n), (r_sum, r_n, _, _) = per_side[(t.index, False)], per_side[(t.index, True)]
        out.append(PairScore(index=t.index, logp_chosen=c_sum / c_n, logp_rejected=r_sum / r_n, chosen_tokens=c_n,
                             rejected_tokens=r_n, nll_full_sum=-full_sum, nll_full_count=full_n))
    return out


# --- aggregates (numpy, float64) -------------------------------------------------------------------------------

def log1mexp(x: np.ndarray) -> np.ndarray:
    """log(1 - exp(x)) for x < 0, stable on both sides of -ln 2 (TRL's log1mexp)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x < -math.log(2), np.log1p(-np.exp(x)), np.log(-np.expm1(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, -np.log1p(np.exp(-x)), x - np.log1p(np.exp(x)))


@dataclass(frozen=True)
class PairArrays:
    """Per-pair figures as arrays (same order as the scores)."""

    reward_chosen: np.ndarray
    reward_rejected: np.ndarray
    margin: np.ndarray
    correct: np.ndarray        # 1.0 where chosen's reward beats rejected's (TRL: strictly greater)
    log_odds: np.ndarray       # TRL `log_odds_chosen` per pair
    log_odds_ratio: np.ndarray  # logsigmoid(log_odds), TRL `log_odds_ratio` per pair
    logp_chosen: np.ndarray
    logp_rejected: np.ndarray
    nll_full_sum: np.ndarray
    nll_full_count: np.ndarray
    chosen_tokens: np.ndarray


def pair_arrays(scores: Sequence[PairScore], beta: float) -> PairArrays:
    lc = np.array([s.logp_chosen for s in scores], dtype=np.float64)
    lr = np.array([s.logp_rejected for s in scores], dtype=np.float64)
    rc, rr = beta * lc, beta * lr
    log_odds = (lc - lr) - (log1mexp(lc) - log1mexp(lr))
    return PairArrays(
        reward_chosen=rc, reward_rejected=rr, margin=rc - rr, correct=(rc > rr).astype(np.float64),
        log_odds=log_odds, log_odds_ratio=log_sigmoid(log_odds), logp_chosen=lc, logp_rejected=lr,
        nll_full_sum=np.array([s.nll_full_sum for s in scores], dtype=np.float64),
        nll_full_count=np.array([s.nll_full_count for s in scores], dtype=np.float64),
        chosen_tokens=np.array([s.chosen_tokens for s in scores], dtype=np.float64),
    )


def summarize(a: PairArrays, beta: float, idx: np.ndarray | None = None) -> dict:
    """Aggregates over the pairs in `idx` (all when None), named like TRL's logged metrics.

    nll_chosen is TRL's `nll_loss` taken over the whole set as one batch (token-weighted over prompt + reply);
    nll_chosen_reply is the mean NLL of the reply tokens only; ppl_* = exp(nll_*).
    """
    sel = slice(None) if idx is None else idx
    n = int(a.margin[sel].shape[0])
    if n == 0:
        return {"n": 0}
    nll = float(a.nll_full_sum[sel].sum() / a.nll_full_count[sel].sum())
    reply_tokens = a.chosen_tokens[sel]
    nll_reply = float(-(a.logp_chosen[sel] * reply_tokens).sum() / reply_tokens.sum())
    ratio = float(a.log_odds_ratio[sel].mean())
    return {
        "n": n,
        "accuracy": float(a.correct[sel].mean()),
        "margin_mean": float(a.margin[sel].mean()),
        "margin_median": float(np.median(a.margin[sel])),
        "margin_std": float(a.margin[sel].std(ddof=1)) if n > 1 else 0.0,
        "reward_chosen": float(a.reward_chosen[sel].mean()),
        "reward_rejected": float(a.reward_rejected[sel].mean()),
        "logps_chosen": float(a.logp_chosen[sel].mean()),
        "logps_rejected": float(a.logp_rejected[sel].mean()),
        "log_odds_ratio": ratio,
        "log_odds_chosen": float(a.log_odds[sel].mean()),
        "nll_chosen": nll,
        "ppl_chosen": float(math.exp(min(nll, 700.0))),
        "nll_chosen_reply": nll_reply,
        "ppl_chosen_reply": float(math.exp(min(nll_reply, 700.0))),
        "orpo_loss": nll - beta * ratio,
    }
