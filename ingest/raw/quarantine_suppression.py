"""Suppression for rows that did not parse: an erased person's broken line is not kept in clear.

A quarantined line has no reliable columns, so the e-mail addresses and phone numbers in its
text are found by pattern and handed to the same suppression check parsed rows go through
(ingest/privacy: the identifiers are normalized and hashed there, never stored). A phone number
written without country code is tried in each region the phone rules read quickly, because
the line's country column cannot be trusted either.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ingest.normalize.rulebook import load_yaml

SuppressionCheck = Callable[[pl.DataFrame], pl.Series]

# Deliberately wide: a false candidate only costs a hash lookup, a missed one leaks a person.
EMAIL_PATTERN = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
PHONE_PATTERN = r"\+?\(?\d[\d ()./-]{5,}\d"


def _candidates(texts: pl.DataFrame) -> pl.DataFrame:
    """(position, email, phone, country) rows: one per identifier found in a text."""
    # Only text entries: an unquoted NO in YAML reads as the boolean false, not Norway.
    regions = [r for r in load_yaml("phone.yaml")["fast_path_regions"] if isinstance(r, str)]
    found = texts.select(
        "position",
        emails=pl.col("raw_text").str.extract_all(EMAIL_PATTERN),
        phones=pl.col("raw_text").str.extract_all(PHONE_PATTERN),
    )
    emails = found.select("position", "emails").explode("emails").drop_nulls("emails").select(
        "position", email="emails", phone=pl.lit(None, pl.String), country=pl.lit(None, pl.String)
    )
    phones = found.select("position", "phones").explode("phones").drop_nulls("phones")
    international = pl.col("phones").str.contains(r"^(?:\+|00)")
    phones = pl.concat([
        phones.filter(international).with_columns(country=pl.lit(None, pl.String)),
        phones.filter(~international).join(
            pl.DataFrame({"country": regions}, schema={"country": pl.String}), how="cross"
        ),
    ]).select("position", email=pl.lit(None, pl.String), phone="phones", country="country")
    return pl.concat([emails, phones])


def suppressed_texts(raw_text: pl.Series, is_suppressed: SuppressionCheck | None) -> pl.Series:
    """True for each text carrying an identifier on the suppression list."""
    flags = pl.Series("suppressed", [False] * raw_text.len(), dtype=pl.Boolean)
    if is_suppressed is None or raw_text.len() == 0:
        return flags
    texts = pl.DataFrame({"raw_text": raw_text.cast(pl.String)}).with_row_index("position")
    candidates = _candidates(texts.drop_nulls("raw_text"))
    if candidates.height == 0:
        return flags
    hits = pl.Series(is_suppressed(candidates.with_columns(mobile_phone=pl.lit(None, pl.String))),
                     dtype=pl.Boolean).fill_null(False)
    if hits.len() != candidates.height:
        raise ValueError(f"is_suppressed returned {hits.len()} flags for {candidates.height} rows")
    positions = candidates.filter(hits)["position"].unique()
    return texts.select(pl.col("position").is_in(positions.implode()).alias("suppressed")).to_series()
