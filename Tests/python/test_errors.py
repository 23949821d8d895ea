"""Every error path reaches Python as ChexpertError (and the matching Python
built-in) with the right name and a message naming what is at fault; the
Dataset keeps working afterwards."""

from __future__ import annotations

import ctypes
import os
import threading
from ctypes import POINTER, byref, c_char, c_int32, c_int64, c_size_t, c_uint8

import numpy as np
import pytest

import chexpert
from chexpert import _ffi
from conftest import csv_path, expected_examples, read_csv, write_csv


def _open_error(root) -> chexpert.ChexpertError:
    with pytest.raises(chexpert.ChexpertError) as info:
        chexpert.Dataset(root)
    return info.value


def _assert_still_works(ds, baseline):
    """The dataset answers correctly after a failed call."""
    again = ds["train"][0]
    assert again["name"] == baseline["name"]
    assert np.array_equal(again["image"], baseline["image"])
    assert np.array_equal(again["label"], baseline["label"])


@pytest.fixture
def damaged(tree_copy):
    """(root, header, rows) of a private train.csv to edit, written back by `save`."""
    header, rows = read_csv(tree_copy, "train")
    return tree_copy, header, rows


# -- opening -------------------------------------------------------------

def test_missing_root(tmp_path):
    missing = tmp_path / "nowhere"
    error = _open_error(missing)
    assert error.name == "CHEXPERT_E_NOT_FOUND" and error.code == _ffi.CHEXPERT_E_NOT_FOUND
    assert isinstance(error, chexpert.ChexpertNotFoundError) and isinstance(error, FileNotFoundError)
    assert str(missing) in error.message


def test_missing_valid_csv(tree_copy):
    csv_path(tree_copy, "validation").unlink()
    error = _open_error(tree_copy)
    assert error.name == "CHEXPERT_E_NOT_FOUND"
    assert "valid.csv" in error.message


@pytest.mark.parametrize("cell", ["2.0", "1", " 1.0", "0", "nan"])
def test_bad_label_cell_names_file_line_and_column(damaged, cell):
    root, header, rows = damaged
    rows[2][7] = cell                  # line 4 of the file, column 8 ('Cardiomegaly')
    write_csv(root, "train", header, rows)
    error = _open_error(root)
    assert error.name == "CHEXPERT_E_CSV"
    assert "train.csv" in error.message
    assert "line 4" in error.message
    assert "column 8" in error.message or header[7] in error.message
    assert repr(cell) in error.message or cell in error.message
    _assert_csv_location(error, root, "train.csv", 4, 8)


def test_missing_cell(damaged):
    root, header, rows = damaged
    rows[4] = rows[4][:-1]             # line 6 lacks its last cell
    write_csv(root, "train", header, rows)
    error = _open_error(root)
    assert error.name == "CHEXPERT_E_CSV"
    assert "train.csv" in error.message and "line 6" in error.message
    assert header[-1] in error.message or f"column {len(header)}" in error.message
    _assert_csv_location(error, root, "train.csv", 6, len(header))


def test_extra_cell_is_accepted(damaged):
    root, header, rows = damaged
    rows[1] = rows[1] + ["extra"]
    write_csv(root, "train", header, rows)
    with chexpert.Dataset(root) as ds:
        assert ds["train"][1]["label"].shape == (14,)
        assert ds["train"].labels().tolist() == [e["label"] for e in expected_examples(root, "train")]


def test_unknown_view(damaged):
    root, header, rows = damaged
    rows[3][3] = "Oblique"
    write_csv(root, "train", header, rows)
    error = _open_error(root)
    assert error.name == "CHEXPERT_E_CSV"
    assert "train.csv" in error.message and "line 5" in error.message
    assert "Oblique" in error.message
    _assert_csv_location(error, root, "train.csv", 5, 4)


@pytest.mark.parametrize("spelling", ["FRONTAL", "frontal", "LaTeRaL"])
def test_view_is_case_insensitive(damaged, spelling):
    root, header, rows = damaged
    rows[3][3] = spelling
    write_csv(root, "train", header, rows)
    with chexpert.Dataset(root) as ds:
        assert ds["train"][3]["image_view"] == chexpert.VIEW_NAMES.index(spelling.lower())


def test_duplicate_path(damaged):
    root, header, rows = damaged
    rows.insert(5, list(rows[1]))      # line 7 repeats line 3
    write_csv(root, "train", header, rows)
    error = _open_error(root)
    assert error.name == "CHEXPERT_E_CSV"
    assert "train.csv" in error.message and "line 7" in error.message
    assert rows[1][0] in error.message
    _assert_csv_location(error, root, "train.csv", 7, None)


def test_byte_order_mark(tree_copy):
    path = csv_path(tree_copy, "validation")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    error = _open_error(tree_copy)
    assert error.name == "CHEXPERT_E_CSV"
    assert "valid.csv" in error.message and "line 1" in error.message
    _assert_csv_location(error, tree_copy, "valid.csv", 1, None)


def test_header_only_csv(tree_copy):
    header, _ = read_csv(tree_copy, "validation")
    write_csv(tree_copy, "validation", header, [])
    error = _open_error(tree_copy)
    assert error.name == "CHEXPERT_E_CSV"
    assert "valid.csv" in error.message
    _assert_csv_location(error, tree_copy, "valid.csv", None, None)


def _assert_csv_location(error, root, file_name, line, column):
    """The CSV error's parsed location: the file (a path in `root`), line, column."""
    assert isinstance(error, chexpert.ChexpertCSVError) and isinstance(error, ValueError)
    assert error.file is not None and os.path.basename(error.file) == file_name, error.message
    assert os.path.realpath(error.file).startswith(os.path.realpath(root)), error.file
    assert (error.line, error.column) == (line, column), error.message


# -- reading -------------------------------------------------------------

def _image_path(root, ds, index) -> "os.PathLike":
    return root / ds["train"][index]["name"].decode()


@pytest.fixture
def opened(tree_copy):
    with chexpert.Dataset(tree_copy) as ds:
        yield tree_copy, ds, ds["train"][0]


_BUILTINS = {"CHEXPERT_E_NOT_FOUND": FileNotFoundError, "CHEXPERT_E_IMAGE": OSError}


def _assert_read_fails(ds, index, name, fragment):
    sp = ds["train"]
    for call in (lambda: sp[index], lambda: sp.read_batch([0, index], num_threads=2)):
        with pytest.raises(chexpert.ChexpertError) as info:
            call()
        assert info.value.name == name
        assert fragment in info.value.message
        assert isinstance(info.value, _BUILTINS[name])


def test_missing_image(opened):
    root, ds, baseline = opened
    path = _image_path(root, ds, 2)
    path.unlink()
    _assert_read_fails(ds, 2, "CHEXPERT_E_NOT_FOUND", str(path.relative_to(root)))
    _assert_still_works(ds, baseline)


@pytest.mark.parametrize("cut", [2, 100])
def test_truncated_jpeg(opened, cut):
    root, ds, baseline = opened
    path = _image_path(root, ds, 2)
    path.write_bytes(path.read_bytes()[:-cut])
    _assert_read_fails(ds, 2, "CHEXPERT_E_IMAGE", str(path.relative_to(root)))
    _assert_still_works(ds, baseline)


def test_text_named_jpg(opened):
    root, ds, baseline = opened
    path = _image_path(root, ds, 2)
    path.write_bytes(b"this is not a picture\n" * 20)
    _assert_read_fails(ds, 2, "CHEXPERT_E_IMAGE", str(path.relative_to(root)))
    with pytest.raises(chexpert.ChexpertError) as info:
        ds["train"].shape(2)
    assert info.value.name == "CHEXPERT_E_IMAGE"
    _assert_still_works(ds, baseline)


def test_too_small_out(uniform_tree):
    with chexpert.Dataset(uniform_tree) as ds:
        baseline = ds["train"][0]
        out = np.full((1, 64, 48, 3), 9, np.uint8)
        with pytest.raises(chexpert.ChexpertError) as info:
            ds["train"].read_batch([0, 1], out=out)
        assert info.value.name == "CHEXPERT_E_BUFFER_TOO_SMALL"
        assert isinstance(info.value, ValueError)
        assert "out" in info.value.message and str(2 * 64 * 48 * 3) in info.value.message
        assert (out == 9).all(), "nothing is written to a too-small buffer"
        _assert_still_works(ds, baseline)


def test_index_out_of_range(opened):
    _, ds, baseline = opened
    sp = ds["train"]
    n = len(sp)
    for call, fragment in [(lambda: sp[n], str(n)), (lambda: sp[-n - 1], "-1"),
                           (lambda: sp.shape(n + 5), str(n + 5)),
                           (lambda: sp.read_batch([0, 10**12]), str(10**12)),
                           (lambda: sp[1:3][2], "2")]:
        with pytest.raises(chexpert.ChexpertError) as info:
            call()
        assert info.value.name == "CHEXPERT_E_OUT_OF_RANGE"
        assert isinstance(info.value, IndexError)
        assert fragment in info.value.message
    _assert_still_works(ds, baseline)


def test_indices_are_checked_before_any_c_call(opened):
    _, ds, baseline = opened
    sp = ds["train"]
    for bad in ([0, 1.0], np.array([0.0, 1.0]), [True, False], np.array([True])):
        for call in (sp.read_batch, sp.labels, sp.image_views, sp.names, sp.projections):
            with pytest.raises(TypeError):
                call(bad)
    for bad in (1.0, True, np.float64(2.0), np.bool_(False)):
        with pytest.raises(TypeError):
            sp[bad]
    for bad in ([2**63], [-(2**63) - 1], np.array([2**64 - 1], np.uint64), [2**70]):
        with pytest.raises(chexpert.ChexpertIndexError) as info:
            sp.read_batch(bad)
        assert isinstance(info.value, IndexError) and "int64" in info.value.message
    with pytest.raises(IndexError):
        sp.labels([len(sp)])
    # numpy integers of every width are indices.
    for dtype in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.uint64):
        assert sp.names(np.array([1, 0], dtype)) == sp.names([1, 0])
    assert sp[np.int32(1)]["name"] == sp[1]["name"]
    _assert_still_works(ds, baseline)


def test_invalid_arguments(opened):
    _, ds, baseline = opened
    for threads in (-1, 1025, 2**40):
        with pytest.raises(chexpert.ChexpertError) as info:
            ds["train"].read_batch([0], num_threads=threads)
        assert info.value.name == "CHEXPERT_E_INVALID_ARGUMENT" and "num_threads" in info.value.message
        assert isinstance(info.value, ValueError)
    for threads in (1.0, True):
        with pytest.raises(TypeError):
            ds["train"].read_batch([0], num_threads=threads)
    ds["train"].read_batch([0], num_threads=1024)
    with pytest.raises(chexpert.ChexpertError) as info:
        ds.split(7)
    assert info.value.name == "CHEXPERT_E_INVALID_ARGUMENT" and "split" in info.value.message
    assert isinstance(info.value, chexpert.ChexpertArgumentError) and isinstance(info.value, ValueError)
    _assert_still_works(ds, baseline)


def test_limits(tree):
    with chexpert.Dataset(tree, max_pixels=16) as ds:
        with pytest.raises(chexpert.ChexpertError) as info:
            ds["train"][0]
        assert info.value.name == "CHEXPERT_E_LIMIT" and "pixels" in info.value.message
        assert isinstance(info.value, chexpert.ChexpertLimitError)
    with chexpert.Dataset(tree, max_file_bytes=64) as ds:
        with pytest.raises(chexpert.ChexpertError) as info:
            ds["train"].read_batch([0, 1])
        assert info.value.name == "CHEXPERT_E_LIMIT"
    for option, value in [("max_pixels", 0), ("max_file_bytes", -1), ("max_pixels", 2**31 + 1)]:
        with pytest.raises(chexpert.ChexpertError) as info:
            chexpert.Dataset(tree, **{option: value})
        assert info.value.name == "CHEXPERT_E_INVALID_ARGUMENT"


def test_closed_dataset_is_refused_before_reaching_c(tree):
    ds = chexpert.Dataset(tree)
    sp = ds["train"]
    ds.close()
    for call in (lambda: sp[0], lambda: sp.read_batch([0]), lambda: sp.labels(), lambda: len(ds["train"]),
                 lambda: ds.memory_usage(), lambda: ds.dct, lambda: sp.shape(0),
                 lambda: sp.image_views(), lambda: sp.names([0]), lambda: sp.verify([0])):
        with pytest.raises(chexpert.ChexpertClosedError) as info:
            call()
        assert info.value.name == "CHEXPERT_E_CLOSED" and isinstance(info.value, ValueError)
        assert str(tree) in info.value.message and "closed" in info.value.message


def test_messages_are_per_thread(tree):
    """Concurrent failures each see their own message (thread-local last error)."""
    with chexpert.Dataset(tree) as ds:
        sp = ds["train"]
        failures, raised = [], []

        def worker(offset):
            try:
                for k in range(200):
                    # The library's messages: raw calls, past the binding's own checks.
                    index = 10**9 + offset * 1000 + k
                    try:
                        _ffi.chexpert_example_view(ds.handle(), sp.id, index, byref(c_int64()))
                    except chexpert.ChexpertError as error:
                        if str(index) not in error.message:
                            failures.append((index, error.message))
                    else:
                        failures.append((index, "no error"))
            except BaseException as error:      # re-raised below, in the test's thread
                raised.append(error)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if raised:
            raise raised[0]
        assert not failures


# -- the raw _ffi layer: NULL, invalid and closed handles ------------------

@pytest.fixture
def handle(tree):
    h = _ffi.dataset_p()
    _ffi.chexpert_dataset_open(byref(h), os.fsencode(tree), None)
    yield h
    _ffi.chexpert_dataset_close(h)


@pytest.fixture
def params():
    p = _ffi.Params()
    yield p
    p.close()


def _raw_error(function, *args) -> chexpert.ChexpertError:
    with pytest.raises(chexpert.ChexpertError) as info:
        function(*args)
    return info.value


def _p64(array):
    return array.ctypes.data_as(POINTER(c_int64))


def test_raw_null_pointers(handle, params):
    sized = _ffi.Params({_ffi.CHEXPERT_KEY_HEIGHT: 8, _ffi.CHEXPERT_KEY_WIDTH: 8})
    count = c_int64()
    one = np.zeros(1, np.int64)
    statuses = np.zeros(1, np.int32)
    cases = [
        (_ffi.chexpert_dataset_open, (None, b"/tmp", None), "out"),
        (_ffi.chexpert_split_size, (handle, 0, None), "out_count"),
        (_ffi.chexpert_split_size, (None, 0, byref(count)), "ds"),
        (_ffi.chexpert_dataset_memory_usage, (handle, None), "out_bytes"),
        (_ffi.chexpert_dataset_get_option, (handle, _ffi.CHEXPERT_KEY_DCT, None), "out_value"),
        (_ffi.chexpert_example_image, (handle, 0, 0, None, 10, None, None), "out"),
        (_ffi.chexpert_example_labels, (handle, 0, 0, None, 14), "out"),
        (_ffi.chexpert_example_view, (handle, 0, 0, None), "out_view"),
        (_ffi.chexpert_example_name, (handle, 0, 0, None, 10, None), "out"),
        (_ffi.chexpert_batch_images, (handle, 0, None, 1, None, None, 0, None), "indices"),
        (_ffi.chexpert_batch_labels, (handle, 0, None, 1, None, 0), "indices"),
        (_ffi.chexpert_batch_views, (handle, 0, _p64(one), 1, None, 1), "out"),
        (_ffi.chexpert_batch_projections, (handle, 0, _p64(one), 1, None, 1), "out"),
        (_ffi.chexpert_batch_verify, (handle, 0, _p64(one), 1, None, None, None, 0), "statuses"),
        (_ffi.chexpert_params_create, (None,), "out"),
        (_ffi.chexpert_params_set, (None, _ffi.CHEXPERT_KEY_THREADS, 1), "params"),
        (_ffi.chexpert_params_get, (params, _ffi.CHEXPERT_KEY_THREADS, None), "out_value"),
        (_ffi.chexpert_params_set_floats, (params, _ffi.CHEXPERT_KEY_MEAN, None, 1), "values"),
        (_ffi.chexpert_params_set_rules, (params, None, 1), "rules"),
        (_ffi.chexpert_resize_output_bytes, (sized, 1, None), "out_bytes"),
    ]
    for function, args, argument in cases:
        error = _raw_error(function, *args)
        assert error.name == "CHEXPERT_E_NULL_POINTER", (function.__name__, error)
        assert isinstance(error, chexpert.ChexpertNullPointerError) and isinstance(error, ValueError)
        assert argument in error.message, (function.__name__, error.message)
    assert not statuses.any()


def test_raw_closed_and_made_up_handles(tree):
    closed = _ffi.dataset_p()
    _ffi.chexpert_dataset_open(byref(closed), os.fsencode(tree), None)
    _ffi.chexpert_dataset_close(closed)
    _ffi.chexpert_dataset_close(closed)          # closing twice is a no-op
    _ffi.chexpert_dataset_close(None)            # so is NULL
    made_up = ctypes.cast(ctypes.c_void_p(0x5EED), _ffi.dataset_p)
    _ffi.chexpert_dataset_close(made_up)         # and an unknown value
    count = c_int64()
    for h in (closed, made_up):
        error = _raw_error(_ffi.chexpert_split_size, h, 0, byref(count))
        assert error.name == "CHEXPERT_E_CLOSED"
        # E_CLOSED from C is the same class the binding raises itself.
        assert isinstance(error, chexpert.ChexpertClosedError) and isinstance(error, ValueError)
    # The same for parameter sets.
    params = _ffi.params_p()
    _ffi.chexpert_params_create(byref(params))
    _ffi.chexpert_params_free(params)
    _ffi.chexpert_params_free(params)
    _ffi.chexpert_params_free(None)
    made_up_params = ctypes.cast(ctypes.c_void_p(0x5EED), _ffi.params_p)
    for p in (params, made_up_params):
        error = _raw_error(_ffi.chexpert_params_set, p, _ffi.CHEXPERT_KEY_THREADS, 1)
        assert isinstance(error, chexpert.ChexpertClosedError), error
        error = _raw_error(_ffi.chexpert_dataset_open, byref(closed), os.fsencode(tree), p)
        assert isinstance(error, chexpert.ChexpertClosedError), error
    # A closed Params object is refused by the binding, as the library would.
    wrapper = _ffi.Params({_ffi.CHEXPERT_KEY_THREADS: 2})
    assert wrapper.get(_ffi.CHEXPERT_KEY_THREADS) == 2
    wrapper.close()
    wrapper.close()                              # idempotent
    with pytest.raises(chexpert.ChexpertClosedError):
        wrapper.get(_ffi.CHEXPERT_KEY_THREADS)


def test_raw_invalid_arguments(handle, params):
    value = c_int64()
    assert _raw_error(_ffi.chexpert_dataset_set_option, handle, 99, 0).name == "CHEXPERT_E_INVALID_ARGUMENT"
    assert _raw_error(_ffi.chexpert_dataset_get_option, handle, 0, byref(value)).name == \
        "CHEXPERT_E_INVALID_ARGUMENT"
    error = _raw_error(_ffi.chexpert_dataset_set_option, handle, _ffi.CHEXPERT_KEY_DCT, 2)
    assert error.name == "CHEXPERT_E_INVALID_ARGUMENT"
    # Tagged values: a value of another enum is refused, never read as a different choice.
    for key, wrong in [(_ffi.CHEXPERT_KEY_DCT, _ffi.CHEXPERT_ON_ERROR_RAISE),
                       (_ffi.CHEXPERT_KEY_ON_ERROR, _ffi.CHEXPERT_DCT_FAST)]:
        error = _raw_error(_ffi.chexpert_dataset_set_option, handle, key, wrong)
        assert error.name == "CHEXPERT_E_INVALID_ARGUMENT"
    for key, wrong in [(_ffi.CHEXPERT_KEY_FIT, _ffi.CHEXPERT_FILTER_AREA),
                       (_ffi.CHEXPERT_KEY_FILTER, _ffi.CHEXPERT_FIT_COVER),
                       (_ffi.CHEXPERT_KEY_LAYOUT, 1), (_ffi.CHEXPERT_KEY_THREADS, -1),
                       (_ffi.CHEXPERT_KEY_THREADS, _ffi.CHEXPERT_MAX_THREADS + 1), (999, 0)]:
        error = _raw_error(_ffi.chexpert_params_set, params, key, wrong)
        assert error.name == "CHEXPERT_E_INVALID_ARGUMENT", (key, wrong)
        assert isinstance(error, chexpert.ChexpertArgumentError)
    error = _raw_error(_ffi.chexpert_split_num_labels, handle, -1, byref(c_int32()))
    assert error.name == "CHEXPERT_E_INVALID_ARGUMENT"
    error = _raw_error(_ffi.chexpert_split_label_name, handle, 0, 14, None, 0, None)
    assert error.name == "CHEXPERT_E_OUT_OF_RANGE" and isinstance(error, IndexError)
    # A key with no value and no default of its own is "not found".
    error = _raw_error(_ffi.chexpert_params_get, params, _ffi.CHEXPERT_KEY_HEIGHT, byref(value))
    assert error.name == "CHEXPERT_E_NOT_FOUND"


def test_raw_size_queries_return_ok_and_too_small_buffers_write_nothing(handle):
    size = c_size_t()
    buffer = ctypes.create_string_buffer(b"\x55" * 4, 4)
    error = _raw_error(_ffi.chexpert_example_name, handle, 0, 0, buffer, 4, byref(size))
    assert error.name == "CHEXPERT_E_BUFFER_TOO_SMALL"
    assert isinstance(error, chexpert.ChexpertBufferTooSmallError) and isinstance(error, ValueError)
    assert size.value > 4 and str(size.value) in error.message
    assert buffer.raw == b"\x55" * 4
    # A size query (NULL, 0) reports the size and returns CHEXPERT_OK.
    size = c_size_t()
    assert _ffi.chexpert_example_name(handle, 0, 0, None, 0, byref(size)) == _ffi.CHEXPERT_OK
    assert size.value > 4
    assert _ffi.chexpert_dataset_root(handle, None, 0, byref(size)) == _ffi.CHEXPERT_OK
    assert size.value > 1
    labels = np.full(13, 7, np.int64)
    error = _raw_error(_ffi.chexpert_example_labels, handle, 0, 0,
                       labels.ctypes.data_as(POINTER(c_int64)), 13)
    assert error.name == "CHEXPERT_E_BUFFER_TOO_SMALL" and (labels == 7).all()
    height, width = c_int32(), c_int32()
    image = np.zeros(10, np.uint8)
    error = _raw_error(_ffi.chexpert_example_image, handle, 0, 0,
                       image.ctypes.data_as(POINTER(c_uint8)), 10, byref(height), byref(width))
    assert error.name == "CHEXPERT_E_BUFFER_TOO_SMALL"
    assert height.value > 0 and width.value > 0 and not image.any()
    # The image size query.
    h2, w2 = c_int32(), c_int32()
    assert _ffi.chexpert_example_image(handle, 0, 0, None, 0, byref(h2), byref(w2)) == _ffi.CHEXPERT_OK
    assert (h2.value, w2.value) == (height.value, width.value)


def test_raw_batch_images_sizes_and_too_small_output(handle):
    indices = np.array([0, 1], np.int64)
    shapes = np.full((2, 2), -1, np.int32)
    p_shapes = shapes.ctypes.data_as(POINTER(c_int32))
    # Size query: the shapes, CHEXPERT_OK, nothing else.
    assert _ffi.chexpert_batch_images(handle, 0, _p64(indices), 2, None, None, 0, p_shapes) == 0
    for k in range(2):
        h, w = c_int32(), c_int32()
        _ffi.chexpert_example_image(handle, 0, int(indices[k]), None, 0, byref(h), byref(w))
        assert shapes[k].tolist() == [h.value, w.value]
    needed = int((shapes[:, 0].astype(np.int64) * shapes[:, 1]).sum()) * 3
    images = np.zeros(needed, np.uint8)
    shapes[:] = -1
    error = _raw_error(_ffi.chexpert_batch_images, handle, 0, _p64(indices), 2, None,
                       images.ctypes.data_as(POINTER(c_uint8)), needed - 1, p_shapes)
    assert error.name == "CHEXPERT_E_BUFFER_TOO_SMALL" and str(needed) in error.message
    assert not images.any() and (shapes > 0).all(), "shapes are set, pixels are not"
    _ffi.chexpert_batch_images(handle, 0, _p64(indices), 2, None,
                               images.ctypes.data_as(POINTER(c_uint8)), needed, None)
    assert images.any()


def test_status_names_and_vocabulary_functions():
    codes = {name: value for name, value in vars(_ffi).items()
             if name == "CHEXPERT_OK" or name.startswith("CHEXPERT_E_")}
    for name, value in codes.items():
        assert _ffi.chexpert_status_name(value) == name.encode()
    assert _ffi.chexpert_status_name(-999) == b"CHEXPERT_E_UNKNOWN"
    assert _ffi.chexpert_split_name(2) == b"test"
    assert _ffi.chexpert_split_name(3) is None and _ffi.chexpert_split_name(-1) is None
    assert _ffi.chexpert_label_class_name(4) is None
    assert _ffi.chexpert_view_name(2) is None
    assert _ffi.chexpert_projection_name(4) is None and _ffi.chexpert_projection_name(-1) is None
    assert chexpert.PROJECTION_NAMES == tuple(
        _ffi.chexpert_projection_name(p).decode() for p in range(_ffi.CHEXPERT_NUM_PROJECTIONS))


_CLASSES = {
    "CHEXPERT_E_INVALID_ARGUMENT": (chexpert.ChexpertArgumentError, ValueError),
    "CHEXPERT_E_NULL_POINTER": (chexpert.ChexpertNullPointerError, ValueError),
    "CHEXPERT_E_OUT_OF_RANGE": (chexpert.ChexpertIndexError, IndexError),
    "CHEXPERT_E_BUFFER_TOO_SMALL": (chexpert.ChexpertBufferTooSmallError, ValueError),
    "CHEXPERT_E_CLOSED": (chexpert.ChexpertClosedError, ValueError),
    "CHEXPERT_E_NOT_FOUND": (chexpert.ChexpertNotFoundError, FileNotFoundError),
    "CHEXPERT_E_IO": (chexpert.ChexpertIOError, OSError),
    "CHEXPERT_E_CSV": (chexpert.ChexpertCSVError, ValueError),
    "CHEXPERT_E_IMAGE": (chexpert.ChexpertImageError, OSError),
    "CHEXPERT_E_LIMIT": (chexpert.ChexpertLimitError, ValueError),
    "CHEXPERT_E_NO_MEMORY": (chexpert.ChexpertMemoryError, MemoryError),
    "CHEXPERT_E_INTERNAL": (chexpert.ChexpertInternalError, RuntimeError),
    "CHEXPERT_E_STALE": (chexpert.ChexpertStaleCacheError, ValueError),
}


def test_every_status_has_its_class_and_they_pickle():
    import pickle
    from chexpert.errors import make_error
    for name, (cls, builtin) in _CLASSES.items():
        code = getattr(_ffi, name)
        error = make_error(code, name, f"message of {name}")
        assert type(error) is cls and isinstance(error, builtin)
        assert isinstance(error, chexpert.ChexpertError)
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is cls
        assert (again.code, again.name, again.message) == (code, name, f"message of {name}")
        assert str(again) == str(error) and name in str(error)
    assert set(_CLASSES) == {n for n in vars(_ffi) if n.startswith("CHEXPERT_E_")}


def test_error_pickles_with_its_fields():
    import pickle
    error = chexpert.ChexpertError(-8, "CHEXPERT_E_CSV", "train.csv: line 3")
    again = pickle.loads(pickle.dumps(error))
    assert (again.code, again.name, again.message) == (-8, "CHEXPERT_E_CSV", "train.csv: line 3")
    index_error = pickle.loads(pickle.dumps(chexpert.ChexpertIndexError(-3, "CHEXPERT_E_OUT_OF_RANGE", "x")))
    assert isinstance(index_error, IndexError)
    csv_error = chexpert.ChexpertCSVError(
        -8, "CHEXPERT_E_CSV",
        "/d/CheXpert-v1.0-small/train.csv: line 4, column 8 'Cardiomegaly': label cell '2.0' is not ...")
    for e in (csv_error, pickle.loads(pickle.dumps(csv_error))):
        assert (e.file, e.line, e.column) == ("/d/CheXpert-v1.0-small/train.csv", 4, 8)
    line_only = chexpert.ChexpertCSVError(-8, "CHEXPERT_E_CSV", "/d/valid.csv: line 1: the header has no 'Path'")
    assert (line_only.file, line_only.line, line_only.column) == ("/d/valid.csv", 1, None)
    no_line = chexpert.ChexpertCSVError(-8, "CHEXPERT_E_CSV", "/d/valid.csv: the file is empty; expected ...")
    assert (no_line.file, no_line.line, no_line.column) == ("/d/valid.csv", None, None)


def test_raw_batch_output_arguments(handle):
    indices = np.array([0, 1], np.int64)
    labels = np.full(28, 5, np.int64)
    views = np.full(2, 5, np.int64)
    p_indices = _p64(indices)
    cases = [  # (function, out, capacity) -> status, argument named
        (_ffi.chexpert_batch_labels, None, 28, "CHEXPERT_E_NULL_POINTER", "out"),
        (_ffi.chexpert_batch_views, None, 2, "CHEXPERT_E_NULL_POINTER", "out"),
        (_ffi.chexpert_batch_labels, _p64(labels), 27, "CHEXPERT_E_BUFFER_TOO_SMALL", "28"),
        (_ffi.chexpert_batch_views, _p64(views), 1, "CHEXPERT_E_BUFFER_TOO_SMALL", "2"),
        (_ffi.chexpert_batch_projections, _p64(views), 1, "CHEXPERT_E_BUFFER_TOO_SMALL", "2"),
    ]
    for function, out, capacity, name, fragment in cases:
        error = _raw_error(function, handle, 0, p_indices, 2, out, capacity)
        assert (error.name, fragment in error.message) == (name, True), error
    assert (labels == 5).all() and (views == 5).all()
    # Each output alone works; count 0 reads nothing.
    _ffi.chexpert_batch_labels(handle, 0, p_indices, 2, _p64(labels), 28)
    _ffi.chexpert_batch_views(handle, 0, p_indices, 2, _p64(views), 2)
    _ffi.chexpert_batch_labels(handle, 0, None, 0, None, 0)
    assert set(labels.tolist()) <= {0, 1, 2, 3} and set(views.tolist()) <= {0, 1}


def test_verify_messages_are_cut_at_the_stride(handle, tree_copy):
    """batch_verify's messages: NUL-terminated within `message_stride`."""
    with chexpert.Dataset(tree_copy) as ds:
        name = ds["train"][2]["name"].decode()
        (tree_copy / name).write_bytes(b"not a jpeg" * 10)
        indices = np.array([0, 2], np.int64)
        statuses = np.full(2, 99, np.int32)
        for stride in (8, 1024):
            messages = np.full((2, stride), 0x55, np.uint8)
            _ffi.chexpert_batch_verify(ds.handle(), 0, _p64(indices), 2, None,
                                       statuses.ctypes.data_as(POINTER(c_int32)),
                                       messages.ctypes.data_as(POINTER(c_char)), stride)
            assert statuses.tolist() == [0, _ffi.CHEXPERT_E_IMAGE]
            assert messages[0, 0] == 0
            text = messages[1].tobytes()
            assert b"\0" in text
            if stride == 1024:
                assert name.encode() in text[: text.index(b"\0")]
