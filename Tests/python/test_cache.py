"""The packed cache (docs/cache.md): round trip (reads with a cache equal the
cached planes resized with the same parameters), stale, foreign, truncated
and corrupt caches refused naming what differs, no partial file after a
failed build, examples recorded as failed, the progress counter, the CLI, and
every adapter (Loader, chexpert.torch with worker processes, chexpert.tf) on
a cached dataset."""

from __future__ import annotations

import ctypes
import os
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import chexpert
import resize_ref
from chexpert import _ffi
from conftest import SMALL, read_csv, write_csv

GREY = dict(channels=1, dtype="uint8")
JOB = chexpert.Resize((24, 20), dtype="float32", normalize="imagenet", layout="NCHW")


@pytest.fixture(scope="module")
def built(tree, tmp_path_factory):
    """(dataset, path) of a short-side-16 cache of the default tree."""
    path = tmp_path_factory.mktemp("cache") / "side16.chxc"
    with chexpert.Dataset(tree) as ds:
        ds.build_cache(path, 16, num_threads=2)
    return path


def _plane_shape(height, width, side):
    short, long = min(height, width), max(height, width)
    other = min(max(int(np.round(long * side / short)), 1), 65535)
    return (side, other) if height <= width else (other, side)


def _files(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir())


def test_exact_planes_are_the_jpeg_path_resized_and_read_back_unchanged(tree, tmp_path):
    """A cache at exactly H x W holds what the JPEG path gives at H x W
    (uint8, one channel); read back at H x W (stretch: the identity) it is
    returned byte for byte."""
    path = tmp_path / "exact.chxc"
    ds = chexpert.Dataset(tree)
    ds.build_cache(path, height=30, width=26, fit="cover", filter="area", num_threads=2)
    info = chexpert.cache.info(path)
    assert (info["version"], info["side"], info["height"], info["width"]) == (1, 0, 30, 26)
    assert info["file_bytes"] == path.stat().st_size and info["file_bytes"] % 4096 == 0
    for name in ("train", "validation"):
        sp = ds[name]
        indices = list(range(len(sp)))
        from_jpeg = sp.resized_images(indices, chexpert.Resize((30, 26), fit="cover", **GREY))[0]
        cached = chexpert.Dataset(tree, cache=path)[name]
        planes = cached.resized_images(indices, chexpert.Resize((30, 26), fit="stretch", **GREY))[0]
        assert np.array_equal(planes, from_jpeg)
        assert info[name] == len(sp)


def test_a_plane_at_the_output_size_is_served_bit_exactly(tree, tmp_path):
    """A cache at exactly H x W read at H x W (the identity shortcut: no
    resample, the plane read in place) gives each plane pixel v as
    v * a + b in float32, a = 1 / (255 std), b = -mean / std: the bits of
    Pillow's resample at scale 1 (one weight 1.0) then the writer's mapping,
    for both arithmetics, both filters, both layouts, every fit."""
    path = tmp_path / "exact.chxc"
    ds = chexpert.Dataset(tree)
    ds.build_cache(path, height=30, width=26, fit="cover", filter="bilinear", num_threads=2)
    sp = chexpert.Dataset(tree, cache=path)["train"]
    indices = list(range(len(sp)))
    planes = sp.resized_images(indices, chexpert.Resize((30, 26), fit="stretch", **GREY))[0][..., 0]
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    a, b = np.float32(1) / (np.float32(255) * std), -mean / std
    mapped = planes.astype(np.float32)[:, None] * a[None, :, None, None] + b[None, :, None, None]  # N C H W
    for fit in ("cover", "contain", "stretch"):
        for filter in ("area", "bilinear"):
            for resample in ("fast", "exact"):
                for layout in ("NCHW", "NHWC"):
                    resize = chexpert.Resize((30, 26), channels=3, dtype="float32", normalize=(mean, std),
                                             layout=layout, fit=fit, filter=filter, resample=resample)
                    images = sp.resized_images(indices, resize, num_threads=2)[0]
                    expected = mapped if layout == "NCHW" else mapped.transpose(0, 2, 3, 1)
                    assert images.dtype == np.float32 and images.shape == expected.shape
                    assert np.array_equal(images.view(np.uint32), np.ascontiguousarray(expected).view(np.uint32)), \
                        (fit, filter, resample, layout)


def test_reads_with_a_cache_equal_the_cached_planes_resized(tree, built):
    """The round trip: batch_resized with the cache == the reference resize
    (resize_ref, Pillow) of each cached plane with the same parameters."""
    plain = chexpert.Dataset(tree)
    cached = chexpert.Dataset(tree, cache=built)
    sp, csp = plain["train"], cached["train"]
    indices = list(range(len(sp)))
    planes = []
    for k in indices:
        height, width = sp.shape(k)[:2]
        shape = _plane_shape(height, width, 16)
        plane = csp.resized_images([k], chexpert.Resize(shape, fit="stretch", **GREY))[0][0]
        # The plane is the JPEG path's stretch to that shape (grey).
        jpeg = sp.resized_images([k], chexpert.Resize(shape, fit="stretch", **GREY))[0][0]
        assert np.array_equal(plane, jpeg), k
        planes.append(plane[..., 0])
    cases = [  # (resize, output height, width, fit, dtype, normalize, layout)
        (chexpert.Resize((24, 20), dtype="float32", normalize="imagenet", layout="NCHW", resample="exact"),
         24, 20, "cover", "float32", "imagenet", "NCHW"),
        (chexpert.Resize((12, 10), fit="contain", filter="bilinear", resample="exact"),
         12, 10, "contain", "uint8", "none", "NHWC"),
    ]
    for resize, height, width, fit, dtype, normalize, layout in cases:
        images = csp.resized_images(indices, resize, num_threads=2)[0]
        for k, plane in enumerate(planes):
            source = np.repeat(plane[..., None].astype(np.float32), 3, axis=2)
            values = resize_ref.resample(source, height, width, fit, resize.filter)
            expected = resize_ref.finish(values, dtype, normalize, layout)
            difference = np.abs(images[k].astype(np.float64) - expected.astype(np.float64))
            assert difference.max() <= (1e-4 * max(1.0, np.abs(expected).max()) if dtype == "float32" else 1), \
                (k, fit, difference.max())


def test_a_cache_changes_only_resized_reads_and_detaches(tree, built):
    plain, cached = chexpert.Dataset(tree)["train"], chexpert.Dataset(tree, cache=built)["train"]
    indices = list(range(len(plain)))
    assert not np.array_equal(cached.resized_images(indices, JOB)[0], plain.resized_images(indices, JOB)[0])
    # The raw TFDS path stays on the JPEGs.
    for k in (0, 3):
        assert np.array_equal(cached[k]["image"], plain[k]["image"])
    batch = cached.read_batch([0, 1])
    assert np.array_equal(batch["image"][0], plain[0]["image"])
    ds = cached.dataset
    assert ds.cache == str(built)
    ds.attach_cache(None)
    assert ds.cache is None
    assert np.array_equal(cached.resized_images(indices, JOB)[0], plain.resized_images(indices, JOB)[0])


def test_a_pickled_dataset_keeps_its_cache(tree, built):
    ds = chexpert.Dataset(tree, cache=built)
    again = pickle.loads(pickle.dumps(ds))
    assert again.cache == str(built)
    assert np.array_equal(again["validation"].resized_images([0, 1], JOB)[0],
                          ds["validation"].resized_images([0, 1], JOB)[0])


def _stale(root, path, *words):
    with pytest.raises(chexpert.ChexpertStaleCacheError) as caught:
        chexpert.Dataset(root, cache=path)
    for word in words:
        assert word in str(caught.value), str(caught.value)
    assert caught.value.code == _ffi.CHEXPERT_E_STALE and isinstance(caught.value, ValueError)


def test_stale_caches_are_refused_naming_what_differs(tree_copy, make_tree, tmp_path):
    path = tmp_path / "c.chxc"
    chexpert.Dataset(tree_copy).build_cache(path, 12)
    chexpert.Dataset(tree_copy, cache=path)                       # fresh: accepted
    # An image touched (same bytes, another time).
    name = read_csv(tree_copy, "train")[1][2][0]
    image = tree_copy / name
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    _stale(tree_copy, path, name.split("/")[-1], "changed", "modification time changed")
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    chexpert.Dataset(tree_copy, cache=path)                       # restored: accepted
    # An image replaced by another (other size).
    other = tree_copy / read_csv(tree_copy, "train")[1][0][0]
    data = image.read_bytes()
    image.write_bytes(other.read_bytes() + b"\0")
    _stale(tree_copy, path, "bytes then")
    image.write_bytes(data)
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    chexpert.Dataset(tree_copy, cache=path)
    # A label cell edited.
    header, rows = read_csv(tree_copy, "validation")
    original = [list(r) for r in rows]
    column = header.index("Edema")
    rows[0][column] = "1.0" if rows[0][column] != "1.0" else "0.0"
    write_csv(tree_copy, "validation", header, rows)
    _stale(tree_copy, path, "'validation'", "valid.csv")
    write_csv(tree_copy, "validation", header, original)
    chexpert.Dataset(tree_copy, cache=path)
    # Another selection; another tree.
    with pytest.raises(chexpert.ChexpertStaleCacheError, match="CHEXPERT_KEY_SELECT"):
        chexpert.Dataset(tree_copy, projections="frontal", cache=path)
    _stale(make_tree("--train-patients", "3", "--valid-patients", "1", "--seed", "7"), path, "other sources")


def test_foreign_truncated_and_corrupt_files_are_refused(tree, built, tmp_path):
    data = built.read_bytes()
    cases = {
        "foreign": (b"\x89PNG\r\n\x1a\n" + bytes(8192), "not a libchexpert packed cache"),
        "short": (data[:100], "truncated"),
        "truncated": (data[:-4096], "truncated"),
        "version": (data[:8] + (2).to_bytes(4, "little") + data[12:], "format version 2"),
        "index": (data[:4096 + 9] + bytes([data[4096 + 9] ^ 0xFF]) + data[4096 + 10:], "checksum"),
        "header": (data[:40] + bytes([data[40] ^ 1]) + data[41:], "corrupt"),
    }
    for name, (content, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(chexpert.ChexpertStaleCacheError, match=words):
            chexpert.Dataset(tree, cache=path)
        with pytest.raises(chexpert.ChexpertStaleCacheError, match=words):
            chexpert.cache.info(path)
    with pytest.raises(chexpert.ChexpertNotFoundError):
        chexpert.Dataset(tree, cache=tmp_path / "missing")
    # A refused attach keeps the cache the dataset had.
    ds = chexpert.Dataset(tree, cache=built)
    with pytest.raises(chexpert.ChexpertStaleCacheError):
        ds.attach_cache(tmp_path / "foreign")
    assert ds.cache == str(built)
    assert np.array_equal(ds["train"].resized_images([0], JOB)[0],
                          chexpert.Dataset(tree, cache=built)["train"].resized_images([0], JOB)[0])


def test_a_failed_build_leaves_no_file(tree_copy, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "c.chxc"
    path.write_bytes(b"an older file")
    name = read_csv(tree_copy, "train")[1][1][0]
    image = tree_copy / name
    data = image.read_bytes()
    # Missing (fails while reading headers) and truncated data (fails while decoding).
    image.unlink()
    with pytest.raises(chexpert.ChexpertNotFoundError, match=name.split("/")[-1]):
        chexpert.Dataset(tree_copy).build_cache(path, 8, num_threads=2)
    assert _files(out) == ["c.chxc"] and path.read_bytes() == b"an older file"
    image.write_bytes(data[: len(data) // 2])
    with pytest.raises(chexpert.ChexpertImageError):
        chexpert.Dataset(tree_copy).build_cache(path, 8, num_threads=2)
    assert _files(out) == ["c.chxc"] and path.read_bytes() == b"an older file"
    with pytest.raises(chexpert.ChexpertNotFoundError):
        chexpert.Dataset(tree_copy).build_cache(tmp_path / "no" / "folder.chxc", 8)
    with pytest.raises(ValueError, match="size"):
        chexpert.Dataset(tree_copy).build_cache(path, height=8)
    with pytest.raises(ValueError, match="not both"):
        chexpert.Dataset(tree_copy).build_cache(path, 8, height=8, width=8)


def test_substituted_examples_fail_again_from_the_cache(tree_copy, tmp_path):
    path = tmp_path / "c.chxc"
    image = tree_copy / read_csv(tree_copy, "train")[1][2][0]
    image.unlink()
    chexpert.Dataset(tree_copy).build_cache(path, 10, on_error="substitute")
    assert chexpert.cache.info(path)["failed"] == 1
    sp = chexpert.Dataset(tree_copy, cache=path)["train"]
    batch = sp.read_batch_resized([1, 2, 3], JOB, on_error="substitute")
    assert list(batch["substituted"]) == [False, True, False]
    with pytest.raises(chexpert.ChexpertNotFoundError, match="when the packed cache was built"):
        sp.read_batch_resized([2], JOB)


def test_the_progress_counter_reaches_the_example_count(tree, tmp_path):
    ds = chexpert.Dataset(tree)
    counter = ctypes.c_int64(-5)
    params = _ffi.Params({_ffi.CHEXPERT_KEY_CACHE_SIDE: 8, _ffi.CHEXPERT_KEY_THREADS: 2})
    seen = []
    done = threading.Event()

    def poll():
        while not done.is_set():
            seen.append(counter.value)

    thread = threading.Thread(target=poll)
    thread.start()
    _ffi.chexpert_cache_build(ds.handle(), os.fsencode(tmp_path / "p.chxc"), params, ctypes.byref(counter))
    done.set()
    thread.join()
    total = len(ds["train"]) + len(ds["validation"])
    assert counter.value == total                     # set to 0 first, not added to -5
    during = [v for v in seen if v != -5]            # polls before the call started
    assert during == sorted(during) and all(0 <= v <= total for v in during)


def test_build_with_a_progress_bar(tree, tmp_path, capsys):
    chexpert.Dataset(tree).build_cache(tmp_path / "bar.chxc", 8, progress=True)
    assert "cache" in capsys.readouterr().err


def test_cli_builds_and_describes(tree, tmp_path):
    path = tmp_path / "cli.chxc"
    run = subprocess.run([sys.executable, "-m", "chexpert", "cache", "build", str(tree), "--size", "8",
                          "--out", str(path), "--threads", "2"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert path.is_file() and "examples" in run.stdout
    info = subprocess.run([sys.executable, "-m", "chexpert", "cache", "info", str(path)],
                          capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "side 8" in info.stdout
    bad = subprocess.run([sys.executable, "-m", "chexpert", "cache", "info", str(tree / SMALL / "train.csv")],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "not a libchexpert packed cache" in bad.stderr


def test_loader_reads_from_the_cache(tree, built):
    cached = chexpert.Dataset(tree, cache=built)["train"]
    loader = chexpert.Loader(cached, 4, JOB, shuffle=True, seed=1, drop_last=False)
    for batch in loader:
        assert np.array_equal(batch["image"], cached.resized_images(batch["index"], JOB)[0])


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_torch_workers_read_from_the_cache(tree, built, context):
    import torch
    import chexpert.torch as ct
    cached = chexpert.Dataset(tree, cache=built)["train"]
    plain = chexpert.Dataset(tree)["train"]
    dataset = ct.ChexpertDataset(cached, JOB, num_threads=1)
    loader = torch.utils.data.DataLoader(dataset, batch_size=5, num_workers=2, multiprocessing_context=context)
    for batch in loader:
        indices = batch["index"].numpy()
        assert np.array_equal(batch["image"].numpy(), cached.resized_images(indices, JOB)[0])
        assert not np.array_equal(batch["image"].numpy(), plain.resized_images(indices, JOB)[0])


def test_tf_batches_read_from_the_cache(tree, built):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import chexpert.tf as ctf
    cached = chexpert.Dataset(tree, cache=built)["validation"]
    resize = chexpert.Resize(20, dtype="float32", normalize="imagenet")
    for batch in ctf.batches(cached, 2, resize, drop_last=False).as_numpy_iterator():
        assert np.array_equal(batch["image"], cached.resized_images(batch["index"], resize)[0])


def test_decode_scale_and_dct_do_not_apply_to_cached_planes(tree, built):
    """The planes are decoded already: DECODE_SCALE auto and either DCT read them as they are."""
    cached = chexpert.Dataset(tree, cache=built)["train"]
    indices = list(range(len(cached)))
    small = dict(channels=1, dtype="uint8", fit="stretch")
    reference = cached.resized_images(indices, chexpert.Resize((6, 5), **small))[0]
    for options in (dict(decode_scale="auto"), dict(dct="accurate")):
        assert np.array_equal(cached.resized_images(indices, chexpert.Resize((6, 5), **small, **options))[0],
                              reference), options
