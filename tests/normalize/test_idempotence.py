import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.normalize import canonical_frame

_letters = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜéè"
_name = st.text(alphabet=_letters + " -'.", max_size=20)
_word = st.text(alphabet=_letters, min_size=1, max_size=10)
_phone = st.builds(lambda p, a, b: f"{p}{a} {b}", st.sampled_from(["0", "+49 ", "0049 ", "+43 ", "(0", "+41"]),
                   st.integers(1, 9999), st.integers(1000, 99999999))
_email = st.builds(lambda a, b, t: f" {a}.{b}@{a}-{t}.DE", _word, _word, st.sampled_from(["gmbh", "ag", "x"]))
_company = st.builds(lambda w, f: f"{w} {f}", _word, st.sampled_from(["GmbH", "AG", "GmbH & Co. KG", "e.K.", "Ltd.", ""]))

_records = st.fixed_dictionaries({
    "salutation": st.sampled_from(["Herr", "Frau", "Dr.", "", "Mr"]),
    "first_name": _name, "last_name": _name, "email": _email, "phone": _phone, "company": _company,
    "street": st.builds(lambda w, n: f"{w}str. {n}", _word, st.integers(1, 300)),
    "postcode": st.sampled_from(["1067", "10115", "D-80331", "1010"]),
    "city": _name, "country": st.sampled_from(["Deutschland", "D", "AT", "Schweiz", ""]),
    "job_title": st.sampled_from(["Geschäftsführer", "head of it", "Einkauf", ""]),
})

_ROUND_TRIP = {"first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone",
               "company": "company", "street": "street", "house_number": "house_number",
               "postcode": "postcode", "city": "city", "country_code": "country", "job_title": "job_title"}


@settings(max_examples=10, deadline=None)
@given(st.lists(_records, min_size=1, max_size=30))
def test_normalizing_a_normalized_record_changes_nothing(records):
    once = canonical_frame(pl.DataFrame(records))
    again = canonical_frame(once.select([pl.col(a).alias(b) for a, b in _ROUND_TRIP.items()]))
    for column in ["first_name", "last_name", "email", "email_match_key", "phone", "company", "company_key",
                   "legal_form", "street", "house_number", "postcode", "city", "country_code", "seniority"]:
        assert again[column].to_list() == once[column].to_list(), column
