"""Per-example metadata, studies and patient splits (docs/evaluation.md).

Every value comes from the library (``chexpert_batch_metadata``,
``chexpert_patient_split``); this module only shapes the arrays.

``split.metadata()`` gives int64 arrays: ``patient``, ``study``,
``view_number`` (-1, :data:`ID_MISSING`, when the Path does not give it),
``sex`` (an index into :data:`SEX_NAMES`: female, male, unknown, blank),
``age`` (years; -1, :data:`AGE_MISSING`, when blank), ``projection``
(:data:`~chexpert.PROJECTION_NAMES`), ``image_view`` (0 frontal, 1 lateral)
and ``study_index`` (the study's ordinal in the split, by first appearance).
``split.to_pandas()`` gives readable columns (categoricals, nullable integers).
"""

from __future__ import annotations

from ctypes import c_double, c_int32, c_int64

import numpy as np

from . import _buffers, _checks, _ffi
from .vocabulary import LABEL_CLASS_NAMES, PROJECTION_NAMES, VIEW_NAMES

__all__ = ["SEX_NAMES", "FIELD_NAMES", "ID_MISSING", "AGE_MISSING", "metadata", "to_pandas",
           "studies", "patient_split"]

#: chexpert_sex_name() of 0 ..< CHEXPERT_NUM_SEXES: "female", "male", "unknown", "blank".
SEX_NAMES = tuple(_ffi.chexpert_sex_name(i).decode("ascii") for i in range(_ffi.CHEXPERT_NUM_SEXES))
#: chexpert_field_name() of 0 ..< CHEXPERT_NUM_FIELDS: the keys of ``metadata()``.
FIELD_NAMES = tuple(_ffi.chexpert_field_name(i).decode("ascii") for i in range(_ffi.CHEXPERT_NUM_FIELDS))
#: A patient, study or view number that the Path does not give.
ID_MISSING = _ffi.CHEXPERT_ID_MISSING
#: The age of a blank ``Age`` cell (or a CSV without the column).
AGE_MISSING = _ffi.CHEXPERT_AGE_MISSING


def _field(split, bases: np.ndarray, field: int) -> np.ndarray:
    out = _buffers.empty((bases.size,), np.int64)
    _ffi.chexpert_batch_metadata(split.dataset.handle(), split.id, _buffers.pointer(bases, c_int64),
                                 bases.size, field, _buffers.pointer(out, c_int64), out.size)
    return out


def _metadata_at(split, bases: np.ndarray) -> dict:
    return {name: _field(split, bases, field) for field, name in enumerate(FIELD_NAMES)}


def metadata(split, indices=None) -> dict:
    """{field name: int64 array} for `indices` of `split` (default: all of
    the split or view), one C call per field, in FIELD_NAMES order."""
    return _metadata_at(split, split._all_or(indices))


def to_pandas(split, indices=None):
    """A pandas DataFrame of `indices` of `split` (default: all), indexed by
    the split-wide example index: ``name`` (str), ``patient``, ``study``,
    ``view_number`` and ``age`` as nullable ``Int64`` (missing: ``<NA>``),
    ``sex`` as a categorical of "female", "male", "unknown" (blank:
    missing), ``projection`` and ``image_view`` as categoricals of their
    names, ``study_index`` int64, then one categorical column per label
    (TFDS's class names: uncertain, positive, negative, unmentioned).
    ImportError when pandas is not installed (it is optional)."""
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError(
            "chexpert: Split.to_pandas() needs pandas, an optional dependency "
            "(pip install pandas); Split.metadata() gives the same data as numpy arrays") from error
    bases = split._all_or(indices)
    fields = _metadata_at(split, bases)
    columns = {"name": [name.decode("utf-8", "replace") for name in split._names_at(bases)]}
    for key in ("patient", "study", "view_number"):
        columns[key] = pd.arrays.IntegerArray(fields[key], fields[key] == ID_MISSING)
    sex = fields["sex"]
    columns["sex"] = pd.Categorical.from_codes(np.where(sex == _ffi.CHEXPERT_SEX_BLANK, -1, sex),
                                               categories=list(SEX_NAMES[:_ffi.CHEXPERT_SEX_BLANK]))
    columns["age"] = pd.arrays.IntegerArray(fields["age"], fields["age"] == AGE_MISSING)
    columns["projection"] = pd.Categorical.from_codes(fields["projection"], categories=list(PROJECTION_NAMES))
    columns["image_view"] = pd.Categorical.from_codes(fields["image_view"], categories=list(VIEW_NAMES))
    columns["study_index"] = fields["study_index"]
    labels = split._labels_at(bases)
    for column, label in enumerate(split.label_names):
        columns[label] = pd.Categorical.from_codes(labels[:, column], categories=list(LABEL_CLASS_NAMES))
    return pd.DataFrame(columns, index=pd.Index(bases, name="index"))


def studies(split) -> list:
    """The examples of `split` (or of a view) grouped by study: a list of
    int64 arrays of split-wide indices, one per study in order of
    ``study_index`` (first appearance in the CSV), each in CSV order."""
    bases = split._all_or(None)
    ordinal = _field(split, bases, _ffi.CHEXPERT_FIELD_STUDY_INDEX)
    order = np.argsort(ordinal, kind="stable")
    starts = np.flatnonzero(np.diff(ordinal[order])) + 1
    groups = np.split(bases[order], starts) if bases.size else []
    return [np.sort(group) for group in groups]


def _whole(split, what: str):
    if len(split) != split._size or split.indices.step != 1:
        raise ValueError(f"{what} works on a whole split (row i = example i), not on a view: "
                         f"use dataset[{split.name!r}]")


def patient_split(split, fractions=(0.9, 0.1), seed=0, stratify=None) -> tuple:
    """Deterministic parts of a whole split with no patient in two parts: a
    tuple of int64 index arrays (split-wide, CSV order), one per fraction.

    Patients are shuffled with SplitMix64(`seed`) and dealt so that each
    part's share of examples approaches its fraction (docs/evaluation.md);
    `stratify` (a label name or column) deals the patients with a positive
    in that column separately from the others."""
    _whole(split, "patient_split")
    settings = {_ffi.CHEXPERT_KEY_SEED: _checks.as_int64_bits(_checks.seed(seed))}
    if stratify is not None and not isinstance(stratify, str):
        _checks.integer(stratify, "stratify", ctype=_checks.INT32)
    values = np.asarray(fractions, dtype=np.float64).ravel()
    if not 1 <= values.size <= _ffi.CHEXPERT_MAX_PARTS:
        raise _ffi.binding_error(_ffi.CHEXPERT_E_INVALID_ARGUMENT,
                                 f"fractions has {values.size} values; expected 1 ... {_ffi.CHEXPERT_MAX_PARTS}")
    values = np.ascontiguousarray(values)
    if stratify is not None:
        settings[_ffi.CHEXPERT_KEY_STRATIFY] = label_column(split, stratify, "stratify")
    params = _ffi.Params(settings)
    try:
        parts = _buffers.empty((split._size,), np.int32)
        _ffi.chexpert_patient_split(split.dataset.handle(), split.id, _buffers.pointer(values, c_double),
                                    values.size, params, _buffers.pointer(parts, c_int32), parts.size)
    finally:
        params.close()
    return tuple(np.flatnonzero(parts == k).astype(np.int64) for k in range(values.size))


def label_column(split, label, name: str) -> int:
    """A label column of `split` given by header name or index (checked)."""
    if isinstance(label, str):
        try:
            return split.label_names.index(label)
        except ValueError:
            raise _ffi.binding_error(
                _ffi.CHEXPERT_E_NOT_FOUND,
                f"{name}: {label!r} is not a label column of split {split.name!r} "
                f"({', '.join(split.label_names)})") from None
    column = _checks.integer(label, name, ctype=_checks.INT32)
    if not 0 <= column < split.num_labels:
        raise _ffi.binding_error(_ffi.CHEXPERT_E_OUT_OF_RANGE,
                                 f"{name} = {column} is out of range; split {split.name!r} has labels "
                                 f"0 ... {split.num_labels - 1}")
    return column
