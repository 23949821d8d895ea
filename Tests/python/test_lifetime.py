"""Loading the library, handle lifetime, pickling, fork and spawn."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import weakref
from ctypes import byref, c_int64
from pathlib import Path

import pytest

import chexpert
from chexpert import _ffi, _library
from pool_workers import digest, read_batch_digest, read_examples


# -- loading -------------------------------------------------------------

def test_library_is_loaded_with_cdll_so_calls_release_the_gil():
    assert isinstance(_ffi.LIBRARY, ctypes.CDLL) and not isinstance(_ffi.LIBRARY, ctypes.PyDLL)
    for function in _ffi.FUNCTIONS.values():
        assert not function._flags_ & ctypes._FUNCFLAG_PYTHONAPI


def test_loaded_library_is_the_one_asked_for():
    if os.environ.get("CHEXPERT_LIBRARY"):
        assert chexpert.library_path == os.environ["CHEXPERT_LIBRARY"]
    assert Path(chexpert.library_path).is_file()


def test_candidate_order_without_override(monkeypatch):
    monkeypatch.delenv("CHEXPERT_LIBRARY", raising=False)
    package = Path(chexpert.__file__).resolve().parent
    assert [path for _, path in _library.candidate_paths()] == [
        str(package / "libchexpert.so"),
        str(package.parents[2] / ".build" / "release" / "libchexpert.so")]


def test_load_failure_lists_every_path_with_its_error(tmp_path):
    missing = tmp_path / "nope" / "libchexpert.so"
    result = subprocess.run([sys.executable, "-c", "import chexpert"],
                            env={**os.environ, "CHEXPERT_LIBRARY": str(missing)},
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert str(missing) in result.stderr and "No such file" in result.stderr


def test_abi_mismatch_is_refused_naming_the_library():
    assert _library.EXPECTED_ABI_VERSION == _ffi.CHEXPERT_ABI_VERSION == 2
    _library.check_abi(_library.EXPECTED_ABI_VERSION, "/x/libchexpert.so")
    for other in (1, 3):
        with pytest.raises(ImportError, match=rf"/x/libchexpert\.so.*ABI version {other}"):
            _library.check_abi(other, "/x/libchexpert.so")


# -- lifetime ------------------------------------------------------------

def test_close_is_idempotent_and_context_manager_closes(tree):
    ds = chexpert.Dataset(tree)
    handle = ds._handle
    ds.close()
    ds.close()
    assert ds.closed
    with pytest.raises(chexpert.ChexpertError) as info:
        _ffi.chexpert_split_size(handle, 0, byref(c_int64()))
    assert info.value.name == "CHEXPERT_E_CLOSED"
    with chexpert.Dataset(tree) as ds2:
        assert len(ds2["train"]) > 0
    assert ds2.closed
    with pytest.raises(chexpert.ChexpertError):
        ds2["train"]


def test_garbage_collection_closes_the_handle(tree):
    ds = chexpert.Dataset(tree)
    handle = ds._handle
    alive = weakref.ref(ds)
    del ds
    gc.collect()
    assert alive() is None
    with pytest.raises(chexpert.ChexpertError) as info:
        _ffi.chexpert_split_size(handle, 0, byref(c_int64()))
    assert info.value.name == "CHEXPERT_E_CLOSED"


def test_split_keeps_its_dataset_alive(tree):
    sp = chexpert.Dataset(tree)["train"]
    gc.collect()
    assert len(sp[0]["label"]) == 14


# -- pickling, fork, spawn -------------------------------------------------

def test_pickle_keeps_root_and_options_and_drops_the_handle(tree):
    with chexpert.Dataset(tree, dct="accurate", max_pixels=10**7) as ds:
        state = ds.__getstate__()
        assert set(state) == {"root", "options", "closed", "cache"} and state["cache"] is None
        data = pickle.dumps(ds)
        again = pickle.loads(data)
        assert again._handle is None                    # reopened lazily
        assert again.root == ds.root
        assert again.dct == "accurate" and again.max_pixels == 10**7
        assert again._handle is not None and again._handle is not ds._handle
        assert digest(again["train"][1]) == digest(ds["train"][1])
        again.close()
        split_again = pickle.loads(pickle.dumps(ds["validation"][1:]))
        assert split_again.indices == range(1, len(ds["validation"]))
        assert split_again[0]["name"] == ds["validation"][1]["name"]
    closed = pickle.loads(pickle.dumps(ds))
    with pytest.raises(chexpert.ChexpertError) as info:
        closed["train"]
    assert info.value.name == "CHEXPERT_E_CLOSED"


def test_os_fork_child_reopens_and_reads(tree):
    ds = chexpert.Dataset(tree)
    expected = [digest(ds["train"][i]) for i in range(3)]
    parent_handle = ds._handle
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:   # child: no pytest machinery, report through the pipe
        status = 1
        try:
            signal.alarm(60)        # a hung child ends (SIGALRM) and fails the test
            got = [digest(ds["train"][i]) for i in range(3)]
            reopened = ds._handle is not parent_handle and ds._pid == os.getpid()
            os.write(write_fd, pickle.dumps((got, reopened)))
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    got, reopened = pickle.loads(data)
    assert got == expected and reopened
    assert ds._handle is parent_handle                  # the parent's handle is untouched
    assert digest(ds["train"][0]) == expected[0]
    ds.close()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pool_workers_read_from_a_pickled_dataset(tree, method):
    with chexpert.Dataset(tree) as ds:
        n = len(ds["train"])
        expected = [digest(ds["train"][i]) for i in range(n)]
        batch_expected = [hashlib.sha256(image.tobytes()).hexdigest()
                          for image in ds["train"].read_batch(range(n))["image"]]
        chunks = [list(range(i, n, 2)) for i in range(2)]
        with multiprocessing.get_context(method).Pool(2) as pool:
            results = pool.starmap(read_examples, [(ds, "train", chunk) for chunk in chunks])
            batch_pid, batch_digests = pool.apply(read_batch_digest, (ds, "train", list(range(n))))
        assert all(pid != os.getpid() for pid, _ in results) and batch_pid != os.getpid()
        for chunk, (_, digests) in zip(chunks, results):
            assert digests == [expected[i] for i in chunk]
        assert batch_digests == batch_expected


def test_error_in_a_spawned_worker_comes_back_as_chexpert_error(tree):
    with chexpert.Dataset(tree) as ds:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            with pytest.raises(chexpert.ChexpertError) as info:
                pool.apply(read_examples, (ds, "train", [10**6]))
    assert info.value.name == "CHEXPERT_E_OUT_OF_RANGE" and str(10**6) in info.value.message
