"""The example training scripts run end to end with the real torch and
TensorFlow, on a small generated tree, as subprocesses (as a user runs them)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TORCH_SCRIPT = REPO / "examples" / "torch" / "train.py"
KERAS_SCRIPT = REPO / "examples" / "tf" / "train_keras.py"
COMMON = ("--steps", "3", "--batch-size", "4", "--size", "32")
THROUGHPUT = re.compile(r"^images/s: (\S+) \((\d+) images in (\S+) s\)$")


@pytest.fixture(scope="module")
def example_root(make_tree) -> Path:
    return make_tree("--train-patients", "10", "--valid-patients", "2")


def run(script: Path, root: Path, *extra: str) -> list[str]:
    """Runs `script`; its stdout's non-empty lines (fails with its output if it fails)."""
    env = dict(os.environ)
    env.pop("CHEXPERT_ROOT", None)
    result = subprocess.run([sys.executable, str(script), "--root", str(root), *COMMON, *extra],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"{script.name} exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}")
    return [line for line in result.stdout.splitlines() if line.strip()]


def check_throughput(lines: list[str]) -> None:
    matches = [THROUGHPUT.match(line) for line in lines[-3:]]
    matches = [match for match in matches if match]
    assert len(matches) == 1, "no single 'images/s: ...' line at the end of:\n" + "\n".join(lines)
    rate, images, seconds = matches[0].groups()
    assert float(rate) > 0 and float(seconds) > 0, matches[0].group(0)
    assert int(images) == 3 * 4, matches[0].group(0)   # --steps 3 x --batch-size 4


@pytest.mark.parametrize("workers", ["0", "2"])
def test_torch_example(example_root, workers):
    lines = run(TORCH_SCRIPT, example_root, "--workers", workers)
    check_throughput(lines)
    states = [line for line in lines[-3:] if line.startswith("resume state: ")]
    assert len(states) == 1, "no 'resume state: ...' line at the end of:\n" + "\n".join(lines)
    state = ast.literal_eval(states[0].removeprefix("resume state: "))
    # 3 batches of 4 of the frontal training images (drop_last), whatever the workers.
    import chexpert
    with chexpert.Dataset(example_root, projections="frontal") as dataset:
        per_epoch = len(dataset["train"]) // 4
    epoch, batches = divmod(3, per_epoch)
    assert state == {"seed": 0, "epoch": epoch, "position": 4 * batches}


def test_keras_example(example_root):
    check_throughput(run(KERAS_SCRIPT, example_root))
