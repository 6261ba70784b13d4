"""`python -m fullfunnel.importing.bench [--rows N]`: import speed next to DuckDB's own read_csv.

Writes a native sessions CSV (1 000 000 rows by default) to a temporary folder, then times
  1. DuckDB `read_csv` of the file into a table of a fresh database file (the yardstick);
  2. `python -m fullfunnel import` of the same file into a fresh database (checks, channel rules,
     natural keys, archive, import log, the traffic rollup, checkpoint and atomic swap included).
Prints rows per second of each and their ratio, with the traffic rollup (fullfunnel/rollups.py,
rebuilt by every write that changes sessions) shown apart. Not a test: numbers depend on the
machine and on what else runs on it; run it twice.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import duckdb

GENERATE = """
copy (
    select
        'S' || i as session_id,
        'V' || (i % 300000) as visitor_id,
        strftime(timestamp '2026-01-01' + to_seconds(i * 17), '%Y-%m-%d %H:%M:%S') as started_at,
        1 + i % 7 as pageviews,
        (i * 37) % 900 as duration_s,
        null::varchar as channel,
        ['yandex', 'google', 'vk', '', 'facebook'][1 + i % 5] as source,
        ['cpc', 'organic', 'cpm', '', 'paid'][1 + i % 5] as medium,
        'campaign_' || (i % 40) as campaign,
        '/page/' || (i % 200) as landing_page,
        (i % 23 = 0)::int as converted,
    from range({rows}) as t(i)
) to '{path}' (header, delimiter ',')
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fullfunnel.importing.bench", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    args = p.parse_args(argv)
    os.environ.setdefault("FULLFUNNEL_TZ", "Europe/Moscow")
    from fullfunnel.importing import import_file

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sessions.csv"
        con = duckdb.connect()
        con.execute(GENERATE.format(rows=args.rows, path=csv))
        con.close()
        size = csv.stat().st_size / 1024 / 1024
        print(f"file: {args.rows:,} native sessions rows, {size:.0f} MB", flush=True)

        t0 = time.perf_counter()
        con = duckdb.connect(str(Path(tmp) / "yardstick.duckdb"))
        con.execute(f"create table sessions as select * from read_csv('{csv}')")
        con.execute("checkpoint")
        con.close()
        base = time.perf_counter() - t0

        # time the traffic rollup the writer rebuilds after every sessions import, to show it apart
        from fullfunnel import rollups

        spent = [0.0]
        refresh = rollups.refresh

        def timed_refresh(con):
            t = time.perf_counter()
            refresh(con)
            spent[0] += time.perf_counter() - t

        rollups.refresh = timed_refresh
        try:
            t0 = time.perf_counter()
            res = import_file(csv, db_file=Path(tmp) / "ff.duckdb")
            ours = time.perf_counter() - t0
        finally:
            rollups.refresh = refresh
        assert res.added == args.rows, (res.added, res.rejected)

    rollup = spent[0]
    print(f"DuckDB read_csv → table:        {base:6.2f} s  {args.rows / base:>12,.0f} rows/s")
    print(f"fullfunnel import:              {ours:6.2f} s  {args.rows / ours:>12,.0f} rows/s"
          f"   ({base / ours:.2f} of read_csv's speed)")
    print(f"  of which the traffic rollup:  {rollup:6.2f} s")
    print(f"  import without the rollup:    {ours - rollup:6.2f} s  {args.rows / (ours - rollup):>12,.0f} rows/s"
          f"   ({base / (ours - rollup):.2f} of read_csv's speed)")
    print("target: at least 0.50 of read_csv's speed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
