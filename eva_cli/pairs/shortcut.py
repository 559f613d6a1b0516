"""How easily chosen and rejected replies are told apart without the prompt: the shortcut score.

A bag-of-words logistic regression (binary word unigrams) is trained to label a reply chosen or
rejected from the reply text alone; its cross-validated balanced accuracy (5 folds; each distinct
reply text counts once per side and never sits in both the training and the test folds) is the score. 0.5 means the words alone
say nothing; near 1.0 means a model can learn the words of the rejected replies instead of the
manner of a good reply. Each group of pairs is measured on a seeded sample (SAMPLE_PAIRS), so the
cost is fixed whatever the corpus size.

Beside it, on the same sample: how much of the user's last message each side echoes (topic
overlap of content words) and the share of rejected replies in the prompt's language.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

TRIVIAL = 0.95        # a kind at or above this accuracy is trivially separable
FOLDS = 5
MIN_PAIRS = 20        # fewer pairs (or fewer prompts than folds): no score
SAMPLE_PAIRS = {"all": 1000, "strategy": 600, "kind": 400}
MODEL = "bag-of-words logistic regression (binary unigrams), reply text only, 5-fold CV by distinct text"


class _Words:
    """Binary unigram vectors of the distinct reply texts of the sampled pairs (built once)."""

    def __init__(self, pairs: list, indices: list[int]) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.pairs = pairs
        texts = list(dict.fromkeys(t for k in indices for t in (pairs[k].chosen, pairs[k].rejected)))
        self.row = {t: r for r, t in enumerate(texts)}
        self.matrix = CountVectorizer(binary=True, token_pattern=r"(?u)\b\w+\b").fit_transform(texts) if texts else None

    def accuracy(self, indices: list[int]) -> float | None:
        """Cross-validated balanced accuracy of telling chosen (1) from rejected (0) by the words of the reply.

        Each distinct (text, side) counts once, and one text never sits in both the training and the test
        folds: a reply that is chosen in one pair and rejected in another (a `mismatch` donor) is then
        right once and wrong once, as it should be, instead of being remembered."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

        items = list(dict.fromkeys((t, side) for k in indices
                                   for t, side in ((self.pairs[k].chosen, 1), (self.pairs[k].rejected, 0))))
        rows = [self.row[t] for t, _ in items]
        labels = [side for _, side in items]
        folds = min(FOLDS, labels.count(1), labels.count(0))
        if len(indices) < MIN_PAIRS or folds < 2:
            return None
        model = LogisticRegression(solver="liblinear", random_state=0)
        scores = cross_val_score(model, self.matrix[rows], labels, groups=rows, cv=StratifiedGroupKFold(n_splits=folds),
                                 scoring="balanced_accuracy")
        return round(float(scores.mean()), 4)


def _sample(indices: list[int], size: int, seed: int) -> list[int]:
    return indices if len(indices) <= size else sorted(random.Random(seed).sample(indices, size))


def measure(pairs: list, seed: int = 42) -> dict[str, Any]:
    """The shortcut score overall, per strategy and per rewrite kind, plus topic overlap and language
    match, for the final `Pair`s."""
    from eva_cli.lang import detect_lang
    from eva_cli.pairs.base import last_user_text
    from eva_cli.pairs.mismatch import content_words, overlap

    by_strategy: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    for k, p in enumerate(pairs):
        by_strategy.setdefault(p.strategy, []).append(k)
        if p.strategy == "rewrite":
            by_kind.setdefault(p.kind, []).append(k)
    sample = _sample(list(range(len(pairs))), SAMPLE_PAIRS["all"], seed)
    strategies = {name: _sample(idx, SAMPLE_PAIRS["strategy"], seed) for name, idx in sorted(by_strategy.items())}
    kinds = {kind: _sample(idx, SAMPLE_PAIRS["kind"], seed) for kind, idx in sorted(by_kind.items())}
    words = _Words(pairs, sorted(set(sample).union(*strategies.values(), *kinds.values())))
    kind_accuracy = {kind: words.accuracy(idx) for kind, idx in kinds.items()}

    chosen_overlap = rejected_overlap = 0.0
    same_lang = checked = 0
    for k in sample:
        p = pairs[k]
        user = content_words(last_user_text(p.messages))
        chosen_overlap += overlap(user, content_words(p.chosen))
        rejected_overlap += overlap(user, content_words(p.rejected))
        if p.lang in ("en", "uk"):
            checked += 1
            same_lang += detect_lang(p.rejected) == p.lang
    n = len(sample) or 1
    return {
        "accuracy": words.accuracy(sample),
        "by_strategy": {name: words.accuracy(idx) for name, idx in strategies.items()},
        "by_rewrite_kind": kind_accuracy,
        "trivial_kinds": sorted(kind for kind, acc in kind_accuracy.items() if acc is not None and acc >= TRIVIAL),
        "threshold": TRIVIAL,
        "topic_overlap": {"chosen": round(chosen_overlap / n, 4), "rejected": round(rejected_overlap / n, 4)},
        "rejected_same_language_share": round(same_lang / checked, 4) if checked else None,
        "pairs_measured": len(sample),
        "sample_sizes": dict(SAMPLE_PAIRS),
        "model": MODEL,
    }


def bow_accuracy(chosen: Sequence[str], rejected: Sequence[str]) -> float | None:
    """The shortcut score of one list of pairs (chosen[i], rejected[i]) with their prompt groups."""
    from types import SimpleNamespace

    pairs = [SimpleNamespace(chosen=c, rejected=r) for c, r in zip(chosen, rejected)]
    indices = list(range(len(pairs)))
    return _Words(pairs, indices).accuracy(indices)
