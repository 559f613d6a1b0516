"""Length-grouped batching for preference pairs.

A batch costs what its longest row costs: ORPO pads every chosen and rejected sequence of a
batch to the longest one. On counseling data (replies from ten to hundreds of words) random
batches spend most of their compute on padding. `PairLengthGroupedSampler` keeps batches
length-homogeneous while still shuffling every epoch:

1. shuffle all pairs with a generator seeded by (seed + epoch);
2. cut that order into megabatches of `megabatch_mult * batch_size * world_size` pairs;
3. sort each megabatch by pair length (chosen + rejected tokens), longest first;
4. cut it into optimizer-step groups of `batch_size * world_size` pairs and shuffle the
   groups (the one incomplete group, if any, stays last);
5. put the group holding the longest pair first, so an out-of-memory shows at step one.

The sampler yields the global order: every rank builds the same order from the same seed and
epoch, and accelerate's `BatchSamplerShard` hands batch `k * world_size + r` to rank `r`, so
the ranks of one step get disjoint batches of similar length. The order is a pure function of
(seed, epoch), so a resumed run skips exactly the batches it already trained on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from torch.utils.data import Sampler


class PairLengthGroupedSampler(Sampler[int]):
    """Yield every index once per epoch, in length-homogeneous batches, reshuffled each epoch."""

    def __init__(self, lengths: Sequence[int], batch_size: int, *, world_size: int = 1,
                 megabatch_mult: int = 50, seed: int = 0, longest_first: bool = True):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if world_size < 1:
            raise ValueError(f"world_size must be >= 1, got {world_size}")
        if megabatch_mult < 1:
            raise ValueError(f"megabatch_mult must be >= 1, got {megabatch_mult}")
        self.lengths = [int(n) for n in lengths]
        self.batch_size = batch_size
        self.world_size = world_size
        self.megabatch_mult = megabatch_mult
        self.seed = seed
        self.longest_first = longest_first
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Called by the Trainer (through accelerate) at the start of every epoch."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self) -> Iterator[int]:
        return iter(self.order())

    def order(self, epoch: int | None = None) -> list[int]:
        """The global index order for `epoch` (default: the current one)."""
        import torch

        n = len(self.lengths)
        if n == 0:
            return []
        g = torch.Generator()
        g.manual_seed(self.seed + (self.epoch if epoch is None else epoch))
        perm = torch.randperm(n, generator=g).tolist()
        step = self.batch_size * self.world_size
        mega = step * self.megabatch_mult
        groups: list[list[int]] = []
        for start in range(0, n, mega):
            block = sorted(perm[start:start + mega], key=lambda i: -self.lengths[i])  # stable: ties keep perm order
            groups.extend(block[j:j + step] for j in range(0, len(block), step))
        full = [grp for grp in groups if len(grp) == step]
        tail = [grp for grp in groups if len(grp) < step]  # at most one: every megabatch but the last is whole
        full = [full[i] for i in torch.randperm(len(full), generator=g).tolist()]
        if self.longest_first and full:
            longest = max(range(len(full)), key=lambda i: self.lengths[full[i][0]])
            full.insert(0, full.pop(longest))
        return [i for grp in full + tail for i in grp]


def rank_batches(order: Sequence[int], batch_size: int, world_size: int, rank: int,
                 drop_last: bool = False) -> list[list[int]]:
    """The batches rank `rank` trains on, the way accelerate's BatchSamplerShard deals them out.

    Batches are dealt round-robin: batch k goes to rank k % world_size. (accelerate then pads the
    final round by cycling from the start when `even_batches` is on; that padding is not shown.)
    """
    batches = [list(order[i:i + batch_size]) for i in range(0, len(order), batch_size)]
    if drop_last and batches and len(batches[-1]) < batch_size:
        batches.pop()
    return [b for k, b in enumerate(batches) if k % world_size == rank]


def pair_lengths(dataset) -> list[int]:
    """chosen + rejected token counts of a dataset tokenized by TRL's ORPOTrainer.tokenize_row."""
    import pyarrow.compute as pc

    arrow = dataset.with_format("arrow")
    chosen = pc.list_value_length(arrow["chosen_input_ids"])
    rejected = pc.list_value_length(arrow["rejected_input_ids"])
    return pc.add(chosen, rejected).to_pylist()
