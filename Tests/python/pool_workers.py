"""Functions run in worker processes (importable by name under 'spawn')."""

from __future__ import annotations

import hashlib
import os


def digest(example: dict) -> tuple:
    """A picklable summary of an example."""
    return (example["name"], hashlib.sha256(example["image"].tobytes()).hexdigest(),
            example["image"].shape, example["label"].tolist(), int(example["image_view"]))


def read_examples(dataset, split: str, indices) -> tuple:
    """(pid, digests) of examples read in this process from a pickled Dataset."""
    sp = dataset[split]
    return os.getpid(), [digest(sp[i]) for i in indices]


def read_batch_digest(dataset, split: str, indices) -> tuple:
    batch = dataset[split].read_batch(indices, num_threads=2)
    images = batch["image"]
    return os.getpid(), [hashlib.sha256(image.tobytes()).hexdigest() for image in images]
