"""The epoch order (chexpert_shard_indices) against chexpert.h's own words,
and the resume and sharding contracts the loaders build on it.

`reference_order` re-implements the algorithm exactly as the header pins it
(CHEXPERT_ORDER_VERSION 1), from the text alone: if the library and its
documentation ever disagree, this fails.
"""

from __future__ import annotations

import numpy as np
import pytest

import chexpert
from chexpert import Sharding, State, shard_indices, shard_size
from chexpert.order import epoch_batches

MASK = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class _SplitMix64:
    def __init__(self, state: int):
        self.state = state

    def next(self) -> int:
        self.state = (self.state + GOLDEN) & MASK
        return _mix(self.state)

    def below(self, bound: int) -> int:
        """Lemire's multiply-and-reject: uniform in 0 ..< bound."""
        product = self.next() * bound
        if product & MASK < bound:
            threshold = (2**64 - bound) % bound
            while product & MASK < threshold:
                product = self.next() * bound
        return product >> 64


def reference_order(count, seed, epoch, shuffle, start, rank, world, remainder) -> list:
    order = list(range(count))
    if shuffle:
        random = _SplitMix64(seed ^ _mix((epoch + GOLDEN) & MASK))
        for i in range(count - 1, 0, -1):
            j = random.below(i + 1)
            order[i], order[j] = order[j], order[i]
    rest = order[start:]
    length = {"pad": -(-len(rest) // world) * world, "drop": len(rest) // world * world,
              "uneven": len(rest)}[remainder]
    dealt = [rest[p] if p < len(rest) else order[(p - len(rest)) % count] for p in range(length)]
    return dealt[rank::world]


@pytest.mark.parametrize("count", [0, 1, 2, 5, 97, 1000])
@pytest.mark.parametrize("world,remainder", [(1, "pad"), (3, "pad"), (3, "drop"), (4, "uneven"), (8, "pad")])
def test_library_order_is_the_documented_algorithm(count, world, remainder):
    for seed, epoch in [(0, 0), (7, 3), (2**64 - 1, 2**63 + 5)]:
        for start in sorted({0, count // 3, count}):
            for rank in range(world):
                sharding = Sharding(rank, world, remainder)
                expected = reference_order(count, seed, epoch, True, start, rank, world, remainder)
                actual = shard_indices(count, seed=seed, epoch=epoch, start=start, sharding=sharding)
                assert actual.tolist() == expected, (count, seed, epoch, start, rank, world, remainder)
                assert shard_size(count, start=start, sharding=sharding) == len(expected)
    plain = shard_indices(count, shuffle=False, sharding=Sharding(0, world, remainder))
    assert plain.tolist() == reference_order(count, 0, 0, False, 0, 0, world, remainder)


def test_order_is_a_function_of_seed_and_epoch_only():
    a = shard_indices(500, seed=1, epoch=2)
    assert np.array_equal(a, shard_indices(500, seed=1, epoch=2))
    assert sorted(a.tolist()) == list(range(500))
    assert not np.array_equal(a, shard_indices(500, seed=1, epoch=3))
    assert not np.array_equal(a, shard_indices(500, seed=2, epoch=2))
    # A pinned value: the order must never change within CHEXPERT_ORDER_VERSION 1.
    assert shard_indices(10, seed=0, epoch=0).tolist() == reference_order(10, 0, 0, True, 0, 0, 1, "pad")


@pytest.mark.parametrize("count,world", [(100, 4), (101, 4), (7, 3), (3, 5)])
def test_ranks_are_disjoint_complete_and_equal(count, world):
    shards = {m: [shard_indices(count, seed=5, epoch=1, sharding=Sharding(r, world, m)).tolist()
                  for r in range(world)] for m in ("pad", "drop", "uneven")}
    everything = set(range(count))
    uneven = shards["uneven"]
    assert sorted(sum(uneven, [])) == list(range(count))               # exactly once
    assert max(map(len, uneven)) - min(map(len, uneven)) <= 1
    drop = shards["drop"]
    assert len({len(s) for s in drop}) == 1 and len(drop[0]) == count // world
    assert len(set(sum(drop, []))) == len(sum(drop, []))                # never twice
    pad = shards["pad"]
    assert len({len(s) for s in pad}) == 1 and len(pad[0]) == -(-count // world)
    assert set(sum(pad, [])) == everything                              # all seen
    assert len(sum(pad, [])) - count == (-count) % world               # the padding


def test_resume_with_the_same_or_another_world_size():
    count, seed, epoch, batch = 103, 9, 4, 5
    full = shard_indices(count, seed=seed, epoch=epoch, sharding=Sharding(0, 1, "uneven")).tolist()
    # 4 ranks consume 3 batches each, then the job restarts.
    world = 4
    batches = {r: epoch_batches(count, batch, seed=seed, epoch=epoch, shuffle=True,
                                sharding=Sharding(r, world)) for r in range(world)}
    states = {batches[r][2][1] for r in range(world)}
    assert len(states) == 1                           # every rank saves the same state
    state = states.pop()
    assert state == State(seed, epoch, 3 * batch * world)
    consumed = sorted(i for r in range(world) for b in batches[r][:3] for i in b[0].tolist())
    assert consumed == sorted(full[:state.position])
    # Same world: each rank continues its own shard exactly.
    for r in range(world):
        resumed = epoch_batches(count, batch, seed=seed, epoch=epoch, shuffle=True,
                                start=state.position, sharding=Sharding(r, world))
        assert [b[0].tolist() for b in resumed] == [b[0].tolist() for b in batches[r][3:]]
        assert resumed[-1][1] == State(seed, epoch + 1, 0)
    # Another world (3 ranks, uneven): exactly the rest of the epoch, once.
    rest = sorted(i for r in range(3) for b in epoch_batches(
        count, batch, seed=seed, epoch=epoch, shuffle=True, start=state.position,
        sharding=Sharding(r, 3, "uneven")) for i in b[0].tolist())
    assert rest == sorted(full[state.position:])


def test_loader_state_resumes_mid_epoch(tree_dataset):
    split = tree_dataset["train"]
    resize = chexpert.Resize(16)
    loader = chexpert.Loader(split, 4, resize, shuffle=True, seed=11, names=True, prefetch=1)
    first = list(loader)                              # epoch 0, whole
    second = iter(loader)                             # epoch 1: stop after 2 batches
    taken = [next(second) for _ in range(2)]
    saved = loader.state_dict()
    assert saved == taken[-1]["state"] == {"seed": 11, "epoch": 1, "position": 8}
    second.close()
    uninterrupted = list(chexpert.Loader(split, 4, resize, shuffle=True, seed=11, names=True,
                                         state=State(11, 1, 0)))
    assert [b["name"] for b in taken] == [b["name"] for b in uninterrupted[:2]]
    resumed = chexpert.Loader(split, 4, resize, shuffle=True, seed=0, names=True, state=saved)
    rest = list(resumed)
    assert [b["name"] for b in rest] == [b["name"] for b in uninterrupted[2:]]
    for a, b in zip(rest, uninterrupted[2:]):
        assert np.array_equal(a["image"], b["image"]) and np.array_equal(a["label"], b["label"])
    assert rest[-1]["state"] == {"seed": 11, "epoch": 2, "position": 0}
    assert resumed.epoch == 2
    assert sorted(n for b in first for n in b["name"]) == sorted(split.read_batch(range(len(split)))["name"])


def test_loader_shards_by_rank(tree_dataset):
    split = tree_dataset["train"]
    resize = chexpert.Resize(8)
    world = 3
    loaders = [chexpert.Loader(split, 4, resize, shuffle=True, seed=2, rank=r, world=world, remainder="drop")
               for r in range(world)]
    lengths = {len(loader) for loader in loaders}
    assert len(lengths) == 1
    seen = [i for loader in loaders for batch in loader for i in batch["index"].tolist()]
    assert len(seen) == len(set(seen))
    assert len(seen) >= len(split) - (world * 4 + world)
