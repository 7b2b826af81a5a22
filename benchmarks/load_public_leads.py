"""Load a public lead export with known outcomes into a core warehouse, the shape the pipeline
writes (core.lead_records, core.lead_identity, core.golden_leads; empty touchpoints and
consents), so the conversion model and the dbt marts can be measured on data we did not make.

    .venv/bin/python benchmarks/load_public_leads.py LEADS.csv WAREHOUSE.duckdb [--format xeducation]

Format `xeducation`: the public "X Education" Leads.csv (9,240 leads of an online-course
provider, `Converted` 0/1; copies in many public GitHub repositories, e.g.
KeerthanaDS1994/LEAD-SCORING-CASE-STUDY---Keerthana-DS/Leads.csv). Columns are mapped as a contract
would map them (docs/data_contracts.md, contract format v2):

    Prospect ID -> source_record_id, Lead Number -> crm_id, Lead Origin -> lead_origin,
    Lead Source -> lead_source, TotalVisits -> web_visits, Total Time Spent on Website ->
    time_on_site_seconds, Page Views Per Visit -> page_views (= visits x per visit),
    Last Activity -> last_activity_type, What is your current occupation -> occupation,
    Do Not Email / Do Not Call -> do_not_email / do_not_call, Country -> country_code, City -> city,
    Converted -> outcome (1 converted, 0 lost). "Select" (the form's unanswered default) is empty.

Format `demo`: LEADS is a landing folder written by `leadwerk generate` (its ground_truth/ beside
it names each record's person, the lead id here). Its HubSpot and Salesforce exports are mapped
by the headers of docs/data_contracts.md: sessions, page views, e-mail opens and clicks, form
submissions, the HubSpot / Pardot score; the outcome from Salesforce `Status` (Closed - Converted /
Closed - Not Converted) and HubSpot `Lifecycle Stage` (opportunity, customer) / `Lead Status`
(UNQUALIFIED = lost). This measures the model on generated data before normalization reads the
new columns.

Left out on purpose, because sales writes them after following a lead up (they would leak the
outcome into any score): Tags, Lead Quality, Lead Profile, the four Asymmetrique indices and
scores, and Last Notable Activity (it records the latest notable event up to export, including
sales' own calls and e-mails; 'Modified' for 37% of leads). Form answers with no canonical column
(Specialization, How did you hear, What matters most, the newspaper / magazine flags, the free
copy) are not mapped either.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dbt"))

from fixture_warehouse import (  # noqa: E402
    CONSENT_RECORD_COLUMNS,
    GOLDEN_COLUMNS,
    LEAD_IDENTITY_COLUMNS,
    LEAD_RECORD_COLUMNS,
    SURVIVED_FIELDS,
    TOUCHPOINT_COLUMNS,
)

from ingest.normalize.address import country_code_expr  # noqa: E402
from ingest.tables import POLARS_TYPES  # noqa: E402

LOADED_AT = datetime(2025, 6, 30, 12, 0, 0)
PLACEHOLDERS = ["Select", "select", ""]
_TYPES = POLARS_TYPES


def _text(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    return pl.when(value.is_in(PLACEHOLDERS) | value.is_null()).then(None).otherwise(value)


def _number(column: str) -> pl.Expr:
    return _text(column).cast(pl.Float64, strict=False)


def _yes(column: str) -> pl.Expr:
    return _text(column).str.to_lowercase().is_in(["yes", "1", "true"])


def activity_code(column: str) -> pl.Expr:
    """"Email Opened" -> email_opened, as normalization codes last_activity_type."""
    return (_text(column).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "_")
            .str.strip_chars("_"))


def xeducation_records(raw: pl.DataFrame, source_system: str) -> pl.DataFrame:
    converted = _text("Converted")
    mapped = raw.select(
        (pl.lit(f"{source_system}:") + pl.col("Prospect ID")).alias("record_id"),
        ("lead-" + pl.col("Lead Number")).alias("lead_id"),
        pl.col("Prospect ID").alias("source_record_id"),
        pl.col("Lead Number").alias("crm_id"),
        _text("Lead Origin").alias("lead_origin"),
        _text("Lead Source").alias("lead_source"),
        _number("TotalVisits").alias("web_visits"),
        _number("Total Time Spent on Website").alias("time_on_site_seconds"),
        (_number("TotalVisits") * _number("Page Views Per Visit")).alias("page_views"),
        activity_code("Last Activity").alias("last_activity_type"),
        _text("What is your current occupation").alias("occupation"),
        _yes("Do Not Email").alias("do_not_email"),
        _yes("Do Not Call").alias("do_not_call"),
        country_code_expr(_text("Country")).alias("country_code"),
        _text("Country").alias("_country_text"),
        _text("City").alias("city"),
        pl.when(converted == "1").then(pl.lit("converted"))
        .when(converted == "0").then(pl.lit("lost")).alias("outcome"),
    ).with_row_index("source_row", offset=2)
    return mapped


_DEMO_FIELDS = {  # canonical column -> headers of the demo exports (first present wins)
    "web_visits": ["Number of Sessions"],
    "page_views": ["Number of Pageviews"],
    "email_opens": ["Marketing emails opened"],
    "email_clicks": ["Marketing emails clicked"],
    "form_submissions": ["Number of Form Submissions"],
    "source_score": ["HubSpot Score", "pi__score__c", "Pardot Score"],
    "source_grade": ["pi__grade__c", "Pardot Grade"],
    "industry": ["Industry"],
    "employee_count": ["NumberOfEmployees", "No. of Employees"],
    "_country": ["Country/Region", "Country"],
    "lead_source": ["Original Source", "LeadSource", "Lead Source"],
    "_status": ["Status", "Lead Status"],
    "_stage": ["Lifecycle Stage"],
}
_DEMO_OUTCOMES = {"closed - converted": "converted", "closed - not converted": "lost", "opportunity": "converted",
                  "customer": "converted", "unqualified": "lost"}


def demo_records(landing: Path, source_system_of: dict[str, str] | None = None) -> pl.DataFrame:
    truth = pl.read_parquet(landing.parent / "ground_truth" / "records.parquet").filter(
        pl.col("source_kind") == "crm_export")
    frames = []
    for source_file in truth["source_file"].unique().sort().to_list():
        path = landing / source_file
        encoding = "cp1252" if "lead_report" in source_file else "utf8-lossy"
        raw = pl.read_csv(path, infer_schema=False, encoding=encoding, truncate_ragged_lines=True,
                          ignore_errors=True).with_row_index("source_row", offset=1)
        raw = raw.rename({c: c.lstrip("\ufeff") for c in raw.columns})
        picked = {}
        for field, headers in _DEMO_FIELDS.items():
            header = next((h for h in headers if h in raw.columns), None)
            picked[field] = (pl.col(header).str.strip_chars().replace("", None) if header else pl.lit(None, pl.Utf8)).alias(field)
        frames.append(raw.select(pl.col("source_row").cast(pl.Int64), *picked.values())
                      .with_columns(pl.lit(source_file).alias("source_file")))
    rows = pl.concat(frames).join(truth.select("source_file", "source_row", "source_system", "person_id"),
                                  on=["source_file", "source_row"], how="inner")
    outcome = pl.coalesce(
        pl.col("_stage").str.to_lowercase().replace_strict(_DEMO_OUTCOMES, default=None),
        pl.col("_status").str.to_lowercase().replace_strict(_DEMO_OUTCOMES, default=None),
    )
    return rows.select(
        (pl.col("source_system") + ":" + pl.col("source_file") + ":" + pl.col("source_row").cast(pl.Utf8)).alias("record_id"),
        pl.col("person_id").alias("lead_id"), "source_row", "source_file", "source_system",
        *[pl.col(c).cast(pl.Float64, strict=False) for c in ("web_visits", "page_views", "email_opens", "email_clicks",
                                                                "form_submissions", "source_score")],
        pl.col("employee_count").str.replace_all(",", "").cast(pl.Int32, strict=False),
        pl.col("industry"), pl.col("lead_source"), pl.col("source_grade"),
        country_code_expr(pl.col("_country")).alias("country_code"),
        outcome.alias("outcome"), pl.col("_country").alias("_country_text"),
    )


def write_warehouse(records: pl.DataFrame, path: Path, source_system: str, source_file: str) -> None:
    full = records.with_columns(
        pl.lit("crm_export").alias("source_kind"),
        *([] if "source_system" in records.columns else [pl.lit(source_system).alias("source_system")]),
        *([] if "source_file" in records.columns else [pl.lit(source_file).alias("source_file")]),
        pl.lit(LOADED_AT).alias("ingested_at"),
        pl.lit("public-load").alias("batch_id"),
        pl.lit("inbound").alias("channel"),
        pl.lit("unknown").alias("email_consent"),
        pl.lit("unknown").alias("phone_consent"),
        pl.lit("unknown").alias("postal_consent"),
    )
    lead_records = full.select(
        (pl.col(c) if c in full.columns else pl.lit(None)).cast(_TYPES[t]).alias(c)
        for c, t in LEAD_RECORD_COLUMNS.items()
    )
    identity = full.select(
        "record_id", "lead_id", pl.lit("public_load").alias("match_rule"),
        pl.lit(1.0).alias("match_score"), pl.col("ingested_at").alias("assigned_at"),
    )
    golden_source = full.with_columns(
        *[pl.col("record_id").alias(f"{f}__record_id") for f in SURVIVED_FIELDS],
        pl.lit(1).alias("record_count"), pl.col("source_kind").alias("source_kinds"),
        pl.col("source_system").alias("source_systems"),
        pl.col("ingested_at").alias("first_seen_at"), pl.col("ingested_at").alias("last_seen_at"),
    )
    # One golden row per lead: its first record's fields (the demo has several records per person).
    golden_source = golden_source.unique("lead_id", keep="first", maintain_order=True)
    golden = golden_source.select(
        (pl.col(c) if c in golden_source.columns else pl.lit(None)).cast(_TYPES[t]).alias(c)
        for c, t in GOLDEN_COLUMNS.items()
    )
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema core")
        for table, frame in (("lead_records", lead_records), ("lead_identity", identity), ("golden_leads", golden)):
            conn.register("_frame", frame.to_arrow())
            conn.execute(f"create table core.{table} as select * from _frame")
            conn.unregister("_frame")
        for table, columns in (("touchpoints", TOUCHPOINT_COLUMNS), ("consent_records", CONSENT_RECORD_COLUMNS)):
            body = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            conn.execute(f"create table core.{table} ({body})")
        assert set(LEAD_IDENTITY_COLUMNS) == set(identity.columns)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("leads", type=Path)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--format", choices=["xeducation", "demo"], default="xeducation")
    parser.add_argument("--source-system", default="xeducation")
    args = parser.parse_args(argv)
    if args.format == "demo":
        records = demo_records(args.leads)
    else:
        records = xeducation_records(pl.read_csv(args.leads, infer_schema=False), args.source_system)
    unmapped = (records.filter(pl.col("country_code").is_null() & pl.col("_country_text").is_not_null())
                .get_column("_country_text").value_counts().sort("count", descending=True))
    write_warehouse(records.drop("_country_text"), args.warehouse, args.source_system, args.leads.name)
    outcomes = records.get_column("outcome").value_counts().sort("outcome")
    print(f"{args.leads}: {records.height} records of {records['lead_id'].n_unique()} leads -> {args.warehouse}")
    print("outcomes:", dict(outcomes.iter_rows()), "(records)")
    if unmapped.height:
        print(f"country names without an ISO code in ingest/rules/countries.csv (country_code left empty): "
              f"{unmapped.height} names, {int(unmapped['count'].sum())} leads, e.g. "
              + ", ".join(f"{name} ({n})" for name, n in unmapped.head(5).iter_rows()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
