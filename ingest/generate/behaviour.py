"""Behaviour before sales acts, and how it drives the outcome.

Every person has a hidden buying intent (a standard normal deviate). Intent shows in what a
marketing system counts: website sessions, time on site, page views, e-mail opens and clicks,
form submissions. It also moves the person's propensity, and with it how far they get in the
sales funnel (population._propensity), so converted and lost leads differ in behaviour the way
they do in real exports, while fit (seniority, industry, size) explains only part of it.

The draws depend only on (seed, person id, purpose): every export of a person shows the same
counters, the people table and the landing files agree without passing columns around, and
adding a purpose leaves the others unchanged.
"""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl
from scipy.special import expit, ndtri

# Log-odds of propensity per standard deviation of intent (fit's own effect is about 1-1.5).
INTENT_EFFECT = 1.4
_GRADES = np.array(["D", "C", "C+", "B-", "B", "B+", "A-", "A", "A+"])


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _uniform(person_id: pl.Series, seed: int, purpose: str) -> np.ndarray:
    """A uniform (0, 1) draw per person that depends only on seed, person id and purpose."""
    base = np.fromiter((zlib.crc32(p.encode()) for p in person_id.to_list()), dtype=np.uint64, count=len(person_id))
    salt = np.uint64((seed * 0x1000193 + zlib.crc32(purpose.encode())) & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        bits = _splitmix64(_splitmix64(base ^ salt) + salt)
    return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)


def _normal(person_id: pl.Series, seed: int, purpose: str) -> np.ndarray:
    return ndtri(_uniform(person_id, seed, purpose))


def intent(person_id: pl.Series, seed: int) -> np.ndarray:
    """Each person's hidden buying intent, N(0, 1)."""
    return _normal(person_id, seed, "intent")


def activity(person_id: pl.Series, propensity: pl.Series, seed: int) -> pl.DataFrame:
    """Marketing counters per person, plus the incumbent CRM's own score and grade.

    The incumbent score adds up behaviour points the way marketing automation does (noisy, with
    caps); its grade reads fit from the propensity. Neither knows the outcome.
    """
    z = intent(person_id, seed)

    def noise(purpose: str) -> np.ndarray:
        return _normal(person_id, seed, purpose)

    visits = np.floor(np.exp(0.6 + 0.7 * z + 0.6 * noise("visits_noise"))).astype(np.int64)
    seconds = np.where(visits > 0, np.round(visits * np.exp(4.6 + 0.5 * z + 0.7 * noise("time_noise"))), 0)
    pages = np.round(visits * np.exp(0.6 + 0.2 * z + 0.4 * noise("pages_noise"))).astype(np.int64)
    opens = np.maximum(0, np.floor(np.exp(0.7 + 0.6 * z + 0.7 * noise("opens_noise"))) - 1).astype(np.int64)
    clicks = np.floor(opens * expit(-1.6 + 0.8 * z + 0.6 * noise("clicks_noise"))).astype(np.int64)
    forms = ((_uniform(person_id, seed, "form_1") < expit(-2.0 + 1.6 * z)).astype(np.int64)
             + (_uniform(person_id, seed, "form_2") < expit(-3.5 + 1.6 * z)).astype(np.int64))
    # Marketing campaigns the person was added to (webinars, trade shows, nurture streams).
    campaigns = np.floor(np.exp(0.5 + 0.3 * z + 0.7 * noise("campaigns_noise"))).astype(np.int64)
    score = (np.minimum(visits, 10) * 3 + np.minimum(pages, 30) + np.minimum(opens, 10) * 2 + clicks * 5 + forms * 15
             + 12 * noise("score_noise")).clip(0, None).round()
    p = propensity.to_numpy().astype(float)
    grade_position = np.clip(np.round(p * 10 + 1.2 * noise("grade_noise")), 0, len(_GRADES) - 1).astype(np.int64)
    return pl.DataFrame({
        "web_visits": visits, "time_on_site_seconds": seconds.astype(np.int64), "page_views": pages,
        "email_opens": opens, "email_clicks": clicks, "form_submissions": forms,
        "campaign_memberships": campaigns, "source_score": score.astype(np.int64), "source_grade": _GRADES[grade_position],
    })


def with_activity(r: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The records of a landing file with their person's counters as `bh_*` columns."""
    counters = activity(r["person_id"], r["propensity"], seed)
    return r.hstack(counters.rename({c: f"bh_{c}" for c in counters.columns}))
