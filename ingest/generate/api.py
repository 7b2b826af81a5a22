"""Entry points: a full demo landing folder, and small nightly increments on top of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from . import files, population, records, shapes, truth
from .randomness import stream

ANCHOR_DATE = dt.date(2026, 11, 1)
RETURNING_SHARE = 0.7


@dataclass
class GenerateSummary:
    """What a generator run wrote."""

    landing_dir: Path
    truth_dir: Path
    people: int
    files: list[str] = field(default_factory=list)
    records_per_source: dict[str, int] = field(default_factory=dict)
    defects: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.records_per_source.values())


def _write_sources(recs: pl.DataFrame, out_dir: Path, seed: int, suffix: str, tag: int):
    """Shape and write every landing file; returns (files written, ground-truth rows)."""
    recs = recs.sort("received_at", "person_idx").with_columns(_rec=pl.int_range(pl.len(), dtype=pl.Int64))
    written, truth_parts = [], []
    for source in records.SOURCES:
        part = recs.filter(pl.col("source") == source)
        if part.height == 0:
            continue
        # Builders keep row order, so the record's field-level defect lines up by position.
        shaped = shapes.BUILDERS[source](part, seed, suffix, tag).with_columns(_defect=part["defect"])
        fmt = files.FORMATS[source]
        header = shapes.HEADERS.get(source)
        for (relative,), frame in sorted(shaped.partition_by("_file", as_dict=True, maintain_order=True).items()):
            final = files.write_file(out_dir / relative, relative, header, frame.drop("_file", "_rec", "_defect"),
                                     frame["_defect"].to_numpy(), fmt, seed)
            written.append(relative)
            truth_parts.append(pl.DataFrame({
                "source_file": [relative] * frame.height,
                "source_row": np.arange(1, frame.height + 1, dtype=np.int64),
                "_rec": frame["_rec"],
                "defect": pl.Series(list(final), dtype=pl.Utf8),
            }))
    rows = pl.concat(truth_parts).join(
        recs.select("_rec", "person_id", "email_true", "true_phone_e164", "first_name_true", "last_name_true", "company_true"),
        on="_rec", how="left", maintain_order="left",
    ).with_columns(truth.lineage(pl.col("source_file"))).rename({
        "email_true": "true_email", "first_name_true": "true_first_name", "last_name_true": "true_last_name",
        "company_true": "true_company"}).select(truth.RECORD_COLUMNS)
    return written, rows


def _records_for(people: pl.DataFrame, seed: int, anchor: dt.date, tag: int, **assign) -> pl.DataFrame:
    """Records of these people with variation and field-level dirt; true values kept alongside."""
    recs = records.assign_records(people, seed, anchor=anchor, stream_tag=tag, **assign)
    recs = records.with_person_fields(recs, people).with_columns(
        export_at=pl.lit(dt.datetime.combine(anchor, dt.time())),
        first_name_true=pl.col("first_name"), last_name_true=pl.col("last_name"), company_true=pl.col("company"),
        email_true=pl.col("email"))
    recs = records.vary(recs, seed, tag)
    return records.assign_field_defects(recs, seed, anchor=anchor, stream_tag=tag)


def _summary(out_dir: Path, truth_dir: Path, people: int, written: list[str], rows: pl.DataFrame) -> GenerateSummary:
    return GenerateSummary(
        landing_dir=out_dir, truth_dir=truth_dir, people=people, files=written,
        records_per_source=dict(sorted(rows.group_by("source_system").len().iter_rows())),
        defects=dict(sorted(rows.filter(pl.col("defect").is_not_null()).group_by("defect").len().iter_rows())),
    )


def generate_landing(out_dir: Path, *, people: int, seed: int, truth_dir: Path | None = None,
                     anchor: dt.date = ANCHOR_DATE) -> GenerateSummary:
    """Write the six demo sources for ``people`` true people into the landing folder ``out_dir``.

    Same seed and anchor date give byte-identical files. Ground truth goes to
    ``truth_dir`` (default: ``out_dir.parent / "ground_truth"``).
    """
    out_dir = Path(out_dir)
    truth_dir = Path(truth_dir) if truth_dir is not None else out_dir.parent / "ground_truth"
    pop = population.build_people(seed, people, anchor=anchor)
    recs = _records_for(pop, seed, anchor, 0)
    written, rows = _write_sources(recs, out_dir, seed, "", 0)
    truth.merge_and_write(truth_dir, rows, truth.people_table(pop.filter(pl.col("person_id").is_in(recs["person_id"].unique().implode()))))
    return _summary(out_dir, truth_dir, people, written, rows)


def generate_increment(out_dir: Path, *, people: int, seed: int, batch: int, fraction: float = 0.01,
                       truth_dir: Path | None = None, anchor: dt.date = ANCHOR_DATE) -> GenerateSummary:
    """Write new files (suffix ``_inc<batch>``) with about ``fraction`` × the base set's records.

    Most records belong to people of the same seed's base population (returning
    leads), the rest to new people. The ground truth is extended, so it stays complete.
    """
    if batch < 1:
        raise ValueError("batch numbers start at 1")
    out_dir = Path(out_dir)
    truth_dir = Path(truth_dir) if truth_dir is not None else out_dir.parent / "ground_truth"
    base = population.build_people(seed, people, anchor=anchor)
    base_records = int(people * float(np.dot(records.RECORDS_PER_PERSON, np.arange(1, 6))))
    total = max(1, round(fraction * base_records))
    rng = stream(seed, "increment", batch)
    n_returning = int(round(total * RETURNING_SHARE))
    n_new = total - n_returning
    returning = base[np.sort(rng.choice(people, size=min(n_returning, people), replace=False))]
    fresh = population.build_people(seed, n_new, anchor=anchor, id_prefix=f"N{batch:03d}-", stream_tag=batch,
                                    company_pool=population.build_companies(seed, population.company_count(people)))
    pop = pl.concat([returning, fresh], how="diagonal_relaxed")
    # Batch K holds the K-th day after the anchor date.
    recs = _records_for(pop, seed, anchor + dt.timedelta(days=batch), batch,
                        counts=np.ones(pop.height, dtype=np.int64), start_days=1, end_days=0)
    suffix = f"_inc{batch:03d}"
    written, rows = _write_sources(recs, out_dir, seed, suffix, batch)
    truth.merge_and_write(truth_dir, rows, truth.people_table(pop))
    return _summary(out_dir, truth_dir, pop.height, written, rows)
