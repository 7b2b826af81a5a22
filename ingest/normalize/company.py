"""Company name, legal form and the folded company_key that dedup and account matching use."""

from __future__ import annotations

import polars as pl

from ingest.normalize.rulebook import load_yaml
from ingest.normalize.text import bind_distinct, clean_text_expr

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"}


def _forms() -> list[dict]:
    return load_yaml("legal_forms.yaml")["legal_forms"]


def _suffix(pattern: str) -> str:
    """The legal form at the end of a cleaned, lower-cased name."""
    return rf"(?:^|[ ,]+)(?:{pattern})[ ]*$"


def _alternation() -> str:
    return "|".join(f"(?:{form['pattern']})" for form in _forms())


def _classify_form(suffix: pl.Expr) -> pl.Expr:
    out = pl.when(suffix.is_null()).then(pl.lit(None, pl.String))
    for form in _forms():
        out = out.when(suffix.str.contains(rf"^(?:{form['pattern']})$")).then(pl.lit(form["form"]))
    return out.otherwise(pl.lit(None, pl.String))


def legal_form_expr(company: pl.Expr) -> pl.Expr:
    """Canonical legal form found at the end of the name (GmbH, GmbH & Co. KG, Ltd, ...)."""
    # The longest legal-form suffix is cut out once per distinct name, then classified once per
    # distinct suffix (there are only a few dozen).
    pattern = rf"(?:^|[ ,]+)((?:{_alternation()}))[ ]*$"
    suffix = bind_distinct(
        lambda v: clean_text_expr(v).str.to_lowercase().str.extract(pattern, 1).str.replace_all(r"\s+", " "),
        pl.String,
        company.cast(pl.String),
    )
    return bind_distinct(_classify_form, pl.String, suffix)


def company_name_expr(company: pl.Expr) -> pl.Expr:
    """The company as written, trimmed and whitespace-collapsed."""
    return clean_text_expr(company)


def fold_key_expr(text: pl.Expr) -> pl.Expr:
    """Lower-case, German umlauts transliterated, other accents removed, punctuation to spaces."""
    folded = text.str.to_lowercase()
    for char, replacement in _UMLAUTS.items():
        folded = folded.str.replace_all(char, replacement, literal=True)
    folded = folded.str.normalize("NFKD").str.replace_all(r"\p{M}", "")
    folded = folded.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
    return pl.when(folded.str.len_chars() > 0).then(folded)


def company_key_expr(company: pl.Expr) -> pl.Expr:
    """Matching key: legal form stripped, "&" read as "und", case, punctuation and umlauts folded."""
    return bind_distinct(_company_key, pl.String, company.cast(pl.String))


def _company_key(company: pl.Expr) -> pl.Expr:
    name = clean_text_expr(company)
    stripped = name.str.to_lowercase().str.replace(_suffix(_alternation()), "")
    stripped = pl.when(stripped.str.strip_chars().str.len_chars() > 0).then(stripped).otherwise(name)
    for token, replacement in load_yaml("legal_forms.yaml")["key_replacements"].items():
        stripped = stripped.str.replace_all(token, replacement, literal=True)
    return fold_key_expr(stripped)
