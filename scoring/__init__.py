"""The learned conversion model: per-lead features from the core tables, a regularized logistic
regression on binned and one-hot features, out-of-fold probabilities and plain-word reasons.

Pure Python (DuckDB, Polars, NumPy, SciPy): the Dagster wiring lives in
orchestration/defs/scoring_assets.py. Settings and the outcome vocabulary are read from the dbt
seeds (dbt_project/seeds/scoring_settings.csv, outcome_classes.csv), so marketing ops edit them in
one place for the rule score and the model alike.
"""

from scoring.settings import ModelSettings, load_settings
from scoring.train import TrainingReport, train_and_score

__all__ = ["ModelSettings", "TrainingReport", "load_settings", "train_and_score"]
