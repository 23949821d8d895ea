#!/usr/bin/env python3
"""Soak run (issue 10): Loader epochs and a PyTorch DataLoader with fork
workers over a tree with broken files, datasets closed and reopened at
random, for a fixed duration; RSS, file descriptors and threads sampled
every minute must stay flat.

    .venv/bin/python bench/soak.py [--minutes 30] [--markdown bench/SOAK.md]

Needs numpy and torch (the repository's .venv). The library is the one
``chexpert`` loads ($CHEXPERT_LIBRARY, ...); the tree is made by
``chexpert-sample`` ($CHEXPERT_SAMPLE_BIN, else next to the library).

Each cycle:

1. maybe (probability --reopen) closes the Loader's Dataset and opens a new
   one, and does the same for the DataLoader's;
2. starts one Loader epoch in a background thread (batch 8, 64 x 64 float32
   ImageNet-normalised, prefetch 2, 2 decode threads), alternately with
   ``on_error="substitute"`` and ``"skip"``; with probability --close-mid it
   closes that Loader's Dataset after a few batches (the epoch must then end
   with ChexpertClosedError, counted, and the dataset is reopened);
3. meanwhile, in the main thread, one epoch of
   ``DataLoader(chexpert.torch.ChexpertBatches(..., on_error="substitute"),
   batch_size=None, num_workers=2, multiprocessing_context="fork",
   timeout=120)``: its workers fork while the Loader thread is inside
   library calls (a hung child is a DataLoader timeout, counted as a failure);
4. checks the epoch's bad-example accounting: a whole "substitute" epoch
   marks exactly the broken train files, a whole "skip" epoch leaves out
   exactly them, and the DataLoader epoch substitutes exactly them.

Sampling, once per minute: the children's RSS (the two DataLoader workers)
right after a DataLoader epoch's first batch, and the parent's RSS, open file
descriptors and threads at the end of the cycle, when no Loader thread,
decode thread or worker is running (a quiescent point, so the counts
compare). Verdict "flat": the last sample's parent RSS within 10% + 8 MB of
minute 2's (minute 1 for runs shorter than 3 minutes: warm-up is allowed to
grow), the same for the children's, file descriptors and threads equal;
no unexpected error. Exit status 0 only if flat.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "bindings" / "python"))

import numpy as np  # noqa: E402

import chexpert  # noqa: E402

SMALL = "CheXpert-v1.0-small"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
#: Flatness tolerance: relative, plus absolute (MB).
RSS_RELATIVE, RSS_ABSOLUTE_MB = 0.10, 8.0


# ---------------------------------------------------------------------------
# /proc
# ---------------------------------------------------------------------------

def rss_mb(pid="self") -> float:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_KB / 1024


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def _is_resource_tracker(pid: int) -> bool:
    """multiprocessing's resource tracker (one long-lived helper, started by
    chexpert.torch's spawn-context lock): not a worker."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"resource_tracker" in handle.read()
    except OSError:
        return False


def children() -> list:
    """Pids of this process's live children (from /proc/<pid>/task/*/children),
    multiprocessing's resource tracker left out."""
    pids = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                pids += [int(p) for p in handle.read().split()]
        except OSError:
            pass
    return [pid for pid in pids if not _is_resource_tracker(pid)]


def _describe(pids: list) -> list:
    """(pid, state, command) of each pid, for a report."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")[:60]
            out.append((pid, fields[0], command))
        except OSError:
            pass
    return out


def children_rss_mb() -> tuple:
    total, count = 0.0, 0
    for pid in children():
        try:
            total += rss_mb(pid)
            count += 1
        except OSError:
            pass
    return total, count


# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------

def sample_binary() -> Path:
    explicit = os.environ.get("CHEXPERT_SAMPLE_BIN")
    if explicit:
        return Path(explicit)
    return Path(chexpert.library_path).resolve().parent / "chexpert-sample"


def make_tree(out: Path, patients: int) -> dict:
    """A sample tree with broken train files: {kind: [names]} of what was broken."""
    subprocess.run([str(sample_binary()), "--out", str(out), "--train-patients", str(patients),
                    "--valid-patients", "2", "--jobs", "2"], check=True, stdout=subprocess.DEVNULL)
    with chexpert.Dataset(out) as dataset:
        names = [name.decode() for name in dataset["train"].names()]
    rng = random.Random(10)
    chosen = rng.sample(range(1, len(names)), 8)
    broken = {"missing": chosen[0:2], "truncated": chosen[2:4], "png bytes": chosen[4:5],
              "text bytes": chosen[5:6], "empty": chosen[6:7], "gif bytes": chosen[7:8]}
    for kind, positions in broken.items():
        for position in positions:
            path = out / names[position]
            if kind == "missing":
                path.unlink()
            elif kind == "truncated":
                data = path.read_bytes()
                path.write_bytes(data[: len(data) // 2])
            elif kind == "png bytes":
                path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
            elif kind == "text bytes":
                path.write_bytes(b"this is not an image\n" * 20)
            elif kind == "empty":
                path.write_bytes(b"")
            else:
                path.write_bytes(b"GIF89a" + bytes(100))
    return {"count": len(names), "broken": sorted(p for ps in broken.values() for p in ps),
            "kinds": {kind: len(ps) for kind, ps in broken.items()}}


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

class Soak:
    def __init__(self, args, root: Path, tree: dict):
        import torch  # noqa: F401 - fail early without torch
        self.args, self.root, self.tree = args, root, tree
        self.rng = random.Random(args.seed)
        self.resize = chexpert.Resize(64, dtype="float32", normalize="imagenet", layout="NCHW")
        self.loader_dataset = chexpert.Dataset(root)
        self.torch_dataset = chexpert.Dataset(root)
        self.counts = {"cycles": 0, "loader epochs": 0, "loader examples": 0, "substituted": 0,
                       "skipped": 0, "closed mid-epoch": 0, "torch epochs": 0, "torch examples": 0,
                       "reopens": 0, "forks": 0}
        self.failures: list = []
        self.samples: list = []
        self.broken = set(tree["broken"])

    def fail(self, what: str) -> None:
        self.failures.append(f"cycle {self.counts['cycles']}: {what}")
        print(f"FAILURE {self.failures[-1]}", file=sys.stderr, flush=True)

    # -- the Loader, in a background thread ----------------------------------

    def loader_epoch(self, dataset, policy: str, close_after) -> None:
        split = dataset["train"]
        loader = chexpert.Loader(split, 8, self.resize, shuffle=True, seed=self.counts["cycles"],
                                 prefetch=2, num_threads=2, on_error=policy)
        seen, substituted, batches = [], 0, 0
        import warnings
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")          # "skipped n unreadable example(s)"
                for batch in loader:
                    batches += 1
                    seen.extend(batch["index"].tolist())
                    if policy == "substitute":
                        marked = batch["index"][batch["substituted"]].tolist()
                        substituted += len(marked)
                        if not set(marked) <= self.broken:
                            self.fail(f"substituted a readable example: {marked}")
                        if not np.isfinite(batch["image"]).all():
                            self.fail("non-finite pixels in a Loader batch")
                    if close_after is not None and batches == close_after:
                        dataset.close()
        except chexpert.ChexpertClosedError:
            if close_after is None:
                self.fail("ChexpertClosedError without a close")
            self.counts["closed mid-epoch"] += 1
            return
        except BaseException as error:                # noqa: BLE001 - reported
            self.fail(f"Loader ({policy}): {error!r}\n{traceback.format_exc()}")
            return
        if close_after is not None and close_after < len(loader):
            self.fail("the epoch went on after its dataset was closed")
        self.counts["loader epochs"] += 1
        self.counts["loader examples"] += len(seen)
        skipped = [entry[0] for entry in loader.skipped]
        if policy == "substitute":
            self.counts["substituted"] += substituted
            if substituted != len(self.broken) or sorted(seen) != list(range(self.tree["count"])):
                self.fail(f"substitute epoch: {substituted} substituted, {len(seen)} seen")
        else:
            self.counts["skipped"] += len(skipped)
            if sorted(skipped) != sorted(self.broken) or set(seen) & self.broken or \
                    len(seen) + len(skipped) != self.tree["count"]:
                self.fail(f"skip epoch: skipped {sorted(skipped)}, expected {sorted(self.broken)}")

    # -- the DataLoader, in the main thread -----------------------------------

    def torch_epoch(self, sample_children: bool):
        import torch.utils.data
        from chexpert.torch import ChexpertBatches
        batches = ChexpertBatches(self.torch_dataset["train"], 8, self.resize, rank=0, world=1,
                                  shuffle=True, seed=1, num_threads=1, on_error="substitute")
        loader = torch.utils.data.DataLoader(batches, batch_size=None, num_workers=2,
                                             multiprocessing_context="fork", timeout=120)
        children_sample = None
        substituted, seen = 0, []
        try:
            for number, batch in enumerate(loader):
                if number == 0:
                    self.counts["forks"] += 2
                    if sample_children:
                        children_sample = children_rss_mb()
                seen.extend(batch["index"].tolist())
                marked = batch["index"][batch["substituted"]].tolist()
                substituted += len(marked)
                if not set(marked) <= self.broken:
                    self.fail(f"DataLoader substituted a readable example: {marked}")
        except BaseException as error:                # noqa: BLE001 - a hang is a timeout here
            self.fail(f"DataLoader: {error!r}")
            return children_sample
        finally:
            del loader
        self.counts["torch epochs"] += 1
        self.counts["torch examples"] += len(seen)
        if substituted != len(self.broken) or sorted(seen) != list(range(self.tree["count"])):
            self.fail(f"DataLoader epoch: {substituted} substituted, {len(seen)} seen")
        return children_sample

    # -- cycles -----------------------------------------------------------------

    def reopen(self) -> None:
        self.loader_dataset.close()
        self.loader_dataset = chexpert.Dataset(self.root)
        self.torch_dataset.close()
        self.torch_dataset = chexpert.Dataset(self.root)
        self.counts["reopens"] += 1

    def run(self) -> None:
        args = self.args
        started = time.monotonic()
        wanted = max(1, round(args.minutes * 60 / args.interval))      # samples, the last at the end
        next_sample = started + args.interval
        pending_children = None
        while len(self.samples) < wanted:
            self.counts["cycles"] += 1
            if self.rng.random() < args.reopen:
                self.reopen()
            policy = "substitute" if self.counts["cycles"] % 2 else "skip"
            close_after = self.rng.randint(1, 5) if self.rng.random() < args.close_mid else None
            dataset = self.loader_dataset
            thread = threading.Thread(target=self.loader_epoch, args=(dataset, policy, close_after),
                                      name="soak-loader")
            thread.start()
            # A sampling cycle: the workers' RSS during its DataLoader epoch,
            # the parent's numbers at its end.
            due = time.monotonic() >= next_sample
            children_sample = self.torch_epoch(sample_children=due)
            if children_sample is not None:
                pending_children = children_sample
            thread.join()
            if dataset.closed:
                self.loader_dataset = chexpert.Dataset(self.root)
            if due:
                # Quiescent: no Loader thread, no decode thread, no worker.
                gc.collect()
                minute = round((time.monotonic() - started) / 60, 1)
                child_mb, child_count = pending_children or (float("nan"), 0)
                self.samples.append({
                    "minute": minute, "parent_mb": rss_mb(), "children_mb": child_mb,
                    "children": child_count, "fds": open_fds(), "threads": thread_count(),
                    "workers_left": _describe(children()), **self.counts})
                print(self.format_row(self.samples[-1]), flush=True)
                pending_children = None
                next_sample += args.interval
        self.loader_dataset.close()
        self.torch_dataset.close()

    # -- report -----------------------------------------------------------------

    HEADER = ("| minute | parent RSS MB | workers RSS MB (n) | fds | threads | cycles | Loader epochs "
              "| Loader examples | substituted | skipped | closed mid-epoch | DataLoader epochs "
              "| worker forks | reopens |")
    RULE = "|" + "---|" * 14

    @staticmethod
    def format_row(s: dict) -> str:
        return (f"| {s['minute']:.1f} | {s['parent_mb']:.1f} | {s['children_mb']:.1f} ({s['children']}) "
                f"| {s['fds']} | {s['threads']} | {s['cycles']} | {s['loader epochs']} "
                f"| {s['loader examples']} | {s['substituted']} | {s['skipped']} "
                f"| {s['closed mid-epoch']} | {s['torch epochs']} | {s['forks']} | {s['reopens']} |")

    def verdict(self) -> tuple:
        samples = self.samples
        if len(samples) < 2:
            return False, ["fewer than two samples: run longer (--minutes)"]
        base = samples[1] if len(samples) >= 3 else samples[0]
        last = samples[-1]
        problems = []

        def within(key: str, label: str) -> None:
            limit = base[key] * (1 + RSS_RELATIVE) + RSS_ABSOLUTE_MB
            if not last[key] <= limit:
                problems.append(f"{label}: {last[key]:.1f} MB at minute {last['minute']} > "
                                f"{limit:.1f} MB (minute {base['minute']}: {base[key]:.1f} MB "
                                f"+ {RSS_RELATIVE:.0%} + {RSS_ABSOLUTE_MB:.0f} MB)")
        within("parent_mb", "parent RSS")
        within("children_mb", "worker RSS")
        for key in ("fds", "threads"):
            if last[key] != base[key]:
                problems.append(f"{key}: {last[key]} at minute {last['minute']} != {base[key]} "
                                f"at minute {base['minute']}")
        if last["workers_left"]:
            problems.append(f"child processes left at a quiescent point: {last['workers_left']}")
        problems += [f"failure: {f.splitlines()[0]}" for f in self.failures]
        return not problems, problems

    def report(self, tree: dict) -> str:
        flat, problems = self.verdict()
        base = self.samples[1] if len(self.samples) >= 3 else (self.samples[0] if self.samples else None)
        lines = [
            f"Soak run: {self.args.minutes:g} min, {self.counts['cycles']} cycles; tree of "
            f"{tree['count']} train examples with {len(tree['broken'])} broken "
            f"({', '.join(f'{n} {k}' for k, n in tree['kinds'].items())}); "
            f"Loader batch 8, 64x64 float32, prefetch 2, 2 threads, on_error substitute/skip "
            f"alternating; DataLoader(ChexpertBatches, num_workers=2, fork, on_error=substitute); "
            f"reopen p={self.args.reopen}, close mid-epoch p={self.args.close_mid}.",
            "", self.HEADER, self.RULE, *(self.format_row(s) for s in self.samples), "",
        ]
        if base is not None:
            lines.append(f"Baseline: minute {base['minute']}. Tolerance: RSS +{RSS_RELATIVE:.0%} "
                         f"+ {RSS_ABSOLUTE_MB:.0f} MB; fds and threads equal.")
        lines.append(f"Verdict: {'FLAT' if flat else 'NOT FLAT'}"
                     + ("" if flat else ": " + "; ".join(problems)))
        if self.failures:
            lines += ["", "Failures:", *(f"- {f}" for f in self.failures[:20])]
        return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--patients", type=int, default=30, help="train patients of the sample tree")
    parser.add_argument("--reopen", type=float, default=0.2, help="per-cycle reopen probability")
    parser.add_argument("--close-mid", type=float, default=0.15,
                        help="per-cycle probability of closing the Loader's dataset mid-epoch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument("--note", default="", help="a line added to the markdown (how it was run)")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="chexpert-soak-"))
    try:
        tree = make_tree(base / "manual", args.patients)
        print(f"library {chexpert.library_path}; tree {base / 'manual'}: {tree['count']} train "
              f"examples, broken {tree['broken']}", flush=True)
        print(Soak.HEADER + "\n" + Soak.RULE, flush=True)
        soak = Soak(args, base / "manual", tree)
        soak.run()
        text = soak.report(tree)
        print(text)
        if args.markdown:
            header = "# Soak run\n\n" + (args.note + "\n\n" if args.note else "")
            args.markdown.write_text(header + text)
        return 0 if soak.verdict()[0] else 1
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
