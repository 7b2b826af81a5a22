"""Whitespace and person-name expressions shared by every normalized text field."""

from __future__ import annotations

import re

import polars as pl

from ingest.normalize.rulebook import load_yaml


def clean_text_expr(expr: pl.Expr) -> pl.Expr:
    """Trim, collapse inner whitespace (including non-breaking spaces); empty becomes NULL."""
    cleaned = expr.cast(pl.String).str.replace_all(r"[\s\u00a0]+", " ").str.strip_chars()
    return cleaned.replace("", None)


def _names() -> dict:
    return load_yaml("names.yaml")


def _title_alternation() -> str:
    return "|".join(f"(?:{t['pattern']})" for t in _names()["academic_titles"])


def _salutation_alternation() -> str:
    words = sorted(_names()["salutations"], key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


def _prefix_pattern() -> str:
    """Leading salutation and/or academic title words in front of a name."""
    return rf"(?i)^(?:(?:{_salutation_alternation()})\.?\s+|(?:{_title_alternation()})(?:\s+|$))+"


def salutation_expr(salutation: pl.Expr, *name_fields: pl.Expr) -> pl.Expr:
    """herr|frau|divers from the salutation field, or from a salutation word written into a name."""
    mapping = {k: v for k, v in _names()["salutations"].items()}
    sal_words = _salutation_alternation()
    in_field = rf"(?i)^({sal_words})\.?(?:\s|$)"
    # Inside a name the word must be followed by the name itself ("Herr" alone is a surname).
    in_name = rf"(?i)^({sal_words})\.?\s+\S"
    found = [bind_distinct(lambda v: clean_text_expr(v).str.extract(in_field, 1), pl.String, salutation)] + [
        bind_distinct(lambda v: clean_text_expr(v).str.extract(in_name, 1), pl.String, f) for f in name_fields
    ]
    return pl.coalesce(
        [f.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.String) for f in found]
    )


def academic_title_expr(academic_title: pl.Expr, salutation: pl.Expr, *name_fields: pl.Expr) -> pl.Expr:
    """Canonical academic title from the title field, the salutation field ("Herr Dr.") or a name."""
    titles = _names()["academic_titles"]
    sal_words = _salutation_alternation()

    def chain(rest: pl.Expr) -> pl.Expr:
        out = pl.when(rest.is_null()).then(pl.lit(None, dtype=pl.String))
        for title in titles:
            out = out.when(rest.str.contains(rf"^(?:{title['pattern']})(?:\s|$)")).then(pl.lit(title["title"]))
        return out.otherwise(pl.lit(None, dtype=pl.String))

    def canonical(text: pl.Expr) -> pl.Expr:
        def from_text(value: pl.Expr) -> pl.Expr:
            rest = clean_text_expr(value).str.to_lowercase().str.replace(rf"^(?:(?:{sal_words})\.?\s*)", "")
            return chain(rest)

        return bind_distinct(from_text, pl.String, text.cast(pl.String))

    explicit = clean_text_expr(academic_title)
    return pl.coalesce(
        [canonical(academic_title), explicit, canonical(salutation)] + [canonical(f) for f in name_fields]
    )


def strip_name_prefix_expr(expr: pl.Expr) -> pl.Expr:
    """The name without leading salutation or academic-title words ("Herr Dr. Hans" -> "Hans")."""
    stripped = clean_text_expr(expr).str.replace(_prefix_pattern(), "")
    return clean_text_expr(stripped)


def _recase(name: pl.Expr) -> pl.Expr:
    """Title-case names typed all upper or all lower; keep deliberate mixed case (McDonald)."""
    single_case = (name == name.str.to_uppercase()) | (name == name.str.to_lowercase())
    return pl.when(single_case).then(name.str.to_titlecase()).otherwise(name)


def first_name_expr(expr: pl.Expr) -> pl.Expr:
    return bind_distinct(lambda name: _recase(strip_name_prefix_expr(name)), pl.String, expr.cast(pl.String))


def last_name_expr(expr: pl.Expr) -> pl.Expr:
    """Family name with particles (von, van, de, ...) in lower case when a name part follows."""
    return bind_distinct(_family_name, pl.String, expr.cast(pl.String))


def _family_name(raw: pl.Expr) -> pl.Expr:
    name = _recase(strip_name_prefix_expr(raw))
    particles = [p.lower() for p in _names()["particles"]]
    word = pl.element()
    is_particle = word.str.to_lowercase().is_in(particles) & (pl.int_range(pl.len()) < pl.len() - 1)
    return (
        name.str.split(" ")
        .list.eval(pl.when(is_particle).then(word.str.to_lowercase()).otherwise(word))
        .list.join(" ")
    )

def split_full_name_expr(full_name: pl.Expr) -> pl.Expr:
    """Struct {first, last} from a whole name: "Last, First", or the last word (with the name
    particles in front of it) as family name and the rest as given names."""
    particles = "|".join(re.escape(p) for p in _names()["particles"])

    def build(value: pl.Expr) -> pl.Expr:
        name = clean_text_expr(value)
        comma = name.str.contains(",")
        parts = name.str.extract_groups(rf"^(.*?)\s+((?:(?:{particles})\s+)*\S+)$")
        first = pl.when(comma).then(clean_text_expr(name.str.split_exact(",", 1).struct.field("field_1")))
        first = first.otherwise(clean_text_expr(parts.struct.field("1")))
        last = pl.when(comma).then(clean_text_expr(name.str.split_exact(",", 1).struct.field("field_0")))
        last = last.otherwise(pl.coalesce(clean_text_expr(parts.struct.field("2")), name))
        return pl.struct(first=first, last=last)

    return bind_distinct(build, pl.Struct({"first": pl.String, "last": pl.String}), full_name.cast(pl.String))


def bind(build, dtype: pl.DataType, **inputs: pl.Expr) -> pl.Expr:
    """Evaluate each input expression once and hand it to `build` as a plain column.

    Polars evaluates an expression again at every place it appears in a when/then chain; rule
    chains over a cleaned value would otherwise re-clean it once per rule.
    """
    names = list(inputs)

    def apply(values: pl.Series) -> pl.Series:
        frame = values.struct.unnest() if values.dtype == pl.Struct else values.to_frame(names[0])
        return frame.select(build(*(pl.col(n) for n in names)).alias("out")).to_series()

    source = pl.struct(**inputs) if len(names) > 1 else next(iter(inputs.values()))
    return source.map_batches(apply, return_dtype=dtype)


def bind_distinct(build, dtype: pl.DataType, value: pl.Expr) -> pl.Expr:
    """`build(value)`, computed once per distinct value and joined back.

    Names, job titles and company names repeat a lot, so their rule chains run on the distinct
    values only.
    """

    def apply(values: pl.Series) -> pl.Series:
        distinct = values.unique().to_frame("v").with_columns(build(pl.col("v")).alias("out"))
        joined = values.to_frame("v").join(distinct, on="v", how="left", nulls_equal=True, maintain_order="left")
        return joined["out"]

    return value.map_batches(apply, return_dtype=dtype)
