"""Turn parsed source columns into the raw fields named by a contract."""

from __future__ import annotations

import polars as pl

from ingest.raw.contracts import CombineRule, HeaderMatch

NULL_TEXT = pl.lit(None, dtype=pl.String)


def unmapped_columns(match: HeaderMatch, columns: list[str]) -> list[str]:
    """Source columns the contract does not know; their values go to extra_fields."""
    used = match.used_columns
    return [c for c in columns if c not in used]


def extra_columns(match: HeaderMatch, columns: list[str]) -> list[str]:
    """Columns kept in extra_fields: every column no raw field reads (unknown ones, declared
    extras, combined originals, and alternative names of a field already read)."""
    read = set(match.columns.values())
    return [c for c in columns if c not in read]


def _combine_expr(rule: CombineRule, sources: tuple[str, ...]) -> pl.Expr:
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


def field_exprs(match: HeaderMatch) -> list[pl.Expr]:
    """One expression per raw field the contract feeds; fields whose column is absent give NULL."""
    exprs = [
        (pl.col(match.columns[raw_field]) if raw_field in match.columns else NULL_TEXT).alias(raw_field)
        for raw_field in match.contract.fields
    ]
    exprs += [_combine_expr(rule, match.combined.get(rule.field, ())) for rule in match.contract.combine]
    return exprs


def source_columns(match: HeaderMatch) -> list[str]:
    """The file columns the contract reads (mapped and combined), each once, in contract order."""
    read = [match.columns[f] for f in match.contract.fields if f in match.columns]
    read += [c for cols in match.combined.values() for c in cols]
    return list(dict.fromkeys(read))


def row_required_present(match: HeaderMatch) -> tuple[str, ...]:
    """Row-level required fields whose column the file has (a file without the column is not
    made to fail every row: the contract matched on its identifying columns)."""
    fed = set(match.columns) | set(match.combined)
    return tuple(f for f in match.contract.row_required if f in fed)


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
