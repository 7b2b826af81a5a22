"""Turn true people into lead records: who appears where, when, and how misspelt.

Each record is a noisy copy of one person as a particular source would hold it. Field-level
dirt (invalid e-mails, impossible or future dates, missing contact data) is decided here;
line-level dirt (broken CSV lines, bad bytes) happens when files are written.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import phones, reference, text
from .randomness import pick_rowwise, stream
from .text import SPELLING_VARIANTS

SOURCES = ["adressdirekt", "leadsource_eu", "web_forms", "hubspot", "salesforce_api", "salesforce_report"]
# Where B2B and B2C people tend to show up.
SOURCE_WEIGHTS_B2B = np.array([0.17, 0.12, 0.30, 0.22, 0.13, 0.06])
SOURCE_WEIGHTS_B2C = np.array([0.33, 0.12, 0.43, 0.10, 0.015, 0.005])
# How many records a person has: ~60 % one, the rest two to five.
RECORDS_PER_PERSON = np.array([0.60, 0.20, 0.11, 0.06, 0.03])
HISTORY_DAYS = 540
DEFECT_RATES = {"invalid_email": 0.004, "impossible_date": 0.002, "future_date": 0.002, "no_contact_data": 0.003}


def _u(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.random(n))


def _k(rng: np.random.Generator, n: int, high: int) -> pl.Series:
    return pl.Series(rng.integers(0, high, size=n))


def assign_records(people: pl.DataFrame, seed: int, *, anchor: dt.date, stream_tag: int = 0,
                   counts: np.ndarray | None = None, start_days: int = HISTORY_DAYS, end_days: int = 1) -> pl.DataFrame:
    """One row per record: the person it belongs to, its source and creation time."""
    rng = stream(seed, "records", stream_tag)
    n = people.height
    if counts is None:
        counts = rng.choice(len(RECORDS_PER_PERSON), size=n, p=RECORDS_PER_PERSON) + 1
    person_idx = np.repeat(np.arange(n), counts)
    m = len(person_idx)
    b2b = (people["segment"].to_numpy() == "b2b")[person_idx]
    weights = np.where(b2b[:, None], SOURCE_WEIGHTS_B2B, SOURCE_WEIGHTS_B2C)
    # Promising people are more often known to sales.
    prop = people["propensity"].to_numpy()[person_idx]
    weights = weights * np.column_stack([np.ones(m)] * 3 + [1 + 2 * prop] * 3)
    source_idx = pick_rowwise(rng, weights)
    seconds_before = rng.integers(end_days * 86400, start_days * 86400, size=m)
    frame = pl.DataFrame({
        "person_idx": person_idx,
        "source": pl.Series(SOURCES).gather(pl.Series(source_idx, dtype=pl.UInt32)),
        "_seconds": seconds_before,
    }).with_columns(
        created_at=pl.lit(dt.datetime.combine(anchor, dt.time())) - pl.duration(seconds=pl.col("_seconds")),
    ).drop("_seconds")
    # Files are cut by when a record arrived, even when its own date field is wrong.
    return frame.with_columns(received_at=pl.col("created_at"))


# Person attributes a record starts from (the rest of the truth stays in people.parquet).
PERSON_FIELDS = [
    "person_id", "gender", "academic_title", "first_name", "middle_name", "last_name", "segment", "birth_date", "email",
    "street", "house_number", "postcode", "city", "country", "phone_cc", "fixed_ndc", "fixed_sub", "mobile_ndc",
    "mobile_sub", "true_phone_e164", "company_id", "company", "company_base", "legal_form", "legal_form_variants",
    "company_area_code", "switch_cc", "switch_sub", "created_days_ago", "employee_count", "industry", "job_title",
    "propensity", "funnel_depth", "crm_opt_out", "do_not_call",
]


def with_person_fields(records: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Copy each record's person attributes onto it."""
    idx = pl.Series(records["person_idx"].to_numpy(), dtype=pl.UInt32)
    return records.hstack(people.select(PERSON_FIELDS)[idx])


def vary(records: pl.DataFrame, seed: int, stream_tag: int = 0) -> pl.DataFrame:
    """Apply the spelling, format and completeness differences real sources show."""
    rng = stream(seed, "variation", stream_tag)
    n = records.height
    nick = reference.load("nicknames").group_by("first_name", maintain_order=True).first()
    letters = pl.Series(list("aeinrstlu")).gather(pl.Series(rng.integers(0, 9, size=n), dtype=pl.UInt32))
    r = records.with_columns(
        _u=_u(rng, n), _u2=_u(rng, n), _u3=_u(rng, n), _u4=_u(rng, n), _u5=_u(rng, n), _u6=_u(rng, n),
        _pos=_u(rng, n), _kind=_k(rng, n, 3), _letter=letters, _case=_k(rng, n, 3), _ws=_k(rng, n, 3) + 1,
        _pos2=_u(rng, n), _kind2=_k(rng, n, 3),
    )
    # Its own stream, so the other variations keep their draws.
    name_rng = stream(seed, "name_variation", stream_tag)
    r = r.with_columns(_u7=_u(name_rng, n), _u8=_u(name_rng, n), _spell=_k(name_rng, n, len(SPELLING_VARIANTS))).join(
        nick.rename({"nickname": "_nick"}), on="first_name", how="left", maintain_order="left").join(nick.rename({"nickname": "_nick"}), on="first_name", how="left", maintain_order="left")
    fn, ln = pl.col("first_name"), pl.col("last_name")
    u, u2, u3 = pl.col("_u"), pl.col("_u2"), pl.col("_u3")
    middle, u7, u8 = pl.col("middle_name"), pl.col("_u7"), pl.col("_u8")
    # How sources write the given names: the second one in full or as an initial on some forms,
    # a hyphenated one (Karl-Heinz) sometimes with a space.
    r = r.with_columns(_given=(
        pl.when(middle.is_not_null() & (u7 < 0.30)).then(fn + " " + middle)
        .when(middle.is_not_null() & (u7 < 0.40)).then(fn + " " + middle.str.slice(0, 1) + ".")
        .when(fn.str.contains("-", literal=True) & (u7 < 0.15)).then(fn.str.replace("-", " ", literal=True))
        .otherwise(fn)
    ))
    # A double surname is often cut to its first part, or written with a space.
    r = r.with_columns(_family=(
        pl.when(ln.str.contains("-", literal=True) & (u8 < 0.25)).then(ln.str.replace(r"-.*$", ""))
        .when(ln.str.contains("-", literal=True) & (u8 < 0.35)).then(ln.str.replace("-", " ", literal=True))
        .otherwise(ln)
    ))
    given, family = pl.col("_given"), pl.col("_family")
    fn_v = (
        pl.when(u < 0.03).then(text.one_edit_typo(given, pl.col("_pos"), pl.col("_kind"), pl.col("_letter")))
        # Respelt only where chosen (null elsewhere), which keeps the many replaces cheap.
        .when(u < 0.04).then(text.spelling_variant(pl.when((u >= 0.03) & (u < 0.04)).then(given), pl.col("_spell")))
        .when(u < 0.11).then(text.transliterate(given))
        .when((u < 0.14) & pl.col("_nick").is_not_null()).then(pl.col("_nick"))
        .when(u < 0.19).then(text.case_variant(given, pl.col("_case")))
        .when(u < 0.22).then(text.whitespace_variant(given, pl.col("_ws")))
        .otherwise(given)
    )
    ln_v = (
        pl.when(u2 < 0.03).then(text.one_edit_typo(family, pl.col("_pos2"), pl.col("_kind2"), pl.col("_letter")))
        .when(u2 < 0.045).then(text.spelling_variant(pl.when((u2 >= 0.03) & (u2 < 0.045)).then(family), pl.col("_spell")))
        .when(u2 < 0.125).then(text.transliterate(family))
        .when(u2 < 0.185).then(text.case_variant(family, pl.col("_case")))
        .when(u2 < 0.205).then(text.whitespace_variant(family, pl.col("_ws")))
        .otherwise(family)
    )
    swap = u3 < 0.015
    r = r.with_columns(_fn_v=fn_v, _ln_v=ln_v).with_columns(
        first_name=pl.when(swap).then(pl.col("_ln_v")).otherwise(pl.col("_fn_v")),
        last_name=pl.when(swap).then(pl.col("_fn_v")).otherwise(pl.col("_ln_v")))
    r = _vary_email(r, rng)
    r = _vary_phone(r, rng)
    r = _vary_company_and_address(r, rng)
    return r.drop([c for c in r.columns if c.startswith("_")])


def _vary_email(r: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = r.height
    tags = pl.Series(["news", "leads", "shop", "info", "spam"]).gather(pl.Series(rng.integers(0, 5, size=n), dtype=pl.UInt32))
    e = pl.col("email")
    local, domain = e.str.extract(r"^([^@]+)@"), e.str.extract(r"@(.+)$")
    u = pl.col("_u4")
    is_b2c = pl.col("segment") == "b2c"
    cap = local.str.slice(0, 1).str.to_uppercase() + local.str.slice(1)
    varied = (
        pl.when(u < 0.05).then(e.str.to_uppercase())
        .when(u < 0.10).then(cap + "@" + domain)
        .when((u < 0.16) & is_b2c).then(local + "+" + pl.lit(tags) + "@" + domain)
        .when((u < 0.19) & ~is_b2c).then(pl.lit("info@") + domain)  # shared role mailbox
        .when(u < 0.21).then(pl.lit(" ") + e)
        .otherwise(e)
    )
    missing = pl.col("_u5") < pl.when(pl.col("source").is_in(["adressdirekt", "leadsource_eu"])).then(0.12).otherwise(0.04)
    return r.with_columns(email=pl.when(missing).then(None).otherwise(varied))


def _vary_phone(r: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = r.height
    r = r.with_columns(
        _fmt_fixed=_k(rng, n, phones.FORMAT_COUNT), _fmt_mobile=_k(rng, n, phones.FORMAT_COUNT),
        _fmt_switch=_k(rng, n, phones.FORMAT_COUNT),
        _drop_fixed=_u(rng, n) < 0.2, _drop_mobile=_u(rng, n) < 0.15, _switch=_u(rng, n) < 0.04,
        _prefer_mobile=_u(rng, n) < 0.5,
    )
    fixed = pl.when(pl.col("fixed_sub").is_not_null() & ~pl.col("_drop_fixed")).then(
        phones.formatted("phone_cc", "fixed_ndc", "fixed_sub", "_fmt_fixed").str.strip_chars())
    switch = pl.when(pl.col("switch_sub").is_not_null()).then(
        phones.formatted("switch_cc", "company_area_code", "switch_sub", "_fmt_switch").str.strip_chars())
    mobile = pl.when(pl.col("mobile_sub").is_not_null() & ~pl.col("_drop_mobile")).then(
        phones.formatted("phone_cc", "mobile_ndc", "mobile_sub", "_fmt_mobile").str.strip_chars())
    # Business records sometimes carry the switchboard instead of a direct line.
    r = r.with_columns(phone_fixed=pl.when(pl.col("_switch") & (pl.col("segment") == "b2b")).then(switch).otherwise(fixed),
                       phone_mobile=mobile, company_phone=switch)
    return r.with_columns(
        phone=pl.when(pl.col("_prefer_mobile")).then(pl.coalesce("phone_mobile", "phone_fixed"))
        .otherwise(pl.coalesce("phone_fixed", "phone_mobile")))


def _vary_company_and_address(r: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = r.height
    r = r.with_columns(_uc=_u(rng, n), _uv=_k(rng, n, 100), _us=_u(rng, n), _sv=_k(rng, n, 3), _um=_u(rng, n))
    base, form = pl.col("company_base"), pl.col("legal_form")
    variant = pl.col("legal_form_variants").list.get(pl.col("_uv") % pl.col("legal_form_variants").list.len(), null_on_oob=True)
    u = pl.col("_uc")
    company = (
        pl.when(u < 0.15).then(base + " " + variant)
        .when(u < 0.22).then(base.str.to_uppercase())
        .when(u < 0.30).then(base)
        .when(u < 0.33).then(text.transliterate(base) + " " + form)
        .otherwise(pl.col("company"))
    )
    street = pl.col("street")
    street_v = (
        pl.when(pl.col("_sv") == 0).then(street.str.replace("straße$", "str.").str.replace("Straße$", "Str."))
        .when(pl.col("_sv") == 1).then(street.str.replace("(?i)straße", "strasse"))
        .otherwise(street.str.replace("straße$", "str"))
    )
    um = pl.col("_um")
    return r.with_columns(
        company=pl.when(pl.col("segment") == "b2b").then(company),
        street=pl.when(pl.col("_us") < 0.25).then(street_v).otherwise(street),
        job_title=pl.when(um < 0.12).then(None).otherwise("job_title"),
        industry=pl.when(um > 0.85).then(None).otherwise("industry"),
    )


def assign_field_defects(r: pl.DataFrame, seed: int, *, anchor: dt.date, stream_tag: int = 0) -> pl.DataFrame:
    """Mark and apply field-level dirt at small rates (one defect per record at most)."""
    rng = stream(seed, "field_defects", stream_tag)
    n = r.height
    u = rng.random(n)
    edges = np.cumsum(list(DEFECT_RATES.values()))
    code = np.searchsorted(edges, u, side="right")
    names = np.array([*DEFECT_RATES, ""])
    defect = pl.Series(names[np.minimum(code, len(DEFECT_RATES))]).replace("", None)
    kinds = pl.Series(rng.integers(0, 3, size=n))
    r = r.with_columns(defect=defect, _k=kinds)
    # An invalid e-mail needs an e-mail to break; records without one stay clean.
    r = r.with_columns(defect=pl.when((pl.col("defect") == "invalid_email") & pl.col("email").is_null())
                       .then(None).otherwise("defect"))
    e = pl.col("email")
    broken = (pl.when(pl.col("_k") == 0).then(e.str.replace("@", ""))
              .when(pl.col("_k") == 1).then(e.str.replace(r"\.([a-z]+)$", "..$1"))
              .otherwise(e.str.replace("@", " @")))
    none = pl.col("defect") == "no_contact_data"
    future = pl.lit(dt.datetime.combine(anchor, dt.time())) + pl.duration(days=pl.lit(pl.Series(rng.integers(30, 900, size=n))))
    return r.with_columns(
        created_at=pl.when(pl.col("defect") == "future_date").then(future).otherwise("created_at"),
        email=pl.when(pl.col("defect") == "invalid_email").then(broken).when(none).then(None).otherwise(e),
        phone=pl.when(none).then(None).otherwise("phone"),
        phone_fixed=pl.when(none).then(None).otherwise("phone_fixed"),
        phone_mobile=pl.when(none).then(None).otherwise("phone_mobile"),
        street=pl.when(none).then(None).otherwise("street"),
        house_number=pl.when(none).then(None).otherwise("house_number"),
    ).drop("_k")
