"""Salesforce leads: API export (API names, UTF-8) and report export (labels, cp1252)."""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import reference
from ..behaviour import with_activity
from ..randomness import stream
from .common import (
    COUNTRY_EN,
    base62_ids,
    choice,
    cp1252,
    date,
    impossible,
    lit,
    month_file,
    quarter_file,
    salutation,
)

SALESFORCE_API_COLUMNS = ["Id", "Salutation", "FirstName", "LastName", "Email", "Phone", "MobilePhone", "Company", "Title",
                          "Industry", "NumberOfEmployees", "Street", "PostalCode", "City", "Country", "LeadSource", "Status",
                          "Rating", "CreatedDate", "IsConverted", "ConvertedDate", "HasOptedOutOfEmail", "DoNotCall",
                          "pi__score__c", "pi__grade__c"]
# Labels of a Lead report exported as CSV (Salesforce Lead field labels; checkboxes as TRUE/FALSE).
SALESFORCE_REPORT_COLUMNS = ["Lead ID", "Salutation", "First Name", "Last Name", "Email", "Phone", "Mobile", "Company / Account",
                             "Title", "Industry", "No. of Employees", "Street", "Zip/Postal Code", "City", "Country",
                             "Lead Source", "Status", "Rating", "Created Date", "Converted", "Converted Date",
                             "Email Opt Out", "Do Not Call", "Pardot Score", "Pardot Grade", "State/Province",
                             "Campaign Membership Count"]

def _salesforce_common(r: pl.DataFrame, rng: np.random.Generator, seed: int) -> pl.DataFrame:
    """Status, rating and conversion as both Salesforce exports show them; the Pardot score and grade."""
    n = r.height
    industries = reference.load("industries")
    sf = dict(zip(industries["industry"], industries["salesforce"]))
    status = (pl.when(pl.col("funnel_depth") >= 3).then(pl.lit("Closed - Converted"))
              .when(pl.col("funnel_depth") >= 1).then(pl.lit("Working - Contacted"))
              .when(lit(rng.random(n) < 0.5)).then(pl.lit("Open - Not Contacted"))
              .otherwise(pl.lit("Closed - Not Converted")))
    rating = (pl.when(pl.col("propensity") > 0.5).then(pl.lit("Hot")).when(pl.col("propensity") > 0.2).then(pl.lit("Warm"))
              .otherwise(pl.lit("Cold")))
    converted_at = pl.min_horizontal(
        pl.col("created_at") + pl.duration(hours=lit(np.round(rng.exponential(30, size=n) * 24).astype(np.int64))),
        pl.col("export_at") - pl.duration(hours=1))
    return with_activity(r, seed).with_columns(
        sf_salutation=pl.when(pl.col("academic_title").is_not_null() & lit(rng.random(n) < 0.5)).then(pl.lit("Dr."))
        .otherwise(salutation({"m": "Mr.", "f": "Ms."})),
        sf_company=pl.coalesce(pl.col("company"), pl.lit("[nicht angegeben]")),
        sf_industry=pl.col("industry").replace_strict(sf, default=None),
        sf_street=pl.concat_str([pl.col("street"), pl.col("house_number")], separator=" ", ignore_nulls=True).replace("", None),
        sf_country=pl.when(lit(rng.random(n) < 0.3)).then(pl.col("country")).otherwise(pl.col("country").replace_strict(COUNTRY_EN)),
        sf_source=choice(rng, ["Web", "Purchased List", "Trade Show", "Partner Referral", "Phone Inquiry", "Other"], n,
                          [0.4, 0.15, 0.15, 0.1, 0.1, 0.1]),
        sf_status=status,
        sf_rating=pl.when(lit(rng.random(n) < 0.2)).then(None).otherwise(rating),
        sf_converted=pl.col("funnel_depth") >= 3,
        sf_converted_at=pl.when(pl.col("funnel_depth") >= 3).then(converted_at),
    )


def salesforce_api(r: pl.DataFrame, seed: int, suffix: str, tag: int) -> pl.DataFrame:
    """18-character ids, ISO timestamps, true/false booleans."""
    rng = stream(seed, "shape_salesforce_api", tag)
    r = _salesforce_common(r, rng, seed)
    tf = lambda e: pl.when(e).then(pl.lit("true")).otherwise(pl.lit("false"))  # noqa: E731
    body = base62_ids(r["_rec"].to_numpy() + tag * 62**7, 10)
    out = r.with_columns(
        _file=month_file("crm_exports/salesforce", "salesforce_leads", suffix, "csv"),
        Id=pl.lit("00Q7Q") + pl.lit(body) + pl.lit("QAA"), Salutation=pl.col("sf_salutation"),
        FirstName=pl.col("first_name"), LastName=pl.col("last_name"), Email=pl.col("email"), Phone=pl.col("phone_fixed"),
        MobilePhone=pl.col("phone_mobile"), Company=pl.col("sf_company"), Title=pl.col("job_title"),
        Industry=pl.col("sf_industry"), NumberOfEmployees=pl.col("employee_count").cast(pl.Utf8),
        Street=pl.col("sf_street"), PostalCode=pl.col("postcode"), City=pl.col("city"), Country=pl.col("sf_country"),
        LeadSource=pl.col("sf_source"), Status=pl.col("sf_status"), Rating=pl.col("sf_rating"),
        CreatedDate=date(pl.col("created_at"), "%Y-%m-%dT%H:%M:%S.000+0000", "sf_api"),
        IsConverted=tf(pl.col("sf_converted")), ConvertedDate=pl.col("sf_converted_at").dt.strftime("%Y-%m-%d"),
        HasOptedOutOfEmail=tf(pl.col("crm_opt_out")), DoNotCall=tf(pl.col("do_not_call")),
        pi__score__c=pl.col("bh_source_score").cast(pl.Utf8), pi__grade__c=pl.col("bh_source_grade"),
    )
    return out.select("_file", "_rec", *SALESFORCE_API_COLUMNS)


def _report_region(rng: np.random.Generator, n: int) -> pl.Expr:
    """State/Province as reps type it: the city's state or canton, often left empty, sometimes a
    "." to get past a required field (1,267 of 10,000 rows in a public Pardot-era report)."""
    cities = reference.load("cities")
    region = pl.col("city").replace_strict(dict(zip(cities["city"], cities["region"])), default=None)
    draw = lit(rng.random(n))
    return pl.when(draw < 0.1).then(pl.lit(".")).when(draw < 0.22).then(None).otherwise(region)


def salesforce_report(r: pl.DataFrame, seed: int, suffix: str, tag: int) -> pl.DataFrame:
    """15-character ids, M/D/YYYY dates, thousands separators, TRUE/FALSE checkboxes."""
    rng = stream(seed, "shape_salesforce_report", tag)
    r = _salesforce_common(r, rng, seed)
    us = lambda e: (e.dt.month().cast(pl.Utf8) + "/" + e.dt.day().cast(pl.Utf8) + "/" + e.dt.year().cast(pl.Utf8))  # noqa: E731
    bit = lambda e: pl.when(e).then(pl.lit("TRUE")).otherwise(pl.lit("FALSE"))  # noqa: E731
    body = base62_ids(r["_rec"].to_numpy() + (tag + 1000) * 62**7, 10)
    thousands = pl.col("employee_count").cast(pl.Utf8).str.replace(r"(\d)(\d{3})$", "$1,$2").str.replace(r"(\d)(\d{3}),", "$1,$2,")
    out = r.with_columns(
        _file=quarter_file("crm_exports/salesforce", "lead_report", suffix),
        c0=pl.lit("00Q7Q") + pl.lit(body) + pl.lit(""), c1=pl.col("sf_salutation"), c2=pl.col("first_name"),
        c3=pl.col("last_name"), c4=pl.col("email"), c5=pl.col("phone_fixed"), c6=pl.col("phone_mobile"),
        c7=pl.col("sf_company"), c8=pl.col("job_title"), c9=pl.col("sf_industry"), c10=thousands,
        c11=pl.col("sf_street"), c12=pl.col("postcode"), c13=pl.col("city"), c14=pl.col("sf_country"),
        c15=pl.col("sf_source"), c16=pl.col("sf_status"), c17=pl.col("sf_rating"),
        c18=pl.when(pl.col("defect") == "impossible_date").then(impossible("us")).otherwise(us(pl.col("created_at"))),
        c19=bit(pl.col("sf_converted")), c20=us(pl.col("sf_converted_at")),
        c21=bit(pl.col("crm_opt_out")), c22=bit(pl.col("do_not_call")),
        c23=pl.col("bh_source_score").cast(pl.Utf8), c24=pl.col("bh_source_grade"),
        c25=_report_region(rng, r.height), c26=pl.col("bh_campaign_memberships").cast(pl.Utf8),
    )
    cols = [f"c{i}" for i in range(len(SALESFORCE_REPORT_COLUMNS))]
    return cp1252(out.select("_file", "_rec", *cols), cols)
