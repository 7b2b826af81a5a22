"""Text folding and Kölner Phonetik, so "Müller", "Mueller" and "Muller" compare as one name.

Kölner Phonetik (Postel 1969) is the German counterpart of Soundex. The code is computed once
per distinct name (names repeat far more often than records), never per candidate pair.
"""

from __future__ import annotations

import polars as pl

from ingest.normalize.text import bind_distinct

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "œ": "oe"}


def fold_text(expr: pl.Expr) -> pl.Expr:
    """Lower case, umlauts spelled out, other accents dropped, punctuation turned into spaces.

    Computed once per distinct value: names, streets and cities repeat across records.
    """
    return bind_distinct(fold_each, pl.String, expr.cast(pl.String))


def fold_each(text: pl.Expr) -> pl.Expr:
    """fold_text value by value, for callers that already work on distinct values."""
    folded = text.str.to_lowercase()
    for umlaut, spelled in _UMLAUTS.items():
        folded = folded.str.replace_all(umlaut, spelled, literal=True)
    folded = (
        folded.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )
    return pl.when(folded.str.len_chars() > 0).then(folded).otherwise(None)


_VOWELS = set("AEIJOUY")


def koelner_code(name: str | None) -> str | None:
    """Kölner Phonetik code of one word or name ("Müller-Lüdenscheidt" -> "65752682")."""
    if not name:
        return None
    text = name.upper()
    for umlaut, plain in (("Ä", "A"), ("Ö", "O"), ("Ü", "U"), ("ß", "S"), ("ẞ", "S")):
        text = text.replace(umlaut, plain)
    letters = [ch for ch in text if "A" <= ch <= "Z" and ch != "H"]
    if not letters:
        return None
    digits: list[str] = []
    last = len(letters) - 1
    for i, ch in enumerate(letters):
        prev = letters[i - 1] if i > 0 else ""
        nxt = letters[i + 1] if i < last else ""
        if ch in _VOWELS:
            code = "0"
        elif ch == "B":
            code = "1"
        elif ch == "P":
            code = "3" if nxt == "H" else "1"
        elif ch in "DT":
            code = "8" if nxt and nxt in "CSZ" else "2"
        elif ch in "FVW":
            code = "3"
        elif ch in "GKQ":
            code = "4"
        elif ch == "C":
            if i == 0:
                code = "4" if nxt and nxt in "AHKLOQRUX" else "8"
            elif prev in "SZ":
                code = "8"
            else:
                code = "4" if nxt and nxt in "AHKOQUX" else "8"
        elif ch == "X":
            code = "8" if prev and prev in "CKQ" else "48"
        elif ch == "L":
            code = "5"
        elif ch in "MN":
            code = "6"
        elif ch == "R":
            code = "7"
        else:  # S, Z
            code = "8"
        digits.append(code)
    joined = "".join(digits)
    collapsed = [joined[0]]
    for ch in joined[1:]:
        if ch != collapsed[-1]:
            collapsed.append(ch)
    result = collapsed[0] + "".join(ch for ch in collapsed[1:] if ch != "0")
    return result or None


def koelner_column(values: pl.Series) -> pl.Series:
    """Kölner codes for a column, computed once per distinct value and joined back."""
    distinct = values.drop_nulls().unique()
    lookup = pl.DataFrame(
        {
            "value": distinct,
            "code": pl.Series([koelner_code(v) for v in distinct.to_list()], dtype=pl.String),
        }
    )
    return (
        values.to_frame("value")
        .join(lookup, on="value", how="left", maintain_order="left")
        .get_column("code")
        .alias(values.name)
    )
