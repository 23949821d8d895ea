"""Study-level scores and evaluation against a split's ground truth
(docs/evaluation.md). The library computes everything
(``chexpert_aggregate_scores``, ``chexpert_evaluate``); this module checks
arguments, picks columns and shapes the result.

AUROC equals scikit-learn's ``roc_auc_score`` and AUPRC its
``average_precision_score`` (ties included); intervals are percentile
bootstrap 95% intervals drawn with SplitMix64 from `seed`.
"""

from __future__ import annotations

from ctypes import byref, c_double, c_int32, c_int64

import numpy as np

from . import _buffers, _checks, _ffi
from .metadata import _whole, label_column

__all__ = ["COMPETITION", "METRIC_NAMES", "aggregate", "evaluate", "EvaluationResult"]

#: The five observations of the CheXpert competition (the paper's Table 2).
COMPETITION = ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion")
#: Columns of EvaluationResult.table, in chexpert_metric order.
METRIC_NAMES = ("auroc", "auprc", "auroc_low", "auroc_high", "auprc_low", "auprc_high",
                "samples", "positives")

_AGGREGATE = {"max": _ffi.CHEXPERT_AGGREGATE_MAX, "mean": _ffi.CHEXPERT_AGGREGATE_MEAN}
_LEVEL = {"image": _ffi.CHEXPERT_EVAL_LEVEL_IMAGE, "study": _ffi.CHEXPERT_EVAL_LEVEL_STUDY}
_UNCERTAIN = {"exclude": _ffi.CHEXPERT_EVAL_UNCERTAIN_EXCLUDE,
              "positive": _ffi.CHEXPERT_EVAL_UNCERTAIN_POSITIVE,
              "negative": _ffi.CHEXPERT_EVAL_UNCERTAIN_NEGATIVE}


def _choice(table: dict, value, name: str) -> int:
    if value not in table:
        raise _ffi.binding_error(_ffi.CHEXPERT_E_INVALID_ARGUMENT,
                                 f"{name} = {value!r}; expected one of {', '.join(map(repr, table))}")
    return table[value]


def _scores(scores, split) -> np.ndarray:
    """`scores` as a C-contiguous float64 (rows, columns) array."""
    array = np.asarray(scores)
    if array.dtype.kind not in "fiu" or array.dtype == np.bool_:
        raise TypeError(f"scores must be a numeric array, not dtype {array.dtype}")
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] != split._size or array.shape[1] == 0:
        raise ValueError(f"scores has shape {np.shape(scores)}; split {split.name!r} needs "
                         f"({split._size}, columns) (row i for example i)")
    return np.ascontiguousarray(array, dtype=np.float64)


def aggregate(scores, split, how: str = "max") -> np.ndarray:
    """Study-level scores: float64 (studies, columns), row s combining the
    rows of `scores` (one per example of the whole `split`) of study s
    (``split.studies()[s]``), by ``"max"`` (the competition's rule) or
    ``"mean"``. NaN scores propagate."""
    _whole(split, "aggregate")
    matrix = _scores(scores, split)
    handle = split.dataset.handle()
    count = c_int64()
    _ffi.chexpert_split_study_count(handle, split.id, byref(count))
    out = _buffers.empty((count.value, matrix.shape[1]), np.float64)
    params = _ffi.Params({_ffi.CHEXPERT_KEY_AGGREGATE: _choice(_AGGREGATE, how, "how")})
    try:
        _ffi.chexpert_aggregate_scores(handle, split.id, _buffers.pointer(matrix, c_double),
                                       matrix.shape[0], matrix.shape[1], params,
                                       _buffers.pointer(out, c_double), out.size)
    finally:
        params.close()
    return out if np.ndim(scores) != 1 else out[:, 0]


def _observations(split, observations) -> tuple:
    if isinstance(observations, str):
        if observations == "competition":
            return COMPETITION
        if observations == "all":
            return split.label_names
        return (observations,)
    names = tuple(observations)
    if not names:
        raise ValueError("observations is empty")
    return names


class EvaluationResult:
    """The result of :func:`evaluate`.

    ``table``: float64 (len(observations) + 1, 8), row j for observation j,
    the last row the mean over the observations where each metric is
    defined; columns :data:`METRIC_NAMES` (``auroc``, ``auprc``, their 95%
    bootstrap bounds, ``samples`` and ``positives`` counted). NaN: undefined
    (no positive or no negative sample; bounds without bootstrap).
    ``result["Edema"]`` and ``result["mean"]`` are dicts of one row;
    :meth:`as_dict` gives all of them.
    """

    def __init__(self, observations: tuple, table: np.ndarray, settings: dict):
        self.observations = observations
        self.table = table
        self.settings = settings

    def __getitem__(self, observation: str) -> dict:
        row = len(self.observations) if observation == "mean" else self.observations.index(observation)
        return {name: float(value) for name, value in zip(METRIC_NAMES, self.table[row])}

    @property
    def auroc(self) -> dict:
        return {name: float(self.table[j, 0]) for j, name in enumerate(self.observations)}

    @property
    def auprc(self) -> dict:
        return {name: float(self.table[j, 1]) for j, name in enumerate(self.observations)}

    @property
    def mean_auroc(self) -> float:
        return float(self.table[-1, 0])

    @property
    def mean_auprc(self) -> float:
        return float(self.table[-1, 1])

    def as_dict(self) -> dict:
        return {name: self[name] for name in self.observations + ("mean",)}

    def __repr__(self) -> str:
        lines = [f"<chexpert.EvaluationResult {self.settings}>",
                 f"{'':<28}{'AUROC':>8} {'95% CI':>17} {'AUPRC':>8} {'95% CI':>17} {'n':>8} {'pos':>7}"]
        for name in self.observations + ("mean",):
            r = self[name]
            lines.append(f"{name:<28}{r['auroc']:8.4f} [{r['auroc_low']:7.4f}, {r['auroc_high']:7.4f}]"
                         f"{r['auprc']:8.4f} [{r['auprc_low']:7.4f}, {r['auprc_high']:7.4f}]"
                         f"{r['samples']:8.0f} {r['positives']:7.0f}")
        return "\n".join(lines)


def evaluate(scores, split, observations="competition", level: str = "image", bootstrap: int = 1000,
             seed: int = 0, uncertain: str = "exclude", aggregate: str = "max") -> EvaluationResult:
    """AUROC and AUPRC of `scores` against the ground truth of the whole
    `split`, per observation and their mean, with percentile bootstrap 95%
    intervals (docs/evaluation.md).

    `scores`: (examples, columns), row i for example i, finite; columns are
    either one per observation (in order) or one per label column of the
    split (the observations' columns are picked by name). `observations`:
    ``"competition"`` (:data:`COMPETITION`), ``"all"`` (every label column)
    or label names. `level`: ``"image"`` or ``"study"`` (scores combined by
    `aggregate`, ``"max"`` or ``"mean"``; a study is positive if any image
    is; the bootstrap resamples studies). `bootstrap`: resamples, 0 ...
    CHEXPERT_MAX_BOOTSTRAP (0: no intervals). `uncertain`: what an uncertain
    cell counts as: ``"exclude"`` (left out), ``"positive"`` or
    ``"negative"``; a blank cell counts as negative.
    """
    _whole(split, "evaluate")
    # Integers and choices first: refused before any C call.
    values = {
        _ffi.CHEXPERT_KEY_EVAL_LEVEL: _choice(_LEVEL, level, "level"),
        _ffi.CHEXPERT_KEY_AGGREGATE: _choice(_AGGREGATE, aggregate, "aggregate"),
        _ffi.CHEXPERT_KEY_BOOTSTRAP: _checks.integer(bootstrap, "bootstrap", 0, _ffi.CHEXPERT_MAX_BOOTSTRAP),
        _ffi.CHEXPERT_KEY_SEED: _checks.as_int64_bits(_checks.seed(seed)),
        _ffi.CHEXPERT_KEY_EVAL_UNCERTAIN: _choice(_UNCERTAIN, uncertain, "uncertain"),
    }
    names = _observations(split, observations)
    columns = [label_column(split, name, "observations") for name in names]
    matrix = _scores(scores, split)
    if matrix.shape[1] == len(names):
        pass
    elif matrix.shape[1] == split.num_labels:
        matrix = np.ascontiguousarray(matrix[:, columns])
    else:
        raise ValueError(f"scores has {matrix.shape[1]} columns; expected {len(names)} (one per observation) "
                         f"or {split.num_labels} (one per label column of split {split.name!r})")
    settings = {"level": level, "aggregate": aggregate, "bootstrap": bootstrap, "seed": seed,
                "uncertain": uncertain}
    params = _ffi.Params(values)
    label_columns = np.asarray(columns, dtype=np.int32)
    out = _buffers.empty((len(names) + 1, _ffi.CHEXPERT_NUM_METRICS), np.float64)
    try:
        _ffi.chexpert_evaluate(split.dataset.handle(), split.id, _buffers.pointer(matrix, c_double),
                               matrix.shape[0], matrix.shape[1], _buffers.pointer(label_columns, c_int32),
                               params, _buffers.pointer(out, c_double), out.size)
    finally:
        params.close()
    return EvaluationResult(names, out, settings)
