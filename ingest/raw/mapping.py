"""Turn parsed source columns into the raw fields named by a contract."""

from __future__ import annotations

import polars as pl

from ingest.raw.contracts import CombineRule, Contract

NULL_TEXT = pl.lit(None, dtype=pl.String)


def unmapped_columns(contract: Contract, columns: list[str]) -> list[str]:
    """Source columns the contract does not know; their values go to extra_fields."""
    known = contract.known_columns()
    return [c for c in columns if c not in known]


def extra_columns(contract: Contract, columns: list[str]) -> list[str]:
    """Columns kept in extra_fields: unknown ones, declared extras and combined originals."""
    combined = {c for rule in contract.combine for c in rule.columns}
    keep = set(contract.keep_as_extra) | combined
    known = contract.known_columns()
    return [c for c in columns if c not in contract.columns and (c in keep or c not in known)]


def _combine_expr(rule: CombineRule, present: list[str]) -> pl.Expr:
    sources = [c for c in rule.columns if c in present]
    if not sources:
        return NULL_TEXT.alias(rule.field)
    cleaned = [pl.col(c).str.strip_chars().str.to_lowercase() for c in sources]
    trues = [v.lower() for v in rule.true_values]
    falses = [v.lower() for v in rule.false_values]
    any_true = pl.any_horizontal([v.is_in(trues).fill_null(False) for v in cleaned])
    any_false = pl.any_horizontal([v.is_in(falses).fill_null(False) for v in cleaned])
    return (
        pl.when(any_true)
        .then(pl.lit("true"))
        .when(any_false)
        .then(pl.lit("false"))
        .otherwise(NULL_TEXT)
        .alias(rule.field)
    )


def field_exprs(contract: Contract, present: list[str]) -> list[pl.Expr]:
    """One expression per raw field the contract feeds; absent source columns give NULL."""
    exprs = [
        (pl.col(source) if source in present else NULL_TEXT).alias(field)
        for source, fields in contract.columns.items()
        for field in fields
    ]
    exprs += [_combine_expr(rule, present) for rule in contract.combine]
    return exprs


def extra_fields_expr(columns: list[str]) -> pl.Expr:
    """JSON object of the given source columns, NULL when there are none."""
    if not columns:
        return NULL_TEXT.alias("extra_fields")
    return pl.struct([pl.col(c) for c in columns]).struct.json_encode().alias("extra_fields")


def missing_required_expr(row_required: tuple[str, ...]) -> pl.Expr:
    """Comma-separated names of required raw fields that are empty, or NULL when none is."""
    if not row_required:
        return NULL_TEXT.alias("missing_required")
    missing = [
        pl.when(pl.col(f).is_null() | (pl.col(f).str.strip_chars() == "")).then(pl.lit(f))
        for f in row_required
    ]
    joined = pl.concat_str(missing, separator=",", ignore_nulls=True)
    return pl.when(joined == "").then(NULL_TEXT).otherwise(joined).alias("missing_required")
