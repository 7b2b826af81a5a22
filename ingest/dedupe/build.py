"""The warehouse step: core.lead_records in, identity, pairs, review and golden leads out.

Reads the previous identity and people's decisions so lead ids stay stable and decisions are
honoured on every run, and what the previous run compared and built from (audit.match_inputs,
audit.golden_lead_inputs) so only changed records are compared and only changed leads get a
new golden row; writes every output table in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import polars as pl

from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.engine import MatchMemory, match_records, memory_fingerprint
from ingest.dedupe.golden_refresh import (
    GOLDEN_INPUTS_TABLE,
    GOLDEN_TABLE,
    golden_inputs,
    record_hashes,
    records_of_leads,
    stale_golden_rows,
    survivorship_fingerprint,
)
from ingest.dedupe.identity import MERGES_SCHEMA, assign_lead_ids
from ingest.dedupe.model import MatchModel
from ingest.dedupe.prepare import CANONICAL_INPUTS
from ingest.dedupe.survivorship import SurvivorshipConfig, build_golden_leads
from ingest.tables import (
    LEAD_ID_MERGES,
    LEAD_IDENTITY,
    LEAD_MATCH_DECISIONS,
    LEAD_MATCH_MODEL,
    LEAD_MATCH_PAIRS,
    LEAD_MATCH_REVIEW,
    LEAD_RECORDS,
    MATCH_INPUTS,
    table,
)
from ingest.warehouse import (
    append_rows,
    overwrite_table,
    read_table,
    registered,
    table_columns,
    table_exists,
    transaction,
)

DECISIONS_TABLE = LEAD_MATCH_DECISIONS
DECISIONS_SCHEMA = table(LEAD_MATCH_DECISIONS).polars_schema()
VALID_DECISIONS = ("always_merge", "never_merge")
MATCH_INPUTS_TABLE = MATCH_INPUTS
PAIRS_TABLE = LEAD_MATCH_PAIRS
MODEL_TABLE = LEAD_MATCH_MODEL


@dataclass
class DedupeReport:
    """What one dedup run did, in figures the Dagster assets show as metadata."""

    identity: dict[str, float | int | str] = field(default_factory=dict)
    golden: dict[str, float | int | str] = field(default_factory=dict)

    def to_metadata(self) -> dict[str, float | int | str]:
        return {**self.identity, **{f"golden_{k}": v for k, v in self.golden.items()}}


def _read_optional(conn: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame | None:
    return read_table(conn, table) if table_exists(conn, table) else None


def _match_columns(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    wanted = {"record_id", "source_kind", *CANONICAL_INPUTS}
    columns = ", ".join(f'"{name}"' for name in table_columns(conn, LEAD_RECORDS) if name in wanted)
    return conn.sql(f"select {columns} from {LEAD_RECORDS}").pl()


def _match_memory(conn: duckdb.DuckDBPyConnection, fingerprint: str) -> MatchMemory | None:
    """The previous run's comparison inputs and pairs, if made under the same configuration."""
    if not (table_exists(conn, MATCH_INPUTS_TABLE) and table_exists(conn, PAIRS_TABLE)):
        return None
    inputs = read_table(conn, MATCH_INPUTS_TABLE)
    if inputs.height == 0 or (inputs["config_fingerprint"] != fingerprint).any():
        return None
    return MatchMemory(inputs=inputs.drop("config_fingerprint"), pairs=read_table(conn, PAIRS_TABLE))


def _stored_model(conn: duckdb.DuckDBPyConnection, config: DedupeConfig, records: int) -> pl.DataFrame | None:
    """The previous run's learned weights, while the data has not changed much since then.

    Learning again on every run would move every score a little and so force every pair to be
    compared again; within `model.refit_change` (share of records) the weights are kept, and
    the previous run's comparisons stay valid.
    """
    if not table_exists(conn, MODEL_TABLE):
        return None
    stored = read_table(conn, MODEL_TABLE)
    if stored.height == 0 or "config_fingerprint" not in stored.columns:
        return None
    if (stored["config_fingerprint"] != memory_fingerprint(config)).any():
        return None
    model = MatchModel.from_frame(stored)
    fitted_on = int(model.stats.get("records", 0))
    if not model.fitted or fitted_on == 0 or abs(records - fitted_on) > config.model.refit_change * fitted_on:
        return None
    return stored


def _checked_decisions(decisions: pl.DataFrame | None) -> pl.DataFrame | None:
    if decisions is None:
        return None
    unknown = decisions.filter(~pl.col("decision").is_in(VALID_DECISIONS))
    if unknown.height:
        raise ValueError(
            f"{DECISIONS_TABLE} holds decisions other than {VALID_DECISIONS}: "
            f"{sorted(set(unknown['decision'].cast(pl.String).to_list()), key=str)}"
        )
    return decisions


def _merge_rate_per_source(records: pl.DataFrame, identity: pl.DataFrame) -> dict[str, float]:
    if "source_kind" not in records.columns:
        return {}
    sized = identity.with_columns(lead_size=pl.len().over("lead_id"))
    rates = (
        records.select("record_id", "source_kind")
        .join(sized, on="record_id")
        .group_by("source_kind")
        .agg(rate=(pl.col("lead_size") > 1).mean())
        .sort("source_kind")
    )
    return {f"merge_rate_{kind}": round(float(rate), 4) for kind, rate in rates.iter_rows()}


def build_identity(
    conn: duckdb.DuckDBPyConnection,
    *,
    now: datetime | None = None,
    config: DedupeConfig | None = None,
    survivorship: SurvivorshipConfig | None = None,
) -> DedupeReport:
    """Match core.lead_records and write identity, pairs, review, id merges and golden leads."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    # Matching needs a few columns; the full records are read only for the golden leads,
    # so the two never sit in memory together.
    records = _match_columns(conn)
    previous = _read_optional(conn, LEAD_IDENTITY)
    previous_merges = _read_optional(conn, LEAD_ID_MERGES)
    decisions = _checked_decisions(_read_optional(conn, DECISIONS_TABLE))

    config = config or DedupeConfig.load()
    stored_model = _stored_model(conn, config, records.height)
    model = MatchModel.from_frame(stored_model) if stored_model is not None else None
    memory = None
    if model is not None:
        memory = _match_memory(conn, memory_fingerprint(config, model))
    result = match_records(records, config, decisions=decisions, memory=memory, model=model)
    match_fingerprint = memory_fingerprint(config, result.model)
    assignment = assign_lead_ids(result.clusters, previous, previous_merges, now)
    identity = assignment.identity

    lead_of = identity.select("record_id", "lead_id")
    review = (
        result.pairs.filter(pl.col("decision") == "review")
        .join(lead_of.rename({"record_id": "record_id_a", "lead_id": "lead_id_a"}), on="record_id_a")
        .join(lead_of.rename({"record_id": "record_id_b", "lead_id": "lead_id_b"}), on="record_id_b")
    )
    merge_rates = _merge_rate_per_source(records, identity)
    record_count = records.height
    del records
    survivorship = survivorship or SurvivorshipConfig.load()
    golden_fingerprint = survivorship_fingerprint(survivorship)
    hashes = record_hashes(conn)
    stale = stale_golden_rows(conn, identity, hashes, golden_fingerprint)
    if stale is None:
        golden = build_golden_leads(read_table(conn, LEAD_RECORDS), identity, survivorship)
    else:
        golden = build_golden_leads(records_of_leads(conn, identity, stale.rebuild), identity, survivorship)

    tables = {
        LEAD_IDENTITY: identity,
        PAIRS_TABLE: result.pairs,
        MATCH_INPUTS_TABLE: result.inputs.with_columns(config_fingerprint=pl.lit(match_fingerprint)),
        MODEL_TABLE: stored_model if stored_model is not None else result.model.to_frame().with_columns(
            config_fingerprint=pl.lit(memory_fingerprint(config)), fitted_at=pl.lit(now)
        ),
        LEAD_MATCH_REVIEW: review,
        LEAD_ID_MERGES: assignment.merges.cast(MERGES_SCHEMA),
        GOLDEN_INPUTS_TABLE: golden_inputs(identity, hashes, golden_fingerprint),
    }
    if decisions is None:
        tables[DECISIONS_TABLE] = pl.DataFrame(schema=DECISIONS_SCHEMA)
    with transaction(conn):
        for name, frame in tables.items():
            overwrite_table(conn, name, frame)
        if stale is None:
            overwrite_table(conn, GOLDEN_TABLE, golden)
        else:
            _replace_golden_rows(conn, stale.remove, golden)

    lead_sizes = identity.group_by("lead_id").len()
    accepted = result.pairs.filter(pl.col("decision").is_in(["auto_merge", "forced_merge"]))
    names_agree = accepted.select(
        ((pl.col("sim_last_name") >= 0.8) | pl.col("sim_last_name").is_null()).mean()
    ).item() if accepted.height else None
    report = DedupeReport(
        identity={
            "records": record_count,
            "leads": lead_sizes.height,
            "multi_record_leads": int((lead_sizes["len"] > 1).sum()),
            "largest_cluster": int(lead_sizes["len"].max() or 0),
            "candidate_pairs": int(result.stats["candidate_pairs"]),
            "compared_pairs": int(result.stats["compared_pairs"]),
            "auto_merge_pairs": int(result.stats["auto_merge_pairs"]),
            "review_pairs": review.height,
            "size_guard_demoted_pairs": int(result.stats["size_guard_demoted_pairs"]),
            "oversized_blocks_skipped": int(result.stats["oversized_blocks_skipped"]),
            "new_leads": assignment.new_leads,
            "id_merges": assignment.new_merges,
            "id_splits": assignment.new_splits,
            # Share of accepted links whose last names agree: a cheap precision proxy
            # that drops when matching gets too loose.
            "precision_proxy": round(float(names_agree), 4) if names_agree is not None else 1.0,
            "match_seconds": float(result.stats["seconds"]),
            **result.model.metadata(),
            **merge_rates,
        },
        golden={
            **_golden_totals(conn),
            "rebuilt_rows": golden.height,
        },
    )
    return report


def _replace_golden_rows(conn: duckdb.DuckDBPyConnection, remove: pl.Series, rebuilt: pl.DataFrame) -> None:
    """Delete the stored rows of rebuilt and retired leads, then add the rebuilt rows."""
    with registered(conn, "_golden_remove", remove.to_frame("lead_id")):
        conn.execute(f"delete from {GOLDEN_TABLE} where lead_id in (select lead_id from _golden_remove)")
    append_rows(conn, GOLDEN_TABLE, rebuilt)


def _golden_totals(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    has_consent = "email_consent" in table_columns(conn, GOLDEN_TABLE)
    granted = "count(*) filter (where email_consent = 'granted')" if has_consent else "0"
    rows, email_granted, do_not_email, do_not_call = conn.sql(f"""
        select count(*), {granted},
               count(*) filter (where do_not_email), count(*) filter (where do_not_call)
        from {GOLDEN_TABLE}
    """).fetchone()
    return {
        "rows": rows, "email_consent_granted": email_granted,
        "do_not_email": do_not_email, "do_not_call": do_not_call,
    }
