"""Rebuild the name-frequency lists in ``data/`` from the public files they come from.

    python -m ingest.generate.build_name_lists DIR

DIR holds the downloaded public files (see ``data/SOURCES.md``):
  surnames.csv, male.csv, female.csv   German Wiktionary frequency lists (telephone-directory
                                       counts), as tabulated in the darp/abbo-tools repository
  common-surnames-by-country.csv       sigpwned/popular-names-by-country-dataset (CC0),
  common-forenames-by-country.csv      itself compiled from Wikipedia's national name lists

Only maintainers run this; the generator reads the CSV files it writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from .reference import _DATA


def _foreign(directory: Path, origins: pl.DataFrame, german_total: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Surnames and first names of the immigrant origins, in the German lists' count units."""
    sur = pl.read_csv(directory / "common-surnames-by-country.csv", infer_schema=False).rename(lambda c: c.lstrip("\ufeff"))
    fore = pl.read_csv(directory / "common-forenames-by-country.csv", infer_schema=False).rename(lambda c: c.lstrip("\ufeff"))
    usable = ~pl.col("name").str.contains(r"[/()]") & (pl.col("name").str.len_chars() > 1)
    sur = (sur.select(origin=pl.col("Country"), name=pl.col("Romanized Name").str.strip_chars(),
                      count=pl.col("Count").cast(pl.Float64, strict=False))
           .filter(pl.col("origin").is_in(origins["origin"].implode()) & usable)
           .unique(["origin", "name"], keep="first", maintain_order=True)
           .join(origins, on="origin")
           .with_columns(rank=pl.int_range(1, pl.len() + 1).over("origin").cast(pl.Float64)))
    # Recorded counts where the source has them, else a 1/rank (Zipf) shape; scaled so the
    # origin's most common surname carries its known share of that population.
    sur = sur.with_columns(raw=pl.when(pl.col("count").is_not_null().all().over("origin")).then("count")
                           .otherwise(1.0 / pl.col("rank")))
    sur = sur.with_columns(within=pl.col("raw") / pl.col("raw").max().over("origin") * pl.col("top_surname_share"))
    last = sur.select(last_name="name", origin="origin",
                      weight=(pl.col("within") * pl.col("population_share") * german_total).round().cast(pl.Int64).clip(1))
    fore = (fore.select(origin=pl.col("Country"), gender=pl.col("Gender").str.to_lowercase(),
                        name=pl.col("Romanized Name").str.strip_chars(), year=pl.col("Year"))
            .filter(pl.col("origin").is_in(origins["origin"].implode()) & usable & pl.col("gender").is_in(["m", "f"]))
            .unique(["origin", "gender", "name"], keep="first", maintain_order=True)
            .with_columns(rank=pl.int_range(1, pl.len() + 1).over("origin", "gender")))
    first = fore.select(first_name="name", gender="gender", origin="origin",
                        weight=(1_000_000 / pl.col("rank")).round().cast(pl.Int64))
    return last, first


def build(directory: Path) -> None:
    origins = pl.read_csv(_DATA / "name_origins.csv", comment_prefix="#")
    german = pl.read_csv(directory / "surnames.csv").select(
        last_name=pl.col("name").str.strip_chars(), origin=pl.lit("DE"), weight=pl.col("frequency"))
    german = german.unique("last_name", keep="first", maintain_order=True)
    # The directory counts cover only the head of the distribution; Müller is 0.95 % of the
    # population (Wikipedia, via the same CC0 dataset), which fixes the whole population's size
    # in count units and so the mass of the rarer names the generator adds (see names.py).
    total = german["weight"].max() / 0.0095
    last, first = _foreign(directory, origins, total)
    last = pl.concat([german, last.filter(~pl.col("last_name").is_in(german["last_name"].implode()))])
    de_first = pl.concat([
        pl.read_csv(directory / f"{sex}.csv").select(first_name=pl.col("name").str.strip_chars(), gender=pl.lit(g),
                                                     origin=pl.lit("DE"), weight=pl.col("frequency"))
        for sex, g in (("male", "m"), ("female", "f"))
    ]).unique(["first_name", "gender"], keep="first", maintain_order=True)
    first = pl.concat([de_first, first])
    last.write_csv(_DATA / "last_names.csv")
    first.write_csv(_DATA / "first_names.csv")
    print(f"last_names: {last.height} ({last['origin'].value_counts().sort('origin').rows()})")
    print(f"first_names: {first.height}")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
