"""The true people (and their employers) behind the generated lead records.

Everything here is ground truth: the records written to landing files are noisy views of
these rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import behaviour, names, phones, reference, text
from .randomness import pick_weighted, stream

SENIORITY_EFFECT = {"c_level": 1.5, "director": 1.2, "head": 1.0, "manager": 0.4, "staff": -0.3, "student": -1.2}
FUNNEL_STAGES = ["lead", "mql", "sql", "opportunity", "customer"]
COMMON_NAMES = [("Thomas", "Müller", "m"), ("Michael", "Schmidt", "m"), ("Sabine", "Meyer", "f"), ("Andreas", "Schneider", "m")]
TLD = {"DE": ".de", "AT": ".at", "CH": ".ch", "EU": ".com"}


def _gather(values: pl.Series, idx: np.ndarray) -> pl.Series:
    return values.gather(pl.Series(idx, dtype=pl.UInt32))


def _addresses(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Random street addresses with real city/postcode ranges and the city's area code."""
    cities = reference.load("cities")
    streets = reference.load("streets")["street"]
    ci = pick_weighted(rng, n, reference.probabilities(cities))
    lo = cities["plz_from"].to_numpy()[ci]
    hi = cities["plz_to"].to_numpy()[ci]
    step = cities["plz_step"].to_numpy()[ci]
    plz = lo + (rng.integers(0, 1 << 30, size=n) % ((hi - lo) // step + 1)) * step
    country = _gather(cities["country"], ci)
    number = rng.integers(1, 160, size=n).astype(str)
    letter = np.where(rng.random(n) < 0.08, np.array(["a", "b", "c"])[rng.integers(0, 3, size=n)], "")
    return pl.DataFrame({
        "street": _gather(streets, rng.integers(0, len(streets), size=n)),
        "house_number": pl.Series(number) + pl.Series(letter),
        "postcode": pl.select(pl.when(country == "DE").then(pl.lit(pl.Series(plz)).cast(pl.Utf8).str.zfill(5))
                              .otherwise(pl.lit(pl.Series(plz)).cast(pl.Utf8))).to_series(),
        "city": _gather(cities["city"], ci),
        "country": country,
        "area_code": _gather(cities["area_code"], ci),
    })


def company_count(people: int) -> int:
    """Size of the employer pool for a population."""
    return max(5, people // 4)


def build_companies(seed: int, n: int) -> pl.DataFrame:
    """Companies with legal form, domain, industry, size, address and switchboard number."""
    rng = stream(seed, "companies")
    industries = reference.load("industries")
    forms = reference.load("legal_forms")
    words = reference.load("company_words")["word"]
    surnames = names.surnames().filter(pl.col("origin") == "DE")
    ii = pick_weighted(rng, n, reference.probabilities(industries))
    addr = _addresses(rng, n)
    domestic = forms["country"].is_in(["DE", "EU"]).to_numpy()
    fi = np.flatnonzero(domestic)[pick_weighted(rng, n, reference.probabilities(forms.filter(domestic)))]
    # Austrian and Swiss companies carry their own country's legal form.
    for country in ("AT", "CH"):
        fi = np.where(addr["country"].to_numpy() == country, np.flatnonzero(forms["country"].to_numpy() == country)[0], fi)
    sector_lists = industries["sector_words"].str.split("|")
    sector = pl.DataFrame({"l": _gather(sector_lists, ii), "k": rng.integers(0, 1000, size=n)}).select(
        pl.col("l").list.get(pl.col("k") % pl.col("l").list.len())).to_series()
    use_surname = rng.random(n) < 0.3
    word = pl.select(pl.when(pl.Series(use_surname)).then(_gather(surnames["last_name"], pick_weighted(rng, n, reference.probabilities(surnames))))
                     .otherwise(_gather(words, rng.integers(0, len(words), size=n)))).to_series()
    form_country = _gather(forms["country"], fi)
    employees = np.clip(np.round(rng.lognormal(3.4, 1.6, size=n)), 1, 250_000).astype(np.int64)
    df = pl.DataFrame({
        "company_id": np.arange(n, dtype=np.int64),
        "company_base": (word + " " + sector),
        "legal_form": _gather(forms["legal_form"], fi),
        "legal_form_variants": _gather(forms["variants"].str.split("|"), fi),
        "form_country": form_country,
        "industry_idx": ii,
        "employee_count": employees,
    }).hstack(addr.rename({c: f"company_{c}" for c in addr.columns}))
    df = df.with_columns(
        company=pl.col("company_base") + " " + pl.col("legal_form"),
        domain_label=text.slug(pl.col("company_base").str.replace(r" .*$", "")) + pl.lit("-")
        + text.slug(pl.col("company_base").str.replace(r"^\S+ ", "")),
    )
    df = df.with_columns(
        domain_label=pl.when(pl.int_range(pl.len()).over("domain_label") > 0)
        .then(pl.col("domain_label") + pl.int_range(pl.len()).over("domain_label").cast(pl.Utf8))
        .otherwise(pl.col("domain_label")),
    ).with_columns(
        company_domain=pl.col("domain_label") + pl.col("form_country").replace_strict(TLD, default=".de"),
        switch_cc=pl.col("company_country").replace_strict(phones.COUNTRY_CODES),
        created_days_ago=pl.Series(rng.integers(400, 3000, size=n)),
    )
    sub = phones.fixed_line_subscriber(rng, df["company_area_code"], df["company_country"])
    # Switchboards end in 0 like real "-0" central numbers.
    return df.with_columns(switch_sub=sub.str.slice(0, sub.str.len_chars() - 1) + "0").drop("domain_label")


def _email_local(rng: np.random.Generator, first: pl.Expr, last: pl.Expr, n: int, freemail: bool) -> pl.Expr:
    """Local part from slugged first/last name, in the patterns companies and people use."""
    k = pl.lit(pl.Series(rng.integers(0, 5, size=n)))
    digits = pl.lit(pl.Series(rng.integers(1, 99, size=n))).cast(pl.Utf8)
    year = pl.lit(pl.Series(rng.integers(60, 100, size=n))).cast(pl.Utf8)
    if freemail:
        return (pl.when(k == 0).then(first + "." + last).when(k == 1).then(first + last + digits)
                .when(k == 2).then(first.str.slice(0, 1) + "." + last + year).when(k == 3).then(last + "." + first)
                .otherwise(first + "_" + last))
    return (pl.when(k <= 1).then(first + "." + last).when(k == 2).then(first.str.slice(0, 1) + "." + last)
            .when(k == 3).then(first.str.slice(0, 1) + last).otherwise(last))


def build_people(seed: int, n: int, *, anchor: dt.date, id_prefix: str = "P", stream_tag: int = 0,
                 company_pool: pl.DataFrame | None = None) -> pl.DataFrame:
    """n true people with names, contact data, employer, propensity and funnel outcome."""
    rng = stream(seed, "people", stream_tag)
    titles = reference.load("job_titles")
    industries = reference.load("industries")
    freemail = reference.load("freemail_domains")
    companies = company_pool if company_pool is not None else build_companies(seed, company_count(n))
    n_companies = companies.height

    person_names = names.draw_names(stream(seed, "names", stream_tag), n)
    b2b = rng.random(n) < 0.7
    # A few employers with many contacts, most with one to three.
    zipf = 1.0 / np.arange(1, n_companies + 1) ** 0.4
    ci = pick_weighted(rng, n, zipf / zipf.sum())
    ti = pick_weighted(rng, n, reference.probabilities(titles))
    home = _addresses(rng, n)
    people = pl.DataFrame({
        "person_id": id_prefix + pl.Series(np.arange(n)).cast(pl.Utf8).str.zfill(8),
        "segment": np.where(b2b, "b2b", "b2c"),
        "company_id": np.where(b2b, ci, -1),
        "title_idx": ti,
    }).hstack(person_names).hstack(home)
    # A few namesakes: the same very common name lives in several different cities.
    # A namesake needs a second bearer: each common name goes to at least two people.
    share = max(2 * len(COMMON_NAMES), round(0.004 * n))
    namesake = np.zeros(n, dtype=bool)
    if n >= share:
        namesake[rng.choice(n, size=share, replace=False)] = True
    pick = (np.cumsum(namesake) - 1) % len(COMMON_NAMES)
    people = people.with_columns(
        first_name=pl.when(pl.Series(namesake)).then(pl.Series([COMMON_NAMES[i][0] for i in range(4)]).gather(pick)).otherwise("first_name"),
        last_name=pl.when(pl.Series(namesake)).then(pl.Series([COMMON_NAMES[i][1] for i in range(4)]).gather(pick)).otherwise("last_name"),
        gender=pl.when(pl.Series(namesake)).then(pl.Series([COMMON_NAMES[i][2] for i in range(4)]).gather(pick)).otherwise("gender"),
    )
    people = people.join(companies, on="company_id", how="left").sort("person_id")
    is_b2b = pl.col("segment") == "b2b"
    people = people.with_columns(
        job_title=pl.when(is_b2b).then(_gather(titles["job_title"], ti)),
        seniority=pl.when(is_b2b).then(_gather(titles["seniority"], ti)),
        budget_authority=pl.when(is_b2b).then(_gather(titles["budget_authority"], ti) == 1),
        industry=pl.when(is_b2b).then(pl.lit(industries["industry"]).gather(pl.col("industry_idx").fill_null(0))),
        target_industry=pl.when(is_b2b).then(pl.lit(industries["target"]).gather(pl.col("industry_idx").fill_null(0)) == 1)
        .otherwise(False),
        # Business people are reached at the company address.
        street=pl.when(is_b2b).then("company_street").otherwise("street"),
        house_number=pl.when(is_b2b).then("company_house_number").otherwise("house_number"),
        postcode=pl.when(is_b2b).then("company_postcode").otherwise("postcode"),
        city=pl.when(is_b2b).then("company_city").otherwise("city"),
        country=pl.when(is_b2b).then("company_country").otherwise("country"),
        area_code=pl.when(is_b2b).then("company_area_code").otherwise("area_code"),
        academic_title=pl.lit(pl.Series(np.where(rng.random(n) < 0.05, np.where(rng.random(n) < 0.2, "Prof. Dr.", "Dr."), ""))).replace("", None),
        birth_date=pl.lit(anchor) - pl.duration(days=pl.lit(pl.Series(rng.integers(19 * 365, 67 * 365, size=n)))),
    )
    people = _households(rng, people)
    people = _contact_data(rng, people, freemail)
    people = people.with_columns(intent=pl.Series(np.round(behaviour.intent(people["person_id"], seed), 4)))
    return _propensity(rng, people)


def _households(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Some private people share a home (and last name) with another private person."""
    n = people.height
    seg = people["segment"].to_numpy()
    b2c = np.flatnonzero(seg == "b2c")
    if len(b2c) < 4:
        return people.with_columns(household_of=pl.lit(None, dtype=pl.Utf8), _household_idx=pl.Series(np.arange(n)))
    joins = rng.random(len(b2c)) < 0.08
    members, others = b2c[joins], b2c[~joins]
    # A household's head is never itself a member of another one, so members copy final values.
    heads = others[rng.integers(0, len(others), size=len(members))]
    source = np.arange(n)
    source[members] = heads
    shared = ["last_name", "street", "house_number", "postcode", "city", "country", "area_code"]
    moved = people.select(shared)[source]
    ids = people["person_id"]
    return people.with_columns([moved[c] for c in shared]).with_columns(
        household_of=pl.when(pl.lit(pl.Series(source != np.arange(n)))).then(pl.lit(ids.gather(pl.Series(source, dtype=pl.UInt32)))),
        _household_idx=pl.Series(source))


def _contact_data(rng: np.random.Generator, people: pl.DataFrame, freemail: pl.DataFrame) -> pl.DataFrame:
    n = people.height
    b2b = (people["segment"] == "b2b").to_numpy()
    fm = _gather(freemail["domain"], pick_weighted(rng, n, reference.probabilities(freemail)))
    local_b2b = _email_local(rng, pl.col("_f"), pl.col("_l"), n, freemail=False)
    local_b2c = _email_local(rng, pl.col("_f"), pl.col("_l"), n, freemail=True)
    people = people.with_columns(_f=text.slug(pl.col("first_name")), _l=text.slug(pl.col("last_name"))).with_columns(
        _local=pl.when(pl.col("segment") == "b2b").then(local_b2b).otherwise(local_b2c),
        _domain=pl.when(pl.col("segment") == "b2b").then(pl.col("company_domain")).otherwise(pl.lit(fm)),
    ).with_columns(_email=pl.col("_local") + "@" + pl.col("_domain"))
    # Two people never own the same mailbox: later ones get a number appended.
    dup = pl.int_range(pl.len()).over("_email")
    people = people.with_columns(
        email=pl.when(dup > 0).then(pl.col("_local") + dup.cast(pl.Utf8) + "@" + pl.col("_domain")).otherwise("_email"),
    ).drop("_local", "_domain", "_email", "_f", "_l")
    cc = people["country"].replace_strict(phones.COUNTRY_CODES)
    mobile_prefix, mobile_sub = phones.mobile_numbers(rng, people["country"])
    fixed_sub = phones.fixed_line_subscriber(rng, people["area_code"], people["country"])
    has_fixed = rng.random(n) < np.where(b2b, 0.7, 0.45)
    # Most family members share the home landline.
    head = people["_household_idx"].to_numpy()
    shares_line = (head != np.arange(n)) & (rng.random(n) < 0.7)
    line_owner = np.where(shares_line, head, np.arange(n))
    fixed_sub = fixed_sub.gather(pl.Series(line_owner, dtype=pl.UInt32))
    has_fixed = has_fixed[line_owner]
    has_mobile = rng.random(n) < np.where(b2b, 0.5, 0.7)
    has_email = rng.random(n) < 0.96
    nothing = ~(has_fixed | has_mobile | has_email)
    has_email |= nothing
    people = people.with_columns(
        phone_cc=cc, fixed_ndc=pl.col("area_code"), fixed_sub=pl.when(pl.lit(pl.Series(has_fixed))).then(pl.lit(fixed_sub)),
        mobile_ndc=pl.lit(mobile_prefix), mobile_sub=pl.when(pl.lit(pl.Series(has_mobile))).then(pl.lit(mobile_sub)),
        email=pl.when(pl.lit(pl.Series(has_email))).then("email"),
    )
    return people.drop("_household_idx").with_columns(
        true_fixed_e164=pl.when(pl.col("fixed_sub").is_not_null()).then(phones.e164("phone_cc", "fixed_ndc", "fixed_sub")),
        true_mobile_e164=pl.when(pl.col("mobile_sub").is_not_null()).then(phones.e164("phone_cc", "mobile_ndc", "mobile_sub")),
    ).with_columns(
        true_phone_e164=pl.when(pl.col("segment") == "b2b").then(pl.coalesce("true_fixed_e164", "true_mobile_e164"))
        .otherwise(pl.coalesce("true_mobile_e164", "true_fixed_e164")),
        switchboard_e164=pl.when(pl.col("switch_sub").is_not_null()).then(phones.e164("switch_cc", "company_area_code", "switch_sub")),
    )


def _propensity(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Hidden buying propensity and the sales funnel stage it leads to."""
    n = people.height
    score = (
        people["seniority"].replace_strict(SENIORITY_EFFECT, default=0.0).to_numpy()
        + np.where(people["target_industry"].to_numpy(), 0.9, 0.0)
        + np.where(people["segment"].to_numpy() == "b2c", -1.6, 0.0)
        + 0.15 * np.log10(people["employee_count"].fill_null(1).to_numpy().astype(float))
        + rng.normal(0.0, 0.6, size=n) - 1.6
        + behaviour.INTENT_EFFECT * people["intent"].to_numpy()
    )
    p = 1.0 / (1.0 + np.exp(-score))
    step = rng.random((n, 4))
    reach = np.column_stack([step[:, 0] < np.minimum(1, 1.4 * p), step[:, 1] < 0.45 + 0.4 * p,
                             step[:, 2] < 0.35 + 0.45 * p, step[:, 3] < 0.3 + 0.5 * p])
    depth = np.cumprod(reach, axis=1).sum(axis=1)
    return people.with_columns(
        propensity=pl.Series(np.round(p, 4)),
        funnel_depth=pl.Series(depth),
        funnel_stage=pl.Series(np.array(FUNNEL_STAGES)[depth]),
        converted=pl.Series(depth >= 3),
        crm_opt_out=pl.Series(rng.random(n) < 0.05),
        do_not_call=pl.Series(rng.random(n) < 0.03),
    )
