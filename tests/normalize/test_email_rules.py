import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.normalize import canonical_frame
from ingest.normalize.email import _valid_batch, library_email_valid


def _email(raw: str | None) -> dict:
    return canonical_frame(pl.DataFrame({"email": [raw]}, schema={"email": pl.String})).row(0, named=True)


@pytest.mark.parametrize(
    ("raw", "email", "valid", "match_key", "domain"),
    [
        ("  Anna.Mueller@Firma.DE ", "anna.mueller@firma.de", True, "anna.mueller@firma.de", "firma.de"),
        ("anna+newsletter@gmx.de", "anna+newsletter@gmx.de", True, "anna@gmx.de", "gmx.de"),
        ("jürgen@müller-bau.de", "jürgen@müller-bau.de", True, "jürgen@müller-bau.de", "müller-bau.de"),
        ("anna.muellerfirma.de", "anna.muellerfirma.de", False, None, None),
        ("anna@firma..de", "anna@firma..de", False, None, "firma..de"),
        ("anna @firma.de", "anna @firma.de", False, None, "firma.de"),
        ("<Max@Example.org>", "max@example.org", True, "max@example.org", "example.org"),
        ("test@host.local", "test@host.local", False, None, "host.local"),
    ],
)
def test_email_is_trimmed_lowercased_validated_and_keyed(raw, email, valid, match_key, domain):
    row = _email(raw)
    assert (row["email"], row["email_valid"], row["email_match_key"], row["email_domain"]) == (
        email, valid, match_key, domain
    )
    assert row["email_raw"] == raw


def test_missing_email_is_null_and_not_valid():
    row = _email(None)
    assert row["email"] is None and row["email_valid"] is False and row["email_match_key"] is None


@pytest.mark.parametrize(
    ("raw", "freemail"),
    [("a@gmx.de", True), ("a@web.de", True), ("a@t-online.de", True), ("a@gmail.com", True),
     ("a@outlook.com", True), ("a@siemens.com", False), ("a@mueller-gmbh.de", False)],
)
def test_freemail_domains_come_from_the_list(raw, freemail):
    assert _email(raw)["email_is_freemail"] is freemail


@pytest.mark.parametrize(
    ("raw", "role"),
    [("info@firma.de", True), ("Kontakt@firma.de", True), ("sales@acme.com", True),
     ("vertrieb+x@firma.de", True), ("anna.info@firma.de", False), ("max@firma.de", False)],
)
def test_role_mailboxes_are_flagged(raw, role):
    assert _email(raw)["email_is_role"] is role


_local = st.text(alphabet="abcxyz09._+-!#ä", min_size=0, max_size=12)
_domain = st.text(alphabet="abz09.-ü", min_size=0, max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_local, _domain), min_size=1, max_size=20))
def test_fast_path_agrees_with_email_validator(parts):
    addresses = [f"{local}@{domain}" for local, domain in parts]
    decided = _valid_batch(pl.Series(addresses, dtype=pl.String)).to_list()
    assert decided == [library_email_valid(a) for a in addresses]
