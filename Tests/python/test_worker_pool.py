"""The library's worker pool seen from Python (docs/memory-and-threads.md):
threads counted in /proc/self/task, in fresh interpreters (the session's
other tests keep handles, and so pool threads, open).

- threads appear with the first batch at N threads (N - 1 pool threads), are
  reused by later batches, and are gone after the last Dataset is closed;
- a child forked while another thread is inside a batch starts with no pool
  thread, reads correctly, and grows its own pool (that the last close ends
  a child's pool too is Tests/c/test_pool.c's: the binding keeps the
  inherited handle open in a child);
- an interpreter that exits while threads are inside batch calls exits
  (status 0) instead of hanging; a hang fails through the timeout;
- dlclose() with a handle still open and pool threads idle unloads the
  library after joining them (no thread left running unmapped code).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import chexpert

PACKAGE_DIR = str(Path(chexpert.__file__).resolve().parent.parent)
LIMIT = 120  # seconds before a child counts as hung


def _run(script: str, *args: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_DIR, env.get("PYTHONPATH")]))
    env["CHEXPERT_LIBRARY"] = chexpert.library_path
    prelude = textwrap.dedent("""
        import os, sys, threading
        import numpy as np
        import chexpert

        def threads():
            return len(os.listdir("/proc/self/task"))

        def check(condition, what):
            if not condition:
                print("FAILED:", what, flush=True)
                os._exit(1)
        """)
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script), *args], env=env,
                          capture_output=True, text=True, timeout=LIMIT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_pool_threads_end_with_the_last_dataset(uniform_tree):
    out = _run("""
        root = sys.argv[1]
        base = threads()
        resize = chexpert.Resize(16, dtype="float32")
        first = chexpert.Dataset(root)
        check(threads() == base, "no thread before the first batch")
        reference = first["train"].read_batch_resized(range(6), resize, num_threads=1)["image"]
        check(threads() == base, "1 thread: the calling thread only")
        batch = first["train"].read_batch_resized(range(6), resize, num_threads=3)["image"]
        check(np.array_equal(batch, reference), "same pixels at 3 threads")
        check(threads() == base + 2, f"2 pool threads, found {threads() - base}")
        for _ in range(5):
            first["train"].read_batch(range(6), num_threads=3)
        check(threads() == base + 2, "reused, not restarted")
        second = chexpert.Dataset(root)
        first.close()
        check(threads() == base + 2, "a handle is still open: the pool stays")
        second.close()
        check(threads() == base, f"none after the last close, found {threads() - base}")
        print("ok", flush=True)
        """, str(uniform_tree))
    assert out.strip() == "ok"


def test_fork_during_a_batch_gives_the_child_an_empty_pool(uniform_tree):
    out = _run("""
        root = sys.argv[1]
        resize = chexpert.Resize(16, dtype="float32")
        dataset = chexpert.Dataset(root)
        split = dataset["train"]
        reference = split.read_batch_resized(range(6), resize, num_threads=1)["image"]
        stop = threading.Event()
        wrong = []

        def loop():
            while not stop.is_set():
                got = split.read_batch_resized(range(6), resize, num_threads=2)["image"]
                if not np.array_equal(got, reference):
                    wrong.append(1)
        worker = threading.Thread(target=loop)
        worker.start()
        for _ in range(20):
            pid = os.fork()
            if pid == 0:
                ok = threads() == 1
                ok = ok and np.array_equal(split.read_batch_resized(range(6), resize, num_threads=2)["image"],
                                           reference)
                ok = ok and threads() == 2  # its own pool (the binding reopens in a child)
                os._exit(0 if ok else 1)
            _, status = os.waitpid(pid, 0)
            check(status == 0, f"child status {status}")
        stop.set()
        worker.join()
        check(not wrong, "the parent's batches stayed correct")
        dataset.close()
        print("ok", flush=True)
        """, str(uniform_tree))
    assert out.strip() == "ok"


def test_exit_with_batches_in_flight_does_not_hang(uniform_tree):
    out = _run("""
        import time
        root = sys.argv[1]
        dataset = chexpert.Dataset(root)
        split = dataset["train"]
        resize = chexpert.Resize(16, dtype="float32")
        started = threading.Semaphore(0)

        def loop():
            started.release()
            while True:
                split.read_batch_resized(range(6), resize, num_threads=3)
        for _ in range(3):
            threading.Thread(target=loop, daemon=True).start()
        for _ in range(3):
            started.acquire()
        time.sleep(0.2)
        print("ok", flush=True)
        sys.exit(0)
        """, str(uniform_tree))
    assert out.strip() == "ok"


def test_dlclose_joins_the_pool_threads(uniform_tree):
    # Raw ctypes, chexpert not imported: this CDLL holds the only reference.
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import ctypes, _ctypes, os, sys
        def threads():
            return len(os.listdir("/proc/self/task"))
        def mapped():
            with open("/proc/self/maps") as maps:
                return any("libchexpert" in line for line in maps)
        base = threads()
        lib = ctypes.CDLL(sys.argv[1])
        ds, params = ctypes.c_void_p(), ctypes.c_void_p()
        assert lib.chexpert_dataset_open(ctypes.byref(ds), sys.argv[2].encode(), None) == 0
        assert lib.chexpert_params_create(ctypes.byref(params)) == 0
        assert lib.chexpert_params_set(params, 6, ctypes.c_int64(3)) == 0  # CHEXPERT_KEY_THREADS
        indices = (ctypes.c_int64 * 6)(*range(6))
        shapes = (ctypes.c_int32 * 12)()
        assert lib.chexpert_batch_images(ds, 0, indices, ctypes.c_size_t(6), params, None,
                                         ctypes.c_size_t(0), shapes) == 0
        assert threads() == base + 2, threads() - base
        handle = lib._handle
        del lib
        _ctypes.dlclose(handle)
        assert not mapped(), "libchexpert is still mapped"
        assert threads() == base, threads() - base
        print("ok")
        """), chexpert.library_path, str(uniform_tree)], capture_output=True, text=True, timeout=LIMIT)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
