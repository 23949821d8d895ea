"""chexpert: read CheXpert-v1.0-small with the semantics of TFDS ``chexpert`` 3.1.0.

A ctypes binding of libchexpert (``include/chexpert.h``, ABI version 2);
numpy is its only dependency::

    import chexpert
    with chexpert.Dataset("/data/manual") as ds:
        train = ds["train"]
        example = train[0]          # image uint8 (H, W, 3), label int64 (14,), ...
        batch = train.read_batch(range(64), num_threads=8)
        # Training input: decoded and resized in native threads, prefetched.
        resize = chexpert.Resize(224, dtype="float32", normalize="imagenet", layout="NCHW")
        for batch in chexpert.Loader(train, 64, resize, shuffle=True):
            ...                     # batch["image"]: float32 (64, 3, 224, 224)

Modules: :mod:`~chexpert.dataset` (Dataset), :mod:`~chexpert.split` (Split),
:mod:`~chexpert.training` (the training batch dict), :mod:`~chexpert.loader`,
:mod:`~chexpert.resize`, :mod:`~chexpert.targets`, :mod:`~chexpert.order`,
:mod:`~chexpert.verify`, :mod:`~chexpert.errors`, :mod:`~chexpert.vocabulary`;
adapters :mod:`chexpert.torch` and :mod:`chexpert.tf` (imported on demand).
"""

from . import _ffi
from ._version import package_version as _package_version
from .dataset import Dataset
from .errors import (
    ChexpertArgumentError, ChexpertBufferTooSmallError, ChexpertClosedError, ChexpertCSVError,
    ChexpertError, ChexpertImageError, ChexpertIndexError, ChexpertInternalError, ChexpertIOError,
    ChexpertLimitError, ChexpertMemoryError, ChexpertNotFoundError, ChexpertNullPointerError,
    ChexpertOverflowError, ChexpertStaleCacheError)
from .loader import Loader
from .evaluation import COMPETITION, EvaluationResult, aggregate, evaluate
from .metadata import SEX_NAMES, patient_split
from .order import Sharding, State, shard_indices, shard_size
from .resize import Resize
from .augment import Augment
from .split import Split
from .targets import Targets
from .training import read_training_batch
from .verify import VerifyFailure, VerifyReport
from .vocabulary import LABEL_CLASS_NAMES, PROJECTION_NAMES, SPLIT_NAMES, VIEW_NAMES

#: Path of the loaded libchexpert.so.
library_path: str = _ffi.LIBRARY_PATH
#: chexpert_version_string() of the loaded library.
library_version: str = _ffi.chexpert_version_string().decode("ascii")
#: The package's version: its installed metadata (built from include/chexpert.h's
#: CHEXPERT_VERSION_STRING), else the header of the checkout it runs from.
__version__: str = _package_version()

__all__ = [
    "ChexpertError", "ChexpertArgumentError", "ChexpertOverflowError", "ChexpertNullPointerError",
    "ChexpertIndexError",
    "ChexpertBufferTooSmallError", "ChexpertClosedError", "ChexpertNotFoundError",
    "ChexpertIOError", "ChexpertCSVError", "ChexpertImageError", "ChexpertLimitError",
    "ChexpertMemoryError", "ChexpertInternalError", "ChexpertStaleCacheError",
    "Dataset", "Split", "Resize", "Augment", "Loader", "Targets", "Sharding", "State",
    "shard_indices", "shard_size", "read_training_batch", "VerifyReport", "VerifyFailure",
    "SPLIT_NAMES", "LABEL_CLASS_NAMES", "VIEW_NAMES", "PROJECTION_NAMES",
    "aggregate", "evaluate", "patient_split", "EvaluationResult", "COMPETITION", "SEX_NAMES",
    "library_path", "library_version", "__version__",
]
