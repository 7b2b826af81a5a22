"""Job title to seniority, department and budget authority, by the rules in job_titles.yaml."""

from __future__ import annotations

import polars as pl

from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import bind_distinct, clean_text_expr


def _first_match(title: pl.Expr, rules: list[dict], default: str | None, missing: str | None) -> pl.Expr:
    def chain(lowered: pl.Expr) -> pl.Expr:
        out = pl.when(lowered.is_null()).then(pl.lit(missing, pl.String))
        for rule in rules:
            out = out.when(lowered.str.contains(rule["pattern"])).then(pl.lit(rule["value"]))
        return out.otherwise(pl.lit(default, pl.String))

    return bind_distinct(lambda v: chain(clean_text_expr(v).str.to_lowercase()), pl.String, title.cast(pl.String))


def seniority_expr(title: pl.Expr) -> pl.Expr:
    """c_level | vp_director | head_of | manager | individual | unknown."""
    return _first_match(title, load_yaml("job_titles.yaml")["seniority"], "unknown", "unknown")


def department_expr(title: pl.Expr) -> pl.Expr:
    """marketing | sales | it | finance | hr | operations | management | other (NULL without title)."""
    return _first_match(title, load_yaml("job_titles.yaml")["department"], "other", None)


def budget_authority_expr(title: pl.Expr) -> pl.Expr:
    """True for titles that usually hold a budget; False otherwise (also without title)."""
    pattern = load_yaml("job_titles.yaml")["budget_authority"]["pattern"]
    return bind_distinct(
        lambda v: clean_text_expr(v).str.to_lowercase().str.contains(pattern).fill_null(False),
        pl.Boolean,
        title.cast(pl.String),
    )
