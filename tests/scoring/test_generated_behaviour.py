"""The demo generator's CRM exports carry behaviour, and outcomes follow behaviour: converted
people visited, read and clicked more, and the exports of one person agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ingest.generate import generate_landing
from ingest.generate.behaviour import activity, intent
from scoring.model import roc_auc

HUBSPOT_ACTIVITY = ["Number of Pageviews", "Number of Sessions", "Marketing emails opened",
                    "Marketing emails clicked", "Number of Form Submissions", "HubSpot Score"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing(out, people=4000, seed=11)
    return out


def _crm_rows(landing: Path, pattern: str, encoding: str = "utf8-lossy") -> pl.DataFrame:
    truth = pl.read_parquet(landing.parent / "ground_truth" / "records.parquet")
    frames = []
    for path in sorted(landing.glob(pattern)):
        raw = pl.read_csv(path, infer_schema=False, encoding=encoding, truncate_ragged_lines=True, ignore_errors=True)
        raw = raw.rename({c: c.lstrip("\ufeff") for c in raw.columns}).with_row_index("source_row", offset=1)
        frames.append(raw.with_columns(pl.lit(str(path.relative_to(landing))).alias("source_file"),
                                       pl.col("source_row").cast(pl.Int64)))
    return pl.concat(frames, how="diagonal").join(
        truth.filter(pl.col("defect").is_null()).select("source_file", "source_row", "person_id"),
        on=["source_file", "source_row"])


def test_hubspot_and_salesforce_exports_carry_the_activity_headers(landing):
    hubspot = _crm_rows(landing, "crm_exports/hubspot/*.csv")
    assert set(HUBSPOT_ACTIVITY) <= set(hubspot.columns)
    api = _crm_rows(landing, "crm_exports/salesforce/salesforce_leads_*.csv")
    assert {"pi__score__c", "pi__grade__c"} <= set(api.columns)
    report = _crm_rows(landing, "crm_exports/salesforce/lead_report_*.csv", encoding="cp1252")
    assert {"Pardot Score", "Pardot Grade"} <= set(report.columns)
    assert hubspot["Number of Sessions"].cast(pl.Int64).min() >= 0


def test_converted_people_behaved_differently_before_sales_acted(landing):
    people = pl.read_parquet(landing.parent / "ground_truth" / "people.parquet")
    hubspot = _crm_rows(landing, "crm_exports/hubspot/*.csv").unique("person_id").join(
        people.select("person_id", "converted"), on="person_id")
    converted = hubspot["converted"].to_numpy()
    assert 0.1 < converted.mean() < 0.9
    # Each counter ranks converted above lost people; clicks are rare, so they tell less.
    for column, least in (("Number of Sessions", 0.6), ("Number of Form Submissions", 0.58),
                          ("Marketing emails clicked", 0.55), ("HubSpot Score", 0.65)):
        auc = roc_auc(hubspot[column].cast(pl.Float64).to_numpy(), converted)
        assert auc > least, column
    # Outcomes follow the hidden intent that the counters measure with noise.
    assert roc_auc(intent(people["person_id"], 11), people["converted"].to_numpy()) > 0.65


def test_one_persons_exports_show_the_same_counters(landing):
    hubspot = _crm_rows(landing, "crm_exports/hubspot/*.csv").select("person_id", "HubSpot Score")
    api = _crm_rows(landing, "crm_exports/salesforce/salesforce_leads_*.csv").select("person_id", "pi__score__c")
    both = hubspot.join(api, on="person_id")
    assert both.height > 0
    assert (both["HubSpot Score"] == both["pi__score__c"]).all()


def test_behaviour_is_reproducible_per_seed_and_person():
    ids = pl.Series(["P00000001", "P00000002", "N001-00000003"])
    propensity = pl.Series([0.1, 0.5, 0.9])
    assert activity(ids, propensity, 42).equals(activity(ids, propensity, 42))
    assert not np.array_equal(intent(ids, 42), intent(ids, 43))
    # One person's draws do not depend on who else is generated.
    assert intent(ids[:1], 42)[0] == intent(ids, 42)[0]
