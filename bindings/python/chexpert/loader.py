"""Loader: batches of resized examples, decoded ahead of the training step.

Each batch is one :func:`chexpert.training.start_training_batch` (the decode
runs as a library job on its native threads, with the GIL released), issued by one background
Python thread at most ``prefetch`` batches ahead of the consumer. The thread
starts batch k + 1 before it finishes batch k (labels, targets, names) and
waits for its pixels, whenever a prefetch slot is free, so the library's
threads go from one batch to the next with no pause. Output goes
into a ring of at most ``prefetch + 2`` preallocated buffers: a buffer is
reused only when nothing outside the ring references it any more (its
reference count is back to the ring's own), else a fresh one takes its place
in the ring and the old one is left to whoever holds it. The ring belongs to
the Loader and lives as long as it: a plain training loop allocates no image
memory per batch nor per epoch, and a batch that is kept (in a list, through
``torch.from_numpy``, as a view) is never overwritten.
"""

from __future__ import annotations

import math
import queue
import sys
import threading
import weakref

import numpy as np

from . import _checks, _forksafe, _progress
from .order import Sharding, State, batch_size_of, epoch_batches, shard_indices, shard_size
from .resize import Resize
from .split import Split
from .targets import Targets
from .training import start_training_batch

__all__ = ["Loader", "LoaderIterator"]

# How long the consumer waits on the queue before checking that the
# producer thread is still alive (it always is, unless killed from outside).
_POLL_SECONDS = 1.0


class _Slot:
    """One ring entry: the arrays a batch is written into."""

    __slots__ = ("image", "label", "view", "owner")

    def __init__(self, image, label, view, owner=None):
        self.image = image        # numpy array of the full batch shape
        self.label = label        # int64 (batch_size, L), written by chexpert_batch_labels
        self.view = view          # int64 (batch_size,), written by chexpert_batch_views
        self.owner = owner        # a pinned torch tensor whose memory `image` views


def _references(slot: _Slot) -> int:
    """References to the slot's arrays that users can reach (image, label, view).

    Always called as ``_references(slot)``: the count includes the slot's own
    references and this call's, which _FREE measures once on a fresh slot.
    """
    return (sys.getrefcount(slot.image) + sys.getrefcount(slot.label)
            + sys.getrefcount(slot.view))


def _free_count() -> int:
    probe = _Slot(np.empty(1), np.empty(1), np.empty(1))
    return _references(probe)


#: _references() of a slot whose arrays nobody else holds.
_FREE = _free_count()


def _is_free(slot: _Slot) -> bool:
    return _references(slot) <= _FREE


class Loader:
    """Iterates batches of `split` decoded and resized as `resize` says.

    Each batch is a dict ``{"image": resize.shape(n) array, "label": int64
    (n, L), "image_view": int64 (n,), "index": int64 (n,), "state": dict}``,
    plus ``"target"`` and ``"mask"`` (float32 (n, K)) with `targets` and
    ``"name"`` (list of bytes) with ``names=True``; n is ``batch_size`` except
    for a shorter last batch (dropped with ``drop_last=True``). ``index`` holds
    positions in `split`; ``state`` is where to resume after this batch
    (:class:`State` as a dict).

    Args:
        split: a :class:`Split` (or a slice of one).
        batch_size: examples per batch, >= 1.
        resize: a :class:`Resize`.
        targets: a :class:`Targets`: adds ``target`` and ``mask``.
        shuffle: a new order every epoch, a pure function of (seed, epoch)
            (``chexpert_shard_indices``). Each ``iter(loader)`` uses
            ``loader.epoch`` and then increments it.
        rank, world, remainder: this process's share of every epoch (see
            :class:`Sharding`); e.g. ``rank=jax.process_index(),
            world=jax.process_count()``. Every rank gets the same number of
            batches with ``remainder="pad"`` or ``"drop"``.
        state: resume from a batch's ``state`` (or :meth:`state_dict`).
        on_error: an example that cannot be read: ``"raise"`` (the
            Dataset's default: the batch raises), ``"substitute"`` (a zero
            image; the batch gets a ``substituted`` bool mask) or ``"skip"``
            (left out: the batch is shorter; each is recorded in
            ``loader.skipped`` as (index, name, status) and warned about).
        indices: the positions in `split` to iterate (default: all, in order).
            Repeats are allowed; an invalid one raises at its batch.
        prefetch: batches decoded ahead by the background thread (1 ..=
            1024); 0 reads each batch in ``__next__``, on the calling thread.
        num_threads: decode threads per batch; 0 = the CPUs available.
        pin_memory: allocate the ring in page-locked memory with
            ``torch.empty(..., pin_memory=True)`` (needs torch with CUDA) and
            yield numpy views of it, for fast ``.cuda(non_blocking=True)``.
        progress: show a tqdm progress bar (needs tqdm).
        names: also give each batch's example names.

    Raises:
        ValueError: invalid arguments; pin_memory without torch or CUDA.
        ImportError: progress=True without tqdm.
    """

    def __init__(self, split, batch_size: int, resize, *, targets=None, shuffle: bool = False,
                 seed: int = 0, drop_last: bool = False, rank: int = 0, world: int = 1,
                 remainder: str = "pad", state=None, prefetch: int = 2, num_threads: int = 0,
                 indices=None, pin_memory: bool = False, progress: bool = False,
                 names: bool = False, on_error=None):
        if not isinstance(split, Split):
            raise TypeError(f"split must be a chexpert.Split, not {type(split).__name__}")
        if not isinstance(resize, Resize):
            raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")
        self._split = split
        # Every integer is checked (chexpert._checks) before anything is made.
        self._batch_size = batch_size_of(batch_size)
        self._resize = resize
        self._prefetch = _checks.integer(prefetch, "prefetch", 0, _checks.MAX_PREFETCH)
        self._num_threads = _checks.thread_count(num_threads)
        self._shuffle = bool(shuffle)
        self._seed = _checks.seed(seed)
        self._drop_last = bool(drop_last)
        self._names = bool(names)
        sharding = Sharding(rank, world, remainder)
        if indices is None:
            self._indices = np.arange(len(split), dtype=np.int64)
        else:
            # Positions in `split` (an invalid one raises at its batch).
            self._indices = _checks.index_array(indices)
        if state is not None:
            state = state if isinstance(state, State) else State.from_dict(state)
        self._torch = _pinning_torch() if pin_memory else None
        self._pin_memory = bool(pin_memory)
        self._tqdm = _progress.tqdm() if progress else None
        self._ring = _Ring(split, resize, self._batch_size, self._prefetch + 2, self._torch)
        if targets is not None and not isinstance(targets, Targets):
            raise TypeError(f"targets must be a chexpert.Targets, not {type(targets).__name__}")
        self._targets = None if targets is None else targets.resolve(split)
        if on_error not in (None, "raise", "substitute", "skip"):
            raise ValueError(f"on_error must be 'raise', 'substitute' or 'skip', not {on_error!r}")
        self._on_error = on_error
        #: (index, name, status name) of every example left out with on_error="skip".
        self.skipped: list = []
        self._sharding = sharding
        self.epoch = 0
        self._start = 0
        self._state = State(self._seed, 0, 0)
        if state is not None:
            self.load_state_dict(state)

    @property
    def epoch(self) -> int:
        """The epoch the next ``iter(loader)`` uses (its shuffle seed is seed + epoch)."""
        return self._epoch

    @epoch.setter
    def epoch(self, value: int) -> None:
        self._epoch = _checks.seed(value, "epoch")

    @property
    def allocations(self) -> int:
        """Output buffers allocated so far: at most prefetch + 2 over any number
        of epochs, unless batches are kept past the next ones."""
        return self._ring.allocations

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def resize(self) -> Resize:
        return self._resize

    @property
    def split(self) -> Split:
        return self._split

    @property
    def sharding(self) -> Sharding:
        return self._sharding

    def _batches(self, count: int) -> int:
        if self._drop_last:
            return count // self._batch_size
        return math.ceil(count / self._batch_size)

    def __len__(self) -> int:
        """Batches per epoch on this rank (a whole epoch)."""
        return self._batches(shard_size(self._indices.size, sharding=self._sharding))

    def order(self, epoch: int, start: int = 0) -> np.ndarray:
        """The positions in `split` this rank visits in epoch `epoch` from
        epoch position `start`, in order (before batching)."""
        epoch = _checks.seed(epoch, "epoch")
        positions = shard_indices(self._indices.size, seed=self._seed, epoch=epoch,
                                  shuffle=self._shuffle, start=start, sharding=self._sharding)
        return self._indices[positions]

    def state_dict(self) -> dict:
        """Where the next batch comes from: the ``state`` of the last batch
        yielded, or the state loaded or started from."""
        return self._state.as_dict()

    def load_state_dict(self, state) -> None:
        """Resume at `state` (a dict or :class:`State`): the next ``iter``
        runs its epoch from its position; later epochs start at 0."""
        state = state if isinstance(state, State) else State.from_dict(state)
        if not 0 <= state.position <= self._indices.size:
            raise ValueError(f"state position {state.position} is outside 0 ... {self._indices.size}")
        self._seed = state.seed
        self.epoch = state.epoch
        self._start = state.position
        self._state = state

    def __iter__(self) -> "LoaderIterator":
        epoch, start = self._epoch, self._start
        self._epoch, self._start = (epoch + 1) % 2**64, 0     # uint64, as the library's epochs
        return LoaderIterator(self, epoch, start)

    def __repr__(self) -> str:
        return (f"<chexpert.Loader {self._split!r} batch_size={self._batch_size} "
                f"batches={len(self)} {self._resize!r}>")


def _pinning_torch():
    """torch, when it can pin memory; else a ValueError saying what is missing."""
    try:
        import torch
    except ImportError as error:
        raise ValueError(
            "pin_memory=True needs PyTorch with CUDA, and torch cannot be imported "
            f"({error}); use pin_memory=False") from None
    if not torch.cuda.is_available():
        raise ValueError(
            "pin_memory=True needs a CUDA device, and torch.cuda.is_available() is False; "
            "use pin_memory=False")
    return torch


class _Ring:
    """The output buffers of one Loader, reused across its batches and epochs.

    At most `size` slots; a slot is handed out again only when nothing
    outside the ring references its arrays. Thread-safe: two epochs of one
    loader may run at once.
    """

    def __init__(self, split: Split, resize: Resize, batch_size: int, size: int, torch):
        self.split, self.resize, self.batch_size, self.size = split, resize, batch_size, size
        self.torch = torch
        self.slots: list = []
        self.next = 0               # round-robin position: the oldest slot first
        self.allocations = 0        # slots ever allocated (for tests and tuning)
        _forksafe.register(self)     # self._lock, re-made in a forked child

    def _allocate(self) -> _Slot:
        shape = self.resize.shape(self.batch_size)
        labels = np.empty((self.batch_size, self.split.num_labels), dtype=np.int64)
        views = np.empty(self.batch_size, dtype=np.int64)
        self.allocations += 1
        if self.torch is None:
            return _Slot(np.empty(shape, dtype=self.resize.dtype), labels, views)
        torch_dtype = self.torch.uint8 if self.resize.dtype == np.uint8 else self.torch.float32
        tensor = self.torch.empty(shape, dtype=torch_dtype, pin_memory=True)
        return _Slot(tensor.numpy(), labels, views, owner=tensor)

    def acquire(self, count: int) -> tuple:
        """{"image", "label", "image_view"} arrays for `count` examples, in a slot
        nobody outside the ring references (oldest first), else a fresh one."""
        with self._lock:
            slot = self._free_slot()
            # Referenced here before the lock is released: no other producer
            # can take the slot any more.
            if count == self.batch_size:
                return {"image": slot.image, "label": slot.label, "image_view": slot.view}
            # The short last batch: views of the slot's arrays.
            return {"image": slot.image[:count], "label": slot.label[:count],
                    "image_view": slot.view[:count]}

    def _free_slot(self) -> _Slot:
        slots = self.slots
        if len(slots) < self.size:
            slots.append(self._allocate())
            return slots[-1]
        for step in range(len(slots)):
            position = (self.next + step) % len(slots)
            if _is_free(slots[position]):
                self.next = (position + 1) % len(slots)
                return slots[position]
        # Every buffer is still held outside: the oldest one is left to its
        # holders and a fresh buffer takes its place.
        position = self.next
        slots[position] = self._allocate()
        self.next = (position + 1) % len(slots)
        return slots[position]


class _Producer:
    """State shared by a LoaderIterator and its background thread.

    The thread references only this object (never the iterator), so dropping
    the iterator runs its finalizer, which stops the thread.
    """

    def __init__(self, loader: Loader, batches: list, epoch: int = 0):
        self.loader = weakref.ref(loader)
        self.epoch = epoch          # draws the resize's augmentation, if any
        self.targets = loader._targets
        self.on_error = loader._on_error
        self.skipped = loader.skipped
        self.split = loader._split
        self.resize = loader._resize
        self.num_threads = loader._num_threads
        self.names = loader._names
        self.ring = loader._ring
        self.batches = batches
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.slots = threading.Semaphore(max(1, loader._prefetch))
        self.stopping = threading.Event()
        #: Notified after each batch (or error) the thread queues: a consumer
        #: (or a test) can wait for "n batches ready" without polling.
        self.queued = threading.Condition()
        self.thread = None

    # -- reading --------------------------------------------------------

    def start(self, number: int, *, job: bool = True):
        """Batch `number` started (a job when `job`): a
        :class:`chexpert.training.PendingBatch` holding a ring buffer."""
        positions, state = self.batches[number]
        # Checked here so that a bad index raises before a buffer is taken.
        self.split.base_indices(positions)
        out = self.ring.acquire(positions.size)
        pending = start_training_batch(self.split, positions, self.resize, targets=self.targets,
                                       num_threads=self.num_threads, on_error=self.on_error,
                                       names=self.names, out=out, skipped=self.skipped, epoch=self.epoch,
                                       job=job)
        pending.state = state
        return pending

    def read(self, number: int) -> dict:
        """Batch `number`, read on the calling thread (no background thread)."""
        return self.finish(self.start(number, job=False))

    @staticmethod
    def finish(pending) -> dict:
        batch = pending.result()
        batch["state"] = pending.state.as_dict()
        return batch

    def run(self) -> None:
        """The background thread: reads batches in order until done or stopped.

        A batch holds a prefetch slot from its start until the consumer takes
        it. Batch k + 1 is started before batch k is finished when a slot is
        free at once; else batch k is finished (and queued) first. Every
        started job is waited for, also when stopping or failing.
        """
        in_flight: list = []        # started, not yet queued: at most two
        try:
            for number in range(len(self.batches)):
                if not in_flight or not self.slots.acquire(blocking=False):
                    if not self._drain(in_flight):
                        return
                    self.slots.acquire()
                if self.stopping.is_set():
                    return
                try:
                    in_flight.append(self.start(number))
                except BaseException as error:  # re-raised in the consumer, at this batch
                    if self._drain(in_flight):
                        self._put((False, error))
                    return
                if len(in_flight) > 1 and not self._deliver(in_flight.pop(0)):
                    return
            self._drain(in_flight)
            # Nothing after the last batch: the consumer knows how many there are.
        finally:
            for pending in in_flight:
                pending.cancel()

    def _deliver(self, pending) -> bool:
        """Queues `pending`'s batch, or its error (then False)."""
        try:
            batch = self.finish(pending)
        except BaseException as error:  # re-raised in the consumer, at this batch
            self._put((False, error))
            return False
        self._put((True, batch))
        return True

    def _drain(self, in_flight: list) -> bool:
        """Delivers the batches of `in_flight` in order; False after an error."""
        while in_flight:
            if not self._deliver(in_flight.pop(0)):
                return False
        return True

    def _put(self, item) -> None:
        with self.queued:
            self.queue.put(item)
            self.queued.notify_all()

    def wait_queued(self, count: int, timeout=None) -> bool:
        """Waits until at least `count` batches are queued (True), or `timeout`."""
        with self.queued:
            return self.queued.wait_for(lambda: self.queue.qsize() >= count, timeout)

    def stop(self) -> None:
        """Stops the thread (idempotent); joins it unless called from it."""
        self.stopping.set()
        self.slots.release()        # wakes a producer waiting for room
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


class LoaderIterator:
    """One epoch of a :class:`Loader`. ``close()`` (or dropping it, or leaving
    its ``with`` block) stops the background thread."""

    def __init__(self, loader: Loader, epoch: int, start: int = 0):
        self.epoch = epoch
        batches = [(loader._indices[positions], state) for positions, state in epoch_batches(
            loader._indices.size, loader._batch_size, seed=loader._seed, epoch=epoch,
            shuffle=loader._shuffle, start=start, sharding=loader._sharding,
            drop_last=loader._drop_last)]
        self._loader = weakref.ref(loader)
        self._producer = producer = _Producer(loader, batches, epoch)
        self._count = len(batches)
        self._next = 0
        self._background = loader._prefetch > 0
        self._bar = None
        if loader._tqdm is not None:
            self._bar = loader._tqdm(total=self._count, unit="batch",
                                     desc=f"{loader._split.name} epoch {epoch}")
        if self._background and self._count:
            producer.thread = threading.Thread(
                target=producer.run, name=f"chexpert-loader-epoch-{epoch}", daemon=True)
            producer.thread.start()
        self._finalizer = weakref.finalize(self, _finish, producer, self._bar)

    def __iter__(self) -> "LoaderIterator":
        return self

    def __len__(self) -> int:
        """Batches left in this epoch."""
        return self._count - self._next

    @property
    def allocations(self) -> int:
        """Output buffers its loader has allocated so far (see Loader.allocations)."""
        return self._producer.ring.allocations

    def __next__(self) -> dict:
        if self._next >= self._count or not self._finalizer.alive:
            self.close()
            raise StopIteration
        producer = self._producer
        if self._background:
            ok, value = self._get()
            producer.slots.release()
        else:
            try:
                ok, value = True, producer.read(self._next)
            except BaseException as error:
                ok, value = False, error
        if not ok:
            self.close()
            raise value
        self._next += 1
        loader = self._loader()
        if loader is not None:
            loader._state = State.from_dict(value["state"])
        if self._bar is not None:
            self._bar.update(1)
        if self._next >= self._count:
            self.close()        # the thread has ended; the bar is complete
        return value

    def _get(self):
        producer = self._producer
        while True:
            try:
                return producer.queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if not producer.thread.is_alive():
                    try:
                        return producer.queue.get_nowait()
                    except queue.Empty:
                        raise RuntimeError("the chexpert.Loader thread ended without a batch") from None

    def close(self) -> None:
        """Stops the background thread and closes the progress bar. Idempotent."""
        self._finalizer()

    def __enter__(self) -> "LoaderIterator":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _finish(producer: _Producer, bar) -> None:
    producer.stop()
    # Drop batches decoded ahead, so their buffers are free again.
    while True:
        try:
            producer.queue.get_nowait()
        except queue.Empty:
            break
    if bar is not None:
        bar.close()
