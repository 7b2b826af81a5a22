"""Match weights learned from each run's own data (Fellegi-Sunter), stored as a readable table.

Each field's comparison falls into a level (compare._levels: 0 = exact ... last = different).
A level's evidence is log2(m / u): m is how often true duplicates fall into it, u how often two
records picked at random do. u is counted on random record pairs (exact agreement from the
value frequencies directly, less the duplicates among them); m is estimated by
expectation-maximisation in training sessions over the blocked candidate pairs (fit_model), with
u held fixed; the prior (share of duplicates among all record pairs) is then fitted with m fixed.

Guards: a tiny input (too few records or candidate pairs) keeps the configured bits of
ingest/rules/dedupe.yaml; EM starts from those bits and runs a bounded number of rounds; m is
smoothed towards its start; a session with too few pairs or duplicates teaches nothing; the last
level never counts in favour, no agreement counts less than disagreement, no level beyond
+-max_bits; a fit in which no session found duplicates is not used.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

from ingest.dedupe.config import Cutoffs, DedupeConfig
from ingest.fingerprint import fingerprint

# Levels per field, strongest first; the labels are what a person reads in core.lead_match_model
# ({...}: the cut-offs of dedupe.yaml `cutoffs`, filled in by level_labels).
LEVELS: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "nickname or first part", "jaro-winkler >= {name_close}",
                   "jaro-winkler >= {name_similar} or phonetic", "initial only", "different"),
    "last_name": ("exact", "jaro-winkler >= {name_close}",
                  "jaro-winkler >= {name_similar}, phonetic or one part of a double name", "different"),
    "birth_date": ("exact", "day/month swapped or one digit off", "same year", "different"),
    "email": ("exact", "similar (>= {email_similar})", "different"),
    "phone": ("exact", "same last seven digits", "different"),
    "company": ("exact (legal form stripped)", "similar (>= {company_close}, words in any order)",
                "similar (>= {company_similar})", "different"),
    "street": ("same street and house number", "similar street, same house number",
               "similar street, house number missing", "similar street, other house number", "different"),
    "postcode": ("exact", "one character off", "different"),
    "city": ("exact", "similar (>= {city_close})", "different"),
}


def level_labels(cutoffs: Cutoffs) -> dict[str, tuple[str, ...]]:
    """LEVELS with this configuration's cut-offs written in."""
    values = {key: f"{value:.2f}" for key, value in asdict(cutoffs).items()}
    return {name: tuple(label.format(**values) for label in labels) for name, labels in LEVELS.items()}


# Which configured field (dedupe.yaml `fields`, three levels agree/partial/disagree) gives the
# starting evidence of each level: 0 agree, 1 partial, 2 disagree.
_START = {
    "first_name": ("first_name", (0, 0, 0, 1, 1, 2)),
    "last_name": ("last_name", (0, 0, 1, 2)),
    "birth_date": ("birth_date", (0, 1, 1, 2)),
    "email": ("email", (0, 1, 2)),
    "phone": ("phone", (0, 1, 2)),
    "company": ("company", (0, 0, 1, 2)),
    "street": ("address", (0, 0, 1, 2, 2)),
    "postcode": ("address", (0, 1, 2)),
    "city": ("address", (1, 1, 2)),
}

# Column whose equality is each field's level 0, for the exact-agreement u.
EXACT_KEYS = {
    "first_name": "fn_fold", "last_name": "ln_fold", "birth_date": "birth_date", "email": "email_key",
    "phone": "phone", "company": "company_key", "street": "street_key", "postcode": "postcode",
    "city": "city_fold",
}


@dataclass(frozen=True)
class MatchModel:
    """Evidence in bits per field and level, the prior, and how it was obtained."""

    weights: pl.DataFrame  # field, level, label, m, u, bits, records_with_value
    prior_bits: float
    source: str  # "fitted" or "configured"
    stats: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        return self.source == "fitted"

    def bits(self) -> dict[str, list[float]]:
        """Bits per level of each compared field."""
        return {
            name: group.sort("level")["bits"].to_list()
            for (name,), group in self.weights.group_by("field", maintain_order=True)
            if "+" not in name
        }

    def dependence(self) -> dict[tuple[str, str], float]:
        """Bits added when both fields of a pair agree exactly (see dependence_rows)."""
        rows = self.weights.filter(pl.col("field").str.contains("+", literal=True))
        return {tuple(name.split("+")): bits for name, bits in rows.select("field", "bits").iter_rows()}

    def rounded(self) -> MatchModel:
        """The model with m, u and bits to 10 significant digits: parallel sums leave the last
        bits of a float to chance, and the same data must give the same model, bit for bit."""
        weights = self.weights.with_columns(pl.col("m", "u", "bits").round_sig_figs(10))
        prior = float(pl.Series([self.prior_bits]).round_sig_figs(10)[0])
        return MatchModel(weights, prior, self.source, self.stats)

    def fingerprint(self) -> str:
        return fingerprint(texts=[repr(self.prior_bits), self.source, self.weights.write_csv(float_precision=6)])

    def to_frame(self) -> pl.DataFrame:
        """One row per field and level, plus a `prior` row: what core.lead_match_model holds."""
        prior = pl.DataFrame({
            "field": ["prior"], "level": [0], "label": ["share of duplicates among all record pairs"],
            "m": [None], "u": [None], "bits": [self.prior_bits], "records_with_value": [None],
        }, schema=self.weights.schema)
        return pl.concat([prior, self.weights]).with_columns(
            source=pl.lit(self.source),
            records=pl.lit(int(self.stats.get("records", 0)), pl.Int64),
        )

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> MatchModel:
        prior = frame.filter(pl.col("field") == "prior")
        weights = frame.filter(pl.col("field") != "prior").select(
            "field", "level", "label", "m", "u", "bits", "records_with_value"
        )
        return cls(
            weights=weights.cast({"level": pl.Int8}),
            prior_bits=float(prior["bits"][0]),
            source=str(frame["source"][0]),
            stats={"records": int(frame["records"][0])},
        )

    def metadata(self) -> dict[str, float | int | str]:
        """Flat figures for the Dagster asset: the prior and each field's exact-agreement and
        disagreement bits."""
        meta: dict[str, float | int | str] = {"model_source": self.source, "model_prior_bits": round(float(self.prior_bits), 2)}
        for name, bits in self.bits().items():
            meta[f"model_bits_{name}_exact"] = round(float(bits[0]), 2)
            meta[f"model_bits_{name}_different"] = round(float(bits[-1]), 2)
        # Plain Python values: the figures become Dagster metadata.
        meta |= {f"model_{k}": v.item() if isinstance(v, np.generic) else v for k, v in self.stats.items() if k != "records"}
        return meta


def _weights_frame(
    m: dict[str, np.ndarray], u: dict[str, np.ndarray], bits: dict[str, np.ndarray], cutoffs: Cutoffs,
    holding: dict[str, int] | None = None,
) -> pl.DataFrame:
    labels = level_labels(cutoffs)
    rows = [
        {"field": name, "level": level, "label": labels[name][level], "m": float(m[name][level]),
         "u": float(u[name][level]), "bits": float(bits[name][level]),
         "records_with_value": (holding or {}).get(name)}
        for name in LEVELS for level in range(len(LEVELS[name]))
    ]
    return pl.DataFrame(rows, schema={"field": pl.String, "level": pl.Int8, "label": pl.String,
                                      "m": pl.Float64, "u": pl.Float64, "bits": pl.Float64,
                                      "records_with_value": pl.Int64}).with_columns(pl.col("m", "u").fill_nan(None))


def configured_model(config: DedupeConfig, records: int = 0) -> MatchModel:
    """Today's hand-set bits, spread over the levels: the starting point and the fallback."""
    m, u, bits = {}, {}, {}
    for name, (source, classes) in _START.items():
        weight = config.fields[source]
        by_class = (weight.bits_agree, weight.bits_partial, weight.bits_disagree)
        bits[name] = np.array([by_class[c] for c in classes], dtype=float)
        m[name] = np.full(len(classes), np.nan)
        u[name] = np.full(len(classes), np.nan)
    return MatchModel(_weights_frame(m, u, bits, config.cutoffs), config.prior_bits, "configured", {"records": records})


def exact_u(prepared: pl.DataFrame, name: str) -> float:
    """Probability that two random records holding the field agree exactly: sum of squared shares."""
    column = EXACT_KEYS[name]
    values = prepared.get_column(column).drop_nulls() if column in prepared.columns else pl.Series([], dtype=pl.String)
    if values.len() < 2:
        return float("nan")
    counts = values.value_counts()["count"].cast(pl.Float64)
    total = float(values.len())
    return float(((counts * (counts - 1)).sum()) / (total * (total - 1)))


def joint_exact_u(prepared: pl.DataFrame, first: str, second: str) -> float:
    """exact_u of two fields at once: how often two random records agree on both."""
    columns = [EXACT_KEYS[first], EXACT_KEYS[second]]
    if any(c not in prepared.columns for c in columns):
        return float("nan")
    both = prepared.select(columns).drop_nulls()
    if both.height < 2:
        return float("nan")
    counts = both.group_by(columns).len()["len"].cast(pl.Float64)
    total = float(both.height)
    return float(((counts * (counts - 1)).sum()) / (total * (total - 1)))


def _without_duplicates(raw: np.ndarray, m: np.ndarray, prior: float) -> np.ndarray:
    """u per level with the duplicates among random pairs taken out of exact agreement.

    For a field as telling as a phone number, most random pairs that agree are the same
    person: u(exact) = (agreeing share - prior * m(exact)) / (1 - prior), never below 5% of the
    raw share (so a poor m cannot make agreement limitless evidence)."""
    exact = max(0.05 * raw[0], (raw[0] - prior * m[0]) / (1.0 - prior))
    rest = raw[1:] / max(raw[1:].sum(), 1e-12) * (1.0 - exact)
    return np.concatenate([[exact], rest])


def _joint_m(patterns: pl.DataFrame, match: np.ndarray, pairs: tuple[tuple[str, str], ...]) -> dict[tuple[str, str], float]:
    """Share of duplicates (by the final E-step) that agree exactly on both fields of each pair."""
    joint = {}
    for first, second in pairs:
        a, b = patterns[f"lvl_{first}"].to_numpy(), patterns[f"lvl_{second}"].to_numpy()
        present = ~np.isnan(a.astype(float)) & ~np.isnan(b.astype(float))
        total = match[present].sum()
        agree = match[present & (np.nan_to_num(a.astype(float), nan=-1) == 0) & (np.nan_to_num(b.astype(float), nan=-1) == 0)].sum()
        joint[(first, second)] = float((agree + 0.5) / (total + 1.0))
    return joint


def dependence_rows(
    prepared: pl.DataFrame,
    u: dict[str, np.ndarray],
    m: dict[str, np.ndarray],
    prior: float,
    joint_m: dict[tuple[str, str], float],
    pairs: tuple[tuple[str, str], ...],
    max_bits: float,
) -> list[dict]:
    """Per pair of fields that tend to agree together among different people (a hotel's
    restaurants share address and switchboard, a household shares address and landline): bits
    that replace the two fields' separate evidence by their joint evidence when both agree
    exactly: log2(m_both / (m_a m_b)) + log2(u_a u_b / u_both), never in favour."""
    rows = []
    for first, second in pairs:
        raw = joint_exact_u(prepared, first, second)
        correction = 0.0
        both = float("nan")
        if not math.isnan(raw) and raw > 0:
            m_both = joint_m[(first, second)]
            # Never below independence: agreeing together is then no coincidence at all.
            both = max(u[first][0] * u[second][0], (raw - prior * m_both) / (1.0 - prior))
            correction = math.log2(m_both / (m[first][0] * m[second][0])) + math.log2(u[first][0] * u[second][0] / both)
            correction = min(0.0, max(-max_bits, correction))
        rows.append({"field": f"{first}+{second}", "level": 0, "label": "both exact (they agree together)",
                     "m": None, "u": None if math.isnan(both) else both, "bits": correction,
                     "records_with_value": None})
    return rows


def random_pairs(n: int, size: int, seed: int) -> pl.DataFrame:
    """Distinct random record pairs (a < b); the same data and seed give the same pairs."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=size, dtype=np.int64)
    b = rng.integers(0, n, size=size, dtype=np.int64)
    low, high = np.minimum(a, b), np.maximum(a, b)
    keep = low != high
    return pl.DataFrame({"a": low[keep].astype(np.uint32), "b": high[keep].astype(np.uint32)}).unique().sort("a", "b")


def level_counts(compared: pl.DataFrame) -> dict[str, np.ndarray]:
    """Per field, how many pairs fall into each level (missing values not counted)."""
    counts = {}
    for name, labels in LEVELS.items():
        column = compared.get_column(f"lvl_{name}").drop_nulls()
        counts[name] = np.bincount(column.cast(pl.Int64).to_numpy(), minlength=len(labels)).astype(float)[: len(labels)]
    return counts


def estimate_u(prepared: pl.DataFrame, random_compared: pl.DataFrame) -> dict[str, np.ndarray]:
    """u per field and level: exact agreement from value frequencies, the other levels from
    random pairs (add-one smoothed, so an unseen level is rare, not impossible)."""
    sampled = level_counts(random_compared)
    u = {}
    for name, counts in sampled.items():
        exact = exact_u(prepared, name)
        rest = counts[1:] + 1.0
        rest = rest / rest.sum()
        if math.isnan(exact):
            exact = (counts[0] + 1.0) / (counts.sum() + len(counts))
        exact = min(max(exact, 1e-9), 0.5)
        u[name] = np.concatenate([[exact], rest * (1.0 - exact)])
    return u


def _patterns(compared: pl.DataFrame) -> pl.DataFrame:
    columns = [f"lvl_{name}" for name in LEVELS]
    if "lvl_no_person" not in compared.columns:
        compared = compared.with_columns(lvl_no_person=pl.lit(False))
    return compared.group_by([*columns, "lvl_no_person"]).len("count")


@dataclass(frozen=True)
class _Patterns:
    """Distinct level combinations of the candidate pairs, with how many pairs share each."""

    frame: pl.DataFrame
    counts: np.ndarray
    present: dict[str, np.ndarray]
    index: dict[str, np.ndarray]
    no_person: np.ndarray  # neither record has a first or last name

    @classmethod
    def of(cls, compared: pl.DataFrame) -> _Patterns:
        frame = _patterns(compared)
        levels = {name: frame[f"lvl_{name}"].cast(pl.Float64).to_numpy() for name in LEVELS}
        return cls(
            frame,
            frame["count"].to_numpy().astype(float),
            {name: ~np.isnan(levels[name]) for name in LEVELS},
            {name: np.nan_to_num(levels[name], nan=0).astype(int) for name in LEVELS},
            frame["lvl_no_person"].fill_null(False).to_numpy(),
        )

    def log_ratios(self, fields, m, u) -> np.ndarray:
        total = np.zeros(len(self.counts))
        for name in fields:
            ratio = np.log(m[name] / u[name])
            total += np.where(self.present[name], ratio[self.index[name]], 0.0)
        return total

    def where(self, session) -> np.ndarray:
        """Patterns a training session learns from (see dedupe.yaml model.training)."""
        mask = np.ones(len(self.counts), dtype=bool)
        for name, highest in session.get("all", {}).items():
            mask &= self.present[name] & (self.index[name] <= highest)
        if session.get("any"):
            anyof = np.zeros(len(self.counts), dtype=bool)
            for name, highest in session["any"].items():
                anyof |= self.present[name] & (self.index[name] <= highest)
            mask &= anyof
        if session.get("no_person"):
            mask &= self.no_person
        return mask


def _session(patterns: _Patterns, mask: np.ndarray, learn: list[str], m0, u, settings) -> tuple[dict, float, int]:
    """EM over one session's pairs: m of the fields it does not select on, and the expected
    number of duplicates among them."""
    counts = patterns.counts * mask
    m = {name: m0[name].copy() for name in learn}
    share, iterations, change = 0.3, 0, float("inf")
    match = np.zeros_like(counts)
    while iterations < settings.max_iterations and change > settings.tolerance:
        iterations += 1
        log_odds = math.log(share / (1.0 - share)) + patterns.log_ratios(learn, m, u)
        match = counts / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))
        change = 0.0
        for name in learn:
            k = len(LEVELS[name])
            present = patterns.present[name] & mask
            observed = np.bincount(patterns.index[name][present], weights=match[present], minlength=k)[:k]
            updated = (observed + settings.smoothing * m0[name]) / (observed.sum() + settings.smoothing)
            updated = np.maximum(updated, 1e-6)
            updated = updated / updated.sum()
            change = max(change, float(np.abs(updated - m[name]).max()))
            m[name] = updated
        new_share = min(max(match.sum() / max(counts.sum(), 1.0), 1e-6), 1 - 1e-6)
        change = max(change, abs(new_share - share))
        share = new_share
    return m, float(match.sum()), iterations


def fit_model(
    prepared: pl.DataFrame,
    random_compared: pl.DataFrame,
    candidate_compared: pl.DataFrame,
    config: DedupeConfig,
    candidate_pairs: int | None = None,
) -> MatchModel:
    """Fellegi-Sunter weights for this data, or the configured ones when it cannot be fitted.

    `candidate_compared` may be a random sample of the run's candidate pairs; `candidate_pairs`
    is then how many candidate pairs the whole run has (default: as many as were compared). The
    duplicates EM finds in the sample stand for that share of all duplicates, so the prior (share
    of duplicates among all record pairs) counts them once per sampled pair's share of the run.

    m is learned in training sessions, each on the candidate pairs that agree on some fields
    (the same name; the same e-mail or birth date; for records without a person's name, the same
    phone, company or street): within a session those fields say nothing, so EM learns the
    others' m from pairs that are mostly duplicates, and colleagues at one company cannot pass
    for one person. A field's m is the mean over the sessions that learned it. The prior is
    then fitted with m fixed, over all candidate pairs.
    """
    n = prepared.height
    settings = config.model
    start = configured_model(config, n)
    if n < settings.min_records or candidate_compared.height < settings.min_candidate_pairs:
        return MatchModel(start.weights, start.prior_bits, "configured",
                          {"records": n, "reason": "too few records or candidate pairs to learn from"})
    raw_u = estimate_u(prepared, random_compared)
    start_bits = start.bits()
    # Starting m: today's bits read as log2(m/u), normalised per field.
    m0 = {}
    for name in LEVELS:
        raw = raw_u[name] * np.power(2.0, np.array(start_bits[name]))
        m0[name] = raw / raw.sum()
    patterns = _Patterns.of(candidate_compared)

    learned: dict[str, list[np.ndarray]] = {name: [] for name in LEVELS}
    sessions_used, iterations = [], 0
    for session in settings.training:
        mask = patterns.where(session)
        if (patterns.counts * mask).sum() < settings.min_session_pairs:
            continue
        # A session of records without a person's name has no names to learn from.
        names = ("first_name", "last_name") if session.get("no_person") else ()
        chosen = {*session.get("all", {}), *session.get("any", {}), *names}
        learn = [name for name in LEVELS if name not in chosen]
        m_session, expected, rounds = _session(patterns, mask, learn, m0, raw_u, settings)
        if expected < settings.min_session_duplicates:
            continue
        sessions_used.append(session["name"])
        iterations = max(iterations, rounds)
        for name in learn:
            if (patterns.present[name] & mask).any():
                learned[name].append(m_session[name])
    m = {name: np.mean(learned[name], axis=0) if learned[name] else m0[name] for name in LEVELS}

    all_pairs = n * (n - 1) / 2.0
    # Each compared pair stands for this many of the run's candidate pairs.
    fitted_pairs = float(patterns.counts.sum())
    per_fitted_pair = max(1.0, (candidate_pairs or fitted_pairs) / fitted_pairs)
    prior = min(0.5, max(1.0 / all_pairs, 0.5 * n / all_pairs))
    match = np.zeros_like(patterns.counts)
    for _ in range(settings.max_iterations):
        u = {name: _without_duplicates(raw_u[name], m[name], prior) for name in LEVELS}
        log_odds = math.log(prior / (1.0 - prior)) + patterns.log_ratios(LEVELS, m, u)
        match = patterns.counts / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))
        new_prior = min(max(match.sum() * per_fitted_pair / all_pairs, 1.0 / all_pairs),
                        settings.max_duplicate_pairs_per_record * n / all_pairs)
        done = abs(math.log(new_prior / prior)) < settings.tolerance
        prior = new_prior
        if done:
            break
    u = {name: _without_duplicates(raw_u[name], m[name], prior) for name in LEVELS}
    expected_duplicates = prior * all_pairs
    if not sessions_used or expected_duplicates < 1.0:
        return MatchModel(start.weights, start.prior_bits, "configured",
                          {"records": n, "reason": "no training session found duplicates"})
    bits = {name: _sane(np.log2(m[name] / u[name]), settings.max_bits) for name in LEVELS}
    holding = {name: int(prepared.get_column(column).count()) for name, column in EXACT_KEYS.items()}
    weights = _weights_frame(m, u, bits, config.cutoffs, holding)
    dependence = dependence_rows(
        prepared, u, m, prior, _joint_m(patterns.frame, match, settings.dependent_fields), settings.dependent_fields,
        settings.max_bits,
    )
    if dependence:
        weights = pl.concat([weights, pl.DataFrame(dependence, schema=weights.schema)])
    return MatchModel(
        weights,
        float(math.log2(prior / (1.0 - prior))),
        "fitted",
        {"records": n, "em_iterations": int(iterations), "training_sessions": ", ".join(sessions_used),
         "expected_duplicate_pairs": round(float(expected_duplicates), 1), "fitted_pairs": int(fitted_pairs),
         "candidate_pairs": int(round(fitted_pairs * per_fitted_pair))},
    )


def _sane(bits: np.ndarray, max_bits: float) -> np.ndarray:
    """A last level (disagreement) that never counts in favour, no agreement level that counts
    less than disagreement, everything within +-max_bits."""
    bits = np.clip(bits, -max_bits, max_bits)
    bits[-1] = min(bits[-1], 0.0)
    bits[:-1] = np.maximum(bits[:-1], bits[-1])
    return bits
