"""The fact layer: small tables the import keeps equal to their raw-level definitions.

Each fact table `T` has its definition in queries/facts/T.sql — the SQL that defines its numbers
from the raw tables (METRICS.md), at the grain of its keys — and the page queries read `T`
instead of recomputing it from millions of raw rows. `refresh` runs inside `db.writer` after every
import, undo or settings change (right after the traffic rollup), like fullfunnel/rollups.py:

- a fact whose inputs did not change is left alone (a signature of its input tables: row count,
  sum of import ids, and a hash of the columns channel rules rewrite in place, plus the zone);
- when its inputs only gained rows from newer imports (the usual daily import), a day-grain fact
  rebuilds just the business days those rows fall on;
- when only deals and their stage history changed (added, replaced, removed or undone), a fact kept
  deal by deal rebuilds just the rows of those deals, and a sum over it (the funnel by day) adds
  the difference their rows make — the deals are found by a fingerprint of each deal's rows kept in
  `fact_deal_inputs`;
- when an undo took rows out (and put back those its import had replaced: importing/load.py `undo`
  notes both in a temp table), the same: a day-grain fact rebuilds the days of those rows, and a
  deal fact stays as it is when the rows were only taken out and no deal can see them;
- anything else (replaced leads or sessions, a new zone, channel rules) rebuilds the table.

Day columns are in the business time zone the facts were built in (ff_meta 'facts_tz'). A query
run for another zone, or on a database whose facts are not built yet, reads the definitions
themselves: `resolve` puts each definition in front of the query as a common table expression of
the same name, which shadows the table. The same switch (`live=True`) lets a test run every report
through the raw definitions and through the tables and compare them.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from fullfunnel import rollups

FACTS_DIR = "facts"
TZ_KEY = "facts_tz"

# table → (input tables, the timestamp column its `day` comes from, or None when it is not by day
# of one input's rows), in build order
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, str] | None]] = {
    "direct_deal_credit": (("deals", "leads", "sessions"), None),
    "fact_sessions_day": (("sessions",), ("sessions", "started_at")),
    "fact_leads_day": (("leads",), ("leads", "created_at")),
    "fact_deal_steps": (("deals", "leads", "deal_stages", "stages"), None),
    "fact_funnel_day": (("deals", "leads", "deal_stages", "stages"), None),
    "fact_won_deals": (("deals", "leads"), None),
    "fact_won_day": (("deals", "leads", "sessions"), None),
    "fact_deal_shares": (("deals", "leads", "sessions"), None),
    "fact_new_clients_day": (("deals", "leads", "sessions", "orders"), None),
    "fact_deal_outcomes": (("deals", "leads", "deal_stages", "stages"), None),
    "fact_deal_stays": (("deals", "leads", "deal_stages"), None),
    "fact_purchases_day": (("deals", "leads", "sessions", "orders"), None),
}
# facts whose rows depend on the business time zone
ZONED = {"fact_sessions_day", "fact_leads_day", "fact_funnel_day", "fact_won_day", "fact_new_clients_day",
         "fact_deal_outcomes", "fact_deal_stays", "fact_purchases_day", "fact_won_deals"}
# facts whose rows for a deal depend only on that deal's deals and deal_stages rows, its lead, its
# client's leads and sessions, and the stages: their definitions take $fact_deals (only those deals)
DEAL_KEYED = {"direct_deal_credit", "fact_deal_steps", "fact_deal_shares", "fact_deal_outcomes", "fact_deal_stays",
              "fact_won_deals"}
# facts that are sums over a deal-keyed fact, one row of it counted once: the fact, the summed column
# (their definitions take $fact_deals too: the part of the sums those deals make)
DEAL_SUMS = {"fact_funnel_day": ("fact_deal_steps", "deals_n")}
_DEAL_INPUTS = ("deals", "deal_stages")
# the temp table an undo leaves, for the write's refresh, of the rows it took out of and put back in a table
UNDONE = rollups.UNDONE
# columns an edit of the channel rules rewrites in place (importing/channels.py reresolve)
_IN_PLACE = {"sessions": "channel", "leads": "channel", "spend": "channel"}

_NAME = re.compile(r"\b(" + "|".join(TABLES) + r")\b")
_COMMENT = re.compile(r"--[^\n]*")


def definition(name: str) -> str:
    from fullfunnel import db

    return db.query_text(f"{FACTS_DIR}/{name}")


def used_in(sql: str) -> list[str]:
    """The fact tables a query reads, and those their definitions read, in build order."""
    found: set[str] = set()
    todo = set(_NAME.findall(_COMMENT.sub("", sql)))
    while todo:
        name = todo.pop()
        found.add(name)
        todo |= set(_NAME.findall(_COMMENT.sub("", definition(name)))) - found - {name}
    return [t for t in TABLES if t in found]


def resolve(sql: str, params: dict[str, Any], built_tz: str | None, live: bool = False) -> tuple[str, dict]:
    """The query to run: as written when its facts are built for its zone, else with the definitions inlined."""
    names = used_in(sql)
    if not names:
        return sql, params
    zone = params.get("tz")
    if not live and built_tz is not None and (zone is None or zone == built_tz or
                                              not any(n in ZONED for n in names)):
        return sql, params
    ctes = ",\n".join(f"{n} as (\n{_COMMENT.sub('', definition(n)).strip()}\n)" for n in names)
    body = _COMMENT.sub("", sql).strip()
    if re.match(r"with\b", body, re.IGNORECASE):
        body = f"with {ctes},\n{body[4:].lstrip()}"
    else:
        body = f"with {ctes}\n{body}"
    # a query without a zone reads no day of a fact (e.g. the channels it has): any zone will do
    return body, {"tz": "UTC", **params, "fact_lo": None, "fact_hi": None, "fact_deals": None}


# ---------------------------------------------------------------- building


def _signature(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int, int]:
    """Row count, sum of import ids and (for tables channel rules rewrite) a hash of the channels."""
    extra = f"coalesce(sum(hash({_IN_PLACE[table]})), 0)" if table in _IN_PLACE else "0"
    n, ids, h = con.execute(f"select count(*), coalesce(sum(import_id), 0), {extra} from {table}").fetchone()
    return int(n), int(ids), int(h)


def _stored(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("select value from ff_meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    n = con.execute("select count(*) from duckdb_tables() where table_name in "
                    f"({', '.join('?' for _ in TABLES)}) and not temporary", list(TABLES)).fetchone()[0]
    return n == len(TABLES)


def _max_import(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"select coalesce(max(import_id), -1) from {table}").fetchone()[0])


def refresh(con: duckdb.DuckDBPyConnection, force: bool = False) -> list[str]:
    """Bring every fact table up to date with its definition; the names of those it rebuilt."""
    if not _has_tables(con):
        return []
    con.execute("set enable_progress_bar = false")  # a long rebuild must not draw bars into an import's output
    tz = rollups.rollup_tz(con)
    sigs = {t: _signature(con, t) for t in {i for inputs, _ in TABLES.values() for i in inputs}}
    rebuilt = []
    memo: dict = {}  # the checks below, once per write whatever the number of facts asking
    for name, (inputs, by_day) in TABLES.items():
        now = "|".join([tz if name in ZONED else "-"] + [",".join(map(str, sigs[i])) for i in inputs])
        key = f"facts_{name}"
        before = _stored(con, key)
        if not force and before is not None and before.rsplit("|", 1)[0] == now:
            continue
        skipped = False
        if not force and before is not None and (_late_sessions_only(con, before, now, inputs, memo)
                                                 or _unlinked_leads_only(con, before, now, inputs, memo)):
            skipped = True  # rows that no deal, touch or attribution of these facts can see: nothing to redo
        elif not force and before is not None and _deals_only(before, now, inputs) and _by_deal(con, name, tz, memo):
            pass
        elif (changed := None if force or before is None else _only_added(con, before, now, inputs, by_day,
                                                                          memo)) is None:
            _rebuild(con, name, tz)
        else:
            _, column = by_day
            lo, hi = con.execute(
                f"select min(timezone($tz, {column})::date), max(timezone($tz, {column})::date) "
                f"from {changed}", {"tz": tz}).fetchone()
            if lo is not None:
                con.execute(f"delete from {name} where day between $lo and $hi", {"lo": lo, "hi": hi})
                sql = definition(name)
                con.execute(f"insert into {name} {sql}", _params(sql, tz, _midnight(lo, tz),
                                                                 _midnight(hi + timedelta(days=1), tz)))
        con.execute("insert or replace into ff_meta values (?, ?)", [key, f"{now}|{_max_import_all(con, inputs)}"])
        if not skipped:
            rebuilt.append(name)
    _keep_deal_inputs(con, memo)
    for total in DEAL_SUMS:
        con.execute(f"drop table if exists before_{total}")
    for table in sigs:  # the undo's note is for this write only
        con.execute(f"drop table if exists {UNDONE.format(table=table)}")
    con.execute("insert or replace into ff_meta values (?, ?)", [TZ_KEY, tz])
    return rebuilt


def _rebuild(con: duckdb.DuckDBPyConnection, name: str, tz: str) -> None:
    """Build a fact table again from all of its inputs."""
    con.execute(f"delete from {name}")
    con.execute(f"insert into {name} {definition(name)}", _params(definition(name), tz, None, None))


# ---------------------------------------------------------------- deal by deal

# a fingerprint of what a deal's fact rows are built from: its deals row and its stage history
# (import ids left out: a deal exported again unchanged changes nothing)
_DEAL_INPUTS_NOW = """
create or replace temp table deal_inputs_now as
select d.deal_id, hash(*columns(d.* exclude (import_id)), s.fingerprint) as fingerprint,
from deals as d
left join (
    select deal_id, hash(count(*), bit_xor(hash(stage, entered_at))) as fingerprint,
    from deal_stages
    group by deal_id
) as s on s.deal_id = d.deal_id
"""

# the deals whose fingerprint changed since the facts were last brought up to date, or that came or went
_CHANGED_DEALS = """
select coalesce(n.deal_id, o.deal_id) as deal_id,
from deal_inputs_now as n
full join fact_deal_inputs as o on o.deal_id = n.deal_id
where n.fingerprint is distinct from o.fingerprint
"""


def _deals_only(before: str, now: str, inputs: tuple[str, ...]) -> bool:
    """True when, of a fact's inputs, only deals and deal_stages changed since its build (same zone)."""
    b, n = before.split("|"), now.split("|")
    if len(b) != len(inputs) + 2 or len(n) != len(inputs) + 1 or b[0] != n[0]:
        return False
    return all(b[k + 1] == n[k + 1] for k, table in enumerate(inputs) if table not in _DEAL_INPUTS)


def _changed_deals(con: duckdb.DuckDBPyConnection, memo: dict) -> list[str] | None:
    """The deals changed since the last refresh (None when no fingerprints were kept yet)."""
    if "deals" not in memo:
        con.execute(_DEAL_INPUTS_NOW)
        kept = con.execute("select count(*) from fact_deal_inputs").fetchone()[0]
        deals = con.execute("select count(*) from deal_inputs_now").fetchone()[0]
        memo["deals"] = None if not kept and deals else [r[0] for r in con.execute(_CHANGED_DEALS).fetchall()]
    return memo["deals"]


def _by_deal(con: duckdb.DuckDBPyConnection, name: str, tz: str, memo: dict) -> bool:
    """Bring a deal-keyed fact, or a sum over one, up to date for the changed deals only; False if it cannot."""
    if name not in DEAL_KEYED and name not in DEAL_SUMS:
        return False
    if name in DEAL_SUMS and ("before", name) not in memo:
        return False  # the fact it sums was rebuilt whole: so is the sum
    scope = _changed_deals(con, memo)
    if scope is None:
        return False
    memo["by_deal"] = True
    sql = definition(name)
    given = {"tz": tz, "fact_lo": None, "fact_hi": None, "fact_deals": scope}
    params = db_bind(sql, given)
    if name in DEAL_KEYED:
        # the sums over this fact: the part the changed deals made of them, before their rows change
        for total, (source, _) in DEAL_SUMS.items():
            if source == name:
                total_sql = definition(total)
                con.execute(f"create or replace temp table before_{total} as {total_sql}",
                            db_bind(total_sql, given))
                memo["before", total] = True
        con.execute(f"delete from {name} where deal_id in (select unnest($scope::varchar[]))", {"scope": scope})
        con.execute(f"insert into {name} {sql}", params)
        return True
    # a sum: add the part the changed deals make now, take away the part they made before
    value = DEAL_SUMS[name][1]
    cols = [r[0] for r in con.execute(f"describe {name}").fetchall()]
    keys = [c for c in cols if c != value]
    on = " and ".join(f"t.{k} = d.{k}" for k in keys)
    con.execute(f"create or replace temp table delta_{name} as "
                f"select {', '.join(keys)}, sum({value})::bigint as {value}, "
                f"from (select * from ({sql}) union all select * replace (-{value} as {value}) from before_{name}) "
                f"group by all having sum({value}) <> 0", params)
    con.execute(f"update {name} as t set {value} = t.{value} + d.{value} from delta_{name} as d where {on}")
    con.execute(f"insert into {name} select d.* from delta_{name} as d anti join {name} as t on {on}")
    con.execute(f"delete from {name} where {value} = 0")
    con.execute(f"drop table delta_{name}")
    con.execute(f"drop table before_{name}")
    return True


def _keep_deal_inputs(con: duckdb.DuckDBPyConnection, memo: dict) -> None:
    """Remember each deal's fingerprint for the next write: only the changed ones, or all when new."""
    if not _has_table(con, "fact_deal_inputs"):
        return
    sig = ";".join(",".join(map(str, _signature(con, t))) for t in _DEAL_INPUTS)
    if "deals" not in memo and _stored(con, "facts_deal_inputs") == sig:
        return
    scope = _changed_deals(con, memo)
    if scope is None:
        con.execute("delete from fact_deal_inputs")
        con.execute("insert into fact_deal_inputs select deal_id, fingerprint from deal_inputs_now")
    elif scope:
        con.execute("delete from fact_deal_inputs where deal_id in (select unnest($scope::varchar[]))",
                    {"scope": scope})
        con.execute("insert into fact_deal_inputs select n.deal_id, n.fingerprint from deal_inputs_now as n "
                    "where n.deal_id in (select unnest($scope::varchar[]))", {"scope": scope})
    con.execute("drop table if exists deal_inputs_now")
    con.execute("insert or replace into ff_meta values (?, ?)", ["facts_deal_inputs", sig])


def db_bind(sql: str, params: dict) -> dict:
    from fullfunnel import db

    return db.bind(sql, params)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ? and not temporary",
                            [name]).fetchone()[0])


def _midnight(day: date, tz: str) -> datetime:
    """The instant a business day starts."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(tz))


def _max_import_all(con: duckdb.DuckDBPyConnection, inputs: tuple[str, ...]) -> str:
    return ",".join(str(_max_import(con, t)) for t in inputs)


def _params(sql: str, tz: str, lo, hi) -> dict:
    from fullfunnel import db

    return db.bind(sql, {"tz": tz, "fact_lo": lo, "fact_hi": hi, "fact_deals": None})


def undone(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The temp table of the rows this write's undo took out of `table` (sign -1) and put back (+1), if any."""
    name = UNDONE.format(table=table)
    found = con.execute("select count(*) from duckdb_tables() where table_name = ? and temporary", [name]).fetchone()
    return name if found[0] else None


def _changed_rows(con: duckdb.DuckDBPyConnection, table: str, since: int) -> str:
    """The rows of `table` that differ from the build: added by imports newer than `since` (sign 1), and
    those an undo in this write removed (-1) or restored (1); a relation with the table's columns and `sign`."""
    added = f"select *, 1 as sign from {table} where import_id > {int(since)}"
    kept = undone(con, table)
    return f"({added} union all select * from {kept})" if kept else f"({added})"


def _changes(con: duckdb.DuckDBPyConnection, before: str, now: str, inputs: tuple[str, ...], table: str,
             memo: dict) -> tuple[str, int, bool] | None:
    """The changed rows of the one input `table` that changed since a fact's build, else None.

    Returns the relation, the `since` import id it is taken after, and whether its rows all have one
    sign (only added, or only removed). None unless the zone and every other input are the same and
    `table`'s signature moved by exactly its changed rows: its count, import id sum and channel hash
    are the build's plus the added and restored rows, minus the removed ones.
    """
    if table not in inputs:
        return None
    b, n = before.split("|"), now.split("|")
    if len(b) != len(inputs) + 2 or len(n) != len(inputs) + 1 or b[0] != n[0]:
        return None
    i = inputs.index(table)
    if any(b[k + 1] != n[k + 1] for k in range(len(inputs)) if k != i):
        return None
    since = int(b[-1].split(",")[i])
    if ("changes", table, since) not in memo:
        rel = _changed_rows(con, table, since)
        col = _IN_PLACE.get(table)
        h = f"coalesce(sum(sign * hash({col})::hugeint), 0)" if col else "0"
        memo["changes", table, since] = (rel, con.execute(
            f"select coalesce(sum(sign), 0), coalesce(sum(sign * import_id), 0), {h}, "
            f"count(*), count(*) filter (where sign > 0), count(*) filter (where sign < 0) from {rel}").fetchone())
    rel, (d_n, d_ids, d_h, rows, plus, minus) = memo["changes", table, since]
    b_n, b_ids, b_h = (int(x) for x in b[i + 1].split(","))
    n_n, n_ids, n_h = (int(x) for x in n[i + 1].split(","))
    if not rows or (b_n + d_n, b_ids + d_ids, b_h + d_h) != (n_n, n_ids, n_h):
        return None
    return rel, since, not (plus and minus)


def _late_sessions_only(con: duckdb.DuckDBPyConnection, before: str, now: str, inputs: tuple[str, ...],
                        memo: dict) -> bool:
    """True when only sessions changed for an attribution fact, by rows after every lead and deal.

    Attribution reads sessions only as a client's touches up to the lead (or deal) it credits, so a
    session that started after the newest lead and deal cannot change it, whether it was added (the
    usual daily import) or taken out (its undo).
    """
    if "leads" not in inputs or "deals" not in inputs:
        return False
    return _unseen(con, before, now, inputs, memo, "sessions",
                   "select min(started_at) > greatest((select max(created_at) from leads), "
                   "(select max(created_at) from deals)) from {changed}", with_since=False)


def _unseen(con: duckdb.DuckDBPyConnection, before: str, now: str, inputs: tuple[str, ...], memo: dict,
            table: str, check: str, with_since: bool) -> bool:
    """True when, of a fact's inputs, only `table` changed, by rows all added or all taken out, and
    `check` (a one-value query over those rows, named `{changed}` in it; `$since` the import id they
    come after when with_since) says the fact cannot see them. Asked once per write and check."""
    found = _changes(con, before, now, inputs, table, memo)
    if found is None or not found[2]:
        return False
    rel, since, _ = found
    if (check, since) not in memo:
        memo[check, since] = bool(con.execute(check.format(changed=rel),
                                              {"since": since} if with_since else None).fetchone()[0])
    return memo[check, since]


_UNLINKED_LEADS = """
with
new as (select lead_id, client_id, visitor_id, created_at, from {changed}),
old as (select lead_id, client_id, visitor_id, created_at, from leads where import_id is null or import_id <= $since),
won_clients as (
    select distinct coalesce(d.client_id, l.client_id) as client_id,
    from deals as d
    left join leads as l on l.lead_id = d.lead_id
    where d.status = 'won'
)
select
    -- no deal is the deal of a new lead
    not exists (select 1 from deals as d join new as n on n.lead_id = d.lead_id)
    -- a new lead of a client with a won deal came after every deal and lead, and names no visitor
    -- the client's earlier leads did not already name (its sessions would be new touches)
    and not exists (
        select 1
        from new as n
        join won_clients as w on w.client_id = n.client_id
        where n.created_at <= greatest((select max(created_at) from deals), (select max(created_at) from old))
           or (n.visitor_id is not null and not exists (
                select 1 from old as o where o.client_id = n.client_id and o.visitor_id = n.visitor_id))
    )
"""


def _unlinked_leads_only(con: duckdb.DuckDBPyConnection, before: str, now: str, inputs: tuple[str, ...],
                         memo: dict) -> bool:
    """True when only leads changed for a deal fact, by leads no deal or won client's touch can see.

    The deal facts read leads as the lead of a deal (its channel and creation) and, for attribution,
    as a won client's touches up to the deal's lead (and the visitors whose sessions are touches).
    A lead that is no deal's lead and, if its client has a won deal, came after every deal and other
    lead and names no visitor the other leads do not, changes none of them, whether it was added
    (the usual daily import of new enquiries) or taken out (its undo).
    """
    if "deals" not in inputs:
        return False
    # the other leads: those the build had, less any taken out (only one kind of change is here)
    return _unseen(con, before, now, inputs, memo, "leads", _UNLINKED_LEADS, with_since=True)


def _only_added(con: duckdb.DuckDBPyConnection, before: str, now: str, inputs: tuple[str, ...],
                by_day: tuple[str, str] | None, memo: dict) -> str | None:
    """The rows a day fact's one input gained or lost since its build, else None (rebuild all).

    True when the zone is the same and the input changed only by rows of newer imports and by the
    rows an undo in this write took out or put back (`_changes`): the fact's rows of the days those
    rows fall on are all that can differ.
    """
    if by_day is None or len(inputs) != 1:
        return None
    found = _changes(con, before, now, inputs, inputs[0], memo)
    return None if found is None else found[0]
