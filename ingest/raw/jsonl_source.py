"""Vectorized JSON-lines reading.

DuckDB's json_valid finds the lines that are not JSON; Polars scans the good lines for every
key path and decodes them into text columns in one pass (booleans become true/false, as the
form sent them). Only when a line carries an unexpected type (an object where text was
expected) does the file fall back to DuckDB's per-path extraction. Keys the contract does not
map are listed and kept in extra_fields, verbatim (a key may itself contain a dot).

Before any JSON parser sees a line, its nesting depth is measured without recursion: a line
nested deeper than max_nesting_depth (ingest/rules/limits.yaml) is quarantined as
`too_deeply_nested`, and so is a line repeating a key inside one object (`duplicate_key`),
because every JSON reader would silently keep only one of the values.
"""

from __future__ import annotations

import io
import json
import re
from itertools import accumulate

import duckdb
import polars as pl

from ingest.raw.limits import limits
from ingest.raw.lines import DecodedLines
from ingest.raw.parsed import QUARANTINE_ROW_SCHEMA, ParsedFile, split_long_fields

Path = tuple[str, ...]  # the keys from the top-level object down to a value

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
_KEY = r'"((?:[^"\\]|\\.)*)"\s*:'


def nesting_depth(text: str) -> int:
    """Deepest nesting of objects and arrays in a JSON text, outside strings; no recursion."""
    steps = (1 if b in "[{" else -1 for b in _BRACKETS.findall(_STRING.sub("", text)))
    return max(accumulate(steps, initial=0))


def duplicate_key(text: str) -> str | None:
    """The first key repeated inside one object of a JSON text, or None."""
    repeated: list[str] = []

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys) and not repeated:
            repeated.append(next(k for i, k in enumerate(keys) if k in keys[:i]))
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=pairs_hook)
    except (ValueError, RecursionError):
        return None
    return repeated[0] if repeated else None


def _json_path(path: Path) -> str:
    """A JSON pointer (RFC 6901): addresses any key, even an empty one or one with dots."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)


def _dotted(path: str) -> Path:
    """A contract's dotted path as keys (contracts name nested keys with dots)."""
    return tuple(path.split("."))


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
        lines = _with_problems(decoded.lines)
        # Lines with a problem never reach a JSON parser (a deep one could crash it).
        self._db.register("lines", lines.select("line_no", "text", "problem").to_arrow())
        valid = self._db.sql(
            "select problem is null and json_valid(text) as is_json from lines order by line_no"
        ).pl()["is_json"]
        self._db.unregister("lines")
        lines = lines.with_columns(is_json=valid)
        lines = lines.with_columns(
            problem=pl.coalesce("problem", _duplicate_keys(lines)),
        ).with_columns(is_json=pl.col("is_json") & pl.col("problem").is_null())
        self.checked = lines.with_columns(
            is_object=pl.col("is_json") & pl.col("text").str.strip_chars_start().str.starts_with("{")
        )
        self.objects = self.checked.filter("is_object").select("line_no", "text")
        self.leaf_keys = self._leaf_paths()
        self._names = _display_names(self.leaf_keys)
        self.leaves = list(self._names.values())  # each leaf by its extra_fields name
        # Contracts address nested keys with dots, so only paths of dot-free keys can match one.
        self.paths = _with_ancestors(
            [".".join(p) for p in self.leaf_keys if not any("." in key for key in p)]
        )

    def _leaf_paths(self) -> list[Path]:
        """Key paths of every non-object value in any line (Polars scans all lines for keys)."""
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
        """Leaves (by their extra_fields name) no contract path covers.

        A mapped path covers what lies beneath it and the objects above it (so a
        double_opt_in that is null in every line is not reported as unknown).
        """
        return [self._names[p] for p in self._unmapped_keys(covered)]

    def _unmapped_keys(self, covered: set[str]) -> list[Path]:
        paths = [_dotted(c) for c in covered]
        return [
            leaf for leaf in self.leaf_keys
            if not any(leaf[:len(c)] == c or c[:len(leaf)] == leaf for c in paths)
        ]

    def parse(self, mapped: list[str], covered: set[str]) -> ParsedFile:
        """Rows with one text column per mapped path, plus extra_fields for uncovered leaves."""
        values = self._decode(mapped)
        extra = self._extra_fields(self._unmapped_keys(covered))
        rows = pl.concat(
            [self.objects.select(pl.col("line_no").alias("source_row"), raw_text="text"), values, extra],
            how="horizontal",
        )
        rows, too_long = split_long_fields(rows, mapped)
        rejected = pl.concat([self._rejected(), too_long]).sort("source_row")
        return ParsedFile(columns=self.paths, rows=rows, rejected=rejected, rows_read=self.checked.height)

    def _decode(self, mapped: list[str]) -> pl.DataFrame:
        try:
            return self.objects.select(
                pl.col("text").str.json_decode(_text_struct(mapped)).alias("_doc")
            ).select(_leaf_expr(p) for p in mapped)
        except pl.exceptions.PolarsError:
            # Some line has an object or list where text is expected: take each value as JSON text.
            selects = ", ".join(
                f"json_extract_string(text, {_sql_text(_json_path(_dotted(p)))}) as {_sql_ident(p)}"
                for p in mapped
            )
            return self._query_objects(f"select {selects} from objects order by line_no")

    def _extra_fields(self, unmapped: list[Path]) -> pl.DataFrame:
        if not unmapped:
            return pl.DataFrame({"extra_fields": pl.Series([None] * self.objects.height, dtype=pl.String)})
        pairs = ", ".join(
            f"{_sql_text(self._names[p])}, json_extract(text, {_sql_text(_json_path(p))})" for p in unmapped
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
        limit = limits()
        return bad.select(
            pl.col("line_no").alias("source_row"),
            raw_text="text",
            reason=pl.when(pl.col("undecodable"))
            .then(pl.lit("undecodable_bytes"))
            .when(pl.col("problem").is_not_null())
            .then(pl.col("problem").str.split(":").list.first())
            .when(cut_off & ~pl.col("is_json"))
            .then(pl.lit("truncated_row"))
            .otherwise(pl.lit("invalid_json")),
            reason_detail=pl.when(pl.col("undecodable"))
            .then(pl.lit("bytes not valid in the file's encoding (shown as \\x escapes)"))
            .when(pl.col("problem") == "line_too_long")
            .then(pl.lit(f"a line longer than {limit.max_line_chars} characters (max_line_chars)"))
            .when(pl.col("problem") == "too_deeply_nested")
            .then(pl.lit(f"nested deeper than {limit.max_nesting_depth} levels (max_nesting_depth)"))
            .when(pl.col("problem").str.starts_with("duplicate_key:"))
            .then(pl.format(
                "key {} appears more than once in one object; JSON readers would keep only one value",
                pl.col("problem").str.splitn(":", 2).struct.field("field_1"),
            ))
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


def _with_problems(lines: pl.DataFrame) -> pl.DataFrame:
    """Adds `problem`: undecodable_bytes, line_too_long or too_deeply_nested, else NULL.

    Only a line with more opening brackets than the limit can be too deep, so the exact
    (per-character) measurement runs on those lines alone.
    """
    limit = limits().max_nesting_depth
    candidates = lines.filter(
        ~pl.col("undecodable") & ~pl.col("too_long")
        & (pl.col("text").str.count_matches(r"[\[{]") > limit)
    )
    deep = [no for no, text in candidates.select("line_no", "text").iter_rows() if nesting_depth(text) > limit]
    return lines.with_columns(
        problem=pl.when(pl.col("undecodable"))
        .then(pl.lit("undecodable_bytes"))
        .when(pl.col("too_long"))
        .then(pl.lit("line_too_long"))
        .when(pl.col("line_no").is_in(pl.Series(deep, dtype=pl.Int64).implode()))
        .then(pl.lit("too_deeply_nested"))
    )


def _duplicate_keys(lines: pl.DataFrame) -> pl.Series:
    """`duplicate_key:<key>` for JSON lines repeating a key in one object, else NULL.

    A line whose keys (found by a regex, in any object) are all different and unescaped cannot
    repeat one in a single object; only the others are parsed with the standard library.
    """
    keys = pl.col("text").str.extract_all(_KEY)
    # An escaped key ("\u0061") may spell the same key as another: those lines are checked too.
    escaped = keys.list.eval(pl.element().str.contains("\\", literal=True)).list.any()
    candidates = lines.filter(pl.col("is_json") & ((keys.list.len() > keys.list.n_unique()) | escaped))
    found = {}
    for no, text in candidates.select("line_no", "text").iter_rows():
        key = duplicate_key(text)
        if key is not None:
            found[no] = f"duplicate_key:{json.dumps(key, ensure_ascii=False)}"
    return lines.select(
        pl.col("line_no").replace_strict(found, default=None, return_dtype=pl.String).alias("problem")
    ).to_series()


def _display_names(leaves: list[Path]) -> dict[Path, str]:
    """extra_fields name per leaf: its keys joined with dots ('#2' when two leaves read alike)."""
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for leaf in leaves:
        name, n = ".".join(leaf), 2
        while name in taken:
            name, n = f"{'.'.join(leaf)}#{n}", n + 1
        taken.add(name)
        names[leaf] = name
    return names


def _with_ancestors(paths: list[str]) -> list[str]:
    """Leaf paths plus every object path above them ('a.b' gives 'a' and 'a.b')."""
    seen: dict[str, None] = {}
    for path in paths:
        parts = path.split(".")
        for depth in range(1, len(parts) + 1):
            seen[".".join(parts[:depth])] = None
    return list(seen)


def _struct_leaves(fields: dict[str, pl.DataType], prefix: Path = ()) -> list[Path]:
    leaves: list[Path] = []
    for name, dtype in fields.items():
        if isinstance(dtype, pl.Struct):
            leaves += _struct_leaves({f.name: f.dtype for f in dtype.fields}, (*prefix, name))
        else:
            leaves.append((*prefix, name))
    return leaves


def _structure_leaves(structure: object, prefix: Path = ()) -> list[Path]:
    """Leaf paths of a DuckDB json_group_structure result (depth is bounded by the limit)."""
    if isinstance(structure, dict):
        leaves: list[Path] = []
        for key, child in structure.items():
            leaves += _structure_leaves(child, (*prefix, key))
        return leaves
    return [prefix] if prefix else []
