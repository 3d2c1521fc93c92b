"""Header reading and column matching of raw files (segmentation.ingest.schema)."""

from __future__ import annotations

import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ONLINE_RETAIL_HEADER, ONLINE_RETAIL_II_HEADER, write_online_retail_xlsx

from segmentation.ingest import (
    RawFileError,
    detect_csv_encoding,
    detect_schema,
    match_columns,
    published_schemas,
    raw_column_aliases,
    read_header,
)

II_HEADER = ONLINE_RETAIL_II_HEADER
DEFAULT_RAW_COLUMNS = raw_column_aliases()
CSV_BODY = "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"


def write_csv(path, header, body=CSV_BODY, encoding="utf-8", prefix=b""):
    path.write_bytes(prefix + (",".join(header) + "\n" + body).encode(encoding))
    return path


def test_default_raw_columns_is_the_published_alias_map():
    # the aliases are the var raw_columns of dbt_project.yml, which staging reads too
    assert DEFAULT_RAW_COLUMNS["invoice_id"] == ["InvoiceNo", "Invoice"]
    assert DEFAULT_RAW_COLUMNS["unit_price"] == ["UnitPrice", "Price"]
    assert DEFAULT_RAW_COLUMNS["customer_id"] == ["CustomerID", "Customer ID"]
    assert len(DEFAULT_RAW_COLUMNS) == 8


@pytest.mark.parametrize("name", ["raw.csv", "RAW.CSV", "raw.Csv"])
def test_read_header_of_csv_any_case_suffix(tmp_path, name):
    # given a CSV in the Online Retail layout
    path = write_csv(tmp_path / name, ONLINE_RETAIL_HEADER)
    # when / then
    assert read_header(path) == ONLINE_RETAIL_HEADER


def test_read_header_of_gzipped_csv(tmp_path):
    path = tmp_path / "raw.csv.gz"
    path.write_bytes(gzip.compress((",".join(II_HEADER) + "\n" + CSV_BODY).encode()))
    assert read_header(path) == II_HEADER


def test_read_header_drops_utf8_bom(tmp_path):
    path = write_csv(tmp_path / "bom.csv", ONLINE_RETAIL_HEADER, prefix=b"\xef\xbb\xbf")
    header = read_header(path)
    assert header[0] == "InvoiceNo"
    assert match_columns(header, DEFAULT_RAW_COLUMNS, path)["invoice_id"] == "InvoiceNo"


def test_read_header_of_latin1_csv(tmp_path):
    # given a Windows export whose header has an accented extra column (not valid UTF-8)
    header = [*ONLINE_RETAIL_HEADER, "Catégorie"]
    path = write_csv(tmp_path / "latin.csv", header, CSV_BODY.strip() + ",Déco\n", "latin-1")
    # when
    found = read_header(path)
    # then the header is decoded as latin-1 and the file still matches
    assert found == header
    assert match_columns(found, DEFAULT_RAW_COLUMNS, path)["country"] == "Country"
    assert detect_csv_encoding(path) == "latin-1"


def test_detect_csv_encoding_finds_latin1_deep_in_the_body(tmp_path):
    body = CSV_BODY * 5000 + CSV_BODY.replace("WHITE", "CAFÉ")
    latin = write_csv(tmp_path / "latin.csv", ONLINE_RETAIL_HEADER, body, "latin-1")
    utf8 = write_csv(tmp_path / "utf8.csv", ONLINE_RETAIL_HEADER, body, "utf-8")
    assert detect_csv_encoding(latin) == "latin-1"
    assert detect_csv_encoding(utf8) == "utf-8"


def test_read_header_of_parquet(tmp_path):
    path = tmp_path / "raw.parquet"
    pq.write_table(pa.table({name: [1] for name in II_HEADER}), path)
    assert read_header(path) == II_HEADER


def test_read_header_of_xlsx(tmp_path):
    path = write_online_retail_xlsx(tmp_path / "Online Retail.XLSX")
    assert read_header(path) == ONLINE_RETAIL_HEADER


def test_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(RawFileError, match=r"nowhere\.csv does not exist"):
        read_header(tmp_path / "nowhere.csv")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.parquet"
    path.touch()
    with pytest.raises(RawFileError, match=r"empty\.parquet is empty \(0 bytes\)"):
        read_header(path)


def test_unsupported_extension_is_refused_listing_supported_ones(tmp_path):
    path = tmp_path / "raw.json"
    path.write_text("{}")
    with pytest.raises(RawFileError) as error:
        read_header(path)
    assert "raw.json" in str(error.value)
    for suffix in (".csv", ".csv.gz", ".parquet", ".xlsx"):
        assert suffix in str(error.value)


def test_corrupt_parquet_is_a_raw_file_error(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(RawFileError, match=r"broken\.parquet cannot be read as Parquet"):
        read_header(path)


def test_match_columns_ignores_case_whitespace_and_extra_columns():
    found = [
        " invoiceno",
        "STOCKCODE ",
        "Description",
        "quantity",
        "InvoiceDate",
        "unitprice",
        "CustomerID",
        "Country",
        "Notes",
    ]
    mapping = match_columns(found, DEFAULT_RAW_COLUMNS, "raw.csv")
    assert mapping["invoice_id"] == " invoiceno"
    assert mapping["unit_price"] == "unitprice"
    assert "Notes" not in mapping.values()
    assert set(mapping) == set(DEFAULT_RAW_COLUMNS)


def test_match_columns_accepts_online_retail_ii():
    mapping = match_columns(II_HEADER, DEFAULT_RAW_COLUMNS, "ii.csv")
    assert list(mapping.values()) == II_HEADER
    assert mapping["unit_price"] == "Price"
    assert mapping["customer_id"] == "Customer ID"


def test_published_layouts_are_the_first_and_last_accepted_names():
    # given the header of each published data set, in staged-column order
    layouts = published_schemas()
    # then each layout names exactly that header's columns
    assert list(layouts["online_retail"].values()) == ONLINE_RETAIL_HEADER
    assert list(layouts["online_retail_ii"].values()) == II_HEADER


def test_renamed_column_is_refused_naming_file_expected_and_found():
    # given a header where UnitPrice was renamed
    found = [name if name != "UnitPrice" else "Unit Cost" for name in ONLINE_RETAIL_HEADER]
    # when
    with pytest.raises(RawFileError) as error:
        match_columns(found, DEFAULT_RAW_COLUMNS, "data/raw/export.csv")
    # then the message names the file, the missing column with aliases and what was found
    message = str(error.value)
    assert "data/raw/export.csv" in message
    assert "missing:  unit_price (one of UnitPrice, Price)" in message
    assert "invoice_id (InvoiceNo | Invoice)" in message
    assert "Unit Cost" in message
    assert "customer_id" not in message.split("missing:")[1].split("\n")[0]


def test_columns_differing_only_in_case_are_ambiguous():
    with pytest.raises(RawFileError, match=r"ambiguous.*Quantity, quantity"):
        match_columns([*ONLINE_RETAIL_HEADER, "quantity"], DEFAULT_RAW_COLUMNS, "x.csv")


def test_custom_alias_map_is_honoured():
    aliases = {"invoice_id": ["Order"], "quantity": ["Qty"]}
    assert match_columns(["qty", "ORDER"], aliases, "x.csv") == {
        "invoice_id": "ORDER",
        "quantity": "qty",
    }


def test_detect_schema():
    assert detect_schema(ONLINE_RETAIL_HEADER, DEFAULT_RAW_COLUMNS) == "online_retail"
    assert detect_schema(II_HEADER, DEFAULT_RAW_COLUMNS) == "online_retail_ii"
    assert detect_schema([n.lower() for n in II_HEADER]) == "online_retail_ii"
    with pytest.raises(RawFileError):
        detect_schema(["Invoice", "Price"], DEFAULT_RAW_COLUMNS)


def test_parquet_with_a_file_row_number_column_is_refused(tmp_path):
    # given a Parquet export that carries its own column named like DuckDB's row numbers
    path = tmp_path / "raw.parquet"
    columns = {name: ["x"] for name in ONLINE_RETAIL_HEADER}
    pq.write_table(pa.table({**columns, "File_Row_Number": [1]}), path)
    # then the header check names the column instead of letting dbt fail on it later
    with pytest.raises(RawFileError, match="has a column named file_row_number"):
        read_header(path)
