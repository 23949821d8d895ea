#!/usr/bin/env python3
"""The Python binding's cost per batch around its C calls (issue 13 item 1).

    CHEXPERT_LIBRARY=.build-bench/release/libchexpert.so \\
        .venv/bin/python bench/python_overhead.py [--root /tmp/chexpert-bench] [--count 1024] [--rounds 9]

Times ``Split.read_batch(idx64, num_threads=T)`` (output B, raw TFDS images) and
``Split.read_batch_resized(idx64, resize, num_threads=T, out=buf)`` (output A, as
bench/run.py's lib-py row calls it) over the first --count frontal images of
train, 64 per batch, at each --threads, in interleaved rounds (a rotated order
per round; the first round is an untimed warm-up of the page cache and the
binding). Every C function the batch calls is wrapped (on the ``_ffi`` module,
where the binding looks it up at each call) to stamp its entry and exit, so a
batch splits into the Python stretches before, between and after the calls
and the calls themselves. Reported per batch: the median over rounds of each
round's median over its batches, and the min-max of those round medians:

- ``overhead``: the batch's wall time minus its pixel call (chexpert_batch_images
  or chexpert_batch_resized; for a job, read_batch's, the span from
  chexpert_batch_images_start to the end of chexpert_job_wait, the calls
  made inside it overlapping the decode), in microseconds and as a fraction of the pixel call
  (bench/run.py's ``python_overhead_fraction``: the small C calls for labels,
  views and names count as overhead, since the C ceiling does not make them);
- ``python``: the overhead minus the small C calls (pure Python/numpy/ctypes);
- one line per stretch: ``pre`` (argument checks up to the pixel call), ``C
  <name>`` and ``py>name`` (the Python between the previous call and that one),
  ``post`` (after the last call). The wrappers' own cost (~0.2 us per call) is
  in the Python stretches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

try:
    import chexpert
except ImportError:     # not installed: the repository's binding
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                    "bindings", "python"))
    import chexpert
from chexpert import _ffi

BATCH = 64
PIXEL_CALLS = ("chexpert_batch_images", "chexpert_batch_resized", "chexpert_batch_images_start",
               "chexpert_batch_resized_start", "chexpert_job_wait")
WRAPPED = PIXEL_CALLS + ("chexpert_batch_labels", "chexpert_batch_views", "chexpert_batch_names")
SHORT = {name: name.replace("chexpert_batch_", "").replace("chexpert_", "") for name in WRAPPED}

_events: list = []


def _wrap(name):
    inner = getattr(_ffi, name)
    clock = time.perf_counter
    events = _events

    def timed(*args):
        events.append((name, clock()))
        try:
            return inner(*args)
        finally:
            events.append((None, clock()))
    setattr(_ffi, name, timed)


def _stages(start, end, events) -> dict:
    """{stage: seconds} of one batch from its call stamps."""
    stages, previous, label = {}, start, "pre"
    for (name, t_in), (_, t_out) in zip(events[0::2], events[1::2]):
        stages[label] = stages.get(label, 0.0) + t_in - previous
        stages["C " + SHORT[name]] = stages.get("C " + SHORT[name], 0.0) + t_out - t_in
        previous, label = t_out, "py>" + SHORT[name]
    tail = "pre" if label == "pre" else "post"
    stages[tail] = stages.get(tail, 0.0) + end - previous
    return stages


def _pixel_and_small(events) -> tuple:
    """(pixel, small): the pixel call's time, or for a job the span from its
    start call's entry to its wait's exit (calls inside it overlap the
    decode); and the time of the other C calls outside that span."""
    calls = [(name, t_in, t_out) for (name, t_in), (_, t_out) in zip(events[0::2], events[1::2])]
    pixel_calls = [c for c in calls if c[0] in PIXEL_CALLS]
    first, last = min(c[1] for c in pixel_calls), max(c[2] for c in pixel_calls)
    small = sum(t_out - t_in for name, t_in, t_out in calls
                if name not in PIXEL_CALLS and (t_out <= first or t_in >= last))
    return last - first, small


def one_pass(read, batches) -> dict:
    """Per-batch medians over one pass (robust to the preemptions of a
    shared machine): {stage: us, "total", "pixel", "overhead", "python": us,
    "fraction": overhead / pixel}."""
    per_batch: dict = {}
    for part in batches:
        _events.clear()
        start = time.perf_counter()
        batch = read(part)
        end = time.perf_counter()
        del batch
        events = list(_events)
        stages = _stages(start, end, events)
        total = end - start
        pixel, small = _pixel_and_small(events)
        stages.update(total=total, pixel=pixel, overhead=total - pixel, python=total - pixel - small)
        for key, value in stages.items():
            per_batch.setdefault(key, []).append(value * 1e6)
        per_batch.setdefault("fraction", []).append((total - pixel) / pixel)
    return {key: statistics.median(values) for key, values in per_batch.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.environ.get("CHEXPERT_BENCH_DATA", "/tmp/chexpert-bench"))
    parser.add_argument("--count", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--only", choices=("A", "B"))
    args = parser.parse_args()

    for name in WRAPPED:
        _wrap(name)
    ds = chexpert.Dataset(args.root, dct="fast")
    split = ds["train"]
    frontal = np.flatnonzero(split.image_views() == 0)[:args.count].astype(np.int64)
    batches = [frontal[s:s + BATCH] for s in range(0, len(frontal), BATCH)]
    resize = chexpert.Resize(224, channels=3, layout="NCHW", dtype="float32", fit="cover",
                             filter="bilinear", normalize="imagenet", dct="fast", resample="fast")
    out = np.empty(resize.shape(BATCH), dtype=np.float32)

    def reader(output, threads):
        if output == "B":
            return lambda part: split.read_batch(part, num_threads=threads)
        return lambda part: split.read_batch_resized(part, resize, num_threads=threads,
                                                     out=out if len(part) == BATCH else None)

    cases = [(o, t) for o in ("B", "A") if args.only in (None, o) for t in args.threads]
    runs: dict = {case: [] for case in cases}
    for round_ in range(args.rounds + 1):
        order = cases[round_ % len(cases):] + cases[:round_ % len(cases)]
        for case in order:
            result = one_pass(reader(*case), batches)
            if round_:
                runs[case].append(result)

    print(f"python_overhead.py: {len(batches)} batches of {BATCH} per pass, {args.rounds} rounds, "
          f"library {_ffi.LIBRARY_PATH}")
    for case in cases:
        output, threads = case
        keys = ["total", "pixel", "overhead", "python"]
        keys += [k for k in runs[case][0] if k not in keys and k != "fraction"]
        print(f"\noutput {output} ({'read_batch' if output == 'B' else 'read_batch_resized'}), "
              f"{threads} thread(s): per batch, us, median (min-max)")
        for key in keys:
            values = [r.get(key, 0.0) for r in runs[case]]
            print(f"  {key:>14}: {statistics.median(values):9.1f} ({min(values):.1f}-{max(values):.1f})")
        fractions = [r["fraction"] for r in runs[case]]
        print(f"  {'overhead/pixel':>14}: {statistics.median(fractions) * 100:8.2f}% "
              f"({min(fractions) * 100:.2f}-{max(fractions) * 100:.2f}%)")


if __name__ == "__main__":
    main()
