"""Country to ISO alpha-2, postcodes validated per country, street and house number split."""

from __future__ import annotations

import polars as pl

from ingest.normalize.rulebook import load_csv
from ingest.normalize.text import bind, bind_distinct, clean_text_expr

_HOUSE_NUMBER = r"(\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d*\s?[a-zA-Z]?)?)"


def country_code_expr(country: pl.Expr, default_country: pl.Expr | str | None = None) -> pl.Expr:
    """ISO alpha-2 from names and codes (Deutschland, Germany, DE, D, Österreich, Schweiz, ...).

    An empty country takes the default (the contract's default country); an unknown, non-empty
    name stays NULL so it is visible rather than guessed.
    """
    aliases = load_csv("countries.csv")
    mapping = dict(zip(aliases["alias"].to_list(), aliases["country_code"].to_list(), strict=True))
    key = clean_text_expr(country).str.to_lowercase().str.strip_chars(". ")
    code = key.replace_strict(mapping, default=None, return_dtype=pl.String)
    if default_country is None:
        return code
    default = pl.lit(default_country) if isinstance(default_country, str) else default_country
    return pl.when(key.is_null()).then(default).otherwise(code)


def postcode_expr(postcode: pl.Expr, country_code: pl.Expr) -> pl.Expr:
    """Upper-case postcode without a country prefix (D-, DE-, A-, CH-); leading zeros kept.

    Numeric postcodes that lost their leading zero in a spreadsheet (German "1067") are padded
    to the country's length from rules/postcodes.csv.
    """
    rules = load_csv("postcodes.csv").filter(pl.col("pad_digits_to").is_not_null())
    pad = dict(zip(rules["country_code"].to_list(), [int(v) for v in rules["pad_digits_to"].to_list()], strict=True))
    def pad_digits(text: pl.Expr, country: pl.Expr) -> pl.Expr:
        width = country.replace_strict(pad, default=None, return_dtype=pl.Int64)
        short = text.str.contains(r"^\d+$") & width.is_not_null() & (text.str.len_chars() < width)
        return pl.when(short).then(text.str.zfill(width)).otherwise(text)

    text = clean_text_expr(postcode).str.to_uppercase()
    text = text.str.replace(r"^(?:D|DE|A|AT|CH|NL|F|L|B)\s?-\s?(\d)", "${1}").str.replace(r"\.0$", "")
    return bind(pad_digits, pl.String, text=text, country=country_code)


def postcode_valid_expr(postcode: pl.Expr, country_code: pl.Expr) -> pl.Expr:
    """Whether the postcode fits its country's format; NULL when either is missing or unknown."""
    rules = load_csv("postcodes.csv")
    chain = pl.when(postcode.is_null() | country_code.is_null()).then(pl.lit(None, pl.Boolean))
    for code, pattern in zip(rules["country_code"].to_list(), rules["pattern"].to_list(), strict=True):
        chain = chain.when(country_code == code).then(postcode.str.contains(pattern))
    return chain.otherwise(pl.lit(None, pl.Boolean))


def city_expr(city: pl.Expr) -> pl.Expr:
    return clean_text_expr(city)


def street_expr(street: pl.Expr) -> pl.Expr:
    """Street name with "str." written out ("Hauptstr." -> "Hauptstraße")."""
    text = clean_text_expr(street)
    text = text.str.replace(r"([Ss])tr\.?$", "${1}traße").str.replace(r"([Ss])tr\.\s", "${1}traße ")
    return text


def split_street_expr(street: pl.Expr, house_number: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(street, house_number): a number at the end of the street moves to house_number when empty."""
    pattern = rf"^(.*\D)\s+{_HOUSE_NUMBER}$"
    dtype = pl.Struct({"1": pl.String, "2": pl.String})
    # Split once per distinct street text; the split is used only where house_number is empty.
    parts = bind_distinct(lambda v: v.str.extract_groups(pattern), dtype, clean_text_expr(street))
    number = clean_text_expr(house_number)
    has_tail = parts.struct.field("1").is_not_null() & number.is_null()
    street_part = pl.when(has_tail).then(parts.struct.field("1")).otherwise(clean_text_expr(street))
    number_part = pl.when(has_tail).then(parts.struct.field("2")).otherwise(number)
    number_part = number_part.str.replace_all(r"\s+", "").str.to_lowercase()
    return bind_distinct(street_expr, pl.String, street_part), clean_text_expr(number_part)
