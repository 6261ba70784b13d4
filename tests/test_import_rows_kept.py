"""No row is lost or moved without a word: a row is imported as written, or rejected with its line
and reason (and `--strict` refuses the file); only footer lines after the last table row are left
out, with a note. Dates are checked on the local calendar date, whatever the year's sign."""
from __future__ import annotations

import pytest

from fullfunnel import cli
from fullfunnel.importing import ImportRefused, import_bytes

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")

ORDERS = "order_id,ordered_at,client_id,product,revenue\n"
LEADS = "lead_id,created_at,channel,campaign,client_id\n"


def orders(dbf):
    return q(dbf, "select order_id, revenue::double from orders order by order_id")


def test_hash_first_cell_inside_the_table_does_not_end_it(dbf):
    data = ORDERS + ("1001,2026-03-01 10:00,C1,audit,100\n#1002,2026-03-01 11:00,C2,audit,200\n"
                     "1003,2026-03-01 12:00,C3,audit,300\n")
    res = import_bytes(data.encode(), "o.csv", db_file=dbf)
    assert (res.rows_read, res.added, res.rejected, res.notes) == (3, 3, 0, [])
    # shaped like the table's rows: imported as written
    assert orders(dbf) == [("#1002", 200.0), ("1001", 100.0), ("1003", 300.0)]


def test_comment_line_inside_the_table_is_a_rejected_row_and_strict_refuses(dbf, tmp_path, capsys):
    data = ORDERS + ("1001,2026-03-01 10:00,C1,audit,100\n# checked by Anna\n"
                     "1003,2026-03-01 12:00,C3,audit,300\n")
    res = import_bytes(data.encode(), "o.csv", db_file=dbf, dry_run=True)
    assert (res.rows_read, res.added, res.rejected) == (3, 2, 1)
    assert [r.text() for r in res.rejects] == [
        "line 3: '# checked by Anna' starts with # inside the table but is not shaped like its rows"]
    f = tmp_path / "o.csv"
    f.write_text(data)
    assert cli.main(["import", str(f), "--db", str(dbf), "--strict"]) == 1
    assert "--strict is on, so nothing was imported; first problem: line 3:" in capsys.readouterr().err
    assert not dbf.exists()


def test_blank_line_then_another_shape_does_not_drop_the_rows_below(dbf):
    data = ORDERS + ("1001,2026-03-01 10:00,C1,audit,100\n\nnote,see below\n"
                     "1003,2026-03-01 12:00,C3,audit,300\n1004,2026-03-01 13:00,C4,audit,400\n")
    res = import_bytes(data.encode(), "o.csv", db_file=dbf)
    assert (res.rows_read, res.added, res.rejected) == (4, 3, 1)
    assert {r.line for r in res.rejects} == {4}
    assert orders(dbf) == [("1001", 100.0), ("1003", 300.0), ("1004", 400.0)]


def test_footer_after_the_last_row_is_left_out_with_a_note(dbf):
    data = ORDERS + "1001,2026-03-01 10:00,C1,audit,100\n\n# exported by the shop\nGenerated 2026-03-02\n"
    res = import_bytes(data.encode(), "o.csv", db_file=dbf)
    assert (res.rows_read, res.added, res.rejected, res.notes) == (1, 1, 0, [("after", 2)])


def test_row_with_more_values_than_columns_is_rejected_not_shifted(dbf, tmp_path, capsys):
    data = LEADS + "R1,2026-03-01 10:00,seo,Sale, 2026,C1\nR2,2026-03-01 10:00,seo,Spring,C2\n"
    res = import_bytes(data.encode(), "l.csv", db_file=dbf)
    assert (res.added, res.rejected) == (1, 1)
    assert res.rejects[0].text() == ("line 2: the row has 6 values but the header has 5 columns "
                                     "(a stray delimiter or quote?); nothing of it was imported")
    assert q(dbf, "select lead_id, campaign from leads") == [("R2", "Spring")]
    f = tmp_path / "l.csv"
    f.write_text(data)
    assert cli.main(["import", str(f), "--db", str(tmp_path / "other.duckdb"), "--strict"]) == 1
    assert "the row has 6 values" in capsys.readouterr().err


@pytest.mark.parametrize("row, lines", [
    ('Q2,2026-03-01 10:00,seo,"Sale "big" one",C2\n', "Line 3"),        # nested quotes
    ('Q2,2026-03-01 10:00,seo,"unclosed,C2\n', "Lines 3–5"),            # swallows the rest of the file
])
def test_unbalanced_quotes_refuse_the_file_naming_the_lines(dbf, row, lines):
    data = LEADS + "Q1,2026-03-01 10:00,seo,a,C1\n" + row + "Q3,2026-03-01 10:00,seo,x,C3\nQ4,2026-03-01,seo,y,C4\n"
    with pytest.raises(ImportRefused) as e:
        import_bytes(data.encode(), "q.csv", db_file=dbf)
    assert str(e.value).startswith(f"{lines} of the file cannot be read as CSV: a quoted value is not closed")
    assert not dbf.exists()


def test_quoted_line_break_and_doubled_quotes_are_fine(dbf):
    data = LEADS + 'Q1,2026-03-01 10:00,seo,"two\nlines",C1\nQ2,2026-03-01 10:00,seo,"say ""hi""",C2\n'
    res = import_bytes(data.encode(), "q.csv", db_file=dbf)
    assert (res.added, res.rejected) == (2, 0)
    assert q(dbf, "select campaign from leads order by lead_id") == [("two\nlines",), ('say "hi"',)]


def test_dates_out_of_range_on_the_local_calendar(dbf):
    data = LEADS + ("R1,-2026-03-01,seo,bc,C1\nR2,2100-01-01,seo,future,C2\nR3,1970-01-01 00:00,seo,first,C3\n"
                    "R4,1969-12-31 23:59,seo,before,C4\nR5,2099-12-31 23:59,seo,last,C5\n")
    res = import_bytes(data.encode(), "l.csv", db_file=dbf)
    # Moscow is UTC+3: 1970-01-01 00:00 there is 1969 in UTC, 2100-01-01 00:00 is 2099 in UTC
    # a minus-signed year is no date at all; the others are dates outside the years fullfunnel keeps
    assert {(r.line, r.code) for r in res.rejects} == {(2, "date"), (3, "far"), (5, "far")}
    assert q(dbf, "select lead_id from leads order by 1") == [("R3",), ("R5",)]


def test_date_column_bc_and_far_years(dbf):
    data = "date,channel,spend\n-2026-03-01,seo,1\n20260-01-01,seo,1\n2026-03-01,seo,1\n"
    res = import_bytes(data.encode(), "s.csv", db_file=dbf)
    assert res.added == 1 and {r.line for r in res.rejects} == {2, 3}


def test_a_column_without_a_name_is_ignored_not_rejected(dbf):
    # every row has a sixth value: a column the header does not name (CSV), listed as ignored
    data = LEADS + "R1,2026-03-01 10:00,seo,a,C1,note 1\nR2,2026-03-01 10:00,seo,b,C2,note 2\n" \
                   "R3,2026-03-01 10:00,seo,c,C3,note 3\n"
    res = import_bytes(data.encode(), "l.csv", db_file=dbf)
    assert (res.added, res.rejected, res.ignored) == (3, 0, ["column_6"])


def test_sheet_value_right_of_the_header_is_an_unnamed_column(dbf):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    for r in (["lead_id", "created_at", "channel"], ["R1", "2026-03-01 10:00", "seo"],
              ["R2", "2026-03-01 11:00", "seo", None, "call back"]):
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    res = import_bytes(buf.getvalue(), "l.xlsx", db_file=dbf)
    assert (res.added, res.rejected, res.ignored) == (2, 0, ["column_5"])
