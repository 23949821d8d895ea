"""Imports torchvision next to the CPU torch of the test venv.

PyPI's torchvision wheel is built against the CUDA torch; with the CPU torch
its compiled ops do not load and its import fails on the missing
`torchvision::nms` schema. Declaring the two schemas its import registers
fake kernels for is enough for the pure-torch code used here (the functional
transforms; requirements-adapters.txt). Used by test_augment.py and
bench/augment.py.
"""

from __future__ import annotations

import sys

import torch

_shim = None


def import_torchvision():
    """torchvision, importing it (once) with the shim if it needs one."""
    global _shim
    try:
        import torchvision
    except RuntimeError:
        _shim = torch.library.Library("torchvision", "DEF")
        _shim.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _shim.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
        import torchvision
    return torchvision
