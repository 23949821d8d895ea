"""The documentation's code runs as written: every ```python and ```c block of README.md,
bindings/python/README.md and docs/*.md, each marked by a `<!-- snippet: NAME -->` line right
before it, against the library under test, on a generated tree ($CHEXPERT_ROOT).

Python snippets run as scripts; C snippets are compiled with -std=c11 -Wall -Werror against
include/ and the library ($CHEXPERT_LIBRARY, else the one the binding loads) and run. An
unmarked python or c block fails `test_every_code_block_is_a_snippet`, so no example goes
untested. Other blocks (sh, plain output) are not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", REPO / "bindings" / "python" / "README.md",
             *sorted((REPO / "docs").glob("*.md"))]
RUN_LANGUAGES = {"python", "c"}
MARKER = re.compile(r"<!-- snippet: ([\w-]+) -->$")
FENCE = re.compile(r"^```(\w*)\s*$")
# The snippets README.md must have (its first screen promises them), and what some must print.
README_SNIPPETS = {"python", "torch", "tf", "c"}
EXPECTED_STDOUT = {"c": "first batch: 8 images", "c-api-design": "fit = FILTER_AREA: CHEXPERT_E_INVALID_ARGUMENT"}


def _blocks(path: Path) -> list:
    """(marker name or None, language, code, line number) of every fenced block of a file."""
    lines = path.read_text().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start = index
        index += 1
        while index < len(lines) and not lines[index].startswith("```"):
            index += 1
        previous = next((line for line in reversed(lines[:start]) if line.strip()), "")
        marker = MARKER.match(previous.strip())
        blocks.append((marker.group(1) if marker else None, fence.group(1),
                       "\n".join(lines[start + 1:index]) + "\n", start + 1))
        index += 1
    return blocks


def _collect() -> tuple:
    snippets, problems = {}, []
    for path in DOCUMENTS:
        relative = path.relative_to(REPO)
        for name, language, code, line in _blocks(path):
            where = f"{relative}:{line}"
            if name is None:
                if language in RUN_LANGUAGES:
                    problems.append(f"{where}: a ```{language} block without a `<!-- snippet: NAME -->` line")
                continue
            if language not in RUN_LANGUAGES:
                problems.append(f"{where}: snippet {name!r} is ```{language}, not python or c")
            elif name in snippets:
                problems.append(f"{where}: snippet name {name!r} also used at {snippets[name][0]}")
            else:
                snippets[name] = (where, language, code)
    return snippets, problems


SNIPPETS, PROBLEMS = _collect()
PYTHON = sorted(name for name, (_, language, _) in SNIPPETS.items() if language == "python")
C = sorted(name for name, (_, language, _) in SNIPPETS.items() if language == "c")


def test_every_code_block_is_a_snippet():
    assert not PROBLEMS, "\n".join(PROBLEMS)


def test_readme_has_its_snippets():
    in_readme = {name for name, (where, _, _) in SNIPPETS.items() if where.startswith("README.md:")}
    assert in_readme == README_SNIPPETS, sorted(in_readme)


def test_docs_link_only_existing_files():
    """Relative links of the documents point at files of the repository."""
    missing = []
    for path in DOCUMENTS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (path.parent / target).exists():
                missing.append(f"{path.relative_to(REPO)}: {target}")
    assert not missing, "\n".join(missing)


@pytest.fixture(scope="module")
def env(make_tree) -> dict:
    root = make_tree("--train-patients", "8", "--valid-patients", "2")
    return dict(os.environ, CHEXPERT_ROOT=str(root), TF_CPP_MIN_LOG_LEVEL="2")


@pytest.fixture(scope="module")
def library_dir() -> Path:
    explicit = os.environ.get("CHEXPERT_LIBRARY")
    if explicit:
        path = Path(explicit)
    else:
        import chexpert
        path = Path(chexpert.library_path)
    assert path.name == "libchexpert.so" and path.is_file(), path
    return path.resolve().parent


def _compiler() -> str:
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or "cc"


@pytest.mark.parametrize("name", C)
def test_c_snippet_compiles(name, tmp_path):
    """Without the library: the snippet is valid C11 against the header, warnings as errors."""
    where, _, code = SNIPPETS[name]
    source = tmp_path / f"{name}.c"
    source.write_text(code)
    completed = subprocess.run([_compiler(), "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                                "-I", str(REPO / "include"), str(source)], capture_output=True, text=True)
    assert completed.returncode == 0, f"{where}:\n{completed.stderr}"


@pytest.mark.parametrize("name", PYTHON)
def test_python_snippet_runs(name, env, tmp_path):
    where, _, code = SNIPPETS[name]
    script = tmp_path / f"snippet_{name}.py"
    script.write_text(code)
    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                               timeout=600, cwd=tmp_path)
    assert completed.returncode == 0, f"{where}:\n{completed.stderr[-3000:]}"
    if name in EXPECTED_STDOUT:
        assert EXPECTED_STDOUT[name] in completed.stdout, completed.stdout


@pytest.mark.parametrize("name", C)
def test_c_snippet_compiles_and_runs(name, env, library_dir, tmp_path):
    where, _, code = SNIPPETS[name]
    source = tmp_path / f"{name}.c"
    source.write_text(code)
    binary = tmp_path / name
    # The library's SONAME (libchexpert.so.2) must resolve next to the rpath.
    subprocess.run(["bash", str(REPO / "scripts" / "link-soname.sh"), str(library_dir / "libchexpert.so"),
                    str(tmp_path)], check=True, capture_output=True)
    built = subprocess.run([_compiler(), "-std=c11", "-Wall", "-Werror", "-I", str(REPO / "include"), str(source),
                            "-L", str(library_dir), "-lchexpert", f"-Wl,-rpath,{tmp_path}", "-o", str(binary)],
                           capture_output=True, text=True)
    assert built.returncode == 0, f"{where}:\n{built.stderr}"
    completed = subprocess.run([str(binary)], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert completed.returncode == 0, f"{where}: exit {completed.returncode}\n{completed.stdout}{completed.stderr}"
    if name in EXPECTED_STDOUT:
        assert EXPECTED_STDOUT[name] in completed.stdout, completed.stdout
