"""The tf.data adapters with the real TensorFlow (element_spec and pixels
against the real TFDS are in test_tfds_conformance.py): batches equal the
direct API's, epochs reshuffle on every pass, InputContext shards."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
import tensorflow as tf

import chexpert
import chexpert.tf as ctf
from chexpert import Targets

RESIZE = chexpert.Resize(20, dtype="float32", normalize="imagenet")


@pytest.fixture(scope="module")
def split(tree_dataset):
    return tree_dataset["train"]


def _indices(dataset) -> np.ndarray:
    return np.concatenate([batch["index"] for batch in dataset.as_numpy_iterator()])


def test_batches_equal_the_direct_api(split):
    dataset = ctf.batches(split, 5, RESIZE, targets=Targets.preset("libauc"), seed=2, drop_last=False)
    spec = dataset.element_spec
    assert spec["image"] == tf.TensorSpec((None, 20, 20, 3), tf.float32)
    assert spec["target"] == tf.TensorSpec((None, 5), tf.float32)
    for batch in dataset.as_numpy_iterator():
        expected = split.read_batch_resized(batch["index"], RESIZE)
        assert np.array_equal(batch["image"], expected["image"])
        assert np.array_equal(batch["label"], expected["label"])
        target, mask = split.targets(Targets.preset("libauc"), batch["index"])
        assert np.array_equal(batch["target"], target) and np.array_equal(batch["mask"], mask)


def test_every_pass_is_the_next_epoch(split):
    dataset = ctf.batches(split, 4, RESIZE, seed=9)          # drop_last by default: static shapes
    assert dataset.element_spec["image"].shape[0] == 4
    for epoch in range(3):
        order = chexpert.shard_indices(len(split), seed=9, epoch=epoch)
        assert np.array_equal(_indices(dataset), order[: len(order) // 4 * 4])


def test_input_context_shards(split):
    shards = []
    for pipeline in range(3):
        context = tf.distribute.InputContext(num_input_pipelines=3, input_pipeline_id=pipeline,
                                             num_replicas_in_sync=3)
        dataset = ctf.batches(split, 2, RESIZE, seed=1, drop_last=False, remainder="uneven",
                              input_context=context)
        shards.append(_indices(dataset).tolist())
    assert sorted(sum(shards, [])) == list(range(len(split)))


def test_supervised_pairs_and_resume(split):
    pairs = ctf.batches(split, 3, RESIZE, targets=Targets.preset("paper"), as_supervised=True, seed=5)
    image, target = next(iter(pairs))
    assert image.shape == (3, 20, 20, 3) and target.shape == (3, 5)
    whole = ctf.batches(split, 3, RESIZE, seed=5)
    order = _indices(whole)
    resumed = ctf.batches(split, 3, RESIZE, seed=0, state={"seed": 5, "epoch": 0, "position": 6})
    assert np.array_equal(_indices(resumed), order[6:])
    # The pass after the resumed one is the whole of epoch 1.
    assert np.array_equal(_indices(resumed), _indices(ctf.batches(split, 3, RESIZE, seed=5,
                                                                   state=chexpert.State(5, 1, 0))))


def test_tfds_dataset_shuffles_by_epoch_and_shards(split):
    dataset = ctf.tfds_dataset(split, shuffle=True, seed=3, read_size=4)
    names = split.names()
    for epoch in range(2):
        got = [element["name"] for element in dataset.as_numpy_iterator()]
        assert got == [names[i] for i in chexpert.shard_indices(len(split), seed=3, epoch=epoch)]
    halves = [[e["name"] for e in ctf.tfds_dataset(
        split, input_context=tf.distribute.InputContext(2, p, 2)).as_numpy_iterator()] for p in range(2)]
    assert sorted(halves[0] + halves[1]) == sorted(names)
