"""Targets: training labels under an uncertainty policy, computed by the library.

A :class:`Targets` names observations (label columns, by header name) and what
their uncertain (``-1.0``) and blank cells become; ``chexpert_batch_targets``
turns a batch's CSV cells into a float32 target matrix and a float32 mask
(1 counts, 0 masked). The policies and presets are the library's
(``chexpert.h``: ``chexpert_uncertain``, ``chexpert_blank``,
``chexpert_preset``); this module only names them.
"""

from __future__ import annotations

from ctypes import POINTER, byref, c_float, c_int32, c_int64, c_size_t, c_uint32

import numpy as np

from . import _ffi

__all__ = ["Targets", "UNCERTAIN_POLICIES", "BLANK_POLICIES", "PRESETS"]

#: Policy names -> chexpert_uncertain ("ignore" is U-Ignore, "zeros" U-Zeros, ...).
UNCERTAIN_POLICIES = {
    "ignore": _ffi.CHEXPERT_UNCERTAIN_IGNORE,
    "zeros": _ffi.CHEXPERT_UNCERTAIN_ZEROS,
    "ones": _ffi.CHEXPERT_UNCERTAIN_ONES,
    "multiclass": _ffi.CHEXPERT_UNCERTAIN_MULTICLASS,
    "raw": _ffi.CHEXPERT_UNCERTAIN_RAW,
}
#: Blank-cell rule names -> chexpert_blank.
BLANK_POLICIES = {"negative": _ffi.CHEXPERT_BLANK_NEGATIVE, "ignore": _ffi.CHEXPERT_BLANK_IGNORE}
#: Preset names -> chexpert_preset.
PRESETS = {"paper": _ffi.CHEXPERT_PRESET_PAPER, "libauc": _ffi.CHEXPERT_PRESET_LIBAUC,
           "xrv": _ffi.CHEXPERT_PRESET_XRV}

_UNCERTAIN_NAMES = {value: name for name, value in UNCERTAIN_POLICIES.items()}
_BLANK_NAMES = {value: name for name, value in BLANK_POLICIES.items()}


def _policy(table: dict, kind: str, value, observation: str) -> int:
    if value not in table:
        raise ValueError(f"{kind} policy for {observation!r} must be one of {tuple(table)}, not {value!r}")
    return table[value]


class Targets:
    """Which observations to train on and how their cells become targets.

    Args:
        observations: ``"all"`` (every label column, in header order),
            ``"competition"`` (the 5 competition observations, in the order
            of the library's ``"paper"`` preset), or a sequence of header
            names, in output order.
        uncertain: a policy name of :data:`UNCERTAIN_POLICIES` for all, or a
            dict {observation: name} (observations not in it: ``default``).
        blank: ``"negative"`` or ``"ignore"``, or a dict as for `uncertain`.
        no_finding: torchxrayvision's rule (``No Finding`` positive makes every
            other observation but ``Support Devices`` negative).
        masked_nan: masked targets are NaN instead of 0.

    With ``"multiclass"`` a target is a class index (0 negative, 1 positive,
    2 uncertain) for a 3-way softmax; ``"raw"`` gives TFDS's class ids.
    """

    def __init__(self, observations="all", uncertain="ignore", blank="negative", *,
                 no_finding: bool = False, masked_nan: bool = False, default_uncertain="ignore",
                 default_blank="negative"):
        self._observations = observations
        self._uncertain = uncertain
        self._blank = blank
        self._defaults = (default_uncertain, default_blank)
        self._flags = ((_ffi.CHEXPERT_TARGET_NO_FINDING if no_finding else 0)
                       | (_ffi.CHEXPERT_TARGET_MASKED_NAN if masked_nan else 0))
        self._preset = None

    @classmethod
    def preset(cls, name: str) -> "Targets":
        """The library's preset `name`: ``"paper"``, ``"libauc"`` or ``"xrv"``
        (see ``chexpert_preset`` in chexpert.h for what each one does)."""
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {tuple(PRESETS)}, not {name!r}")
        targets = cls()
        targets._preset = name
        return targets

    def __repr__(self) -> str:
        if self._preset is not None:
            return f"<chexpert.Targets preset={self._preset!r}>"
        return (f"<chexpert.Targets observations={self._observations!r} "
                f"uncertain={self._uncertain!r} blank={self._blank!r} flags={self._flags}>")

    def resolve(self, split) -> "ResolvedTargets":
        """The rules for `split`'s columns (names looked up in its header)."""
        if self._preset is not None:
            return _resolve_preset(split, PRESETS[self._preset])
        label_names = split.label_names
        if isinstance(self._observations, str):
            if self._observations == "all":
                names = label_names
            elif self._observations == "competition":
                names = _resolve_preset(split, PRESETS["paper"]).names
            else:
                raise ValueError(f"observations must be 'all', 'competition' or a list of names, "
                                 f"not {self._observations!r}")
        else:
            names = tuple(self._observations)
        rules = []
        for name in names:
            if name not in label_names:
                raise KeyError(f"observation {name!r} is not a label column of split {split.name!r}; "
                               f"its columns are {label_names}")
            uncertain = (self._uncertain.get(name, self._defaults[0])
                         if isinstance(self._uncertain, dict) else self._uncertain)
            blank = self._blank.get(name, self._defaults[1]) if isinstance(self._blank, dict) else self._blank
            rules.append((label_names.index(name), _policy(UNCERTAIN_POLICIES, "uncertain", uncertain, name),
                          _policy(BLANK_POLICIES, "blank", blank, name)))
        return ResolvedTargets(split, np.array(rules, dtype=np.int32).reshape(-1, 3), self._flags)


def _resolve_preset(split, preset: int) -> "ResolvedTargets":
    handle = split.dataset._checked_handle()
    count, flags = c_size_t(0), c_uint32(0)
    _ffi.fits(_ffi.chexpert_target_preset, handle, split._id, preset, None, 0, byref(count), byref(flags))
    rules = np.empty((count.value, 3), dtype=np.int32)
    _ffi.chexpert_target_preset(handle, split._id, preset, rules.ctypes.data_as(POINTER(c_int32)),
                                rules.size, byref(count), byref(flags))
    return ResolvedTargets(split, rules, flags.value)


class ResolvedTargets:
    """A :class:`Targets` bound to one split: its rule triples and flags."""

    def __init__(self, split, rules: np.ndarray, flags: int):
        self.split = split
        self.rules = np.ascontiguousarray(rules, dtype=np.int32)
        self.flags = int(flags)

    @property
    def names(self) -> tuple:
        """Output column names (header names), in order."""
        label_names = self.split.label_names
        return tuple(label_names[label] for label in self.rules[:, 0])

    @property
    def policies(self) -> tuple:
        """(uncertain, blank) policy names per output column."""
        return tuple((_UNCERTAIN_NAMES[u], _BLANK_NAMES[b]) for _, u, b in self.rules)

    def __len__(self) -> int:
        return self.rules.shape[0]

    def read(self, bases: np.ndarray, targets: np.ndarray | None = None,
             masks: np.ndarray | None = None) -> tuple:
        """(targets, masks), float32 (N, K), of split-wide indices `bases`."""
        bases = np.ascontiguousarray(bases, dtype=np.int64)
        shape = (bases.size, len(self))
        targets = np.empty(shape, dtype=np.float32) if targets is None else targets
        masks = np.empty(shape, dtype=np.float32) if masks is None else masks
        _ffi.chexpert_batch_targets(
            self.split.dataset._checked_handle(), self.split._id,
            bases.ctypes.data_as(POINTER(c_int64)), bases.size,
            self.rules.ctypes.data_as(POINTER(c_int32)), len(self), self.flags,
            targets.ctypes.data_as(POINTER(c_float)), targets.size,
            masks.ctypes.data_as(POINTER(c_float)), masks.size)
        return targets, masks
