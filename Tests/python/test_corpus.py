"""The hostile-input corpus (Tests/corpus/make_corpus.py) through the binding.

The corpus is generated once for the module. Each manifest line is a test:

- example cases: ``split[index]``, ``read_batch([index])`` and
  ``read_batch_resized([index])`` give the expected status, with a message
  holding the case's needle and the image's file name (or succeed); the
  same handle then still reads the control image (row 0) exactly as before;
  with ``on_error="substitute"`` a batch [good, case] is read with only the
  case substituted (a zero image); ``verify([index])`` reports the status.
  The unreadable (mode 000) image is read in a child process that drops to
  uid 65534 first: root ignores file modes.
- open cases: opening gives the expected status and needle; a few that open
  have extra checks (CRLF == LF rows, a quoted Path keeps its comma, 10^6
  rows). The adversarial shapes (10^5 columns, a 2 MiB line, a 10^6-byte
  cell) must open or be refused within OPEN_SECONDS; the cases refused by
  confinement open with ``confine_paths=False`` and read outside the folder.
- no message holds bytes read from a file (make_corpus.FORBIDDEN_IN_MESSAGES:
  the text image's secret, libjpeg's quoted marker byte, /etc/passwd's start).

Plus: the manifest is CASES, verify() over the whole split, the control
images against Pillow, and no file descriptor leaks over three rounds of
every case.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import chexpert

REPO = Path(__file__).resolve().parents[2]
MAKE_CORPUS = REPO / "Tests" / "corpus" / "make_corpus.py"


def _load_make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", MAKE_CORPUS)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_corpus", module)   # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


make_corpus = _load_make_corpus()
CASES = make_corpus.CASES
BY_NAME = {case.name: case for case in CASES}
EXAMPLE_CASES = [case for case in CASES if case.kind == "example"]
OPEN_CASES = [case for case in CASES if case.kind == "open"]
RESIZE = chexpert.Resize(32)


OK = "CHEXPERT_OK"
#: The user the unreadable case is read as (nobody).
UNPRIVILEGED_UID = 65534
#: A case that takes longer than this is hung (a FIFO read that blocks, say).
#: Each test body runs in a forked child under this bound (conftest's
#: ``bounded`` marker, Tests/python/bounded.py): an overrun prints the child's
#: stacks, kills it and fails that test only; the run goes on.
HANG_SECONDS = 120

pytestmark = pytest.mark.bounded(HANG_SECONDS)


@pytest.fixture(scope="module")
def corpus():
    """The corpus folder (str). Made under a fresh 0755 folder from tempfile,
    not pytest's tmp_path, whose ancestors are 0700: the unreadable case is
    read as uid 65534, which must be able to reach every other file."""
    base = tempfile.mkdtemp(prefix="chexpert-corpus-")
    try:
        os.chmod(base, 0o755)
        out = os.path.join(base, "corpus")
        started = time.perf_counter()
        make_corpus.generate(out)
        print(f"\ncorpus: {len(CASES)} cases generated in {time.perf_counter() - started:.1f} s")
        yield out
    finally:
        shutil.rmtree(base)


@pytest.fixture(scope="module")
def control(corpus) -> np.ndarray:
    """The control image (images train row 0), as a fresh handle reads it."""
    with chexpert.Dataset(os.path.join(corpus, "images")) as dataset:
        return dataset["train"][0]["image"]


def _root(corpus: str, case) -> bytes:
    return os.fsencode(corpus) + b"/" + case.root


def _expect_error(call, case, what: str) -> chexpert.ChexpertError:
    with pytest.raises(chexpert.ChexpertError) as info:
        call()
    error = info.value
    assert error.name == case.status, f"{what}: {error}"
    _no_file_bytes(error.message, what)
    assert case.needle in error.message, f"{what}: {error.message!r} lacks {case.needle!r}"
    if case.file:
        assert case.file in error.message, f"{what}: {error.message!r} lacks {case.file!r}"
    return error


def _no_file_bytes(message: str, what: str) -> None:
    """Messages never hold bytes read from a file (issue 10): not the
    text-bytes image's secret, not libjpeg's quoted marker byte, not the
    start of /etc/passwd."""
    for forbidden in make_corpus.FORBIDDEN_IN_MESSAGES:
        assert forbidden not in message, f"{what}: {message!r} holds {forbidden!r}"


# ---------------------------------------------------------------------------
# Checks, shared by the tests and the unprivileged child process
# ---------------------------------------------------------------------------

def check_example(corpus: str, name: str, control: np.ndarray) -> None:
    """Every check of one example case (raises AssertionError)."""
    case = BY_NAME[name]
    root, index, ok = _root(corpus, case), case.index, case.status == OK
    if name == "image/text-bytes":    # the secret is there to be leaked
        with open(os.path.join(os.fsdecode(root), make_corpus.TRAIN_STUDY, case.file), "rb") as handle:
            assert make_corpus.SECRET.encode() in handle.read()
    with chexpert.Dataset(root) as dataset:
        split = dataset[case.split]
        assert split.names([index])[0].endswith(case.file.encode())
        before = dataset["train"][0]["image"]
        assert np.array_equal(before, control), "control image differs from a fresh handle's"
        if ok:
            example = split[index]
            assert example["image"].shape == control.shape and example["image"].dtype == np.uint8
            batch = split.read_batch([index])
            assert np.array_equal(batch["image"][0], example["image"])
            resized = split.read_batch_resized([index], RESIZE)
            assert resized["image"].shape == (1, 32, 32, 3)
            assert resized["substituted"].tolist() == [False]
        else:
            _expect_error(lambda: split[index], case, "split[index]")
            _expect_error(lambda: split.read_batch([index]), case, "read_batch")
            error = _expect_error(lambda: split.read_batch_resized([index], RESIZE), case,
                                  "read_batch_resized")
            assert f"index {index} of '{split.name}'" in error.message, error.message
        # The failures left the handle usable.
        after = dataset["train"][0]["image"]
        assert np.array_equal(after, control), "control image changed after a failure"
        report = split.verify([index])
        if ok:
            assert report.ok, str(report)
        else:
            assert [(f.index, f.status) for f in report.failures] == [(index, case.status)], str(report)
            assert case.needle in report.failures[0].message
            _no_file_bytes(report.failures[0].message, "verify")
        good = split.read_batch_resized([0], RESIZE)["image"][0]
    with chexpert.Dataset(root, on_error="substitute") as dataset:
        batch = dataset[case.split].read_batch_resized([0, index], RESIZE)
        assert batch["substituted"].tolist() == [False, not ok]
        assert np.array_equal(batch["image"][0], good)
        if not ok:
            assert not batch["image"][1].any(), "a substituted image is not all zeros"
        # The call's own policy still raises.
        if not ok:
            _expect_error(lambda: dataset[case.split].read_batch_resized([0, index], RESIZE,
                                                                         on_error="raise"),
                          case, "read_batch_resized(on_error='raise')")


def check_open(corpus: str, name: str) -> None:
    case = BY_NAME[name]
    root = _root(corpus, case)
    short = case.name.split("/")[1]
    started = time.perf_counter()
    if case.status != OK:
        _expect_error(lambda: chexpert.Dataset(root), case, "Dataset()")
    else:
        chexpert.Dataset(root).close()
    seconds = time.perf_counter() - started
    if short in make_corpus.TIMED_CSV_CASES:
        # Linear time: these take milliseconds; the bound only catches a
        # return of the quadratic parse (tens of seconds).
        assert seconds < make_corpus.OPEN_SECONDS, f"{case.name}: open took {seconds:.1f} s"
    if short in make_corpus.UNCONFINED_CASES:
        check_unconfined(corpus, case)
    if case.status != OK:
        return
    with chexpert.Dataset(root) as dataset:
        train = dataset["train"]
        assert len(dataset["validation"]) == 1
        if case.name in ("csv/crlf", "csv/extra-cells"):
            # The same rows as the LF file (extra cells are ignored).
            with chexpert.Dataset(os.path.join(corpus, "csv", "lf")) as lf:
                assert train.names() == lf["train"].names()
                assert np.array_equal(train.labels(), lf["train"].labels())
                assert np.array_equal(train.image_views(), lf["train"].image_views())
                assert train.names()[0].endswith(b".jpg")       # no stray \r
        elif case.name == "csv/quoted-comma":
            assert train.names()[1] == make_corpus.QUOTED_NAME.encode()
            assert train.image_views().tolist() == [0, 1]
        elif case.name == "csv/long-cell":
            assert train.names([1])[0] == make_corpus.LONG_CELL_PATH.encode()
        elif case.name == "csv/dotdot-inside":
            assert train.names([1])[0] == make_corpus.DOTDOT_INSIDE.encode()
        elif case.name == "csv/symlink-inside":
            assert os.path.islink(os.path.join(os.fsdecode(root), make_corpus.SMALL, "train"))
        elif case.name == "csv/million-rows":
            assert len(train) == make_corpus.MILLION
            assert train.names([make_corpus.MILLION - 1])[0].endswith(b"view0_frontal.jpg")
        if case.name.split("/")[1] in make_corpus.READABLE_CSV_CASES:
            for split in (train, dataset["validation"]):     # every listed file, by its cell
                report = split.verify()
                assert report.ok and report.checked == len(split), str(report)


def check_unconfined(corpus: str, case) -> None:
    """confine_paths=False restores TFDS's os.path.join: the CSV that was
    refused opens, and its row 1 is read from outside the dataset folder
    (a good image, or /etc/passwd: E_IMAGE, "text, not JPEG data", no byte of it in the
    message)."""
    expected = make_corpus.UNCONFINED_CASES[case.name.split("/")[1]]
    with chexpert.Dataset(_root(corpus, case), confine_paths=False) as dataset:
        train = dataset["train"]
        if expected == OK:
            assert train[1]["image"].dtype == np.uint8
            assert np.array_equal(train[1]["image"], train[0]["image"])     # the same good JPEG
        else:
            with pytest.raises(chexpert.ChexpertError) as info:
                train[1]
            assert info.value.name == expected, str(info.value)
            assert "/etc/passwd: text, not JPEG data" in info.value.message, info.value.message
            _no_file_bytes(info.value.message, "unconfined read")
        # A pickled copy (a DataLoader worker's) keeps the option.
        with pickle.loads(pickle.dumps(dataset)) as clone:
            assert len(clone["train"]) == len(train)
    with pytest.raises(TypeError):
        chexpert.Dataset(_root(corpus, case), confine_paths=0)


_CHILD = """
import importlib.util, json, os, sys
import numpy as np
spec = importlib.util.spec_from_file_location("corpus_tests", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
job = json.load(sys.stdin)
control = np.frombuffer(bytes.fromhex(job["control"]), dtype=np.uint8).reshape(job["shape"])
# Everything is imported: drop to the unprivileged user, then read.
os.setgroups([])
os.setgid(job["uid"])
os.setuid(job["uid"])
assert os.geteuid() == job["uid"]
module.check_example(job["corpus"], job["name"], control)
print("child: ok")
"""


def _run_unprivileged(corpus: str, name: str, control: np.ndarray) -> None:
    job = {"corpus": corpus, "name": name, "uid": UNPRIVILEGED_UID,
           "control": control.tobytes().hex(), "shape": list(control.shape)}
    result = subprocess.run([sys.executable, "-c", _CHILD, __file__], input=json.dumps(job),
                            capture_output=True, text=True, timeout=HANG_SECONDS,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0 and "child: ok" in result.stdout, (
        f"child (uid {UNPRIVILEGED_UID}) failed, exit {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}")


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

def test_manifest_is_the_cases(corpus):
    rows = make_corpus.read_manifest(corpus)
    assert rows == [(c.kind, c.root, c.split, c.index, c.status, c.needle, c.privilege) for c in CASES]
    counts = {kind: sum(c.name.startswith(kind + "/") for c in CASES) for kind in ("image", "csv", "path")}
    assert counts["image"] >= 40 and counts["csv"] >= 12 and counts["path"] == 2, counts
    assert sum(c.name.startswith("image/trunc-") for c in CASES) >= 24


def test_control_images_decode_like_pillow(corpus):
    """The good images, decoded with the accurate IDCT, are Pillow's pixels."""
    from PIL import Image
    root = os.path.join(corpus, "images")
    with chexpert.Dataset(root, dct="accurate") as dataset:
        for case in EXAMPLE_CASES:
            if case.status == OK and case.root == b"images":
                split = dataset[case.split]
                name = split.names([case.index])[0].decode()
                with Image.open(os.path.join(root, name)) as image:
                    expected = np.asarray(image.convert("RGB"))
                assert np.array_equal(split[case.index]["image"], expected), case.name


@pytest.mark.parametrize("name", [case.name for case in EXAMPLE_CASES])
def test_example_case(corpus, control, name):
    case = BY_NAME[name]
    if case.privilege == "unprivileged" and os.geteuid() == 0:
        _run_unprivileged(corpus, name, control)
    else:
        check_example(corpus, name, control)


@pytest.mark.parametrize("name", [case.name for case in OPEN_CASES])
def test_open_case(corpus, name):
    check_open(corpus, name)


@pytest.mark.parametrize("split_name", ["train", "validation"])
def test_verify_whole_split(corpus, split_name):
    """verify() over a whole split: exactly the failing rows, with their
    statuses and messages. As root the unreadable file is readable."""
    root = os.path.join(corpus, "images")
    with chexpert.Dataset(root) as dataset:
        split = dataset[split_name]
        names = split.names()
        expected = {}
        for case in EXAMPLE_CASES:
            if case.root != b"images" or case.split != split_name or case.status == OK:
                continue
            if case.privilege == "unprivileged" and os.access(os.path.join(root, names[case.index].decode()),
                                                             os.R_OK):
                continue
            expected[case.index] = case
        report = split.verify(num_threads=2, chunk=16)
        assert report.checked == len(split)
        assert {f.index: f.status for f in report.failures} == {i: c.status for i, c in expected.items()}
        for failure in report.failures:
            case = expected[failure.index]
            assert case.needle in failure.message and case.file in failure.message, failure
            assert failure.name == names[failure.index]


def test_no_descriptor_leaks(corpus, control):
    """Every in-process case read three times leaves the open descriptors as they were."""
    cases = [c for c in CASES if c.privilege == "any"]
    gc.collect()
    before = sorted(os.listdir("/proc/self/fd"))
    for _ in range(3):
        for case in cases:
            if case.kind == "example":
                check_example(corpus, case.name, control)
            else:
                check_open(corpus, case.name)
    gc.collect()
    after = sorted(os.listdir("/proc/self/fd"))
    assert len(after) == len(before), (before, after)
