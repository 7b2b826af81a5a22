"""Match score and decision per pair: deterministic keys first, then weighted evidence.

Each field adds bits by its comparison level (nothing when missing): the levels' bits learned
for this data (model.py), or the configured agree / partial / disagree bits for inputs too small
to learn from. The sum plus the prior becomes a match probability, compared with the configured
thresholds. Every field's bits are kept per pair (`bits_<field>`), so a person can read why.
"""

from __future__ import annotations

import polars as pl

from ingest.dedupe.compare import TF_FIELDS
from ingest.dedupe.config import DedupeConfig
from ingest.dedupe.model import MatchModel

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


def _learned_bits(model: MatchModel, config: DedupeConfig) -> dict[str, pl.Expr]:
    """Bits per field from the level's learned evidence; an exact agreement on a name, place or
    company moves by how rare the shared value is: log2(u of exact agreement / share of records
    holding this value), within +-term_frequency_max_bits."""
    limit = config.model.term_frequency_max_bits
    exact = model.weights.filter(pl.col("level") == 0)
    exact_u = dict(exact.select("field", "u").iter_rows())
    holding = dict(exact.select("field", "records_with_value").iter_rows())
    bits = {}
    for name, levels in model.bits().items():
        level = pl.col(f"lvl_{name}")
        evidence = level.replace_strict(list(range(len(levels))), levels, default=None, return_dtype=pl.Float64)
        if name in TF_FIELDS and exact_u.get(name) and holding.get(name):
            share = pl.col(f"tf_{name}").cast(pl.Float64) / holding[name]
            adjustment = (pl.lit(exact_u[name]) / share).log(2).clip(-limit, limit)
            evidence = evidence + pl.when(level == 0).then(adjustment.fill_null(0.0)).otherwise(0.0)
        bits[name] = evidence.fill_null(0.0)
    for (first, second), correction in model.dependence().items():
        both_exact = ((pl.col(f"lvl_{first}") == 0) & (pl.col(f"lvl_{second}") == 0)).fill_null(False)
        bits[f"{first}_{second}"] = pl.when(both_exact).then(pl.lit(correction)).otherwise(0.0)
    return bits


def _any_at(levels: dict[str, int]) -> pl.Expr:
    """True where the pair agrees on one of the fields at its comparison level or stronger."""
    return pl.any_horizontal(
        pl.lit(False), *[(pl.col(f"lvl_{name}") <= level).fill_null(False) for name, level in levels.items()]
    )


def score_pairs(compared: pl.DataFrame, config: DedupeConfig, model: MatchModel | None = None) -> pl.DataFrame:
    """Adds `rule`, `score` (match probability), `decision` and `bits_<field>` to compared pairs."""
    if model is not None and model.fitted:
        field_bits = _learned_bits(model, config)
        total_bits = pl.lit(model.prior_bits) + pl.sum_horizontal(pl.col(f"bits_{f}") for f in field_bits)
    else:
        # A rare full name is stronger evidence than a common one (term-frequency adjustment).
        rare_name_bits = (
            (pl.lit(float(config.rare_name_reference_count)) / pl.col("shared_name_count").cast(pl.Float64))
            .log(2).clip(0.0, config.rare_name_max_bits).fill_null(0.0)
        )
        field_bits = dict(zip(config.fields, _field_bits(config), strict=True))
        total_bits = pl.lit(config.prior_bits) + pl.sum_horizontal(pl.col(f"bits_{f}") for f in field_bits) + rare_name_bits
    compared = compared.with_columns(expr.cast(pl.Float32).alias(f"bits_{name}") for name, expr in field_bits.items())
    probability = 1.0 / (1.0 + (2.0 ** (-total_bits)))
    # Both first names given and clearly different: two people (dedupe.yaml name_conflict_guard).
    guard = config.name_conflict_guard
    first_conflict = (pl.col("sim_first_name") < guard.first_name_below).fill_null(False)
    household = _any_at(dict.fromkeys(guard.when_sharing, 0))
    # ... unless a personal field agrees: then the score alone decides.
    vouched = _any_at(guard.unless)
    last_agrees = (pl.col("sim_last_name") >= config.cutoffs.phone_rule_last_name).fill_null(False)
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
    # Without a person's name, a clearly different company or site name at the same address
    # and phone is another business of one building (a hotel's restaurants, a centre's
    # programmes): a person decides.
    other_business = (
        pl.col("sim_first_name").is_null() & pl.col("sim_last_name").is_null()
        & (pl.col("sim_company") < config.fields["company"].partial)
    ).fill_null(False) if "lvl_company" in compared.columns else pl.lit(False)
    decision = (
        pl.when(pl.col("rule") != "fuzzy").then(pl.lit("auto_merge"))
        .when((other_business | (first_conflict & household & ~vouched)) & (pl.col("score") >= config.review)).then(pl.lit("review"))
        .when(pl.col("score") >= config.auto_merge).then(pl.lit("auto_merge"))
        .when(pl.col("score") >= config.review).then(pl.lit("review"))
        .otherwise(pl.lit("keep_separate"))
    )
    return scored.with_columns(decision=decision)
