"""Offline reply metrics: length, distinct-1/2, ROUGE-L F1 and unigram F1 against a reference.

Words are Unicode word runs (so Ukrainian counts the same way as English), lower-cased.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Unique n-grams / all n-grams over a set of replies (Li et al., 2016); 0.0 when there are none."""
    grams: list[tuple[str, ...]] = []
    for text in texts:
        w = words(text)
        grams.extend(tuple(w[i:i + n]) for i in range(len(w) - n + 1))
    return len(set(grams)) / len(grams) if grams else 0.0


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _f1(overlap: float, n_hyp: int, n_ref: int) -> float:
    if overlap == 0 or n_hyp == 0 or n_ref == 0:
        return 0.0
    p, r = overlap / n_hyp, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_l_f1(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 (longest common word subsequence, beta = 1)."""
    h, r = words(hypothesis), words(reference)
    return _f1(_lcs(h, r), len(h), len(r))


def unigram_f1(hypothesis: str, reference: str) -> float:
    """Bag-of-words F1 (clipped word counts), as in SQuAD answer scoring."""
    h, r = Counter(words(hypothesis)), Counter(words(reference))
    return _f1(sum((h & r).values()), sum(h.values()), sum(r.values()))


def reply_metrics(replies: Sequence[str], references: Sequence[str]) -> dict:
    """Means over replies paired with their references, plus set-level distinct-n."""
    if len(replies) != len(references):
        raise ValueError("replies and references must pair up")
    n = len(replies)
    if n == 0:
        return {"n": 0}
    return {
        "n": n,
        "length_words": sum(len(words(t)) for t in replies) / n,
        "length_chars": sum(len(t) for t in replies) / n,
        "empty": sum(1 for t in replies if not t.strip()),
        "distinct_1": distinct_n(replies, 1),
        "distinct_2": distinct_n(replies, 2),
        "rouge_l_f1": sum(rouge_l_f1(h, r) for h, r in zip(replies, references)) / n,
        "unigram_f1": sum(unigram_f1(h, r) for h, r in zip(replies, references)) / n,
    }
