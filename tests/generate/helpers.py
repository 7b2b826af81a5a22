"""Reading generated landing files the way the contract describes them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

CP1252_SOURCES = ("purchased_lists/adressdirekt/", "crm_exports/salesforce/lead_report")


def encoding_of(relative: str) -> str:
    return "cp1252" if relative.startswith(CP1252_SOURCES) else "utf-8"


def delimiter_of(relative: str) -> str:
    return ";" if relative.startswith("purchased_lists/adressdirekt/") else ","


def data_files(landing: Path) -> list[str]:
    return sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file())


def read_rows(landing: Path, relative: str) -> tuple[list[str] | None, list]:
    """(header, rows) of a CSV file, or (None, parsed JSON objects / None for broken lines)."""
    text = (landing / relative).read_bytes().decode(encoding_of(relative), errors="replace")
    if relative.endswith(".jsonl"):
        out = []
        for line in text.split("\n")[: None if not text.endswith("\n") else -1]:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append(None)
        return None, out
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter_of(relative)))
    return rows[0], rows[1:]
