"""Purchased lists: vendor adressdirekt (German cp1252 export) and leadsource_eu (English UTF-8)."""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import reference
from ..randomness import stream
from .common import (
    COUNTRY_DE,
    SALUTATION_DE,
    SALUTATION_EN,
    base62_ids,
    bucket,
    choice,
    cp1252,
    date,
    lit,
    month_file,
    salutation,
)

ADRESSDIREKT_COLUMNS = ["Anrede", "Titel", "Vorname", "Nachname", "Firma", "Position", "Branche", "Mitarbeiter", "Straße",
                        "Hausnummer", "PLZ", "Ort", "Land", "Telefon", "E-Mail", "Geburtsdatum", "Einwilligung Werbung",
                        "Einwilligungsnachweis", "Einwilligungsdatum", "Preis"]
LEADSOURCE_COLUMNS = ["lead_ref", "salutation", "first_name", "last_name", "company", "job_title", "industry", "company_size",
                      "address", "zip", "city", "country", "phone", "email", "consent_email", "consent_proof",
                      "consent_timestamp", "price_eur"]

def adressdirekt(r: pl.DataFrame, seed: int, suffix: str, tag: int) -> pl.DataFrame:
    """German headers, `;`, cp1252; consent yes/no with proof on a minority of rows."""
    rng = stream(seed, "shape_adressdirekt", tag)
    n = r.height
    consent = rng.random(n)
    proof_kind = rng.integers(0, 3, size=n)
    has_proof = (consent < 0.55) & (rng.random(n) < 0.55)
    ip = pl.Series(rng.integers(1, 255, size=n)).cast(pl.Utf8)
    proof = pl.when(lit(proof_kind) == 0).then(pl.lit("Gewinnspiel www.gewinnspiel-sommer.de, IP 192.0.2.") + lit(ip)) \
        .when(lit(proof_kind) == 1).then(pl.lit("DOI-Protokoll Nr. ") + lit(pl.Series(rng.integers(10**6, 10**7, size=n))).cast(pl.Utf8)) \
        .otherwise(pl.lit("Online-Formular, Opt-in bestätigt"))
    consent_at = pl.col("received_at") - pl.duration(days=lit(rng.integers(20, 400, size=n)))
    out = r.with_columns(
        _file=month_file("purchased_lists/adressdirekt", "adressdirekt", suffix, "csv"),
        Anrede=salutation(SALUTATION_DE),
        Titel=pl.col("academic_title"),
        Vorname=pl.col("first_name"), Nachname=pl.col("last_name"), Firma=pl.col("company"),
        Position=pl.col("job_title"), Branche=pl.col("industry"),
        Mitarbeiter=bucket(pl.col("employee_count"), [10, 50, 250, 500, 1000], ["1-9", "10-49", "50-249", "250-499", "500-999", "1000+"]),
        **{"Straße": pl.col("street")}, Hausnummer=pl.col("house_number"), PLZ=pl.col("postcode"), Ort=pl.col("city"),
        Land=pl.when(lit(rng.random(n) < 0.15) & (pl.col("country") == "DE")).then(pl.lit("D"))
        .otherwise(pl.col("country").replace_strict(COUNTRY_DE)),
        Telefon=pl.col("phone"), **{"E-Mail": pl.col("email")},
        Geburtsdatum=pl.when(lit(rng.random(n)) < pl.when(pl.col("segment") == "b2c").then(0.6).otherwise(0.1))
        .then(pl.col("birth_date").dt.strftime("%d.%m.%Y")),
        **{"Einwilligung Werbung": pl.when(lit(consent < 0.55)).then(pl.lit("ja")).when(lit(consent < 0.67)).then(pl.lit("nein"))},
        Einwilligungsnachweis=pl.when(lit(has_proof)).then(proof),
        Einwilligungsdatum=pl.when(lit(has_proof) | (pl.col("defect") == "future_date") | (pl.col("defect") == "impossible_date"))
        .then(date(pl.when(pl.col("defect") == "future_date").then(pl.col("created_at")).otherwise(consent_at), "%d.%m.%Y", "de")),
        Preis=lit(np.round(rng.uniform(0.15, 1.2, size=n), 2)).cast(pl.Utf8).str.replace(r"\.", ",")
        .str.replace(r",(\d)$", ",${1}0").str.replace(r"^(\d+)$", "${1},00"),
    )
    return cp1252(out.select("_file", "_rec", *ADRESSDIREKT_COLUMNS), ADRESSDIREKT_COLUMNS)


def leadsource_eu(r: pl.DataFrame, seed: int, suffix: str, tag: int) -> pl.DataFrame:
    """English headers, vendor lead_ref, street and number in one field, ISO consent time."""
    rng = stream(seed, "shape_leadsource", tag)
    n = r.height
    industries = reference.load("industries")
    en = dict(zip(industries["industry"], industries["english"]))
    has_proof = rng.random(n) < 0.3
    consent_at = pl.col("received_at") - pl.duration(days=lit(rng.integers(10, 300, size=n)))
    out = r.with_columns(
        _file=month_file("purchased_lists/leadsource_eu", "leadsource_eu", suffix, "csv"),
        lead_ref=pl.lit("LS-") + pl.lit(f"{tag:02d}") + pl.col("_rec").cast(pl.Utf8).str.zfill(8),
        salutation=salutation(SALUTATION_EN),
        job_title=pl.col("job_title"), industry=pl.col("industry").replace_strict(en, default=None),
        company_size=bucket(pl.col("employee_count"), [11, 51, 201, 501, 1001, 5001],
                             ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"]),
        address=pl.concat_str([pl.col("street"), pl.col("house_number")], separator=" ", ignore_nulls=True).replace("", None),
        zip=pl.col("postcode"), city=pl.col("city"), country=pl.col("country"),
        consent_email=pl.when(lit(has_proof)).then(pl.lit("yes")).otherwise(choice(rng, ["yes", "no", ""], n, [0.5, 0.2, 0.3])).replace("", None),
        consent_proof=pl.when(lit(has_proof)).then(pl.lit("https://proof.leadsource.eu/c/") + lit(base62_ids(rng.integers(0, 62**10, size=n), 10))),
        consent_timestamp=pl.when(lit(has_proof) | pl.col("defect").is_in(["future_date", "impossible_date"]))
        .then(date(pl.when(pl.col("defect") == "future_date").then(pl.col("created_at")).otherwise(consent_at), "%Y-%m-%dT%H:%M:%SZ", "iso")),
        price_eur=lit(np.round(rng.uniform(0.2, 0.9, size=n), 2)).cast(pl.Utf8),
    )
    return out.select("_file", "_rec", *LEADSOURCE_COLUMNS)
