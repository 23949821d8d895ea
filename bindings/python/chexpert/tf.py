"""tf.data adapters.

- :func:`tfds_dataset`: the examples of a split with exactly TFDS
  ``chexpert``'s ``element_spec`` (``image`` uint8 (None, None, 3), ``label``
  int64 (None,) — TFDS 4.9.9 declares no length — holding 14 values,
  ``image_view`` int64, ``name`` string), or ``(image, label)``
  with ``as_supervised``. Examples are read a batch at a time (one library
  call, native decode threads) and split inside the TF graph: one Python
  round trip per `read_size` examples, none per example.
- :func:`batches`: fixed-size training batches (one library call each),
  optionally ``(image, target)`` pairs for ``model.fit``.

Both advance the epoch (the shuffle order, a function of (seed, epoch)) on
every pass over the dataset, and shard by a ``tf.distribute.InputContext``
(use them inside ``strategy.distribute_datasets_from_function``).
"""

from __future__ import annotations

import itertools

import numpy as np
import tensorflow as tf

from . import _checks
from .order import Sharding, State, batch_size_of, epoch_batches
from .resize import Resize
from .split import Split
from .targets import Targets
from .training import read_training_batch

__all__ = ["tfds_dataset", "batches"]


def _check(split, state):
    if not isinstance(split, Split):
        raise TypeError(f"split must be a chexpert.Split, not {type(split).__name__}")
    return state if state is None or isinstance(state, State) else State.from_dict(state)


class _Epochs:
    """Numbers the passes over a dataset: the first is the resumed epoch
    (from its position), the next ones count up from it."""

    def __init__(self, seed: int, state):
        self.seed = seed if state is None else state.seed
        first = 0 if state is None else state.epoch
        self.start = (first, 0 if state is None else state.position)
        self.counter = itertools.count(first)

    def next(self) -> tuple:
        epoch = next(self.counter) % 2**64       # uint64, as the library's epochs
        return epoch, (self.start[1] if epoch == self.start[0] else 0)


def tfds_dataset(split, *, as_supervised: bool = False, shuffle: bool = False, seed: int = 0,
                 read_size: int = 32, num_threads: int = 0, input_context=None,
                 remainder: str = "uneven", state=None) -> tf.data.Dataset:
    """The examples of `split` as TFDS ``chexpert`` gives them (CSV order
    unless `shuffle`). `remainder` defaults to ``"uneven"``: with an
    `input_context`, every example is read exactly once per pass."""
    state = _check(split, state)
    read_size = batch_size_of(read_size, "read_size")
    num_threads = _checks.thread_count(num_threads)
    sharding = Sharding.from_input_context(input_context, remainder)
    epochs = _Epochs(_checks.seed(seed), state)

    def generate():
        epoch, start = epochs.next()
        for positions, _ in epoch_batches(len(split), read_size, seed=epochs.seed, epoch=epoch,
                                          shuffle=shuffle, start=start, sharding=sharding):
            batch = split.read_batch(positions, num_threads=num_threads)
            images = batch["image"]
            if isinstance(images, np.ndarray):       # one shape: no per-image work
                shapes = np.tile(np.array(images.shape[1:3], dtype=np.int64), (len(images), 1))
                pixels = images.reshape(-1)
            else:
                shapes = np.array([image.shape[:2] for image in images], dtype=np.int64)
                pixels = np.concatenate([image.reshape(-1) for image in images])
            yield {"pixels": pixels, "shape": shapes, "label": batch["label"],
                   "image_view": batch["image_view"], "name": np.array(batch["name"], dtype=object)}

    signature = {
        "pixels": tf.TensorSpec((None,), tf.uint8),
        "shape": tf.TensorSpec((None, 2), tf.int64),
        # (None, None): TFDS's label spec is (None,), a Sequence of unknown length.
        "label": tf.TensorSpec((None, None), tf.int64),
        "image_view": tf.TensorSpec((None,), tf.int64),
        "name": tf.TensorSpec((None,), tf.string),
    }

    def examples(batch):
        sizes = batch["shape"][:, 0] * batch["shape"][:, 1] * 3
        images = tf.RaggedTensor.from_row_lengths(batch["pixels"], sizes)
        return tf.data.Dataset.from_tensor_slices(
            {"image": images, "shape": batch["shape"], "label": batch["label"],
             "image_view": batch["image_view"], "name": batch["name"]})

    def example(element):
        image = tf.reshape(element["image"], tf.concat([element["shape"], [3]], axis=0))
        image = tf.ensure_shape(image, (None, None, 3))
        if as_supervised:
            return image, element["label"]
        return {"image": image, "label": element["label"], "image_view": element["image_view"],
                "name": element["name"]}

    return (tf.data.Dataset.from_generator(generate, output_signature=signature)
            .flat_map(examples)
            .map(example, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True))


def batches(split, batch_size: int, resize, *, targets=None, as_supervised: bool = False,
            shuffle: bool = True, seed: int = 0, drop_last: bool = True, input_context=None,
            remainder: str = "pad", state=None, num_threads: int = 0,
            prefetch: int = 2, on_error=None) -> tf.data.Dataset:
    """Training batches: ``{"image", "label", "image_view", "index"}`` (+
    ``target``, ``mask`` with `targets`), or ``(image, target)`` (``(image,
    label)`` without targets) with `as_supervised`. With `input_context`,
    `batch_size` is per replica (``context.get_per_replica_batch_size``).
    ``on_error="substitute"`` writes unreadable examples as zero images and
    adds a ``substituted`` bool mask; ``None`` takes the Dataset's policy."""
    state = _check(split, state)
    if not isinstance(resize, Resize):
        raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")
    if targets is not None and not isinstance(targets, Targets):
        raise TypeError(f"targets must be a chexpert.Targets, not {type(targets).__name__}")
    batch_size = batch_size_of(batch_size)
    num_threads = _checks.thread_count(num_threads)
    prefetch = _checks.integer(prefetch, "prefetch", -1, _checks.MAX_PREFETCH,
                               what=f"-1 (tf.data.AUTOTUNE) ... {_checks.MAX_PREFETCH}")
    epochs = _Epochs(_checks.seed(seed), state)
    sharding = Sharding.from_input_context(input_context, remainder)
    resolved = None if targets is None else targets.resolve(split)

    def generate():
        epoch, start = epochs.next()
        for positions, _ in epoch_batches(len(split), batch_size, seed=epochs.seed, epoch=epoch,
                                          shuffle=shuffle, start=start, sharding=sharding,
                                          drop_last=drop_last):
            yield read_training_batch(split, positions, resize, targets=resolved,
                                      num_threads=num_threads, on_error=on_error, epoch=epoch)

    count = batch_size if drop_last else None
    signature = {
        "image": tf.TensorSpec((count,) + resize.shape(1)[1:],
                               tf.uint8 if resize.dtype == np.uint8 else tf.float32),
        "label": tf.TensorSpec((count, split.num_labels), tf.int64),
        "image_view": tf.TensorSpec((count,), tf.int64),
        "index": tf.TensorSpec((count,), tf.int64),
    }
    if on_error == "substitute":
        signature["substituted"] = tf.TensorSpec((count,), tf.bool)
    if resolved is not None:
        signature["target"] = tf.TensorSpec((count, len(resolved)), tf.float32)
        signature["mask"] = tf.TensorSpec((count, len(resolved)), tf.float32)
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    if as_supervised:
        key = "label" if resolved is None else "target"
        dataset = dataset.map(lambda batch: (batch["image"], batch[key]))
    return dataset.prefetch(prefetch)
