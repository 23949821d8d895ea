"""chexpert.evaluate against scikit-learn (roc_auc_score,
average_precision_score) to 1e-12, ties included, and the bootstrap against
an independent re-implementation of the rules of docs/evaluation.md."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import chexpert
from conftest import read_csv, write_csv

TOL = 1e-12
TFDS = {"-1.0": "u", "1.0": 1, "0.0": 0, "": 0}     # blank counts negative


def _truth(root, split, uncertain):
    """{label name: per-row 1 / 0 / None (left out)} from the CSV text."""
    header, rows = read_csv(root, split)
    mapped = {"exclude": None, "positive": 1, "negative": 0}[uncertain]
    return {name: [mapped if TFDS[row[j]] == "u" else TFDS[row[j]] for row in rows]
            for j, name in enumerate(header) if j >= 5}


def _study_keys(root, split):
    _, rows = read_csv(root, split)
    return [re.search(r"patient(\d+)/study(\d+)/", row[0]).groups() for row in rows]


def _sk(y, s):
    y, s = np.asarray(y), np.asarray(s)
    if y.size == 0 or y.min() == y.max():
        return np.nan, np.nan
    return roc_auc_score(y, s), average_precision_score(y, s)


def _reference(scores, truth, names, keys=None, how="max"):
    """Point estimates per observation: image level, or study level with
    scores combined by `how` and a study positive if any image is."""
    out = []
    for j, name in enumerate(names):
        y, s = truth[name], scores[:, j]
        if keys is not None:
            groups = {}
            for i, key in enumerate(keys):
                groups.setdefault(key, []).append(i)
            ys, ss = [], []
            for rows in groups.values():
                cells = [y[i] for i in rows if y[i] is not None]
                if not cells:
                    continue
                ys.append(max(cells))
                ss.append(getattr(np, how)(s[rows]))
            out.append(_sk(ys, ss) + (len(ys), sum(ys)))
        else:
            keep = [i for i in range(len(y)) if y[i] is not None]
            yy = [y[i] for i in keep]
            out.append(_sk(yy, s[keep]) + (len(yy), sum(yy)))
    return np.array(out, dtype=float)


def _check(result, reference):
    k = len(reference)
    np.testing.assert_allclose(result.table[:k, [0, 1, 6, 7]], reference, rtol=0, atol=TOL)
    for metric in (0, 1):
        column = reference[:, metric]
        want = np.nanmean(column) if (~np.isnan(column)).any() else np.nan
        np.testing.assert_allclose(result.table[k, metric], want, rtol=0, atol=TOL)


@pytest.fixture(scope="module")
def eval_tree(make_tree):
    return make_tree("--train-patients", "80", "--valid-patients", "6", "--uniform", "16x16")


@pytest.mark.parametrize("uncertain", ["exclude", "positive", "negative"])
@pytest.mark.parametrize("decimals", [1, 2, None])      # 1 decimal: many ties
def test_image_level_equals_sklearn(eval_tree, uncertain, decimals):
    with chexpert.Dataset(eval_tree) as ds:
        train = ds["train"]
        scores = np.random.default_rng(11).random((len(train), 5))
        if decimals is not None:
            scores = np.round(scores, decimals)
        result = chexpert.evaluate(scores, train, bootstrap=0, uncertain=uncertain)
    _check(result, _reference(scores, _truth(eval_tree, "train", uncertain), chexpert.COMPETITION))
    assert np.isnan(result.table[:, 2:6]).all()     # no bootstrap: no intervals


@pytest.mark.parametrize("how", ["max", "mean"])
def test_study_level_equals_sklearn(eval_tree, how):
    with chexpert.Dataset(eval_tree) as ds:
        train = ds["train"]
        scores = np.round(np.random.default_rng(5).random((len(train), train.num_labels)), 1)
        result = chexpert.evaluate(scores, train, observations="all", level="study", aggregate=how,
                                   bootstrap=0)
    names = train.label_names
    reference = _reference(scores, _truth(eval_tree, "train", "exclude"), names,
                           keys=_study_keys(eval_tree, "train"), how=how)
    _check(result, reference)


def test_scores_for_every_label_are_picked_by_name(eval_tree):
    with chexpert.Dataset(eval_tree) as ds:
        train = ds["train"]
        full = np.random.default_rng(2).random((len(train), train.num_labels))
        columns = [train.label_names.index(n) for n in chexpert.COMPETITION]
        a = chexpert.evaluate(full, train, bootstrap=0)
        b = chexpert.evaluate(full[:, columns], train, bootstrap=0)
        c = chexpert.evaluate(full[:, columns[1]], train, observations="Cardiomegaly", bootstrap=0)
    np.testing.assert_array_equal(a.table, b.table)
    assert c.auroc["Cardiomegaly"] == a.auroc["Cardiomegaly"]
    assert a["mean"]["auroc"] == a.mean_auroc


def test_undefined_metrics_are_nan(tree_copy):
    header, rows = read_csv(tree_copy, "train")
    edema = header.index("Edema")
    for row in rows:
        row[edema] = "0.0"          # no positive Edema row
    write_csv(tree_copy, "train", header, rows)
    with chexpert.Dataset(tree_copy) as ds:
        train = ds["train"]
        scores = np.random.default_rng(0).random((len(train), 5))
        result = chexpert.evaluate(scores, train, bootstrap=20)
    assert np.isnan(result.table[3, :6]).all() and result.table[3, 7] == 0
    defined = [j for j in range(5) if j != 3 and not np.isnan(result.table[j, 0])]
    np.testing.assert_allclose(result.mean_auroc, np.mean(result.table[defined, 0]), rtol=0, atol=TOL)


class SplitMix64:
    """The pinned generator (Support/SplitMix64.swift), written out again."""
    M = 2**64 - 1

    def __init__(self, seed):
        self.state = seed & self.M

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.M
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.M
        return z ^ (z >> 31)

    def below(self, bound):      # Lemire's unbiased multiply-high
        product = self.next() * bound
        if product & self.M < bound:
            threshold = (2**64 - bound) % bound
            while product & self.M < threshold:
                product = self.next() * bound
        return product >> 64


def _percentiles(values, resamples):
    values = np.array([v for v in values if not np.isnan(v)])
    if 2 * len(values) < resamples:
        return np.nan, np.nan
    return tuple(np.percentile(values, [2.5, 97.5]))


@pytest.mark.parametrize("level", ["image", "study"])
def test_bootstrap_equals_a_reimplementation(eval_tree, level):
    resamples, seed = 40, 2**63 + 12345
    with chexpert.Dataset(eval_tree) as ds:
        train = ds["train"]
        scores = np.round(np.random.default_rng(9).random((len(train), 5)), 2)
        result = chexpert.evaluate(scores, train, level=level, bootstrap=resamples, seed=seed)
        again = chexpert.evaluate(scores, train, level=level, bootstrap=resamples, seed=seed)
        other = chexpert.evaluate(scores, train, level=level, bootstrap=resamples, seed=seed + 1)
        studies = train.studies()
    np.testing.assert_array_equal(result.table, again.table)
    assert not np.array_equal(result.table[:, 2:6], other.table[:, 2:6])
    truth = _truth(eval_tree, "train", "exclude")
    if level == "study":
        samples_y = {n: [max([truth[n][i] for i in g if truth[n][i] is not None], default=None)
                         for g in studies] for n in chexpert.COMPETITION}
        samples_s = np.array([scores[g].max(axis=0) for g in studies])
    else:
        samples_y, samples_s = truth, scores
    n = len(samples_s)
    generator = SplitMix64(seed)
    per = {name: ([], []) for name in chexpert.COMPETITION + ("mean",)}
    for _ in range(resamples):
        draw = [generator.below(n) for _ in range(n)]
        values = []
        for j, name in enumerate(chexpert.COMPETITION):
            picked = [i for i in draw if samples_y[name][i] is not None]
            values.append(_sk([samples_y[name][i] for i in picked], samples_s[picked, j]))
            per[name][0].append(values[-1][0])
            per[name][1].append(values[-1][1])
        for metric in (0, 1):
            defined = [v[metric] for v in values if not np.isnan(v[metric])]
            per["mean"][metric].append(np.mean(defined) if defined else np.nan)
    for row, name in enumerate(chexpert.COMPETITION + ("mean",)):
        for metric in (0, 1):
            low, high = _percentiles(per[name][metric], resamples)
            np.testing.assert_allclose(result.table[row, 2 + 2 * metric: 4 + 2 * metric], [low, high],
                                       rtol=0, atol=TOL, err_msg=f"{name} {metric}")


def test_argument_errors(eval_tree):
    with chexpert.Dataset(eval_tree) as ds:
        train = ds["train"]
        scores = np.zeros((len(train), 5))
        with pytest.raises(ValueError):
            chexpert.evaluate(scores[1:], train)
        with pytest.raises(ValueError):
            chexpert.evaluate(np.zeros((len(train), 3)), train)
        with pytest.raises(ValueError):
            chexpert.evaluate(scores, train[2:])
        bad = scores.copy()
        bad[4, 2] = np.inf
        with pytest.raises(chexpert.ChexpertArgumentError, match=r"scores\[4\]\[2\]"):
            chexpert.evaluate(bad, train)
        with pytest.raises(chexpert.ChexpertNotFoundError):
            chexpert.evaluate(scores, train, observations=["Nope", "Edema", "Edema", "Edema", "Edema"])
        with pytest.raises(chexpert.ChexpertArgumentError):
            chexpert.evaluate(np.zeros((len(train), 2)), train, observations=["Edema", "Edema"])
        for key, value in [("level", "patient"), ("uncertain", "ignore"), ("aggregate", "median"),
                           ("bootstrap", chexpert._ffi.CHEXPERT_MAX_BOOTSTRAP + 1), ("bootstrap", -1)]:
            with pytest.raises(chexpert.ChexpertArgumentError):
                chexpert.evaluate(scores, train, **{key: value})
        with pytest.raises(TypeError):
            chexpert.evaluate(scores.astype(bool), train)
