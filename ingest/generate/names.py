"""People's names drawn with the frequencies of a real German population.

The head of each distribution is a published frequency list (``data/first_names.csv``,
``data/last_names.csv``; sources in ``data/SOURCES.md``). Published surname lists stop after a
few thousand names, yet over half of all people carry a rarer one, so the rest of the surname
mass goes to rare names made from the list's own stems and endings (Brinkmann → Brinkmeier),
with the rank-frequency slope of the list continued. That long tail is what makes a rare
surname agreeing strong evidence for a matcher, and "Müller" agreeing weak evidence.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl

from . import reference

# Share of the population named Müller (Wikipedia, via the CC0 names-by-country dataset): fixes
# the size of the whole population in the surname list's count units.
TOP_SURNAME_SHARE = 0.0095
TAIL_NAMES = 60_000
# Double names (Müller-Schmidt) chosen at marriage, mostly by women; noble or Dutch particles.
DOUBLE_SURNAME_RATE = {"f": 0.035, "m": 0.006}
PARTICLE_RATE = 0.005
PARTICLES = (["von", "van", "von der", "van der", "de", "von dem"], [0.55, 0.15, 0.1, 0.1, 0.05, 0.05])
# A second given name that some sources write (Anna Maria, Hans Peter).
MIDDLE_NAME_RATE = 0.12
# People of immigrant origin whose given name comes from their family's country, not the German list.
ORIGIN_FIRST_NAME_RATE = 0.75


def _rare_names(listed: pl.DataFrame, endings: pl.Series, taken: pl.Series, seed: int) -> pl.DataFrame:
    """Names of one origin no list reaches: stems of its listed names joined to its other endings,
    in a fixed shuffled order."""
    pattern = "(" + "|".join(sorted(endings, key=len, reverse=True)) + ")$"
    stems = (listed.select(stem=pl.col("last_name").str.replace(pattern, ""))
             .filter((pl.col("stem").str.len_chars() >= 2) & ~pl.col("stem").str.contains(r"[\s'-]"))
             .unique(maintain_order=True))
    made = (stems.join(pl.DataFrame({"suffix": endings}), how="cross")
            .select(last_name=pl.col("stem") + pl.col("suffix"))
            .filter(~pl.col("last_name").is_in(taken.implode()))
            .unique(maintain_order=True))
    return made[np.random.default_rng(seed).permutation(made.height)[:TAIL_NAMES]]


@cache
def surnames() -> pl.DataFrame:
    """last_name, origin, weight: the published lists plus a synthetic long tail per origin."""
    head = reference.load("last_names")
    endings = reference.load("surname_suffixes")
    origins = reference.load("name_origins").with_columns(pl.col("population_share").cast(pl.Float64))
    german = head.filter(pl.col("origin") == "DE").sort("weight", descending=True)
    # The list's Zipf slope, fitted on its lower half, continues past its last rank.
    w = german["weight"].to_numpy().astype(float)
    ranks = np.arange(1, len(w) + 1)
    lower = slice(len(w) // 2, None)
    slope = -np.polyfit(np.log(ranks[lower]), np.log(w[lower]), 1)[0]
    population = w.max() / TOP_SURNAME_SHARE
    share = dict(origins.select("origin", "population_share").iter_rows())
    share["DE"] = 1.0 - sum(share.values())
    parts = [head]
    for i, origin in enumerate(sorted(share)):
        listed = head.filter(pl.col("origin") == origin).sort("weight", descending=True)
        own = endings.filter(pl.col("origin") == origin)["suffix"]
        if listed.height == 0 or own.len() == 0:
            continue
        tail = _rare_names(listed, own, head["last_name"], 20261206 + i)
        # Whatever share of the origin's people its list leaves uncovered goes to the tail.
        mass = share[origin] * population - listed["weight"].sum()
        if tail.height == 0 or mass <= 0:
            continue
        shape = (listed.height / np.arange(listed.height + 1, listed.height + 1 + tail.height)) ** slope
        weight = np.maximum(1, np.round(shape * mass / shape.sum())).astype(np.int64)
        parts.append(tail.with_columns(origin=pl.lit(origin), weight=pl.Series(weight)))
    return pl.concat(parts)


def _grouped_draw(rng: np.random.Generator, group: np.ndarray, table_group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """One row index of the table per person, drawn by weight among the rows of the person's group.

    ``table_group`` must be sorted; every person's group must occur in it.
    """
    groups, starts = np.unique(table_group, return_index=True)
    gid = np.searchsorted(groups, table_group)
    cum = np.cumsum(weight.astype(float))
    before = np.concatenate([[0.0], cum])[starts][gid]
    total = np.add.reduceat(weight.astype(float), starts)[gid]
    # Each group's cumulative share lives in (g, g + 1], so one search serves all groups.
    key = gid + (cum - before) / total
    person_gid = np.searchsorted(groups, group)
    idx = np.searchsorted(key, person_gid + rng.random(len(group)), side="left")
    return np.minimum(idx, len(key) - 1)


def draw_names(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """first_name, middle_name, last_name, gender and name_origin for n people."""
    last = surnames()
    first = reference.load("first_names").sort("origin", "gender")
    li = rng.choice(last.height, size=n, p=reference.probabilities(last))
    origin = last["origin"].to_numpy()[li]
    gender = np.where(rng.random(n) < 0.5, "m", "f")
    own = (origin != "DE") & (rng.random(n) < ORIGIN_FIRST_NAME_RATE)
    first_origin = np.where(own, origin, "DE")
    keys = (first["origin"] + ":" + first["gender"]).to_numpy().astype(str)
    person_keys = np.char.add(np.char.add(first_origin.astype(str), ":"), gender)
    fi = _grouped_draw(rng, person_keys, keys, first["weight"].to_numpy())
    mi = _grouped_draw(rng, person_keys, keys, first["weight"].to_numpy())
    german_last = (last["origin"] == "DE").to_numpy()
    second = np.flatnonzero(german_last)[rng.choice(int(german_last.sum()), size=n,
                                                     p=reference.probabilities(last.filter(german_last)))]
    double = (origin == "DE") & (second != li) & (
        rng.random(n) < np.where(gender == "f", DOUBLE_SURNAME_RATE["f"], DOUBLE_SURNAME_RATE["m"]))
    particle = (origin == "DE") & ~double & (rng.random(n) < PARTICLE_RATE)
    which = rng.choice(len(PARTICLES[0]), size=n, p=PARTICLES[1])
    middle_u = rng.random(n)

    def gather(values: pl.Series, idx: np.ndarray) -> pl.Series:
        return values.gather(pl.Series(idx, dtype=pl.UInt32))

    flag = lambda a: pl.lit(pl.Series(a))  # noqa: E731
    surname = gather(last["last_name"], li)
    return pl.DataFrame({
        "first_name": gather(first["first_name"], fi),
        "_middle": gather(first["first_name"], mi),
        "_second": gather(last["last_name"], second),
        "_particle": gather(pl.Series(PARTICLES[0]), which),
        "last_name": surname,
        "gender": pl.Series(gender),
        "name_origin": pl.Series(origin),
    }).with_columns(
        # A hyphenated given name (Karl-Heinz) already is the double given name.
        middle_name=pl.when(flag(middle_u < MIDDLE_NAME_RATE) & (pl.col("_middle") != pl.col("first_name"))
                            & ~pl.col("first_name").str.contains("-", literal=True)).then("_middle"),
        last_name=pl.when(flag(double)).then(pl.col("last_name") + "-" + pl.col("_second"))
        .when(flag(particle)).then(pl.col("_particle") + " " + pl.col("last_name"))
        .otherwise("last_name"),
    ).select("first_name", "middle_name", "last_name", "gender", "name_origin")
