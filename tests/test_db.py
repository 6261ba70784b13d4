"""The database file: versioned schema, refusing newer files, all-or-nothing writes, readers following them."""
import hashlib
import threading

import duckdb
import pytest

from fullfunnel import db


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path, table) -> int:
    return int(db.Reader(path).sql(f"select count(*) as n from {table}")["n"][0])


def test_new_database_has_every_template_table(tmp_path):
    path = db.create_empty(tmp_path / "x.duckdb")
    tables = set(db.Reader(path).sql("select table_name from information_schema.tables")["table_name"])
    for kind in ("leads", "deals", "deal_stages", "stages", "spend", "sessions", "traffic",
                 "activities", "orders", "reviews", "plans", "import_log", "channel_rules", "settings"):
        assert kind in tables


def test_older_database_is_upgraded_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    old = db.SCHEMA_VERSION - 1
    con.execute("create table ff_meta (key varchar primary key, value varchar)")
    for version, file in db.schema_files():
        if version <= old:
            con.execute(file.read_text())
    con.execute("insert into ff_meta values ('schema_version', ?)", [str(old)])
    con.close()
    r = db.Reader(path)
    assert db.schema_version(r.connection()) == db.SCHEMA_VERSION
    assert count(path, "leads") == 0


def test_newer_database_is_refused_with_a_sentence(tmp_path):
    path = db.create_empty(tmp_path / "new.duckdb")
    con = duckdb.connect(str(path))
    con.execute("update ff_meta set value = ? where key = 'schema_version'", [str(db.SCHEMA_VERSION + 1)])
    con.close()
    with pytest.raises(db.SchemaTooNew, match="newer fullfunnel"):
        db.Reader(path).connection()


def test_missing_database_says_how_to_create_one(tmp_path):
    with pytest.raises(db.DatabaseMissing, match="fullfunnel demo"):
        db.Reader(tmp_path / "nope.duckdb").query("meta/settings")


def test_failed_write_leaves_the_file_byte_for_byte_unchanged(tmp_path):
    path = db.create_empty(tmp_path / "x.duckdb")
    with db.writer(path) as con:
        con.execute("insert into settings values ('currency', 'RUB')")
    before = sha(path)
    with pytest.raises(RuntimeError):
        with db.writer(path) as con:
            con.execute("insert into settings values ('business_tz', 'Europe/Moscow')")
            raise RuntimeError("the import failed half-way")
    assert sha(path) == before
    assert count(path, "settings") == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_reader_sees_a_write_that_lands_while_it_is_open(tmp_path):
    path = db.create_empty(tmp_path / "x.duckdb")
    r = db.Reader(path)
    assert count(path, "settings") == 0 and len(r.query("meta/settings")) == 0
    with db.writer(path) as con:  # would fail if the reader's open handle blocked writers
        con.execute("insert into settings values ('currency', 'USD')")
    assert r.query("meta/settings")["value"].tolist() == ["USD"]


def test_readers_keep_answering_during_writes(tmp_path):
    path = db.create_empty(tmp_path / "x.duckdb")
    r = db.Reader(path)
    errors, seen = [], set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            try:
                seen.add(len(r.query("meta/settings")))
            except Exception as e:  # pragma: no cover - the assertion below reports it
                errors.append(e)

    t = threading.Thread(target=read)
    t.start()
    for i in range(5):
        with db.writer(path) as con:
            con.execute("insert into settings values (?, 'x')", [f"k{i}"])
    stop.set()
    t.join()
    assert errors == []
    assert seen <= {0, 1, 2, 3, 4, 5}
    assert len(r.query("meta/settings")) == 5


def test_parameters_are_bound_never_formatted(tiny_run):
    hostile = "yandex_direct'); drop table leads; --"
    df = tiny_run("overview/headline", {"from": None, "to": None, "tz": "UTC", "channels": [hostile],
                                        "currency": "RUB"})
    assert len(df) == 8
    assert tiny_run("meta/data_presence", {}).set_index("kind").loc["leads", "rows_n"] == 8


def test_unknown_query_names_are_refused():
    with pytest.raises(ValueError):
        db.query_text("../../etc/passwd")
