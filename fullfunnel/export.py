"""Tables users download (CSV, XLSX) made safe to open in Excel or Google Sheets.

Names in the tables come from imported files: a campaign called `=HYPERLINK("http://…")` or
`+cmd|' /C calc'!A0` must stay text, never become a formula. In CSV such a cell gets a leading
apostrophe (what Excel itself shows for text typed that way); in XLSX it is stored as text.
"""
from __future__ import annotations

import io
import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d\s\u00a0.,]*%?")


def cell(v):
    """One CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(v, str) and len(v) > 1 and v.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v):
        return "'" + v
    return v


def uncell(v: str) -> str:
    """The text `cell` wrote (reading back a file fullfunnel exported)."""
    if len(v) > 2 and v.startswith("'") and v[1:].startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v[1:]):
        return v[1:]
    return v


def safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot become formulas (numeric columns are left as they are)."""
    out = df.copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_datetime64_any_dtype(out[c])):
            out[c] = out[c].map(cell)
    out.columns = [cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, **kw) -> bytes:
    """The table as CSV, UTF-8 with BOM (so Excel opens Cyrillic right), formula-safe."""
    return safe(df).to_csv(index=False, **kw).encode("utf-8-sig")


def text_only(sheet) -> None:
    """Cells of an openpyxl sheet that openpyxl took for formulas (text starting with '=') become text."""
    for row in sheet.iter_rows():
        for c in row:
            if c.data_type == "f":
                c.data_type = "s"


def xlsx_bytes(df: pd.DataFrame, sheet_name: str = "Sheet1", fit: bool = True, freeze: str | None = None) -> bytes:
    """The table as an XLSX workbook; every text cell stays text."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.to_excel(xl, index=False, sheet_name=sheet_name)
        sheet = xl.sheets[sheet_name]
        text_only(sheet)
        if fit:
            for i, name in enumerate(df.columns, start=1):
                width = max([len(str(name))] + [len(str(v)) for v in df.iloc[:, i - 1].head(200)])
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = min(40, width + 2)
        if freeze:
            sheet.freeze_panes = freeze
    return buf.getvalue()
