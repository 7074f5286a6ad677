"""Validated bulk import of the input CSV kinds (formats in docs/data-formats.md).

`import_directory(engine, directory)` and `import_kind(engine, kind, path_or_file)` validate
everything first and raise `ImportValidationError` (with `.problems`, each printing as
`file:line:column: message`) without writing anything; a valid import is one transaction that
upserts on each kind's natural key.
"""

from storage.importing.formats import FORMATS, KINDS, ColumnFormat, KindFormat
from storage.importing.importer import (
    ImportReport,
    import_directory,
    import_kind,
    import_sources,
)
from storage.importing.problems import ImportValidationError, Problem
from storage.importing.reading import RawCsv, read_csv
from storage.importing.validation import ReferenceKeys, ValidatedFrame, validate_kind

__all__ = [
    "FORMATS",
    "KINDS",
    "ColumnFormat",
    "ImportReport",
    "ImportValidationError",
    "KindFormat",
    "Problem",
    "RawCsv",
    "ReferenceKeys",
    "ValidatedFrame",
    "import_directory",
    "import_kind",
    "import_sources",
    "read_csv",
    "validate_kind",
]
