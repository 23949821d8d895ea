"""README's "Use it from PyTorch / TensorFlow / JAX / C" snippets run as
written, against the built library, on a generated tree ($CHEXPERT_ROOT)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SNIPPET = re.compile(r"<!-- snippet: (\w+) -->\n```(\w+)\n(.*?)```", re.S)


def snippets() -> dict:
    found = {name: (language, code) for name, language, code in SNIPPET.findall((REPO / "README.md").read_text())}
    assert set(found) == {"torch", "tf", "jax", "c"}, sorted(found)
    return found


@pytest.fixture(scope="module")
def env(make_tree) -> dict:
    root = make_tree("--train-patients", "8", "--valid-patients", "2")
    return dict(os.environ, CHEXPERT_ROOT=str(root), TF_CPP_MIN_LOG_LEVEL="2")


@pytest.mark.parametrize("name", ["torch", "tf", "jax"])
def test_python_snippet_runs(name, env, tmp_path):
    language, code = snippets()[name]
    assert language == "python"
    script = tmp_path / f"snippet_{name}.py"
    script.write_text(code)
    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                               timeout=600, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_c_snippet_compiles_and_runs(env, tmp_path):
    language, code = snippets()["c"]
    assert language == "c"
    source = tmp_path / "snippet.c"
    source.write_text(code)
    libdir = REPO / ".build" / "release"
    binary = tmp_path / "snippet"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-I", str(REPO / "include"), str(source),
                    "-L", str(libdir), "-lchexpert", f"-Wl,-rpath,{libdir}", "-o", str(binary)], check=True)
    completed = subprocess.run([str(binary)], capture_output=True, text=True, env=env, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("first batch: 8 images")
