import polars as pl
import pytest

from ingest.normalize import canonical_frame


def _row(**fields) -> dict:
    return canonical_frame(pl.DataFrame({k: [v] for k, v in fields.items()}, schema={k: pl.String for k in fields})).row(0, named=True)


@pytest.mark.parametrize(
    ("first", "last", "clean_first", "clean_last"),
    [
        ("  hans   peter ", "MÜLLER", "Hans Peter", "Müller"),
        ("anna-lena", "schmidt-lüdenscheidt", "Anna-Lena", "Schmidt-Lüdenscheidt"),
        ("Ursula", "VON DER LEYEN", "Ursula", "von der Leyen"),
        ("Rafael", "van der Vaart", "Rafael", "van der Vaart"),
        ("Ronald", "McDonald", "Ronald", "McDonald"),
        ("John", "O'BRIEN", "John", "O'Brien"),
        ("Herr Dr. Max", "Mustermann", "Max", "Mustermann"),
        ("Mrs Jane", "Doe", "Jane", "Doe"),
    ],
)
def test_names_are_trimmed_recased_with_particles_kept(first, last, clean_first, clean_last):
    row = _row(first_name=first, last_name=last)
    assert (row["first_name"], row["last_name"]) == (clean_first, clean_last)
    assert (row["first_name_raw"], row["last_name_raw"]) == (first, last)


@pytest.mark.parametrize(
    ("salutation", "first", "expected_salutation", "expected_title"),
    [
        ("Herr", "Max", "herr", None),
        ("Frau Dr.", "Eva", "frau", "Dr."),
        ("Mr.", "John", "herr", None),
        ("Ms", "Jane", "frau", None),
        (None, "Herr Prof. Dr. Max", "herr", "Prof. Dr."),
        ("Divers", "Kim", "divers", None),
        (None, "Kim", None, None),
    ],
)
def test_salutation_and_academic_title_are_split_off(salutation, first, expected_salutation, expected_title):
    row = _row(salutation=salutation, first_name=first)
    assert (row["salutation"], row["academic_title"]) == (expected_salutation, expected_title)


@pytest.mark.parametrize(
    ("company", "key", "form"),
    [
        ("Müller & Söhne GmbH & Co. KG", "mueller und soehne", "GmbH & Co. KG"),
        ("Müller und Söhne GmbH", "mueller und soehne", "GmbH"),
        ("Bäckerei Schmidt e.K.", "baeckerei schmidt", "e.K."),
        ("Gründerwerk UG (haftungsbeschränkt)", "gruenderwerk", "UG (haftungsbeschränkt)"),
        ("SAP SE", "sap", "SE"),
        ("Siemens AG", "siemens", "AG"),
        ("Acme Ltd.", "acme", "Ltd"),
        ("Globex, Inc.", "globex", "Inc"),
        ("Initech LLC", "initech", "LLC"),
        ("Société Générale S.A.", "societe generale", "S.A."),
        ("Philips B.V.", "philips", "B.V."),
        ("Weber Transporte OHG", "weber transporte", "OHG"),
        ("Zeitgeist Medizintechnik", "zeitgeist medizintechnik", None),
    ],
)
def test_company_key_strips_legal_form_and_folds(company, key, form):
    row = _row(company=company)
    assert (row["company"], row["company_key"], row["legal_form"]) == (company, key, form)


@pytest.mark.parametrize(
    ("title", "seniority", "department", "budget"),
    [
        ("Geschäftsführer", "c_level", "management", True),
        ("CEO", "c_level", "management", True),
        ("CFO", "c_level", "finance", True),
        ("Head of Marketing", "head_of", "marketing", True),
        ("Leiter Vertrieb", "head_of", "sales", True),
        ("Vertriebsleiterin", "head_of", "sales", True),
        ("Einkaufsleiter", "head_of", "operations", True),
        ("Prokurist", "c_level", "management", True),
        ("VP Sales", "vp_director", "sales", True),
        ("IT-Leiter", "head_of", "it", True),
        ("Marketing Manager", "manager", "marketing", False),
        ("Personalreferentin", "manager", "hr", False),
        ("Sachbearbeiterin Buchhaltung", "individual", "finance", False),
        ("Software Developer", "individual", "it", False),
        ("Hausmeister", "unknown", "other", False),
    ],
)
def test_job_title_classification(title, seniority, department, budget):
    row = _row(job_title=title)
    assert (row["seniority"], row["department"], row["budget_authority"]) == (seniority, department, budget)


@pytest.mark.parametrize(
    ("postcode", "country", "clean", "code", "valid"),
    [
        ("01067", "Deutschland", "01067", "DE", True),
        ("1067", "DE", "01067", "DE", True),
        ("D-10115", "D", "10115", "DE", True),
        ("10115", "Germany", "10115", "DE", True),
        ("1010", "Österreich", "1010", "AT", True),
        ("8001", "Schweiz", "8001", "CH", True),
        ("123456", "DE", "123456", "DE", False),
        ("1012 AB", "Niederlande", "1012 AB", "NL", True),
        ("10115", "Atlantis", "10115", None, None),
    ],
)
def test_postcode_and_country_are_normalized_and_validated(postcode, country, clean, code, valid):
    row = _row(postcode=postcode, country=country, city=" Berlin ")
    assert (row["postcode"], row["country_code"], row["postcode_valid"], row["city"]) == (clean, code, valid, "Berlin")


@pytest.mark.parametrize(
    ("street", "house", "clean_street", "clean_house"),
    [
        ("Hauptstraße 12a", None, "Hauptstraße", "12a"),
        ("Hauptstr. 12", None, "Hauptstraße", "12"),
        ("Lindenstr.", "5", "Lindenstraße", "5"),
        ("Am Markt 3-5", None, "Am Markt", "3-5"),
        ("Straße des 17. Juni", "100", "Straße des 17. Juni", "100"),
    ],
)
def test_street_and_house_number_are_split_and_written_out(street, house, clean_street, clean_house):
    row = _row(street=street, house_number=house)
    assert (row["street"], row["house_number"]) == (clean_street, clean_house)


def test_a_surname_that_is_a_salutation_word_stays_a_surname():
    row = _row(first_name="Anna", last_name="Herr")
    assert (row["last_name"], row["salutation"]) == ("Herr", None)
