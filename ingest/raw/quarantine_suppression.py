"""Suppression for rows that did not parse: an erased person's broken line is not kept in clear.

A quarantined line has no reliable columns, so the e-mail addresses and phone numbers in its
text are found by pattern and handed to the same suppression check parsed rows go through
(ingest/privacy: the identifiers are normalized and hashed there, never stored). A phone number
written without country code is tried with the default region and with each country the
file's readable rows name (at most MAX_REGIONS, the most frequent first), because the broken
line's own country column cannot be found reliably.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

SuppressionCheck = Callable[[pl.DataFrame], pl.Series]

# Deliberately wide: a false candidate only costs a hash lookup, a missed one leaks a person.
EMAIL_PATTERN = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
PHONE_PATTERN = r"\+?\(?\d[\d ()./-]{5,}\d"
MAX_REGIONS = 8


def _candidates(texts: pl.DataFrame, countries: list[str | None]) -> pl.DataFrame:
    """(position, email, phone, country) rows: one per identifier (and country) in a text."""
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
            pl.DataFrame({"country": countries}, schema={"country": pl.String}), how="cross"
        ),
    ]).select("position", email=pl.lit(None, pl.String), phone="phones", country="country")
    return pl.concat([emails, phones])


def file_countries(rows: pl.DataFrame) -> list[str | None]:
    """The default region (None) and the countries the file's readable rows name most often."""
    if "country" not in rows.columns or rows.height == 0:
        return [None]
    named = rows["country"].drop_nulls().value_counts(sort=True).head(MAX_REGIONS)
    return [None, *named["country"].to_list()]


def suppressed_texts(
    raw_text: pl.Series, is_suppressed: SuppressionCheck | None, countries: list[str | None] = (None,)
) -> pl.Series:
    """True for each text carrying an identifier on the suppression list."""
    flags = pl.Series("suppressed", [False] * raw_text.len(), dtype=pl.Boolean)
    if is_suppressed is None or raw_text.len() == 0:
        return flags
    texts = pl.DataFrame({"raw_text": raw_text.cast(pl.String)}).with_row_index("position")
    candidates = _candidates(texts.drop_nulls("raw_text"), list(countries))
    if candidates.height == 0:
        return flags
    hits = pl.Series(is_suppressed(candidates.with_columns(mobile_phone=pl.lit(None, pl.String))),
                     dtype=pl.Boolean).fill_null(False)
    if hits.len() != candidates.height:
        raise ValueError(f"is_suppressed returned {hits.len()} flags for {candidates.height} rows")
    positions = candidates.filter(hits)["position"].unique()
    return texts.select(pl.col("position").is_in(positions.implode()).alias("suppressed")).to_series()
