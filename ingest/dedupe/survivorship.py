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
    keys.append(pl.col("record_id"))
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
        .select("lead_id", "record_id", *fields, *[k.alias(n) for k, n in zip(keys, key_names, strict=True)])
        .sort(["lead_id", *key_names], descending=[False, *descending], nulls_last=True)
        .unique(subset="lead_id", keep="first", maintain_order=True)
        .select("lead_id", *fields, *[pl.col("record_id").alias(f"{f}__record_id") for f in fields])
    )


def _combine_consent(records: pl.LazyFrame, channel: str, opt_out: str | None, columns: set[str]) -> pl.LazyFrame:
    prefix = f"{channel}_consent"
    status = pl.col(prefix) if prefix in columns else pl.lit(None, dtype=pl.String)
    denied = (status == "denied") | (status == "withdrawn")
    if opt_out and opt_out in columns:
        denied = denied | pl.col(opt_out).cast(pl.Boolean, strict=False).fill_null(False)
    effective = pl.when(denied.fill_null(False)).then(pl.lit("denied")).when(status == "granted").then(pl.lit("granted"))
    at = pl.col(f"{prefix}_at") if f"{prefix}_at" in columns else pl.lit(None, dtype=pl.Datetime("us"))
    source = pl.col(f"{prefix}_source") if f"{prefix}_source" in columns else pl.lit(None, dtype=pl.String)
    proof = pl.col(f"{prefix}_proof") if f"{prefix}_proof" in columns else pl.lit(None, dtype=pl.String)
    decided = (
        records.select("lead_id", "record_id", status_=effective, at_=at, source_=source, proof_=proof, seen_=_seen_at())
        .filter(pl.col("status_").is_not_null())
        .sort(
            ["lead_id", pl.col("status_") != "denied", pl.coalesce("at_", "seen_"), "record_id"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
        .unique(subset="lead_id", keep="first", maintain_order=True)
    )
    return decided.select(
        "lead_id",
        pl.col("status_").alias(prefix),
        pl.col("at_").alias(f"{prefix}_at"),
        pl.col("source_").alias(f"{prefix}_source"),
        pl.col("proof_").alias(f"{prefix}_proof"),
        pl.col("record_id").alias(f"{prefix}_record_id"),
    )


def build_golden_leads(records: pl.DataFrame, identity: pl.DataFrame, config: SurvivorshipConfig | None = None) -> pl.DataFrame:
    """One row per lead_id from core.lead_records joined with core.lead_identity."""
    config = config or SurvivorshipConfig.load()
    needed = {"created_at": pl.Datetime("us"), "ingested_at": pl.Datetime("us"),
              "source_kind": pl.String, "source_system": pl.String}
    records = records.with_columns(
        [pl.lit(None, dtype=dtype).alias(name) for name, dtype in needed.items() if name not in records.columns]
    ).with_columns([pl.col(name).cast(dtype) for name, dtype in needed.items()])
    # Joined once and shared by every field group below.
    joined = records.join(identity.select("record_id", "lead_id"), on="record_id", how="inner").lazy()
    columns = set(records.columns)
    summary = joined.group_by("lead_id").agg(
        record_count=pl.len().cast(pl.Int64),
        source_kinds=pl.col("source_kind").drop_nulls().unique().sort().str.join(","),
        source_systems=pl.col("source_system").drop_nulls().unique().sort().str.join(","),
        first_seen_at=_seen_at().min(),
        last_seen_at=_seen_at().max(),
        do_not_email=(pl.col("do_not_email").cast(pl.Boolean, strict=False).fill_null(False).any()
                      if "do_not_email" in columns else pl.lit(False)),
        do_not_call=(pl.col("do_not_call").cast(pl.Boolean, strict=False).fill_null(False).any()
                     if "do_not_call" in columns else pl.lit(False)),
    )
    parts = [p for g in config.groups if (p := _survive_group(joined, g, columns, config)) is not None]
    consent_parts = [_combine_consent(joined, c, opt, columns) for c, opt in config.consent_channels.items()]
    collected = pl.collect_all([summary, *parts, *consent_parts])
    golden = reduce(lambda left, right: left.join(right, on="lead_id", how="left"), collected)
    consent_fill = {f"{c}_consent": pl.col(f"{c}_consent").fill_null("unknown") for c in config.consent_channels}
    return golden.with_columns(**consent_fill).sort("lead_id")
