"""The version, and the native files a regular (non-editable) install ships.

Version: include/chexpert.h's CHEXPERT_VERSION_STRING, the one place it is
written. From a checkout the header is ../../include/chexpert.h; from an sdist
(which has no header) the version is the one its PKG-INFO recorded.

Native files: a regular build (`pip install ./bindings/python`, `pip wheel`,
scripts/wheel.sh) copies libchexpert.so and the sample-tree generator
chexpert-sample into the package, so the installed copy needs no checkout:
  - from $CHEXPERT_BUILD_DIR if set (a folder holding both, e.g.
    .build-wheel/release; scripts/wheel.sh sets it), else
  - from <repo>/.build/release after running `swift build -c release` there
    (the Swift toolchain on PATH or at /opt/swift/usr/bin).
An editable install (`pip install -e bindings/python`, scripts/setup.sh)
copies nothing: the binding then loads <repo>/.build/release/libchexpert.so
(chexpert/_library.py). The wheel is tagged py3-none-<platform> (ctypes needs
no CPython ABI); scripts/wheel.sh has auditwheel retag it manylinux and bundle
libturbojpeg. Everything else is in pyproject.toml.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGE = "chexpert"
#: The files copied into the package: the library and the sample-tree generator.
NATIVE_FILES = ("libchexpert.so", "chexpert-sample")
BUILD_DIR_VARIABLE = "CHEXPERT_BUILD_DIR"


def _version_module():
    """chexpert/_version.py, loaded by path (importing the package would load
    the library)."""
    spec = importlib.util.spec_from_file_location("_chexpert_version", HERE / "chexpert" / "_version.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def version() -> str:
    header = REPO / "include" / "chexpert.h"
    if header.is_file():
        return _version_module().header_version(header)
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.is_file():
        match = re.search(r"^Version: (\S+)$", pkg_info.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    raise RuntimeError("chexpert: no include/chexpert.h (build from the repository checkout) "
                       "and no PKG-INFO to take the version from")


def _swift() -> str:
    found = shutil.which("swift")
    if found:
        return found
    fallback = Path("/opt/swift/usr/bin/swift")
    if fallback.is_file():
        return str(fallback)
    raise RuntimeError(
        "chexpert: building the native library needs the Swift toolchain (`swift` on PATH or "
        "/opt/swift/usr/bin/swift); or install a prebuilt wheel (bash scripts/wheel.sh), or set "
        f"${BUILD_DIR_VARIABLE} to a folder holding {' and '.join(NATIVE_FILES)}")


def native_build_dir() -> Path:
    """The folder holding NATIVE_FILES, building them first unless
    $CHEXPERT_BUILD_DIR names one."""
    explicit = os.environ.get(BUILD_DIR_VARIABLE)
    if explicit:
        return Path(explicit).resolve()
    if not (REPO / "Package.swift").is_file():
        raise RuntimeError(
            f"chexpert: {REPO} is not a libchexpert checkout (no Package.swift), so the native "
            f"library cannot be built here; install a wheel, or set ${BUILD_DIR_VARIABLE}")
    command = [_swift(), "build", "-c", "release", "--package-path", str(REPO)]
    print("chexpert: " + " ".join(command), file=sys.stderr, flush=True)
    # Build output on stderr: pip shows it with -v, and on failure.
    subprocess.run(command, check=True, stdout=sys.stderr)
    return REPO / ".build" / "release"


class build_py_with_native(build_py):
    """build_py, plus NATIVE_FILES copied into the built package (not into the
    source folder), except for editable installs."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = native_build_dir()
        target = Path(self.build_lib) / PACKAGE
        target.mkdir(parents=True, exist_ok=True)
        for name in NATIVE_FILES:
            path = source / name
            if not path.is_file():
                raise RuntimeError(f"chexpert: {path} does not exist (build it with swift build -c release)")
            shutil.copy2(path, target / name)  # copy2 keeps the executable bit


class NativeDistribution(Distribution):
    """Not pure (the package holds ELF files): platlib, a platform tag."""

    def has_ext_modules(self):
        return True


class bdist_wheel_native(bdist_wheel):
    """No CPython ABI either (ctypes): py3-none-<platform>."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(version=version(), distclass=NativeDistribution,
      cmdclass={"build_py": build_py_with_native, "bdist_wheel": bdist_wheel_native})
