"""Epoch order and sharding: ``chexpert_shard_indices`` from Python.

The order of an epoch is a pure function of (seed, epoch) — the same on every
machine, for every worker count — and is split among ``world`` ranks
round-robin, so that after every rank has consumed k examples the consumed
ones are a prefix of the epoch's order. A :class:`State` (seed, epoch,
position) therefore resumes any rank, with the same or another world size.
"""

from __future__ import annotations

import dataclasses
from ctypes import byref, c_int64, c_size_t

import numpy as np

from . import _buffers, _checks, _ffi

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

    def __post_init__(self):
        # Exact ints in their domains (seed and epoch: uint64; position: an
        # epoch position), stored as Python ints.
        object.__setattr__(self, "seed", _checks.seed(self.seed, "state seed"))
        object.__setattr__(self, "epoch", _checks.seed(self.epoch, "state epoch"))
        object.__setattr__(self, "position", _position(self.position, "state position"))

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, state: dict) -> "State":
        return cls(seed=state["seed"], epoch=state["epoch"], position=state["position"])


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
        world = _checks.integer(self.world, "world", 1, _ffi.CHEXPERT_MAX_WORLD,
                                what=f"1 ... CHEXPERT_MAX_WORLD ({_ffi.CHEXPERT_MAX_WORLD})")
        rank = _checks.integer(self.rank, "rank", 0, world - 1, what=f"0 ..< world ({world})")
        object.__setattr__(self, "world", world)
        object.__setattr__(self, "rank", rank)

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


def _position(value, name: str) -> int:
    """An epoch position: 0 ..= CHEXPERT_MAX_SHARD_COUNT."""
    return _checks.integer(value, name, 0, _ffi.CHEXPERT_MAX_SHARD_COUNT,
                           what=f"0 ... CHEXPERT_MAX_SHARD_COUNT ({_ffi.CHEXPERT_MAX_SHARD_COUNT})")


def _sharding(sharding) -> Sharding:
    if not isinstance(sharding, Sharding):
        raise TypeError(f"sharding must be a chexpert.Sharding, not {type(sharding).__name__}")
    return sharding


def _params(seed, epoch, shuffle, start, sharding) -> "_ffi.Params":
    """The order keys of chexpert_shard_indices (made per epoch, not per
    batch), each checked (:mod:`chexpert._checks`) before the Params exist."""
    sharding = _sharding(sharding)
    values = {
        _ffi.CHEXPERT_KEY_SHUFFLE: 1 if shuffle else 0,
        _ffi.CHEXPERT_KEY_SEED: _checks.as_int64_bits(_checks.seed(seed, "seed")),
        _ffi.CHEXPERT_KEY_EPOCH: _checks.as_int64_bits(_checks.seed(epoch, "epoch")),
        _ffi.CHEXPERT_KEY_START: _position(start, "start"),
        _ffi.CHEXPERT_KEY_RANK: sharding.rank,
        _ffi.CHEXPERT_KEY_WORLD: sharding.world,
        _ffi.CHEXPERT_KEY_REMAINDER: REMAINDERS[sharding.remainder],
    }
    return _ffi.Params(values)


def _count(count, name: str = "count") -> int:
    """A number of examples to order: 0 ..= CHEXPERT_MAX_SHARD_COUNT (above:
    ChexpertLimitError, as the library)."""
    return _checks.integer(count, name, 0, _ffi.CHEXPERT_MAX_SHARD_COUNT, limit=True,
                           what=f"0 ... CHEXPERT_MAX_SHARD_COUNT ({_ffi.CHEXPERT_MAX_SHARD_COUNT})")


def _size(params, count: int) -> int:
    size = c_size_t(0)
    _ffi.chexpert_shard_indices(params, count, None, 0, byref(size))
    return size.value


def shard_size(count: int, *, start: int = 0, sharding: Sharding = Sharding()) -> int:
    """How many indices :func:`shard_indices` gives (the same for any seed and epoch)."""
    count = _count(count)
    params = _params(0, 0, False, start, sharding)
    try:
        return _size(params, count)
    finally:
        params.close()


def shard_indices(count: int, *, seed: int = 0, epoch: int = 0, shuffle: bool = True,
                  start: int = 0, sharding: Sharding = Sharding()) -> np.ndarray:
    """int64 positions 0 ..< count that rank `sharding.rank` visits in `epoch`."""
    count = _count(count)
    params = _params(seed, epoch, shuffle, start, sharding)
    try:
        out = _buffers.empty(_size(params, count), np.int64)
        _ffi.chexpert_shard_indices(params, count, _buffers.pointer(out, c_int64), out.size, None)
    finally:
        params.close()
    return out


def batch_size_of(value, name: str = "batch_size") -> int:
    """A batch size: 1 ..= CHEXPERT_MAX_SHARD_COUNT."""
    return _checks.integer(value, name, 1, _checks.MAX_BATCH_SIZE,
                           what=f"1 ... {_checks.MAX_BATCH_SIZE}")


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
    batch_size = batch_size_of(batch_size)
    order = shard_indices(count, seed=seed, epoch=epoch, shuffle=shuffle, start=start, sharding=sharding)
    seed, epoch, start = _checks.seed(seed), _checks.seed(epoch, "epoch"), _position(start, "start")
    stop = order.size // batch_size * batch_size if drop_last else order.size
    batches = []
    for first in range(0, stop, batch_size):
        consumed = min(first + batch_size, order.size)
        # The next epoch in uint64 arithmetic, as the library reads epochs.
        state = (State(seed, (epoch + 1) % 2**64, 0) if first + batch_size >= stop else
                 State(seed, epoch, position_after(start, consumed, sharding.world, count)))
        batches.append((order[first:first + batch_size], state))
    return batches
