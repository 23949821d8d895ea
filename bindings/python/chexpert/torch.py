"""PyTorch adapters: a map-style Dataset, an iterable of ready batches, and a
DistributedSampler-compatible sampler whose order is the library's.

- :class:`ChexpertDataset` (map-style): items are dicts with TFDS's keys
  (``image``, ``label``, ``image_view``, ``name``) plus ``index`` and, with
  `targets`, ``target`` and ``mask``; ``__getitems__`` reads a whole batch in
  one C call, so ``DataLoader(ds, batch_size=64)`` decodes each batch in
  native threads. ``default_collate`` keeps the structure.
- :class:`EpochSampler`: the sampler for it, with DistributedSampler's
  arguments; the epoch advances on every ``iter`` (``set_epoch`` still works).
- :class:`ChexpertBatches` (iterable): yields whole batches (use
  ``DataLoader(batches, batch_size=None)``); with DataLoader workers, worker w
  reads batches w, w + K, ... so the batches come out in the same order for
  any number of workers; each carries the ``state`` to resume after it.

Every order is ``chexpert_shard_indices`` of (seed, epoch, rank, world): the
same on every machine and for every worker count.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context

import numpy as np
import torch
import torch.utils.data

from . import _checks
from .order import Sharding, State, batch_size_of, epoch_batches, shard_indices, shard_size
from .resize import Resize
from .split import Split
from .targets import Targets
from .training import read_training_batch

__all__ = ["ChexpertDataset", "ChexpertBatches", "EpochSampler"]

def _check_split(split) -> Split:
    if not isinstance(split, Split):
        raise TypeError(f"split must be a chexpert.Split, not {type(split).__name__}")
    return split


def _resolve(split, targets):
    if targets is None:
        return None
    if not isinstance(targets, Targets):
        raise TypeError(f"targets must be a chexpert.Targets, not {type(targets).__name__}")
    return targets.resolve(split)


def _sharding(rank, world, remainder: str) -> Sharding:
    if rank is None and world is None:
        return Sharding.from_torch(remainder)
    if rank is None or world is None:
        raise ValueError("give both rank and world (or neither, for torch.distributed's)")
    return Sharding(rank, world, remainder)


class ChexpertDataset(torch.utils.data.Dataset):
    """Map-style dataset over a :class:`~chexpert.Split`.

    Args:
        split: a Split (or a slice of one).
        resize: a :class:`~chexpert.Resize` for fixed-size ``image`` tensors;
            ``None`` gives TFDS's uint8 (H, W, 3) images (collate them with
            batch_size=1 or your own collate_fn: their sizes differ).
        targets: a :class:`~chexpert.Targets`: adds ``target`` and ``mask``.
        num_threads: decode threads per ``__getitems__`` call (0: all CPUs).

    ``epoch`` (``set_epoch``; default 0) draws the resize's augmentation, if
    any; DataLoader workers see a new value when they are started (each
    ``iter`` without ``persistent_workers``).
    """

    epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """The epoch the resize's augmentation is drawn for."""
        self.epoch = _checks.seed(epoch, "epoch")

    def __init__(self, split, resize=None, targets=None, num_threads: int = 0):
        self.split = _check_split(split)
        if resize is not None and not isinstance(resize, Resize):
            raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")
        self.resize = resize
        self.num_threads = _checks.thread_count(num_threads)
        self.targets = _resolve(split, targets)

    def __len__(self) -> int:
        return len(self.split)

    def __getitem__(self, index) -> dict:
        return self.__getitems__([index])[0]

    def __getitems__(self, indices) -> list:
        """The items of `indices`, read with one batched library call."""
        positions = _checks.index_array(indices)
        if self.resize is None:
            batch = self.split.read_batch(positions, num_threads=self.num_threads)
            images = [torch.from_numpy(image) for image in batch["image"]]
            if self.targets is not None:
                batch["target"], batch["mask"] = self.split.targets(self.targets, positions)
        else:
            batch = read_training_batch(self.split, positions, self.resize, targets=self.targets,
                                        num_threads=self.num_threads, names=True, epoch=self.epoch)
            images = list(torch.from_numpy(batch["image"]).unbind(0))
        labels = torch.from_numpy(batch["label"])
        views = torch.from_numpy(batch["image_view"])
        items = [{"image": images[i], "label": labels[i], "image_view": views[i],
                  "name": batch["name"][i], "index": int(positions[i])} for i in range(positions.size)]
        if self.targets is not None:
            targets, masks = torch.from_numpy(batch["target"]), torch.from_numpy(batch["mask"])
            for item, target, mask in zip(items, targets, masks):
                item["target"], item["mask"] = target, mask
        return items


class EpochSampler(torch.utils.data.Sampler):
    """torch's DistributedSampler, with the library's order and no forgotten
    ``set_epoch``: each ``iter`` uses ``self.epoch`` and then advances it.

    Args:
        dataset: anything with ``len``.
        num_replicas, rank: default torch.distributed's world size and rank
            (1 and 0 when it is not initialised).
        shuffle, seed: as DistributedSampler; the order is
            ``chexpert.shard_indices(len, seed=seed, epoch=epoch, ...)``.
        drop_last: as DistributedSampler: False pads (repeats examples from
            the order's start), True drops the remainder; ``remainder=`` names
            it directly (``"pad"``, ``"drop"``, ``"uneven"``).
        state: resume (a batch's ``state`` dict or :class:`~chexpert.State`).
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False, *, remainder=None, state=None):
        self.count = len(dataset)
        self.shuffle = bool(shuffle)
        self.seed = _checks.seed(seed)
        remainder = remainder or ("drop" if drop_last else "pad")
        self.sharding = _sharding(rank, num_replicas, remainder)
        self.num_replicas, self.rank = self.sharding.world, self.sharding.rank
        self.epoch = 0
        self.start = 0
        # The last started epoch's start position and length (state_after).
        self._last_start, self._last_size = 0, 0
        if state is not None:
            self.load_state_dict(state)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = _checks.seed(epoch, "epoch")

    def load_state_dict(self, state) -> None:
        state = state if isinstance(state, State) else State.from_dict(state)
        self.seed, self.epoch, self.start = state.seed, state.epoch, state.position

    def state_after(self, batches: int, batch_size: int) -> dict:
        """The state to resume from once every rank has consumed `batches`
        batches of `batch_size` of the current (last started) epoch."""
        batches = _checks.integer(batches, "batches", 0, ctype=_checks.SIZE)
        batch_size = batch_size_of(batch_size)
        epoch = (self.epoch - 1) % 2**64
        consumed = min(batches * batch_size, self._last_size)
        if consumed >= self._last_size:
            return State(self.seed, epoch + 1, 0).as_dict()
        position = min(self.count, self._last_start + consumed * self.sharding.world)
        return State(self.seed, epoch, position).as_dict()

    def __iter__(self):
        epoch, start = self.epoch, self.start
        self.epoch, self.start = (epoch + 1) % 2**64, 0      # uint64, as the library's epochs
        order = shard_indices(self.count, seed=self.seed, epoch=epoch, shuffle=self.shuffle,
                              start=start, sharding=self.sharding)
        self._last_start, self._last_size = start, order.size
        return iter(order.tolist())

    def __len__(self) -> int:
        return shard_size(self.count, start=self.start, sharding=self.sharding)


class _PassCounter:
    """Numbers the passes over an iterable dataset, in shared memory, so
    that all DataLoader workers of one pass (forked or spawned, persistent or
    not) agree on its epoch, and each new pass gets the next one.

    A pass is known by (the DataLoader iterator's base seed, how many passes
    this copy of the dataset has started): workers of one pass share both;
    in the main process (no workers) the seed is -1.
    """

    def __init__(self):
        # [epoch of the last pass, its seed, its count, 1 once a pass ran]
        self.values = multiprocessing.RawArray("q", 4)
        # A spawn-context lock: shareable with spawned workers and inherited by forked ones.
        self.lock = multiprocessing.get_context("spawn").Lock()
        self.started = 0

    def __reduce__(self):
        if multiprocessing.context.get_spawning_popen() is not None:
            return (_PassCounter._shared, (self.values, self.lock, self.started))
        # Not a DataLoader worker (a pickle or deepcopy): a counter of its own.
        return (_PassCounter._copy, (list(self.values), self.started))

    @classmethod
    def _shared(cls, values, lock, started):
        counter = cls.__new__(cls)
        counter.values, counter.lock, counter.started = values, lock, started
        return counter

    @classmethod
    def _copy(cls, values, started):
        counter = cls()
        counter.values[:] = values
        counter.started = started
        return counter

    # The shared array holds int64: epochs (uint64) are stored as their bits.

    def reset(self, epoch: int) -> None:
        """The next pass is epoch `epoch` (checked by the caller)."""
        with self.lock:
            self.values[:] = [_checks.as_int64_bits((epoch - 1) % 2**64), 0, 0, 0]

    def next_epoch(self, info) -> int:
        seed = -1 if info is None else info.seed - info.id
        started, self.started = self.started, self.started + 1
        with self.lock:
            values = self.values
            if values[3] and values[1] == seed and values[2] == started:
                return values[0] % 2**64
            epoch = (values[0] + 1) % 2**64
            values[:] = [_checks.as_int64_bits(epoch), seed, started, 1]
            return epoch


class ChexpertBatches(torch.utils.data.IterableDataset):
    """Ready batches of a split: one library call per batch, decoded and
    resized in native threads. Use with ``DataLoader(it, batch_size=None)``.

    Each batch is ``{"image": tensor resize.shape(n), "label": int64 (n, L),
    "image_view": int64 (n,), "index": int64 (n,), "name": list of bytes,
    "state": dict}`` plus ``target``/``mask`` (float32 (n, K)) with
    `targets`. ``state`` is where to resume after the batch.

    Args:
        split, batch_size, resize, targets: what to read.
        shuffle, seed: the order, a function of (seed, epoch); the epoch
            advances on every pass (``set_epoch`` sets it).
        drop_last: leave out a short last batch.
        rank, world: this process's share (default: torch.distributed's);
            remainder: ``"pad"`` (default), ``"drop"`` or ``"uneven"``.
        state: resume from a batch's ``state``.
        num_threads: decode threads per batch (0: all CPUs).
        on_error: ``None`` (the Dataset's policy), ``"raise"`` or
            ``"substitute"`` (unreadable examples become zero images; batches
            then carry a ``substituted`` bool mask).
    """

    def __init__(self, split, batch_size: int, resize, *, targets=None, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False, rank=None, world=None, remainder: str = "pad",
                 state=None, num_threads: int = 0, on_error=None):
        self.split = _check_split(split)
        if not isinstance(resize, Resize):
            raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")
        self.batch_size = batch_size_of(batch_size)
        self.resize = resize
        self.shuffle, self.seed, self.drop_last = bool(shuffle), _checks.seed(seed), bool(drop_last)
        self.sharding = _sharding(rank, world, remainder)
        self.num_threads = _checks.thread_count(num_threads)
        if state is not None:
            state = state if isinstance(state, State) else State.from_dict(state)
        self.targets = _resolve(split, targets)
        self.on_error = on_error
        self._counter = _PassCounter()
        self._start = (0, 0)          # (epoch, position) the resumed epoch starts at
        self.set_epoch(0)
        if state is not None:
            self.load_state_dict(state)

    def set_epoch(self, epoch: int) -> None:
        """The epoch of the next pass; later passes count up from it."""
        self._counter.reset(_checks.seed(epoch, "epoch"))

    def load_state_dict(self, state) -> None:
        state = state if isinstance(state, State) else State.from_dict(state)
        self.seed = state.seed
        self._start = (state.epoch, state.position)
        self.set_epoch(state.epoch)

    def __len__(self) -> int:
        """Batches in a whole epoch on this rank."""
        count = shard_size(len(self.split), sharding=self.sharding)
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        epoch = self._counter.next_epoch(info)
        start = self._start[1] if epoch == self._start[0] else 0
        batches = epoch_batches(len(self.split), self.batch_size, seed=self.seed, epoch=epoch,
                                shuffle=self.shuffle, start=start, sharding=self.sharding,
                                drop_last=self.drop_last)
        for positions, state in batches[worker::workers]:
            yield self._read(positions, state, epoch)

    def _read(self, positions: np.ndarray, state: State, epoch: int = 0) -> dict:
        batch = read_training_batch(self.split, positions, self.resize, targets=self.targets,
                                    num_threads=self.num_threads, on_error=self.on_error,
                                    names=True, epoch=epoch)
        out = {key: value if key == "name" else torch.from_numpy(value)
               for key, value in batch.items()}
        out["state"] = state.as_dict()
        return out
