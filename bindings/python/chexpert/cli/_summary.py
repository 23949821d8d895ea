"""Numbers `info` prints and `stats` draws, computed once from the binding.

Nothing here decodes an image: labels, views, projections and names come
from the CSVs (one library call each), image sizes from the JPEG headers
(``Split.shape``).
"""

from __future__ import annotations

import collections
import dataclasses
import posixpath

import numpy as np

from .. import LABEL_CLASS_NAMES, PROJECTION_NAMES, ChexpertError
from ._common import CLASS_ORDER

#: Image headers read per split by default (a random sample when the split is larger).
DEFAULT_SIZE_SAMPLE = 2000


def label_counts(split) -> np.ndarray:
    """int64 (labels, 4): examples per observation and class, classes in CLASS_ORDER."""
    labels = split.labels()
    columns = [LABEL_CLASS_NAMES.index(name) for name in CLASS_ORDER]
    counts = np.zeros((split.num_labels, len(columns)), dtype=np.int64)
    for label in range(split.num_labels):
        per_class = np.bincount(labels[:, label], minlength=len(LABEL_CLASS_NAMES))
        counts[label] = per_class[columns]
    return counts


def projection_counts(split) -> dict:
    """The examples kept per projection (PROJECTION_NAMES order)."""
    counts = np.bincount(split.projections(), minlength=len(PROJECTION_NAMES))
    return dict(zip(PROJECTION_NAMES, (int(n) for n in counts)))


@dataclasses.dataclass
class Studies:
    """Patients and studies, from the folder names in each example's Path
    (``.../patient00001/study1/view1_frontal.jpg``)."""
    patients: int
    studies: int
    images: int
    #: images per study, one entry per study
    per_study: np.ndarray
    #: studies per patient, one entry per patient
    per_patient: np.ndarray


def studies(split) -> Studies:
    study_images = collections.Counter()
    for name in split.names():
        folder = posixpath.dirname(name.decode("utf-8", "replace"))   # .../patientN/studyM
        study_images[folder] += 1
    patient_studies = collections.Counter(posixpath.dirname(folder) for folder in study_images)
    return Studies(patients=len(patient_studies), studies=len(study_images), images=len(split),
                   per_study=np.array(list(study_images.values()), dtype=np.int64),
                   per_patient=np.array(list(patient_studies.values()), dtype=np.int64))


@dataclasses.dataclass
class Sizes:
    """Image sizes read from the JPEG headers of `read` of the split's `total` examples."""
    split: str
    heights: np.ndarray
    widths: np.ndarray
    total: int
    #: examples whose header could not be read (missing or damaged file)
    unreadable: int
    #: True when `read` < `total`: a random sample
    sampled: bool
    seed: int

    @property
    def read(self) -> int:
        return int(self.heights.size) + self.unreadable

    def most_common(self, count: int = 5) -> list:
        """[((width, height), images), ...], most common first."""
        pairs = collections.Counter(zip(self.widths.tolist(), self.heights.tolist()))
        return pairs.most_common(count)

    def distinct(self) -> int:
        return len(set(zip(self.widths.tolist(), self.heights.tolist())))

    def describe(self) -> str:
        if self.sampled:
            return (f"{self.read} of the {self.total} {self.split} images, chosen at random "
                    f"(seed {self.seed})")
        return f"all {self.total} {self.split} images"


def image_sizes(split, sample: int = DEFAULT_SIZE_SAMPLE, seed: int = 0) -> Sizes:
    """Sizes of `sample` examples of `split` (all of them when `sample` is 0 or
    the split is not larger), from their JPEG headers."""
    total = len(split)
    if sample and total > sample:
        positions = np.sort(np.random.default_rng(seed).choice(total, size=sample, replace=False))
        sampled = True
    else:
        positions = np.arange(total)
        sampled = False
    heights, widths, unreadable = [], [], 0
    for position in positions.tolist():
        try:
            height, width, _ = split.shape(position)
        except ChexpertError:
            unreadable += 1
            continue
        heights.append(height)
        widths.append(width)
    return Sizes(split.name, np.array(heights, dtype=np.int64), np.array(widths, dtype=np.int64),
                 total, unreadable, sampled, seed)
