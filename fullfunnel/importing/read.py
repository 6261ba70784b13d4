"""Bytes → a table of text cells: encoding, delimiter, title/comment/totals rows, XLSX.

Exports arrive as downloaded: UTF-16 from Google Ads, cp1251 from old Excel-minded CRMs, a BOM
from Yandex Metrica, report names above the header, totals rows below it. This module finds the
header and the data rows and remembers each row's line in the file, so rejects can point at it.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fullfunnel.importing.errors import ImportRefused

DELIMITERS = (",", ";", "\t", "|")
# first cell of a totals/footer row in the exports we know (Google Ads, Direct, Metrica, Salesforce, GA)
TOTALS = re.compile(
    r"^\s*(total\b|totals\b|grand total|total rows|итог|всего|confidential information|copyright|©)",
    re.IGNORECASE,
)
FAST_MIN_BYTES = 1 * 1024 * 1024   # plain UTF-8 files at least this big are read by DuckDB directly
# One value and one row may be this long (characters of CSV, bytes of a workbook's XML): a name or
# comment of megabytes is a broken or hostile file, and every page would have to carry it.
MAX_CELL = 2 * 1024 * 1024
MAX_ROW = 32 * 1024 * 1024
MAX_XML = 2 * 1024 * 1024 * 1024   # a workbook's XML parts together, unpacked
csv.field_size_limit(MAX_CELL + 2)   # + the quotes


@dataclass
class Table:
    """A file's header and rows of text; `lines[i]` is the file line (or sheet row) of `rows[i]`."""

    name: str
    header: list[str]
    rows: list[list[str]] | None = None
    lines: list[int] | None = None
    fast: dict | None = None          # {"path", "delimiter", "rows"}: DuckDB reads the file itself
    sample: list[list[str]] = field(default_factory=list)   # the first data rows, for detection
    encoding: str = ""
    delimiter: str = ""
    notes: list[tuple[str, int]] = field(default_factory=list)   # (code, count), see note_text
    bad: dict[int, str] = field(default_factory=dict)   # rows[i] that reading rejects: "column\tcode\tvalue"

    @property
    def n_rows(self) -> int:
        return self.fast["rows"] if self.fast else len(self.rows or [])

    def column_sample(self, i: int, n: int = 2000) -> list[str]:
        out = []
        for r in self.sample:
            v = r[i].strip() if i < len(r) else ""
            if v:
                out.append(v)
                if len(out) >= n:
                    break
        return out


NOTES = {
    "above": {"en": "skipped {n} line(s) above the header", "ru": "пропущено строк над заголовком: {n}"},
    "totals": {"en": "skipped {n} totals/footer row(s)", "ru": "пропущено строк итогов и подвала: {n}"},
    "after": {"en": "ignored {n} line(s) after the table", "ru": "пропущено строк после таблицы: {n}"},
}


def note_text(note: tuple[str, int], lang: str = "en") -> str:
    """What reading did to a file (title lines, totals rows skipped), in one language."""
    code, n = note
    return NOTES[code][lang].format(n=n)


def clean_header(name: str) -> str:
    return name.replace("\ufeff", "").replace("\u00a0", " ").strip().strip('"').strip()


def norm(name: str) -> str:
    """A header name for matching: lower case, single spaces."""
    return re.sub(r"\s+", " ", clean_header(name)).lower()


# ---------------------------------------------------------------- bytes → text


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    return bad / len(sample) > 0.01


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV/TSV file and the encoding it was in."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        enc = "utf-16"
    else:
        head = data[:4000]
        odd_zero = head[1::2].count(0)
        even_zero = head[0::2].count(0)
        if len(head) > 8 and odd_zero > len(head) / 4 and even_zero == 0:
            enc = "utf-16-le"
        elif len(head) > 8 and even_zero > len(head) / 4 and odd_zero == 0:
            enc = "utf-16-be"
        elif b"\x00" in data:
            _refuse_nul(data, name)
            raise ImportRefused(
                f"{name} is a binary file, not a table: save it as CSV, TSV or XLSX and import that.",
                ru=f"{name} — двоичный файл, а не таблица: сохраните его как CSV, TSV или XLSX и загрузите.",
            )
        elif data.startswith(b"\xef\xbb\xbf"):
            enc = "utf-8-sig"
        else:
            enc = "utf-8"
    try:
        text = data.decode(enc)
        if enc == "utf-8-sig" or enc.startswith("utf-16"):
            text = text.lstrip("\ufeff")
    except UnicodeDecodeError:
        if enc.startswith("utf-16"):
            raise ImportRefused(f"{name} claims to be UTF-16 text but cannot be read as such; "
                                "export it again or save it as UTF-8 CSV.",
                                ru=f"{name} помечен как текст UTF-16, но не читается как UTF-16; "
                                   "выгрузите его заново или сохраните как CSV в UTF-8.") from None
        damage = _utf8_damage(data)
        if damage is not None and damage[1]:
            _refuse_damaged(name, damage[2])
        text, enc = _decode_legacy(data, name, damage)
    if _looks_binary(text):
        raise ImportRefused(
            f"{name} is a binary file, not a table: save it as CSV, TSV or XLSX and import that.",
            ru=f"{name} — двоичный файл, а не таблица: сохраните его как CSV, TSV или XLSX и загрузите.",
        )
    return text, enc


def _refuse_nul(data: bytes, name: str) -> None:
    """A text file with a stray NUL byte or two (a damaged download): say on which line."""
    if data.count(b"\x00") > 10:
        return
    at = data.index(b"\x00")
    try:
        data[:at].decode("utf-8")
    except UnicodeDecodeError:
        return
    line = data.count(b"\n", 0, at) + 1
    raise ImportRefused(f"{name} has a NUL byte on line {line} (the file is damaged); "
                        "remove it or export the file again.",
                        ru=f"В {name} на строке {line} есть нулевой байт (файл повреждён); "
                           "удалите его или выгрузите файл заново.")


def _utf8_damage(data: bytes) -> tuple[int, bool, int] | None:
    """(damaged spots, whether valid UTF-8 letters surround them, first damaged line) of a file that is
    UTF-8 but for a few bad bytes; None when the bad bytes are too many for that (a legacy encoding)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if not bad or bad > 10:
        return None
    high = len(data) - len(data.translate(None, bytes(range(128, 256))))
    valid_letters = high > 4 * bad   # bytes of real multi-byte characters besides the damaged ones
    line = text.count("\n", 0, text.index("\ufffd")) + 1
    return bad, valid_letters, line


def _refuse_damaged(name: str, line: int) -> None:
    raise ImportRefused(f"{name} is UTF-8 text but line {line} has bytes that are not valid UTF-8 "
                        "(the file is damaged); fix that line or export the file again.",
                        ru=f"{name} — текст в UTF-8, но в строке {line} есть байты, недопустимые в UTF-8 "
                           "(файл повреждён); исправьте эту строку или выгрузите файл заново.")


def _decode_legacy(data: bytes, name: str, damage: tuple[int, bool, int] | None = None) -> tuple[str, str]:
    # Russian exports that are not UTF-8 are nearly always Windows-1251: prefer it when most
    # non-ASCII characters come out as Cyrillic letters, else ask charset-normalizer.
    try:
        text = data.decode("cp1251")
        non_ascii = [ch for ch in text[:200000] if ord(ch) > 127]
        cyr = sum(1 for ch in non_ascii if "\u0400" <= ch <= "\u04ff")
        if non_ascii and cyr / len(non_ascii) > 0.9:
            return text, "cp1251"
    except UnicodeDecodeError:
        pass
    if damage is not None:   # plain ASCII but for a few bad bytes: a damaged file, not an encoding
        _refuse_damaged(name, damage[2])
    from charset_normalizer import from_bytes

    best = from_bytes(data[:500000]).best()
    if best is None:
        raise ImportRefused(
            f"Could not work out the text encoding of {name}; save it as UTF-8 CSV and import that.",
            ru=f"Не удалось определить кодировку файла {name}; сохраните его как CSV в UTF-8 и загрузите.",
        )
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        raise ImportRefused(
            f"Could not work out the text encoding of {name}; save it as UTF-8 CSV and import that.",
            ru=f"Не удалось определить кодировку файла {name}; сохраните его как CSV в UTF-8 и загрузите.",
        ) from None


# ---------------------------------------------------------------- text → rows


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most sample lines into the same number (>1) of fields."""
    best, best_score = ",", (-1, 0)
    for d in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=d)]
        common = Counter(w for w in widths if w > 1).most_common(1)
        if not common:
            continue
        w, n = common[0]
        if (n, w) > best_score:
            best, best_score = d, (n, w)
    return best


def _header_index(rows: list[list[str]]) -> int:
    """The first row that is not a comment or a one-cell title: the header."""
    for i, r in enumerate(rows):
        cells = [c.strip() for c in r]
        if cells and cells[0].startswith("#"):
            continue
        if sum(1 for c in cells if c) >= 2:
            return i
    return -1


def _dedupe(names: list[str]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        k = seen[n.lower()]
        seen[n.lower()] += 1
        out.append(n if k == 0 else f"{n}.{k}")
    return out


def _is_totals(r: list[str]) -> bool:
    # only the first cell: that is where every export we know writes its totals / footer label
    return bool(r) and bool(TOTALS.match(r[0]))


def _blank(r: list[str]) -> bool:
    return not "".join(r).strip()


def build_table(name: str, raw_rows: list[list[str]], raw_lines: list[int], cells: bool = False) -> Table:
    """Find the header; keep data rows with their line numbers; drop totals and what follows the table.

    Nothing inside the table is dropped without a word: the table ends after its last row shaped
    like it (the header's number of fields, or the usual one), and only blank, comment (`#`) and
    footer lines after that are left out (with a note). A row with more values than the header has
    columns, or a `#` line of another shape inside the table, is kept as a rejected row (`bad`), so it
    is counted and named with its line, and `--strict` refuses the file. In a sheet (`cells`) there
    are no delimiters to stray: values right of the header are a column without a name (ignored, and
    listed as such), as they are in a CSV where most rows have them.
    """
    h = _header_index(raw_rows[:200])
    if h < 0:
        raise ImportRefused(f"{name} has no header row with column names; it does not look like a table.",
                            ru=f"В {name} нет строки заголовка с названиями колонок; это не похоже на таблицу.")
    header = [clean_header(c) for c in raw_rows[h]]
    while header and not header[-1]:
        header.pop()          # trailing empty columns
    width = len(header)
    notes = []
    if h > 0:
        notes.append(("above", h))
    n = len(raw_rows)
    counted = Counter(len(r) for r in raw_rows[h + 1:h + 2001]
                      if len(r) > 1 and not _blank(r) and not r[0].startswith("#"))
    usual = counted.most_common(1)
    shapes = {len(raw_rows[h]), width} | ({usual[0][0]} if usual else set())
    if cells:
        width = max([width] + [len(width_of(r)) for r in raw_rows[h + 1:]])
    elif usual and usual[0][0] > width and usual[0][1] * 2 > sum(counted.values()):
        width = max(width, max((len(width_of(r)) for r in raw_rows[h + 1:h + 2001] if len(r) == usual[0][0]),
                               default=width))
    header += [""] * (width - len(header))
    last = h   # the last row shaped like the table: nothing before it is "after the table"
    for k in range(n - 1, h, -1):
        r = raw_rows[k]
        if len(r) in shapes and not _blank(r) and not r[0].startswith("#") and not _is_totals(r):
            last = k
            break
    rows, lines, bad, totals, tail = [], [], {}, 0, 0
    ended = False
    for i in range(h + 1, n):
        r = raw_rows[i]
        if _blank(r):
            if i > last and rows:
                ended = True   # a blank line after the last table row: a footer may follow
            continue
        if _is_totals(r):
            totals += 1
            continue
        if i > last and (ended or r[0].startswith("#")):
            ended = True
            tail += 1
            continue
        extra = [c for c in r[width:] if c.strip()]
        if extra:
            bad[len(rows)] = f"\tfields\t{len(width_of(r))}/{width}"
        elif r[0].lstrip().startswith("#") and len(r) not in shapes:
            bad[len(rows)] = f"\tcomment\t{r[0].strip()[:60]}"
        rows.append(r[:width] + [""] * (width - len(r)))
        lines.append(raw_lines[i])
    if totals:
        notes.append(("totals", totals))
    if tail:
        notes.append(("after", tail))
    # drop columns that have neither a name nor any value
    keep = [k for k in range(width) if header[k] or any(r[k].strip() for r in rows)]
    header = [c or f"column_{k + 1}" for k, c in enumerate(header)]   # named by where they are in the file
    if len(keep) < width:
        header = [header[k] for k in keep]
        rows = [[r[k] for k in keep] for r in rows]
    t = Table(name=name, header=_dedupe(header), rows=rows, lines=lines, notes=notes, bad=bad)
    t.sample = [r for k, r in enumerate(rows[:2000]) if k not in bad]
    return t


def width_of(r: list[str]) -> list[str]:
    """A row without its trailing empty cells."""
    end = len(r)
    while end and not r[end - 1].strip():
        end -= 1
    return r[:end]


MAX_COLUMNS = 16_384   # what a spreadsheet holds (XFD); a wider "table" is a broken or hostile file


def _too_wide(n: int, line: int) -> None:
    raise ImportRefused(f"Line {line} of the file has {n:,} values, more than the {MAX_COLUMNS:,} columns a table "
                        "can have; check the delimiter or export the file again.",
                        ru=f"В строке {line} файла {n:,} значений — больше {MAX_COLUMNS:,} колонок, которые может "
                           "иметь таблица; проверьте разделитель или выгрузите файл заново.")


def _too_long(line: int, what: str, where: str = "") -> None:
    limit = (MAX_CELL if what == "value" else MAX_ROW) // (1024 * 1024)
    en_where = where or f"Line {line} of the file"
    ru_where = f"В {where}" if where else f"В строке {line} файла"
    check, check_ru = ("the sheet", "лист") if where else ("that line", "эту строку")
    if what == "value":
        raise ImportRefused(f"{en_where} has a value longer than {limit} MB, too long for any name or comment; "
                            f"check {check} or export the file again.",
                            ru=f"{ru_where} есть значение длиннее {limit} МБ — слишком длинно для названия или "
                               f"комментария; проверьте {check_ru} или выгрузите файл заново.")
    raise ImportRefused(f"{en_where} has a row longer than {limit} MB; check {check} or export the file again.",
                        ru=f"{ru_where} есть строка длиннее {limit} МБ; проверьте {check_ru} или выгрузите файл "
                           "заново.")


def _csv_rows(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    # strict: a quote that is not closed where a value ends (nested or unbalanced quotes) is an error,
    # not a value that silently swallows the next lines or a row whose values move to other columns
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, lines = [], []
    prev = 0
    try:
        for r in reader:
            if len(r) > MAX_COLUMNS:
                _too_wide(len(r), prev + 1)
            if sum(map(len, r)) > MAX_ROW:
                _too_long(prev + 1, "row")
            rows.append(r)
            lines.append(prev + 1)
            prev = reader.line_num
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            _too_long(prev + 1, "value")
        first, at = prev + 1, max(reader.line_num, prev + 1)
        where = f"Line {first}" if at == first else f"Lines {first}–{at}"
        where_ru = f"Строку {first}" if at == first else f"Строки {first}–{at}"
        if "expected after" in str(e) or "end of data" in str(e):
            raise ImportRefused(
                f"{where} of the file cannot be read as CSV: a quoted value is not closed where it should "
                "end (a quote inside a value must be doubled, \"\"); fix the quotes there or export the file again.",
                ru=f"{where_ru} файла не удалось прочитать как CSV: значение в кавычках не закрыто там, где "
                   "должно кончаться (кавычка внутри значения пишется дважды, \"\"); исправьте кавычки "
                   "или выгрузите файл заново.") from None
        raise ImportRefused(f"{where} of the file cannot be read as CSV ({e}).",
                            ru=f"{where_ru} файла не удалось прочитать как CSV ({e}).") from None
    return rows, lines


def _try_fast(data: bytes, name: str, path: Path) -> Table | None:
    """A big plain UTF-8 CSV with the header on line 1 and nothing below the table: DuckDB reads it.

    Checked on the bytes (head, tail, blank lines) so the file is never decoded in Python;
    load.py still verifies that DuckDB found exactly one row per line, else reads it the slow way.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data_head = data[3:1_000_003]
    else:
        data_head = data[:1_000_000]
    if b"\x00" in data:   # a stray NUL anywhere: the exact reader says on which line
        return None
    cut = data_head.rfind(b"\n")
    try:
        head = data_head[: cut if cut > 0 else len(data_head)].decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = head.splitlines()
    if not lines or lines[0].startswith("#"):
        return None
    delimiter = sniff_delimiter([ln for ln in lines[:60] if ln.strip()])
    rows, nums = _csv_rows("\n".join(lines[:2000]), delimiter)
    t = build_table(name, rows, nums)
    if t.notes or _header_index(rows) != 0:
        return None
    tail_text = data[-20000:].decode("utf-8", errors="ignore")
    tail = [ln for ln in tail_text.splitlines() if ln.strip()][-5:]
    if any(_is_totals(r) or (r and r[0].startswith("#")) for r in csv.reader(tail, delimiter=delimiter)):
        return None
    # Lines = newlines, less the empty lines at the very end. Blank lines inside or quoted line breaks
    # make DuckDB's row count smaller than this; load.py then keeps DuckDB's count and finds the real
    # lines of the rejected rows only.
    end = len(data)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    n_lines = data.count(b"\n", 0, end) + 1
    t.fast = {"path": str(path), "delimiter": delimiter, "rows": n_lines - 1}
    t.rows, t.lines = None, None
    t.encoding, t.delimiter = "utf-8", delimiter
    return t


def read_bytes(data: bytes, name: str, path: Path | None = None) -> Table:
    """Read an uploaded or local file (CSV, TSV, XLSX/XLS) into a Table; refuse with a sentence."""
    if len(data) < 65536 and not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportRefused(f"{name} is empty: there is nothing to import.",
                            ru=f"{name} пуст: загружать нечего.")
    if (data[:4] == b"PK\x03\x04" and not name.lower().endswith((".xlsx", ".xlsm", ".xls"))
            and b"xl/" not in data[:65536] and b"[Content_Types].xml" not in data[:65536]):
        raise ImportRefused(f"{name} is a ZIP archive, not a table: unpack it and import the CSV or XLSX inside.",
                            ru=f"{name} — ZIP-архив, а не таблица: распакуйте его и загрузите CSV или XLSX из него.")
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return read_excel(data, name)
    if data[:5] == b"%PDF-":
        raise ImportRefused(f"{name} is a PDF, not a table: export the report as CSV or XLSX instead.",
                            ru=f"{name} — это PDF, а не таблица: выгрузите отчёт в CSV или XLSX.")
    if path is not None and len(data) >= FAST_MIN_BYTES:
        fast = _try_fast(data, name, path)
        if fast is not None:
            return fast
    text, enc = decode(data, name)
    if not text.strip():
        raise ImportRefused(f"{name} is empty: there is nothing to import.",
                            ru=f"{name} пуст: загружать нечего.")
    head_lines = [ln for ln in text[:200000].splitlines()[:60] if ln.strip() and not ln.startswith("#")]
    delimiter = sniff_delimiter(head_lines)
    rows, lines = _csv_rows(text, delimiter)
    t = build_table(name, rows, lines)
    t.encoding, t.delimiter = enc, delimiter
    return t


def _cell(v) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v)


MAX_SHEET_SPAN = 20_000_000   # rows × columns a sheet may span: the reader allocates every cell in it
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_sheet_span(data: bytes, name: str) -> None:
    """Refuse an XLSX whose sheets reach far-away cells (a stray value at row 200 000, column BXX):
    reading it would take gigabytes for a few cells. Scans each sheet's XML as a stream."""
    import zipfile

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        sheets = [i for i in z.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
    except (zipfile.BadZipFile, OSError, ValueError):
        return   # read_excel says it cannot be opened
    for info in sheets:
        max_row = max_col = 0
        try:
            with z.open(info) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    buf = tail + chunk
                    for m in _CELL_REF.finditer(buf):
                        max_col = max(max_col, _col_number(m.group(1)))
                        max_row = max(max_row, int(m.group(2)))
                    tail = buf[-200:]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
        if max_row * max_col > MAX_SHEET_SPAN:
            col, n = "", max_col
            while n:
                n, r = divmod(n - 1, 26)
                col = chr(65 + r) + col
            sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
            raise ImportRefused(
                f"{name} has cells as far out as {col}{max_row} ({sheet}); delete the stray cells outside "
                "the table or save the sheet as CSV.",
                ru=f"В {name} заполнены ячейки вплоть до {col}{max_row} ({sheet}); удалите лишние ячейки "
                   "вне таблицы или сохраните лист как CSV.")


def check_expansion(data: bytes, name: str) -> None:
    """Refuse a workbook that unpacks into huge values (1 MB of ZIP holding a 1 GB string) before any
    reader expands it: its XML parts are unpacked as a stream and the longest text between two tags,
    the longest sheet row and the total are checked on the way, stopping at the first one too big."""
    import zipfile

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        parts = [i for i in z.infolist() if i.filename.lower().endswith((".xml", ".rels", ".vml"))]
    except (zipfile.BadZipFile, OSError, ValueError):
        return   # read_excel says it cannot be opened
    total = 0
    for info in parts:
        sheet = info.filename.startswith("xl/worksheets/")
        gap = row = 0   # bytes since the last '<' and since the last '<row'
        try:
            with z.open(info) as f:
                while chunk := f.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_XML:
                        raise ImportRefused(
                            f"{name} unpacks into more than {MAX_XML >> 30} GB of sheet data; save it as CSV or "
                            "split it.",
                            ru=f"{name} распаковывается в более чем {MAX_XML >> 30} ГБ данных листов; сохраните "
                               "его как CSV или разбейте на части.")
                    pieces = chunk.split(b"<")
                    longest = max(gap + len(pieces[0]), max(map(len, pieces[1:]), default=0))
                    gap = len(pieces[-1]) if len(pieces) > 1 else gap + len(chunk)
                    if longest > MAX_CELL:
                        _too_long(0, "value", f"{name} ({info.filename})")
                    if sheet:
                        rows = chunk.split(b"<row")
                        if max(row + len(rows[0]), max(map(len, rows[1:]), default=0)) > MAX_ROW:
                            _too_long(0, "row", f"{name} ({info.filename})")
                        row = len(rows[-1]) if len(rows) > 1 else row + len(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return


def read_excel(data: bytes, name: str) -> Table:
    """The first non-empty sheet of an XLSX/XLS workbook; row numbers are the sheet's."""
    import pandas as pd

    if data[:4] == b"PK\x03\x04":
        check_sheet_span(data, name)
        check_expansion(data, name)

    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="calamine", dtype=object)
    except Exception:
        raise ImportRefused(
            f"{name} cannot be opened as an Excel workbook; save it again as XLSX or CSV.",
            ru=f"{name} не открывается как книга Excel; сохраните его заново как XLSX или CSV.",
        ) from None
    for frame in sheets.values():
        rows = [[_cell(v) for v in r] for r in frame.itertuples(index=False)]
        if sum(1 for r in rows if any(c.strip() for c in r)) >= 2:
            t = build_table(name, rows, list(range(1, len(rows) + 1)), cells=True)
            t.encoding, t.delimiter = "xlsx", ""
            return t
    raise ImportRefused(f"{name} is empty: no sheet in the workbook has a table.",
                        ru=f"{name} пуст: ни на одном листе книги нет таблицы.")
