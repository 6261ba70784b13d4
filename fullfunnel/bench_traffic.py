"""Benchmark: traffic query times on a big site (default 10 million sessions).

    python -m fullfunnel.bench_traffic [--sessions 10000000] [--db /tmp/fullfunnel_bench_traffic.duckdb] [--rebuild]

Generates its own database (outside the repository) through `db.writer`, so the import-time
rollup (fullfunnel/rollups.py) is built exactly as on a real import, then times every traffic
report the Traffic page runs, and for contrast the same distinct-visitor count on raw sessions.
Prints one line per query: median and worst of a few runs, in milliseconds.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from fullfunnel import db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get

DEFAULT_DB = "/tmp/fullfunnel_bench_traffic.duckdb"
END = date(2026, 11, 28)
DAYS = 365
TZ = "Europe/Moscow"

# A year of visits: ~40 % of visitors come back, 9 channels with a skew, 500 landing pages,
# pageviews 1–10 skewed to 1, durations 0–30 min, ~3 % convert.
_GENERATE = """
insert into settings values ('business_tz', 'Europe/Moscow'), ('currency', 'RUB');
insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, source,
                      medium, campaign, landing_page, converted, import_id)
select
    's' || i,
    'v' || (hash(i * 7919) % ($n * 0.6)::bigint),
    $end::timestamptz - to_seconds((hash(i) % ($days * 86400))::bigint),
    (1 + floor(pow((hash(i * 3) % 1000) / 1000.0, 3) * 10))::integer,
    (hash(i * 5) % 1800)::integer * ((hash(i * 11) % 3) > 0)::integer,
    ['yandex_direct', 'google_ads', 'vk_ads', 'seo', 'seo', 'seo', 'direct', 'direct', 'email',
     'referral', 'social', 'telegram_ads'][(1 + hash(i * 13) % 12)::bigint],
    null, null, null,
    '/page/' || (hash(i * 17) % 500),
    (hash(i * 19) % 100) < 3,
    1,
from range($n) as r(i)
"""


def build(path: Path, n: int) -> float:
    """Create the benchmark database with n sessions; seconds spent (rollup included)."""
    t0 = time.perf_counter()
    with db.writer(path, fresh=True) as con:
        con.execute(_GENERATE, {"n": n, "days": DAYS, "end": f"{END.isoformat()} 23:59:59+03"})
    return time.perf_counter() - t0


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fullfunnel.bench_traffic", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10_000_000)
    ap.add_argument("--db", default=DEFAULT_DB)
    ap.add_argument("--rebuild", action="store_true", help="regenerate even if the database exists")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    path = Path(args.db)
    reader = db.Reader(path)
    if args.rebuild or not path.exists() or _count(reader) != args.sessions:
        reader.close()
        print(f"generating {args.sessions:,} sessions in {path} …", flush=True)
        secs = build(path, args.sessions)
        print(f"import + rollup: {secs:.1f} s", flush=True)
        reader = db.Reader(path)
    run = reader.query
    n, rollup_rows = reader.sql("select (select count(*) from sessions), (select count(*) from traffic_rollup)").iloc[0]
    print(f"sessions: {n:,}; rollup rows: {rollup_rows:,}; cores: {os.cpu_count()}; "
          f"load average (other work on the machine slows every line): {os.getloadavg()[0]:.1f}")

    def filters(days: int, grain: str = "day", compare: str = "previous") -> Filters:
        return Filters(Period(END - timedelta(days=days - 1), END), grain=grain, compare=compare, tz=TZ)

    cases = [
        ("summary, last 30 days (+ previous 30)", lambda: get("traffic-summary").func(run, filters(30))),
        ("summary, 365 days", lambda: get("traffic-summary").func(run, filters(365, compare="none"))),
        ("series by day, 30 days", lambda: get("traffic").func(run, filters(30))),
        ("series by week, 90 days", lambda: get("traffic").func(run, filters(90, "week"))),
        ("series by month, 365 days", lambda: get("traffic").func(run, filters(365, "month"))),
        ("series by day × channel, 30 days", lambda: get("traffic").func(run, filters(30), by="channel")),
        ("by channel, 30 days", lambda: get("traffic-breakdown").func(run, filters(30), by="channel")),
        ("by landing page, 30 days", lambda: get("traffic-breakdown").func(run, filters(30), by="landing_page")),
        ("by landing page, 365 days", lambda: get("traffic-breakdown").func(run, filters(365), by="landing_page")),
        ("summary GA4 bounce, 30 days", lambda: get("traffic-summary").func(run, filters(30), bounce="ga4")),
        ("summary, one channel, 90 days",
         lambda: get("traffic-summary").func(run, Filters(Period(END - timedelta(days=89), END), tz=TZ,
                                                          channels=("seo",)))),
        ("summary, three channels, 365 days (distinct count)",
         lambda: get("traffic-summary").func(run, Filters(Period(END - timedelta(days=364), END), tz=TZ,
                                                          compare="none", channels=("seo", "direct", "email")))),
        ("(contrast) raw sessions, distinct visitors 365 days",
         lambda: reader.sql("select count(distinct visitor_id) from sessions "
                            "where timezone($tz, started_at)::date between $from and $to",
                            {"tz": TZ, "from": END - timedelta(days=364), "to": END})),
    ]
    get("traffic").func(run, filters(7))  # warm the connection
    print(f"{'query':<52} {'median ms':>10} {'worst ms':>10}")
    for name, fn in cases:
        med, worst = timed(fn, args.repeat)
        print(f"{name:<52} {med:>10.0f} {worst:>10.0f}", flush=True)
    return 0


def _count(reader: db.Reader) -> int:
    try:
        return int(reader.sql("select count(*) as n from sessions")["n"].iloc[0])
    except Exception:
        return -1


if __name__ == "__main__":
    raise SystemExit(main())
