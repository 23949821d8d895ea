"""Locating and loading libchexpert.so, and refusing an incompatible one.

Order: ``$CHEXPERT_LIBRARY`` if set (and then only it: an explicit choice must
never fall back silently to another copy), else ``libchexpert.so`` in this
package's directory, else ``<repo>/.build/release/libchexpert.so`` found
relative to this file (the layout of a source checkout with
``pip install -e bindings/python``).

The library is loaded with :class:`ctypes.CDLL`, not ``PyDLL``: every call
releases the GIL, so decoding in C runs in parallel with Python threads.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

__all__ = ["EXPECTED_ABI_VERSION", "LIBRARY_FILE", "candidate_paths", "load", "check_abi"]

#: CHEXPERT_ABI_VERSION this binding was written for (_ffi.CHEXPERT_ABI_VERSION).
EXPECTED_ABI_VERSION = 2
LIBRARY_FILE = "libchexpert.so"
ENV_VAR = "CHEXPERT_LIBRARY"


def candidate_paths() -> list[tuple[str, str]]:
    """The (origin, path) pairs tried, in order."""
    override = os.environ.get(ENV_VAR)
    if override:
        return [(f"${ENV_VAR}", override)]
    package_dir = Path(__file__).resolve().parent
    repo = package_dir.parent.parent.parent  # <repo>/bindings/python/chexpert
    return [
        ("package directory", str(package_dir / LIBRARY_FILE)),
        ("build directory", str(repo / ".build" / "release" / LIBRARY_FILE)),
    ]


def load() -> tuple[ctypes.CDLL, str]:
    """Loads the first candidate that loads; ImportError listing every failure."""
    failures = []
    for origin, path in candidate_paths():
        try:
            return ctypes.CDLL(path), path
        except OSError as error:
            failures.append(f"  {origin}: {path}: {error}")
    raise ImportError(
        f"chexpert: cannot load {LIBRARY_FILE}; tried:\n" + "\n".join(failures)
        + f"\nBuild it with `swift build -c release` or set ${ENV_VAR} to its path."
    )


def check_abi(found: int, path: str, expected: int = EXPECTED_ABI_VERSION) -> None:
    """Refuses a library whose chexpert_abi_version() differs from ours."""
    if found != expected:
        raise ImportError(
            f"chexpert: {path} has ABI version {found}, this binding needs "
            f"{expected}; install a matching libchexpert or binding"
        )
