"""The logistic fit weighs each lead's example: weight 0 is no example, weight 2 is two."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scoring.model import fit_logistic


def _one_hot(codes: np.ndarray, levels: int) -> sparse.csr_matrix:
    rows = np.arange(codes.size)
    return sparse.csr_matrix((np.ones(codes.size), (rows, codes)), shape=(codes.size, levels))


def _data(seed: int = 3):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, 400)
    y = rng.random(400) < np.array([0.2, 0.4, 0.6, 0.8])[codes]
    return _one_hot(codes, 4), y


def test_a_row_of_weight_zero_is_no_example():
    design, y = _data()
    weights = np.ones(y.size)
    weights[:100] = 0.0
    weighted = fit_logistic(design, y, 1.0, weights=weights)
    dropped = fit_logistic(design[100:], y[100:], 1.0)
    np.testing.assert_allclose(weighted.coefficients, dropped.coefficients, atol=1e-6)
    assert abs(weighted.intercept - dropped.intercept) < 1e-6


def test_a_row_of_weight_two_counts_as_two_examples():
    design, y = _data()
    weights = np.ones(y.size)
    weights[:50] = 2.0
    weighted = fit_logistic(design, y, 1.0, weights=weights)
    repeated = fit_logistic(sparse.vstack([design, design[:50]]).tocsr(), np.concatenate([y, y[:50]]), 1.0)
    np.testing.assert_allclose(weighted.coefficients, repeated.coefficients, atol=1e-6)


def test_lighter_negatives_pull_the_probability_down_less():
    design, y = _data()
    negatives = ~y
    light = np.where(negatives, 0.2, 1.0)
    full = fit_logistic(design, y, 1.0)
    lighter = fit_logistic(design, y, 1.0, weights=light)
    assert lighter.intercept + lighter.coefficients.mean() > full.intercept + full.coefficients.mean()
