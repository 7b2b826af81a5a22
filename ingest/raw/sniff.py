"""Encoding and delimiter detection, used when a contract does not say.

A UTF-8 byte-order mark always wins: it is unambiguous, and spreadsheet exports add it
whatever the contract expected.
"""

from __future__ import annotations

import codecs
import csv
import io

DELIMITER_CANDIDATES = (",", ";", "\t", "|")
SNIFF_BYTES = 1 << 20
LEGACY_ENCODING = "windows-1252"


def has_utf8_bom(data: bytes) -> bool:
    return data.startswith(codecs.BOM_UTF8)


def strip_bom(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8):] if has_utf8_bom(data) else data


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken bytes: more valid multi-byte characters than broken sequences.

    Such a file is read as UTF-8 and only its broken lines are quarantined; reading all of it
    as Windows-1252 would garble every umlaut instead.
    """
    text = data[:SNIFF_BYTES].decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    return multibyte > broken


def detect_encoding(data: bytes) -> str:
    """BOM, then (mostly) UTF-8, then Windows-1252, then charset-normalizer's best guess.

    Windows-1252 comes before statistical guessing because it is what German and other
    Western European Excel exports use; guessers often pick cp1250 for short German files.
    """
    if has_utf8_bom(data):
        return "utf-8-sig"
    if is_utf8(data) or mostly_utf8(data):
        return "utf-8"
    try:
        data.decode(LEGACY_ENCODING)
        return LEGACY_ENCODING
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:SNIFF_BYTES]).best()
    if best is not None and best.encoding:
        return best.encoding
    return LEGACY_ENCODING


def choose_encoding(data: bytes, declared: str | None) -> str:
    """The encoding to decode a file with.

    The declared encoding is used unless the bytes prove otherwise: a BOM, or non-ASCII bytes
    that form valid UTF-8 where a single-byte code page was declared (reading those as
    Windows-1252 would silently turn "ü" into "Ã¼").
    """
    if has_utf8_bom(data):
        return "utf-8-sig"
    if declared is None or declared.lower() in {"auto", "detect"}:
        return detect_encoding(data)
    declared_codec = codecs.lookup(declared).name
    if declared_codec not in {"utf-8", "utf-8-sig"} and not data.isascii() and is_utf8(data):
        return "utf-8"
    return declared


def detect_delimiter(header_line: str) -> str:
    """The candidate occurring most often outside quotes in the header line (',' on a tie)."""
    unquoted = "".join(header_line.split('"')[0::2])
    counts = {d: unquoted.count(d) for d in DELIMITER_CANDIDATES}
    best = max(DELIMITER_CANDIDATES, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def split_header(header_line: str, delimiter: str) -> list[str]:
    """Header labels (outer blanks removed); repeated labels get '#2', '#3' by occurrence."""
    labels = next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
    seen: dict[str, int] = {}
    keys = []
    for label in labels:
        label = label.strip()
        seen[label] = seen.get(label, 0) + 1
        keys.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return keys
