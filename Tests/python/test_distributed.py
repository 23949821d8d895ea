"""A real 2-process torch.distributed run (gloo, loopback, torchrun): the
shards of every epoch are disjoint (but for DistributedSampler's padding),
complete and of equal length on both ranks, and epochs reshuffle."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("ddp_worker.py")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def result(make_tree, tmp_path_factory) -> dict:
    # 37 train images: odd, so the remainder rules matter with 2 ranks.
    root = make_tree("--train-patients", "15", "--valid-patients", "2", "--seed", "11")
    out = tmp_path_factory.mktemp("ddp") / "result.json"
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
               "--master-addr", "127.0.0.1", "--master-port", str(_free_port()),
               str(WORKER), str(root), str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(out.read_text())


def test_two_ranks_ran(result):
    assert result["world"] == 2
    assert result["count"] % 2 == 1, "the tree should have an odd number of examples"


@pytest.mark.parametrize("run", ["batches-pad", "sampler-pad"])
def test_padded_shards_are_complete_equal_and_disjoint_but_for_the_pad(result, run):
    count = result["count"]
    for epoch in range(2):
        shards = [result["runs"][run][rank][epoch] for rank in range(2)]
        assert len(shards[0]) == len(shards[1]) == (count + 1) // 2
        union = shards[0] + shards[1]
        assert set(union) == set(range(count))                # every example
        assert len(union) - len(set(union)) == 1               # one repeat: the padding


def test_dropped_shards_are_disjoint_and_equal(result):
    count = result["count"]
    for epoch in range(2):
        shards = [result["runs"]["batches-drop"][rank][epoch] for rank in range(2)]
        assert len(shards[0]) == len(shards[1]) == count // 2
        assert not set(shards[0]) & set(shards[1])
        assert len(set(shards[0] + shards[1])) == count - 1


def test_epochs_reshuffle_without_set_epoch(result):
    for run in result["runs"].values():
        assert run[0][0] != run[0][1]
