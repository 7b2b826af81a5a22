"""Golden leads: one row per lead, each field taken from the best record by configured rules.

Every survived field X comes with X__record_id, so a person can trace each value to its record.
Consent is combined across records instead: an opt-out anywhere wins; grants keep their proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import polars as pl
import yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "survivorship.yaml"
KNOWN_RULES = {"valid", "source_priority", "most_recent", "earliest", "most_complete"}


@dataclass(frozen=True)
class FieldGroup:
    fields: tuple[str, ...]
    rules: tuple[str, ...]
    valid: str | None


@dataclass(frozen=True)
class SurvivorshipConfig:
    source_priority: dict[str, int]
    groups: tuple[FieldGroup, ...]
    consent_channels: dict[str, str | None]

    @classmethod
    def load(cls, path: Path | str = RULES_PATH) -> SurvivorshipConfig:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        default_rules = tuple(raw["default_rules"])
        groups = tuple(
            FieldGroup(
                fields=tuple(g["fields"]),
                rules=tuple(g.get("rules", default_rules)),
                valid=g.get("valid"),
            )
            for g in raw["groups"]
        )
        unknown = {r for g in groups for r in g.rules} - KNOWN_RULES
        if unknown:
            raise ValueError(f"survivorship.yaml names unknown rules {sorted(unknown)}; known: {sorted(KNOWN_RULES)}")
        return cls(
            source_priority={str(k): int(v) for k, v in raw["source_priority"].items()},
            groups=groups,
            consent_channels=dict(raw["consent_channels"]),
        )


def _seen_at() -> pl.Expr:
    return pl.coalesce(pl.col("created_at"), pl.col("ingested_at"))


def _flag(name: str, columns: set[str]) -> pl.Expr:
    """A record's yes/no flag (opt-outs), false when the record or the frame lacks it."""
    return pl.col(name).cast(pl.Boolean, strict=False).fill_null(False) if name in columns else pl.lit(False)


def _rule_keys(
    group: FieldGroup, fields: list[str], columns: set[str], config: SurvivorshipConfig
) -> tuple[list[pl.Expr], list[bool]]:
    keys: list[pl.Expr] = []
    descending: list[bool] = []
    for rule in group.rules:
        if rule == "valid" and group.valid and group.valid in columns:
            flag = pl.col(group.valid).cast(pl.Boolean, strict=False)
            keys.append(
                pl.when(flag).then(pl.lit(0, pl.Int32))
                .when(flag.is_null()).then(pl.lit(1, pl.Int32))
                .otherwise(pl.lit(2, pl.Int32))
            )
            descending.append(False)
        elif rule == "source_priority":
            keys.append(
                pl.col("source_kind").cast(pl.String).replace_strict(config.source_priority, default=99, return_dtype=pl.Int32)
            )
            descending.append(False)
        elif rule in ("most_recent", "earliest"):
            keys.append(_seen_at().is_null())  # records without a date last
            descending.append(False)
            keys.append(_seen_at())
            descending.append(rule == "most_recent")
        elif rule == "most_complete":
            keys.append(pl.sum_horizontal([pl.col(f).is_not_null().cast(pl.Int32) for f in fields]))
            descending.append(True)
    keys.append(pl.col("_record_rank"))
    descending.append(False)
    return keys, descending


def _survive_group(records: pl.LazyFrame, group: FieldGroup, columns: set[str], config: SurvivorshipConfig) -> pl.LazyFrame | None:
    fields = [f for f in group.fields if f in columns]
    if not fields:
        return None
    keys, descending = _rule_keys(group, fields, columns, config)
    key_names = [f"_key{i}" for i in range(len(keys))]
    # Only the group's fields and its sort keys travel through the sort.
    return (
        records.filter(pl.col(fields[0]).is_not_null())
        .select("lead_id", "_lead_rank", "record_id", *fields, *[k.alias(n) for k, n in zip(keys, key_names, strict=True)])
        .sort(["_lead_rank", *key_names], descending=[False, *descending], nulls_last=True)
        .unique(subset="_lead_rank", keep="first", maintain_order=True)
        .select("lead_id", *fields, *[pl.col("record_id").alias(f"{f}__record_id") for f in fields])
    )


def _consent_statement(channel: str, opt_out: str | None, columns: set[str]) -> dict[str, pl.Expr]:
    """One record's statement on a channel: status (an opt-out counts as denied), time, source, proof."""
    prefix = f"{channel}_consent"
    status = pl.col(prefix) if prefix in columns else pl.lit(None, dtype=pl.String)
    denied = (status == "denied") | (status == "withdrawn")
    if opt_out:
        denied = denied | _flag(opt_out, columns)
    effective = pl.when(denied.fill_null(False)).then(pl.lit("denied")).when(status == "granted").then(pl.lit("granted"))
    at = pl.col(f"{prefix}_at") if f"{prefix}_at" in columns else pl.lit(None, dtype=pl.Datetime("us"))
    source = pl.col(f"{prefix}_source") if f"{prefix}_source" in columns else pl.lit(None, dtype=pl.String)
    proof = pl.col(f"{prefix}_proof") if f"{prefix}_proof" in columns else pl.lit(None, dtype=pl.String)
    return {"status_": effective, "at_": at, "source_": source, "proof_": proof}


def _combine_consent(records: pl.LazyFrame, channel: str, opt_out: str | None, columns: set[str]) -> pl.LazyFrame:
    decided = (
        records.select(
            "lead_id", "_lead_rank", "_record_rank", "record_id",
            **_consent_statement(channel, opt_out, columns), seen_=_seen_at(),
        )
        .filter(pl.col("status_").is_not_null())
        .sort(
            ["_lead_rank", pl.col("status_") != "denied", pl.coalesce("at_", "seen_"), "_record_rank"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .unique(subset="_lead_rank", keep="first", maintain_order=True)
    )
    prefix = f"{channel}_consent"
    return decided.select(
        "lead_id",
        pl.col("status_").alias(prefix),
        pl.col("at_").alias(f"{prefix}_at"),
        pl.col("source_").alias(f"{prefix}_source"),
        pl.col("proof_").alias(f"{prefix}_proof"),
        pl.col("record_id").alias(f"{prefix}_record_id"),
    )


def _summary(records: pl.LazyFrame, columns: set[str]) -> pl.LazyFrame:
    return records.group_by("lead_id").agg(
        record_count=pl.len().cast(pl.Int64),
        source_kinds=pl.col("source_kind").drop_nulls().unique().sort().str.join(","),
        source_systems=pl.col("source_system").drop_nulls().unique().sort().str.join(","),
        first_seen_at=_seen_at().min(),
        last_seen_at=_seen_at().max(),
        do_not_email=_flag("do_not_email", columns).any(),
        do_not_call=_flag("do_not_call", columns).any(),
    )


def _golden_of_shared(records: pl.LazyFrame, columns: set[str], config: SurvivorshipConfig) -> pl.DataFrame:
    """Leads with several records: every field group and consent channel picks its record.

    Lead and record ids are ranked once, so the many sorts below compare numbers, not text.
    """
    records = records.with_columns(
        _lead_rank=pl.col("lead_id").rank("dense"), _record_rank=pl.col("record_id").rank("ordinal")
    ).collect().lazy()
    parts = [p for g in config.groups if (p := _survive_group(records, g, columns, config)) is not None]
    consent_parts = [_combine_consent(records, c, opt, columns) for c, opt in config.consent_channels.items()]
    collected = pl.collect_all([_summary(records, columns), *parts, *consent_parts])
    return reduce(lambda left, right: left.join(right, on="lead_id", how="left"), collected)


def _golden_of_single(records: pl.LazyFrame, columns: set[str], config: SurvivorshipConfig) -> pl.LazyFrame:
    """Leads with one record (most of them): the record is the golden row, without sorting or joins.

    Gives exactly what the general rules give for a lead of one record.
    """
    selected: list[pl.Expr] = [
        pl.col("lead_id"),
        pl.lit(1, pl.Int64).alias("record_count"),
        pl.col("source_kind").fill_null("").alias("source_kinds"),
        pl.col("source_system").fill_null("").alias("source_systems"),
        _seen_at().alias("first_seen_at"),
        _seen_at().alias("last_seen_at"),
        _flag("do_not_email", columns).alias("do_not_email"),
        _flag("do_not_call", columns).alias("do_not_call"),
    ]
    for group in config.groups:
        fields = [f for f in group.fields if f in columns]
        if not fields:
            continue
        present = pl.col(fields[0]).is_not_null()
        selected += [pl.when(present).then(pl.col(f)).alias(f) for f in fields]
        selected += [pl.when(present).then(pl.col("record_id")).alias(f"{f}__record_id") for f in fields]
    for channel, opt_out in config.consent_channels.items():
        statement = _consent_statement(channel, opt_out, columns)
        stated = statement["status_"].is_not_null()
        prefix = f"{channel}_consent"
        selected += [
            statement["status_"].alias(prefix),
            pl.when(stated).then(statement["at_"]).alias(f"{prefix}_at"),
            pl.when(stated).then(statement["source_"]).alias(f"{prefix}_source"),
            pl.when(stated).then(statement["proof_"]).alias(f"{prefix}_proof"),
            pl.when(stated).then(pl.col("record_id")).alias(f"{prefix}_record_id"),
        ]
    return records.select(selected)


def build_golden_leads(records: pl.DataFrame, identity: pl.DataFrame, config: SurvivorshipConfig | None = None) -> pl.DataFrame:
    """One row per lead_id from core.lead_records joined with core.lead_identity."""
    config = config or SurvivorshipConfig.load()
    needed = {"created_at": pl.Datetime("us"), "ingested_at": pl.Datetime("us"),
              "source_kind": pl.String, "source_system": pl.String}
    records = records.with_columns(
        [pl.lit(None, dtype=dtype).alias(name) for name, dtype in needed.items() if name not in records.columns]
    ).with_columns([pl.col(name).cast(dtype) for name, dtype in needed.items()])
    columns = set(records.columns)
    joined = records.join(identity.select("record_id", "lead_id"), on="record_id", how="inner")
    del records  # the caller's frame is not needed beside its joined copy
    is_shared = joined.select(pl.len().over("lead_id") > 1).to_series()
    # Joined and split once; the field groups of shared leads all read the same frame.
    shared = _golden_of_shared(joined.filter(is_shared).lazy(), columns, config)
    single = _golden_of_single(joined.filter(~is_shared).lazy(), columns, config).collect()
    del joined
    golden = pl.concat([shared, single.select(shared.columns)], how="vertical")
    consent_fill = {f"{c}_consent": pl.col(f"{c}_consent").fill_null("unknown") for c in config.consent_channels}
    # Row order carries no meaning (readers order by lead_id); sorting 100 columns would cost
    # more than building them.
    return golden.with_columns(**consent_fill)
