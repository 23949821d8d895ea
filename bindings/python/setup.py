"""Only the version: include/chexpert.h's CHEXPERT_VERSION_STRING, the one
place it is written. Everything else is in pyproject.toml.

From a checkout the header is ../../include/chexpert.h; from an sdist (which
has no header) the version is the one its PKG-INFO recorded.
"""

import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def version() -> str:
    header = HERE.parent.parent / "include" / "chexpert.h"
    if header.is_file():
        match = re.search(r'^#define\s+CHEXPERT_VERSION_STRING\s+"([^"]+)"',
                          header.read_text(encoding="utf-8"), re.MULTILINE)
        if not match:
            raise RuntimeError(f"{header} defines no CHEXPERT_VERSION_STRING")
        return match.group(1)
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.is_file():
        match = re.search(r"^Version: (\S+)$", pkg_info.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    raise RuntimeError("chexpert: no include/chexpert.h (build from the repository checkout) "
                       "and no PKG-INFO to take the version from")


setup(version=version())
