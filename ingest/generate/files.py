"""Serialise shaped frames to landing files with each source's encoding, and break a few lines.

Line-level dirt (wrong field counts, undecodable bytes, truncated last lines, invalid
JSON) is applied here because it only exists in the bytes of a file.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from .randomness import stream


@dataclass(frozen=True)
class FileFormat:
    encoding: str  # Python codec name
    delimiter: str | None  # None for JSON lines
    newline: str
    bom: bool = False


FORMATS = {
    "adressdirekt": FileFormat("cp1252", ";", "\r\n"),
    "leadsource_eu": FileFormat("utf-8", ",", "\n"),
    "web_forms": FileFormat("utf-8", None, "\n"),
    "hubspot": FileFormat("utf-8", ",", "\n", bom=True),
    "salesforce_api": FileFormat("utf-8", ",", "\n"),
    "salesforce_report": FileFormat("cp1252", ",", "\r\n"),
}
WRONG_FIELD_COUNT_RATE = 0.003
UNDECODABLE_RATE = 0.0015
INVALID_JSON_RATE = 0.002
TRUNCATED_FILE_SHARE = 0.15
_BAD_BYTES_MARK = "\x00\x01BAD\x01\x00"


def _body_lines(frame: pl.DataFrame, fmt: FileFormat) -> list[str]:
    if fmt.delimiter is None:
        text = frame.write_ndjson()
        return text.split("\n")[:-1]
    text = frame.write_csv(include_header=False, separator=fmt.delimiter, line_terminator="\n", quote_style="necessary")
    return text.split("\n")[:-1]


def _break_fields(line: str, sep: str, extra: bool) -> str:
    """One field too many (stray separator) or one too few (last field lost)."""
    return line + sep + "x" if extra else line.rsplit(sep, 1)[0]


def _truncate(line: str, sep: str | None) -> str:
    """Cut the line in the middle of a field so it has fewer fields than the header."""
    if sep is None:
        return line[: max(1, len(line) // 2)]
    positions = [i for i, ch in enumerate(line) if ch == sep]
    cut = positions[len(positions) // 2] + 2 if positions else len(line) // 2
    return line[: min(cut, len(line) - 1)]


def write_file(path: Path, relative: str, header: list[str] | None, body: pl.DataFrame, defects: np.ndarray,
               fmt: FileFormat, seed: int) -> np.ndarray:
    """Write one landing file; returns the per-row defect codes including line-level ones."""
    rng = stream(seed, "line_defects", zlib.crc32(relative.encode()))
    lines = _body_lines(body, fmt)
    n = len(lines)
    defects = defects.astype(object).copy()
    clean = np.array([d is None for d in defects], dtype=bool)
    u = rng.random(n)
    sep = fmt.delimiter
    if sep is not None:
        broken = np.flatnonzero(clean & (u < WRONG_FIELD_COUNT_RATE))
        extra = rng.random(len(broken)) < 0.5
        for i, more in zip(broken, extra):  # only the few broken lines
            lines[i] = _break_fields(lines[i], sep, bool(more))
            defects[i] = "wrong_field_count"
    else:
        broken = np.flatnonzero(clean & (u < INVALID_JSON_RATE))
        for i in broken:
            lines[i] = lines[i][: len(lines[i]) * 2 // 3]
            defects[i] = "invalid_json"
    if fmt.encoding == "utf-8":
        bad = np.flatnonzero(clean & (u > 1 - UNDECODABLE_RATE))
        for i in bad:
            lines[i] = lines[i].replace(",", "," + _BAD_BYTES_MARK, 1) if sep else lines[i].replace('":"', '":"' + _BAD_BYTES_MARK, 1)
            defects[i] = "undecodable_bytes"
    truncated = n >= 3 and rng.random() < TRUNCATED_FILE_SHARE
    if truncated:
        lines[-1] = _truncate(lines[-1], sep)
        defects[-1] = "truncated_row"
    nl = fmt.newline
    parts = []
    if header is not None:
        parts.append(sep.join(header) + nl)
    parts.append(nl.join(lines))
    if not truncated and lines:
        parts.append(nl)
    data = "".join(parts).encode(fmt.encoding).replace(_BAD_BYTES_MARK.encode(), b"\xff\xfe")
    if fmt.bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return defects
