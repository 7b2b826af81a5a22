"""Independent, reproducible random streams per purpose, derived from the user's seed."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, purpose: str, *extra: int) -> np.random.Generator:
    """A generator that depends only on seed, purpose name and optional integers.

    Separate streams keep one part's draws stable when another part changes.
    """
    return np.random.default_rng([seed, zlib.crc32(purpose.encode()), *extra])


def pick_weighted(rng: np.random.Generator, n: int, p) -> np.ndarray:
    """n indices drawn with probabilities p."""
    return rng.choice(len(p), size=n, p=p)


def pick_rowwise(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row from a (rows × categories) weight matrix."""
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(weights))[:, None]
    return np.minimum((u > cum).sum(axis=1), weights.shape[1] - 1)
