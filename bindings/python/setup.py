"""Only the version: include/chexpert.h's CHEXPERT_VERSION_STRING, the one
place it is written. Everything else is in pyproject.toml.

From a checkout the header is ../../include/chexpert.h; from an sdist (which
has no header) the version is the one its PKG-INFO recorded.
"""

import importlib.util
import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def _version_module():
    """chexpert/_version.py, loaded by path (importing the package would load
    the library)."""
    spec = importlib.util.spec_from_file_location("_chexpert_version", HERE / "chexpert" / "_version.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def version() -> str:
    header = HERE.parent.parent / "include" / "chexpert.h"
    if header.is_file():
        return _version_module().header_version(header)
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.is_file():
        match = re.search(r"^Version: (\S+)$", pkg_info.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    raise RuntimeError("chexpert: no include/chexpert.h (build from the repository checkout) "
                       "and no PKG-INFO to take the version from")


setup(version=version())
