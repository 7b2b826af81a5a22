"""How well each file's dates, numbers and yes/no values could be read, per field.

A contract that describes a source's date layout wrongly does not fail loudly: every value just
becomes NULL. These counts (non-empty source values, values read) make that visible to the
quality suite (`audit.field_parse_rates`) and to `leadwerk contract check`.
"""

from __future__ import annotations

import polars as pl

from ingest.tables import FIELD_PARSE_RATES, table

PARSE_STATS_TABLE = FIELD_PARSE_RATES
PARSE_STATS_SCHEMA = table(FIELD_PARSE_RATES).polars_schema()


def parse_checks(dated: dict[str, str], numbers: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(raw field, kind, column holding the value read) for every field normalization parses."""
    checks = [(raw, "date", f"{name}_ts") for name, raw in dated.items()]
    checks.append(("birth_date", "date", "birth_date"))
    checks += [(f, "number", f"_{f}_num") for f in numbers]
    checks += [("employee_count", "number", "employee_count"), ("list_price", "number", "list_price")]
    checks += [
        ("consent_email", "boolean", "consent_email_flag"),
        ("consent_phone", "boolean", "consent_phone_flag"),
        ("opt_out_email", "boolean", "opt_out_email_flag"),
        ("do_not_call", "boolean", "do_not_call_flag"),
    ]
    return checks


def parse_stats(frame: pl.DataFrame, checks: list[tuple[str, str, str]]) -> pl.DataFrame:
    """Per file version and field: source values that were not empty, and how many were read."""
    present = [
        (raw, kind, parsed) for raw, kind, parsed in checks
        if f"_{raw}_raw" in frame.columns and parsed in frame.columns
    ]
    if frame.height == 0 or not present:
        return pl.DataFrame(schema=PARSE_STATS_SCHEMA)
    counts = frame.group_by("source_file", "file_sha256").agg(
        *(pl.col(f"_{raw}_raw").str.strip_chars().replace("", None).count().alias(f"{raw}|{kind}|n")
          for raw, kind, _ in present),
        *(pl.col(parsed).is_not_null().sum().alias(f"{raw}|{kind}|p") for raw, kind, parsed in present),
    )
    long = counts.unpivot(index=["source_file", "file_sha256"]).with_columns(
        pl.col("variable").str.split_exact("|", 2).struct.rename_fields(["field", "kind", "what"])
    ).unnest("variable")
    wide = long.pivot(on="what", index=["source_file", "file_sha256", "field", "kind"], values="value")
    return (
        wide.rename({"n": "non_empty", "p": "parsed"})
        .filter(pl.col("non_empty") > 0)
        .select(list(PARSE_STATS_SCHEMA))
        .cast(PARSE_STATS_SCHEMA)
        .sort("source_file", "field")
    )
