"""Pre-aggregated tables built at import time (inside `db.writer`, right before the checkpoint).

`traffic_rollup` (queries/schema/0003_traffic_rollup.sql) holds one row per business day × channel
× landing page × visitor, so every traffic number of METRICS.md "Web traffic" is a sum over it.
Distinct visitors over any period stay exact and need no distinct count: each row carries the
visitor's previous active day (overall, in its channel, on its landing page), and a visitor is
counted once for [from, to] on the row of its first active day there (previous active day < from).
Measured at 10 million sessions by `python -m fullfunnel.bench_traffic`. It is rebuilt
only when what it is built from changed: sessions, leads (a lead marks its visitor's session of the
same day as converted when the export has no `converted` flag) or the business time zone.
An import that only adds sessions (the usual daily import) rebuilds just the rows of the visitors
it touched — their whole history, so previous active days stay exact; an undo likewise rebuilds
the visitors of the sessions (and leads) it took out or put back (importing/load.py `undo` notes
them in a temp table, trusted only when the signature moved by exactly those rows); anything else
(replaced sessions, new leads that mark conversions, another zone) rebuilds the whole table.
"""
from __future__ import annotations

import duckdb

from fullfunnel import periods

ROLLUP_VERSION = "2"
# the temp table an undo leaves for the write's refresh: the rows it took out of `table` (column
# `sign` -1) and put back (1); see importing/load.py `undo`
UNDONE = "undone_{table}"
SIGNATURE_KEY = "traffic_rollup_signature"

# Day is the session start in the business time zone ($tz). Bounce and engagement follow
# METRICS.md; a session converted when its export flag says so, or (flag missing) when its visitor
# left a lead on the same day. One text for every way the rollup is built: `{keys}` is the visitors
# whose rows are built (with their keys), `{sessions}` the sessions read (all, or those of newer
# imports), and `{grouped}` what the previous-day columns are computed over (see `refresh`).
_BUILD = """
insert into traffic_rollup
with
keys as ({keys}),

lead_days as (
    select distinct l.visitor_id, timezone($tz, l.created_at)::date as day,
    from leads as l
    {lead_scope}
    where l.visitor_id is not null
),

marked as (
    select
        timezone($tz, s.started_at)::date as day,
        s.channel,
        coalesce(s.landing_page, '') as landing_page,
        k.visitor_key,
        s.pageviews,
        s.duration_s,
        coalesce(s.converted, ld.visitor_id is not null) as converted,
    from {sessions} as s
    join keys as k on k.visitor_id = s.visitor_id
    left join lead_days as ld
        on s.converted is null
        and ld.visitor_id = s.visitor_id
        and ld.day = timezone($tz, s.started_at)::date
),

fresh as (
    select
        m.day,
        m.channel,
        m.landing_page,
        m.visitor_key,
        count(*)::integer as sessions_n,
        sum(m.pageviews)::bigint as pageviews_n,
        sum(m.duration_s)::bigint as duration_s,
        count(*) filter (where m.pageviews <= 1 and m.duration_s < 15)::integer as bounces_metrica_n,
        count(*) filter (where not (m.duration_s >= 10 or m.pageviews >= 2 or m.converted))::integer
            as bounces_ga4_n,
        count(*) filter (where m.converted)::integer as converted_n,
    from marked as m
    group by all
),

grouped as ({grouped}),

lagged as (
    -- rows in day order per visitor: the row before the first row of a day is the last row of the
    -- visitor's previous active day, so lag(day) is that day on exactly one row per day
    select
        *,
        lag(day) over (partition by visitor_key order by day, channel, landing_page) as lag_any,
        lag(day) over (partition by visitor_key, channel order by day, landing_page) as lag_channel,
        lag(day) over (partition by visitor_key, landing_page order by day, channel) as lag_landing,
    from grouped
)

select
    day, channel, landing_page, visitor_key, sessions_n, pageviews_n, duration_s,
    bounces_metrica_n, bounces_ga4_n, converted_n,
    case when lag_any is distinct from day then coalesce(lag_any, date '1900-01-01') else day end,
    case when lag_channel is distinct from day then coalesce(lag_channel, date '1900-01-01') else day end,
    case when lag_landing is distinct from day then coalesce(lag_landing, date '1900-01-01') else day end,
from lagged
-- in day order, so a period's query skips the row groups of other days (their min/max day); a finer
-- order (channel, page) made no smaller file nor faster page and cost a fifth of a full build's time
order by day
"""

# every visitor's rows, or those of the visitors in rollup_scope, from all their sessions
_BUILD_FROM_SESSIONS = _BUILD.format(
    keys="select k.visitor_id, k.visitor_key, from visitor_keys as k "
         "where not $scoped or k.visitor_id in (select visitor_id from rollup_scope)",
    sessions="sessions", lead_scope="", grouped="select * from fresh")

# the rows of the visitors of the added sessions (scope_keys): their rows as built before (old_rows,
# sums over their earlier sessions) plus the added sessions, summed per row; the sessions table is
# read only for the added rows — the visitors' earlier sessions are not looked up among millions
_SUMS = ("sessions_n", "pageviews_n", "duration_s", "bounces_metrica_n", "bounces_ga4_n", "converted_n")
_TYPES = {"pageviews_n": "bigint", "duration_s": "bigint"}
_BUILD_ADDED = _BUILD.format(
    keys="select visitor_id, visitor_key, from scope_keys",
    lead_scope="semi join keys as k1 on k1.visitor_id = l.visitor_id",
    sessions="(select * from sessions where import_id > $since)",
    grouped="select day, channel, landing_page, visitor_key, "
            + ", ".join(f"sum({c})::{_TYPES.get(c, 'integer')} as {c}" for c in _SUMS)
            + " from (select day, channel, landing_page, visitor_key, " + ", ".join(_SUMS)
            + " from old_rows union all select * from fresh) group by all")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from duckdb_tables() where table_name = ?", [name]).fetchone()[0])


def rollup_tz(con: duckdb.DuckDBPyConnection) -> str:
    """The business time zone the rollup days are in: the setting, else the machine's default."""
    row = con.execute("select value from settings where key = 'business_tz'").fetchone()
    return periods.business_tz(row[0] if row and row[0] else None)


_NEW_KEYS = """
insert into visitor_keys
select n.visitor_id,
    ((select coalesce(max(visitor_key), 0) from visitor_keys) + row_number() over (order by n.visitor_id))::integer,
from (select distinct visitor_id from {source}) as n
anti join visitor_keys as k on k.visitor_id = n.visitor_id
"""


def signature(con: duckdb.DuckDBPyConnection, tz: str) -> str:
    """What the rollup is built from, cheaply: row counts and newest import ids, and the zone."""
    s_n, s_max, s_sum, unflagged = con.execute(
        "select count(*), coalesce(max(import_id), -1), coalesce(sum(pageviews), 0), "
        "count(*) filter (where converted is null) from sessions").fetchone()
    leads = "-"
    if unflagged:  # leads only matter for sessions whose export had no conversion flag
        leads = "{}|{}".format(*con.execute(
            "select count(*), coalesce(max(import_id), -1) from leads where visitor_id is not null").fetchone())
    return f"v{ROLLUP_VERSION}|{tz}|{s_n}|{s_max}|{s_sum}|{unflagged}|{leads}"


def _only_added(con: duckdb.DuckDBPyConnection, built: str, now: str) -> int | None:
    """The import id after which sessions were only added since the build, else None.

    True when every session of the build is still there unchanged and the rest came with newer
    imports: counts, pageview sums and unflagged counts add up exactly, zone and leads unchanged.
    """
    b, n = built.split("|"), now.split("|")
    if len(b) != len(n) or b[:2] != n[:2] or b[6:] != n[6:]:
        return None
    b_n, b_max, b_sum, b_unflagged = (int(x) for x in b[2:6])
    n_n, n_max, n_sum, n_unflagged = (int(x) for x in n[2:6])
    if n_max <= b_max:
        return None
    add_n, add_sum, add_unflagged = con.execute(
        "select count(*), coalesce(sum(pageviews), 0), count(*) filter (where converted is null) "
        "from sessions where import_id > ?", [b_max]).fetchone()
    if (b_n + add_n, b_sum + add_sum, b_unflagged + add_unflagged) != (n_n, n_sum, n_unflagged):
        return None
    return b_max


def _undone(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    name = UNDONE.format(table=table)
    found = con.execute("select count(*) from duckdb_tables() where table_name = ? and temporary", [name]).fetchone()
    return name if found[0] else None


def _undone_scope(con: duckdb.DuckDBPyConnection, built: str, now: str) -> bool:
    """Fill rollup_scope with the visitors of the rows an undo in this write took out or put back,
    when those rows are all that changed since the build; False (scope untouched) otherwise.

    The sessions' count, pageview sum and unflagged count must be the build's less the removed
    rows plus the restored ones; the leads (when they count) may differ only by the undone leads,
    whose visitors' sessions of that day change their conversion.
    """
    b, n = built.split("|"), now.split("|")
    if len(b) < 7 or len(n) < 7 or b[:2] != n[:2]:
        return False
    sessions, leads = _undone(con, "sessions"), _undone(con, "leads")
    if sessions is None and leads is None:
        return False
    d_n = d_sum = d_unflagged = 0
    if sessions:
        d_n, d_sum, d_unflagged = con.execute(
            f"select coalesce(sum(sign), 0), coalesce(sum(sign * pageviews), 0), "
            f"coalesce(sum(sign) filter (where converted is null), 0) from {sessions}").fetchone()
    b_n, b_max, b_sum, b_unflagged = (int(x) for x in b[2:6])
    n_n, n_max, n_sum, n_unflagged = (int(x) for x in n[2:6])
    if n_max > b_max or (b_n + d_n, b_sum + d_sum, b_unflagged + d_unflagged) != (n_n, n_sum, n_unflagged):
        return False
    # leads count only for visitors with unflagged sessions; when there were none at the build or
    # are none now, those visitors are all among the undone sessions' (the unflagged counts add up)
    lead_visitors = "select null::varchar as visitor_id where false"
    if b[6:] != n[6:] and "-" not in (b[6], n[6]) and not leads:
        return False
    if leads and n[6] != "-":  # leads mark conversions: the undone ones' visitors are touched
        if b[6:] != n[6:] and b[6] != "-":
            d_leads = con.execute(f"select coalesce(sum(sign), 0) from {leads} "
                                  "where visitor_id is not null").fetchone()[0]
            if int(b[6]) + d_leads != int(n[6]) or int(n[7]) > int(b[7]):
                return False
        lead_visitors = f"select visitor_id from {leads} where visitor_id is not null"
    session_visitors = f"select visitor_id from {sessions}" if sessions else lead_visitors
    con.execute(f"create or replace temp table rollup_scope as select distinct visitor_id from "
                f"({session_visitors} union all {lead_visitors}) where visitor_id is not null")
    return True


def refresh(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Rebuild the rollups if their inputs changed since the last build; True when it rebuilt."""
    if not _has_table(con, "traffic_rollup"):
        return False
    tz = rollup_tz(con)
    sig = signature(con, tz)
    row = con.execute("select value from ff_meta where key = ?", [SIGNATURE_KEY]).fetchone()
    if not force and row and row[0] == sig:
        return False
    since = None if force or not row else _only_added(con, row[0], sig)
    if since is not None:
        _refresh_added(con, tz, since)
        con.execute("insert or replace into ff_meta values (?, ?)", [SIGNATURE_KEY, sig])
        return True
    # the visitors to rebuild: those of the rows an undo took out or put back (none listed = all)
    scoped = not force and row is not None and _undone_scope(con, row[0], sig)
    if not scoped:  # everything
        con.execute("create or replace temp table rollup_scope as select null::varchar as visitor_id where false")
        con.execute("delete from traffic_rollup")
        con.execute("delete from visitor_keys")
    else:
        con.execute("delete from traffic_rollup where visitor_key in (select k.visitor_key from visitor_keys as k "
                    "semi join rollup_scope as r on r.visitor_id = k.visitor_id)")
        # an undo: visitors with no session left keep no key, as a build from scratch
        con.execute("delete from visitor_keys where visitor_id in (select r.visitor_id from rollup_scope as r "
                    "anti join sessions as s on s.visitor_id = r.visitor_id)")
    if con.execute("select count(*) from sessions").fetchone()[0]:
        # the visitors that may lack a key: every one, or those of the sessions an undo put back (a
        # visitor in the scope without sessions gets none)
        if not scoped:
            source = "sessions"
        elif undone := _undone(con, "sessions"):
            source = f"{undone} where sign > 0 and visitor_id is not null"
        else:
            source = "rollup_scope where false"
        con.execute(_NEW_KEYS.format(source=source))
        con.execute(_BUILD_FROM_SESSIONS, {"tz": tz, "scoped": scoped})
    con.execute("drop table rollup_scope")
    con.execute("insert or replace into ff_meta values (?, ?)", [SIGNATURE_KEY, sig])
    return True


def _refresh_added(con: duckdb.DuckDBPyConnection, tz: str, since: int) -> None:
    """Rebuild the rows of the visitors of the sessions imported after `since` (only added since the
    build): from their rows as built and the added sessions, not from all of their sessions."""
    con.execute("create or replace temp table rollup_scope as select distinct visitor_id from sessions "
                "where import_id > ? and visitor_id is not null", [since])
    # their keys in one pass over visitor_keys; visitors seen for the first time get the next numbers
    con.execute("create or replace temp table scope_keys as select k.visitor_id, k.visitor_key, "
                "from visitor_keys as k semi join rollup_scope as r on r.visitor_id = k.visitor_id")
    top = con.execute("select coalesce(max(visitor_key), 0) from visitor_keys").fetchone()[0]
    con.execute("insert into visitor_keys select n.visitor_id, "
                "(? + row_number() over (order by n.visitor_id))::integer, "
                "from rollup_scope as n anti join scope_keys as k on k.visitor_id = n.visitor_id", [top])
    con.execute("insert into scope_keys select visitor_id, visitor_key, from visitor_keys where visitor_key > ?",
                [top])
    con.execute("create or replace temp table old_rows as select r.* from traffic_rollup as r "
                "semi join scope_keys as k on k.visitor_key = r.visitor_key")
    con.execute("delete from traffic_rollup where visitor_key in (select visitor_key from scope_keys)")
    con.execute(_BUILD_ADDED, {"tz": tz, "since": since})
    for table in ("rollup_scope", "scope_keys", "old_rows"):
        con.execute(f"drop table {table}")
