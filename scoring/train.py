"""Train the conversion model on the warehouse's decided outcomes and write its tables.

Decided means converted or won against lost or disqualified, plus leads still open in the CRM a
sales cycle after their creation (`model_open_crm_leads_lost_after_days`, see
scoring.features.training_outcome); every other open lead is scored, never learned from.

core.lead_conversion_scores: one row per lead with its conversion probability (out-of-fold for
the leads the model learned from), and its top features in plain words.
core.conversion_model: the model as data, one row per feature level (bin or category) with its
coefficient and how many leads, decided leads and conversions it holds; plus the intercept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import polars as pl
from scipy.special import expit
from threadpoolctl import threadpool_limits

from ingest.tables import CONVERSION_MODEL, LEAD_CONVERSION_SCORES, table
from scoring.encoding import Encoder, fit_encoder
from scoring.features import FEATURES, read_features, training_outcome
from scoring.model import Fit, fit_logistic, roc_auc, stratified_folds
from scoring.settings import ModelSettings

TRAINED = "trained"
TOO_FEW_OUTCOMES = "too_few_outcomes"
# A contribution smaller than this (log-odds) is not worth naming.
_NOTEWORTHY = 0.05

SCORES_SCHEMA = table(LEAD_CONVERSION_SCORES).polars_schema()
MODEL_SCHEMA = table(CONVERSION_MODEL).polars_schema()


@dataclass
class TrainingReport:
    status: str
    leads: int
    converted_leads: int
    lost_leads: int
    min_converted: int
    min_lost: int
    stale_open_leads: int = 0
    open_as_lost_after_days: int = 0
    open_as_lost_weight: float = 0.0
    out_of_fold_auc: float | None = None
    folds: int = 0
    seed: int = 0
    levels: int = 0
    seconds: float = 0.0
    strongest_levels: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.status == TRAINED:
            stale = (f" ({self.stale_open_leads} of them open in the CRM for more than "
                     f"{self.open_as_lost_after_days} days, weighing {self.open_as_lost_weight:g} each)"
                     if self.stale_open_leads else "")
            return (f"trained on {self.converted_leads} converted and {self.lost_leads} lost leads{stale}; "
                    f"out-of-fold AUC {self.out_of_fold_auc:.3f} ({self.folds} folds, seed {self.seed})")
        return (f"not trained: {self.converted_leads} converted and {self.lost_leads} lost leads, fewer than "
                f"the {self.min_converted} / {self.min_lost} that scoring_settings asks for "
                "(model_min_converted_leads / model_min_lost_leads); conversion_probability stays empty "
                "and ratings use the rule score")

    def to_metadata(self) -> dict:
        return {
            "status": self.status, "message": self.message, "leads": self.leads,
            "converted_leads": self.converted_leads, "lost_leads": self.lost_leads,
            "open_crm_leads_counted_as_lost": self.stale_open_leads,
            "out_of_fold_auc": self.out_of_fold_auc, "folds": self.folds, "seed": self.seed,
            "levels": self.levels, "training_seconds": round(self.seconds, 2),
            "strongest_levels": self.strongest_levels,
        }


def train_and_score(conn: duckdb.DuckDBPyConnection, settings: ModelSettings, now: datetime) -> TrainingReport:
    """Reads core.lead_records + core.lead_identity, writes the two scoring tables, reports."""
    # The linear algebra is on a few hundred columns: BLAS threads only wait for each other.
    with threadpool_limits(limits=1):
        return _train_and_score(conn, settings, now)


def _train_and_score(conn: duckdb.DuckDBPyConnection, settings: ModelSettings, now: datetime) -> TrainingReport:
    started = time.perf_counter()
    frame = read_features(conn, settings.outcome_classes)
    outcome = training_outcome(frame, settings.open_as_lost_after_days, settings.open_as_lost_weight)
    # Decided in the CRM; the other leads the model learns from are long-open ones.
    truly_decided = frame.get_column("is_converted").is_not_null().to_numpy()
    converted = int((outcome == True).sum())  # noqa: E712 - polars comparison, nulls stay out
    lost = int((outcome == False).sum())  # noqa: E712
    stale = int((outcome.is_not_null().to_numpy() & ~truly_decided).sum())
    report = TrainingReport(TOO_FEW_OUTCOMES, frame.height, converted, lost,
                            settings.min_converted, settings.min_lost, stale_open_leads=stale,
                            open_as_lost_after_days=settings.open_as_lost_after_days,
                            open_as_lost_weight=settings.open_as_lost_weight, seed=settings.seed)
    if converted < max(settings.min_converted, 1) or lost < max(settings.min_lost, 1):
        scores = pl.DataFrame({
            "lead_id": frame.get_column("lead_id"), "conversion_probability": None,
            "is_out_of_fold": False, "cv_fold": None, "top_features": None,
            "model_status": TOO_FEW_OUTCOMES, "trained_at": now,
        }, schema=SCORES_SCHEMA)
        _write(conn, scores, pl.DataFrame(schema=MODEL_SCHEMA))
        report.seconds = time.perf_counter() - started
        return report

    encoder = fit_encoder(frame, FEATURES, settings.numeric_bins, settings.min_level_leads)
    codes = encoder.codes(frame)
    design = encoder.design(codes)
    decided = outcome.is_not_null().to_numpy()
    y_all = outcome.fill_null(False).to_numpy()
    decided_rows = np.flatnonzero(decided)
    y = y_all[decided_rows]
    # A long-open CRM lead is weaker evidence than a decided one: it weighs open_as_lost_weight.
    weight_all = np.where(truly_decided, 1.0, settings.open_as_lost_weight)

    full = fit_logistic(design[decided_rows], y, settings.l2_penalty, weights=weight_all[decided_rows])
    logits = full.logit(design)
    # Coefficient of each lead's active level per feature, from the model that scores the lead.
    active = full.coefficients[codes]
    folds = stratified_folds(y, settings.folds, settings.seed)
    fold_of_lead = np.full(frame.height, -1, dtype=np.int64)
    fold_of_lead[decided_rows] = folds
    for fold in range(settings.folds):
        train = decided_rows[folds != fold]
        held_out = decided_rows[folds == fold]
        model = fit_logistic(design[train], y_all[train], settings.l2_penalty, start=full, weights=weight_all[train])
        logits[held_out] = model.logit(design[held_out])
        active[held_out] = model.coefficients[codes[held_out]]
    probability = expit(logits)

    # Contributions relative to an average lead: level coefficient minus the feature's mean.
    baseline = full.coefficients[codes].mean(axis=0)
    top = _top_features(encoder, codes, active - baseline, settings.top_features)

    scores = pl.DataFrame({
        "lead_id": frame.get_column("lead_id"),
        "conversion_probability": probability,
        "is_out_of_fold": decided,
        "cv_fold": np.where(decided, fold_of_lead, -1),
        "top_features": top,
        "model_status": TRAINED,
        "trained_at": now,
    }, schema_overrides={"cv_fold": pl.Int32, "trained_at": pl.Datetime("us")}).with_columns(
        pl.when(pl.col("cv_fold") >= 0).then(pl.col("cv_fold")).alias("cv_fold")
    ).select(list(SCORES_SCHEMA))
    model_table = _model_table(encoder, full, codes, decided, y_all, now)
    _write(conn, scores, model_table)

    report.status = TRAINED
    # Measured where the outcome is known, as marts.mart_score_calibration measures it.
    report.out_of_fold_auc = roc_auc(probability[truly_decided], y_all[truly_decided])
    report.folds = settings.folds
    report.levels = len(encoder.levels)
    order = np.argsort(-np.abs(full.coefficients))[:5]
    report.strongest_levels = [f"{encoder.levels[i].description} ({full.coefficients[i]:+.2f})" for i in order]
    report.seconds = time.perf_counter() - started
    return report


def _top_features(encoder: Encoder, codes: np.ndarray, contributions: np.ndarray, k: int) -> pl.Series:
    """E.g. "time on site 12 to 25 min (+1.31), occupation unknown (-0.84)" per lead."""
    descriptions = np.array([level.description for level in encoder.levels], dtype=object)
    k = min(k, codes.shape[1])
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    parts = []
    for j in range(k):
        column = order[:, j]
        value = np.take_along_axis(contributions, column[:, None], axis=1)[:, 0]
        level = np.take_along_axis(codes, column[:, None], axis=1)[:, 0]
        part = pl.DataFrame({"d": descriptions[level].astype(str), "v": value}).select(
            pl.when(pl.col("v").abs() >= _NOTEWORTHY)
            .then(pl.format("{} ({})", pl.col("d"),
                            pl.when(pl.col("v") >= 0).then(pl.lit("+")).otherwise(pl.lit(""))
                            + pl.col("v").round(2).cast(pl.Utf8)))
            .alias(f"p{j}")
        )
        parts.append(part.get_column(f"p{j}"))
    if not parts:
        return pl.Series("top_features", [None] * codes.shape[0], dtype=pl.Utf8)
    joined = pl.DataFrame(parts).select(pl.concat_str(pl.all(), separator=", ", ignore_nulls=True).alias("t"))
    return joined.get_column("t").replace("", None).alias("top_features")


def _model_table(encoder: Encoder, full: Fit, codes: np.ndarray, decided: np.ndarray, y: np.ndarray,
                 now: datetime) -> pl.DataFrame:
    n_levels = len(encoder.levels)
    flat = codes.reshape(-1)
    leads = np.bincount(flat, minlength=n_levels)
    decided_codes = codes[decided].reshape(-1)
    decided_leads = np.bincount(decided_codes, minlength=n_levels)
    converted_leads = np.bincount(codes[decided & y].reshape(-1), minlength=n_levels)
    rows = [{
        "feature": "(intercept)", "feature_label": "base log-odds", "feature_kind": "intercept",
        "level": None, "level_order": 0, "lower_bound": None, "upper_bound": None,
        "coefficient": full.intercept, "leads": int(codes.shape[0]), "decided_leads": int(decided.sum()),
        "converted_leads": int((decided & y).sum()), "description": "base log-odds of an average lead",
        "trained_at": now,
    }]
    index = 0
    for enc in encoder.encodings:
        for order, level in enumerate(enc.levels):
            rows.append({
                "feature": enc.feature.name, "feature_label": enc.feature.label, "feature_kind": enc.feature.kind,
                "level": level.level, "level_order": order, "lower_bound": level.lower_bound,
                "upper_bound": level.upper_bound, "coefficient": float(full.coefficients[index]),
                "leads": int(leads[index]), "decided_leads": int(decided_leads[index]),
                "converted_leads": int(converted_leads[index]), "description": level.description,
                "trained_at": now,
            })
            index += 1
    return pl.DataFrame(rows, schema=MODEL_SCHEMA)


def _write(conn: duckdb.DuckDBPyConnection, scores: pl.DataFrame, model: pl.DataFrame) -> None:
    """Both tables replaced in one transaction: readers never see a model without its scores."""
    conn.execute("create schema if not exists core")
    conn.register("_scores", scores.to_arrow())
    conn.register("_model", model.to_arrow())
    try:
        conn.execute("begin transaction")
        conn.execute(f"create or replace table {LEAD_CONVERSION_SCORES} as select * from _scores")
        conn.execute(f"create or replace table {CONVERSION_MODEL} as select * from _model")
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    finally:
        conn.unregister("_scores")
        conn.unregister("_model")
