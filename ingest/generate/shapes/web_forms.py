"""Web form submissions as JSON lines, with consent checkboxes and double opt-in."""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import reference
from ..randomness import pick_rowwise, stream
from .common import COUNTRY_DE, SALUTATION_DE, base62_ids, choice, date, lit, month_file, salutation

JSON_KEYS = ["submission_id", "form_type", "submitted_at", "page_url", "utm", "fields", "consent", "double_opt_in"]


def web_forms(r: pl.DataFrame, seed: int, suffix: str, tag: int) -> pl.DataFrame:
    """Form type follows the person's propensity; consent and double opt-in follow the form."""
    rng = stream(seed, "shape_web_forms", tag)
    n = r.height
    utm = reference.load("utm")
    form_types = ["newsletter", "whitepaper", "webinar", "demo_request", "callback", "contact_form"]
    low = np.array([0.45, 0.25, 0.15, 0.03, 0.04, 0.08])
    high = np.array([0.05, 0.15, 0.15, 0.35, 0.20, 0.10])
    p = r["propensity"].to_numpy()[:, None]

    ft = pick_rowwise(rng, (1 - p) * low + p * high)
    # Nobody without an e-mail address signs up for a newsletter: they download a whitepaper.
    ft = np.where((ft == 0) & r["email_true"].is_null().to_numpy(), 1, ft)
    form_type = pl.Series(form_types).gather(pl.Series(ft, dtype=pl.UInt32))
    ui = rng.integers(0, utm.height, size=n)
    messages = reference.load("messages")["message"]
    is_callback = ft == 4
    email_consent = np.where(ft == 0, True, rng.random(n) < 0.85)
    phone_consent = np.where(is_callback, rng.random(n) < 0.75, rng.random(n) < 0.04)
    doi = email_consent & (rng.random(n) < 0.8)
    hexes = base62_ids(rng.integers(62**9, 62**10, size=n), 10).str.to_lowercase()
    submitted = date(pl.col("created_at").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Berlin"),
                      "%Y-%m-%dT%H:%M:%S%:z", "iso_offset")
    confirmed = (pl.col("created_at") + pl.duration(minutes=lit(rng.integers(1, 2000, size=n)))) \
        .dt.replace_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    country = pl.when(lit(rng.random(n) < 0.5)).then(pl.col("country").replace_strict(COUNTRY_DE)).otherwise(pl.col("country"))
    slug = form_type.replace({"demo_request": "demo", "contact_form": "kontakt"})
    # Newsletter forms ask for little more than the e-mail address.
    news = lit(ft == 0)
    short = news & lit(rng.random(n) < 0.8)
    email = pl.when(news & pl.col("email").is_null() & pl.col("defect").is_null()).then(pl.col("email_true")) \
        .otherwise(pl.col("email"))
    sparse = {c: pl.when(short).then(None).otherwise(pl.col(c)) for c in ("phone", "company", "job_title", "postcode", "city")}
    out = r.with_columns(
        _file=month_file("web_forms", "submissions", suffix, "jsonl"),
        submission_id=pl.lit("sub_") + pl.lit(f"{tag:02d}") + pl.col("_rec").cast(pl.Utf8).str.zfill(9),
        form_type=pl.lit(form_type),
        submitted_at=submitted,
        page_url=pl.lit("https://www.leadwerk-demo.de/") + pl.lit(slug) + pl.lit("?ref=") + pl.lit(hexes),
        utm=pl.struct(source=pl.lit(utm["source"].gather(pl.Series(ui, dtype=pl.UInt32))).replace("", None),
                      medium=pl.lit(utm["medium"].gather(pl.Series(ui, dtype=pl.UInt32))).replace("", None),
                      campaign=pl.lit(utm["campaign"].gather(pl.Series(ui, dtype=pl.UInt32))).replace("", None)),
        fields=pl.struct(
            salutation=salutation(SALUTATION_DE), first_name=pl.col("first_name"),
            last_name=pl.when(short & lit(rng.random(n) < 0.5)).then(None).otherwise(pl.col("last_name")),
            email=email, phone=sparse["phone"], company=sparse["company"], job_title=sparse["job_title"],
            postcode=sparse["postcode"], city=sparse["city"], country=pl.when(short).then(None).otherwise(country),
            message=pl.when(lit(np.isin(ft, [3, 4, 5]))).then(
                pl.lit(messages.gather(pl.Series(rng.integers(0, len(messages), size=n), dtype=pl.UInt32)))),
        ),
        consent=pl.struct(email_marketing=lit(email_consent), phone_marketing=lit(phone_consent),
                          text_version=choice(rng, ["einwilligung-v3-2024-05", "einwilligung-v4-2025-09"], n)),
        double_opt_in=pl.when(lit(doi)).then(pl.struct(
            confirmation_id=pl.lit("doi_") + lit(base62_ids(rng.integers(0, 62**10, size=n), 10)),
            confirmed_at=confirmed)),
    )
    return out.select("_file", "_rec", *JSON_KEYS)
