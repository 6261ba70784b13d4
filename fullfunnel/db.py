"""The DuckDB file: where it is, its versioned schema, named queries with bound parameters, and safe writes.

Concurrency design. DuckDB lets one process write a file, and a writing process blocks every other
process even from reading. So nobody ever writes the live file in place: `writer()` copies it,
lets the caller change the copy in one transaction, checkpoints, and atomically renames the copy over
the live path. Readers (`Reader`) open the file read-only and notice the new inode on their next
query; a query that is already running finishes on the old snapshot. A failed write deletes the copy,
so the live database is untouched.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from fullfunnel import FullfunnelError, engines, facts, rollups

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "fullfunnel.duckdb"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# string literals and comments: neither holds a parameter ('%d--%m' is a literal, not a comment)
_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


class DatabaseMissing(FullfunnelError):
    pass


class SchemaTooNew(FullfunnelError):
    pass


class DatabaseUnusable(FullfunnelError):
    pass


class DatabaseBroken(FullfunnelError):
    """The file is damaged or the disk is full: one sentence, in English and Russian."""

    def __init__(self, message: str, ru: str):
        super().__init__(message)
        self.ru = ru

    def text(self, lang: str = "en") -> str:
        return self.ru if lang == "ru" else str(self)


def _broken(path: Path, e: Exception) -> DatabaseBroken | None:
    """The sentence for a damaged database file or a full disk; None for any other error."""
    msg = str(e)
    if "Corrupt database file" in msg or "checksum" in msg.lower() and "block" in msg.lower():
        return DatabaseBroken(
            f"The database {path} is damaged (a block of it does not read back as written); restore it "
            "from a backup, or build it again from your exports.",
            ru=f"База данных {path} повреждена (блок файла не читается так, как был записан); восстановите "
               "её из резервной копии или соберите заново из выгрузок.")
    if "No space left on device" in msg or getattr(e, "errno", None) == 28 or "Disk quota exceeded" in msg:
        return DatabaseBroken(
            f"The disk holding {path} is full, so nothing was written (the database is unchanged); free some "
            "space there and try again.",
            ru=f"Диск, на котором лежит {path}, заполнен, поэтому ничего не записано (база не изменилась); "
               "освободите место и повторите.")
    return None


def _file_stamp(p: Path) -> str:
    st = os.stat(p)
    return f"{st.st_ino} {st.st_mtime_ns} {st.st_size}"


def _read_mark(marker: Path) -> str:
    try:
        return marker.read_text()
    except OSError:
        return ""


def _write_mark(marker: Path, live: Path) -> None:
    """Remember which version of the file a writer made (or read through): the next one need not read
    every block again unless the file changed behind its back (restored, copied over, damaged by a tool)."""
    try:
        marker.write_text(_file_stamp(live))
    except OSError:
        pass


def verify(con: duckdb.DuckDBPyConnection, path: Path | str = "") -> None:
    """Read every row of every table once, so a damaged block is found before a write lands on top of it."""
    tables = con.execute("select schema_name, table_name from duckdb_tables() where not temporary "
                         "and database_name = current_database()").fetchall()
    for schema, table in tables:
        con.execute(f'select count(*) from "{schema}"."{table}" t where hash(t) is not null').fetchall()


def _unusable(path: Path, e: Exception) -> DatabaseUnusable:
    """One sentence for a database path that is a folder, not a DuckDB file, or in a folder we cannot write."""
    if path.is_dir():
        return DatabaseUnusable(f"{path} is a folder, not a database file; pass a file path with --db.")
    if isinstance(e, OSError):
        return DatabaseUnusable(f"Cannot write the database {path} ({e.strerror or e}); choose a folder you "
                                "can write to with --db, or fix its permissions.")
    return DatabaseUnusable(f"{path} is not a fullfunnel database (DuckDB cannot open it); pass the right "
                            "file with --db, or move this one away.")


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database to use: the explicit path, else $FULLFUNNEL_DB, else the secrets file's
    `[database] url`, else data/fullfunnel.duckdb. A ClickHouse URL comes back as an `engines.Location`."""
    target = explicit or os.environ.get("FULLFUNNEL_DB") or engines.configured_url() or DEFAULT_DB
    if engines.is_url(target):
        return engines.Location(str(target))
    return Path(target).expanduser().resolve()


# ---------------------------------------------------------------- schema


def schema_files() -> list[tuple[int, Path]]:
    """queries/schema/NNNN_name.sql, in version order."""
    out = []
    for p in sorted((QUERIES / "schema").glob("[0-9][0-9][0-9][0-9]_*.sql")):
        out.append((int(p.name[:4]), p))
    return out


SCHEMA_VERSION = max(v for v, _ in schema_files())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version stored in the database; 0 for an empty file."""
    # Asked directly, not by looking ff_meta up in duckdb_tables() first (8 ms on a freshly opened
    # file: a cold page's first query). Never called inside an open transaction, which a failed
    # statement would abort.
    try:
        row = con.execute("select value from ff_meta where key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return 0
    try:
        return int(row[0]) if row else 0
    except (TypeError, ValueError):
        raise DatabaseUnusable(f"The database's schema version {row[0]!r} is not a number: the file is damaged "
                               "or not a fullfunnel database; pass the right file with --db.") from None


def _check_not_newer(version: int, path: Path | str) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"The database {path} was written by a newer fullfunnel (schema version {version}; "
            f"this one knows up to {SCHEMA_VERSION}). Update fullfunnel to open it."
        )


def migrate(con: duckdb.DuckDBPyConnection, path: Path | str = "") -> int:
    """Bring a read-write connection's schema up to date, one migration per transaction."""
    current = schema_version(con)
    _check_not_newer(current, path)
    if current == 0 and con.execute("select count(*) from duckdb_tables() where not temporary").fetchone()[0]:
        # someone else's DuckDB file: never add our tables to it
        raise DatabaseUnusable(f"{path} is a DuckDB database but not a fullfunnel one; pass a fullfunnel "
                               "database with --db, or a new file name to start one.")
    for version, file in schema_files():
        if version <= current:
            continue
        con.execute("begin transaction")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute(
                "insert or replace into ff_meta values ('schema_version', ?)", [str(version)]
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return SCHEMA_VERSION


# ---------------------------------------------------------------- writing


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:   # alive, but someone else's
        return False
    return False


def _remove_orphans(live: Path) -> list[Path]:
    """Delete the private copies (and their .wal) of writers that were killed before they could clean up,
    and replaced versions they had not yet freed: `.NAME.<pid>.<tid>.tmp[.wal]` and `.NAME.<pid>.<tid>.old`
    whose process is gone. Called with the write lock held."""
    pattern = re.compile(re.escape(f".{live.name}.") + r"(\d+)\.(\d+)\.(tmp(\.wal)?|old)")
    removed = []
    try:
        names = os.listdir(live.parent)
    except OSError:
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m and _process_gone(int(m.group(1))):
            try:
                (live.parent / name).unlink()
                removed.append(live.parent / name)
            except OSError:
                pass
    return removed


def _keep_old(live: Path, old: Path) -> Path | None:
    """A second name for the version about to be replaced, so the rename does not free its blocks."""
    try:
        old.unlink(missing_ok=True)
        os.link(live, old)
        return old
    except OSError:   # no live file yet, or hard links not allowed here: the rename frees it
        return None


def _free_later(old: Path | None) -> None:
    """Free the replaced version's disk space after the write has returned (0.3–0.6 s for 500 MB
    on ext4): the new version is already live. A non-daemon thread, so a command finishes it before
    it exits; a writer killed first leaves `.old`, which the next writer removes."""
    if old is not None:
        threading.Thread(target=old.unlink, kwargs={"missing_ok": True}, name="ff-free-old").start()


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Bring what is derived from the raw tables up to date with them, as every write does before it lands:
    the traffic rollup (pre-aggregates for big sites; a no-op when its inputs are unchanged), then the
    fact tables the pages read (only what the write touched)."""
    rollups.refresh(con)
    facts.refresh(con)


@contextmanager
def writer(path: str | os.PathLike | None = None, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the database; swapped in only if the block succeeds.

    fresh=True starts from an empty database instead of a copy (the demo builds this way).
    """
    live = db_path(path)
    if isinstance(live, engines.Location):   # ClickHouse: the same block on DuckDB staging, then swapped in
        from fullfunnel.engines import clickhouse

        with clickhouse.writer(live.url, fresh=fresh) as con:
            yield con
        return
    if live.is_dir():
        raise _unusable(live, IsADirectoryError())
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        lock = open(live.with_name(live.name + ".lock"), "w")
    except OSError as e:
        raise _unusable(live, e) from None
    fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time; readers are never blocked
    _remove_orphans(live)
    tmp = live.with_name(f".{live.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    marker = live.with_name(f".{live.name}.verified")
    try:
        tmp.unlink(missing_ok=True)
        try:
            if live.exists() and not fresh:
                shutil.copyfile(live, tmp)
            con = duckdb.connect(str(tmp))
        except (OSError, duckdb.Error) as e:
            raise _unusable(live, e) from None
        try:
            try:
                if not fresh and live.exists() and _read_mark(marker) != _file_stamp(live):
                    verify(con, live)   # once per version of the file: ours are verified as they are made
                migrate(con, live)
                yield con
                refresh_derived(con)
                con.execute("checkpoint")
            finally:
                con.close()
            old = _keep_old(live, tmp.with_suffix(".old"))
            try:
                os.replace(tmp, live)
            except OSError:
                _free_later(old)
                raise
            _write_mark(marker, live)
            _free_later(old)
        except (duckdb.Error, OSError) as e:
            broken = _broken(live, e)
            if broken is None:
                raise
            raise broken from None
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        lock.close()


def ensure_schema(path: str | os.PathLike | None = None) -> None:
    """Upgrade an older database file in place (via `writer`); refuse a newer one."""
    live = db_path(path)
    if isinstance(live, engines.Location):
        from fullfunnel.engines import clickhouse

        clickhouse.ensure_schema(clickhouse.connect(live.url))
        return
    if not live.exists():
        raise DatabaseMissing(
            f"There is no database at {live}. Create the demo with `python -m fullfunnel demo` "
            "or import your files with `python -m fullfunnel import`."
        )
    try:
        con = duckdb.connect(str(live), read_only=True)
    except duckdb.Error as e:
        raise _unusable(live, e) from None
    try:
        version = schema_version(con)
    finally:
        con.close()
    _check_not_newer(version, live)
    if version < SCHEMA_VERSION:
        with writer(live):
            pass


def create_empty(path: str | os.PathLike | None = None) -> Path:
    """Create a database with the current schema and nothing in it (or upgrade an existing one)."""
    live = db_path(path)
    with writer(live):
        pass
    return live


# ---------------------------------------------------------------- reading


def query_text(name: str) -> str:
    """The SQL of queries/<name>.sql; names are fixed identifiers, never user input."""
    if not re.fullmatch(r"[a-z0-9_]+(/[a-z0-9_]+)*", name):
        raise ValueError(f"bad query name {name!r}")
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Exactly the parameters the SQL uses (DuckDB refuses extras); a missing one is a bug."""
    return pick(set(_PARAM.findall(_COMMENT.sub(" ", sql))), params)


def pick(used: set[str], params: dict[str, Any]) -> dict[str, Any]:
    """The parameters named in `used`, lists for tuples; a name without a value is a bug."""
    missing = used - params.keys()
    if missing:
        raise KeyError(f"query needs parameters {sorted(missing)}")
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k in used}


# A new in-memory DuckDB instance costs ~20 ms (its catalog of built-in functions), a tenth of a
# cold page. The dashboard, which opens one for every file a write lands, asks for the next one to
# be made ahead, off the page's path (DuckDB releases the GIL while it builds one).
_SPARE: list[duckdb.DuckDBPyConnection] = []
_SPARE_LOCK = threading.Lock()
_SPARE_STATE = {"wanted": False, "making": False}


def keep_spare_instance() -> None:
    """From now on, keep one in-memory DuckDB instance ready for the next Reader to open a file in."""
    with _SPARE_LOCK:
        _SPARE_STATE["wanted"] = True
    _make_spare_soon()


def _make_spare_soon() -> None:
    with _SPARE_LOCK:
        if not _SPARE_STATE["wanted"] or _SPARE_STATE["making"] or _SPARE:
            return
        _SPARE_STATE["making"] = True

    def make() -> None:
        try:
            con = duckdb.connect(":memory:")
            with _SPARE_LOCK:
                _SPARE.append(con)
        finally:
            with _SPARE_LOCK:
                _SPARE_STATE["making"] = False

    threading.Thread(target=make, name="fullfunnel-spare-duckdb", daemon=True).start()


def _new_instance() -> duckdb.DuckDBPyConnection:
    with _SPARE_LOCK:
        con = _SPARE.pop() if _SPARE else None
    _make_spare_soon()
    return con if con is not None else duckdb.connect(":memory:")


class Reader:
    """Read-only access to the live database for one process; follows atomic swaps by `writer`."""

    def __new__(cls, path: str | os.PathLike | None = None, live_facts: bool = False):
        target = db_path(path)
        if isinstance(target, engines.Location):   # ClickHouse: the same interface, fullfunnel/engines
            from fullfunnel.engines import clickhouse

            return clickhouse.Reader(target.url, live_facts)
        return super().__new__(cls)

    def __init__(self, path: str | os.PathLike | None = None, live_facts: bool = False):
        """live_facts=True reads every fact table through its definition (fullfunnel/facts.py)."""
        self.path = db_path(path)
        self.live_facts = live_facts
        self._facts_tz: str | None = None
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None

    def stamp(self) -> tuple[int, int]:
        """Identity of the file now on disk: changes whenever a write lands."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise DatabaseMissing(
                f"There is no database at {self.path}. Create the demo with `python -m fullfunnel demo` "
                "or import your files with `python -m fullfunnel import`."
            ) from None
        return (st.st_ino, st.st_mtime_ns)

    def _open(self) -> duckdb.DuckDBPyConnection:
        # ATTACH into a private in-memory instance rather than duckdb.connect(path): DuckDB caches
        # instances by path within a process, which would keep serving the replaced file.
        con = _new_instance()
        quoted = str(self.path).replace("'", "''")
        try:
            con.execute(f"attach '{quoted}' as ff (read_only)")
        except duckdb.Error as e:
            con.close()
            raise _unusable(self.path, e) from None
        con.execute("use ff")
        return con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.connection().cursor()
        cur.execute("use ff")  # cursors start in the default catalog
        return cur

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            stamp = self.stamp()
            if self._con is None or stamp != self._stamp:
                con = self._open()
                version = schema_version(con)
                if version != SCHEMA_VERSION:
                    con.close()
                    _check_not_newer(version, self.path)
                    ensure_schema(self.path)  # older file: upgrade it, then open the new one
                    stamp = self.stamp()
                    con = self._open()
                # The old connection is left to the garbage collector: a query still running on it
                # finishes on the snapshot it started with.
                row = con.execute("select value from ff_meta where key = ?", [facts.TZ_KEY]).fetchone()
                self._con, self._stamp, self._facts_tz = con, stamp, (row[0] if row else None)
            return self._con

    def sql(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        cur = self.cursor()
        try:
            sql, params = facts.resolve(sql, params or {}, self._facts_tz, self.live_facts)
            return cur.execute(sql, bind(sql, params)).df()
        except duckdb.Error as e:
            broken = _broken(self.path, e)
            if broken is None:
                raise
            raise broken from None
        finally:
            cur.close()

    def query(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql with bound parameters; one fresh cursor per call."""
        return self.sql(query_text(name), params)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con = None
