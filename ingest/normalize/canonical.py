"""Person, contact, address and company columns: the canonical form every source shares.

normalize_batch and the standalone dedup CLI both go through person_columns, so a lead looks the
same whichever way it entered.
"""

from __future__ import annotations

import polars as pl

from ingest.normalize.address import (
    city_expr,
    country_code_expr,
    postcode_expr,
    postcode_valid_expr,
    split_street_expr,
)
from ingest.normalize.company import company_key_expr, company_name_expr, legal_form_expr
from ingest.normalize.dates import date_expr
from ingest.normalize.email import (
    email_domain_expr,
    email_is_freemail_expr,
    email_is_role_expr,
    email_match_key_expr,
    email_valid_expr,
    normalize_email_expr,
)
from ingest.normalize.job_title import budget_authority_expr, department_expr, seniority_expr
from ingest.normalize.phone import clean_phone_text_expr, parse_phone_expr
from ingest.normalize.text import (
    academic_title_expr,
    clean_text_expr,
    first_name_expr,
    last_name_expr,
    salutation_expr,
)

PERSON_FIELDS = (
    "salutation", "academic_title", "first_name", "last_name", "email", "phone", "mobile_phone",
    "street", "house_number", "postcode", "city", "country", "birth_date", "company", "job_title",
)

# Which canonical columns each input field produces (for canonical_frame's "only what is present").
OUTPUTS_BY_FIELD = {
    "salutation": ["salutation"],
    "academic_title": ["academic_title"],
    "first_name": ["first_name", "first_name_raw", "salutation", "academic_title"],
    "last_name": ["last_name", "last_name_raw"],
    "email": ["email", "email_raw", "email_valid", "email_match_key", "email_domain",
              "email_is_freemail", "email_is_role"],
    "phone": ["phone", "phone_raw", "phone_type", "phone_valid"],
    "mobile_phone": ["phone", "phone_raw", "phone_type", "phone_valid"],
    "street": ["street", "house_number"],
    "house_number": ["house_number"],
    "postcode": ["postcode", "postcode_valid"],
    "city": ["city"],
    "country": ["country_code"],
    "birth_date": ["birth_date"],
    "company": ["company", "company_key", "legal_form"],
    "job_title": ["job_title", "seniority", "department", "budget_authority"],
}


def _pick_phone(phone: pl.Expr, mobile: pl.Expr) -> pl.Expr:
    """The direct line when valid, else the mobile number when valid, else the direct line's raw."""
    phone_ok = phone.struct.field("valid").fill_null(False)
    mobile_ok = mobile.struct.field("valid").fill_null(False)
    return pl.when(phone_ok).then(phone).when(mobile_ok).then(mobile).otherwise(phone)


def person_columns(
    frame: pl.LazyFrame,
    *,
    default_country: pl.Expr,
    date_order: pl.Expr | None = None,
) -> pl.LazyFrame:
    """Adds the canonical person/contact/company columns; expects every PERSON_FIELDS column."""
    c = pl.col
    raw_first, raw_last = c("first_name"), c("last_name")
    street, house_number = split_street_expr(c("street"), c("house_number"))
    # The contract's default country is only assumed for records that carry an address.
    has_address = pl.any_horizontal(
        [clean_text_expr(c(f)).is_not_null() for f in ("street", "house_number", "postcode", "city")]
    )
    step = frame.with_columns(
        _email=normalize_email_expr(c("email")),
        _country_code=country_code_expr(c("country"), pl.when(has_address).then(default_country)),
        _phone_text=clean_phone_text_expr(c("phone")),
        _mobile_text=clean_phone_text_expr(c("mobile_phone")),
        _birth_date=date_expr(c("birth_date"), date_order),
    )
    region = pl.coalesce(c("_country_code"), default_country, pl.lit("DE"))
    step = step.with_columns(
        _email_valid=email_valid_expr(c("_email")),
        _phone_parsed=parse_phone_expr(c("_phone_text"), region),
        _mobile_parsed=parse_phone_expr(c("_mobile_text"), region),
    ).with_columns(
        _phone_pick=_pick_phone(c("_phone_parsed"), c("_mobile_parsed")),
        _phone_raw_pick=pl.when(c("_phone_parsed").struct.field("valid").fill_null(False))
        .then(c("phone"))
        .when(c("_mobile_parsed").struct.field("valid").fill_null(False))
        .then(c("mobile_phone"))
        .otherwise(pl.coalesce(c("phone"), c("mobile_phone"))),
        _postcode=postcode_expr(c("postcode"), c("_country_code")),
    )
    domain = email_domain_expr(c("_email"))
    return step.with_columns(
        salutation=salutation_expr(c("salutation"), raw_first, raw_last),
        academic_title=academic_title_expr(c("academic_title"), c("salutation"), raw_first, raw_last),
        first_name=first_name_expr(raw_first),
        last_name=last_name_expr(raw_last),
        first_name_raw=raw_first,
        last_name_raw=raw_last,
        email=c("_email"),
        email_raw=c("email"),
        email_valid=c("_email_valid"),
        email_match_key=email_match_key_expr(c("_email"), c("_email_valid")),
        email_domain=domain,
        email_is_freemail=email_is_freemail_expr(domain).fill_null(False),
        email_is_role=email_is_role_expr(c("_email")).fill_null(False),
        phone=c("_phone_pick").struct.field("e164"),
        phone_raw=c("_phone_raw_pick"),
        phone_type=c("_phone_pick").struct.field("type"),
        phone_valid=c("_phone_pick").struct.field("valid").fill_null(False),
        street=street,
        house_number=house_number,
        postcode=c("_postcode"),
        postcode_valid=postcode_valid_expr(c("_postcode"), c("_country_code")),
        city=city_expr(c("city")),
        country_code=c("_country_code"),
        birth_date=c("_birth_date"),
        company=company_name_expr(c("company")),
        company_key=company_key_expr(c("company")),
        legal_form=legal_form_expr(c("company")),
        job_title=clean_text_expr(c("job_title")),
        seniority=seniority_expr(c("job_title")),
        department=department_expr(c("job_title")),
        budget_authority=budget_authority_expr(c("job_title")),
    ).drop(
        "_email", "_country_code", "_phone_text", "_mobile_text", "_birth_date", "_email_valid",
        "_phone_parsed", "_mobile_parsed", "_phone_pick", "_phone_raw_pick", "_postcode",
    )


def canonical_frame(df: pl.DataFrame, *, default_country: str = "DE") -> pl.DataFrame:
    """Normalized canonical columns for whichever person fields the frame has (text columns).

    Other columns pass through unchanged; person fields the frame lacks produce no output.
    """
    present = [f for f in PERSON_FIELDS if f in df.columns]
    missing = [pl.lit(None, pl.String).alias(f) for f in PERSON_FIELDS if f not in df.columns]
    inputs = df.lazy().with_columns(
        [pl.col(f).cast(pl.String) for f in present] + missing
    )
    out = person_columns(inputs, default_country=pl.lit(default_country)).collect()
    wanted: list[str] = []
    for field in present:
        for column in OUTPUTS_BY_FIELD[field]:
            if column not in wanted:
                wanted.append(column)
    passthrough = [c for c in df.columns if c not in PERSON_FIELDS and c not in wanted]
    return out.select(passthrough + wanted)
