import polars as pl

from ingest.dedupe.phonetics import fold_text, koelner_code


def test_koelner_code_matches_published_examples():
    assert koelner_code("Müller-Lüdenscheidt") == "65752682"
    assert koelner_code("Wikipedia") == "3412"
    assert koelner_code("Breschnew") == "17863"


def test_koelner_code_treats_spelling_variants_of_a_name_alike():
    assert koelner_code("Meier") == koelner_code("Meyer") == koelner_code("Maier")
    assert koelner_code("Müller") == koelner_code("Mueller") == koelner_code("Muller")
    assert koelner_code("Schmidt") == koelner_code("Schmitt")
    assert koelner_code("Schmidt") != koelner_code("Schneider")


def test_koelner_code_of_empty_text_is_none():
    assert koelner_code("") is None
    assert koelner_code("--") is None


def test_fold_text_spells_out_umlauts_and_drops_accents_and_punctuation():
    names = pl.DataFrame({"name": ["Jürgen", "Straße", "José-María", " ", None, "Jürgen"]})
    folded = names.select(fold_text(pl.col("name"))).to_series()
    assert folded.to_list() == ["juergen", "strasse", "jose maria", None, None, "juergen"]
