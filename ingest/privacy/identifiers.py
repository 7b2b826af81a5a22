"""Person identifiers in the one normalized form core uses, and their salted hashes.

The suppression list, erasure and subject access must find a person however a source spelled
the address or number, so every identifier goes through ingest/normalize's own expressions
(e-mail match key, E.164 phone) and never through a second, diverging implementation.
"""

from __future__ import annotations

import polars as pl

from ingest.hashing import sha256_hex
from ingest.normalize.address import country_code_expr
from ingest.normalize.email import email_match_key_expr, email_valid_expr, normalize_email_expr
from ingest.normalize.phone import clean_phone_text_expr, parse_phone_expr

DEFAULT_REGION = "DE"


def email_key_expr(raw: pl.Expr) -> pl.Expr:
    """Match key (lower-case, plus tag removed); an invalid address keeps its normalized text."""
    normalized = normalize_email_expr(raw)
    return pl.coalesce(email_match_key_expr(normalized, email_valid_expr(normalized)), normalized)


def phone_key_expr(raw: pl.Expr, region: pl.Expr | None = None) -> pl.Expr:
    """E.164 of a source phone text, NULL when it is no valid number."""
    region = pl.lit(DEFAULT_REGION) if region is None else region.fill_null(DEFAULT_REGION)
    return parse_phone_expr(clean_phone_text_expr(raw), region).struct.field("e164")


def region_expr(country: pl.Expr) -> pl.Expr:
    """ISO region for phone parsing from a raw country text, exactly as core derives it."""
    return pl.coalesce(country_code_expr(country.cast(pl.String), DEFAULT_REGION), pl.lit(DEFAULT_REGION))


def lookup_keys(email: str | None, phone: str | None, region: str = DEFAULT_REGION) -> tuple[str | None, str | None]:
    """Normalized (email key, E.164) of identifiers typed on the command line."""
    frame = pl.DataFrame({"email": [email], "phone": [phone]}, schema={"email": pl.String, "phone": pl.String})
    row = frame.select(
        email_key_expr(pl.col("email")).alias("email"),
        phone_key_expr(pl.col("phone"), pl.lit(region)).alias("phone"),
    ).row(0)
    return row[0], row[1]


def hash_columns(frame: pl.DataFrame, columns: list[str], salt: str) -> pl.DataFrame:
    """Add `<column>_hash` = sha256(salt ':' value) per column (NULL stays NULL).

    The `salt:value` form matches the serving copy's `bi` hashes, so a suppressed e-mail key
    can be recognised there by analysts holding only hashes.
    """
    if not salt:
        raise ValueError("an empty salt would make identifier hashes reversible by guessing")
    return frame.with_columns(
        sha256_hex(f"{salt}:" + frame[c].cast(pl.String)).alias(f"{c}_hash") for c in columns
    )


def hash_value(value: str, salt: str) -> str:
    """The same hash for a single identifier (audit subject hashes)."""
    frame = hash_columns(pl.DataFrame({"v": [value]}, schema={"v": pl.String}), ["v"], salt)
    return frame["v_hash"][0]
