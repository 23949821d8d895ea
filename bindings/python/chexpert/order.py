"""Epoch order and sharding: ``chexpert_shard_indices`` from Python.

The order of an epoch is a pure function of (seed, epoch) — the same on every
machine, for every worker count — and is split among ``world`` ranks
round-robin, so that after every rank has consumed k examples the consumed
ones are a prefix of the epoch's order. A :class:`State` (seed, epoch,
position) therefore resumes any rank, with the same or another world size.
"""

from __future__ import annotations

import dataclasses
import operator
from ctypes import POINTER, byref, c_int64, c_size_t

import numpy as np

from . import _ffi

__all__ = ["State", "Sharding", "shard_indices", "shard_size", "epoch_batches", "REMAINDERS"]

#: Remainder rule names -> chexpert_remainder.
REMAINDERS = {"pad": _ffi.CHEXPERT_REMAINDER_PAD, "drop": _ffi.CHEXPERT_REMAINDER_DROP,
              "uneven": _ffi.CHEXPERT_REMAINDER_UNEVEN}


@dataclasses.dataclass(frozen=True)
class State:
    """Where an iteration stands: the next example of epoch `epoch` is at
    `position` of that epoch's order (examples all ranks together consumed)."""

    seed: int = 0
    epoch: int = 0
    position: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, state: dict) -> "State":
        return cls(seed=operator.index(state["seed"]), epoch=operator.index(state["epoch"]),
                   position=operator.index(state["position"]))


@dataclasses.dataclass(frozen=True)
class Sharding:
    """This process's share: rank ``rank`` of ``world``; `remainder` says what
    happens to the examples that do not divide evenly (``"pad"``: repeated
    from the order's start, as DistributedSampler; ``"drop"``: left out this
    epoch; ``"uneven"``: ranks differ by one)."""

    rank: int = 0
    world: int = 1
    remainder: str = "pad"

    def __post_init__(self):
        if self.remainder not in REMAINDERS:
            raise ValueError(f"remainder must be one of {tuple(REMAINDERS)}, not {self.remainder!r}")
        if not 0 <= operator.index(self.rank) < operator.index(self.world):
            raise ValueError(f"rank must be in 0 ..< world ({self.world}), not {self.rank}")

    @classmethod
    def from_torch(cls, remainder: str = "pad") -> "Sharding":
        """torch.distributed's rank and world size (0 of 1 when not initialised)."""
        import torch.distributed as dist
        if dist.is_available() and dist.is_initialized():
            return cls(dist.get_rank(), dist.get_world_size(), remainder)
        return cls(0, 1, remainder)

    @classmethod
    def from_input_context(cls, context, remainder: str = "pad") -> "Sharding":
        """A ``tf.distribute.InputContext``'s input pipeline id and count."""
        if context is None:
            return cls(0, 1, remainder)
        return cls(context.input_pipeline_id, context.num_input_pipelines, remainder)


def _arguments(count, seed, epoch, shuffle, start, sharding) -> tuple:
    return (operator.index(count), operator.index(seed) & (2**64 - 1),
            operator.index(epoch) & (2**64 - 1), 1 if shuffle else 0, operator.index(start),
            operator.index(sharding.rank), operator.index(sharding.world), REMAINDERS[sharding.remainder])


def _size(args: tuple) -> int:
    size = c_size_t(0)
    _ffi.fits(_ffi.chexpert_shard_indices, *args, None, 0, byref(size))
    return size.value


def shard_size(count: int, *, start: int = 0, sharding: Sharding = Sharding()) -> int:
    """How many indices :func:`shard_indices` gives (the same for any seed and epoch)."""
    return _size(_arguments(count, 0, 0, False, start, sharding))


def shard_indices(count: int, *, seed: int = 0, epoch: int = 0, shuffle: bool = True,
                  start: int = 0, sharding: Sharding = Sharding()) -> np.ndarray:
    """int64 positions 0 ..< count that rank `sharding.rank` visits in `epoch`."""
    args = _arguments(count, seed, epoch, shuffle, start, sharding)
    out = np.empty(_size(args), dtype=np.int64)
    _ffi.chexpert_shard_indices(*args, out.ctypes.data_as(POINTER(c_int64)), out.size, None)
    return out


def position_after(start: int, consumed_per_rank: int, world: int, count: int) -> int:
    """The epoch position once every rank has consumed `consumed_per_rank`
    examples from `start` (capped at `count`: the epoch is done)."""
    return min(count, start + consumed_per_rank * world)


def epoch_batches(count: int, batch_size: int, *, seed: int, epoch: int, shuffle: bool,
                  start: int = 0, sharding: Sharding = Sharding(), drop_last: bool = False) -> list:
    """This rank's batches of epoch `epoch` from position `start`: a list of
    (positions int64 array into 0 ..< count, :class:`State` after the batch).
    The last batch may be short unless `drop_last`; the state after the last
    batch is the next epoch's start."""
    order = shard_indices(count, seed=seed, epoch=epoch, shuffle=shuffle, start=start, sharding=sharding)
    stop = order.size // batch_size * batch_size if drop_last else order.size
    batches = []
    for first in range(0, stop, batch_size):
        consumed = min(first + batch_size, order.size)
        state = (State(seed, epoch + 1, 0) if first + batch_size >= stop else
                 State(seed, epoch, position_after(start, consumed, sharding.world, count)))
        batches.append((order[first:first + batch_size], state))
    return batches
