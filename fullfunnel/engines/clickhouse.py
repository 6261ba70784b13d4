"""ClickHouse as the database: the same queries, tables and reports as the DuckDB file.

Reading. `queries/` stays the one definition of every number. A query's DuckDB SQL is translated
to ClickHouse SQL by sqlglot when it is first run (and cached), with a few rewrites sqlglot leaves
to us (`timezone(zone, ts)`, list functions, `semi`/`anti` joins, typed `{name:Type}` parameters).
Where a query cannot be translated faithfully it has a hand-written twin `queries/…/NAME.clickhouse.sql`.
Every query runs with settings that give ClickHouse SQL's null semantics (`join_use_nulls`,
`aggregate_functions_null_for_empty`, `transform_null_in`), and its result is handed to pandas
through DuckDB, so a report gets the same column types on either engine.

Writing. Parsing, validation, natural-key replacement, undo, the traffic rollup and the fact tables
stay in the DuckDB code: `writer()` loads the ClickHouse tables into an in-memory DuckDB database,
lets the caller change it there (the importer, an undo, a settings change), refreshes the derived
tables, and then writes every table whose rows changed into a new ClickHouse table and swaps it in
with `EXCHANGE TABLES`. A failure before the swap drops the new tables: the live ones are untouched.
The tables are MergeTree, partitioned by month of their time column and ordered by the keys the
pages filter on (`LAYOUT`); their columns follow the DuckDB schema of the same version, so a
migration in queries/schema/ is also the ClickHouse one (`ensure_schema` adds what is missing).
"""
from __future__ import annotations

import datetime as dt
import decimal
import fcntl
import functools
import itertools
import os
import re
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp
from sqlglot.dialects.clickhouse import ClickHouse

from fullfunnel import FullfunnelError

SETTINGS = {
    "join_use_nulls": 1,                       # an outer join's missing side is NULL, as in SQL
    "aggregate_functions_null_for_empty": 1,   # sum() over no rows is NULL, as in SQL
    "transform_null_in": 0,
    "session_timezone": "UTC",
    "cast_keep_nullable": 1,
    "allow_experimental_join_condition": 1,    # non-equality conditions in JOIN ... ON
    "join_default_strictness": "ALL",
    "union_default_mode": "DISTINCT",
    "mutations_sync": 2,
    "use_variant_as_common_type": 0,
    "group_by_use_nulls": 1,                   # grouping sets leave the other keys NULL, as in SQL
    "prefer_column_name_to_alias": 1,          # `min(x) as x` does not hide the column x elsewhere
    "query_plan_max_optimizations_to_apply": 100000,   # the fact definitions run inline are deep plans
}

# table → (partition key, order key). Tables not listed: one partition, ordered by their first column.
LAYOUT: dict[str, tuple[str | None, str]] = {
    "sessions": ("toYYYYMM(started_at)", "(channel, started_at, session_id)"),
    "leads": ("toYYYYMM(created_at)", "(channel, created_at, lead_id)"),
    "deals": ("toYYYYMM(created_at)", "(created_at, deal_id)"),
    "deal_stages": ("toYYYYMM(entered_at)", "(deal_id, entered_at)"),
    "spend": ("toYYYYMM(date)", "(date, channel, campaign)"),
    "traffic": ("toYYYYMM(date)", "(date, channel, campaign)"),
    "activities": ("toYYYYMM(at)", "(at, activity_id)"),
    "orders": ("toYYYYMM(ordered_at)", "(ordered_at, order_id)"),
    "reviews": ("toYYYYMM(date)", "(date, review_id)"),
    "traffic_rollup": ("toYYYYMM(day)", "(day, channel, landing_page, visitor_key)"),
    "fact_sessions_day": ("toYYYYMM(day)", "(day, channel, campaign)"),
    "fact_leads_day": ("toYYYYMM(day)", "(day, channel, campaign)"),
    "fact_won_day": ("toYYYYMM(day)", "(day, channel, campaign)"),
    "fact_funnel_day": ("toYYYYMM(day)", "(view, day, pipeline, channel, step)"),
    "fact_deal_steps": (None, "(pipeline, channel, cohort_at, deal_id)"),
    "fact_deal_shares": (None, "(model, deal_id)"),
    "direct_deal_credit": (None, "deal_id"),
}

# the type of each query parameter on ClickHouse (all may be NULL); others follow their Python value
PARAM_TYPES = {
    "tz": "String", "from": "Date32", "to": "Date32", "today": "Date32", "currency": "String",
    "channels": "Array(String)", "fact_lo": "DateTime64(6, 'UTC')", "fact_hi": "DateTime64(6, 'UTC')",
    "fact_deals": "Array(String)",
}
# A ClickHouse array cannot be NULL: `$list::varchar[] is null` becomes the Bool parameter
# `{list__is_null: }`, and the list itself is bound as [] when it is NULL.
_IS_NULL = "__is_null"


class ClickHouseError(FullfunnelError):
    pass


# ---------------------------------------------------------------- connections


class _Client:
    database: str
    url: str

    def command(self, sql: str, params: dict | None = None) -> None:
        raise NotImplementedError

    def arrow(self, sql: str, params: dict | None = None) -> pa.Table:
        raise NotImplementedError

    def insert(self, table: str, data: pa.Table) -> None:
        raise NotImplementedError

    def scalar(self, sql: str, params: dict | None = None):
        t = self.arrow(sql, params)
        return t.column(0)[0].as_py() if t.num_rows else None


def _text(value: Any) -> str:
    """A parameter value in ClickHouse's text format for `{name:Type}` (chdb takes only these)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join("NULL" if v is None else _quote(v) for v in value) + "]"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    return str(value)


def _quote(v: Any) -> str:
    if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool):
        return str(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Chdb(_Client):
    """ClickHouse inside this process (chdb). chdb runs one embedded server per process, on one folder;
    databases in it are separate (`chdb:///folder?database=name`, default `fullfunnel`)."""

    _session: Any = None
    _path: str | None = None
    _applied: dict | None = None
    _current: str | None = None
    _lock = threading.RLock()

    def __init__(self, url: str, path: str, database: str = "fullfunnel"):
        from chdb import session

        self.url = url
        self.database = database
        with self._lock:
            cls = type(self)
            if cls._session is None:
                if path != ":memory:":
                    Path(path).mkdir(parents=True, exist_ok=True)
                cls._session = session.Session(None if path == ":memory:" else path)
                cls._path = path
            elif cls._path != path:
                raise ClickHouseError(
                    f"chdb already holds the folder {cls._path} in this process; it cannot open {path} too "
                    "(one folder per process: use ?database=NAME for another database).")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", database):
                raise ClickHouseError(f"{database!r} is not a database name chdb can use.")
            cls._session.query(f"create database if not exists {database} engine = Atomic")

    def command(self, sql: str, params: dict | None = None) -> None:
        self._run(sql, params, "CSV")

    def arrow(self, sql: str, params: dict | None = None) -> pa.Table:
        return self._run(sql, params, "ArrowTable")

    def _run(self, sql: str, params: dict | None, fmt: str):
        text = {k: _text(v) for k, v in (params or {}).items()}
        cls = type(self)
        with self._lock:
            try:
                if cls._current != self.database:
                    cls._session.query(f"use {self.database}")
                    cls._current = self.database
                if cls._applied != SETTINGS:
                    cls._session.query("set " + ", ".join(f"{k} = {_quote(v)}" for k, v in SETTINGS.items()))
                    cls._applied = dict(SETTINGS)
                return cls._session.query(sql, fmt, params=text or None)
            except Exception as e:  # chdb raises RuntimeError / ChdbError with the server's message
                raise _error(e, sql) from None

    def insert(self, table: str, data: pa.Table) -> None:
        with tempfile.NamedTemporaryFile(suffix=".parquet", delete=False) as f:
            tmp = f.name
        try:
            pq.write_table(data, tmp)
            self.command(f"insert into {table} select * from file('{tmp}', Parquet)")
        finally:
            os.unlink(tmp)


class _Server(_Client):
    """A ClickHouse server over HTTP (clickhouse-connect)."""

    def __init__(self, url: str):
        import clickhouse_connect

        u = urlsplit(url)
        self.url = url
        self.database = (u.path or "/").strip("/") or "default"
        try:
            self.client = clickhouse_connect.get_client(
                host=u.hostname or "localhost", port=u.port or (8443 if u.scheme == "clickhouses" else 8123),
                username=unquote(u.username or "default"), password=unquote(u.password or ""),
                database=self.database, secure=u.scheme == "clickhouses", settings=SETTINGS,
                autogenerate_session_id=False)
        except Exception as e:
            raise ClickHouseError(f"Cannot reach the ClickHouse server at {_shown(url)}: {_first_line(e)}") from None

    def command(self, sql: str, params: dict | None = None) -> None:
        try:
            self.client.command(sql, parameters=params or None)
        except Exception as e:
            raise _error(e, sql) from None

    def arrow(self, sql: str, params: dict | None = None) -> pa.Table:
        try:
            return self.client.query_arrow(sql, parameters=params or None, use_strings=True)
        except Exception as e:
            raise _error(e, sql) from None

    def insert(self, table: str, data: pa.Table) -> None:
        try:
            self.client.insert_arrow(table, data)
        except Exception as e:
            raise _error(e, f"insert into {table}") from None


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]


def _error(e: Exception, sql: str) -> ClickHouseError:
    err = ClickHouseError(f"ClickHouse refused a query: {_first_line(e)}")
    err.sql = sql
    return err


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    u = urlsplit(url)
    if u.password:
        return url.replace(f":{u.password}@", ":***@", 1)
    return url


_clients: dict[str, _Client] = {}


def connect(url: str) -> _Client:
    """The connection for a `clickhouse://` or `chdb://` URL (one per URL per process)."""
    url = str(url)
    if url not in _clients:
        scheme, rest = url.split("://", 1)
        if scheme.lower() == "chdb":
            rest, _, query = rest.partition("?")
            database = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("database", "fullfunnel")
            path = ":memory:" if rest in ("", ":memory:") else str(Path(unquote(rest)).expanduser())
            _clients[url] = _Chdb(url, path, database)
        else:
            _clients[url] = _Server(url)
    return _clients[url]


def forget(url: str) -> None:
    """Drop the cached connection (tests that delete a chdb folder)."""
    _clients.pop(str(url), None)


# ---------------------------------------------------------------- translation

_TWIN_SUFFIX = ".clickhouse.sql"


def twin(name: str) -> str | None:
    """The hand-written ClickHouse SQL of queries/<name>.sql, if it has one."""
    from fullfunnel import db

    path = db.QUERIES / f"{name}{_TWIN_SUFFIX}"
    return path.read_text(encoding="utf-8") if path.exists() else None


def _with_facts(sql: str, names: list[str]) -> str:
    """ClickHouse SQL with the fact definitions put in front as common table expressions (cf. facts.resolve)."""
    from fullfunnel import facts

    ctes = ",\n".join(f"{n} AS (\n{translate(facts.definition(n))}\n)" for n in names)
    body = re.sub(r"--[^\n]*", "", sql).strip()
    if re.match(r"(?i)with\b", body):
        return f"WITH {ctes},\n{body[4:].lstrip()}"
    return f"WITH {ctes}\n{body}"


_LIST_FUNCS = {"list_contains": "has", "array_contains": "has", "list_has_any": "hasAny", "list_sum": "arraySum", "epoch_us": "toUnixTimestamp64Micro"}
_GRAIN_FUNCS = (("day", "toDate"), ("week", "toMonday"), ("month", "toStartOfMonth"),
                ("quarter", "toStartOfQuarter"), ("year", "toStartOfYear"))
_PREDICATES = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)


class _Dialect(ClickHouse):
    class Generator(ClickHouse.Generator):
        TRANSFORMS = {
            **ClickHouse.Generator.TRANSFORMS,
            # bool_or / bool_and over booleans
            exp.LogicalOr: lambda self, e: f"max({self.sql(e, 'this')})",
            exp.LogicalAnd: lambda self, e: f"min({self.sql(e, 'this')})",
            exp.IgnoreNulls: lambda self, e: self.sql(e, "this"),  # ClickHouse's any() skips NULLs anyway
        }


def _ch(node: exp.Expression) -> str:
    return node.sql(dialect=_Dialect, comments=False)


def _raw(text: str) -> exp.Expression:
    """SQL text that is already ClickHouse, as a node the generator prints as it is."""
    return exp.Var(this=text)


def _rewrite(node: exp.Expression) -> exp.Expression:
    """One node, its children already rewritten."""
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        inner = node.this.this if isinstance(node.this, exp.Cast) else node.this
        if isinstance(inner, exp.Placeholder) and (_is_list(inner) or _is_list(node.this)):
            return _raw("{%s%s: }" % (inner.name, _IS_NULL))
    # timezone(zone, instant) is the wall-clock time there: ClickHouse keeps the instant and
    # moves the zone into the type, so every date function after it works in that zone
    if isinstance(node, exp.Anonymous) and node.name.lower() == "timezone" and len(node.expressions) == 2:
        zone, value = node.expressions
        # 'UTC' is spelled 'Etc/UTC' so that a wall-clock time in the result is told from an instant
        # (to_frame gives it without a zone, as DuckDB does)
        zone = exp.If(this=exp.EQ(this=zone.copy(), expression=exp.Literal.string("UTC")),
                      true=exp.Literal.string("Etc/UTC"), false=zone.copy())
        return exp.Anonymous(this="toTimeZone", expressions=[value, zone])
    if isinstance(node, exp.Length) and (_is_list(node.this) or any(
            isinstance(c, exp.Column) and c.name == "channels" for c in node.this.walk())):
        return exp.Anonymous(this="length", expressions=[node.this])
    # ClickHouse counts and row numbers are unsigned, which mixes with no signed integer
    if isinstance(node, exp.Count) and not isinstance(node.parent, (exp.Filter, exp.IgnoreNulls, exp.Window)):
        return exp.Anonymous(this="toInt64", expressions=[node.copy()])
    if isinstance(node, exp.Window) and node.this.sql().lower().split("(")[0] in ("row_number", "rank", "dense_rank", "count"):
        return exp.Anonymous(this="toInt64", expressions=[node.copy()])
    if isinstance(node, exp.GenerateSeries) and not isinstance(node.parent, exp.Table):
        end = node.args["end"] if node.args.get("is_end_exclusive") else exp.Add(this=node.args["end"], expression=exp.Literal.number(1))
        return exp.Anonymous(this="range", expressions=[node.args["start"], end])
    if isinstance(node, exp.Anonymous) and node.name.lower() in _LIST_FUNCS:
        return exp.Anonymous(this=_LIST_FUNCS[node.name.lower()], expressions=node.expressions)
    # date_trunc($grain, x): ClickHouse wants the unit as a constant
    if isinstance(node, (exp.DateTrunc, exp.TimestampTrunc)) and not isinstance(node.args.get("unit"), (exp.Var, exp.Literal)):
        unit, value = _ch(node.args["unit"]), _ch(node.this)
        arms = ", ".join(f"{unit} = '{g}', {f}({value})" for g, f in _GRAIN_FUNCS)
        return _raw(f"multiIf({arms}, NULL)")
    # epoch(a - b): seconds between two instants
    if isinstance(node, exp.TimeToUnix) and isinstance(node.this, exp.Sub):
        a, b = _ch(node.this.this), _ch(node.this.expression)
        d = f"(toUnixTimestamp64Micro({a}) - toUnixTimestamp64Micro({b}))"
        # as DuckDB computes it: whole days (as seconds) plus the rest's microseconds, in that order
        return _raw(f"(toFloat64(intDiv({d}, 86400000000) * 86400) + toFloat64({d} % 86400000000) / 1000000.0)")
    # lag/lead: the previous row of the partition, NULL on its first row (ClickHouse would give 0)
    if isinstance(node, exp.Window) and isinstance(node.this, (exp.Lag, exp.Lead)):
        return _raw(_lag(node))
    # exists (select … from t as a where a.k = outer.k [and …a only]): ClickHouse runs no correlated
    # subquery, so it becomes coalesce(outer.k in (select a.k from t as a where …), false)
    if isinstance(node, exp.Exists):
        semi = _exists_as_in(node)
        if semi is not None:
            return semi
    # median: DuckDB's exact one, the mean of the two middle values (ClickHouse's median is a sample)
    if isinstance(node, exp.Median) and not isinstance(node.parent, exp.Filter):
        m = f"__median_{next(_names)}"
        return _raw(f"if(length(arraySort(groupArray({_ch(node.this)})) AS {m}) = 0, NULL, "
                    f"({m}[intDiv(length({m}) + 1, 2)] + {m}[intDiv(length({m}), 2) + 1]) / 2)")
    # agg(x) filter (where c) → aggIf(x, c)
    if isinstance(node, exp.Filter):
        return _raw(_agg_if(node))
    # range(start, stop, interval n unit) as r(col): the dates from start, before stop
    if isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries):
        if isinstance(node.parent, exp.Join) and list(node.this.find_all(exp.Column)):
            return node  # a range over the columns of the tables before it: its join becomes an ARRAY JOIN
        return _raw(_date_range(node))
    if isinstance(node, exp.Join) and isinstance(node.this, exp.Table) and isinstance(node.this.this, exp.GenerateSeries):
        return _raw(" " + _array_join(node.this))
    # a projection `t.col` is named `col` (ClickHouse would call it `t.col`)
    if isinstance(node, exp.Select):
        for i, e in enumerate(node.expressions):
            if isinstance(e, exp.Column) and e.table and not isinstance(e.this, exp.Star):
                e.replace(exp.alias_(e.copy(), e.name, quoted=True))
        # a boolean column stays boolean (a ClickHouse comparison is a number)
        for e in node.expressions:
            inner = e.this if isinstance(e, exp.Alias) else e
            if isinstance(inner, exp.Literal) and not inner.is_string and inner.this.lstrip("-").isdigit() \
                    and abs(int(inner.this)) < 2 ** 31:
                inner.replace(exp.Anonymous(this="toInt32", expressions=[inner.copy()]))   # DuckDB's INTEGER
                continue
            if _boolean(inner):
                inner.replace(exp.Anonymous(this="toBool", expressions=[inner.copy()]))
    return node


def _exists_as_in(node: exp.Exists) -> exp.Expression | None:
    query = node.this
    if not isinstance(query, exp.Select) or query.args.get("joins") or not query.args.get("from_") \
            and not query.args.get("from"):
        return None
    source = (query.args.get("from_") or query.args.get("from")).this
    if not isinstance(source, exp.Table):
        return None
    inner = source.alias_or_name
    where = query.args.get("where")
    if where is None:
        return None
    conds = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    link, rest = None, []
    for c in conds:
        tables = {col.table for col in c.find_all(exp.Column)}
        if tables <= {inner, ""}:
            rest.append(c)
        elif link is None and isinstance(c, exp.EQ) and all(isinstance(x, exp.Column) for x in (c.this, c.expression)):
            a, b = c.this, c.expression
            if a.table == inner and b.table not in ("", inner):
                link = (a, b)
            elif b.table == inner and a.table not in ("", inner):
                link = (b, a)
            else:
                return None
        else:
            return None
    if link is None:
        return None
    own, outer = link
    sub = exp.select(own.copy()).from_(source.copy())
    if rest:
        sub = sub.where(exp.and_(*[c.copy() for c in rest]))
    return exp.Coalesce(this=exp.In(this=outer.copy(), query=exp.Subquery(this=sub)),
                        expressions=[exp.Boolean(this=False)])


def _lag(node: exp.Window) -> str:
    spec = node
    if not node.args.get("order") and not node.args.get("partition_by") and node.alias:
        select = node.find_ancestor(exp.Select)
        for w in (select.args.get("windows") or []) if select else []:
            if w.name == node.alias:
                spec = w
    fn = "lagInFrame" if isinstance(node.this, exp.Lag) else "leadInFrame"
    args = [f"toNullable({_ch(node.this.this)})"]
    if node.this.args.get("offset") is not None:
        args.append(_ch(node.this.args["offset"]))
    if node.this.args.get("default") is not None:
        args.append(_ch(node.this.args["default"]))
    parts = []
    if spec.args.get("partition_by"):
        parts.append("PARTITION BY " + ", ".join(_ch(p) for p in spec.args["partition_by"]))
    if spec.args.get("order"):
        parts.append(_ch(spec.args["order"]).strip())
    parts.append("ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING")
    return f"{fn}({', '.join(args)}) OVER ({' '.join(parts)})"


def _boolean(node: exp.Expression) -> bool:
    if isinstance(node, _PREDICATES) and not isinstance(node, exp.Boolean):
        return True
    if isinstance(node, exp.Coalesce):
        return any(_boolean(a) or isinstance(a, exp.Boolean) for a in [node.this, *node.expressions])
    return False


def _agg_if(node: exp.Filter) -> str:
    agg, cond = node.this, _ch(node.expression.this)
    while isinstance(agg, exp.IgnoreNulls):
        agg = agg.this
    text = _ch(agg)
    m = re.fullmatch(r"(?s)(\w+)\((.*)\)", text)
    if not m:
        raise ClickHouseError(f"cannot translate the filtered aggregate {text}")
    name, args = m.groups()
    if args.strip() in ("", "*"):
        return f"toInt64({name}If({cond}))"
    d = re.match(r"(?is)distinct\s+(.*)", args.strip())
    out = f"{name}If(DISTINCT {d.group(1)}, {cond})" if d else f"{name}If({args}, {cond})"
    return f"toInt64({out})" if name.lower() == "count" else out


_names = itertools.count()
_ADD = {"DAY": "addDays", "WEEK": "addWeeks", "MONTH": "addMonths", "YEAR": "addYears"}


def _date_range(table: exp.Table) -> str:
    series = table.this
    step = series.args.get("step")
    if not isinstance(step, exp.Interval) or str(step.this.name) != "1":
        raise ClickHouseError("cannot translate a range() whose step is not one day, week, month or year")
    unit = step.unit.name.upper()
    start, stop = f"assumeNotNull({_ch(series.args['start'])})", f"assumeNotNull({_ch(series.args['end'])})"
    alias = table.args.get("alias")
    name = alias.name if alias else "r"
    col = alias.columns[0].name if alias and alias.columns else "range"
    add = _ADD[unit]
    return (f"(SELECT {add}({start}, number) AS {col} FROM numbers(toUInt64(greatest(dateDiff('{unit.lower()}', "
            f"{start}, {stop}) + 1, 0))) WHERE {add}({start}, number) < {stop}) AS {name}")


def _array_join(table: exp.Table) -> str:
    """`, range(t.a, t.b, interval 1 unit) as r(col)` → `ARRAY JOIN <the dates> AS col` (a lateral range)."""
    series = table.this
    unit = series.args["step"].unit.name.upper()
    start, stop = f"assumeNotNull({_ch(series.args['start'])})", f"assumeNotNull({_ch(series.args['end'])})"
    alias = table.args.get("alias")
    col = alias.columns[0].name if alias and alias.columns else "range"
    add = _ADD[unit]
    return (f"ARRAY JOIN arrayFilter(x -> x < {stop}, arrayMap(i -> {add}({start}, i), range(toUInt64(greatest("
            f"dateDiff('{unit.lower()}', {start}, {stop}) + 1, 0))))) AS {col}")


def _is_list(node: exp.Expression) -> bool:
    """A list-valued expression, as far as the query text tells (parameters and the columns holding them)."""
    if isinstance(node, exp.Placeholder):
        return PARAM_TYPES.get(node.name, "").startswith("Array")
    if isinstance(node, exp.Column):
        return node.name in ("channels", "chans", "list")
    if isinstance(node, exp.Cast):
        return node.to.is_type(exp.DataType.Type.ARRAY)
    return False


_CACHE_DIR = Path(tempfile.gettempdir()) / "fullfunnel-clickhouse-sql"


@functools.lru_cache(maxsize=1024)
def translate(sql: str, pretty: bool = False) -> str:
    """DuckDB SQL → ClickHouse SQL; parameters become `{name: }` (typed at bind time).

    Cached in this process and on disk (sqlglot takes a second or more for a long query), keyed by
    the SQL, sqlglot's version and this module's text, so a changed rewrite never serves old SQL.
    """
    import hashlib

    key = hashlib.sha256("\x00".join([sql, str(pretty), sqlglot.__version__, _MODULE_TEXT]).encode()).hexdigest()
    cached = _CACHE_DIR / f"{key}.sql"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    out = _translate(sql, pretty)
    try:
        _CACHE_DIR.mkdir(exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(out, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass
    return out


_MODULE_TEXT = Path(__file__).read_text(encoding="utf-8")


def _visible_cte(node: exp.Expression, name: str) -> exp.CTE | None:
    """The CTE `name` as seen from node: the nearest enclosing WITH that defines it (fact definitions
    put in front of a query each have their own `deal_base`)."""
    p = node.parent
    while p is not None:
        w = p.args.get("with_") or p.args.get("with")
        if isinstance(w, exp.With):
            for cte in w.expressions:
                if cte.alias == name:
                    return cte
        p = p.parent
    return None


def _cte_columns(cte: exp.CTE) -> list[str] | None:
    body = cte.this
    if not isinstance(body, exp.Select):
        return None
    names = [e.alias_or_name for e in body.expressions]
    if not all(names) or any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star)
                             for e in body.expressions):
        return None
    return names


def _expand_qualified_stars(tree: exp.Expression) -> None:
    """`b.*` of a CTE → its columns by name: in a join ClickHouse names them `b.col`, not `col`."""
    for select in list(tree.find_all(exp.Select)):
        stars = [e for e in select.expressions if isinstance(e, exp.Column) and e.is_star and e.table]
        if not stars:
            continue
        sources = {}
        for t in select.find_all(exp.Table):
            if t.parent_select is select and not t.db and (cte := _visible_cte(t, t.name)) is not None:
                if (cols := _cte_columns(cte)) is not None:
                    sources[t.alias_or_name] = cols
        new_exprs, changed = [], False
        for e in select.expressions:
            if isinstance(e, exp.Column) and e.is_star and e.table in sources:
                new_exprs += [exp.alias_(exp.column(c, table=e.table), c) for c in sources[e.table]]
                changed = True
            else:
                new_exprs.append(e)
        if changed:
            select.set("expressions", new_exprs)


def _translate(sql: str, pretty: bool) -> str:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:
        raise ClickHouseError(f"cannot translate a query to ClickHouse: {_first_line(e)}") from None
    _expand_qualified_stars(tree)
    for table in list(tree.find_all(exp.Table)):
        alias = table.args.get("alias")
        if isinstance(table.this, exp.GenerateSeries) and alias and isinstance(table.parent, exp.Join):
            for c in tree.find_all(exp.Column):
                if c.table == alias.name:
                    c.set("table", None)
    for node in reversed(list(tree.walk(bfs=False))):   # children before their parents
        new = _rewrite(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree.sql(dialect=_Dialect, comments=False, pretty=pretty)


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):\s*\}")


def _type_of(name: str, value: Any) -> str:
    if name.endswith(_IS_NULL):
        return "Bool"
    if name in PARAM_TYPES:
        t = PARAM_TYPES[name]
    elif isinstance(value, bool):
        t = "Bool"
    elif isinstance(value, int):
        t = "Int64"
    elif isinstance(value, (float, decimal.Decimal)):
        t = "Float64"
    elif isinstance(value, dt.datetime):
        t = "DateTime64(6, 'UTC')"
    elif isinstance(value, dt.date):
        t = "Date32"
    elif isinstance(value, (list, tuple)):
        t = "Array(String)"
    else:
        t = "String"
    return t if t.startswith("Array") else f"Nullable({t})"


def bind(ch_sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Give each `{name: }` its type from the value bound to it."""
    params = dict(params)
    for name in set(_PLACEHOLDER.findall(ch_sql)):
        if name.endswith(_IS_NULL):
            params[name] = params.get(name[: -len(_IS_NULL)]) is None
    for name, value in list(params.items()):
        if value is None and PARAM_TYPES.get(name, "").startswith("Array"):
            params[name] = []
    out = _PLACEHOLDER.sub(lambda m: "{%s:%s}" % (m.group(1), _type_of(m.group(1), params.get(m.group(1)))),
                           ch_sql)
    return out, params


# ---------------------------------------------------------------- results


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A result as the DataFrame DuckDB would give for the same SQL types (unsigned counts become signed)."""
    cols, names = [], []
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if pa.types.is_unsigned_integer(t):
            col = col.cast(pa.int64())
        elif pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
        elif pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
            col = col.cast(pa.string())
        elif pa.types.is_timestamp(t) and t.tz not in (None, "UTC"):
            # a time moved into a zone (DuckDB's timezone(zone, ts)): the wall-clock time there, no zone
            import pyarrow.compute as pc

            col = pc.local_timestamp(col)
        cols.append(col)
        names.append(name)
    arrow = pa.Table.from_arrays(cols, names=names)
    cur = _converter()
    try:
        return cur.from_arrow(arrow).df()
    finally:
        cur.close()


_CONVERTER: duckdb.DuckDBPyConnection | None = None
_CONVERTER_LOCK = threading.Lock()


def _converter() -> duckdb.DuckDBPyConnection:
    """A cursor of one in-memory DuckDB kept for turning results into frames (opening a DuckDB costs
    ~70 ms, more than most queries here), in UTC like the rest of the engine."""
    global _CONVERTER
    with _CONVERTER_LOCK:
        if _CONVERTER is None:
            con = duckdb.connect()
            con.execute("set global TimeZone = 'UTC'")
            _CONVERTER = con
        return _CONVERTER.cursor()


# ---------------------------------------------------------------- schema

_TYPES = {
    "VARCHAR": "String", "BIGINT": "Int64", "INTEGER": "Int32", "DOUBLE": "Float64", "BOOLEAN": "Bool",
    "DATE": "Date32", "TIMESTAMP WITH TIME ZONE": "DateTime64(6, 'UTC')", "TIMESTAMP": "DateTime64(6)",
    "HUGEINT": "Int128", "SMALLINT": "Int16", "FLOAT": "Float32", "UBIGINT": "UInt64",
}


def _ch_type(duck_type: str, nullable: bool) -> str:
    m = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", duck_type)
    base = f"Decimal({m.group(1)}, {m.group(2)})" if m else _TYPES.get(duck_type)
    if base is None:
        raise ClickHouseError(f"no ClickHouse type for the DuckDB type {duck_type}")
    return f"Nullable({base})" if nullable else base


def duck_tables(con: duckdb.DuckDBPyConnection, views: bool = True) -> dict[str, list[tuple[str, str, bool]]]:
    """Every table (and view) of a DuckDB database: name → [(column, DuckDB type, nullable)].

    ClickHouse gets a view as a table holding its rows: the writer computes it in DuckDB, so its
    numbers are DuckDB's exactly, and a page reads it as cheaply as any table.
    """
    kinds = "('BASE TABLE', 'VIEW')" if views else "('BASE TABLE')"
    out: dict[str, list[tuple[str, str, bool]]] = {}
    rows = con.execute(
        "select c.table_name, c.column_name, c.data_type, c.is_nullable = 'YES' "
        "from information_schema.columns c join information_schema.tables t "
        "on t.table_name = c.table_name and t.table_schema = c.table_schema and t.table_catalog = c.table_catalog "
        f"where t.table_type in {kinds} and t.table_catalog = current_database() and t.table_schema = 'main' "
        "order by c.table_name, c.ordinal_position"
    ).fetchall()
    for table, col, typ, nullable in rows:
        out.setdefault(table, []).append((col, typ, nullable))
    return out


def create_sql(table: str, columns: list[tuple[str, str, bool]], name: str | None = None) -> str:
    cols = ",\n    ".join(f"`{c}` {_ch_type(t, n)}" for c, t, n in columns)
    partition, order = LAYOUT.get(table, (None, None))
    if order is None:
        order = f"`{columns[0][0]}`"
    part = f"\npartition by {partition}" if partition else ""
    return (f"create table {name or table} (\n    {cols}\n)\nengine = MergeTree{part}\norder by {order}\n"
            "settings allow_nullable_key = 1")


def _template() -> duckdb.DuckDBPyConnection:
    from fullfunnel import db

    con = duckdb.connect()
    db.migrate(con)
    return con


def schema_version(client: _Client) -> int:
    exists = client.scalar("select count() from system.tables where database = currentDatabase() "
                           "and name = 'ff_meta'")
    if not exists:
        return 0
    v = client.scalar("select value from ff_meta where key = 'schema_version'")
    return int(v) if v else 0


def ensure_schema(client: _Client) -> int:
    """Create or upgrade the ClickHouse tables to this version's schema (columns added, never dropped)."""
    from fullfunnel import db

    current = schema_version(client)
    if current > db.SCHEMA_VERSION:
        raise db.SchemaTooNew(
            f"The ClickHouse database {_shown(client.url)} was written by a newer fullfunnel (schema version "
            f"{current}; this one knows up to {db.SCHEMA_VERSION}). Update fullfunnel to open it.")
    if current == db.SCHEMA_VERSION:
        return current
    template = _template()
    try:
        have = {r["name"] for r in client.arrow(
            "select name from system.tables where database = currentDatabase()").to_pylist()}
        for table, columns in duck_tables(template).items():
            if table not in have:
                client.command(create_sql(table, columns))
                continue
            existing = {r["name"] for r in client.arrow(
                "select name from system.columns where database = currentDatabase() and table = {t:String}",
                {"t": table}).to_pylist()}
            for col, typ, nullable in columns:
                if col not in existing:
                    client.command(f"alter table {table} add column `{col}` {_ch_type(typ, True)}")
        _copy_in(template, client, ["ff_meta"]) if current == 0 else None
        client.command("alter table ff_meta delete where key = 'schema_version'")
        client.command("insert into ff_meta values ('schema_version', {v:String})", {"v": str(db.SCHEMA_VERSION)})
    finally:
        template.close()
    return db.SCHEMA_VERSION


# ---------------------------------------------------------------- moving tables


def _copy_in(con: duckdb.DuckDBPyConnection, client: _Client, tables: list[str]) -> None:
    """Append DuckDB tables' rows to the ClickHouse tables of the same names."""
    for table in tables:
        data = con.sql(f'select * from "{table}"').to_arrow_table()
        if data.num_rows:
            client.insert(table, data)


def load(client: _Client, con: duckdb.DuckDBPyConnection) -> None:
    """Fill a DuckDB database of the same schema with every ClickHouse table's rows."""
    for table, columns in duck_tables(con, views=False).items():
        names = ", ".join(f"`{c}`" for c, _, _ in columns)
        data = client.arrow(f"select {names} from {table}")
        if not data.num_rows:
            continue
        con.register("_incoming", to_arrow_for_duck(data))
        cols = ", ".join(f'"{c}"' for c, _, _ in columns)
        con.execute(f'insert into "{table}" ({cols}) select {cols} from _incoming')
        con.unregister("_incoming")


def to_arrow_for_duck(data: pa.Table) -> pa.Table:
    cols = []
    for col in data.columns:
        if pa.types.is_large_string(col.type) or pa.types.is_binary(col.type):
            col = col.cast(pa.string())
        cols.append(col)
    return pa.Table.from_arrays(cols, names=data.column_names)


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """Each table's row count and an order-free hash of its rows: what tells a changed table."""
    out = {}
    for table in duck_tables(con):
        out[table] = tuple(con.execute(
            f'select count(*), coalesce(sum(hash(t)), 0), coalesce(sum(hash(t) >> 7), 0) from "{table}" t'
        ).fetchone())
    return out


COPY_BATCH_ROWS = 2_000_000   # rows per insert when a DuckDB table goes to ClickHouse


def publish(con: duckdb.DuckDBPyConnection, client: _Client, tables: list[str]) -> None:
    """Replace the ClickHouse tables by the DuckDB ones: all new tables are written, then swapped in.

    Nothing live changes until every new table holds its rows; then each is exchanged with the live
    one (an atomic rename per table) and the old rows dropped.
    """
    columns = duck_tables(con)
    tag = uuid.uuid4().hex[:8]
    staged: list[tuple[str, str]] = []
    try:
        for table in tables:
            new = f"_ff_new_{table}_{tag}"
            client.command(create_sql(table, columns[table], new))
            staged.append((table, new))
            sent = 0
            # in slices, so a table of a hundred million rows never has to fit in memory at once
            reader = con.sql(f'select * from "{table}"').to_arrow_reader(COPY_BATCH_ROWS)
            for batch in reader:
                if batch.num_rows:
                    client.insert(new, pa.Table.from_batches([batch]))
                    sent += batch.num_rows
            got = client.scalar(f"select count() from {new}")
            if got != sent:
                raise ClickHouseError(f"ClickHouse holds {got} rows of {table}'s {sent} after writing; "
                                      "nothing was changed.")
    except BaseException:
        for _, new in staged:
            client.command(f"drop table if exists {new}")
        raise
    for table, new in staged:
        client.command(f"exchange tables {new} and {table}")
    for _, new in staged:
        client.command(f"drop table if exists {new}")


@contextmanager
def _write_lock(client: _Client) -> Iterator[None]:
    """One writer at a time from this machine (a lock file per database URL)."""
    lock_dir = Path(tempfile.gettempdir()) / "fullfunnel-locks"
    lock_dir.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", _shown(client.url))[-150:]
    with open(lock_dir / f"{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


@contextmanager
def writer(url: str, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection holding the ClickHouse database's rows; the changed tables go back on success."""
    from fullfunnel import db

    client = connect(url)
    with _write_lock(client):
        ensure_schema(client)
        con = duckdb.connect()
        try:
            db.migrate(con)
            con.execute("set TimeZone = 'UTC'")
            if not fresh:   # what the migrations put in is in ClickHouse already (or its newer state)
                for table in duck_tables(con, views=False):
                    con.execute(f'delete from "{table}"')
                load(client, con)
            before = {} if fresh else fingerprints(con)
            top = con.execute("select coalesce(max(import_id), 0) from import_log").fetchone()[0]
            con.execute(f"drop sequence if exists import_id_seq")
            con.execute(f"create sequence import_id_seq start {int(top) + 1}")
            yield con
            db.refresh_derived(con)
            after = fingerprints(con)
            changed = [t for t in after if before.get(t) != after[t]]
            publish(con, client, changed)
            _mark_written(client)
        finally:
            con.close()


def copy_from(path: str | os.PathLike, url: str) -> list[str]:
    """Put every table of a DuckDB fullfunnel file into the ClickHouse database (replacing its rows)."""
    from fullfunnel import db

    client = connect(url)
    db.ensure_schema(path)
    with _write_lock(client):
        ensure_schema(client)
        con = duckdb.connect(str(db.db_path(path)), read_only=True)
        try:
            tables = list(duck_tables(con))
            publish(con, client, tables)
        finally:
            con.close()
        _mark_written(client)
    return tables


_writes = [0]   # writes made by this process: a reader re-checks the database after one


def _mark_written(client: _Client) -> None:
    _writes[0] += 1
    client.command("alter table ff_meta delete where key = 'written'")
    client.command("insert into ff_meta values ('written', {v:String})", {"v": uuid.uuid4().hex})


# ---------------------------------------------------------------- reading


class Reader:
    """`db.Reader` for ClickHouse: the same `query`/`sql`, DataFrames of the same types."""

    def __init__(self, url: str, live_facts: bool = False):
        self.url = self.path = str(url)
        self.live_facts = live_facts
        self._facts_tz: str | None = None
        self._stamp: str | None = None
        self._checked = 0.0
        self._writes = -1
        self._lock = threading.Lock()

    @property
    def client(self) -> _Client:
        return connect(self.url)

    def stamp(self) -> tuple:
        """Changes whenever a write lands."""
        client = self.client
        try:
            return ("ch", client.scalar("select value from ff_meta where key = 'written'"))
        except ClickHouseError:
            from fullfunnel import db

            raise db.DatabaseMissing(
                f"There is no fullfunnel database at {_shown(self.url)}. Import your files with "
                "`python -m fullfunnel import --db URL` or build the demo with `python -m fullfunnel demo --db URL`."
            ) from None

    def connection(self) -> "Reader":
        from fullfunnel import db, facts

        with self._lock:
            now = time.monotonic()
            if self._stamp is not None and now - self._checked < 1.0 and self._writes == _writes[0]:
                return self   # checked a moment ago and nothing written by this process since
            stamp = self.stamp()
            self._checked, self._writes = now, _writes[0]
            if stamp != self._stamp:
                version = schema_version(self.client)
                if version != db.SCHEMA_VERSION:
                    with writer(self.url):
                        pass
                    stamp = self.stamp()
                self._facts_tz = self.client.scalar("select value from ff_meta where key = {k:String}",
                                                    {"k": facts.TZ_KEY})
                self._stamp = stamp
        return self

    def cursor(self) -> "Reader":
        return self.connection()

    def execute(self, sql: str, params: Any = None) -> "Reader":
        """Compatibility with DuckDB's `set threads = 1` in tests: ClickHouse sums are exact per query."""
        return self

    def sql(self, sql: str, params: dict[str, Any] | None = None, name: str | None = None) -> pd.DataFrame:
        from fullfunnel import db, facts

        self.connection()
        original = sql
        sql, params = facts.resolve(sql, params or {}, self._facts_tz, self.live_facts)
        hand = twin(name) if name else None
        if hand is None:
            ch = translate(sql)
            used = db.bind(sql, params)
        else:
            if sql == original:
                ch = hand
            else:   # the facts read through their definitions, in front of the hand-written query
                ch = _with_facts(hand, facts.used_in(original))
            # the twin's own parameters: it may read some the DuckDB query no longer does (a fact
            # there holds what the twin computes from the raw tables)
            used = db.pick({n.removesuffix(_IS_NULL) for n in _PLACEHOLDER.findall(ch)}, params)
        ch, used = bind(ch, used)
        return to_frame(self.client.arrow(ch, used))

    def query(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        from fullfunnel import db

        return self.sql(db.query_text(name), params, name=name)

    def close(self) -> None:
        pass
