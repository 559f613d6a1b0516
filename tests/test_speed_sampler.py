"""PairLengthGroupedSampler: every pair once per epoch (1 and 2 ranks), seeded, reshuffled per epoch."""

from __future__ import annotations

import random

import pytest

from eva_cli.train.sampler import PairLengthGroupedSampler, rank_batches


def long_tail(n: int, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    return [int(min(1024, 20 * rng.lognormvariate(1.5, 0.9))) + 2 for _ in range(n)]


@pytest.mark.parametrize("n,batch,world", [(200, 4, 1), (203, 4, 1), (37, 8, 1), (5, 4, 1), (96, 4, 2), (101, 3, 2)])
def test_every_pair_exactly_once_per_epoch(n, batch, world):
    sampler = PairLengthGroupedSampler(long_tail(n), batch_size=batch, world_size=world, megabatch_mult=5, seed=3)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        order = list(sampler)
        assert sorted(order) == list(range(n))
        assert len(sampler) == n


def test_two_ranks_get_disjoint_shards_covering_the_epoch():
    n, batch = 96, 4
    lengths = long_tail(n, seed=1)
    sampler = PairLengthGroupedSampler(lengths, batch_size=batch, world_size=2, megabatch_mult=4, seed=0)
    order = sampler.order(epoch=2)
    rank0 = [i for b in rank_batches(order, batch, 2, 0) for i in b]
    rank1 = [i for b in rank_batches(order, batch, 2, 1) for i in b]
    assert not set(rank0) & set(rank1)
    assert sorted(rank0 + rank1) == list(range(n))
    # both ranks build the same order on their own (same seed and epoch): they agree without talking
    other = PairLengthGroupedSampler(lengths, batch_size=batch, world_size=2, megabatch_mult=4, seed=0)
    assert other.order(epoch=2) == order


def test_accelerate_shards_the_sampler_the_same_way():
    """What the Trainer really does under DDP: accelerate's BatchSamplerShard over our sampler."""
    from accelerate.data_loader import BatchSamplerShard
    from torch.utils.data import BatchSampler

    n, batch = 64, 4
    sampler = PairLengthGroupedSampler(long_tail(n, seed=2), batch_size=batch, world_size=2, megabatch_mult=3, seed=5)
    sampler.set_epoch(1)
    seen = []
    for rank in range(2):
        shard = BatchSamplerShard(BatchSampler(sampler, batch, drop_last=False), num_processes=2, process_index=rank)
        got = [b for b in shard]
        assert got == rank_batches(sampler.order(), batch, 2, rank)
        seen += [i for b in got for i in b]
    assert sorted(seen) == list(range(n))


def test_deterministic_by_seed_and_changes_with_epoch_and_seed():
    lengths = long_tail(300)
    a = PairLengthGroupedSampler(lengths, batch_size=4, seed=11)
    b = PairLengthGroupedSampler(lengths, batch_size=4, seed=11)
    assert a.order(0) == b.order(0)
    assert a.order(1) == b.order(1)
    assert a.order(0) != a.order(1)  # epochs still shuffle
    assert PairLengthGroupedSampler(lengths, batch_size=4, seed=12).order(0) != a.order(0)
    # set_epoch drives iteration, as the Trainer (and a resumed run) uses it
    a.set_epoch(1)
    assert list(a) == b.order(1)


def test_batches_are_length_homogeneous():
    lengths = long_tail(400, seed=4)
    batch = 4
    grouped = PairLengthGroupedSampler(lengths, batch_size=batch, seed=0).order(0)
    shuffled = list(range(len(lengths)))
    random.Random(0).shuffle(shuffled)

    def padded(order):  # what a batch costs: its longest row, times its rows
        return sum(batch * max(lengths[i] for i in order[k:k + batch]) for k in range(0, len(order), batch))

    real = sum(lengths)
    assert padded(grouped) < 0.8 * padded(shuffled)
    assert padded(grouped) / real < 1.2


def test_longest_batch_first_and_partial_batch_last():
    lengths = long_tail(103, seed=7)
    order = PairLengthGroupedSampler(lengths, batch_size=4, megabatch_mult=50, seed=0).order(0)
    assert lengths[order[0]] == max(lengths)
    batches = [order[k:k + 4] for k in range(0, len(order), 4)]
    assert [len(b) for b in batches[:-1]] == [4] * (len(batches) - 1)
    assert len(batches[-1]) == 3


def test_rejects_bad_arguments():
    with pytest.raises(ValueError):
        PairLengthGroupedSampler([1, 2], batch_size=0)
    with pytest.raises(ValueError):
        PairLengthGroupedSampler([1, 2], batch_size=2, world_size=0)
    with pytest.raises(ValueError):
        PairLengthGroupedSampler([1, 2], batch_size=2, megabatch_mult=0)
    assert list(PairLengthGroupedSampler([], batch_size=2)) == []
