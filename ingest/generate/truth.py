"""Ground truth next to (never inside) the landing folder: who each record really is."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

PEOPLE_COLUMNS = [
    "person_id", "gender", "academic_title", "first_name", "last_name", "segment", "email", "true_phone_e164",
    "true_fixed_e164", "true_mobile_e164", "birth_date", "street", "house_number", "postcode", "city", "country",
    "company", "company_domain", "legal_form", "industry", "employee_count", "job_title", "seniority",
    "budget_authority", "household_of", "switchboard_e164", "propensity", "funnel_stage", "converted",
    "crm_opt_out", "do_not_call", "middle_name", "name_origin",
]
RECORD_COLUMNS = ["source_file", "source_row", "source_kind", "source_system", "person_id", "defect", "true_email",
                  "true_phone_e164", "true_first_name", "true_last_name", "true_company"]


def people_table(people: pl.DataFrame) -> pl.DataFrame:
    return people.with_columns(email=pl.col("email").str.to_lowercase()).select(PEOPLE_COLUMNS)


def lineage(source_file: pl.Expr) -> list[pl.Expr]:
    """source_kind / source_system from the folder, as docs/data_contracts.md defines them."""
    first = source_file.str.extract(r"^([^/]+)/")
    second = source_file.str.extract(r"^[^/]+/([^/]+)/")
    kind = first.replace_strict({"purchased_lists": "purchased_list", "web_forms": "web_form", "crm_exports": "crm_export"})
    return [kind.alias("source_kind"), pl.when(first == "web_forms").then(pl.lit("web_forms")).otherwise(second).alias("source_system")]


def merge_and_write(truth_dir: Path, records: pl.DataFrame, people: pl.DataFrame) -> dict:
    """Add these rows to the truth already in truth_dir (replacing files written again)."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    rec_path, people_path = truth_dir / "records.parquet", truth_dir / "people.parquet"
    if rec_path.exists():
        old = pl.read_parquet(rec_path)
        records = pl.concat([old.filter(~pl.col("source_file").is_in(records["source_file"].unique().implode())), records])
    if people_path.exists():
        old_people = pl.read_parquet(people_path)
        people = pl.concat([old_people, people.join(old_people.select("person_id"), on="person_id", how="anti")])
    records = records.sort("source_file", "source_row")
    people = people.sort("person_id")
    records.write_parquet(rec_path)
    people.write_parquet(people_path)
    summary = {
        "people": people.height,
        "records": records.height,
        "files": records["source_file"].n_unique(),
        "records_per_source": dict(sorted(records.group_by("source_system").len().iter_rows())),
        "records_per_file": dict(sorted(records.group_by("source_file").len().iter_rows())),
        "defects": dict(sorted(records.filter(pl.col("defect").is_not_null()).group_by("defect").len().iter_rows())),
        "people_in_records": records["person_id"].n_unique(),
    }
    (truth_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary
