"""Runs batches of expectations through GX Core (pandas datasource) and keeps the evidence.

GX is imported lazily: importing it takes seconds, and Dagster loads this package on every
code-location reload. Results and Data Docs are stripped of the offending values (which can be
e-mails or phone numbers) before they are stored; only record/lead ids are kept.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from quality.outcome import MAX_SAMPLE_IDS, ExpectationOutcome
from quality.specs import Batch

DOCS_SITE_NAME = "leadwerk_quality"
_VALUE_KEYS = ("partial_unexpected_list", "partial_unexpected_counts", "unexpected_list",
               "unexpected_index_query", "unexpected_rows")


def validate_batches(
    conn: duckdb.DuckDBPyConnection,
    suite: str,
    batches: list[Batch],
    *,
    docs_dir: Path | None,
    run_time: datetime,
) -> tuple[list[ExpectationOutcome], Path | None, list[Path]]:
    """Validates every batch; returns outcomes, the suite's Data Docs index and the result files.

    With `docs_dir`, results go to docs_dir/results/<suite>/ and the suite's Data Docs site to
    docs_dir/<suite>/; docs_dir/index.html links every suite's site.
    """
    gx, gxe = _import_gx()
    site_dir = Path(docs_dir) / suite if docs_dir is not None else None
    context = _ephemeral_context(gx, site_dir)
    datasource = context.data_sources.add_pandas(name=f"leadwerk_{suite}")
    outcomes: list[ExpectationOutcome] = []
    result_paths: list[Path] = []
    stamp = run_time.strftime("%Y%m%dT%H%M%S%f")
    for batch in batches:
        try:
            # Through Arrow: same dtypes as .df(), at a third of the conversion time; one chunk per
            # column, because GX filters the whole frame for every expectation and taking rows
            # from many small Arrow chunks costs twice as much. The copies come from the system
            # allocator: pyarrow's default (mimalloc) asks for huge pages, and on virtual machines
            # that hand free memory back to the host each fresh huge page waits for it (figures
            # in docs/benchmarks.md).
            pool = pa.system_memory_pool()
            table = conn.execute(batch.sql, list(batch.params)).to_arrow_table()
            frame = table.combine_chunks(memory_pool=pool).to_pandas(memory_pool=pool)
        except duckdb.Error as exc:
            outcomes.extend(_raised(batch, f"query failed: {exc}"))
            continue
        batch_definition = datasource.add_dataframe_asset(name=batch.name).add_batch_definition_whole_dataframe("all")
        gx_suite = context.suites.add(
            gx.ExpectationSuite(
                name=f"{suite}.{batch.name}",
                expectations=[_build_expectation(gxe, spec) for spec in batch.expectations],
                meta={"leadwerk_suite": suite, "batch": batch.name},
            )
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite}.{batch.name}", data=batch_definition, suite=gx_suite)
        )
        keys_before = set(context.validation_results_store.list_keys())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = definition.run(
                batch_parameters={"dataframe": frame},
                result_format={
                    "result_format": "SUMMARY",
                    "unexpected_index_column_names": [batch.id_column],
                    "partial_unexpected_count": MAX_SAMPLE_IDS,
                },
            )
        outcomes.extend(_outcomes(batch, result))
        if docs_dir is None:
            continue
        _strip_values(result, batch.id_column)
        for key in set(context.validation_results_store.list_keys()) - keys_before:
            context.validation_results_store.set(key, result)
        path = Path(docs_dir) / "results" / suite / f"{stamp}__{batch.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.to_json_dict(), indent=1, default=str), encoding="utf-8")
        result_paths.append(path)
    docs_path = None
    if site_dir is not None:
        context.build_data_docs(site_names=[DOCS_SITE_NAME])
        docs_path = site_dir / "index.html"
        write_docs_index(Path(docs_dir))
    return outcomes, docs_path, result_paths


def write_docs_index(docs_dir: Path) -> Path:
    """A landing page linking each suite's Data Docs site (each shows that suite's latest run)."""
    suites = sorted(p.parent.name for p in docs_dir.glob("*/index.html"))
    links = "\n".join(f'<li><a href="{name}/index.html">{name}</a></li>' for name in suites)
    index = docs_dir / "index.html"
    index.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Leadwerk quality</title></head>"
        f"<body><h1>Leadwerk quality suites</h1><ul>\n{links}\n</ul></body></html>\n",
        encoding="utf-8",
    )
    return index


def _import_gx():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        import great_expectations.expectations as gxe
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return gx, gxe


def _ephemeral_context(gx, docs_dir: Path | None):
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name=DOCS_SITE_NAME,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(docs_dir).resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _build_expectation(gxe, spec):
    cls = getattr(gxe, spec.gx_type)
    meta = {"leadwerk_name": spec.name, "rule": spec.rule, "severity": spec.severity}
    return cls(**spec.kwargs, meta=meta)


def _outcomes(batch: Batch, result) -> list[ExpectationOutcome]:
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        meta = config.meta or {}
        details = item.result or {}
        exception = _exception_text(item.exception_info)
        outcomes.append(
            ExpectationOutcome(
                name=meta.get("leadwerk_name", config.type),
                rule=meta.get("rule", config.type),
                batch=batch.name,
                severity=meta.get("severity", "error"),
                success=bool(item.success) and exception is None,
                unexpected_count=details.get("unexpected_count"),
                element_count=details.get("element_count"),
                sample_ids=_sample_ids(details, batch.id_column),
                exception=exception,
                gx_type=config.type,
            )
        )
    return outcomes


def _exception_text(info: Any) -> str | None:
    """The message of a raised expectation; GX nests it per metric for some failures."""
    if not info:
        return None
    if "raised_exception" in info:
        return (info.get("exception_message") or "expectation raised") if info["raised_exception"] else None
    messages = [
        v.get("exception_message") or "expectation raised"
        for v in info.values()
        if isinstance(v, dict) and v.get("raised_exception")
    ]
    return "; ".join(messages) or None


def _sample_ids(details: dict[str, Any], id_column: str) -> tuple[str, ...]:
    ids: list[str] = []
    for entry in details.get("partial_unexpected_index_list") or []:
        value = entry.get(id_column) if isinstance(entry, dict) else entry
        if value is not None and str(value) not in ids:
            ids.append(str(value))
    return tuple(ids[:MAX_SAMPLE_IDS])


def _strip_values(result, id_column: str) -> None:
    """Removes offending values from a GX result, keeping ids, so docs and JSON hold no PII."""
    for item in result.results:
        details = item.result
        if not details:
            continue
        for key in _VALUE_KEYS:
            details.pop(key, None)
        if details.get("partial_unexpected_index_list"):
            details["partial_unexpected_index_list"] = [
                {id_column: entry.get(id_column)} if isinstance(entry, dict) else entry
                for entry in details["partial_unexpected_index_list"]
            ]
        if isinstance(item.exception_info, dict):
            _strip_traceback_values(item.exception_info)


def _strip_traceback_values(info: dict[str, Any]) -> None:
    for value in info.values():
        if isinstance(value, dict):
            _strip_traceback_values(value)
    if info.get("exception_traceback"):
        info["exception_traceback"] = re.sub(r"'[^'\n]*@[^'\n]*'", "'<redacted>'", info["exception_traceback"])


def _raised(batch: Batch, message: str) -> list[ExpectationOutcome]:
    return [
        ExpectationOutcome(name=spec.name, rule=spec.rule, batch=batch.name, severity=spec.severity,
                           success=False, exception=message, gx_type=spec.gx_type)
        for spec in batch.expectations
    ]
