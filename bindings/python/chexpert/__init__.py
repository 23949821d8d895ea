"""chexpert: read CheXpert-v1.0-small with the semantics of TFDS ``chexpert`` 3.1.0.

A ctypes binding of libchexpert (``include/chexpert.h``); numpy is its only
dependency::

    import chexpert
    with chexpert.Dataset("/data/manual") as ds:
        train = ds["train"]
        example = train[0]          # image uint8 (H, W, 3), label int64 (14,), ...
        batch = train.read_batch(range(64), num_threads=8)
        # Training input: decoded and resized in native threads, prefetched.
        resize = chexpert.Resize(224, dtype="float32", normalize="imagenet", layout="NCHW")
        for batch in chexpert.Loader(train, 64, resize, shuffle=True):
            ...                     # batch["image"]: float32 (64, 3, 224, 224)
"""

from . import _ffi
from .dataset import LABEL_CLASS_NAMES, SPLIT_NAMES, VIEW_NAMES, Dataset, Split
from .errors import ChexpertClosedError, ChexpertError, ChexpertIndexError
from .loader import Loader
from .order import Sharding, State, shard_indices, shard_size
from .resize import Resize
from .targets import Targets

__version__ = "0.2.0"

#: Path of the loaded libchexpert.so.
library_path: str = _ffi.LIBRARY_PATH
#: chexpert_version_string() of the loaded library.
library_version: str = _ffi.chexpert_version_string().decode("ascii")

__all__ = [
    "ChexpertError", "ChexpertIndexError", "ChexpertClosedError", "Dataset", "Split",
    "Resize", "Loader", "Targets", "Sharding", "State", "shard_indices", "shard_size",
    "SPLIT_NAMES", "LABEL_CLASS_NAMES", "VIEW_NAMES",
    "library_path", "library_version", "__version__",
]
