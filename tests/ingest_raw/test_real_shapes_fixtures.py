"""The shipped contracts fit the real export shapes (contract format v2, read as plain YAML).

Each real-shaped fixture is recognised by exactly the contract meant for it among the contracts
of its landing folder, knows every column the fixture has, reads its dates with the layouts the
contract declares and gives every status value a stage. Every contract names only raw fields
and vocabulary values of docs/data_contracts.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from ingest.generate.shapes import HEADERS as GENERATOR_HEADERS
from ingest.normalize import timestamp_expr
from ingest.raw.contracts import header_key
from ingest.raw.draft import DATE_FIELDS, SYNONYMS_PATH, raw_fields
from ingest.raw.sniff import detect_delimiter, detect_encoding, split_header

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "ingest" / "contracts"
FIXTURES = Path(__file__).parent / "fixtures" / "real_shapes"

STAGES = {"lead", "mql", "sql", "opportunity", "customer", "other"}
CHANNELS = {"inbound", "outbound"}
OUTCOMES = {"converted", "won", "lost", "disqualified", "open"}
TOP_KEYS = {"name", "source_kind", "source_system", "format", "encoding", "delimiter", "identify",
            "row_required", "fields", "combine", "keep_as_extra", "footer", "formats", "values"}
FORMAT_KEYS = {"date_order", "dates", "timezone", "decimal_separator", "thousands_separator",
               "default_country"}
VALUE_KEYS = {"placeholders", "booleans", "consent", "lifecycle_stage", "lead_status",
              "lead_source", "outcome", "last_activity_type", "converted_stage"}

# fixture -> (contract meant for it, columns it has that the contract deliberately leaves unmapped)
FIXTURE_CONTRACTS = {
    "salesforce/dataloader_lead_export.csv": ("salesforce_leads_api", {"REGION__C"}),
    "salesforce/lead_report_en.csv": ("salesforce_leads_report", set()),
    "salesforce/lead_report_de.csv": ("salesforce_leads_report_de", set()),
    "salesforce/lead_report_underscored.csv": ("salesforce_leads_report", set()),
    "hubspot/contacts_export_current.csv": ("hubspot_contacts", set()),
    "hubspot/contacts_export_older.csv": ("hubspot_contacts", set()),
    "hubspot/contacts_with_company_export.csv": ("hubspot_contacts", {"Client Grade"}),
    "zoho/leads_export.csv": ("zoho_leads", set()),
    "pipedrive/people_export.csv": ("pipedrive_persons", set()),
    "pipedrive/leads_export.csv": ("pipedrive_persons", set()),
    "dynamics365/my_open_leads.csv": ("dynamics365_leads", set()),
    "mautic/contacts_export.csv": ("mautic_contacts", set()),
    "leadsquared/x_education_shape.csv": ("leadsquared_leads", set()),
}
# Header sets the demo generator writes today (ingest/generate/shapes) -> their contract.
GENERATOR_CONTRACTS = {
    "adressdirekt": "adressdirekt", "leadsource_eu": "leadsource_eu", "hubspot": "hubspot_contacts",
    "salesforce_api": "salesforce_leads_api", "salesforce_report": "salesforce_leads_report",
}


def key(header: str) -> str:
    """Headers compare as the reader compares them (case, blanks and underscores folded)."""
    return header_key(header)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


CONTRACTS = {c["name"]: c for c in map(load, sorted(CONTRACTS_DIR.glob("*.yaml")))}


def headers_of(contract: dict, field: str) -> set[str]:
    return {key(h) for h in contract["fields"].get(field, [])}


def identified(contract: dict, header: list[str]) -> bool:
    present = {key(h) for h in header}
    return any(all(headers_of(contract, f) & present for f in group) for group in contract["identify"])


def known_columns(contract: dict) -> set[str]:
    known = {key(h) for headers in contract["fields"].values() for h in headers}
    known |= {key(c) for rule in (contract.get("combine") or {}).values() for c in rule["columns"]}
    return known | {key(h) for h in contract.get("keep_as_extra") or []}


def read_fixture(relative: str) -> tuple[list[str], pl.DataFrame]:
    path = FIXTURES / relative
    text = path.read_bytes().decode(detect_encoding(path.read_bytes())).lstrip("\ufeff")
    delimiter = detect_delimiter(text.splitlines()[0])
    header = split_header(text.splitlines()[0], delimiter)
    frame = pl.read_csv(path, separator=delimiter, infer_schema=False, new_columns=header)
    return header, frame


def column_of(contract: dict, frame: pl.DataFrame, field: str) -> str | None:
    by_key = {key(c): c for c in frame.columns}
    return next((by_key[key(h)] for h in contract["fields"].get(field, []) if key(h) in by_key), None)


def non_empty(frame: pl.DataFrame, column: str, placeholders: set[str]) -> pl.Series:
    values = frame[column].str.strip_chars()
    return values.filter(values.is_not_null() & (values != "") & ~values.str.to_lowercase().is_in(placeholders))


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_contract_uses_only_spec_keys_fields_and_vocabularies(name):
    contract = CONTRACTS[name]
    allowed = raw_fields(contract["source_kind"])
    assert set(contract) <= TOP_KEYS, set(contract) - TOP_KEYS
    assert set(contract.get("formats") or {}) <= FORMAT_KEYS
    named = set(contract["fields"]) | set(contract.get("combine") or {}) | set(contract["row_required"])
    named |= {f for group in contract["identify"] for f in group}
    assert named <= allowed, f"{name}: not raw fields of {contract['source_kind']}: {named - allowed}"
    assert all(contract["fields"][f] for f in contract["fields"]), f"{name}: a field without headers"
    assert {f for group in contract["identify"] for f in group} <= set(contract["fields"])
    values = contract.get("values") or {}
    assert set(values) <= VALUE_KEYS, set(values) - VALUE_KEYS
    for field in ("lifecycle_stage", "lead_status"):
        assert set((values.get(field) or {}).values()) <= STAGES, f"{name}: {field} targets"
    assert set((values.get("outcome") or {}).values()) <= OUTCOMES
    for target in (values.get("lead_source") or {}).values():
        assert set(target) == {"detail", "channel"} and target["channel"] in CHANNELS
    assert values.get("converted_stage", "opportunity") in STAGES
    assert contract["formats"]["date_order"] in {"DMY", "MDY", "ISO"}


def test_contract_names_are_unique_and_every_value_map_key_is_text():
    files = sorted(CONTRACTS_DIR.glob("*.yaml"))
    assert len(CONTRACTS) == len(files)
    for path in files:
        values = load(path).get("values") or {}
        for field in ("lifecycle_stage", "lead_status", "lead_source", "outcome"):
            # An unquoted Yes / 1 would reach the loader as a boolean or number, not the CSV text.
            assert all(isinstance(k, str) for k in values.get(field) or {}), f"{path.name}: quote {field} keys"


@pytest.mark.parametrize("relative", sorted(FIXTURE_CONTRACTS))
def test_fixture_is_identified_by_exactly_its_contract(relative):
    header, _ = read_fixture(relative)
    meant, _ = FIXTURE_CONTRACTS[relative]
    system = CONTRACTS[meant]["source_system"]
    folder = [c for c in CONTRACTS.values() if c["source_system"] == system and c["source_kind"] == "crm_export"]
    assert [c["name"] for c in folder if identified(c, header)] == [meant]


@pytest.mark.parametrize("relative", sorted(FIXTURE_CONTRACTS))
def test_fixture_rows_have_as_many_fields_as_the_header(relative):
    header, _ = read_fixture(relative)
    text = (FIXTURES / relative).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=detect_delimiter(text.splitlines()[0])))[1:]
    assert rows and all(len(row) == len(header) for row in rows)


@pytest.mark.parametrize("relative", sorted(FIXTURE_CONTRACTS))
def test_fixture_columns_are_all_known_to_its_contract(relative):
    header, _ = read_fixture(relative)
    meant, deliberately_unmapped = FIXTURE_CONTRACTS[relative]
    unknown = {h for h in header if key(h) not in known_columns(CONTRACTS[meant])}
    assert unknown == deliberately_unmapped


@pytest.mark.parametrize("relative", sorted(FIXTURE_CONTRACTS))
def test_fixture_dates_parse_with_the_contract_layouts(relative):
    _, frame = read_fixture(relative)
    contract = CONTRACTS[FIXTURE_CONTRACTS[relative][0]]
    placeholders = {p.casefold() for p in (contract.get("values") or {}).get("placeholders", [])}
    checked = 0
    for field in sorted(DATE_FIELDS & set(contract["fields"])):
        column = column_of(contract, frame, field)
        if column is None:
            continue
        values = non_empty(frame, column, placeholders)
        # As normalization reads them: the contract's layouts, its date order (or the order the
        # column's values prove), the built-in layouts.
        formats = contract["formats"]
        parsed = pl.DataFrame({"t": values}).select(
            timestamp_expr(pl.col("t"), formats["date_order"], json.dumps(formats.get("dates") or []))
            .is_not_null()
        ).to_series()
        assert parsed.all(), f"{relative} {column}: {values.filter(~parsed).to_list()} parse with no layout"
        checked += len(values)
    if "created_at" in contract["fields"] and column_of(contract, frame, "created_at"):
        assert checked > 0


@pytest.mark.parametrize("relative", sorted(FIXTURE_CONTRACTS))
def test_fixture_status_values_all_have_a_stage(relative):
    _, frame = read_fixture(relative)
    contract = CONTRACTS[FIXTURE_CONTRACTS[relative][0]]
    values_map = contract.get("values") or {}
    placeholders = {p.casefold() for p in values_map.get("placeholders", [])}
    for field in ("lifecycle_stage", "lead_status"):
        column = column_of(contract, frame, field)
        if column is None:
            continue
        mapped = {key(k) for k in values_map.get(field) or {}}
        unmapped = {v for v in non_empty(frame, column, placeholders).to_list() if key(v) not in mapped}
        assert not unmapped, f"{relative} {column}: no stage for {unmapped}"


@pytest.mark.parametrize("shape", sorted(GENERATOR_CONTRACTS))
def test_generator_headers_stay_accepted(shape):
    # Repeated labels are addressed by occurrence ("Create Date#2"), as the reader names them.
    header = split_header(",".join(f'"{h}"' for h in GENERATOR_HEADERS[shape]), ",")
    meant = CONTRACTS[GENERATOR_CONTRACTS[shape]]
    folder = [c for c in CONTRACTS.values()
              if c["source_system"] == meant["source_system"] and c["source_kind"] == meant["source_kind"]]
    assert [c["name"] for c in folder if identified(c, header)] == [meant["name"]]
    assert {h for h in header if key(h) not in known_columns(meant)} == set()


def test_synonym_table_names_spec_raw_fields_and_cites_a_source_where_one_was_found():
    with SYNONYMS_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"raw_field", "header", "system", "source"}
    every_field = raw_fields("crm_export") | raw_fields("purchased_list") | raw_fields("web_form")
    assert {r["raw_field"] for r in rows} <= every_field
    assert all(r["header"].strip() == r["header"] and r["header"] for r in rows)
    cited = [r for r in rows if r["source"]]
    assert all(re.match(r"(https://|github:|public |docs/data_contracts\.md|Adobe )", r["source"]) for r in cited)


@pytest.mark.parametrize("name", sorted(n for n, c in CONTRACTS.items() if c["source_kind"] == "crm_export"))
def test_every_crm_contract_header_is_in_the_synonym_table(name):
    # The table drafts contracts for new CRMs; what the shipped contracts know must be in it.
    with SYNONYMS_PATH.open(encoding="utf-8", newline="") as handle:
        table = {(r["raw_field"], key(r["header"])) for r in csv.DictReader(handle)}
    contract = CONTRACTS[name]
    missing = sorted((f, h) for f, headers in contract["fields"].items() for h in headers
                     if f != "source_record_id" and (f, key(h)) not in table)
    assert not missing, f"{name}: add to {SYNONYMS_PATH.name}: {missing}"
