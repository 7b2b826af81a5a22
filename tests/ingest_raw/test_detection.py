"""Encoding and delimiter detection when a contract does not say, and BOM handling."""

from __future__ import annotations

from ingest.raw import ingest_source_kind
from ingest.raw.sniff import choose_encoding, detect_delimiter, detect_encoding, split_header

from .landing_files import put, rows_of

OPEN_CONTRACT = (
    "name: listenprofi\nsource_kind: purchased_list\nsource_system: listenprofi\n"
    "format: csv\nidentify: [[source_record_id, email]]\n"
    "fields:\n  source_record_id: Nummer\n  email: Mail\n  city: Ort\n"
)


def _open_contract_dir(tmp_path):
    contracts_dir = tmp_path / "contracts"
    contracts_dir.mkdir()
    (contracts_dir / "listenprofi.yaml").write_text(OPEN_CONTRACT, encoding="utf-8")
    return contracts_dir


def test_encoding_is_detected_when_the_contract_does_not_say(conn, empty_landing, tmp_path):
    text = "Nummer;Mail;Ort\r\n1;a@b.de;Köln\r\n2;c@d.de;Düsseldorf\r\n3;e@f.de;Lübeck – Süd\r\n"
    put(empty_landing, "purchased_lists/listenprofi/a.csv", text.encode("cp1252"))
    report = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1",
                                contracts_dir=_open_contract_dir(tmp_path))
    rows = rows_of(conn, "raw.purchased_list_records", "purchased_lists/listenprofi/a.csv")
    assert rows["city"].to_list() == ["Köln", "Düsseldorf", "Lübeck – Süd"]
    assert report.files[0].encoding.lower().replace("_", "-") in {"cp1252", "windows-1252"}


def test_delimiter_is_detected_from_the_header_when_the_contract_does_not_say(conn, empty_landing, tmp_path):
    put(empty_landing, "purchased_lists/listenprofi/a.csv", b"Nummer;Mail;Ort\n1;a@b.de;Berlin, Mitte\n")
    report = ingest_source_kind(conn, empty_landing, "purchased_list", batch_id="b1",
                                contracts_dir=_open_contract_dir(tmp_path))
    rows = rows_of(conn, "raw.purchased_list_records", "purchased_lists/listenprofi/a.csv")
    assert report.files[0].delimiter == ";"
    assert rows["city"][0] == "Berlin, Mitte"


def test_utf8_bom_is_stripped_even_when_the_contract_expects_plain_utf8(conn, landing):
    source = landing / "purchased_lists/leadsource_eu/leadsource_eu_q1.csv"
    put(landing, "purchased_lists/leadsource_eu/with_bom.csv", b"\xef\xbb\xbf" + source.read_bytes())
    report = ingest_source_kind(conn, landing, "purchased_list", batch_id="b1",
                                only_files=["purchased_lists/leadsource_eu/with_bom.csv"])
    rows = rows_of(conn, "raw.purchased_list_records", "purchased_lists/leadsource_eu/with_bom.csv")
    assert report.files[0].contract == "leadsource_eu"
    assert rows["source_record_id"][0] == "LS-000101"


def test_utf8_file_under_a_cp1252_contract_is_not_garbled(conn, landing):
    source = landing / "purchased_lists/adressdirekt/adressdirekt_2025-03.csv"
    utf8 = source.read_bytes().decode("cp1252").encode("utf-8")
    put(landing, "purchased_lists/adressdirekt/utf8_export.csv", utf8)
    report = ingest_source_kind(conn, landing, "purchased_list", batch_id="b1",
                                only_files=["purchased_lists/adressdirekt/utf8_export.csv"])
    rows = rows_of(conn, "raw.purchased_list_records", "purchased_lists/adressdirekt/utf8_export.csv")
    assert report.files[0].encoding == "utf-8"
    assert rows["last_name"][0] == "Müller"


def test_detect_encoding_prefers_bom_then_strict_utf8():
    assert detect_encoding(b"\xef\xbb\xbfa;b\n") == "utf-8-sig"
    assert detect_encoding("Straße".encode()) == "utf-8"


def test_declared_encoding_is_kept_for_plain_ascii():
    assert choose_encoding(b"a;b\r\n1;2\r\n", "windows-1252") == "windows-1252"


def test_detect_delimiter_ignores_delimiters_inside_quotes():
    assert detect_delimiter('"Name, Vorname";"Ort, Land";PLZ') == ";"
    assert detect_delimiter("a\tb\tc") == "\t"


def test_repeated_header_labels_get_an_occurrence_suffix():
    assert split_header("Create Date,Phone Number,Create Date,Create Date", ",") == [
        "Create Date", "Phone Number", "Create Date#2", "Create Date#3"]


def test_utf8_file_with_one_broken_line_is_detected_as_utf8(conn, empty_landing, tmp_path):
    data = "Nummer;Mail;Ort\n1;a@b.de;Köln\n2;c@d.de;Düsseldorf\n".encode() + "3;e@f.de;Lübeck\n".encode("cp1252")
    report = _ingest_open(conn, empty_landing, tmp_path, data)
    rows = rows_of(conn, "raw.purchased_list_records", "purchased_lists/listenprofi/a.csv")
    quarantine = rows_of(conn, "quarantine.rows", "purchased_lists/listenprofi/a.csv")
    assert report.files[0].encoding == "utf-8"
    assert rows["city"].to_list() == ["Köln", "Düsseldorf"]
    assert quarantine.select("source_row", "reason").rows() == [(3, "undecodable_bytes")]


def _ingest_open(conn, landing, tmp_path, data: bytes):
    put(landing, "purchased_lists/listenprofi/a.csv", data)
    return ingest_source_kind(conn, landing, "purchased_list", batch_id="b1",
                              contracts_dir=_open_contract_dir(tmp_path))
