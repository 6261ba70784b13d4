"""Small files that would expand or run for ever are refused early with one sentence: workbooks
unpacking into huge values, CSV values and rows beyond any real export, absurd widths, regular
expressions from a mapping file that do not compile or never finish. Big files with a quoted line
break keep DuckDB's fast reader. Every big file is generated here, never committed."""
from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import openpyxl
import pytest

from fullfunnel import cli
from fullfunnel.importing import ImportRefused, import_bytes, import_file, load, mapping, read

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")
HEAD = "date,channel,spend,campaign\n"
OK = HEAD + "2026-05-01,seo,100,c1\n"


@pytest.fixture
def dbf(tmp_path):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK.encode(), "ok.csv", db_file=p)
    return p


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def refused(dbf, data: bytes, name: str, **kw) -> str:
    before = sha(dbf)
    with pytest.raises(ImportRefused) as e:
        import_bytes(data, name, db_file=dbf, **kw)
    assert sha(dbf) == before
    assert "\n" not in str(e.value)
    return str(e.value)


def xlsx_with_a_long_name(mib: int) -> bytes:
    """A few-KB workbook whose one channel name unpacks to `mib` MiB (written as a stream)."""
    wb = openpyxl.Workbook()
    for r in (["date", "channel", "spend"], ["2026-05-02", "PLACEHOLDER", 1]):
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if b"PLACEHOLDER" in body:
                head, tail = body.split(b"PLACEHOLDER")
                with z.open(info.filename, "w", force_zip64=True) as f:
                    f.write(head)
                    for _ in range(mib):
                        f.write(b"a" * (1 << 20))
                    f.write(tail)
            else:
                z.writestr(info.filename, body)
    return out.getvalue()


def test_workbook_that_unpacks_into_a_huge_name_is_refused_before_reading(dbf):
    data = xlsx_with_a_long_name(64)
    assert len(data) < 200_000
    text = refused(dbf, data, "big-name.xlsx")
    assert text.startswith("big-name.xlsx (xl/") and text.endswith(
        ".xml) has a value longer than 2 MB, too long for any name or comment; check the sheet or export the "
        "file again.")
    with pytest.raises(ImportRefused):   # the Import page's preview reads the same way
        read.read_bytes(data, "big-name.xlsx")


def test_workbook_with_a_long_but_allowed_value_imports(dbf):
    res = import_bytes(xlsx_with_a_long_name(1), "ok.xlsx", db_file=dbf, kind="spend")
    assert res.added == 1
    assert q(dbf, "select length(channel) from spend where date = '2026-05-02'") == [(1 << 20,)]


def test_csv_value_over_the_limit_names_its_line(dbf):
    data = (OK + f"2026-05-02,seo,1,{'x' * (3 << 20)}\n").encode()
    assert refused(dbf, data, "long.csv") == (
        "Line 3 of the file has a value longer than 2 MB, too long for any name or comment; check that line "
        "or export the file again.")


def test_absurd_width_is_refused_at_its_first_line(dbf):
    wide = ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" * 100_000) + "\n"
    start = time.monotonic()
    text = refused(dbf, wide.encode(), "wide.csv")
    print(f"100 000 columns refused in {time.monotonic() - start:.2f} s")
    assert text.startswith("Line 1 of the file has 100,000 values, more than the 16,384 columns")


# ---------------------------------------------------------------- regular expressions in mapping files


def test_mapping_regex_that_does_not_compile_is_a_sentence(tmp_path, capsys):
    m = tmp_path / "map.json"
    m.write_text(json.dumps({"kind": "spend", "columns": {"date": "re:(", "channel": "c", "spend": "s"}}))
    ok = tmp_path / "ok.csv"
    ok.write_text("date,c,s\n2026-05-01,seo,1\n")
    assert cli.main(["import", str(ok), "--mapping", str(m), "--db", str(tmp_path / "ff.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: map.json: 're:(' is not a valid regular expression (missing )")
    assert err.count("\n") == 1 and not (tmp_path / "ff.duckdb").exists()


def test_mapping_regex_that_backtracks_for_ever_is_stopped(dbf):
    fmt = mapping.loads(json.dumps({"kind": "spend",
                                    "columns": {"date": "re:^(a|a)+$", "channel": "c", "spend": "s"}}))
    data = ("a" * 28 + "!,c,s\n2026-05-01,seo,1\n").encode()
    start = time.monotonic()
    text = refused(dbf, data, "slow.csv", mapping=fmt)
    took = time.monotonic() - start
    print(f"catastrophic pattern stopped after {took:.2f} s (bound {load.PATTERN_SECONDS} s)")
    assert text.startswith("The pattern 're:^(a|a)+$' takes too long to match the column names")


def test_mapping_regex_that_is_fine_still_finds_its_column(dbf):
    fmt = mapping.loads(json.dumps({"kind": "spend",
                                    "columns": {"date": "re:^дата|date$", "channel": "c", "spend": "re:^cost"}}))
    res = import_bytes("Дата визита,c,Cost (RUB)\n2026-05-03,seo,7\n".encode(), "m.csv", db_file=dbf, mapping=fmt)
    assert res.added == 1 and q(dbf, "select spend::double from spend where date = '2026-05-03'") == [(7.0,)]


# ---------------------------------------------------------------- the fast reader


def test_big_file_with_a_quoted_line_break_keeps_the_fast_reader(dbf, tmp_path, monkeypatch):
    """≈4.6 MB: row 3 has a campaign over two lines; the reject near the end keeps its real line."""
    body = [f"2026-05-{i % 28 + 1:02d},seo,{i % 1000},c{i}\n" for i in range(180_000)]
    body[1] = '2026-05-02,seo,123456,"two\nlines"\n'
    p = tmp_path / "big.csv"
    p.write_bytes((HEAD + "".join(body) + "2026-13-45,seo,1,last\n").encode())
    assert p.stat().st_size >= read.FAST_MIN_BYTES
    reads = []
    real = load.read_bytes
    monkeypatch.setattr(load, "read_bytes", lambda *a, **k: reads.append(a[2:]) or real(*a, **k))
    res = import_file(p, db_file=dbf)
    assert reads == [(p,)]   # read once, with the path: DuckDB's reader, no fall back to Python
    assert (res.rows_read, res.rejected) == (180_001, 1)
    assert (res.rejects[0].line, res.rejects[0].column) == (180_003, "date")
    assert q(dbf, "select campaign from spend where spend = 123456 and date = '2026-05-02'") == [("two\nlines",)]
