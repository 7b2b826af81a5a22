"""L2-regularized logistic regression on a sparse one-hot design, stratified folds, and AUC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.special import expit
from scipy.stats import rankdata


@dataclass(frozen=True)
class Fit:
    intercept: float
    coefficients: np.ndarray

    def logit(self, design: sparse.csr_matrix) -> np.ndarray:
        return design @ self.coefficients + self.intercept


def fit_logistic(design: sparse.csr_matrix, y: np.ndarray, l2: float, start: Fit | None = None) -> Fit:
    """Minimizes the log loss plus l2/2 * |w|^2 (the intercept is not penalized)."""
    n_levels = design.shape[1]
    y = y.astype(float)
    transposed = design.T.tocsr()

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = params[:-1], params[-1]
        z = design @ weights + bias
        value = float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * weights @ weights)
        residual = expit(z) - y
        gradient = np.empty_like(params)
        gradient[:-1] = transposed @ residual + l2 * weights
        gradient[-1] = residual.sum()
        return value, gradient

    if start is None:
        rate = min(max(y.mean(), 1e-6), 1 - 1e-6)
        params = np.zeros(n_levels + 1)
        params[-1] = np.log(rate / (1 - rate))
    else:
        params = np.append(start.coefficients, start.intercept)
    result = optimize.minimize(loss, params, jac=True, method="L-BFGS-B",
                               options={"maxiter": 500, "gtol": 1e-6})
    return Fit(float(result.x[-1]), result.x[:-1].copy())


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
