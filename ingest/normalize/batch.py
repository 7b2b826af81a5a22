"""normalize_batch: raw rows of any source kind -> core lead records, consents, touchpoints.

Pure: no I/O and no global state, and the result does not depend on row order, so it can run
per partition. When a record repeats (a later file version), the latest ingested copy wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from ingest.hashing import sha256_hex
from ingest.normalize.canonical import PERSON_FIELDS, person_columns
from ingest.normalize.consent import consent_columns, consent_records, fill_unknown_consent
from ingest.normalize.dates import date_issue_expr, join_issues_expr, number_expr, timestamp_expr
from ingest.normalize.marketing import (
    channel_expr,
    lead_source_detail_expr,
    lifecycle_stage_expr,
    outcome_expr,
    segment_expr,
)
from ingest.normalize.parse_stats import parse_checks, parse_stats
from ingest.normalize.text import clean_text_expr, split_full_name_expr
from ingest.normalize.touchpoints import touchpoints
from ingest.normalize.value_maps import ValueMaps
from ingest.raw.tables import ALL_RAW_FIELDS
from ingest.tables import LEAD_RECORDS, LINEAGE_COLUMNS, POLARS_TYPES, QUARANTINE_ROWS, table

LINEAGE = {c: POLARS_TYPES[t] for c, t in LINEAGE_COLUMNS.items()}
# The raw fields whose content identifies a record without a source id (fixed: record ids of
# such records must not change when new raw fields are added; those join the hash only when set).
RECORD_HASH_FIELDS = (
    "source_record_id", *PERSON_FIELDS, "industry", "employee_count", "created_at",
    "list_price", "consent_email", "consent_phone", "consent_proof", "consent_at",
    "form_type", "page_url", "utm_source", "utm_medium", "utm_campaign", "message",
    "consent_text_version", "doi_confirmation_id", "doi_confirmed_at",
    "crm_id", "lifecycle_stage", "lead_status", "lead_source", "rating", "is_converted",
    "converted_at", "mql_at", "sql_at", "opportunity_at", "customer_at", "last_activity_at",
    "company_phone", "company_created_at", "opt_out_email", "do_not_call",
)
RAW_FIELDS = (*RECORD_HASH_FIELDS, *(f for f in ALL_RAW_FIELDS if f not in RECORD_HASH_FIELDS))
# Source timestamps checked for impossible/future values; name in date_issues -> raw column.
DATED_FIELDS = {
    "created_at": "created_at", "converted_at": "converted_at", "consent_at": "consent_at",
    "doi_confirmed_at": "doi_confirmed_at", "mql_at": "mql_at", "sql_at": "sql_at",
    "opportunity_at": "opportunity_at", "customer_at": "customer_at",
    "last_activity_at": "last_activity_at", "outcome_at": "outcome_at",
}
# Activity and company figures read as numbers with the contract's separators.
NUMBER_FIELDS = (
    "web_visits", "time_on_site_seconds", "time_on_site_minutes", "page_views", "page_views_per_visit",
    "email_opens", "email_clicks", "form_submissions", "source_score", "annual_revenue",
    "campaign_memberships",
)

LEAD_RECORD_COLUMNS = tuple(table(LEAD_RECORDS).columns)
QUARANTINE_SCHEMA = table(QUARANTINE_ROWS).polars_schema()
FORMATS_SCHEMA = {
    "contract": pl.String, "date_order": pl.String, "decimal_separator": pl.String,
    "thousands_separator": pl.String, "default_country": pl.String, "timezone": pl.String,
    "date_layouts": pl.String,
}


@dataclass(frozen=True)
class NormalizedBatch:
    lead_records: pl.DataFrame
    consent_records: pl.DataFrame
    touchpoints: pl.DataFrame
    quarantine: pl.DataFrame
    parse_stats: pl.DataFrame  # PARSE_STATS_SCHEMA: per file version and field, values read


def _conform(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Every lineage and raw field present, raw fields as text (absent ones NULL)."""
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    columns = [
        (pl.col(n).cast(t) if n in names else pl.lit(None, t)).alias(n) for n, t in LINEAGE.items()
    ] + [
        (pl.col(n).cast(pl.String) if n in names else pl.lit(None, pl.String)).alias(n) for n in RAW_FIELDS
    ]
    return lazy.select(columns)


def _sha256_prefix(content: pl.Series) -> pl.Series:
    """First 16 hex chars of sha256: stable across Polars versions, unlike Expr.hash.

    Only records whose source has no id of their own are hashed.
    """
    return sha256_hex(content).str.slice(0, 16)


def _record_ids(frame: pl.LazyFrame) -> pl.LazyFrame:
    """<source_system>:<source id>, or <source_system>:h:<hash of the raw fields> without one."""
    source_id = clean_text_expr(pl.col("source_record_id"))
    base = pl.concat_str([pl.col(n).fill_null("\x00") for n in RECORD_HASH_FIELDS], separator="\x1f")
    added = pl.concat_str(
        [pl.lit(f"\x1e{n}=") + pl.col(n) for n in RAW_FIELDS if n not in RECORD_HASH_FIELDS],
        ignore_nulls=True,
    )
    content = pl.concat_str([base, added.fill_null("")])
    numbered = frame.with_row_index("_row")
    # Only records without a source id pay for building and hashing their content.
    hashes = (
        numbered.filter(source_id.is_null())
        .select("_row", _hash=content.map_batches(_sha256_prefix, return_dtype=pl.String))
    )
    return (
        numbered.join(hashes, on="_row", how="left", maintain_order="left")
        .with_columns(
            record_id=pl.when(source_id.is_not_null())
            .then(pl.concat_str([pl.col("source_system"), source_id], separator=":"))
            .otherwise(pl.concat_str([pl.col("source_system"), pl.lit("h"), pl.col("_hash")], separator=":"))
        )
        .drop("_row", "_hash")
    )


def _latest_per_record(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per record_id: the latest ingested copy (ties broken by batch, file and row)."""
    order = ["record_id", "ingested_at", "batch_id", "source_file", "source_row"]
    numbered = frame.select(*order).with_row_index("_row")
    winners = numbered.sort(order, nulls_last=False).unique(subset="record_id", keep="last")["_row"]
    if winners.len() == frame.height:
        return frame
    return frame.with_row_index("_row").filter(pl.col("_row").is_in(winners.implode())).drop("_row")


def _with_formats(frame: pl.LazyFrame, formats: pl.DataFrame) -> pl.LazyFrame:
    """The contract's parsing hints as columns (looked up, not joined: raw rows are wide)."""
    hints = formats.select(
        [pl.col(n).cast(t) if n in formats.columns else pl.lit(None, t).alias(n) for n, t in FORMATS_SCHEMA.items()]
    ).unique(subset="contract", keep="first")
    # A contract that names no default country assumes none; rows of an unknown contract keep
    # the historical German defaults.
    known = {"date_order": "ISO", "decimal_separator": ".", "thousands_separator": "", "default_country": None,
             "timezone": None, "date_layouts": "[]"}
    unknown = {**known, "default_country": "DE"}
    contracts = hints["contract"].to_list()
    listed = pl.col("contract").is_in(contracts)
    return frame.with_columns(
        pl.when(listed)
        .then(
            pl.col("contract")
            .replace_strict(contracts, hints[name].to_list(), default=None, return_dtype=pl.String)
            .fill_null(pl.lit(known[name], pl.String))
        )
        .otherwise(pl.lit(unknown[name], pl.String))
        .alias(name)
        for name in known
    )


def _names_from_full_name(frame: pl.LazyFrame) -> pl.LazyFrame:
    """First and last name from a whole-name column when the source has neither of them
    ("Dr. Anna von Berg" -> "Dr. Anna" + "von Berg"; "Berg, Anna" -> "Anna" + "Berg")."""
    c = pl.col
    split = split_full_name_expr(c("full_name"))
    no_parts = clean_text_expr(c("first_name")).is_null() & clean_text_expr(c("last_name")).is_null()
    return frame.with_columns(
        first_name=pl.when(no_parts).then(split.struct.field("first")).otherwise(c("first_name")),
        last_name=pl.when(no_parts).then(split.struct.field("last")).otherwise(c("last_name")),
    )


def _marketing_and_dates(frame: pl.LazyFrame, now: datetime, maps: ValueMaps) -> pl.LazyFrame:
    c = pl.col
    contract = c("contract")
    parsed = {
        f"{name}_ts": timestamp_expr(c(raw), c("date_order"), c("date_layouts"), c("timezone"))
        for name, raw in DATED_FIELDS.items()
    }
    numbers = {
        f"_{name}_num": number_expr(c(name), c("decimal_separator"), c("thousands_separator"))
        for name in NUMBER_FIELDS
    }
    step = frame.with_columns(**parsed, **numbers)
    issues = [date_issue_expr("birth_date", c("_birth_date_raw"), c("birth_date"), now)] + [
        date_issue_expr(name, c(f"_{raw}_raw"), c(f"{name}_ts"), now) for name, raw in DATED_FIELDS.items()
    ]
    boolean = lambda name, **kw: maps.boolean(contract, c(name), **kw)  # noqa: E731
    return step.with_columns(
        date_issues=join_issues_expr(issues),
        crm_id=clean_text_expr(c("crm_id")),
        source_record_id=clean_text_expr(c("source_record_id")),
        industry=clean_text_expr(c("industry")),
        employee_count=number_expr(c("employee_count"), c("decimal_separator"), c("thousands_separator")).cast(pl.Int32, strict=False),
        list_price=number_expr(c("list_price"), c("decimal_separator"), c("thousands_separator")),
        form_type=clean_text_expr(c("form_type")).str.to_lowercase(),
        crm_status=clean_text_expr(c("lead_status")),
        rating=clean_text_expr(c("rating")),
        segment=segment_expr(c("company"), c("email_valid"), c("email_is_freemail")),
        channel=channel_expr(maps, contract, c("source_kind"), c("lead_source")),
        lead_source_detail=lead_source_detail_expr(maps, contract, c("source_kind"), c("form_type"), c("lead_source")),
        lifecycle_stage=lifecycle_stage_expr(maps, contract, c("lifecycle_stage"), c("lead_status"), c("is_converted")),
        outcome=outcome_expr(maps, contract, c("outcome"), c("lead_status"), c("lifecycle_stage"), c("is_converted")),
        consent_email_flag=boolean("consent_email", consent=True),
        consent_phone_flag=boolean("consent_phone", consent=True),
        consent_proof=clean_text_expr(c("consent_proof")),
        consent_text_version=clean_text_expr(c("consent_text_version")),
        doi_id=clean_text_expr(c("doi_confirmation_id")),
        doi_at_ts=c("doi_confirmed_at_ts"),
        opt_out_email_flag=boolean("opt_out_email"),
        do_not_call_flag=boolean("do_not_call"),
        utm_source=clean_text_expr(c("utm_source")),
        utm_medium=clean_text_expr(c("utm_medium")),
        utm_campaign=clean_text_expr(c("utm_campaign")),
        page_url=clean_text_expr(c("page_url")),
        lead_source=clean_text_expr(c("lead_source")),
        lead_origin=clean_text_expr(c("lead_origin")),
        occupation=clean_text_expr(c("occupation")),
        website=clean_text_expr(c("website")),
        annual_revenue=c("_annual_revenue_num"),
        region=clean_text_expr(c("region")),
        campaign_memberships=c("_campaign_memberships_num"),
        web_visits=c("_web_visits_num"),
        time_on_site_seconds=pl.coalesce(c("_time_on_site_seconds_num"), c("_time_on_site_minutes_num") * 60),
        page_views=pl.coalesce(c("_page_views_num"), c("_web_visits_num") * c("_page_views_per_visit_num")),
        email_opens=c("_email_opens_num"),
        email_clicks=c("_email_clicks_num"),
        form_submissions=c("_form_submissions_num"),
        last_activity_type=maps.activity(contract, clean_text_expr(c("last_activity_type"))),
        source_score=c("_source_score_num"),
        source_grade=clean_text_expr(c("source_grade")),
    ).with_columns(
        created_at=c("created_at_ts"),
        converted_at=c("converted_at_ts"),
        last_activity_at=c("last_activity_at_ts"),
        outcome_at=pl.coalesce(
            c("outcome_at_ts"), pl.when(c("outcome") == "converted").then(c("converted_at_ts"))
        ),
        do_not_email=c("opt_out_email_flag").fill_null(False),
        do_not_call=c("do_not_call_flag").fill_null(False),
    )


def _reachable() -> pl.Expr:
    """Something that identifies or reaches a person: CRM id, name, e-mail, phone or address."""
    c = pl.col
    return pl.any_horizontal(
        c("crm_id").is_not_null(), c("first_name").is_not_null(), c("last_name").is_not_null(),
        c("email").is_not_null(), c("phone_raw").is_not_null(), c("street").is_not_null(),
        c("postcode").is_not_null(), c("city").is_not_null(),
    )


def _quarantine(unreachable: pl.LazyFrame, now: datetime) -> pl.LazyFrame:
    raw_text = pl.struct([pl.col(f"_{n}_raw").alias(n) for n in RAW_FIELDS]).struct.json_encode()
    return unreachable.select(
        "source_kind", "source_system", "source_file", "file_sha256", "source_row",
        raw_text=raw_text,
        reason=pl.lit("no_contact_data"),
        reason_detail=pl.lit("no CRM id, name, e-mail, phone or address"),
        stage=pl.lit("normalize"),
        batch_id="batch_id",
        quarantined_at=pl.lit(now.replace(tzinfo=None)).cast(pl.Datetime("us")),
    ).cast(QUARANTINE_SCHEMA)


def _union(raw: Mapping[str, pl.LazyFrame | pl.DataFrame]) -> pl.LazyFrame:
    frames = [_conform(frame) for frame in raw.values()]
    return pl.concat(frames, how="vertical") if frames else _conform(pl.DataFrame())


def record_ids(raw: Mapping[str, pl.LazyFrame | pl.DataFrame]) -> pl.Series:
    """The record_id each raw row normalizes to (several copies of a record share one)."""
    return _record_ids(_union(raw)).select("record_id").collect().to_series()


def normalize_batch(
    raw: Mapping[str, pl.LazyFrame | pl.DataFrame], *, formats: pl.DataFrame, now: datetime
) -> NormalizedBatch:
    """Normalize raw.* rows (any mix of tables) into the core layer's three tables + quarantine.

    `raw` maps a table name to its rows; `formats` is ingest.raw.contract_formats(); `now` is
    the reference time for "future" date flags (UTC).
    """
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    keyed = _latest_per_record(_record_ids(_union(raw)).collect())
    maps = ValueMaps(formats)
    # Placeholders ("Select", "-") are empty before anything reads or checks a field.
    blanked = maps.blank_placeholders(keyed.lazy(), list(RAW_FIELDS))
    keep_raw = blanked.with_columns([pl.col(n).alias(f"_{n}_raw") for n in RAW_FIELDS])
    hinted = _names_from_full_name(_with_formats(keep_raw, formats))
    person = person_columns(hinted, default_country=pl.col("default_country"), date_order=pl.col("date_order"))
    full = _marketing_and_dates(person, now, maps).collect()

    mask = full.select(_reachable()).to_series()
    reachable = full if mask.all() else full.filter(mask)
    unreachable = full.filter(~mask)
    consents = consent_records(reachable.lazy()).collect()
    per_channel = consent_columns(consents.lazy(), now)
    leads = fill_unknown_consent(
        reachable.lazy().join(per_channel, on="record_id", how="left")
    ).select(LEAD_RECORD_COLUMNS).collect()
    return NormalizedBatch(
        lead_records=leads,
        consent_records=consents.sort("consent_id"),
        touchpoints=touchpoints(reachable.lazy()).collect().sort("touchpoint_id"),
        quarantine=_quarantine(unreachable.lazy(), now).collect().sort(["source_file", "source_row"]),
        parse_stats=parse_stats(full, parse_checks(DATED_FIELDS, NUMBER_FIELDS)),
    )

