"""The data looks like real German lead data and is hard enough to be worth deduplicating."""

from __future__ import annotations

import phonenumbers
import polars as pl

from .helpers import data_files, read_rows


def csv_records(landing, prefix: str, columns: dict[str, str]) -> pl.DataFrame:
    """Chosen columns of all well-formed rows of one source, with their file and row number."""
    out = []
    for relative in [f for f in data_files(landing) if f.startswith(prefix)]:
        header, rows = read_rows(landing, relative)
        for i, row in enumerate(rows, start=1):
            if len(row) == len(header):
                values = dict(zip(header, row))
                out.append({"source_file": relative, "source_row": i, **{k: values[v] for k, v in columns.items()}})
    return pl.DataFrame(out)


def salesforce(landing) -> pl.DataFrame:
    return csv_records(landing, "crm_exports/salesforce/salesforce_leads",
                       {"first": "FirstName", "last": "LastName", "email": "Email", "phone": "Phone",
                        "mobile": "MobilePhone", "company": "Company", "city": "City", "country": "Country"})


def hubspot(landing) -> pl.DataFrame:
    return csv_records(landing, "crm_exports/hubspot/",
                       {"first": "First Name", "last": "Last Name", "email": "Email", "phone": "Phone Number",
                        "company": "Company Name", "city": "City"})


def with_truth(frame: pl.DataFrame, truth_records: pl.DataFrame) -> pl.DataFrame:
    return frame.join(truth_records, on=["source_file", "source_row"], how="inner")


def test_about_sixty_percent_of_people_have_a_single_record(truth_records):
    per_person = truth_records.group_by("person_id").len()["len"]
    assert 0.5 <= (per_person == 1).mean() <= 0.7
    assert per_person.max() >= 5


def test_people_appear_in_several_sources(truth_records):
    systems = truth_records.group_by("person_id").agg(pl.col("source_system").n_unique())["source_system"]
    assert (systems >= 3).sum() > 20


def test_records_of_one_person_differ_in_some_field(landing, truth_records):
    hs = with_truth(hubspot(landing), truth_records)
    multi = hs.filter(pl.len().over("person_id") > 1)
    differing = multi.group_by("person_id").agg(
        pl.concat_str("first", "last", "email", "phone", "company", separator="|").n_unique().alias("versions"))
    assert (differing["versions"] > 1).mean() > 0.5


def test_exact_email_match_misses_many_duplicates(landing, truth_records):
    hs = with_truth(hubspot(landing), truth_records).filter(pl.col("email") != "")
    same_person = hs.filter(pl.len().over("person_id") > 1)
    exact = same_person.group_by("person_id").agg(pl.col("email").n_unique())["email"]
    assert (exact > 1).mean() > 0.15


def test_umlaut_and_legal_form_variants_appear(landing, truth_records):
    sf = with_truth(salesforce(landing), truth_records)
    transliterated = sf.filter(pl.col("true_last_name").str.contains("ü") & pl.col("last").str.contains("ue"))
    assert transliterated.height > 0
    assert sf["company"].str.contains("G.m.b.H.", literal=True).any()
    assert sf["company"].str.contains(r"^[A-ZÄÖÜ .&-]+$").any(), "upper-case company without legal form"


def test_plus_addressing_and_uppercase_emails_appear(landing):
    sf = salesforce(landing)
    assert sf["email"].str.contains(r"\+[a-z]+@").any()
    assert sf["email"].str.contains(r"^[A-Z0-9._+-]+@[A-Z0-9.-]+$").any()


def test_phone_numbers_are_written_in_several_formats(landing):
    sf = salesforce(landing)
    numbers = pl.concat([sf["phone"], sf["mobile"]])
    numbers = numbers.filter(numbers != "")
    patterns = [r"^\+49 \d", r"^0\d+/\d+$", r"^0049\d+$", r"^\(0\d+\) ", r"^\(0 \d+\) ", r"^0\d+ \d+$"]
    assert all(numbers.str.contains(p).any() for p in patterns)


def test_german_phone_numbers_are_valid_per_libphonenumber(landing):
    sf = salesforce(landing).filter(pl.col("country").is_in(["DE", "Germany"]))
    numbers = [n for n in pl.concat([sf["phone"], sf["mobile"]]).to_list() if n]
    assert len(numbers) > 100
    invalid = [n for n in numbers if not phonenumbers.is_valid_number(phonenumbers.parse(n, "DE"))]
    assert invalid == []


def test_true_phone_numbers_are_valid_and_mostly_german(truth_people):
    numbers = pl.concat([truth_people["true_fixed_e164"], truth_people["true_mobile_e164"]]).drop_nulls().to_list()
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers)
    assert sum(n.startswith("+49") for n in numbers) / len(numbers) > 0.8
    assert any(n.startswith("+43") for n in numbers) and any(n.startswith("+41") for n in numbers)


def test_german_postcodes_have_five_digits_and_keep_leading_zeros(truth_people):
    de = truth_people.filter(pl.col("country") == "DE")["postcode"]
    assert de.str.contains(r"^\d{5}$").all()
    assert de.str.starts_with("0").any()
    assert truth_people.filter(pl.col("country") == "AT")["postcode"].str.contains(r"^\d{4}$").all()


def test_role_mailbox_is_shared_by_different_people(landing, truth_records):
    crm = pl.concat([with_truth(hubspot(landing), truth_records).select("email", "person_id"),
                     with_truth(salesforce(landing), truth_records).select("email", "person_id")])
    info = crm.filter(pl.col("email").str.to_lowercase().str.strip_chars().str.starts_with("info@"))
    shared = info.group_by(pl.col("email").str.to_lowercase().str.strip_chars()).agg(pl.col("person_id").n_unique())
    assert (shared["person_id"] > 1).any()


def test_switchboard_number_is_shared_by_colleagues(truth_people):
    b2b = truth_people.filter(pl.col("segment") == "b2b")
    colleagues = b2b.group_by("switchboard_e164").len()
    assert (colleagues["len"] > 3).any()


def test_namesakes_live_in_different_cities(truth_people):
    names = truth_people.group_by("first_name", "last_name").agg(pl.col("city").n_unique(), pl.len())
    assert names.filter((pl.col("len") > 1) & (pl.col("city") > 1)).height > 0
    assert names.filter((pl.col("first_name") == "Thomas") & (pl.col("last_name") == "Müller"))["len"].sum() >= 2


def test_family_members_share_an_address(truth_people):
    members = truth_people.filter(pl.col("household_of").is_not_null())
    assert members.height > 10
    heads = truth_people.select(pl.col("person_id").alias("household_of"), pl.col("street").alias("head_street"),
                                pl.col("last_name").alias("head_last"))
    joined = members.join(heads, on="household_of")
    assert (joined["street"] == joined["head_street"]).all() and (joined["last_name"] == joined["head_last"]).all()


def test_names_with_umlauts_and_particles_exist(truth_people):
    assert truth_people["first_name"].str.contains("ü|ö|Ü").any()
    assert truth_people["last_name"].str.contains(r"^(von|van|de) ").any()
    assert truth_people["last_name"].str.contains("-").any()


def test_b2c_people_use_freemail_and_b2b_their_company_domain(truth_people):
    b2c = truth_people.filter(pl.col("segment") == "b2c")["email"].drop_nulls()
    assert b2c.str.contains(r"@(web\.de|gmx\.(de|net|at)|t-online\.de|freenet\.de|gmail\.com|outlook\.com|yahoo\.de|bluewin\.ch)$").all()
    b2b = truth_people.filter(pl.col("segment") == "b2b").drop_nulls("email")
    assert (b2b["email"].str.extract("@(.+)$") == b2b["company_domain"]).all()
