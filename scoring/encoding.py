"""Binned and one-hot encoding of the lead features into a sparse design matrix.

Encodings are fitted on every lead (outcomes are never looked at), so out-of-fold scores stay
honest while bins are stable. Numbers fall into quantile bins (a frequent exact zero gets its own
bin, as counters are mostly zero); categories keep the levels that at least `min_level_leads`
leads share and pool the rest in `other`; a missing value is a level of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from scoring.features import Feature

MISSING = "missing"
OTHER = "other"


@dataclass(frozen=True)
class Level:
    feature: Feature
    level: str
    description: str
    lower_bound: float | None = None
    upper_bound: float | None = None


@dataclass
class FeatureEncoding:
    feature: Feature
    levels: list[Level]
    edges: np.ndarray | None = None  # numeric: interior bin edges
    has_zero_level: bool = False
    categories: dict[str, int] | None = None  # category/flag: value -> level index

    def codes(self, column: pl.Series) -> np.ndarray:
        """The level index of every lead."""
        if self.feature.kind == "numeric":
            values = column.cast(pl.Float64).to_numpy()
            missing = np.isnan(values)
            filled = np.where(missing, 0.0, values)
            offset = 2 if self.has_zero_level else 1  # 0 = missing, (1 = zero), then the bins
            codes = offset + np.searchsorted(self.edges, filled, side="right")
            if self.has_zero_level:
                codes = np.where(filled == 0.0, 1, codes)
            return np.where(missing, 0, codes).astype(np.int64)
        text = _as_text(column)
        mapping = pl.DataFrame({"value": list(self.categories), "code": list(self.categories.values())},
                               schema={"value": pl.Utf8, "code": pl.Int64})
        other = self.categories.get(OTHER, 0)
        coded = (pl.DataFrame({"value": text}).join(mapping, on="value", how="left", maintain_order="left")
                 .get_column("code").fill_null(other).to_numpy())
        return np.where(text.is_null().to_numpy(), 0, coded).astype(np.int64)


def _as_text(column: pl.Series) -> pl.Series:
    if column.dtype == pl.Boolean:
        return column.replace_strict({True: "yes", False: "no"}, default=None, return_dtype=pl.Utf8)
    return column.cast(pl.Utf8)


def _number(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value - round(value)) < 1e-9 or abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".rstrip()


def fit_encoding(feature: Feature, column: pl.Series, n_bins: int, min_level_leads: int) -> FeatureEncoding:
    label = feature.label
    if feature.kind == "numeric":
        values = column.cast(pl.Float64).drop_nulls().drop_nans().to_numpy()
        levels = [Level(feature, MISSING, f"{label} unknown")]
        has_zero = values.size > 0 and float(np.mean(values == 0.0)) >= 0.05
        if has_zero:
            levels.append(Level(feature, "0", f"no {label}", 0.0, 0.0))
            values = values[values != 0.0]
        if values.size:
            quantiles = np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1])
            edges = np.unique(quantiles)
        else:
            edges = np.array([], dtype=float)
        bounds = [-np.inf, *edges.tolist(), np.inf]
        for low, high in zip(bounds, bounds[1:], strict=False):
            if np.isinf(low):
                text = f"{label} below {_number(high, feature.unit)}" if np.isfinite(high) else f"{label} known"
            elif np.isinf(high):
                text = f"{label} {_number(low, feature.unit)} or more"
            else:
                text = f"{label} {_number(low, feature.unit)} to {_number(high, feature.unit)}"
            levels.append(Level(feature, text.removeprefix(f"{label} "), text,
                                None if np.isinf(low) else float(low), None if np.isinf(high) else float(high)))
        return FeatureEncoding(feature, levels, edges=edges, has_zero_level=has_zero)
    text = _as_text(column)
    counts = text.drop_nulls().value_counts().sort(["count", text.name], descending=[True, False])
    kept = [v for v, n in counts.iter_rows() if n >= min_level_leads]
    levels = [Level(feature, MISSING, f"{label} unknown")]
    if feature.kind == "flag":
        levels += [Level(feature, v, f"{label}: {v}") for v in kept]
    else:
        levels += [Level(feature, v, f"{label} {v}") for v in kept]
    categories = {v: i + 1 for i, v in enumerate(kept)}
    if len(kept) < counts.height:
        levels.append(Level(feature, OTHER, f"{label} other"))
        categories[OTHER] = len(levels) - 1
    return FeatureEncoding(feature, levels, categories=categories)


@dataclass
class Encoder:
    encodings: list[FeatureEncoding]

    @property
    def levels(self) -> list[Level]:
        return [level for enc in self.encodings for level in enc.levels]

    def codes(self, frame: pl.DataFrame) -> np.ndarray:
        """n_leads x n_features matrix of global column indices (one active level per feature)."""
        offset = 0
        columns = []
        for enc in self.encodings:
            columns.append(enc.codes(frame.get_column(enc.feature.name)) + offset)
            offset += len(enc.levels)
        return np.column_stack(columns) if columns else np.zeros((frame.height, 0), dtype=np.int64)

    def design(self, codes: np.ndarray) -> sparse.csr_matrix:
        n, k = codes.shape
        return sparse.csr_matrix(
            (np.ones(n * k), codes.reshape(-1), np.arange(0, n * k + 1, k)),
            shape=(n, len(self.levels)),
        )


def fit_encoder(frame: pl.DataFrame, features: tuple[Feature, ...], n_bins: int, min_level_leads: int) -> Encoder:
    return Encoder([fit_encoding(f, frame.get_column(f.name), n_bins, min_level_leads) for f in features])
