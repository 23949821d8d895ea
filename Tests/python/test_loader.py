"""chexpert.Loader: order, batching, prefetch thread lifetime, errors, buffer reuse."""

from __future__ import annotations

import gc
import importlib.util
import sys
import threading
import types

import numpy as np
import pytest

import chexpert
from chexpert import _ffi

RESIZE = chexpert.Resize((24, 20), dtype="float32", normalize="unit", layout="NCHW")


@pytest.fixture(scope="module")
def sp(tree_dataset):
    return tree_dataset["train"]


@pytest.fixture(scope="module")
def reference(sp):
    """Every train example resized with RESIZE, read in one call."""
    return sp.read_batch_resized(range(len(sp)), RESIZE, num_threads=1)


def _loader_threads() -> list:
    return [t for t in threading.enumerate() if t.name.startswith("chexpert-loader")]


def _wait_for_baseline(baseline: int) -> None:
    """The loader threads end once their iterators are collected: join them
    (no polling; the timeout only bounds a hang)."""
    gc.collect()
    for thread in _loader_threads():
        thread.join(timeout=60)
    assert not _loader_threads(), f"loader threads left running: {_loader_threads()}"
    assert threading.active_count() <= baseline


def _assert_batch_is(batch: dict, positions, reference: dict) -> None:
    positions = np.asarray(positions)
    assert np.array_equal(batch["image"], reference["image"][positions])
    assert np.array_equal(batch["label"], reference["label"][positions])
    assert np.array_equal(batch["image_view"], reference["image_view"][positions])
    assert batch["label"].dtype == np.int64 and batch["image_view"].dtype == np.int64


# -- order ---------------------------------------------------------------------

def test_len_is_the_number_of_batches(sp):
    n = len(sp)
    assert n % 4, "the sample should not divide evenly into batches of 4"
    assert len(chexpert.Loader(sp, 4, RESIZE)) == -(-n // 4)
    assert len(chexpert.Loader(sp, 4, RESIZE, drop_last=True)) == n // 4
    assert len(chexpert.Loader(sp, n + 5, RESIZE)) == 1
    assert len(chexpert.Loader(sp, n + 5, RESIZE, drop_last=True)) == 0
    assert len(chexpert.Loader(sp, 3, RESIZE, indices=[0, 1, 2, 3])) == 2


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("prefetch", [0, 1, 3])
def test_an_epoch_covers_every_index_exactly_once(sp, reference, shuffle, prefetch):
    loader = chexpert.Loader(sp, 4, RESIZE, shuffle=shuffle, seed=11, prefetch=prefetch,
                             names=True, num_threads=2)
    order = loader.order(0)
    assert sorted(order.tolist()) == list(range(len(sp)))
    if not shuffle:
        assert order.tolist() == list(range(len(sp)))
    names, batches = [], 0
    for number, batch in enumerate(loader):
        positions = order[number * 4:(number + 1) * 4]
        _assert_batch_is(batch, positions, reference)
        assert batch["name"] == [reference["name"][p] for p in positions]
        names += batch["name"]
        batches += 1
    assert batches == len(loader)
    assert sorted(names) == sorted(reference["name"]) and len(set(names)) == len(sp)
    assert loader.epoch == 1


def test_shuffle_is_the_library_order_of_seed_and_epoch(sp):
    loader = chexpert.Loader(sp, 5, RESIZE, shuffle=True, seed=7)
    expected = chexpert.shard_indices(len(sp), seed=7, epoch=3)
    assert np.array_equal(loader.order(3), expected)
    assert not np.array_equal(loader.order(3), loader.order(4))


def _epoch_names(loader) -> list:
    return [name for batch in loader for name in batch["name"]]


def test_same_seed_same_order_and_each_epoch_a_new_one(sp):
    a = chexpert.Loader(sp, 4, RESIZE, shuffle=True, seed=3, names=True)
    b = chexpert.Loader(sp, 4, RESIZE, shuffle=True, seed=3, names=True)
    first_a, first_b = _epoch_names(a), _epoch_names(b)
    assert first_a == first_b
    second_a = _epoch_names(a)
    assert second_a != first_a and sorted(second_a) == sorted(first_a)
    assert a.epoch == 2
    a.epoch = 0                      # resuming: epoch 0 again
    assert _epoch_names(a) == first_a
    other_seed = chexpert.Loader(sp, 4, RESIZE, shuffle=True, seed=4, names=True)
    assert _epoch_names(other_seed) != first_a


def test_drop_last(sp, reference):
    loader = chexpert.Loader(sp, 4, RESIZE, drop_last=True)
    sizes = [batch["image"].shape[0] for batch in loader]
    assert sizes == [4] * (len(sp) // 4)
    kept = chexpert.Loader(sp, 4, RESIZE)
    batches = list(kept)
    assert [b["image"].shape[0] for b in batches] == [4] * (len(sp) // 4) + [len(sp) % 4]
    _assert_batch_is(batches[-1], range(len(sp) - len(sp) % 4, len(sp)), reference)


def test_indices_and_split_views(sp, reference):
    indices = [5, 1, 1, -1, 0]
    batches = list(chexpert.Loader(sp, 2, RESIZE, indices=indices))
    got = np.concatenate([b["image"] for b in batches])
    assert np.array_equal(got, reference["image"][indices])
    view = sp[2::3]
    batches = list(chexpert.Loader(view, 3, RESIZE, names=True))
    assert [n for b in batches for n in b["name"]] == [reference["name"][i] for i in view.indices]


def test_names_are_left_out_unless_asked(sp):
    batch = next(iter(chexpert.Loader(sp, 2, RESIZE)))
    assert set(batch) == {"image", "label", "image_view", "index", "state"}


def test_empty_loader(sp):
    loader = chexpert.Loader(sp, 4, RESIZE, indices=[])
    assert len(loader) == 0 and list(loader) == []


# -- prefetch thread -------------------------------------------------------------

def test_early_break_stops_the_thread(sp):
    baseline = threading.active_count()
    loader = chexpert.Loader(sp, 2, RESIZE, prefetch=3)
    for batch in loader:
        assert _loader_threads(), "prefetch should run on a background thread"
        break
    del batch
    _wait_for_baseline(baseline)


def test_dropping_an_iterator_mid_epoch_stops_the_thread(sp):
    baseline = threading.active_count()
    iterator = iter(chexpert.Loader(sp, 2, RESIZE, prefetch=2))
    next(iterator)
    next(iterator)
    del iterator
    _wait_for_baseline(baseline)
    never_started = iter(chexpert.Loader(sp, 2, RESIZE))
    del never_started
    _wait_for_baseline(baseline)


def test_close_and_with_stop_the_thread(sp):
    baseline = threading.active_count()
    iterator = iter(chexpert.Loader(sp, 2, RESIZE))
    next(iterator)
    iterator.close()
    iterator.close()                 # idempotent
    assert not _loader_threads()
    with pytest.raises(StopIteration):
        next(iterator)
    with iter(chexpert.Loader(sp, 2, RESIZE)) as iterator:
        next(iterator)
    assert not _loader_threads()
    _wait_for_baseline(baseline)


def test_a_full_epoch_ends_its_thread(sp):
    baseline = threading.active_count()
    loader = chexpert.Loader(sp, 4, RESIZE)
    for _ in range(2):
        assert sum(1 for _ in loader) == len(loader)
        assert not _loader_threads()
    _wait_for_baseline(baseline)


def test_prefetch_0_reads_on_the_calling_thread(sp, reference):
    baseline = threading.active_count()
    loader = chexpert.Loader(sp, 4, RESIZE, prefetch=0)
    for number, batch in enumerate(loader):
        assert not _loader_threads() and threading.active_count() <= baseline
        _assert_batch_is(batch, range(number * 4, min(len(sp), number * 4 + 4)), reference)


class _WatchedSlots(threading.Semaphore):
    """The producer's room semaphore, reporting when an acquire has to wait."""

    def __init__(self, value):
        super().__init__(value)
        self.blocked = threading.Event()

    def acquire(self, blocking=True, timeout=None):
        if super().acquire(blocking=False):
            return True
        self.blocked.set()
        return super().acquire(blocking, timeout)


def test_prefetch_is_bounded(sp, monkeypatch):
    watched = []

    class Producer(chexpert.loader._Producer):
        def __init__(self, *args):
            super().__init__(*args)
            self.slots = _WatchedSlots(max(1, args[0]._prefetch))
            watched.append(self.slots)
    monkeypatch.setattr(chexpert.loader, "_Producer", Producer)
    loader = chexpert.Loader(sp, 2, RESIZE, prefetch=2)
    assert len(loader) > 5, "the bound must be reachable well before the epoch ends"
    iterator = iter(loader)
    next(iterator)
    producer = iterator._producer
    # A slow training step: the thread fills the queue, then blocks for room
    # (both waited for as events, not timed) and has not read past the bound.
    assert producer.wait_queued(2, timeout=60)
    assert watched[0].blocked.wait(timeout=60), "the thread never waited for room"
    assert producer.queue.qsize() == 2
    assert iterator.allocations <= 2 + 2
    assert len(iterator) == len(loader) - 1
    iterator.close()


def test_the_thread_decodes_while_the_consumer_works(sp):
    """The next batch is ready when the training step ends: it was decoded meanwhile."""
    iterator = iter(chexpert.Loader(sp, 4, RESIZE, prefetch=2))
    next(iterator)
    # An event, not a timed wait: returns as soon as two batches are queued.
    assert iterator._producer.wait_queued(2, timeout=60)
    assert iterator._producer.queue.qsize() == 2
    iterator.close()


# -- errors ----------------------------------------------------------------------

def test_an_error_is_raised_at_its_batch_with_the_library_message(sp, reference):
    bad = len(sp) + 5
    indices = [0, 1, 2, 3, 4, 5, 6, bad, 8, 9]
    baseline = threading.active_count()
    loader = chexpert.Loader(sp, 3, RESIZE, indices=indices, prefetch=2)
    got = []
    with pytest.raises(chexpert.ChexpertIndexError) as info:
        for batch in loader:
            got.append(batch["image"].copy())
    assert len(got) == 2, "batches before the failing one are delivered"
    assert np.array_equal(np.concatenate(got), reference["image"][:6])
    assert info.value.code == _ffi.CHEXPERT_E_OUT_OF_RANGE
    assert str(bad) in info.value.message
    _wait_for_baseline(baseline)


@pytest.mark.parametrize("prefetch", [0, 2])
def test_a_corrupt_jpeg_fails_its_batch_only(tree_copy, prefetch):
    with chexpert.Dataset(tree_copy) as dataset:
        split = dataset["train"]
        path = tree_copy / split[5]["name"].decode()
        path.write_bytes(path.read_bytes()[:500])
        iterator = iter(chexpert.Loader(split, 2, RESIZE, prefetch=prefetch))
        next(iterator)
        next(iterator)
        with pytest.raises(chexpert.ChexpertError) as info:
            next(iterator)           # indices 4, 5
        assert info.value.code in (_ffi.CHEXPERT_E_IMAGE, _ffi.CHEXPERT_E_IO)
        assert path.name in info.value.message
        with pytest.raises(StopIteration):
            next(iterator)
    assert not _loader_threads()


def test_a_closed_dataset_raises_at_the_first_batch(tree):
    dataset = chexpert.Dataset(tree)
    loader = chexpert.Loader(dataset["train"], 2, RESIZE)
    dataset.close()
    with pytest.raises(chexpert.ChexpertClosedError):
        next(iter(loader))
    assert not _loader_threads()


@pytest.mark.parametrize("kwargs, error", [
    ({"batch_size": 0}, ValueError),
    ({"batch_size": 2.0}, TypeError),
    ({"prefetch": -1}, ValueError),
    ({"resize": 224}, TypeError),
    ({"indices": [[0, 1]]}, ValueError),
    ({"indices": [0.5]}, TypeError),
])
def test_invalid_arguments(sp, kwargs, error):
    arguments = {"split": sp, "batch_size": 2, "resize": RESIZE, **kwargs}
    with pytest.raises(error):
        chexpert.Loader(**arguments)
    with pytest.raises(TypeError):
        chexpert.Loader([sp[0]], 2, RESIZE)


# -- buffers ---------------------------------------------------------------------

@pytest.mark.parametrize("prefetch", [0, 1, 2, 4])
def test_steady_state_reuses_the_ring_across_epochs(sp, reference, prefetch):
    loader = chexpert.Loader(sp, 2, RESIZE, prefetch=prefetch)
    addresses = set()
    for epoch in range(3):
        iterator = iter(loader)
        for number, batch in enumerate(iterator):
            _assert_batch_is(batch, range(2 * number, min(len(sp), 2 * number + 2)), reference)
            addresses.add(batch["image"].ctypes.data)
        assert iterator.allocations == loader.allocations <= prefetch + 2, f"epoch {epoch}"
    assert len(addresses) <= prefetch + 2


def test_two_epochs_at_once_share_the_ring_safely(sp, reference):
    loader = chexpert.Loader(sp, 3, RESIZE, prefetch=2)
    first, second = iter(loader), iter(loader)
    for number, (a, b) in enumerate(zip(first, second)):
        positions = range(3 * number, min(len(sp), 3 * number + 3))
        _assert_batch_is(a, positions, reference)
        _assert_batch_is(b, positions, reference)
        assert not np.shares_memory(a["image"], b["image"])


@pytest.mark.parametrize("prefetch", [0, 2])
def test_held_batches_are_never_overwritten(sp, reference, prefetch):
    loader = chexpert.Loader(sp, 2, RESIZE, prefetch=prefetch, shuffle=True, seed=5)
    order = loader.order(0)
    iterator = iter(loader)
    held = []
    for number, batch in enumerate(iterator):
        positions = order[2 * number:2 * number + 2]
        kind = number % 4
        if kind == 0:
            held.append((positions, batch))                                # the dict
        elif kind == 1:
            held.append((positions[1:], {"image": batch["image"][1:]}))    # a view
        elif kind == 2:
            held.append((positions, {"image": np.asarray(memoryview(batch["image"]))}))
        else:
            held.append((positions, {"label": batch["label"]}))            # only the labels
        del batch
        if prefetch:                 # let the thread run ahead over the held buffers
            assert iterator._producer.wait_queued(min(prefetch, len(iterator)), timeout=60)
    assert iterator.allocations > prefetch + 2, "holding batches must force fresh buffers"
    for positions, kept in held:
        if "image" in kept:
            assert np.array_equal(kept["image"], reference["image"][positions])
        if "label" in kept:
            assert np.array_equal(kept["label"], reference["label"][positions])


def test_a_batch_dropped_later_is_reused(sp):
    loader = chexpert.Loader(sp, 2, RESIZE, prefetch=1)
    iterator = iter(loader)
    first = next(iterator)
    address = first["image"].ctypes.data
    del first
    seen = [next(iterator)["image"].ctypes.data for _ in range(len(loader) - 1)]
    assert address in seen
    assert iterator.allocations <= 3


def test_torch_from_numpy_style_holders_keep_their_batch(sp, reference):
    """A holder that keeps a reference to the array (as torch.from_numpy does)."""
    class Tensor:
        def __init__(self, array):
            self.array = array
    loader = chexpert.Loader(sp, 2, RESIZE, prefetch=2)
    tensors = [Tensor(batch["image"]) for batch in loader]
    got = np.concatenate([t.array for t in tensors])
    assert np.array_equal(got, reference["image"])


# -- optional dependencies -------------------------------------------------------

def test_progress_bar(sp, capsys, monkeypatch):
    import tqdm
    monkeypatch.setattr(tqdm.tqdm, "monitor_interval", 0)
    loader = chexpert.Loader(sp, 4, RESIZE, progress=True)
    assert sum(1 for _ in loader) == len(loader)
    err = capsys.readouterr().err
    assert f"{len(loader)}/{len(loader)}" in err and "batch" in err


def test_progress_without_tqdm_is_an_import_error(sp, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="progress=True needs tqdm"):
        chexpert.Loader(sp, 4, RESIZE, progress=True)


def _real_torch_can_pin() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch
    return torch.cuda.is_available()


def test_pin_memory_needs_torch_with_cuda(sp, reference):
    """Here (no GPU) a clear ValueError; on a CUDA machine, pinned batches."""
    if _real_torch_can_pin():
        loader = chexpert.Loader(sp, 4, RESIZE, pin_memory=True)
        iterator = iter(loader)
        batch = next(iterator)
        assert iterator._producer.ring.slots[0].owner.is_pinned()
        _assert_batch_is(batch, range(4), reference)
        iterator.close()
        return
    if importlib.util.find_spec("torch") is None:
        match = "pin_memory=True needs PyTorch with CUDA, and torch cannot be imported"
    else:
        match = r"torch\.cuda\.is_available\(\) is False"
    with pytest.raises(ValueError, match=match):
        chexpert.Loader(sp, 4, RESIZE, pin_memory=True)


def _fake_torch(cuda: bool, allocations: list):
    torch = types.ModuleType("torch")
    torch.uint8, torch.float32 = "uint8", "float32"
    torch.cuda = types.SimpleNamespace(is_available=lambda: cuda)

    class Tensor:
        def __init__(self, shape, dtype):
            self.array = np.zeros(shape, dtype=np.dtype(dtype))

        def numpy(self):
            # Like torch: a new ndarray viewing the tensor's memory, that the
            # tensor itself does not reference.
            return self.array.view()

    def empty(shape, dtype, pin_memory=False):
        allocations.append((tuple(shape), dtype, pin_memory))
        return Tensor(shape, dtype)
    torch.empty = empty
    return torch


def test_pin_memory_messages_and_allocation_with_a_stand_in_torch(sp, reference, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ValueError, match="torch cannot be imported"):
        chexpert.Loader(sp, 4, RESIZE, pin_memory=True)
    allocations = []
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False, allocations))
    with pytest.raises(ValueError, match="CUDA"):
        chexpert.Loader(sp, 4, RESIZE, pin_memory=True)
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(True, allocations))
    loader = chexpert.Loader(sp, 4, RESIZE, pin_memory=True, prefetch=1)
    batches = [batch["image"].copy() for batch in loader]
    assert np.array_equal(np.concatenate(batches), reference["image"])
    assert allocations and all(a == (RESIZE.shape(4), "float32", True) for a in allocations)
    assert len(allocations) <= 3
