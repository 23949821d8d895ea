"""Jobs from Python (chexpert._job.Job, chexpert.training.start_training_batch)
and the Loader's pipelining of consecutive batches (docs/memory-and-threads.md,
"Jobs"; docs/training.md):

- a job's pixels, statuses and errors are the synchronous call's; argument
  errors raise at the start, data errors at the wait (and again at every
  later wait); a Job dropped unwaited is waited for, its arrays intact;
- the Loader starts batch k + 1 before it finishes batch k (labels, names,
  waiting for the pixels) when a prefetch slot is free, and gives the same
  batches as reading them one by one, also with errors, skips and an early
  close; after the close and the Dataset's, no library thread is left.
"""

from __future__ import annotations

import gc
import os
import time

import numpy as np
import pytest

import chexpert
from chexpert import training
from chexpert._job import Job

RESIZE = chexpert.Resize(24, channels=3, dtype="float32", normalize="imagenet")


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.fixture
def dataset(tree_copy):
    ds = chexpert.Dataset(tree_copy)
    yield ds
    ds.close()


def test_a_job_gives_the_synchronous_result(dataset):
    split = dataset["train"]
    bases = split.base_indices(np.arange(12))
    for threads in (1, 2, 3):
        images, statuses = split._resized_at(bases, RESIZE, threads, None, None, 0)
        j_images, j_statuses, job = split._resized_at(bases, RESIZE, threads, None, None, 0, job=True)
        job.wait()
        assert job.done()
        np.testing.assert_array_equal(j_images, images)
        np.testing.assert_array_equal(j_statuses, statuses)
        job.wait()  # again: a no-op


def test_argument_errors_raise_at_the_start_data_errors_at_the_wait(dataset, tree_copy):
    split = dataset["train"]
    with pytest.raises(chexpert.ChexpertIndexError):
        split._resized_at(np.array([0, 10 ** 6], np.int64), RESIZE, 2, None, None, 0, job=True)
    name = split.names([3])[0].decode()
    os.remove(tree_copy / name)
    with pytest.raises(chexpert.ChexpertNotFoundError) as synchronous:
        split._resized_at(split.base_indices(np.arange(6)), RESIZE, 2, "raise", None, 0)
    _, _, job = split._resized_at(split.base_indices(np.arange(6)), RESIZE, 2, "raise", None, 0, job=True)
    for _ in range(2):
        with pytest.raises(chexpert.ChexpertNotFoundError) as waited:
            job.wait()
        assert str(waited.value) == str(synchronous.value)
    assert name in str(synchronous.value)


def test_a_dropped_job_is_waited_for(dataset):
    split = dataset["train"]
    bases = split.base_indices(np.arange(8))
    reference, _ = split._resized_at(bases, RESIZE, 2, None, None, 0)
    images, _, job = split._resized_at(bases, RESIZE, 2, None, None, 0, job=True)
    del job
    gc.collect()
    np.testing.assert_array_equal(images, reference)


def test_start_training_batch_equals_read_training_batch(dataset):
    split = dataset["train"]
    targets = chexpert.Targets("competition", uncertain="ones")
    for job in (True, False):
        pending = training.start_training_batch(split, range(5, 15), RESIZE, targets=targets, names=True,
                                                num_threads=2, job=job)
        got = pending.result()
        want = training.read_training_batch(split, range(5, 15), RESIZE, targets=targets, names=True,
                                            num_threads=2)
        assert got.keys() == want.keys()
        for key in want:
            if key == "name":
                assert got[key] == want[key]
            else:
                np.testing.assert_array_equal(got[key], want[key])


def _recording(monkeypatch):
    """Records the Loader's starts and finishes in order."""
    events = []
    start, result = training.start_training_batch, training.PendingBatch.result

    def recording_start(split, indices, *args, **kwargs):
        events.append(("start", int(np.asarray(indices)[0])))
        return start(split, indices, *args, **kwargs)

    def recording_result(self, *args, **kwargs):
        events.append(("finish", int(self._positions[0])))
        return result(self, *args, **kwargs)

    monkeypatch.setattr("chexpert.loader.start_training_batch", recording_start)
    monkeypatch.setattr(training.PendingBatch, "result", recording_result)
    return events


def test_the_loader_starts_the_next_batch_before_finishing_this_one(dataset, monkeypatch):
    events = _recording(monkeypatch)
    split = dataset["train"]
    loader = chexpert.Loader(split, 4, RESIZE, indices=np.arange(16), num_threads=2, prefetch=2)
    got = [batch["image"].copy() for batch in loader]
    assert events[:3] == [("start", 0), ("start", 4), ("finish", 0)], events
    assert [e for e in events if e[0] == "finish"] == [("finish", k) for k in (0, 4, 8, 12)]
    for k, image in enumerate(got):
        np.testing.assert_array_equal(image, split.read_batch_resized(range(4 * k, 4 * k + 4), RESIZE)["image"])


def test_prefetch_one_never_has_two_batches_in_flight(dataset, monkeypatch):
    events = _recording(monkeypatch)
    loader = chexpert.Loader(dataset["train"], 4, RESIZE, indices=np.arange(16), num_threads=2, prefetch=1)
    assert len(list(loader)) == 4
    in_flight = 0
    for kind, _ in events:
        in_flight += 1 if kind == "start" else -1
        assert in_flight <= 1, events


def test_loader_errors_and_skips_arrive_at_their_batch(dataset, tree_copy):
    split = dataset["train"]
    name = split.names([9])[0].decode()
    os.remove(tree_copy / name)
    loader = chexpert.Loader(split, 4, RESIZE, indices=np.arange(16), num_threads=2, prefetch=2, on_error="raise")
    seen = []
    with pytest.raises(chexpert.ChexpertNotFoundError):
        for batch in loader:
            seen.append(batch["index"].tolist())
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7]]
    skipping = chexpert.Loader(split, 4, RESIZE, indices=np.arange(16), num_threads=2, prefetch=2,
                               on_error="skip")
    with pytest.warns(UserWarning, match="skipped 1"):
        indices = [batch["index"].tolist() for batch in skipping]
    assert indices == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 10, 11], [12, 13, 14, 15]]


def test_an_early_close_waits_for_the_jobs_and_leaves_no_thread(tree_copy):
    base = _threads()
    ds = chexpert.Dataset(tree_copy)
    loader = chexpert.Loader(ds["train"], 4, RESIZE, indices=np.arange(20), num_threads=3, prefetch=2)
    iterator = iter(loader)
    next(iterator)
    iterator.close()
    ds.close()
    del loader, iterator
    gc.collect()
    for _ in range(100):
        if _threads() == base:
            break
        time.sleep(0.01)
    assert _threads() == base
