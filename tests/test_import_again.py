"""Importing a file imported before replaces everything the earlier import brought, whatever the mapping."""
from __future__ import annotations

import json

import pytest

from fullfunnel.importing import cli
from fullfunnel.importing import import_bytes, load, mapping

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")

# a daily visits file whose dashed dates a wrong reading puts in other months
VISITS = ("Day,Visits,Visitors\n09/29/2014,100,80\n09/30/2014,200,150\n"
          "10-01-2014,300,250\n10-02-2014,400,300\n").encode()
COLS = {"date": "Day", "sessions": "Visits", "visitors": "Visitors"}


def m(**kw):
    return mapping.loads(json.dumps({"kind": "traffic", "columns": COLS, **kw}))


def totals(dbf):
    return q(dbf, "select sum(sessions), count(*), min(date)::varchar, max(date)::varchar from traffic")[0]


def test_reimport_under_a_changed_mapping_replaces_all_the_earlier_rows(dbf):
    first = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="dmy"))
    # read day first: 09/29 and 09/30 are rejected, 10-01 and 10-02 become 10 and 10 February
    assert (first.added, first.rejected) == (2, 2)
    assert totals(dbf) == (700, 2, "2014-01-10", "2014-02-10")
    again = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="mdy"))
    assert again.previous_import == first.import_id
    assert (again.added, again.replaced, again.rejected) == (4, 0, 0)
    assert again.removed == {"traffic": 2}
    # 100 + 200 + 300 + 400, not 1700 with January and February still there
    assert totals(dbf) == (1000, 4, "2014-09-29", "2014-10-02")
    text = cli.summary(again)
    assert "import #1" in text and "2 row(s) of that import" in text and "taken out" in text

    load.undo(again.import_id, dbf)   # the re-import is undoable: the first reading comes back whole
    assert totals(dbf) == (700, 2, "2014-01-10", "2014-02-10")


def test_reimport_as_another_kind_takes_the_earlier_kind_out(dbf):
    sessions = mapping.loads(json.dumps({"kind": "sessions", "columns": {
        "session_id": "Day", "visitor_id": "Visitors", "started_at": "Day", "pageviews": "Visits",
        "duration_s": {"value": "0"}}, "date_order": "mdy"}))
    first = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=sessions)
    assert first.added == 4 and q(dbf, "select count(*) from sessions") == [(4,)]
    again = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="mdy"))
    assert again.removed == {"sessions": 4}
    assert q(dbf, "select count(*) from sessions") == [(0,)] and totals(dbf)[:2] == (1000, 4)
    load.undo(again.import_id, dbf)
    assert q(dbf, "select count(*) from sessions") == [(4,)] and q(dbf, "select count(*) from traffic") == [(0,)]


def test_the_same_file_and_mapping_again_replaces_row_for_row(dbf):
    first = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="mdy"))
    again = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="mdy"))
    assert (again.added, again.replaced, again.removed) == (0, 4, {})
    assert totals(dbf)[:2] == (1000, 4)
    assert "nothing is counted twice" in cli.summary(again) and "taken out" not in cli.summary(again)
    assert first.import_id != again.import_id


def test_a_dry_run_says_what_would_be_taken_out_and_changes_nothing(dbf):
    import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="dmy"))
    dry = import_bytes(VISITS, "visits.csv", db_file=dbf, mapping=m(date_order="mdy"), dry_run=True)
    assert dry.removed == {"traffic": 2} and "are taken out" in cli.summary(dry)
    assert totals(dbf) == (700, 2, "2014-01-10", "2014-02-10")
