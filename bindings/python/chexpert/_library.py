"""Locating and loading libchexpert.so, and refusing an incompatible one.

Order:

1. ``$CHEXPERT_LIBRARY`` if set, and then only it: an explicit choice must
   never fall back silently to another copy.
2. ``libchexpert.so`` in this package's directory: the copy a wheel
   (``pip install chexpert-*.whl``) or a regular install from a checkout
   (``pip install ./bindings/python``) puts there. A wheel's copy finds its
   bundled libturbojpeg through its RUNPATH (``chexpert.libs/``).
3. ``<repo>/.build/release/libchexpert.so``, only when this package is the
   ``bindings/python/chexpert`` folder of a source checkout (an editable
   install, ``pip install -e bindings/python``, as scripts/setup.sh makes).

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

_PACKAGE_DIR = Path(__file__).resolve().parent


def _checkout_root() -> Path | None:
    """The repository root when this package is <repo>/bindings/python/chexpert."""
    repo = _PACKAGE_DIR.parents[2]
    if _PACKAGE_DIR.parent.name == "python" and (repo / "Package.swift").is_file():
        return repo
    return None


def candidate_paths() -> list[tuple[str, str]]:
    """The (origin, path) pairs tried, in order."""
    override = os.environ.get(ENV_VAR)
    if override:
        return [(f"${ENV_VAR}", override)]
    candidates = [("package directory", str(_PACKAGE_DIR / LIBRARY_FILE))]
    repo = _checkout_root()
    if repo is not None:
        candidates.append(("checkout build", str(repo / ".build" / "release" / LIBRARY_FILE)))
    return candidates


_ADVICE = f"""\
What to do, by how you installed chexpert:
  - from a wheel: reinstall it, `pip install --force-reinstall chexpert-*.whl`
    (`bash scripts/wheel.sh` in a checkout builds one into dist/);
  - from a checkout: `bash scripts/setup.sh` (builds .build/release/{LIBRARY_FILE} and
    installs the binding in editable mode), or `pip install ./bindings/python`
    (builds the library with the Swift toolchain and copies it into the package);
  - against a system install for C (`bash scripts/install.sh --prefix DIR`): set
    ${ENV_VAR}=DIR/lib/{LIBRARY_FILE}."""


def load() -> tuple[ctypes.CDLL, str]:
    """Loads the first candidate that loads; ImportError listing every failure."""
    failures = []
    candidates = candidate_paths()
    for origin, path in candidates:
        try:
            return ctypes.CDLL(path), path
        except OSError as error:
            failures.append(f"  {origin}: {path}: {error}")
    if candidates[0][0] == f"${ENV_VAR}":
        advice = f"Fix or unset ${ENV_VAR} (when set, it is the only path tried)."
    else:
        advice = _ADVICE
    raise ImportError(f"chexpert: cannot load {LIBRARY_FILE}; tried:\n" + "\n".join(failures) + "\n" + advice)


def check_abi(found: int, path: str, expected: int = EXPECTED_ABI_VERSION) -> None:
    """Refuses a library whose chexpert_abi_version() differs from ours."""
    if found != expected:
        raise ImportError(
            f"chexpert: {path} has ABI version {found}, this binding needs "
            f"{expected}; install a matching libchexpert or binding"
        )
