"""Vectorized JSON-lines reading.

DuckDB's json_valid finds the lines that are not JSON; Polars scans the good lines for every
key path and decodes them into text columns in one pass (booleans become true/false, as the
form sent them). Only when a line carries an unexpected type (an object where text was
expected) does the file fall back to DuckDB's per-path extraction. Keys the contract does not
map are listed and kept in extra_fields.
"""

from __future__ import annotations

import io
import json

import duckdb
import polars as pl

from ingest.raw.lines import DecodedLines
from ingest.raw.parsed import QUARANTINE_ROW_SCHEMA, ParsedFile


def _json_path(dotted: str) -> str:
    return "$." + ".".join('"' + part.replace('"', '\\"') + '"' for part in dotted.split("."))


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text_struct(paths: list[str]) -> pl.Struct:
    """A nested struct with a String leaf per dotted path."""
    tree: dict = {}
    for path in paths:
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node.setdefault(leaf, None)

    def build(node: dict) -> pl.Struct:
        return pl.Struct({k: pl.String() if v is None else build(v) for k, v in node.items()})

    return build(tree)


def _leaf_expr(path: str) -> pl.Expr:
    *parents, leaf = path.split(".")
    expr = pl.col("_doc")
    for part in parents:
        expr = expr.struct.field(part)
    return expr.struct.field(leaf).alias(path)


class JsonLines:
    """One JSONL file: which lines are JSON objects, and which key paths they use."""

    def __init__(self, decoded: DecodedLines) -> None:
        self.decoded = decoded
        self._db = duckdb.connect()
        lines = decoded.lines
        self._db.register("lines", lines.to_arrow())
        valid = self._db.sql(
            "select not undecodable and json_valid(text) as is_json from lines order by line_no"
        ).pl()["is_json"]
        self._db.unregister("lines")
        self.checked = lines.with_columns(is_json=valid).with_columns(
            is_object=pl.col("is_json") & pl.col("text").str.strip_chars_start().str.starts_with("{")
        )
        self.objects = self.checked.filter("is_object").select("line_no", "text")
        self.leaves = self._leaf_paths()
        self.paths = _with_ancestors(self.leaves)

    def _leaf_paths(self) -> list[str]:
        """Dotted paths of every non-object value in any line (Polars scans all lines for keys)."""
        if self.objects.height == 0:
            return []
        payload = self.objects["text"].str.join("\n").item().encode("utf-8")
        try:
            schema = pl.scan_ndjson(io.BytesIO(payload), infer_schema_length=None).collect_schema()
        except pl.exceptions.PolarsError:
            # Values Polars cannot type (e.g. integers beyond 64 bits): DuckDB merges the structure.
            self._db.register("objects", self.objects.to_arrow())
            merged = self._db.sql("select json_group_structure(text::JSON) from objects").fetchone()[0]
            self._db.unregister("objects")
            return _structure_leaves(json.loads(merged))
        return _struct_leaves(dict(schema))

    def unmapped(self, covered: set[str]) -> list[str]:
        """Leaf paths no contract path covers.

        A mapped path covers what lies beneath it and the objects above it (so a
        double_opt_in that is null in every line is not reported as unknown).
        """
        return [
            leaf for leaf in self.leaves
            if not any(
                leaf == c or leaf.startswith(c + ".") or c.startswith(leaf + ".") for c in covered
            )
        ]

    def parse(self, mapped: list[str], covered: set[str]) -> ParsedFile:
        """Rows with one text column per mapped path, plus extra_fields for uncovered leaves."""
        values = self._decode(mapped)
        extra = self._extra_fields(self.unmapped(covered))
        rows = pl.concat(
            [self.objects.select(pl.col("line_no").alias("source_row"), raw_text="text"), values, extra],
            how="horizontal",
        )
        return ParsedFile(
            columns=self.paths, rows=rows, rejected=self._rejected(), rows_read=self.checked.height
        )

    def _decode(self, mapped: list[str]) -> pl.DataFrame:
        try:
            return self.objects.select(
                pl.col("text").str.json_decode(_text_struct(mapped)).alias("_doc")
            ).select(_leaf_expr(p) for p in mapped)
        except pl.exceptions.PolarsError:
            # Some line has an object or list where text is expected: take each value as JSON text.
            selects = ", ".join(
                f"json_extract_string(text, {_sql_text(_json_path(p))}) as {_sql_ident(p)}" for p in mapped
            )
            return self._query_objects(f"select {selects} from objects order by line_no")

    def _extra_fields(self, unmapped: list[str]) -> pl.DataFrame:
        if not unmapped:
            return pl.DataFrame({"extra_fields": pl.Series([None] * self.objects.height, dtype=pl.String)})
        pairs = ", ".join(
            f"{_sql_text(p)}, json_extract(text, {_sql_text(_json_path(p))})" for p in unmapped
        )
        return self._query_objects(
            f"select json_object({pairs})::VARCHAR as extra_fields from objects order by line_no"
        )

    def _query_objects(self, sql: str) -> pl.DataFrame:
        self._db.register("objects", self.objects.to_arrow())
        try:
            return self._db.sql(sql).pl()
        finally:
            self._db.unregister("objects")

    def _rejected(self) -> pl.DataFrame:
        last = self.checked.height
        cut_off = (pl.col("line_no") == last) & pl.lit(not self.decoded.ends_with_newline)
        bad = self.checked.filter(~pl.col("is_object"))
        return bad.select(
            pl.col("line_no").alias("source_row"),
            raw_text="text",
            reason=pl.when(pl.col("undecodable"))
            .then(pl.lit("undecodable_bytes"))
            .when(cut_off & ~pl.col("is_json"))
            .then(pl.lit("truncated_row"))
            .otherwise(pl.lit("invalid_json")),
            reason_detail=pl.when(pl.col("undecodable"))
            .then(pl.lit("bytes not valid in the file's encoding (shown as \\x escapes)"))
            .when(pl.col("text").str.strip_chars() == "")
            .then(pl.lit("empty line"))
            .when(pl.col("is_json"))
            .then(pl.lit("valid JSON but not an object"))
            .when(cut_off)
            .then(pl.lit("last line cut off before the end of its JSON object"))
            .otherwise(pl.lit("not valid JSON")),
        ).cast(QUARANTINE_ROW_SCHEMA)

    def close(self) -> None:
        self._db.close()


def _with_ancestors(paths: list[str]) -> list[str]:
    """Leaf paths plus every object path above them ('a.b' gives 'a' and 'a.b')."""
    seen: dict[str, None] = {}
    for path in paths:
        parts = path.split(".")
        for depth in range(1, len(parts) + 1):
            seen[".".join(parts[:depth])] = None
    return list(seen)


def _struct_leaves(fields: dict[str, pl.DataType], prefix: str = "") -> list[str]:
    leaves: list[str] = []
    for name, dtype in fields.items():
        if isinstance(dtype, pl.Struct):
            leaves += _struct_leaves({f.name: f.dtype for f in dtype.fields}, f"{prefix}{name}.")
        else:
            leaves.append(f"{prefix}{name}")
    return leaves


def _structure_leaves(structure: object, prefix: str = "") -> list[str]:
    """Leaf paths of a DuckDB json_group_structure result."""
    if isinstance(structure, dict):
        leaves: list[str] = []
        for key, child in structure.items():
            leaves += _structure_leaves(child, f"{prefix}{key}.")
        return leaves
    return [prefix[:-1]] if prefix else []
