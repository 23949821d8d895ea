#!/usr/bin/env python3
"""A/B of libchexpert builds from Python: images/s and CPU time per image of the two library jobs of
bench/run.py, for builds that differ in one change (the full benchmark compares against peers, not
builds).

    python bench/ab_libraries.py NAME=LIB[:PYTHONPATH] NAME=LIB[:PYTHONPATH] ... --root DATA
        [--rounds 7] [--count 1024] [--threads 1 2] [--jobs A B]

LIB is a libchexpert.so; PYTHONPATH, if given, the bindings/python folder to import chexpert from
(the binding matching that build). Jobs (batches of 64, the first --count train examples, page cache
warm):
  A  Split.read_batch_resized: 224 x 224 x 3 float32 NHWC, ImageNet-normalised, cover fit, bilinear,
     fast DCT, into a reused out= (bench/run.py's lib-py contender);
  B  Split.read_batch: the raw TFDS uint8 images.
Every cell (build, job, threads) runs in a fresh process (one untimed pass of 256 images, then one
timed pass); rounds visit the cells in a rotated order, alternately reversed, so machine load falls
on every build alike. Reports per cell the median images/s with min-max, the ratio of each build to
the first, and the median CPU time per image (user + system of the process, all threads: less
sensitive than wall time to other processes on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WORKER = r'''
import json, resource, sys, time
import numpy as np
import chexpert
root, job, threads, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
split = chexpert.Dataset(root, dct="fast")["train"]
idx = np.arange(count, dtype=np.int64)
BATCH = 64
resize = chexpert.Resize(224, channels=3, layout="NHWC", dtype="float32", fit="cover", filter="bilinear",
                         normalize="imagenet", dct="fast")
out = np.empty(resize.shape(BATCH), np.float32)

def one_pass(n):
    for start in range(0, n, BATCH):
        part = idx[start:min(start + BATCH, n)]
        if job == "A":
            split.read_batch_resized(part, resize, num_threads=threads, out=out if len(part) == BATCH else None)
        else:
            split.read_batch(part, num_threads=threads)

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

one_pass(min(256, count))
c0, t0 = cpu(), time.perf_counter()
one_pass(count)
print(json.dumps([count / (time.perf_counter() - t0), (cpu() - c0) / count * 1e6]))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("builds", nargs="+", help="NAME=LIB[:PYTHONPATH]")
    parser.add_argument("--root", required=True, help="folder holding CheXpert-v1.0-small/")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=1024)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--jobs", nargs="+", default=["A", "B"], choices=["A", "B"])
    args = parser.parse_args()
    builds = {}
    for spec in args.builds:
        name, _, rest = spec.partition("=")
        library, _, path = rest.partition(":")
        builds[name] = (os.path.abspath(library), os.path.abspath(path) if path else None)
    cells = [(b, j, t) for j in args.jobs for t in args.threads for b in builds]
    speed = {cell: [] for cell in cells}
    cpu = {cell: [] for cell in cells}
    for r in range(args.rounds):
        order = cells[r % len(cells):] + cells[:r % len(cells)]
        for build, job, threads in (order[::-1] if r % 2 else order):
            library, path = builds[build]
            env = dict(os.environ, CHEXPERT_LIBRARY=library)
            if path:
                env["PYTHONPATH"] = path
            done = subprocess.run([sys.executable, "-c", WORKER, args.root, job, str(threads), str(args.count)],
                                  env=env, capture_output=True, text=True, check=True)
            images_per_s, cpu_us = json.loads(done.stdout)
            speed[(build, job, threads)].append(images_per_s)
            cpu[(build, job, threads)].append(cpu_us)
        print(f"round {r + 1}/{args.rounds} done {time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.1f}",
              flush=True)
    first = next(iter(builds))
    print("| job | threads | " + " | ".join(f"{b} images/s (min-max)" for b in builds) + " | "
          + " | ".join(f"{b}/{first}" for b in list(builds)[1:]) + " | "
          + " | ".join(f"{b} CPU us/image" for b in builds) + " |")
    print("|---|---:|" + "---:|" * (2 * len(builds) + len(builds) - 1))
    for job in args.jobs:
        for threads in args.threads:
            cols = [f"{statistics.median(speed[(b, job, threads)]):.0f} ({min(speed[(b, job, threads)]):.0f}-"
                    f"{max(speed[(b, job, threads)]):.0f})" for b in builds]
            base = statistics.median(speed[(first, job, threads)])
            ratios = [f"{statistics.median(speed[(b, job, threads)]) / base:.2f}" for b in list(builds)[1:]]
            cpus = [f"{statistics.median(cpu[(b, job, threads)]):.0f}" for b in builds]
            print(f"| {job} | {threads} | " + " | ".join(cols + ratios + cpus) + " |")
    print(json.dumps({"speed": {"-".join(map(str, k)): v for k, v in speed.items()},
                      "cpu_us": {"-".join(map(str, k)): v for k, v in cpu.items()}}))


if __name__ == "__main__":
    main()
