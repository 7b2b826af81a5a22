"""sha256 of a text column, computed by DuckDB: lead ids, content-hash record ids and the salted
identifier hashes of the privacy tools all come from here.

Polars has no cryptographic hash (Expr.hash changes between Polars versions), and hashlib in a
Python loop costs about a second per million values; DuckDB's sha256 runs vectorized on both
cores and gives the same digests.
"""

from __future__ import annotations

import duckdb
import polars as pl


def sha256_hex(values: pl.Series) -> pl.Series:
    """Lower-case hex sha256 of each value's UTF-8 text, in the input order; NULL stays NULL."""
    frame = values.cast(pl.String).to_frame("value")
    # A private in-memory database: this never touches the warehouse file.
    with duckdb.connect() as conn:
        conn.register("frame", frame)
        digests = conn.execute("select sha256(value) as digest from frame").pl()["digest"]
    return digests.alias(values.name)
