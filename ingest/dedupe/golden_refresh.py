"""Which golden rows a run has to rebuild.

A golden row depends only on its lead's records and the survivorship rules. Each run keeps, per
record, the lead it belonged to and a hash of its core.lead_records row; the next run rebuilds
only leads that gained, lost or changed a record, deletes the golden rows of retired lead ids,
and keeps every other row as it is. A change of the rules, or of most records, rebuilds all.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from ingest.dedupe.survivorship import SurvivorshipConfig
from ingest.fingerprint import fingerprint
from ingest.tables import GOLDEN_LEAD_INPUTS, GOLDEN_LEADS, LEAD_RECORDS
from ingest.warehouse import registered, table_exists

GOLDEN_TABLE = GOLDEN_LEADS
GOLDEN_INPUTS_TABLE = GOLDEN_LEAD_INPUTS
# Rebuilding a few leads beats rebuilding all only while they are a minority.
_MAX_SHARE_FOR_PARTIAL = 0.5
# Bump when a change to ingest/dedupe/survivorship.py changes which value a golden lead keeps;
# the next run then rebuilds every golden lead. Edits that keep every result leave it alone.
SURVIVORSHIP_LOGIC_VERSION = 1


def survivorship_fingerprint(config: SurvivorshipConfig) -> str:
    """sha256 of the survivorship rules and the logic version that applies them."""
    return fingerprint(texts=[repr(config), f"survivorship logic v{SURVIVORSHIP_LOGIC_VERSION}"])


def record_hashes(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """record_id and a hash of its whole core.lead_records row."""
    return conn.sql(f"select record_id, hash(r) as row_hash from {LEAD_RECORDS} r").pl()


def golden_inputs(identity: pl.DataFrame, hashes: pl.DataFrame, fingerprint: str) -> pl.DataFrame:
    """What this run's golden rows were built from, for the next run to compare against."""
    return identity.select("record_id", "lead_id").join(hashes, on="record_id", how="left").with_columns(
        survivorship_fingerprint=pl.lit(fingerprint)
    )


@dataclass(frozen=True)
class GoldenRefresh:
    """Leads whose golden row is rebuilt, and lead ids whose stored row goes (rebuilt or retired)."""

    rebuild: pl.Series
    remove: pl.Series


def stale_golden_rows(
    conn: duckdb.DuckDBPyConnection, identity: pl.DataFrame, hashes: pl.DataFrame, fingerprint: str
) -> GoldenRefresh | None:
    """The leads to rebuild, or None when every golden row has to be built again."""
    if not (table_exists(conn, GOLDEN_TABLE) and table_exists(conn, GOLDEN_INPUTS_TABLE)):
        return None
    before = conn.sql(f"select * from {GOLDEN_INPUTS_TABLE}").pl()
    if before.height == 0 or (before["survivorship_fingerprint"] != fingerprint).any():
        return None
    now = identity.select("record_id", "lead_id").join(hashes, on="record_id", how="left")
    compared = now.join(
        before.select("record_id", "lead_id", "row_hash"), on="record_id", how="full", suffix="_before", coalesce=True
    )
    dirty = compared.filter(
        pl.col("lead_id").ne_missing(pl.col("lead_id_before"))
        | pl.col("row_hash").ne_missing(pl.col("row_hash_before"))
    )
    current_leads = identity["lead_id"].unique()
    left = dirty["lead_id_before"].drop_nulls()
    # A lead that lost a record is rebuilt if it still exists; otherwise its id retired.
    rebuild = pl.concat([dirty["lead_id"].drop_nulls(), left.filter(left.is_in(current_leads.implode()))]).unique()
    if rebuild.len() > _MAX_SHARE_FOR_PARTIAL * current_leads.len():
        return None
    remove = pl.concat([rebuild, left]).unique()
    return GoldenRefresh(rebuild=rebuild.rename("lead_id"), remove=remove.rename("lead_id"))


def records_of_leads(conn: duckdb.DuckDBPyConnection, identity: pl.DataFrame, leads: pl.Series) -> pl.DataFrame:
    """The core.lead_records rows of the given leads."""
    wanted = identity.filter(pl.col("lead_id").is_in(leads.implode())).select("record_id")
    with registered(conn, "_golden_records", wanted):
        return conn.sql(
            f"select * from {LEAD_RECORDS} where record_id in (select record_id from _golden_records)"
        ).pl()
