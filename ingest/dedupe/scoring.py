"""Match score and decision per pair: deterministic keys first, then weighted evidence.

Each field adds bits by similarity level (agree / partial / disagree, nothing when missing);
the sum plus the prior becomes a match probability, compared with the configured thresholds.
"""

from __future__ import annotations

import polars as pl

from ingest.dedupe.config import DedupeConfig

SCORED_FIELDS = {
    "email": "sim_email", "phone": "sim_phone", "first_name": "sim_first_name",
    "last_name": "sim_last_name", "birth_date": "sim_birth_date", "company": "sim_company",
    "address": "sim_address",
}


def _field_bits(config: DedupeConfig) -> list[pl.Expr]:
    bits = []
    company_agrees = (pl.col("sim_company") >= config.fields["company"].agree).fill_null(False)
    for field, weight in config.fields.items():
        sim = pl.col(SCORED_FIELDS[field])
        agree_bits = pl.lit(weight.bits_agree)
        if field == "address" and "company" in config.fields:
            agree_bits = pl.when(company_agrees).then(
                min(weight.bits_agree, config.address_bits_when_company_agrees)
            ).otherwise(agree_bits)
        bits.append(
            pl.when(sim.is_null()).then(0.0)
            .when(sim >= weight.agree).then(agree_bits)
            .when(sim >= weight.partial).then(weight.bits_partial)
            .otherwise(weight.bits_disagree)
        )
    return bits


def score_pairs(compared: pl.DataFrame, config: DedupeConfig) -> pl.DataFrame:
    """Adds `rule`, `score` (match probability) and `decision` to compared pairs."""
    # A rare full name is stronger evidence than a common one (term-frequency adjustment).
    rare_name_bits = (
        (pl.lit(float(config.rare_name_reference_count)) / pl.col("shared_name_count").cast(pl.Float64))
        .log(2).clip(0.0, config.rare_name_max_bits).fill_null(0.0)
    )
    total_bits = pl.lit(config.prior_bits) + pl.sum_horizontal(_field_bits(config)) + rare_name_bits
    probability = 1.0 / (1.0 + (2.0 ** (-total_bits)))
    first_conflict = (pl.col("sim_first_name") < 0.7).fill_null(False)
    last_agrees = (pl.col("sim_last_name") >= 0.9).fill_null(False)
    rule = (
        pl.when(pl.col("same_crm_id")).then(pl.lit("crm_id"))
        .when(pl.col("same_email") & ~first_conflict).then(pl.lit("email"))
        .when(pl.col("same_phone") & last_agrees & ~first_conflict).then(pl.lit("phone_last_name"))
        .otherwise(pl.lit("fuzzy"))
    )
    scored = compared.with_columns(score=probability.round(6), rule=rule)
    # A deterministic key merges unless the other fields speak clearly against it
    # (a household sharing one landline, a family sharing one inbox).
    scored = scored.with_columns(
        rule=pl.when((pl.col("rule") != "crm_id") & (pl.col("score") < config.review))
        .then(pl.lit("fuzzy"))
        .otherwise(pl.col("rule"))
    )
    decision = (
        pl.when(pl.col("rule") != "fuzzy").then(pl.lit("auto_merge"))
        .when(pl.col("score") >= config.auto_merge).then(pl.lit("auto_merge"))
        .when(pl.col("score") >= config.review).then(pl.lit("review"))
        .otherwise(pl.lit("keep_separate"))
    )
    return scored.with_columns(decision=decision)
