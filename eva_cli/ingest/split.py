"""Group-safe train/eval split: every example of a group lands in the same split.

Groups are ordered by a seeded hash of their id (independent of input order), then
taken into eval in that order while they fit the target number of eval examples
(eval_fraction of all). At least one group goes to eval and one stays in train
whenever there are two groups or more and eval_fraction > 0.
"""

from __future__ import annotations

import hashlib
from collections import Counter


def _rank(seed: int, group: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x1f{group}".encode("utf-8"), digest_size=8).digest()


def eval_groups(groups: list[str], eval_fraction: float, seed: int) -> set[str]:
    """The set of group ids that go to eval."""
    sizes = Counter(groups)
    if eval_fraction <= 0 or len(sizes) < 2:
        return set()
    target = eval_fraction * len(groups)
    order = sorted(sizes, key=lambda g: _rank(seed, g))
    chosen: set[str] = set()
    taken = 0
    for group in order:
        if taken + sizes[group] <= target:
            chosen.add(group)
            taken += sizes[group]
    if not chosen:  # every group is bigger than the target: take the smallest one
        chosen.add(min(order, key=lambda g: sizes[g]))
    if len(chosen) == len(sizes):  # keep at least one group for training
        chosen.discard(order[-1])
    return chosen


def assign_splits(groups: list[str], eval_fraction: float, seed: int) -> list[str]:
    """'train' or 'eval' for each example, given its group."""
    chosen = eval_groups(groups, eval_fraction, seed)
    return ["eval" if g in chosen else "train" for g in groups]
