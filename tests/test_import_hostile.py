"""Files users can throw at the importer: each imports right or is refused with one sentence saying
where, and a refused file leaves the database byte for byte as it was. Also the CLI's answers to a
bad database path and the formula-safe downloads."""
from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from fullfunnel import cli, export
from fullfunnel.importing import ImportRefused, import_bytes, import_file, read
from fullfunnel.importing import channels

from conftest import q

HEAD = "date,channel,spend,campaign\n"
OK = HEAD + "2026-05-01,seo,100,c1\n"
ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("moscow_tz")


@pytest.fixture
def dbf(tmp_path):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK.encode(), "ok.csv", db_file=p)
    return p


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def refused(dbf, data: bytes, name: str, path=None) -> str:
    """The sentence a refused file gets; the database must not change."""
    before = sha(dbf)
    with pytest.raises(ImportRefused) as e:
        import_bytes(data, name, path, db_file=dbf)
    assert sha(dbf) == before
    text = str(e.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def spend(dbf):
    return q(dbf, "select date::varchar, channel, spend::double, campaign from spend order by date, campaign")


# ---------------------------------------------------------------- refused, with where


@pytest.mark.parametrize("data, name, words", [
    (b"", "empty.csv", "is empty"),
    (HEAD.encode(), "head.csv", "no data rows"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "pic.csv", "binary file"),
    (b"%PDF-1.4\n" + bytes(range(256)) * 8, "doc.csv", "PDF"),
])
def test_not_a_table_is_refused(dbf, data, name, words):
    assert words in refused(dbf, data, name)


def test_zip_renamed_to_csv_says_zip(dbf):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("report.csv", OK)
    assert "ZIP archive" in refused(dbf, buf.getvalue(), "report.csv")


def test_broken_utf8_in_the_middle_names_the_line(dbf):
    rows = [f"2026-05-{i % 28 + 1:02d},seo,{i},кампания {i}\n" for i in range(2000)]
    data = (HEAD + "".join(rows[:999])).encode() + b"2026-05-01,seo,1,\xff\xfe\n" + "".join(rows[999:]).encode()
    text = refused(dbf, data, "crm.csv")
    assert "line 1001" in text and "not valid UTF-8" in text


def test_windows_1251_file_is_still_read_as_such(dbf):
    """Not "broken UTF-8": a legacy Russian export, every Cyrillic byte invalid as UTF-8."""
    data = (HEAD + "2026-05-01,seo,1,a\n" * 50 + "2026-05-02,сео,1,Москва\n").encode("cp1251")
    assert import_bytes(data, "old.csv", db_file=dbf).added == 2
    assert ("2026-05-02", "сео", 1.0, "Москва") in spend(dbf)


def test_nul_byte_names_the_line(dbf):
    data = (HEAD + "2026-05-01,seo,1,a\n2026-05-02,se\x00o,1,b\n").encode()
    assert "NUL byte on line 3" in refused(dbf, data, "x.csv")


def test_nul_byte_far_into_the_file_names_the_line(dbf):
    data = (HEAD + "2026-05-01,seo,1,a\n" * 20_000 + "2026-05-02,seo,1,b\x00\n").encode()
    assert len(data) > 300_000
    assert "NUL byte on line 20002" in refused(dbf, data, "x.csv")


def test_big_file_bad_bytes_on_the_last_line(dbf, tmp_path):
    """A file big enough for DuckDB's own reader, broken on its very last line (≈4.7 MB, a second or two)."""
    body = "".join(f"2026-05-{i % 28 + 1:02d},seo,{i % 1000},c{i}\n" for i in range(180_000))
    data = (HEAD + body).encode() + b"2026-05-01,seo,1,\xff\xfe\n"
    p = tmp_path / "big.csv"
    p.write_bytes(data)
    assert len(data) >= read.FAST_MIN_BYTES
    before = sha(dbf)
    with pytest.raises(ImportRefused, match="line 180002"):
        import_file(p, db_file=dbf)
    assert sha(dbf) == before


def test_big_file_reject_on_the_last_line_has_its_real_line(dbf, tmp_path):
    body = "".join(f"2026-05-{i % 28 + 1:02d},seo,{i % 1000},c{i}\n" for i in range(180_000))
    p = tmp_path / "big.csv"
    p.write_bytes((HEAD + body + "2026-13-45,seo,1,last\n").encode())
    assert p.stat().st_size >= read.FAST_MIN_BYTES
    res = import_file(p, db_file=dbf)
    assert res.rejected == 1
    assert (res.rejects[0].line, res.rejects[0].column) == (180_002, "date")


# ---------------------------------------------------------------- imported right


def test_excel_named_csv_and_csv_named_xlsx_import(dbf):
    wb = openpyxl.Workbook()
    for r in (["date", "channel", "spend", "campaign"], ["2026-05-02", "vk", 7, "x"]):
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    assert import_bytes(buf.getvalue(), "really.csv", db_file=dbf).added == 1
    assert import_bytes((HEAD + "2026-05-03,vk,8,y\n").encode(), "really.xlsx", db_file=dbf).added == 1
    assert [r for r in spend(dbf) if r[1] == "vk"] == [("2026-05-02", "vk", 7.0, "x"), ("2026-05-03", "vk", 8.0, "y")]


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(dbf, enc):
    import_bytes((HEAD + "2026-05-02,сео,5,кампания\n").encode(enc), "u16.csv", db_file=dbf)
    assert ("2026-05-02", "сео", 5.0, "кампания") in spend(dbf)


def test_mixed_line_endings(dbf):
    data = b"date,channel,spend,campaign\r\n2026-05-02,seo,1,a\n2026-05-03,seo,2,b\r2026-05-04,seo,3,c\r\n"
    assert import_bytes(data, "eol.csv", db_file=dbf).added == 3


def test_megabyte_cell_and_ten_thousand_columns(dbf):
    long = "x" * (1 << 20)
    import_bytes((HEAD + f"2026-05-02,seo,1,{long}\n").encode(), "long.csv", db_file=dbf)
    assert ("2026-05-02", "seo", 1.0, long) in spend(dbf)
    wide = HEAD.strip() + "," + ",".join(f"x{i}" for i in range(10_000)) + "\n2026-05-03,seo,2,w" + "," * 10_000 + "\n"
    res = import_bytes(wide.encode(), "wide.csv", db_file=dbf)
    assert res.added == 1 and len(res.ignored) == 10_000


def test_duplicate_headers_use_the_first_and_report_the_other(dbf):
    res = import_bytes(b"date,channel,spend,spend,campaign\n2026-05-02,seo,100,200,c\n", "dup.csv", db_file=dbf)
    assert res.ignored == ["spend.1"]
    assert ("2026-05-02", "seo", 100.0, "c") in spend(dbf)


def test_formulas_and_markup_are_stored_as_text(dbf):
    names = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "<script>alert(1)</script>", "[a](http://e) :red[x] $x$"]
    body = "".join(f'2026-05-02,seo,1,"{n.replace(chr(34), chr(34) * 2)}"\n' for n in names)
    import_bytes((HEAD + body).encode(), "f.csv", db_file=dbf)
    assert sorted(r[3] for r in spend(dbf) if r[0] == "2026-05-02") == sorted(names)


def test_placeholder_and_impossible_dates_are_rejected_with_line(dbf):
    data = HEAD + ("31.02.2026,seo,1,a\n0000-00-00,seo,1,b\n1899-12-30,seo,1,c\n9999-12-31,seo,1,d\n"
                   "2026-05-02,seo,1,e\n")
    res = import_bytes(data.encode(), "d.csv", db_file=dbf)
    assert res.added == 1
    got = {(r.line, r.code) for r in res.rejects}
    assert got == {(2, "date"), (3, "date"), (4, "far"), (5, "far")}
    assert "is not between 1970 and 2099" in res.rejects[2].text()


def test_timestamp_with_a_space_before_the_offset(dbf):
    import_bytes(b"lead_id,created_at\nL1,2026-05-01 10:00:00 +03:00\n", "l.csv", db_file=dbf)
    got = q(dbf, "select (created_at at time zone 'UTC')::varchar from leads")
    assert got == [("2026-05-01 07:00:00",)]


def test_amounts(dbf):
    data = HEAD + ('2026-05-02,seo,1e308,a\n2026-05-02,seo,NaN,b\n2026-05-02,seo,-0,c\n'
                   '2026-05-02,seo,-5,d\n2026-05-02,seo,inf,e\n2026-05-02,seo,100000000000000000000,f\n')
    res = import_bytes(data.encode(), "a.csv", db_file=dbf)
    assert {(r.line, r.code) for r in res.rejects} == {(2, "number"), (3, "number"), (5, "negative"), (6, "number"),
                                                       (7, "big")}
    assert res.rejects[-1].text() == ("line 7, column spend: '100000000000000000000' is too big to be a real "
                                      "amount or count")
    assert ("2026-05-02", "seo", 0.0, "c") in spend(dbf)


def test_roubles_with_spaces_decimal_comma_and_suffix(dbf):
    data = HEAD + '2026-05-02,seo,"1 234,56 руб.",a\n2026-05-03,seo,"12,5 руб.",b\n'
    assert import_bytes(data.encode(), "rub.csv", db_file=dbf).rejected == 0
    assert [r[2] for r in spend(dbf) if r[0] > "2026-05-01"] == [1234.56, 12.5]


def test_same_checksum_again_is_noted_and_not_counted_twice(dbf):
    res = import_bytes(OK.encode(), "copy-of-ok.csv", db_file=dbf)
    assert res.previous_import == 1 and (res.added, res.replaced) == (0, 1)
    assert spend(dbf) == [("2026-05-01", "seo", 100.0, "c1")]


# ---------------------------------------------------------------- a database path that is not one


def run_cli(args, capsys):
    code = cli.main(args)
    return code, capsys.readouterr().err


def test_cli_refuses_a_text_file_as_database(tmp_path, capsys):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("hello\n")
    ok = tmp_path / "ok.csv"
    ok.write_text(OK)
    for args in (["report", "kpis", "--db", str(bad)], ["import", str(ok), "--db", str(bad)]):
        code, err = run_cli(args, capsys)
        assert code == 1 and err.startswith("error: ") and "is not a fullfunnel database" in err
        assert err.count("\n") == 1
    assert bad.read_text() == "hello\n"


def test_cli_refuses_a_folder_as_database(tmp_path, capsys):
    code, err = run_cli(["report", "kpis", "--db", str(tmp_path)], capsys)
    assert code == 1 and "is a folder, not a database file" in err


def test_cli_cannot_write_under_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    ok = tmp_path / "ok.csv"
    ok.write_text(OK)
    code, err = run_cli(["import", str(ok), "--db", str(tmp_path / "file" / "ff.duckdb")], capsys)
    assert code == 1 and err.startswith("error: Cannot write the database")


def test_cli_bad_dates_and_unknown_channel(dbf, capsys):
    code, err = run_cli(["report", "kpis", "--db", str(dbf), "--from", "2026-13-01"], capsys)
    assert code == 1 and "--from date" in err
    code, err = run_cli(["report", "kpis", "--db", str(dbf), "--from", "2026-05-10", "--to", "2026-05-01"], capsys)
    assert code == 1 and "before it starts" in err
    code, err = run_cli(["report", "channels", "--db", str(dbf), "--channel", "nosuch"], capsys)
    assert code == 1 and err == "error: There is no channel nosuch in the data; known channels: seo.\n"
    code, _ = run_cli(["report", "channels", "--db", str(dbf), "--channel", "seo"], capsys)
    assert code == 0


def test_cli_no_traceback_through_python_m(tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("hello\n")
    p = subprocess.run([sys.executable, "-m", "fullfunnel", "report", "kpis", "--db", str(bad)],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "Traceback" not in p.stderr and p.stderr.startswith("error: ")


# ---------------------------------------------------------------- downloads stay text in spreadsheets


EVIL = pd.DataFrame({
    "campaign": ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "brand", "-", "-5"],
    "spend": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -7.0],
})


def test_csv_download_prefixes_formula_cells():
    back = pd.read_csv(io.BytesIO(export.csv_bytes(EVIL)), encoding="utf-8-sig", keep_default_na=False)
    assert back["campaign"].tolist() == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+cmd|' /C calc'!A0", "'-2+3",
                                         "'@SUM(A1)", "brand", "-", "-5"]
    assert back["spend"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -7.0]


def test_xlsx_download_keeps_formula_cells_as_text():
    from fullfunnel.reports import roi

    wb = openpyxl.load_workbook(io.BytesIO(roi.export(EVIL, "xlsx")))
    sheet = wb.active
    cells = [sheet.cell(row=i, column=1) for i in range(2, 9)]
    assert [c.value for c in cells] == EVIL["campaign"].tolist()
    assert all(c.data_type == "s" for c in cells)


def test_rules_csv_round_trip_keeps_formula_like_patterns():
    rules = pd.DataFrame([{"position": 10, "source_pattern": "=cmd", "medium_pattern": "*",
                           "campaign_pattern": "-x-", "channel": "@odd"}])
    text = channels.rules_csv(rules)
    assert "'=cmd" in text and "'@odd" in text
    back = channels.parse_rules(text.encode(), "rules.csv")
    assert back[["source_pattern", "campaign_pattern", "channel"]].iloc[0].tolist() == ["=cmd", "-x-", "@odd"]


# ---------------------------------------------------------------- mapping files


@pytest.mark.parametrize("text, words", [
    ("[" * 100_000 + "]" * 100_000, "nested far too deep"),
    ('{"outputs": "x"}', '"outputs" must be a list of objects'),
    ('{"kind": "spend", "columns": {"date": "Дата"}, "date_format": 5}', '"date_format" must be a text'),
])
def test_broken_mapping_files_get_one_sentence(tmp_path, capsys, text, words):
    m = tmp_path / "map.json"
    m.write_text(text)
    ok = tmp_path / "ok.csv"
    ok.write_text(OK)
    code, err = run_cli(["import", str(ok), "--mapping", str(m), "--db", str(tmp_path / "ff.duckdb")], capsys)
    assert code == 1 and words in err and err.count("\n") == 1
    assert not (tmp_path / "ff.duckdb").exists()


def test_mapping_file_that_is_not_utf8(tmp_path, capsys):
    m = tmp_path / "map.json"
    m.write_bytes(b"\xff\xfe{\x00")
    code, err = run_cli(["import", str(tmp_path / "x.csv"), "--mapping", str(m)], capsys)
    assert code == 1 and "is not a text file in UTF-8" in err


def test_currency_must_be_a_code(dbf):
    data = HEAD.strip() + ",currency\n" + ("2026-05-02,seo,1,a,руб.\n2026-05-02,seo,1,b,р\n"
                                          "2026-05-02,seo,1,c,usd\n2026-05-02,seo,1,d,**X**\n")
    res = import_bytes(data.encode(), "cur.csv", db_file=dbf)
    assert res.added == 3 and [(r.line, r.code, r.value) for r in res.rejects] == [(5, "currency", "**X**")]
    assert "is not a currency code such as RUB" in res.rejects[0].text()


def test_xlsx_with_a_stray_far_away_cell_is_refused_before_reading(dbf):
    """One value at BXX200000 would make the reader allocate 400 million cells."""
    wb = openpyxl.Workbook()
    for r in (["date", "channel", "spend", "campaign"], ["2026-05-02", "seo", 1, "a"]):
        wb.active.append(r)
    wb.active.cell(row=200_000, column=2000, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    text = refused(dbf, buf.getvalue(), "far.xlsx")
    assert text == ("far.xlsx has cells as far out as BXX200000 (sheet1); delete the stray cells outside "
                    "the table or save the sheet as CSV.")


def test_someone_elses_duckdb_file_is_left_alone(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("create table invoices (n int)")
    con.close()
    before = sha(other)
    ok = tmp_path / "ok.csv"
    ok.write_text(OK)
    for args in (["report", "kpis", "--db", str(other)], ["import", str(ok), "--db", str(other)]):
        code, err = run_cli(args, capsys)
        assert code == 1 and "is a DuckDB database but not a fullfunnel one" in err
    assert sha(other) == before


def test_header_only_rules_file_does_not_wipe_the_rules(dbf, tmp_path, capsys):
    rules = tmp_path / "rules.csv"
    rules.write_text("source,medium,campaign,channel\n")
    before = sha(dbf)
    code, err = run_cli(["rules", "import", str(rules), "--db", str(dbf)], capsys)
    assert code == 1 and "has a header but no rules" in err
    assert sha(dbf) == before
