"""`leadwerk score-report`: how well the rule score, the learned probability and the incumbent
CRM's own score predict conversion, side by side, from marts.mart_score_calibration."""

from __future__ import annotations

import argparse

import duckdb

from ingest.tables import LEAD_CONVERSION_SCORES
from ingest.warehouse import table_exists

SCORE_LABELS = {
    "lead_score": "rule lead_score",
    "conversion_probability": "learned probability",
    "source_score": "CRM's own score",
}
_ORDER = {name: i for i, name in enumerate(SCORE_LABELS)}


def learned_vs_rule_auc(conn: duckdb.DuckDBPyConnection, source_system: str = "all") -> tuple[float | None, float | None]:
    """(learned AUC, rule AUC) over the decided leads of `source_system`; None where not measured."""
    rows = dict(conn.execute(
        """
        select score_name, roc_auc from marts.mart_score_calibration
        where calibration_group = 'overall' and source_system = ?
        """,
        [source_system],
    ).fetchall())
    return rows.get("conversion_probability"), rows.get("lead_score")


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def score_report(conn: duckdb.DuckDBPyConnection) -> str:
    """The comparison as text; explains itself when there is nothing to compare yet."""
    if not table_exists(conn, "marts.mart_score_calibration"):
        return "No marts yet: run `leadwerk run` first."
    overall = conn.execute(
        """
        select source_system, score_name, leads, converted_leads, roc_auc, top_decile_lift, brier_score
        from marts.mart_score_calibration where calibration_group = 'overall'
        """
    ).fetchall()
    lines = []
    if table_exists(conn, LEAD_CONVERSION_SCORES):
        status = conn.execute(
            f"select model_status, count(*) filter (where is_out_of_fold) from {LEAD_CONVERSION_SCORES} group by 1"
        ).fetchall()
        for model_status, trained_on in status:
            if model_status == "trained":
                lines.append(f"Learned model: trained on {trained_on} leads (decided, or open in the CRM past "
                             "model_open_crm_leads_lost_after_days); their probabilities are out-of-fold.")
            else:
                lines.append("Learned model: not trained, too few decided outcomes (model_min_converted_leads / "
                             "model_min_lost_leads in dbt_project/seeds/scoring_settings.csv); ratings use the rule score.")
    if not overall:
        lines.append("No decided outcomes yet (converted / won / lost / disqualified): nothing to compare.")
        return "\n".join(lines)
    overall.sort(key=lambda r: (r[0] != "all", r[0], _ORDER.get(r[1], 9)))
    header = f"{'source system':<16} {'score':<22} {'leads':>8} {'converted':>10} {'AUC':>6} {'top-10% lift':>13} {'Brier':>6}"
    lines += ["", "How well each score ranks decided leads (converted vs lost):", header, "-" * len(header)]
    for system, name, leads, converted, auc, lift, brier in overall:
        lines.append(
            f"{system:<16} {SCORE_LABELS.get(name, name):<22} {leads:>8} {converted:>10} "
            f"{_number(auc, 3):>6} {_number(lift, 2):>13} {_number(brier, 3):>6}"
        )
    ratings = conn.execute(
        """
        select bucket, leads, conversion_rate from marts.mart_score_calibration
        where calibration_group = 'rating' and source_system = 'all' and score_name = 'lead_score'
        order by bucket_order desc
        """
    ).fetchall()
    if ratings:
        lines += ["", "Conversion rate per rating: " + ", ".join(
            f"{bucket} {rate:.1%} of {leads}" for bucket, leads, rate in ratings)]
    learned, rule = learned_vs_rule_auc(conn)
    if learned is not None and rule is not None and learned < rule:
        lines += ["", f"WARNING: the learned probability ranks worse than the rule score (AUC {learned:.3f} < "
                      f"{rule:.3f}); set rating_uses_learned_probability to 0 until more outcomes are known."]
    lines += [
        "",
        "AUC: chance that a converted lead outscores a lost one (0.5 = a coin, 1 = perfect). Lift: how many",
        "times more often the top 10% convert than the average. Brier: squared error of the score read as a",
        "probability (only the learned one is meant to be calibrated). Tune the rule score in dbt_project/seeds/.",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from orchestration.paths import warehouse_path

    path = warehouse_path()
    if not path.exists():
        print(f"No warehouse at {path}: run `leadwerk run` first.")
        return 1
    try:
        with duckdb.connect(str(path), read_only=True) as conn:
            print(score_report(conn))
    except duckdb.IOException as error:
        print(f"Cannot open the warehouse {path} ({error}); is a run still writing it? Try again when it ends.")
        return 1
    return 0
