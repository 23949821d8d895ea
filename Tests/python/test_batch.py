"""read_batch equals per-example reads, in every shape of batch."""

from __future__ import annotations

import numpy as np
import pytest

import chexpert


@pytest.fixture(scope="module")
def ds(tree_dataset):
    return tree_dataset


@pytest.fixture(scope="module")
def uds(uniform_tree):
    with chexpert.Dataset(uniform_tree) as dataset:
        yield dataset


def _assert_batch_equals_examples(sp, indices, batch):
    indices = list(indices)
    images = batch["image"]
    assert len(images) == len(indices)
    assert batch["label"].dtype == np.int64 and batch["label"].shape == (len(indices), sp.num_labels)
    assert batch["image_view"].dtype == np.int64 and batch["image_view"].shape == (len(indices),)
    assert len(batch["name"]) == len(indices)
    for k, index in enumerate(indices):
        example = sp[index]
        assert np.array_equal(images[k], example["image"]), f"position {k} (index {index})"
        assert images[k].dtype == np.uint8
        assert np.array_equal(batch["label"][k], example["label"])
        assert batch["image_view"][k] == example["image_view"]
        assert batch["name"][k] == example["name"]
        assert type(batch["name"][k]) is bytes


@pytest.mark.parametrize("threads", [0, 1, 2, 7])
def test_uniform_batch_is_one_array(uds, threads):
    sp = uds["train"]
    indices = list(range(len(sp)))
    batch = sp.read_batch(indices, num_threads=threads)
    images = batch["image"]
    assert isinstance(images, np.ndarray)
    assert images.shape == (len(sp), 64, 48, 3) and images.dtype == np.uint8
    assert images.flags.c_contiguous
    _assert_batch_equals_examples(sp, indices, batch)


@pytest.mark.parametrize("threads", [0, 1, 2])
def test_non_uniform_batch_is_a_list_of_views_into_one_buffer(ds, threads):
    sp = ds["train"]
    indices = list(range(len(sp)))[::-1]
    batch = sp.read_batch(indices, num_threads=threads)
    images = batch["image"]
    assert isinstance(images, list)
    assert len({image.shape for image in images}) > 1, "sample should have several sizes"
    assert all(image.base is not None for image in images)
    _assert_batch_equals_examples(sp, indices, batch)


def test_duplicates_and_negative_indices(ds):
    sp = ds["train"]
    indices = [3, 3, 0, -1, 3, 0]
    batch = sp.read_batch(indices, num_threads=2)
    _assert_batch_equals_examples(sp, indices, batch)


def test_count_zero(ds, uds):
    for sp in (ds["train"], uds["train"]):
        batch = sp.read_batch([])
        assert batch["image"].shape[0] == 0 and batch["image"].dtype == np.uint8
        assert batch["label"].shape == (0, 14) and batch["image_view"].shape == (0,)
        assert batch["name"] == []
    out = np.empty((0, 64, 48, 3), np.uint8)
    assert uds["train"].read_batch(np.array([], np.int64), out=out)["image"] is out


def test_count_one(ds):
    sp = ds["validation"]
    batch = sp.read_batch([1])
    assert isinstance(batch["image"], np.ndarray) and batch["image"].shape[0] == 1
    _assert_batch_equals_examples(sp, [1], batch)


def test_indices_may_be_any_integer_sequence(uds):
    sp = uds["train"]
    reference = sp.read_batch([0, 1, 2])
    for indices in (range(3), np.arange(3, dtype=np.int32), np.array([0, 1, 2], np.uint16), (0, 1, 2)):
        batch = sp.read_batch(indices)
        assert np.array_equal(batch["image"], reference["image"])
    with pytest.raises(TypeError):
        sp.read_batch([0.0, 1.0])
    with pytest.raises(ValueError):
        sp.read_batch([[0, 1]])


def test_out_is_filled_in_place(uds):
    sp = uds["train"]
    indices = [2, 0, 1, 2]
    out = np.full((4, 64, 48, 3), 7, dtype=np.uint8)
    batch = sp.read_batch(indices, num_threads=2, out=out)
    assert batch["image"] is out
    _assert_batch_equals_examples(sp, indices, batch)


@pytest.mark.parametrize("make, error", [
    (lambda: [[0]], TypeError),
    (lambda: np.empty((2, 64, 48, 3), np.int16), TypeError),
    (lambda: np.empty((2, 64, 48, 3, 2), np.uint8)[..., 0], ValueError),       # not C-contiguous
    (lambda: np.empty((2, 48, 64, 3), np.uint8), ValueError),                  # same bytes, wrong shape
    (lambda: np.empty((2, 64, 48, 3), np.uint8, order="F"), ValueError),
])
def test_out_is_validated(uds, make, error):
    with pytest.raises(error):
        uds["train"].read_batch([0, 1], out=make())


def test_read_only_out_is_refused(uds):
    out = np.empty((2, 64, 48, 3), np.uint8)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        uds["train"].read_batch([0, 1], out=out)


def test_out_with_mixed_shapes_is_refused(ds):
    with pytest.raises(ValueError, match="one shape"):
        ds["train"].read_batch(range(len(ds["train"])), out=np.empty(10**7, np.uint8))


def test_views_map_batch_indices(ds):
    sp = ds["train"]
    view = sp[1::2]
    batch = view.read_batch([0, -1, 1])
    expected = sp.read_batch([1, view.indices[-1], 3])
    assert batch["name"] == expected["name"]
    for a, b in zip(batch["image"], expected["image"]):
        assert np.array_equal(a, b)


def test_concurrent_reads_from_python_threads(ds):
    """One Dataset shared by threads (the GIL is released during C calls)."""
    from concurrent.futures import ThreadPoolExecutor
    sp = ds["train"]
    indices = list(range(len(sp)))
    expected = sp.read_batch(indices, num_threads=1)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: sp.read_batch(indices, num_threads=2), range(8)))
    for batch in results:
        assert batch["name"] == expected["name"]
        assert all(np.array_equal(a, b) for a, b in zip(batch["image"], expected["image"]))


def test_batch_names_equal_per_example_names(ds):
    """chexpert_batch_names (one call per batch) against chexpert_example_name."""
    from ctypes import POINTER, byref, c_int64, c_size_t, create_string_buffer
    from chexpert import _ffi
    train = ds.split("train")
    indices = np.array([3, 0, 3, len(train) - 1], dtype=np.int64)
    names = train.read_batch(indices)["name"]
    assert names == [train[int(i)]["name"] for i in indices]
    handle = ds.handle()
    pointer = indices.ctypes.data_as(POINTER(c_int64))
    size = c_size_t(0)
    # A size query returns CHEXPERT_OK and sets the size.
    assert _ffi.chexpert_batch_names(handle, 0, pointer, 4, None, 0, byref(size)) == _ffi.CHEXPERT_OK
    assert size.value == sum(len(n) + 1 for n in names)
    short = create_string_buffer(b"\xa5" * (size.value - 1), size.value - 1)
    with pytest.raises(chexpert.ChexpertError) as info:
        _ffi.chexpert_batch_names(handle, 0, pointer, 4, short, len(short), byref(size))
    assert info.value.name == "CHEXPERT_E_BUFFER_TOO_SMALL"
    assert short.raw == b"\xa5" * (size.value - 1)            # nothing written
    full = create_string_buffer(size.value)
    _ffi.chexpert_batch_names(handle, 0, pointer, 4, full, len(full), byref(size))
    assert full.raw.split(b"\0")[:-1] == names
    bad = np.array([0, len(train)], dtype=np.int64)
    with pytest.raises(chexpert.ChexpertError) as info:
        _ffi.chexpert_batch_names(handle, 0, bad.ctypes.data_as(POINTER(c_int64)), 2, None, 0, None)
    assert info.value.name == "CHEXPERT_E_OUT_OF_RANGE"
    assert "indices[1]" in info.value.message


def test_a_kept_batch_is_never_overwritten_and_a_dropped_one_is_reused(ds):
    # read_batch recycles its packed buffers (_buffers.Recycler): only once no
    # view of a batch is alive may a later batch reuse its memory.
    split = ds["train"]
    n = len(split)
    first = split.read_batch(range(0, n // 2), num_threads=2)
    expected = [np.array(img) for img in first["image"]]
    for start in range(1, 5):  # later batches of other images, same sizes
        split.read_batch(range(start, start + n // 2), num_threads=2)
    assert all(np.array_equal(a, b) for a, b in zip(first["image"], expected))

    def base(batch):
        images = batch["image"]
        view = images if isinstance(images, np.ndarray) else images[0]
        return view.base if view.base is not None else view

    second = split.read_batch(range(0, n // 2))
    address = base(second).__array_interface__["data"][0]
    del second
    third = split.read_batch(range(0, n // 2))
    assert base(third).__array_interface__["data"][0] == address
    assert all(np.array_equal(a, b) for a, b in zip(third["image"], expected))
