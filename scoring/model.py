"""L2-regularized logistic regression on a sparse one-hot design, stratified folds, and AUC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit
from scipy.stats import rankdata


@dataclass(frozen=True)
class Fit:
    intercept: float
    coefficients: np.ndarray

    def logit(self, design: sparse.csr_matrix) -> np.ndarray:
        return design @ self.coefficients + self.intercept


def fit_logistic(design: sparse.csr_matrix, y: np.ndarray, l2: float, start: Fit | None = None,
                 max_iterations: int = 50, tolerance: float = 1e-8, weights: np.ndarray | None = None) -> Fit:
    """Minimizes the log loss (each row's term times its weight, 1 without weights) plus
    l2/2 * |w|^2 (the intercept is not penalized) by Newton's method: one-hot designs have a few
    hundred columns, so each step solves a small dense system and the fit converges in a handful
    of steps whatever the number of leads."""
    n_levels = design.shape[1]
    y = y.astype(float)
    row_weights = np.ones(y.size) if weights is None else np.asarray(weights, dtype=float)
    augmented = sparse.hstack([design, np.ones((design.shape[0], 1))], format="csr")
    transposed = augmented.T.tocsr()
    penalty = np.full(n_levels + 1, l2)
    penalty[-1] = 0.0

    def objective(params: np.ndarray) -> float:
        z = augmented @ params
        return float(np.sum(row_weights * (np.logaddexp(0.0, z) - y * z)) + 0.5 * np.sum(penalty * params * params))

    if start is None:
        rate = min(max(float(np.average(y, weights=row_weights)), 1e-6), 1 - 1e-6)
        params = np.zeros(n_levels + 1)
        params[-1] = np.log(rate / (1 - rate))
    else:
        params = np.append(start.coefficients, start.intercept)
    value = objective(params)
    for _ in range(max_iterations):
        p = expit(augmented @ params)
        gradient = transposed @ (row_weights * (p - y)) + penalty * params
        curvature = row_weights * p * (1 - p)
        hessian = (transposed @ augmented.multiply(curvature[:, None]).tocsr()).toarray()
        hessian[np.diag_indices_from(hessian)] += penalty + 1e-9
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while True:  # halve the step until the objective does not rise
            candidate = params - size * step
            candidate_value = objective(candidate)
            if candidate_value <= value or size < 1e-4:
                break
            size /= 2
        params, improvement, value = candidate, value - candidate_value, candidate_value
        if improvement <= tolerance * max(1.0, abs(value)):
            break
    return Fit(float(params[-1]), params[:-1].copy())


def stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number 0..k-1 of every row; each fold holds about 1/k of each class."""
    rng = np.random.default_rng(seed)
    folds = np.empty(y.size, dtype=np.int64)
    for value in (False, True):
        rows = np.flatnonzero(y == value)
        rows = rows[rng.permutation(rows.size)]
        folds[rows] = np.arange(rows.size) % k
    return folds


def roc_auc(scores: np.ndarray, y: np.ndarray) -> float | None:
    """Chance that a converted lead scores above a lost one (ties count half); None without both."""
    y = np.asarray(y, dtype=bool)
    positives = int(y.sum())
    negatives = int(y.size - positives)
    if positives == 0 or negatives == 0:
        return None
    ranks = rankdata(scores)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))
