"""Day or month first is decided from the whole column, a hint wins, an ambiguous column is refused."""
from __future__ import annotations

import json

import pytest

from fullfunnel.importing import ImportRefused, import_bytes, mapping

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")


def imp(dbf, text: str, **kw):
    return import_bytes(text.encode(), "traffic.csv", db_file=dbf, **kw)


def days(dbf) -> list[str]:
    return [d for (d,) in q(dbf, "select date::varchar from traffic order by 1")]


def test_excel_rewritten_dashes_follow_the_slash_dates_of_the_column(dbf):
    # month first, as written by a US export; Excel rewrote October with dashes, no day above 12 there
    text = "date,sessions,visitors\n9/14/2014,10,8\n9/30/2014,11,9\n10-01-2014,12,10\n10-02-2014,13,11\n"
    res = imp(dbf, text)
    assert res.rejected == 0
    assert days(dbf) == ["2014-09-14", "2014-09-30", "2014-10-01", "2014-10-02"]


def test_a_day_above_12_among_the_dashes_settles_the_whole_column_day_first(dbf):
    text = "date,sessions,visitors\n01/02/2026,1,1\n03-02-2026,1,1\n25-02-2026,1,1\n"
    assert imp(dbf, text).rejected == 0
    assert days(dbf) == ["2026-02-01", "2026-02-03", "2026-02-25"]


def test_consecutive_daily_rows_settle_an_otherwise_ambiguous_column(dbf):
    text = "date,sessions,visitors\n" + "".join(f"01/{d:02d}/2026,1,1\n" for d in range(1, 8))
    imp(dbf, text)
    assert days(dbf) == [f"2026-01-{d:02d}" for d in range(1, 8)]   # 1 … 7 January, not 1 January … 1 July


def test_a_weekday_column_settles_the_order(dbf):
    # 03/04/2026 is Wednesday 4 March or Friday 3 April; 05/06 and 07/08 likewise Wednesday or Friday
    text = "date,weekday,sessions,visitors\n03/04/2026,Wed,1,1\n05/06/2026,Wed,1,1\n07/08/2026,Wed,1,1\n"
    imp(dbf, text)
    assert days(dbf) == ["2026-03-04", "2026-05-06", "2026-07-08"]
    text = "date,день недели,sessions,visitors\n03/04/2026,пятница,1,1\n05/06/2026,пятница,1,1\n07/08/2026,пт,1,1\n"
    imp(dbf, text)
    assert days(dbf) == ["2026-03-04", "2026-04-03", "2026-05-06", "2026-06-05", "2026-07-08", "2026-08-07"]


def test_an_ambiguous_column_is_refused_naming_column_samples_and_key(dbf):
    text = "date,sessions,visitors\n03/04/2026,1,1\n05/06/2026,1,1\n"
    with pytest.raises(ImportRefused) as e:
        imp(dbf, text)
    msg = str(e.value)
    assert "'date'" in msg and "03/04/2026" in msg and "05/06/2026" in msg and '"date_order"' in msg
    assert "05/06/2026" in e.value.text("ru")
    assert not dbf.exists() or q(dbf, "select count(*) from traffic") == [(0,)]


@pytest.mark.parametrize("hint", [{"date_order": "mdy"}, {"date_format": "M/D/YYYY"}])
def test_a_mapping_hint_wins_and_works_for_dashed_dates_too(dbf, hint):
    m = mapping.parse_mapping({"kind": "traffic", "columns": {"date": "Day", "sessions": "Visits",
                                                               "visitors": "Visitors"}, **hint})
    # 13-01-2026 would say day first, and so would a guess; the user said month first: that row is refused
    text = "Day,Visits,Visitors\n9/14/2014,1,1\n10-01-2014,2,2\n10-02-2014,3,3\n13-01-2014,4,4\n"
    res = imp(dbf, text, mapping=m)
    assert days(dbf) == ["2014-09-14", "2014-10-01", "2014-10-02"]
    assert [(r.line, r.column) for r in res.rejects] == [(5, "date")]


def test_a_hint_settles_an_ambiguous_column(dbf):
    m = mapping.loads(json.dumps({"kind": "traffic", "columns": {"date": "date", "sessions": "sessions",
                                                                  "visitors": "visitors"}, "date_order": "dmy"}))
    imp(dbf, "date,sessions,visitors\n03/04/2026,1,1\n05/06/2026,1,1\n", mapping=m)
    assert days(dbf) == ["2026-04-03", "2026-06-05"]


def test_timestamps_with_times_are_decided_the_same_way(dbf):
    text = ("lead_id,created_at\nL1,9/14/2014 10:00\nL2,10-01-2014 11:30\n")
    import_bytes(text.encode(), "leads.csv", db_file=dbf)
    assert q(dbf, "select lead_id, timezone('Europe/Moscow', created_at)::varchar from leads order by 1") == [
        ("L1", "2014-09-14 10:00:00"), ("L2", "2014-10-01 11:30:00")]


def test_dotted_dates_stay_day_first_and_same_day_and_month_is_not_ambiguous(dbf):
    imp(dbf, "date,sessions,visitors\n03.04.2026,1,1\n05/05/2026,1,1\n")
    assert days(dbf) == ["2026-04-03", "2026-05-05"]


def test_the_command_line_settles_an_ambiguous_column(dbf, tmp_path, capsys):
    from fullfunnel import cli

    f = tmp_path / "visits.csv"
    f.write_text("date,sessions,visitors\n03/04/2026,1,1\n05-06-2026,1,1\n")
    assert cli.main(["import", str(f), "--db", str(dbf)]) == 1
    assert "date_order" in capsys.readouterr().err
    assert cli.main(["import", str(f), "--db", str(dbf), "--date-order", "mdy"]) == 0
    assert days(dbf) == ["2026-03-04", "2026-05-06"]


def test_an_ambiguous_column_follows_the_other_date_columns_of_the_file(dbf):
    # created_at has 9/29 (month first); closed_at alone would be ambiguous; one tool wrote both
    text = ("deal_id,created_at,stage,status,closed_at\nD1,9/29/2014,Won,won,10-02-2014\n"
            "D2,10-01-2014,Lost,lost,10-03-2014\n")
    import_bytes(text.encode(), "deals.csv", db_file=dbf)
    assert q(dbf, "select deal_id, timezone('Europe/Moscow', closed_at)::date::varchar from deals order by 1") == [
        ("D1", "2014-10-02"), ("D2", "2014-10-03")]
