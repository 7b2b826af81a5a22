"""Yes/no source text to booleans, by the word lists in rules/booleans.yaml."""

from __future__ import annotations

import polars as pl

from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import bind_distinct, clean_text_expr


def boolean_expr(text: pl.Expr) -> pl.Expr:
    """True / False for known words; NULL for empty or unrecognised text (treated as unknown)."""
    words = load_yaml("booleans.yaml")
    mapping = {w: True for w in words[True]} | {w: False for w in words[False]}
    return bind_distinct(
        lambda v: clean_text_expr(v).str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Boolean),
        pl.Boolean,
        text.cast(pl.String),
    )
