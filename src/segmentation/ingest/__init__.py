"""Getting the raw transaction file: find it, download it, convert it or synthesise it.

Everything here runs before dbt: the CLI calls :func:`resolve_raw_file`, and dbt's staging
model reads the file it returns (DuckDB ``read_parquet`` / ``read_csv``). Functions are pure
apart from the files they are asked to write, and know nothing of dbt.
"""

from segmentation.ingest.download import UCI_URL, DownloadError, download_uci
from segmentation.ingest.excel import excel_to_parquet
from segmentation.ingest.layout import (
    CSV_DELIMITERS,
    RawFileLayout,
    check_csv_layout,
    check_layout,
    detect_csv_delimiter,
    require_rows,
)
from segmentation.ingest.resolve import ResolvedRawFile, resolve_raw_file, synthetic_banner
from segmentation.ingest.schema import (
    SUPPORTED_SUFFIXES,
    RawFileError,
    detect_csv_encoding,
    detect_schema,
    match_columns,
    published_schemas,
    raw_column_aliases,
    read_header,
)

__all__ = [
    "CSV_DELIMITERS",
    "SUPPORTED_SUFFIXES",
    "UCI_URL",
    "DownloadError",
    "RawFileError",
    "RawFileLayout",
    "ResolvedRawFile",
    "check_csv_layout",
    "check_layout",
    "detect_csv_delimiter",
    "detect_csv_encoding",
    "detect_schema",
    "download_uci",
    "excel_to_parquet",
    "match_columns",
    "published_schemas",
    "raw_column_aliases",
    "read_header",
    "require_rows",
    "resolve_raw_file",
    "synthetic_banner",
]
