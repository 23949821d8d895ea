"""``chexpert cache build ROOT --size S --out FILE``, ``chexpert cache info FILE``:
the packed cache (docs/cache.md)."""

from __future__ import annotations

import sys
import time

from .. import cache as _cache
from ._common import EXIT_OK, add_projections, add_root, add_threads, open_dataset, positive_int

HELP = "write a packed cache of decoded, resized images (epoch 2+ at memory speed), or describe one"
DESCRIPTION = """\
build: decodes every image of every split once, resizes it to a grey plane
(short side --size, or exactly --height x --width) and writes them all, with
an index and the folder's fingerprint, to one file. Open the dataset with
Dataset(ROOT, cache=FILE) to read resized batches from it. The file appears
only once complete; a cache of other sources is refused when attached.
info: prints a cache file's header."""


def add_parser(subparsers):
    parser = subparsers.add_parser("cache", help=HELP, description=DESCRIPTION)
    actions = parser.add_subparsers(title="actions", metavar="ACTION", dest="action", required=True)
    build = actions.add_parser("build", help="write a packed cache", description=DESCRIPTION)
    add_root(build)
    add_projections(build)
    build.add_argument("--out", required=True, metavar="FILE", help="the cache file to write")
    build.add_argument("--size", type=positive_int, metavar="S", help="short side of the planes (aspect kept)")
    build.add_argument("--height", type=positive_int, metavar="H", help="exact plane height (with --width)")
    build.add_argument("--width", type=positive_int, metavar="W", help="exact plane width (with --height)")
    build.add_argument("--on-error", choices=("raise", "substitute"), default="raise",
                       help="an unreadable image: stop (default) or record it as failed")
    add_threads(build, "decode threads")
    build.add_argument("--quiet", action="store_true", help="no progress output")
    build.set_defaults(run=run_build)
    info = actions.add_parser("info", help="describe a cache file")
    info.add_argument("file", metavar="FILE")
    info.set_defaults(run=run_info)
    return parser


def _progress(start):
    def report(done, total):
        elapsed = time.monotonic() - start
        rate = done / elapsed if elapsed > 0 else 0.0
        end = "\n" if done >= total else ""
        print(f"\rcache: {done}/{total} images ({100 * done // max(total, 1)}%, {rate:.0f} img/s)",
              end=end, file=sys.stderr, flush=True)
    return report


def run_build(args) -> int:
    if (args.size is None) == (args.height is None or args.width is None) or \
            (args.size is not None and (args.height is not None or args.width is not None)):
        from ._common import CliError, EXIT_USAGE
        raise CliError("give --size S, or --height H and --width W", EXIT_USAGE)
    with open_dataset(args) as dataset:
        start = time.monotonic()
        dataset.build_cache(args.out, args.size, height=args.height, width=args.width,
                            num_threads=args.threads, on_error=args.on_error,
                            progress=False if args.quiet else _progress(start))
        seconds = time.monotonic() - start
    _describe(args.out)
    print(f"built in {seconds:.1f} s")
    return EXIT_OK


def _describe(path) -> None:
    info = _cache.info(path)
    examples = info["train"] + info["validation"] + max(info["test"], 0)
    planes = f"side {info['side']}" if info["side"] else f"{info['height']}x{info['width']}"
    print(f"{path}: packed cache version {info['version']}, {planes}")
    splits = ", ".join(f"{name} {info[name]}" for name in ("train", "validation", "test") if info[name] >= 0)
    print(f"examples: {examples} ({splits}), {info['failed']} failed")
    per = info["file_bytes"] / max(examples, 1)
    print(f"size: {info['file_bytes']} bytes ({per / 1024:.1f} KiB per example)")


def run_info(args) -> int:
    _describe(args.file)
    return EXIT_OK
