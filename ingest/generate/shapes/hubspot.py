"""HubSpot contacts export (UTF-8 with BOM, HubSpot labels, lifecycle stage dates)."""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import reference
from ..behaviour import with_activity
from ..randomness import stream
from .common import COUNTRY_EN, bucket, choice, date, lit, quarter_file

HUBSPOT_COLUMNS = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name",
                   "Job Title", "Industry", "Number of Employees", "Street Address", "Postal Code", "City", "Country/Region",
                   "Lifecycle Stage", "Lead Status", "Original Source", "Create Date",
                   "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
                   "Became an Opportunity Date", "Became a Customer Date", "Last Activity Date", "Associated Company ID",
                   "Create Date", "Phone Number", "Opted out of email: Marketing Information",
                   "Opted out of email: Newsletter", "Opted out of email: Product Updates", "Unsubscribed from all email",
                   "Number of Pageviews", "Number of Sessions", "Marketing emails opened", "Marketing emails clicked",
                   "Number of Form Submissions", "HubSpot Score"]

def _funnel_dates(r: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """When a CRM contact became MQL/SQL/opportunity/customer, following the person's funnel depth."""
    n = r.height
    gaps = rng.exponential([6, 12, 20, 30, 15], size=(n, 5)).cumsum(axis=1) + 0.1
    # Everything happened before the export: squeeze the timeline into the time available.
    room_days = ((r["export_at"] - r["created_at"]).dt.total_hours().to_numpy() / 24.0).clip(0.5, None)
    gaps *= np.minimum(1.0, room_days / gaps[:, -1])[:, None]
    cols = {}
    for i, name in enumerate(["mql_at", "sql_at", "opportunity_at", "customer_at"]):
        cols[name] = pl.when(pl.col("funnel_depth") >= i + 1).then(
            pl.col("created_at") + pl.duration(minutes=lit(np.round(gaps[:, i] * 1440).astype(np.int64))))
    cols["last_activity_at"] = pl.col("created_at") + pl.duration(minutes=lit(np.round(gaps[:, 4] * 1440).astype(np.int64)))
    return r.with_columns(**cols)


def hubspot(r: pl.DataFrame, seed: int, suffix: str, tag: int) -> pl.DataFrame:
    """Lifecycle stage and "Became a ..." dates follow the person's funnel; company columns repeat labels."""
    rng = stream(seed, "shape_hubspot", tag)
    n = r.height
    r = with_activity(_funnel_dates(r, rng), seed)
    industries = reference.load("industries")
    hs = dict(zip(industries["industry"], industries["hubspot"]))
    stage = pl.col("funnel_depth").replace_strict({0: "lead", 1: "marketingqualifiedlead", 2: "salesqualifiedlead",
                                                   3: "opportunity", 4: "customer"})
    stage = pl.when((pl.col("segment") == "b2c") & (pl.col("funnel_depth") == 0) & lit(rng.random(n) < 0.5)).then(pl.lit("subscriber")).otherwise(stage)
    status = pl.when(pl.col("funnel_depth") == 0).then(choice(rng, ["NEW", "OPEN", "ATTEMPTED_TO_CONTACT", "UNQUALIFIED", ""], n)) \
        .otherwise(choice(rng, ["IN_PROGRESS", "CONNECTED", "OPEN_DEAL"], n))
    opt = rng.integers(0, 4, size=n)
    ts = "%Y-%m-%d %H:%M"

    def opt_col(k: int) -> pl.Expr:
        chosen = pl.col("crm_opt_out") & (lit(opt) == k)
        return pl.when(chosen).then(pl.lit("true")).when(lit(rng.random(n) < 0.6)).then(pl.lit("false"))

    out = r.with_columns(
        _file=quarter_file("crm_exports/hubspot", "hubspot_contacts", suffix),
        c0=pl.lit(f"5{tag:02d}") + pl.col("_rec").cast(pl.Utf8).str.zfill(8),
        c1=pl.col("first_name"), c2=pl.col("last_name"), c3=pl.col("email"), c4=pl.col("phone_fixed"),
        c5=pl.col("phone_mobile"), c6=pl.col("company"), c7=pl.col("job_title"),
        c8=pl.col("industry").replace_strict(hs, default=None),
        c9=bucket(pl.col("employee_count"), [5, 25, 50, 100, 500, 1000], ["1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"]),
        c10=pl.concat_str([pl.col("street"), pl.col("house_number")], separator=" ", ignore_nulls=True).replace("", None),
        c11=pl.col("postcode"), c12=pl.col("city"), c13=pl.col("country").replace_strict(COUNTRY_EN),
        c14=pl.when(lit(rng.random(n) < 0.03)).then(None).otherwise(stage), c15=status.replace("", None),
        c16=choice(rng, ["ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OFFLINE", "DIRECT_TRAFFIC"], n),
        c17=date(pl.col("created_at"), ts, "hubspot"),
        c18=pl.col("mql_at").dt.strftime(ts), c19=pl.col("sql_at").dt.strftime(ts),
        c20=pl.col("opportunity_at").dt.strftime(ts), c21=pl.col("customer_at").dt.strftime(ts),
        c22=pl.col("last_activity_at").dt.strftime(ts),
        c23=pl.when(pl.col("company_id") >= 0).then(pl.lit("9") + pl.col("company_id").cast(pl.Utf8).str.zfill(8)),
        c24=pl.when(pl.col("company_id") >= 0).then((pl.col("received_at") - pl.duration(days=pl.col("created_days_ago"))).dt.strftime(ts)),
        c25=pl.col("company_phone"),
        c26=opt_col(0), c27=opt_col(1), c28=opt_col(2), c29=opt_col(3),
        c30=pl.col("bh_page_views").cast(pl.Utf8), c31=pl.col("bh_web_visits").cast(pl.Utf8),
        c32=pl.col("bh_email_opens").cast(pl.Utf8), c33=pl.col("bh_email_clicks").cast(pl.Utf8),
        c34=pl.col("bh_form_submissions").cast(pl.Utf8), c35=pl.col("bh_source_score").cast(pl.Utf8),
    )
    return out.select("_file", "_rec", *[f"c{i}" for i in range(len(HUBSPOT_COLUMNS))])
