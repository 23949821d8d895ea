"""Run first by Tests/install/wheel.sh, in the same pytest session as the binding
tests: proves that the package, the library and the sample generator those
tests use are the copies installed in this venv from the wheel, not the
checkout's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import chexpert

PREFIX = Path(sys.prefix).resolve()
REPO = Path(__file__).resolve().parents[2]


def _inside(path: str | Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder)


def test_environment_names_no_library():
    assert "CHEXPERT_LIBRARY" not in os.environ
    assert "CHEXPERT_SAMPLE_BIN" not in os.environ
    assert sys.prefix != sys.base_prefix, "not running in a venv"


def test_package_and_library_are_the_installed_copies():
    package = Path(chexpert.__file__).resolve().parent
    assert _inside(package, PREFIX) and not _inside(package, REPO), package
    assert _inside(chexpert.library_path, PREFIX), chexpert.library_path
    assert Path(chexpert.library_path).resolve() == package / "libchexpert.so"


def test_library_uses_the_bundled_libturbojpeg():
    """auditwheel's copy in chexpert.libs/, not the system's libturbojpeg.so.0
    (in a fresh interpreter: this one also loads the system's, for reference
    decodes)."""
    libs = Path(chexpert.__file__).resolve().parent.parent / "chexpert.libs"
    script = ("import chexpert, pathlib; print('\\n'.join(sorted({line.split()[-1] for line in "
              "pathlib.Path('/proc/self/maps').read_text().splitlines() if 'turbojpeg' in line})))")
    mapped = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                            text=True, cwd="/").stdout.split()
    assert mapped and all(_inside(path, libs) for path in mapped), mapped


def test_sample_generator_is_the_installed_one_and_runs_alone(tmp_path):
    """The generator the fixtures use (next to the library), runnable with an
    empty environment."""
    generator = Path(chexpert.library_path).resolve().parent / "chexpert-sample"
    assert generator.is_file() and os.access(generator, os.X_OK)
    subprocess.run([str(generator), "--out", str(tmp_path), "--train-patients", "2",
                    "--valid-patients", "1"], check=True, env={}, stdout=subprocess.DEVNULL)
    assert (tmp_path / "CheXpert-v1.0-small" / "valid.csv").is_file()
