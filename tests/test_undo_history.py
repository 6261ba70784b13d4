"""Undo history is bounded by the undo_keep setting (last N imports or N days): the rows older imports
replaced are deleted, so identical re-imports stop growing the database, and those imports say they
can no longer be undone."""
from __future__ import annotations

import pytest

from fullfunnel import cli, settings
from fullfunnel.importing import ImportRefused, import_bytes, undo

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")
SPEND = "date,channel,spend\n" + "".join(f"2026-05-{d:02d},seo,{d}\n" for d in range(1, 11))   # 10 rows


def archived(dbf) -> list[tuple]:
    return q(dbf, "select replaced_by, count(*) from archive_spend group by 1 order by 1")


def test_last_n_imports_keep_their_replaced_rows(dbf):
    settings.set_value("undo_keep", "2", dbf)   # creates the database, no import yet
    ids = [import_bytes(SPEND.encode(), "s.csv", db_file=dbf).import_id for _ in range(5)]
    # each re-import replaces the 10 rows; only the last two imports keep what they replaced
    assert archived(dbf) == [(ids[3], 10), (ids[4], 10)]
    with pytest.raises(ImportRefused, match=f"Import #{ids[2]} is older than the undo history keeps"):
        undo(ids[2], dbf)
    assert undo(ids[4], dbf) == {"spend": (10, 10)}
    assert q(dbf, "select count(*), min(import_id) from spend") == [(10, ids[3])]


def test_default_keeps_the_last_20_imports(dbf):
    ids = [import_bytes(SPEND.encode(), "s.csv", db_file=dbf).import_id for _ in range(22)]
    got = archived(dbf)
    assert [r[0] for r in got] == ids[2:] and {r[1] for r in got} == {10}


def test_days_window(dbf):
    settings.set_value("undo_keep", "30 days", dbf)
    assert settings.read(dbf)["undo_keep"] == "30d"
    a = import_bytes(SPEND.encode(), "s.csv", db_file=dbf).import_id
    b = import_bytes(SPEND.encode(), "s.csv", db_file=dbf).import_id
    import duckdb

    con = duckdb.connect(str(dbf))   # pretend the first two imports were 40 days ago
    con.execute("update import_log set imported_at = imported_at - interval 40 day where import_id <= ?", [b])
    con.close()
    c = import_bytes(SPEND.encode(), "s.csv", db_file=dbf).import_id
    assert archived(dbf) == [(c, 10)]   # b's replaced rows went with b's window
    with pytest.raises(ImportRefused, match="older than the undo history"):
        undo(b, dbf)
    assert a < b


@pytest.mark.parametrize("value", ["0", "-3", "ten", "5 weeks"])
def test_bad_undo_keep_is_refused(dbf, capsys, value):
    assert cli.main(["settings", "set", "undo_keep", value, "--db", str(dbf)]) == 1
    assert "is neither a number of imports such as 20 nor a number of days such as 30d" in capsys.readouterr().err
