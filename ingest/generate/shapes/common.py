"""Helpers shared by the landing file builders: value formats, ids, file names, dates."""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import text

COUNTRY_DE = {"DE": "Deutschland", "AT": "Österreich", "CH": "Schweiz"}
COUNTRY_EN = {"DE": "Germany", "AT": "Austria", "CH": "Switzerland"}
SALUTATION_DE = {"m": "Herr", "f": "Frau"}
SALUTATION_EN = {"m": "Mr", "f": "Ms"}
BASE62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


def lit(values) -> pl.Expr:
    """A per-row column of values drawn with numpy."""
    return pl.lit(pl.Series(values))


def choice(rng: np.random.Generator, options: list[str], n: int, p=None) -> pl.Expr:
    """One of ``options`` per row."""
    idx = rng.choice(len(options), size=n, p=p)
    return pl.lit(pl.Series(options).gather(pl.Series(idx, dtype=pl.UInt32)))


def bucket(expr: pl.Expr, edges: list[int], labels: list[str]) -> pl.Expr:
    """Employee count → the size band a source uses."""
    out = pl.lit(labels[-1])
    for edge, label in reversed(list(zip(edges, labels[:-1]))):
        out = pl.when(expr < edge).then(pl.lit(label)).otherwise(out)
    return pl.when(expr.is_not_null()).then(out)


def base62_ids(numbers: np.ndarray, width: int) -> pl.Series:
    """Fixed-width base-62 text of non-negative integers (Salesforce-style id bodies)."""
    digits = np.empty((len(numbers), width), dtype="<U1")
    rest = numbers.astype(np.int64).copy()
    for pos in range(width - 1, -1, -1):  # over digit positions, not rows
        digits[:, pos] = BASE62[rest % 62]
        rest //= 62
    return pl.Series(np.ascontiguousarray(digits).view(f"<U{width}").ravel())


def month_file(folder: str, stem: str, suffix: str, ext: str) -> pl.Expr:
    return pl.lit(f"{folder}/{stem}_") + pl.col("received_at").dt.strftime("%Y-%m") + pl.lit(f"{suffix}.{ext}")


def quarter_file(folder: str, stem: str, suffix: str) -> pl.Expr:
    return (pl.lit(f"{folder}/{stem}_") + pl.col("received_at").dt.year().cast(pl.Utf8) + pl.lit("Q")
            + pl.col("received_at").dt.quarter().cast(pl.Utf8) + pl.lit(f"{suffix}.csv"))


def impossible(fmt: str) -> pl.Expr:
    """A 30th/31st of February in the record's year, written like the source writes dates."""
    year = pl.col("received_at").dt.year().cast(pl.Utf8)
    day = pl.when(pl.col("received_at").dt.day() % 2 == 0).then(pl.lit("30")).otherwise(pl.lit("31"))
    return {
        "de": day + ".02." + year,
        "iso": year + "-02-" + day + "T10:15:00Z",
        "iso_offset": year + "-02-" + day + "T10:15:00+01:00",
        "hubspot": year + "-02-" + day + " 10:15",
        "sf_api": year + "-02-" + day + "T10:15:00.000+0000",
        "us": pl.lit("2/") + day + "/" + year,
    }[fmt]


def date(expr: pl.Expr, fmt: str, kind: str) -> pl.Expr:
    """Format a date column, replacing it by an impossible date where that defect was drawn."""
    return pl.when(pl.col("defect") == "impossible_date").then(impossible(kind)).otherwise(expr.dt.strftime(fmt))


def salutation(mapping: dict[str, str]) -> pl.Expr:
    return pl.col("gender").replace_strict(mapping, default=None)


def cp1252(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return frame.with_columns([text.cp1252_safe(pl.col(c)) for c in columns])
