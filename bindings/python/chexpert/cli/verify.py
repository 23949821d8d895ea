"""``chexpert verify [ROOT]``: read and decode every image, list those that fail."""

from __future__ import annotations

import sys
import time

from .. import SPLIT_NAMES, VerifyReport
from ._common import EXIT_DATA, EXIT_OK, add_projections, add_root, add_threads, open_dataset, splits_of

HELP = "read and decode every image; list the ones that fail (exit code 1 if any does)"
DESCRIPTION = """\
Reads and fully decodes every image of the dataset (both splits, or
--split) on several threads, showing progress on stderr, then prints per
split how many images were checked and, for each one that failed, its
index, name and the reason. Exit code 1 if any image failed."""

#: Images per library call (and per progress update).
CHUNK = 512


def add_parser(subparsers):
    parser = subparsers.add_parser("verify", help=HELP, description=DESCRIPTION)
    add_root(parser)
    parser.add_argument("--split", choices=SPLIT_NAMES, help="check only this split (default: every split the dataset has)")
    add_projections(parser)
    add_threads(parser, "decode threads")
    parser.add_argument("--no-progress", action="store_true", help="do not show progress")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    with open_dataset(args) as dataset:
        reports = [_verify(split, args.threads, not args.no_progress)
                   for split in splits_of(dataset, args.split)]
    print("verify: each image read and fully decoded")
    for report in reports:
        print(report)
    return EXIT_OK if all(reports) else EXIT_DATA


def _verify(split, threads: int, progress: bool) -> VerifyReport:
    bar = _Progress(f"verify {split.name}", len(split)) if progress else None
    failures = []
    try:
        for first in range(0, len(split), CHUNK):
            part = range(first, min(first + CHUNK, len(split)))
            report = split.verify(part, num_threads=threads, chunk=CHUNK)
            failures += report.failures
            if bar is not None:
                bar.update(len(part))
    finally:
        if bar is not None:
            bar.close()
    return VerifyReport(split.name, len(split), failures)


class _Progress:
    """tqdm's bar when tqdm is installed, else a plain line on stderr
    (rewritten in place on a terminal, every 10% otherwise)."""

    def __init__(self, description: str, total: int):
        self.description, self.total, self.done = description, total, 0
        self.start = time.perf_counter()
        self.shown = -1
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
            self.tty = sys.stderr.isatty()
            self._show(force=True)
        else:
            self.bar = tqdm(total=total, unit="img", desc=description)

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        else:
            self._show()

    def _show(self, force: bool = False) -> None:
        tenth = 10 * self.done // max(self.total, 1)
        if not (force or self.tty or tenth != self.shown):
            return
        self.shown = tenth
        seconds = time.perf_counter() - self.start
        rate = f", {self.done / seconds:.0f} img/s" if seconds > 0 and self.done else ""
        line = f"{self.description}: {self.done}/{self.total} images{rate}"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.tty:
            print(file=sys.stderr, flush=True)
