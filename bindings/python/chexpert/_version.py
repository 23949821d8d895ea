"""The package version, kept in one place: include/chexpert.h's
CHEXPERT_VERSION_STRING.

The build (``bindings/python/setup.py``) reads it from the header into the
package metadata; at run time :func:`package_version` reads the metadata, or,
for a checkout used without installing, the header itself.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["package_version", "header_version", "HEADER"]

#: include/chexpert.h of the checkout this package lives in (absent once installed).
HEADER = Path(__file__).resolve().parents[3] / "include" / "chexpert.h"

_MACRO = re.compile(r'^#define\s+CHEXPERT_VERSION_STRING\s+"([^"]+)"', re.MULTILINE)


def header_version(header: Path = HEADER) -> str:
    """CHEXPERT_VERSION_STRING of `header`."""
    match = _MACRO.search(Path(header).read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{header} defines no CHEXPERT_VERSION_STRING")
    return match.group(1)


def package_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("chexpert")
    except metadata.PackageNotFoundError:
        return header_version()
