"""Reference lists (names, streets, cities, companies...) shipped as CSV data files.

Lists live in ``data/`` so editors can extend them without touching code.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import polars as pl

_DATA = files("ingest.generate") / "data"


@cache
def load(name: str) -> pl.DataFrame:
    """Read ``data/<name>.csv`` (UTF-8; lines starting with # are notes) with every column as text except known numbers."""
    raw = (_DATA / f"{name}.csv").read_bytes()
    df = pl.read_csv(raw, infer_schema=False, comment_prefix="#")
    numeric = {"weight", "target", "budget_authority", "plz_from", "plz_to", "plz_step", "sub_len"}
    return df.with_columns([pl.col(c).cast(pl.Int64) for c in df.columns if c in numeric])


def probabilities(df: pl.DataFrame, column: str = "weight"):
    """Normalised sampling weights of a list."""
    w = df[column].to_numpy().astype(float)
    return w / w.sum()
