"""Integers that would wrap: every public entry point with hostile values.

ctypes keeps the low bits of an int passed as c_int64 / c_size_t / c_int, so
``split[2**64 + 5]`` once read example 5 and ``num_threads=2**32 + 1`` became
1. Every integer argument of the binding goes through chexpert._checks; here
each entry point gets each hostile value and must raise the right exception
with no C call at all: every function of chexpert._ffi is replaced by a
recorder for the call, so the error can only come from the binding.

Expected, by the argument's kind:

- index / indices (scalars, lists, numpy arrays of the value, ranges): any
  integer outside the split (or outside int64) is an IndexError;
- int (counts, sizes, thread counts, ranks, positions, ...): a value that does
  not fit the C type is an OverflowError (ChexpertOverflowError, also a
  ValueError); 2**32 + 1, which fits, is a ValueError (outside the domain)
  unless the entry point accepts it;
- seed (seeds, epochs: uint64): 2**64 + 5 and -2**63 - 1 are OverflowError;
  2**63, 2**64 - 1 and 2**32 + 1 are valid seeds (not tried here);
- everywhere: float, numpy float, numpy float arrays and bool are TypeError.
"""

from __future__ import annotations

import importlib
import dataclasses
import types

import numpy as np
import pytest

import chexpert
from chexpert import _ffi

BIG, U64MAX, NEG, W32, I63 = 2**64 + 5, np.uint64(2**64 - 1), -(2**63) - 1, 2**32 + 1, 2**63
HOSTILE = {
    "2**64+5": BIG,
    "uint64(2**64-1)": U64MAX,
    "-2**63-1": NEG,
    "2**32+1": W32,
    "2**63": I63,
    "1.7": 1.7,
    "float64(1.7)": np.float64(1.7),
    "True": True,
    "numpy.True_": np.True_,
}
NOT_INTEGERS = {"1.7", "float64(1.7)", "True", "numpy.True_"}
VALID = "valid"


@dataclasses.dataclass(frozen=True)
class Entry:
    id: str
    kind: str                   # "index", "indices", "int", "seed"
    call: object                # call(ctx, value)
    name: str                   # what the binding's message names
    w32: object = ValueError    # expected for 2**32 + 1 ("int" kind), or VALID


def expected(entry: Entry, key: str):
    if key in NOT_INTEGERS:
        return TypeError
    if entry.kind in ("index", "indices"):
        return IndexError
    if entry.kind == "seed":
        return OverflowError if key in ("2**64+5", "-2**63-1") else VALID
    if key == "2**32+1":
        return entry.w32
    return OverflowError


def _torch():
    return importlib.import_module("chexpert.torch")


def _tf():
    return importlib.import_module("chexpert.tf")


# ---------------------------------------------------------------------------
# The entry points
# ---------------------------------------------------------------------------

# Scalar indices (negative ones count from the end).
INDEX = [
    Entry("Split[]", "index", lambda c, v: c.split[v], "index"),
    Entry("view[]", "index", lambda c, v: c.split[2:9][v], "index"),
    Entry("Split.shape", "index", lambda c, v: c.split.shape(v), "index"),
    Entry("Split.base_index", "index", lambda c, v: c.split.base_index(v), "index"),
    Entry("torch.ChexpertDataset[]", "index",
          lambda c, v: _torch().ChexpertDataset(c.split)[v], "indices"),
]

# Sequences of indices: called with [v], np.array([v]) and range(v, v + 1).
INDICES = [
    Entry("Split.read_batch", "indices", lambda c, v: c.split.read_batch(v), "indices"),
    Entry("Split.read_batch_resized", "indices",
          lambda c, v: c.split.read_batch_resized(v, c.resize), "indices"),
    Entry("Split.resized_images", "indices",
          lambda c, v: c.split.resized_images(v, c.resize), "indices"),
    Entry("Split.labels", "indices", lambda c, v: c.split.labels(v), "indices"),
    Entry("Split.image_views", "indices", lambda c, v: c.split.image_views(v), "indices"),
    Entry("Split.projections", "indices", lambda c, v: c.split.projections(v), "indices"),
    Entry("Split.names", "indices", lambda c, v: c.split.names(v), "indices"),
    Entry("Split.targets", "indices",
          lambda c, v: c.split.targets(chexpert.Targets.preset("paper"), v), "indices"),
    Entry("Split.verify", "indices", lambda c, v: c.split.verify(v), "indices"),
    Entry("Split.base_indices", "indices", lambda c, v: c.split.base_indices(v), "indices"),
    Entry("view.labels", "indices", lambda c, v: c.split[1::2].labels(v), "indices"),
    Entry("ResolvedTargets.read", "indices", lambda c, v: c.resolved.read(v), "bases"),
    Entry("read_training_batch", "indices",
          lambda c, v: chexpert.read_training_batch(c.split, v, c.resize), "indices"),
    Entry("torch.ChexpertDataset.__getitems__", "indices",
          lambda c, v: _torch().ChexpertDataset(c.split).__getitems__(v), "indices"),
    Entry("torch.ChexpertDataset(resize).__getitems__", "indices",
          lambda c, v: _torch().ChexpertDataset(c.split, c.resize).__getitems__(v), "indices"),
]


def _loader(c, **kwargs):
    return chexpert.Loader(c.split, 2, c.resize, **kwargs)


# Other integers.
INTS = [
    # thread counts
    Entry("Split.read_batch num_threads", "int",
          lambda c, v: c.split.read_batch([0], num_threads=v), "num_threads"),
    Entry("Split.read_batch_resized num_threads", "int",
          lambda c, v: c.split.read_batch_resized([0], c.resize, num_threads=v), "num_threads"),
    Entry("Split.resized_images num_threads", "int",
          lambda c, v: c.split.resized_images([0], c.resize, num_threads=v), "num_threads"),
    Entry("Split.verify num_threads", "int", lambda c, v: c.split.verify([0], num_threads=v),
          "num_threads"),
    Entry("read_training_batch num_threads", "int",
          lambda c, v: chexpert.read_training_batch(c.split, [0], c.resize,
                                                    targets=chexpert.Targets.preset("paper"),
                                                    num_threads=v), "num_threads"),
    Entry("Resize.params num_threads", "int", lambda c, v: c.resize.params(v), "num_threads"),
    Entry("Loader num_threads", "int", lambda c, v: _loader(c, num_threads=v), "num_threads"),
    Entry("torch.ChexpertDataset num_threads", "int",
          lambda c, v: _torch().ChexpertDataset(c.split, num_threads=v), "num_threads"),
    Entry("torch.ChexpertBatches num_threads", "int",
          lambda c, v: _torch().ChexpertBatches(c.split, 2, c.resize, rank=0, world=1,
                                                num_threads=v), "num_threads"),
    # counts, sizes, chunks
    Entry("Split.verify chunk", "int", lambda c, v: c.split.verify([0], chunk=v), "chunk"),
    Entry("Resize size", "int", lambda c, v: chexpert.Resize(v), "size"),
    Entry("Resize (h, w)", "int", lambda c, v: chexpert.Resize((16, v)), "width"),
    Entry("Resize channels", "int", lambda c, v: chexpert.Resize(16, channels=v), "channels"),
    Entry("Resize.shape", "int", lambda c, v: c.resize.shape(v), "count", w32=VALID),
    Entry("Resize.nbytes", "int", lambda c, v: c.resize.nbytes(v), "count", w32=VALID),
    Entry("Dataset max_pixels", "int", lambda c, v: chexpert.Dataset(c.root, max_pixels=v),
          "max_pixels"),
    Entry("Dataset max_file_bytes", "int",
          lambda c, v: chexpert.Dataset(c.root, max_file_bytes=v), "max_file_bytes"),
    Entry("Dataset[split id]", "int", lambda c, v: c.dataset[v], "split", w32=OverflowError),
    Entry("Split(dataset, id)", "int", lambda c, v: chexpert.Split(c.dataset, v), "split",
          w32=OverflowError),
    # the order
    Entry("shard_indices count", "int", lambda c, v: chexpert.shard_indices(v), "count"),
    Entry("shard_indices start", "int", lambda c, v: chexpert.shard_indices(10, start=v), "start"),
    Entry("shard_size count", "int", lambda c, v: chexpert.shard_size(v), "count"),
    Entry("epoch_batches batch_size", "int",
          lambda c, v: chexpert.order.epoch_batches(10, v, seed=0, epoch=0, shuffle=True),
          "batch_size"),
    Entry("Sharding rank", "int", lambda c, v: chexpert.Sharding(v, 2), "rank"),
    Entry("Sharding world", "int", lambda c, v: chexpert.Sharding(0, v), "world"),
    Entry("State position", "int", lambda c, v: chexpert.State(0, 0, v), "position"),
    Entry("State.from_dict position", "int",
          lambda c, v: chexpert.State.from_dict({"seed": 0, "epoch": 0, "position": v}), "position"),
    # the Loader
    Entry("Loader batch_size", "int", lambda c, v: chexpert.Loader(c.split, v, c.resize),
          "batch_size"),
    Entry("Loader prefetch", "int", lambda c, v: _loader(c, prefetch=v), "prefetch"),
    Entry("Loader rank", "int", lambda c, v: _loader(c, rank=v, world=2), "rank"),
    Entry("Loader world", "int", lambda c, v: _loader(c, world=v), "world"),
    Entry("Loader state position", "int",
          lambda c, v: _loader(c, state={"seed": 0, "epoch": 0, "position": v}), "position"),
    Entry("Loader.order start", "int", lambda c, v: _loader(c).order(0, v), "start"),
    # torch
    Entry("torch.EpochSampler rank", "int",
          lambda c, v: _torch().EpochSampler(range(10), num_replicas=2, rank=v), "rank"),
    Entry("torch.EpochSampler num_replicas", "int",
          lambda c, v: _torch().EpochSampler(range(10), num_replicas=v, rank=0), "world"),
    Entry("torch.EpochSampler.state_after batches", "int",
          lambda c, v: _torch().EpochSampler(range(10), 1, 0).state_after(v, 2), "batches",
          w32=VALID),
    Entry("torch.EpochSampler.state_after batch_size", "int",
          lambda c, v: _torch().EpochSampler(range(10), 1, 0).state_after(1, v), "batch_size"),
    Entry("torch.ChexpertBatches batch_size", "int",
          lambda c, v: _torch().ChexpertBatches(c.split, v, c.resize, rank=0, world=1),
          "batch_size"),
    Entry("torch.ChexpertBatches rank", "int",
          lambda c, v: _torch().ChexpertBatches(c.split, 2, c.resize, rank=v, world=2), "rank"),
    Entry("torch.ChexpertBatches world", "int",
          lambda c, v: _torch().ChexpertBatches(c.split, 2, c.resize, rank=0, world=v), "world"),
    # evaluation and patient splits (chexpert.evaluation, chexpert.metadata)
    Entry("evaluate bootstrap", "int",
          lambda c, v: chexpert.evaluate(np.zeros((len(c.split), 5)), c.split, bootstrap=v), "bootstrap"),
    Entry("patient_split stratify", "int", lambda c, v: chexpert.patient_split(c.split, stratify=v),
          "stratify", w32=OverflowError),
    # the last line: a Params value
    Entry("_ffi.Params value", "int",
          lambda c, v: _ffi.Params({_ffi.CHEXPERT_KEY_START: v}), "value of key", w32=VALID),
]

SEEDS = [
    Entry("shard_indices seed", "seed", lambda c, v: chexpert.shard_indices(10, seed=v), "seed"),
    Entry("shard_indices epoch", "seed", lambda c, v: chexpert.shard_indices(10, epoch=v), "epoch"),
    Entry("epoch_batches seed", "seed",
          lambda c, v: chexpert.order.epoch_batches(10, 2, seed=v, epoch=0, shuffle=True), "seed"),
    Entry("State seed", "seed", lambda c, v: chexpert.State(v, 0, 0), "seed"),
    Entry("State epoch", "seed", lambda c, v: chexpert.State(0, v, 0), "epoch"),
    Entry("Loader seed", "seed", lambda c, v: _loader(c, seed=v), "seed"),
    Entry("Loader.epoch =", "seed", lambda c, v: setattr(_loader(c), "epoch", v), "epoch"),
    Entry("Loader.order epoch", "seed", lambda c, v: _loader(c).order(v), "epoch"),
    Entry("Loader.load_state_dict", "seed",
          lambda c, v: _loader(c).load_state_dict({"seed": v, "epoch": 0, "position": 0}), "seed"),
    Entry("evaluate seed", "seed",
          lambda c, v: chexpert.evaluate(np.zeros((len(c.split), 5)), c.split, seed=v), "seed"),
    Entry("patient_split seed", "seed", lambda c, v: chexpert.patient_split(c.split, seed=v), "seed"),
    Entry("torch.EpochSampler seed", "seed",
          lambda c, v: _torch().EpochSampler(range(10), 1, 0, seed=v), "seed"),
    Entry("torch.EpochSampler.set_epoch", "seed",
          lambda c, v: _torch().EpochSampler(range(10), 1, 0).set_epoch(v), "epoch"),
    Entry("torch.ChexpertBatches seed", "seed",
          lambda c, v: _torch().ChexpertBatches(c.split, 2, c.resize, rank=0, world=1, seed=v),
          "seed"),
    Entry("torch.ChexpertBatches.set_epoch", "seed",
          lambda c, v: _torch().ChexpertBatches(c.split, 2, c.resize, rank=0,
                                                world=1).set_epoch(v), "epoch"),
]

# tf last: importing TensorFlow is slow; skipped without it.
TF = [
    Entry("tf.tfds_dataset read_size", "int", lambda c, v: _tf().tfds_dataset(c.split, read_size=v),
          "read_size"),
    Entry("tf.tfds_dataset num_threads", "int",
          lambda c, v: _tf().tfds_dataset(c.split, num_threads=v), "num_threads"),
    Entry("tf.tfds_dataset seed", "seed", lambda c, v: _tf().tfds_dataset(c.split, seed=v), "seed"),
    Entry("tf.batches batch_size", "int", lambda c, v: _tf().batches(c.split, v, c.resize),
          "batch_size"),
    Entry("tf.batches num_threads", "int",
          lambda c, v: _tf().batches(c.split, 2, c.resize, num_threads=v), "num_threads"),
    Entry("tf.batches prefetch", "int",
          lambda c, v: _tf().batches(c.split, 2, c.resize, prefetch=v), "prefetch"),
    Entry("tf.batches seed", "seed", lambda c, v: _tf().batches(c.split, 2, c.resize, seed=v),
          "seed"),
]


def _forms(value):
    """The sequence forms of one hostile value: a list, a numpy array (numpy
    picks the dtype: object, uint64, int64, float64 or bool) and a range."""
    forms = {"list": [value], "numpy": np.array([value])}
    if not isinstance(value, (bool, np.bool_, float, np.floating)):
        forms["range"] = range(int(value), int(value) + 1)
    return forms


def _cases():
    for entry in INDEX + INTS + SEEDS + TF:
        for key, value in HOSTILE.items():
            error = expected(entry, key)
            if error is VALID:
                continue
            yield pytest.param(entry, value, error, id=f"{entry.id}-{key}")
    for entry in INDICES:
        for key, value in HOSTILE.items():
            for form, container in _forms(value).items():
                yield pytest.param(entry, container, expected(entry, key),
                                   id=f"{entry.id}-{form}-{key}")
        # arrays of floats (integral ones too), of bools, and a list with a bool
        for form, container in {"float64 array": np.array([1.7, 2.9]),
                                "integral float32 array": np.array([1.0, 2.0], np.float32),
                                "bool array": np.array([True, False]),
                                "list with a bool": [0, True],
                                "uint64 array": np.array([0, 2**64 - 1], np.uint64),
                                "list with uint64 max": [0, np.uint64(2**64 - 1)]}.items():
            error = IndexError if "uint64" in form else TypeError
            yield pytest.param(entry, container, error, id=f"{entry.id}-{form}")


# ---------------------------------------------------------------------------
# No C call: every _ffi function replaced by a recorder
# ---------------------------------------------------------------------------

@pytest.fixture
def c_calls(monkeypatch):
    """The names of the C functions called (through chexpert._ffi) while the
    fixture is active."""
    calls = []
    for name, function in _ffi.FUNCTIONS.items():
        def recorder(*args, _name=name, _function=function):
            calls.append(_name)
            return _function(*args)
        monkeypatch.setattr(_ffi, name, recorder)
    return calls


@pytest.fixture(scope="module")
def ctx(tree_dataset, tree):
    return types.SimpleNamespace(
        dataset=tree_dataset, split=tree_dataset["train"], root=tree,
        resolved=chexpert.Targets.preset("paper").resolve(tree_dataset["train"]),
        resize=chexpert.Resize(16, dtype="float32", normalize="unit"))


def test_the_recorder_sees_c_calls(ctx, c_calls):
    """The no-C-call assertion below can fail: a valid call is recorded."""
    ctx.split.labels([0])
    chexpert.shard_indices(4)
    assert "chexpert_batch_labels" in c_calls and "chexpert_shard_indices" in c_calls


@pytest.mark.parametrize("entry, value, error", list(_cases()))
def test_hostile_integer_is_refused_before_any_c_call(ctx, c_calls, entry, value, error):
    with pytest.raises(error) as info:
        entry.call(ctx, value)
    assert c_calls == [], f"C was called before the check: {c_calls}"
    assert entry.name in str(info.value), f"{entry.name!r} not in {str(info.value)!r}"
    if error is OverflowError:
        # Also a ValueError, and the binding's ChexpertError subclass.
        assert isinstance(info.value, (chexpert.ChexpertOverflowError, ValueError))
    if error is IndexError:
        assert isinstance(info.value, chexpert.ChexpertIndexError)


# ---------------------------------------------------------------------------
# The other side: what must still work, and what must not wrap
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64,
                                   np.uint8, np.uint16, np.uint32, np.uint64])
def test_every_integer_dtype_reads_the_same(ctx, dtype):
    split = ctx.split
    expected_labels = split.labels([0, 3, 5])
    assert np.array_equal(split.labels(np.array([0, 3, 5], dtype=dtype)), expected_labels)
    assert split.names(np.array([5], dtype=dtype)) == split.names([5])
    assert [split[dtype(3)]["name"]] == split.names([3])


def test_negative_indices_follow_python(ctx):
    split, n = ctx.split, len(ctx.split)
    assert split.names([-1, -n]) == split.names([n - 1, 0])
    assert split.names(np.array([-1], np.int8)) == split.names([n - 1])
    assert split[-1]["name"] == split.names([n - 1])[0]
    for bad in (-n - 1, n):
        with pytest.raises(IndexError):
            split[bad]
        with pytest.raises(IndexError):
            split.labels([bad])
    # A uint8 255 is 255, not -1.
    with pytest.raises(IndexError):
        split.labels(np.array([255], np.uint8))


def test_slices_clamp_as_python_and_refuse_non_integers(ctx):
    split, n = ctx.split, len(ctx.split)
    assert len(split[BIG:]) == 0 and len(split[:BIG]) == n and len(split[NEG:]) == n
    assert len(split[int(U64MAX):]) == 0 and len(split[::I63]) == 1
    assert split[2:5].names() == split.names([2, 3, 4])
    for bad in (slice(1.7, None), slice(None, np.float64(2.0)), slice(True, None),
                slice(None, None, np.True_)):
        with pytest.raises(TypeError):
            split[bad]
    with pytest.raises(ValueError):
        split[::0]


def test_the_issue_reproducers(ctx):
    """Issue 10's list, each refused (it once read or ran with status OK)."""
    split = ctx.split
    with pytest.raises(IndexError):
        split[2**64 + 5]
    with pytest.raises(IndexError):
        split.read_batch(np.array([2**64 - 1], np.uint64))
    with pytest.raises(ValueError):
        split.read_batch([0], num_threads=2**32 + 1)
    with pytest.raises(OverflowError):
        split.read_batch([0], num_threads=2**63)
    with pytest.raises(TypeError):
        split.verify([1.7, 2.9])


def test_seeds_are_uint64_and_never_wrap():
    """2**64 - 1 and 2**63 are seeds of their own; 2**64 + 5 is not seed 5."""
    top = chexpert.shard_indices(100, seed=2**64 - 1, epoch=2**63)
    assert np.array_equal(top, chexpert.shard_indices(100, seed=np.uint64(2**64 - 1),
                                                      epoch=np.uint64(2**63)))
    assert not np.array_equal(top, chexpert.shard_indices(100, seed=0, epoch=0))
    for seed in (2**64 + 5, -1):
        with pytest.raises(OverflowError):
            chexpert.shard_indices(100, seed=seed)
    with pytest.raises(OverflowError):
        chexpert.shard_indices(100, epoch=2**64)


def test_the_epoch_after_the_last_is_zero(ctx):
    """Epochs are uint64: a Loader at epoch 2**64 - 1 goes on to 0 (no error, no wrap on input)."""
    loader = chexpert.Loader(ctx.split, 64, ctx.resize, shuffle=True, prefetch=0)
    loader.epoch = 2**64 - 1
    batches = list(loader)
    assert batches[-1]["state"]["epoch"] == 0 and loader.epoch == 0


def test_loader_indices_outside_the_split_raise_at_their_batch(ctx, c_calls):
    """Loader indices are checked for type and int64 at construction, against
    the split at their batch (documented), before any read call."""
    loader = chexpert.Loader(ctx.split, 2, ctx.resize, indices=[0, 2**32 + 1], prefetch=0)
    with pytest.raises(IndexError):
        next(iter(loader))
    assert not [name for name in c_calls if name.startswith(("chexpert_batch", "chexpert_example"))]
    c_calls.clear()
    for bad, error in ((BIG, IndexError), (U64MAX, IndexError), (NEG, IndexError),
                       (1.7, TypeError), (True, TypeError)):
        with pytest.raises(error):
            chexpert.Loader(ctx.split, 2, ctx.resize, indices=[0, bad])
    for array, error in ((np.array([0, BIG]), IndexError),                 # object
                         (np.array([0, 2**64 - 1], np.uint64), IndexError),
                         (np.array([0, NEG]), IndexError),                 # object
                         (np.array([0, 1.7]), TypeError), (np.array([True, False]), TypeError)):
        with pytest.raises(error):
            chexpert.Loader(ctx.split, 2, ctx.resize, indices=array)
    assert c_calls == []
    with pytest.raises(TypeError):
        chexpert.Loader(ctx.split, 2, ctx.resize, indices=np.array([0.0, 1.0]))


def test_integers_are_converted_in_one_place():
    """operator.index (the conversion that accepts any width) is called only in
    chexpert/_checks.py: every other module goes through it."""
    from pathlib import Path
    package = Path(chexpert.__file__).parent
    offenders = [f"{path.name}:{number}" for path in sorted(package.glob("*.py"))
                 if path.name not in ("_checks.py", "__main__.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if "operator.index" in line or "import operator" in line]
    assert not offenders, offenders
