"""The PyTorch adapters with the real torch: DataLoader with 0 and 2 workers,
fork and spawn, pin_memory, yields exactly the direct API's examples, in the
library's order; epochs advance by themselves; a saved state resumes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data

import chexpert
import chexpert.torch as ct
from chexpert import Targets

RESIZE = chexpert.Resize((24, 20), dtype="float32", normalize="unit", layout="NCHW")
TARGETS = Targets.preset("paper")


@pytest.fixture(scope="module")
def split(tree_dataset):
    return tree_dataset["train"]


def _direct(split, indices) -> dict:
    """What the direct API gives for `indices`."""
    batch = split.read_batch_resized(indices, RESIZE, num_threads=1)
    batch["target"], batch["mask"] = split.targets(TARGETS, indices)
    return batch


def _check_batch(split, batch: dict) -> None:
    indices = batch["index"].numpy()
    expected = _direct(split, indices)
    assert torch.equal(batch["image"], torch.from_numpy(expected["image"]))
    assert torch.equal(batch["label"], torch.from_numpy(expected["label"]))
    assert torch.equal(batch["image_view"], torch.from_numpy(expected["image_view"]))
    assert torch.equal(batch["target"], torch.from_numpy(expected["target"]))
    assert torch.equal(batch["mask"], torch.from_numpy(expected["mask"]))
    assert list(batch["name"]) == expected["name"]
    assert batch["label"].dtype == torch.int64 and batch["image"].dtype == torch.float32


LOADERS = [(0, None), (2, "fork"), (2, "spawn")]


@pytest.mark.parametrize("workers,context", LOADERS)
def test_map_style_dataset_with_epoch_sampler(split, workers, context):
    dataset = ct.ChexpertDataset(split, RESIZE, TARGETS, num_threads=1)
    sampler = ct.EpochSampler(dataset, shuffle=True, seed=3)
    loader = torch.utils.data.DataLoader(dataset, batch_size=5, sampler=sampler, num_workers=workers,
                                         multiprocessing_context=context, persistent_workers=bool(workers))
    for epoch in (0, 1):
        batches = list(loader)
        order = np.concatenate([b["index"].numpy() for b in batches])
        assert np.array_equal(order, chexpert.shard_indices(len(split), seed=3, epoch=epoch))
        for batch in batches:
            _check_batch(split, batch)
    assert sampler.epoch == 2


def test_getitems_reads_a_batch_in_one_call(split, monkeypatch):
    """One chexpert_batch_resized call (Split._resized_at, behind
    resized_images and read_training_batch) per batch."""
    calls = []
    original = chexpert.Split._resized_at

    def counting(self, bases, *args, **kwargs):
        calls.append(len(bases))
        return original(self, bases, *args, **kwargs)

    monkeypatch.setattr(chexpert.Split, "_resized_at", counting)
    loader = torch.utils.data.DataLoader(ct.ChexpertDataset(split, RESIZE), batch_size=8)
    batches = list(loader)
    assert calls == [len(b["index"]) for b in batches] and calls[0] == 8


def test_tfds_items_collate_with_tfds_keys(split):
    dataset = ct.ChexpertDataset(split)
    item = dataset[3]
    expected = split[3]
    assert set(item) == {"image", "label", "image_view", "name", "index"}
    assert torch.equal(item["image"], torch.from_numpy(expected["image"]))
    assert item["name"] == expected["name"] and item["image_view"].item() == expected["image_view"]
    batch = next(iter(torch.utils.data.DataLoader(torch.utils.data.Subset(dataset, [3]), batch_size=1)))
    assert torch.equal(batch["image"][0], item["image"]) and batch["name"] == [expected["name"]]


def _epochs(split, workers, context, passes=2, **kwargs) -> list:
    batches = ct.ChexpertBatches(split, 6, RESIZE, targets=TARGETS, seed=4, num_threads=1, **kwargs)
    loader = torch.utils.data.DataLoader(batches, batch_size=None, num_workers=workers,
                                         multiprocessing_context=context)
    return [list(loader) for _ in range(passes)]


@pytest.mark.parametrize("workers,context", LOADERS)
def test_batches_are_the_same_for_any_worker_count(split, workers, context):
    epochs = _epochs(split, workers, context)
    for epoch, batches in enumerate(epochs):
        order = np.concatenate([b["index"].numpy() for b in batches])
        assert np.array_equal(order, chexpert.shard_indices(len(split), seed=4, epoch=epoch))
        for batch in batches:
            _check_batch(split, batch)
        assert batches[-1]["state"] == {"seed": 4, "epoch": epoch + 1, "position": 0}
    assert not np.array_equal(epochs[0][0]["index"], epochs[1][0]["index"])


def test_persistent_workers_advance_the_epoch(split):
    batches = ct.ChexpertBatches(split, 6, RESIZE, seed=4, num_threads=1)
    loader = torch.utils.data.DataLoader(batches, batch_size=None, num_workers=2, persistent_workers=True,
                                         multiprocessing_context="fork")
    for epoch in range(3):
        order = np.concatenate([b["index"].numpy() for b in loader])
        assert np.array_equal(order, chexpert.shard_indices(len(split), seed=4, epoch=epoch))
    batches.set_epoch(7)
    order = np.concatenate([b["index"].numpy() for b in loader])
    assert np.array_equal(order, chexpert.shard_indices(len(split), seed=4, epoch=7))


def test_pin_memory(split):
    batches = ct.ChexpertBatches(split, 6, RESIZE, seed=1, num_threads=1)
    with pytest.warns(UserWarning) if not torch.cuda.is_available() else _nothing():
        pinned = list(torch.utils.data.DataLoader(batches, batch_size=None, pin_memory=True, num_workers=2,
                                                  multiprocessing_context="fork"))
    for batch in pinned:
        _check_batch_images(split, batch)
        if torch.cuda.is_available():
            assert batch["image"].is_pinned()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _check_batch_images(split, batch) -> None:
    expected = split.read_batch_resized(batch["index"].numpy(), RESIZE)
    assert torch.equal(batch["image"], torch.from_numpy(expected["image"]))


def test_resume_continues_with_exactly_the_remaining_batches(split):
    whole = _epochs(split, 0, None, passes=2)[1]                      # epoch 1, uninterrupted
    state = whole[2]["state"]
    assert state == {"seed": 4, "epoch": 1, "position": 18}
    for workers, context in ((0, None), (2, "fork")):
        resumed = _epochs(split, workers, context, passes=2, state=state)
        assert [b["name"] for b in resumed[0]] == [b["name"] for b in whole[3:]]
        # The pass after the resumed one is the whole next epoch.
        order = np.concatenate([b["index"].numpy() for b in resumed[1]])
        assert np.array_equal(order, chexpert.shard_indices(len(split), seed=4, epoch=2))


def test_sampler_is_distributed_sampler_compatible(split):
    dataset = ct.ChexpertDataset(split, RESIZE)
    samplers = [ct.EpochSampler(dataset, num_replicas=3, rank=r, seed=8, drop_last=True) for r in range(3)]
    shards = [list(s) for s in samplers]
    assert len({len(s) for s in shards}) == 1 and len(shards[0]) == len(samplers[0]) == len(split) // 3
    assert len(set(sum(shards, []))) == 3 * len(shards[0])
    padded = [ct.EpochSampler(dataset, num_replicas=3, rank=r, seed=8) for r in range(3)]
    assert set(sum((list(s) for s in padded), [])) == set(range(len(split)))
    sampler = ct.EpochSampler(dataset, seed=8)
    first, second = list(sampler), list(sampler)
    assert first != second and sampler.epoch == 2
    sampler.set_epoch(0)
    assert list(sampler) == first
    state = sampler.state_after(batches=2, batch_size=4)
    assert state == {"seed": 8, "epoch": 0, "position": 8}
    resumed = ct.EpochSampler(dataset, seed=0, state=state)
    assert list(resumed) == first[8:]
