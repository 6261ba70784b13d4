"""Importing exports from CRMs, ad cabinets and web analytics: read → recognise → check → write.

`import_file(path, ...)` / `import_bytes(data, name, ...)` import one file in one transaction;
`undo(import_id)` takes an import back. See README "Importing your data".
"""
from fullfunnel.importing.errors import ImportRefused
from fullfunnel.importing.load import ImportResult, import_bytes, import_file, import_files, undo

__all__ = ["ImportRefused", "ImportResult", "import_bytes", "import_file", "import_files", "undo"]
