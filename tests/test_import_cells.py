"""Cells read the same whichever way the file is read: spaces of every kind stripped, ISO timestamps in
the business zone, offsets and Unix seconds as instants, impossible dates rejected with their line."""
from __future__ import annotations

import datetime as dt

import pytest

from fullfunnel.importing import import_file, read

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")

HEADER = "session_id,visitor_id,started_at,pageviews,duration_s,source,medium,campaign,landing_page,converted\n"
ROWS = [
    # Unicode spaces around ids and labels (no-break, thin, ideographic) are not part of the value
    " S1\u00a0,V1,2026-05-01 10:00:00,1,30, yandex ,cpc\u2009,Весна\u3000,/a,1",
    "S2,V1,2026-05-01 10:00:00+05,1,30,google,cpc,brand,/a,0",       # an offset: that instant
    "S3,V2,2026-05-01T10:00:00,2,40,google,cpc,\u3000,/b,0",          # T between date and time
    "S4,V2,1777777777,2,40,google,cpc,brand,/b,0",                    # Unix seconds
    "S5,V3,0026-05-01 10:00:00,1,5,google,cpc,brand,/b,0",            # ISO shape, year 26: too far
    "S6,V3,2026-02-30 10:00:00,1,5,google,cpc,brand,/b,0",            # ISO shape, no such day
    "S7,V3,01.05.2026 10:00,1,5,google,cpc,brand,/b,0",               # dotted, day first
]


@pytest.mark.parametrize("fast", [False, True], ids=["python-reader", "duckdb-reader"])
def test_cells_are_read_the_same_by_both_readers(tmp_path, monkeypatch, fast):
    monkeypatch.setattr(read, "FAST_MIN_BYTES", 0 if fast else 10**12)
    p = tmp_path / "sessions.csv"
    p.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    dbf = tmp_path / "ff.duckdb"
    res = import_file(p, db_file=dbf)

    assert res.added == 5 and res.rejected == 2
    assert [(r.line, r.column, r.code) for r in res.rejects] == [
        (6, "started_at", "far"), (7, "started_at", "date")]
    got = q(dbf, "select session_id, strftime(timezone('UTC', started_at), '%Y-%m-%d %H:%M:%S'), source, medium, "
                 "campaign from sessions order by session_id")
    unix = dt.datetime.fromtimestamp(1777777777, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    assert got == [   # UTC: Moscow is 3 hours ahead
        ("S1", "2026-05-01 07:00:00", "yandex", "cpc", "Весна"),
        ("S2", "2026-05-01 05:00:00", "google", "cpc", "brand"),
        ("S3", "2026-05-01 07:00:00", "google", "cpc", None),
        ("S4", unix, "google", "cpc", "brand"),
        ("S7", "2026-05-01 07:00:00", "google", "cpc", "brand"),
    ]
