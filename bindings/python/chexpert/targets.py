"""Targets: training labels under an uncertainty policy, computed by the library.

A :class:`Targets` names observations (label columns, by header name) and what
their uncertain (``-1.0``) and blank cells become; ``chexpert_batch_targets``
turns a batch's CSV cells into a float32 target matrix and a float32 mask
(1 counts, 0 masked). The policies and presets are the library's
(``chexpert.h``: ``chexpert_uncertain``, ``chexpert_blank``,
``chexpert_preset``); this module only names them. A :class:`Targets` bound
to a split (:meth:`Targets.resolve`) holds the ``chexpert_params`` (preset or
rules, and flags) every batch reuses.
"""

from __future__ import annotations

from ctypes import byref, c_float, c_int32, c_int64, c_size_t, c_uint32

import numpy as np

from . import _buffers, _checks, _ffi

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
        self._no_finding, self._masked_nan = bool(no_finding), bool(masked_nan)
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
        if not rules:
            raise ValueError("targets selects no observation")
        flat = [value for rule in rules for value in rule]
        params = _ffi.Params({_ffi.CHEXPERT_KEY_TARGET_NO_FINDING: int(self._no_finding),
                              _ffi.CHEXPERT_KEY_TARGET_MASKED_NAN: int(self._masked_nan)},
                             rules=flat)
        return _resolve(split, params)


def _resolve_preset(split, preset: int) -> "ResolvedTargets":
    return _resolve(split, _ffi.Params({_ffi.CHEXPERT_KEY_TARGET_PRESET: preset}))


def _resolve(split, params) -> "ResolvedTargets":
    """The rules and flags `params` give for `split` (chexpert_target_rules)."""
    handle = split.dataset.handle()
    count, flags = c_size_t(0), c_uint32(0)
    _ffi.chexpert_target_rules(handle, split.id, params, None, 0, byref(count), byref(flags))
    rules = _buffers.empty((count.value, 3), np.int32)
    _ffi.chexpert_target_rules(handle, split.id, params, _buffers.pointer(rules, c_int32),
                               rules.size, byref(count), byref(flags))
    return ResolvedTargets(split, rules, flags.value, params)


class ResolvedTargets:
    """A :class:`Targets` bound to one split: its rule triples and flags."""

    def __init__(self, split, rules: np.ndarray, flags: int, params):
        self.split = split
        self.rules = np.ascontiguousarray(rules, dtype=np.int32)
        self.flags = int(flags)
        self.params = params        # the chexpert_params every read passes

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

    def read(self, bases: np.ndarray, out=None) -> tuple:
        """(targets, masks), float32 (N, K), of checked split-wide indices
        `bases` (:meth:`chexpert.Split.base_indices`); into `out`, a
        (targets, masks) pair of arrays, if given."""
        # Checked (chexpert._checks): a cast would wrap 2**64 + 5 to 5 and
        # truncate 1.7 to 1. Split-wide indices: no negative ones.
        bases = _checks.positions(bases, self.split._size, name="bases", negative=False,
                                  where=f"split {self.split.name!r}")
        shape = (bases.size, len(self))
        if out is None:
            targets, masks = _buffers.empty(shape, np.float32), _buffers.empty(shape, np.float32)
        else:
            targets = _buffers.checked_out(out[0], shape, np.float32, name="target out")
            masks = _buffers.checked_out(out[1], shape, np.float32, name="mask out")
        _ffi.chexpert_batch_targets(
            self.split.dataset.handle(), self.split.id,
            _buffers.pointer(bases, c_int64), bases.size, self.params,
            _buffers.pointer(targets, c_float), _buffers.pointer(masks, c_float), targets.size)
        return targets, masks
