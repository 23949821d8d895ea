"""The ``chexpert`` command (also ``python -m chexpert``): look at a CheXpert folder.

One module per subcommand (``info``, ``stats``, ``show``, ``verify``,
``bench``, ``sample``), each with ``add_parser(subparsers)`` and
``run(args) -> int``; :func:`main` parses the command line and turns a
user's mistake into one line on stderr and an exit code (``_common.EXIT_*``,
listed by ``chexpert --help`` and docs/cli.md), never a traceback.
matplotlib is imported only by ``stats`` and ``show``.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import ChexpertError, __version__, library_version
from . import bench, cache, info, sample, show, stats, verify
from ._common import EXIT_CODES_HELP, EXIT_DATA, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError
from .sample import find_sample_generator

__all__ = ["main", "build_parser", "find_sample_generator"]

SUBCOMMANDS = (info, stats, show, verify, bench, sample, cache)

DESCRIPTION = """\
Look at a CheXpert-v1.0-small chest X-ray folder: what it holds, pictures of
its labels and images, whether every image can be read, how fast they decode;
or write a small synthetic folder to try all this without the dataset."""

EPILOG = f"""\
ROOT is the folder that holds CheXpert-v1.0-small/; without it, the commands
use $CHEXPERT_ROOT, else ~/tensorflow_datasets/downloads/manual.
`chexpert COMMAND --help` tells more about each command.

examples:
  chexpert sample /tmp/cx                 # a synthetic folder to try things on
  chexpert info /tmp/cx
  chexpert stats /tmp/cx --plot stats.png
  chexpert show /tmp/cx --grid grid.png --n 9 --projections frontal

{EXIT_CODES_HELP}"""


class _Parser(argparse.ArgumentParser):
    """argparse, with the usage error printed as usage + one error line (its
    own format) and exit code EXIT_USAGE."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(prog: str = "chexpert") -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"chexpert {__version__} (libchexpert {library_version})")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command",
                                       parser_class=_Parser)
    for module in SUBCOMMANDS:
        sub = module.add_parser(subparsers)
        sub.formatter_class = argparse.RawDescriptionHelpFormatter
        sub.epilog = EXIT_CODES_HELP
    return parser


def main(argv=None, prog: str = "chexpert") -> int:
    """Runs the command line `argv` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:   # --help, --version, usage errors: argparse has printed
        return exit.code if isinstance(exit.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    command = f"{prog} {args.command}"
    try:
        return args.run(args)
    except CliError as error:
        print(f"{command}: error: {error}", file=sys.stderr)
        return error.code
    except ChexpertError as error:   # a data error past opening: an unreadable image, ...
        print(f"{command}: error: {error.name}: {error.message}", file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        print(f"\n{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:          # `chexpert info | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
