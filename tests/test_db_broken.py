"""A damaged database file, a full disk, impossible dates in the URL or on the command line, odd
mapping formats and a mangled schema version: each is one sentence, never a traceback, and the
database stays as it was. CSV reports are formula-safe like the page downloads; JSON stays exact."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import cli, db, rollups
from fullfunnel.importing import import_bytes, mapping

from conftest import q

ROOT = Path(__file__).resolve().parent.parent
OK = b"date,channel,spend,campaign\n2026-05-01,seo,100,c1\n"
pytestmark = pytest.mark.usefixtures("moscow_tz")


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> Path:
    """A real fullfunnel database with 200 000 leads with 4 KB flipped on disk at seven places across its middle."""
    p = tmp_path_factory.mktemp("broken") / "damaged.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'Europe/Moscow')")
        con.execute("insert into leads (lead_id, created_at, channel, campaign) select 'L' || i, "
                    "timestamptz '2026-11-01 10:00:00+03' + to_seconds(i % 86400), 'seo', md5(i::varchar) "
                    "from range(200000) r(i)")
    data = bytearray(p.read_bytes())
    for tenth in range(2, 9):   # the leads and the facts built from them both span the middle of the file
        at = len(data) * tenth // 10
        data[at:at + 4096] = bytes(b ^ 0x5A for b in data[at:at + 4096])
    p.write_bytes(bytes(data))
    return p


BROKEN = "is damaged (a block of it does not read back as written)"


def test_damaged_file_on_the_cli_is_a_sentence(damaged, capsys):
    code = cli.main(["report", "funnel-items", "--step", "leads", "--from", "2026-11-01", "--to", "2026-11-07",
                     "--db", str(damaged)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: The database ") and BROKEN in err and err.count("\n") == 1


def test_import_into_a_damaged_file_is_refused_and_leaves_it_alone(damaged, tmp_path, capsys):
    before = sha(damaged)
    f = tmp_path / "ok.csv"
    f.write_bytes(OK)
    assert cli.main(["import", str(f), "--db", str(damaged)]) == 1
    assert BROKEN in capsys.readouterr().err
    assert sha(damaged) == before
    assert not [x for x in damaged.parent.iterdir() if x.name.endswith((".tmp", ".wal"))]   # no copy left behind


def test_a_file_changed_behind_the_writers_back_is_read_through_again(tmp_path, monkeypatch):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK, "ok.csv", db_file=p)
    calls = []
    real = db.verify
    monkeypatch.setattr(db, "verify", lambda con, path="": calls.append(path) or real(con, path))
    import_bytes(OK, "ok.csv", db_file=p)
    assert calls == []   # the file is the one the last write made from a checked copy
    p.write_bytes(p.read_bytes())   # restored from a copy, or touched by a tool
    import_bytes(OK, "ok.csv", db_file=p)
    assert calls == [p]


def test_damaged_file_on_the_page_is_a_sentence(monkeypatch, damaged):
    monkeypatch.setenv("FULLFUNNEL_DB", str(damaged))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/funnel.py")
    at.query_params.update({"period": "custom", "from": "2026-11-01", "to": "2026-11-07"})
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert any("is damaged" in e.value and "does not read back as written" in e.value for e in at.error)


def test_disk_full_during_the_write_is_a_sentence_and_changes_nothing(tmp_path, monkeypatch):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK, "ok.csv", db_file=p)
    before = sha(p)

    def full(con):
        raise duckdb.IOException('IO Error: Could not write file "x.tmp": No space left on device')

    monkeypatch.setattr(rollups, "refresh", full)
    with pytest.raises(db.DatabaseBroken) as e:
        import_bytes(OK.replace(b"100", b"200"), "ok2.csv", db_file=p)
    assert str(e.value).startswith(f"The disk holding {p} is full, so nothing was written")
    assert "заполнен" in e.value.text("ru")
    assert sha(p) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == [".ff.duckdb.verified", "ff.duckdb", "ff.duckdb.lock"]


def test_non_integer_schema_version_is_a_sentence(tmp_path, capsys):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK, "ok.csv", db_file=p)
    con = duckdb.connect(str(p))
    con.execute("update ff_meta set value = 'five' where key = 'schema_version'")
    con.close()
    assert cli.main(["report", "kpis", "--db", str(p)]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: The database's schema version 'five' is not a number: the file is damaged or not a "
                   "fullfunnel database; pass the right file with --db.\n")


@pytest.mark.parametrize("args, words", [
    (["report", "kpis", "--to", "9999-12-31"], "The --to date 9999-12-31 is out of range"),
    (["report", "channels", "--from", "0001-01-01", "--to", "0001-01-05"], "The --from date 0001-01-01 is out"),
    (["report", "weekly", "--week", "9999-12-31"], "The week 9999-12-31 is out of range"),
    (["report", "weekly", "--week", "9999-W52"], "The week 9999-12-27 is out of range"),
    (["report", "kpis", "--month", "9999-12"], "The month 9999-12-01 is out of range"),
])
def test_out_of_range_dates_on_the_cli(tmp_path, capsys, args, words):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK, "ok.csv", db_file=p)
    assert cli.main(args + ["--db", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: " + words) and err.count("\n") == 1


@pytest.mark.parametrize("page", ["overview.py", "weekly.py", "channels.py"])
def test_out_of_range_dates_in_the_url_fall_back_to_the_default(monkeypatch, tiny_db, page):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tiny_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{page}")
    at.query_params.update({"period": "custom", "from": "0001-01-01", "to": "9999-12-31"})
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.session_state["from"].year > 1900 and at.session_state["to"].year < 2200


def test_mapping_date_format_with_double_dash(tmp_path):
    p = tmp_path / "ff.duckdb"
    fmt = mapping.loads(json.dumps({"kind": "leads", "date_format": "DD--MM--YYYY",
                                    "columns": {"lead_id": "id", "created_at": "when", "client_id": "phone"}}))
    res = import_bytes(b"id,when,phone\nL1,05--03--2026,+7 900 000-00-00\n", "m.csv", db_file=p, mapping=fmt)
    assert (res.added, res.rejected) == (1, 0)
    assert q(p, "select strftime(timezone('Europe/Moscow', created_at), '%Y-%m-%d'), client_id like 'c%' "
                "from leads") == [("2026-03-05", True)]


def test_bind_ignores_parameters_in_literals_and_comments():
    sql = "select '%d--%m' as a, $tz as b, '$salt' as c -- $gone\nfrom t where x = $to"
    assert db.bind(sql, {"tz": "UTC", "to": 1, "salt": "s", "gone": 2}) == {"tz": "UTC", "to": 1}


def test_report_csv_neutralises_formulas_and_json_stays_exact(tmp_path, capsys):
    p = tmp_path / "ff.duckdb"
    names = ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-5", "plain"]
    data = "date,channel,spend,campaign\n" + "".join(
        f'2026-05-0{i + 1},seo,{i + 1},"{n.replace(chr(34), chr(34) * 2)}"\n' for i, n in enumerate(names))
    import_bytes(data.encode(), "s.csv", db_file=p)
    # leads are what the campaign leaderboard lists; give each campaign one
    leads = "lead_id,created_at,channel,campaign\n" + "".join(
        f'L{i},2026-05-0{i + 1} 10:00,seo,"{n.replace(chr(34), chr(34) * 2)}"\n' for i, n in enumerate(names))
    import_bytes(leads.encode(), "l.csv", db_file=p)
    base = ["report", "channels", "--by", "campaign", "--from", "2026-05-01", "--to", "2026-05-31", "--db", str(p)]
    assert cli.main(base) == 0
    out = capsys.readouterr().out
    for n in names[:3]:
        assert ("'" + n.replace('"', '""')) in out
    assert ",-5," in out and ",plain," in out
    assert cli.main(base + ["--format", "json"]) == 0
    got = {r["campaign"] for r in json.loads(capsys.readouterr().out)}
    assert got == set(names)
