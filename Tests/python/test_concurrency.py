"""The binding under threads and fork: 8 threads on one Dataset while
another opens and closes others give the serial results; os.fork() while
batch calls run in other threads leaves a child that reads correctly."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np

import chexpert

RESIZE = chexpert.Resize((24, 20), channels=1, dtype="float32", normalize="unit")
THREADS, ROUNDS, FORKS = 8, 5, 12
#: A forked child that has not read after this many seconds is hung: SIGALRM
#: ends it (its exit status says so) instead of hanging the test.
CHILD_SECONDS = 60


def _checksums(split, indices) -> list:
    batch = split.read_batch_resized(indices, RESIZE, num_threads=1)
    return [hash((image.tobytes(), label.tobytes(), int(view)))
            for image, label, view in zip(batch["image"], batch["label"], batch["image_view"])]


def test_eight_threads_and_an_opener_equal_a_serial_run(tree):
    with chexpert.Dataset(tree) as dataset:
        split = dataset["train"]
        serial = _checksums(split, range(len(split)))
        errors, stop = [], threading.Event()

        def reader(offset):
            try:
                for round_ in range(ROUNDS):
                    order = np.roll(np.arange(len(split)), offset * 7 + round_)
                    for first in range(0, len(order), 5):
                        part = order[first:first + 5]
                        got = _checksums(split, part)
                        if got != [serial[i] for i in part]:
                            errors.append(f"thread {offset} round {round_}: mismatch at {part}")
            except BaseException as error:      # noqa: BLE001 - reported below
                errors.append(repr(error))

        def opener():
            try:
                opened = 0
                while not stop.is_set():
                    with chexpert.Dataset(tree) as other:
                        if len(other["train"]) != len(split):
                            errors.append(f"the opener saw {len(other['train'])} examples")
                    opened += 1
                errors.extend([] if opened else ["the opener never opened"])
            except BaseException as error:      # noqa: BLE001 - reported below
                errors.append(repr(error))

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(THREADS)]
        side = threading.Thread(target=opener)
        side.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        side.join()
        assert not errors, errors[:5]


def test_fork_during_batch_calls(tree):
    with chexpert.Dataset(tree) as dataset:
        split = dataset["train"]
        expected = _checksums(split, range(4))
        stop = threading.Event()
        raised = []
        # Calls in flight and done, per worker (each worker writes only its own slot).
        inside, done = [0, 0], [0, 0]
        started = threading.Barrier(3)

        def busy(worker):
            try:
                started.wait()
                while not stop.is_set():
                    inside[worker] = 1
                    split.read_batch_resized(range(len(split)), RESIZE, num_threads=2)
                    inside[worker] = 0
                    done[worker] += 1
            except BaseException as error:      # re-raised below, in the test's thread
                raised.append(error)

        workers = [threading.Thread(target=busy, args=(w,)) for w in range(2)]
        for worker in workers:
            worker.start()
        try:
            started.wait()
            statuses, overlapped = [], 0
            for _ in range(FORKS):
                overlapped += any(inside)        # a worker was between call and return
                pid = os.fork()
                if pid == 0:                     # the child: reads on its own handle
                    code = 1
                    try:
                        signal.alarm(CHILD_SECONDS)
                        code = 0 if _checksums(split, range(4)) == expected else 2
                    finally:
                        os._exit(code)
                _, status = os.waitpid(pid, 0)
                statuses.append(os.waitstatus_to_exitcode(status))
        finally:
            stop.set()
            for worker in workers:
                worker.join()
        if raised:
            raise raised[0]
        assert statuses == [0] * FORKS, f"child exit statuses (-{int(signal.SIGALRM)}: hung): {statuses}"
        # The race the test is about happened: forks while calls were running.
        assert all(done), f"a worker never completed a call: {done}"
        assert overlapped, "no fork happened while a worker was inside a call"
