"""Polars expressions that produce the spelling variants real lead sources contain."""

from __future__ import annotations

import polars as pl

UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}

# Characters outside Windows-1252 that appear in the name lists; vendors exporting
# cp1252 drop the diacritic.
NON_CP1252 = {
    "ł": "l", "Ł": "L", "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G", "ı": "i", "İ": "I",
    "ř": "r", "Ř": "R", "č": "c", "Č": "C", "ć": "c", "Ć": "C", "ő": "ö", "ű": "ü",
    "ń": "n", "ś": "s", "ę": "e", "ą": "a", "ż": "z", "ź": "z", "Ż": "Z", "Ź": "Z", "đ": "d", "Đ": "D",
}

# Upper-case forms too: some sources write names in capitals before exporting.
NON_CP1252 |= {k.upper(): v.upper() for k, v in NON_CP1252.items() if k.upper() not in NON_CP1252 and k.upper() != v.upper()}

# Everything needed to turn a name into an e-mail local part or domain label.
ASCII = {
    **UMLAUTS, **NON_CP1252, "ő": "o", "ű": "u", "é": "e", "è": "e", "ë": "e", "ç": "c",
    "Ç": "C", "ž": "z", "š": "s", "Ž": "Z", "Š": "S", "á": "a", "à": "a", "ó": "o", "ñ": "n", "ï": "i", "í": "i",
}


def replace_chars(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    return expr.str.replace_many(list(mapping), list(mapping.values()))


def transliterate(expr: pl.Expr) -> pl.Expr:
    """Müller → Mueller, Weiß → Weiss (how umlauts look after old systems)."""
    return replace_chars(expr, UMLAUTS)


# Lower-casing a Turkish capital İ leaves an i followed by a combining dot above.
NON_CP1252["\u0307"] = ""

# What Windows-1252 can store: ASCII, Latin-1's printable half and its own 27 extra characters.
_NOT_CP1252 = "[^\\x{00}-\\x{7F}\\x{A0}-\\x{FF}€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]"


def cp1252_safe(expr: pl.Expr) -> pl.Expr:
    """Drop diacritics Windows-1252 cannot store; German umlauts stay. Anything else it cannot
    store becomes '?', as a cp1252 export writes it."""
    return replace_chars(expr, NON_CP1252).str.replace_all(_NOT_CP1252, "?")


def slug(expr: pl.Expr) -> pl.Expr:
    """Lower-case ASCII with only letters/digits, for e-mail parts and domains."""
    return replace_chars(expr, ASCII).str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")


# Spellings that sound alike in German and that clerks, call centres and people themselves mix up
# (Meyer/Meier/Maier, Schmidt/Schmid, Hoffmann/Hofmann, Philipp/Filipp). The first occurrence changes.
SPELLING_VARIANTS = [("ey", "ei"), ("ei", "ai"), ("ai", "ei"), ("dt", "d"), ("ff", "f"), ("nn", "n"), ("mm", "m"),
                     ("tz", "z"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("C", "K"), ("K", "C"), ("ie", "i")]


def spelling_variant(expr: pl.Expr, kind: pl.Expr) -> pl.Expr:
    """The ``kind``-th sound-alike respelling; names without that letter group stay as they are."""
    out = expr
    for i, (old, new) in enumerate(SPELLING_VARIANTS):
        out = pl.when(kind == i).then(expr.str.replace(old, new, literal=True)).otherwise(out)
    return out


def one_edit_typo(expr: pl.Expr, u_pos: pl.Expr, kind: pl.Expr, letter: pl.Expr) -> pl.Expr:
    """Apply one keyboard typo (deletion / substitution / transposition).

    ``u_pos`` is uniform in [0, 1); the first letter is kept because people rarely
    mistype it. Values shorter than four characters stay unchanged.
    """
    n = expr.str.len_chars()
    p = (1 + (u_pos * (n - 3).clip(lower_bound=1)).floor()).cast(pl.Int64)
    head = expr.str.slice(0, p)
    deletion = head + expr.str.slice(p + 1)
    substitution = head + letter + expr.str.slice(p + 1)
    transposition = head + expr.str.slice(p + 1, 1) + expr.str.slice(p, 1) + expr.str.slice(p + 2)
    typo = (
        pl.when(kind == 0).then(deletion)
        .when(kind == 1).then(substitution)
        .otherwise(transposition)
    )
    return pl.when(n >= 4).then(typo).otherwise(expr)


def case_variant(expr: pl.Expr, kind: pl.Expr) -> pl.Expr:
    """0 unchanged, 1 UPPER, 2 lower."""
    return (
        pl.when(kind == 1).then(expr.str.to_uppercase())
        .when(kind == 2).then(expr.str.to_lowercase())
        .otherwise(expr)
    )


def whitespace_variant(expr: pl.Expr, kind: pl.Expr) -> pl.Expr:
    """0 unchanged, 1 leading space, 2 trailing spaces, 3 doubled inner space."""
    return (
        pl.when(kind == 1).then(" " + expr)
        .when(kind == 2).then(expr + "  ")
        .when(kind == 3).then(expr.str.replace(" ", "  "))
        .otherwise(expr)
    )
