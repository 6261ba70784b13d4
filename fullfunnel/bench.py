"""`python -m fullfunnel bench [--scale N]`: how fast the dashboard is on a big database.

Builds (or reuses) a demo database of the given scale outside the repository, then prints
  1. per page: server time of one page run under Streamlit's AppTest, cold (caches empty, as after
     a start or an import) and warm (the same page again), and the time its queries took (summed
     over the page's threads: Weekly and Funnel read their lower sections in workers, ui.ahead, so
     theirs can exceed the page's time);
  2. the peak memory of this process while it ran the pages;
  3. the database file size, and how much of it the fact tables (fullfunnel/facts.py) take;
  4. an incremental import of one day of sessions, leads, deals and spend into a copy of the big
     database (the facts and rollups included), and its undo;
  5. the import rate of 1 million native sessions rows against DuckDB's own read_csv.
Figures only, never a pass/fail: they depend on the machine and on what else runs on it.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (page file, English title) in the order the pages are listed; Import and Settings are forms.
PAGES = ["overview.py", "funnel.py", "channels.py", "traffic.py", "roi.py", "kpis.py", "products.py",
         "weekly.py", "sales_team.py", "data_health.py"]


def default_db(scale: float) -> Path:
    return Path(tempfile.gettempdir()) / f"fullfunnel_bench_scale{scale:g}.duckdb"


def ensure_demo(path: Path, scale: float, rebuild: bool) -> None:
    if path.exists() and not rebuild:
        print(f"database: {path} (reused; --rebuild to make it again)", flush=True)
        return
    print(f"building the demo at scale {scale:g} in {path} …", flush=True)
    t0 = time.perf_counter()
    # in a child process, so its memory does not count as the dashboard's
    subprocess.run([sys.executable, "-m", "fullfunnel", "demo", "--db", str(path), "--scale", f"{scale:g}"],
                   check=True, cwd=ROOT)
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)


def _mib(n_bytes: float) -> str:
    return f"{n_bytes / 1024 / 1024:,.0f} MiB"


def _scan_components_once() -> None:
    """AppTest looks for Streamlit components in every installed package on each run (0.3–0.7 s
    here); a running server does that once, at start. So does the bench: it is no page's time."""
    import functools

    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # a Streamlit without v2 components does not scan
        return
    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def _compile_once() -> None:
    """AppTest compiles app.py and the page afresh on every run (a new script cache per run); a running
    server compiles each script once and keeps its bytecode until the file changes. So does the bench:
    one cache for all runs, compiling is no page's time (~50 ms of a warm run otherwise)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    if local_script_runner.ScriptCache is ScriptCache:
        shared = ScriptCache()
        local_script_runner.ScriptCache = app_test.ScriptCache = lambda: shared


def bench_pages(path, repeat_warm: int = 2, detail: int = 0,
                pages: list[str] | None = None) -> list[tuple[str, float, float, float, float]]:
    """(page, cold ms, warm ms, cold SQL ms, warm SQL ms) per page."""
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from fullfunnel import db, ui

    # AppTest runs without a server: Streamlit says so on every run ("missing ScriptRunContext",
    # "No runtime found"); not the page's doing, and it buries the figures
    class _Quiet(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            text = record.getMessage()
            return "missing ScriptRunContext" not in text and "No runtime found" not in text

    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).addFilter(_Quiet())
    os.environ["FULLFUNNEL_DB"] = str(path)
    _scan_components_once()
    _compile_once()
    spent = [0.0]
    drawn = [0.0]   # building chart specs (Altair → Vega-Lite), the other big part of a cold run
    each: list[tuple[float, str]] = []

    from fullfunnel.engines import clickhouse

    def timed(query):
        """A reader's query, also adding its time to `spent` and `each`."""
        def timed_query(self, name, params=None):
            t = time.perf_counter()
            try:
                return query(self, name, params)
            finally:
                spent[0] += time.perf_counter() - t
                each.append(((time.perf_counter() - t) * 1000, name))
        return timed_query

    query, ch_query = db.Reader.query, clickhouse.Reader.query
    db.Reader.query, clickhouse.Reader.query = timed(query), timed(ch_query)
    spec = ui._spec

    def timed_spec(*args, **kwargs):
        t = time.perf_counter()
        try:
            return spec(*args, **kwargs)
        finally:
            drawn[0] += time.perf_counter() - t

    ui._spec = timed_spec

    def once(page: str) -> tuple[float, float, float]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.switch_page(f"pages/{page}")
        spent[0] = drawn[0] = 0.0
        each.clear()
        t = time.perf_counter()
        at.run()
        ms = (time.perf_counter() - t) * 1000
        if at.exception:
            raise SystemExit(f"{page} failed: {at.exception[0].message}")
        return ms, spent[0] * 1000, drawn[0] * 1000

    out = []
    try:
        once("overview.py")  # import streamlit, altair and the pages once; open the file
        for page in pages or PAGES:
            # what an import does: a new file stamp (cached results unused), new data (every chart
            # built again) and a new connection
            st.cache_resource.clear()
            ui.clear_cache()
            cold, cold_sql, cold_charts = once(page)
            slowest = sorted(each, reverse=True)[:detail]
            warm, warm_sql, _ = min(once(page) for _ in range(repeat_warm))
            out.append((page, cold, warm, cold_sql, warm_sql))
            print(f"  {page:<16} cold {cold:7.0f} ms (SQL {cold_sql:5.0f}, charts {cold_charts:4.0f})   "
                  f"warm {warm:6.0f} ms (SQL {warm_sql:4.0f})", flush=True)
            for ms, name in slowest:
                print(f"      {ms:7.0f} ms  {name}", flush=True)
    finally:
        db.Reader.query = query
        clickhouse.Reader.query = ch_query
        ui._spec = spec
    return out


# one day after the newest data: every kind, copied from the newest day of the database with new ids
_DAY_EXPORTS = {
    "sessions": """
        select 'B' || session_id as session_id, visitor_id,
            strftime(timezone($tz, started_at) + interval 1 day, '%Y-%m-%d %H:%M:%S') as started_at,
            pageviews, duration_s, channel, source, medium, campaign, landing_page, converted::int as converted,
        from sessions where timezone($tz, started_at)::date = $day""",
    "leads": """
        select 'B' || lead_id as lead_id,
            strftime(timezone($tz, created_at) + interval 1 day, '%Y-%m-%d %H:%M:%S') as created_at,
            channel, source, medium, campaign, client_id, visitor_id, qualification, junk_reason, manager,
        from leads where timezone($tz, created_at)::date = $day""",
    "deals": """
        select 'B' || deal_id as deal_id,
            strftime(timezone($tz, created_at) + interval 1 day, '%Y-%m-%d %H:%M:%S') as created_at,
            stage, status, 'B' || lead_id as lead_id, client_id,
            strftime(timezone($tz, closed_at) + interval 1 day, '%Y-%m-%d %H:%M:%S') as closed_at,
            amount, currency, lost_reason, manager, pipeline,
        from deals where timezone($tz, created_at)::date = $day""",
    "spend": """
        select date + interval 1 day as date, channel, spend, campaign, impressions, clicks, currency,
        from spend where date = $day""",
}


def bench_daily_import(path: Path) -> None:
    """Import one more day of every kind into a copy of the big database, then undo it."""
    import duckdb

    from fullfunnel import db, periods
    from fullfunnel.importing import import_file, import_files
    from fullfunnel.importing.load import undo

    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        copy = Path(tmp) / "daily.duckdb"
        shutil.copyfile(path, copy)
        con = duckdb.connect(str(copy), read_only=True)
        row = con.execute("select value from settings where key = 'business_tz'").fetchone()
        tz = periods.business_tz(row[0] if row else None)
        day = con.execute("select max(timezone($tz, created_at)::date) from leads", {"tz": tz}).fetchone()[0]
        files = []
        for kind, sql in _DAY_EXPORTS.items():
            f = Path(tmp) / f"{kind}.csv"
            n = con.execute(f"select count(*) from ({sql})", db.bind(sql, {"tz": tz, "day": day})).fetchone()[0]
            if n:  # a kind with nothing on that day has no file to import
                con.execute(f"copy ({sql}) to '{f}' (header)", db.bind(sql, {"tz": tz, "day": day}))
                files.append((kind, f))
        con.close()
        # what every write pays whatever it imports: db.writer copies the whole file, changes the copy
        # and renames it over the live one (readers are never blocked), after checking the facts
        t = time.perf_counter()
        shutil.copyfile(copy, Path(tmp) / "copied.duckdb")
        copied = time.perf_counter() - t
        (Path(tmp) / "copied.duckdb").unlink()
        with db.writer(copy):
            pass  # the first write after the copy reads every block once (db.verify): not a daily cost
        t = time.perf_counter()
        with db.writer(copy):
            pass
        print(f"  an empty write: {time.perf_counter() - t:.2f} s, of which copying the "
              f"{_mib(copy.stat().st_size)} file for atomicity {copied:.2f} s", flush=True)
        print(f"  one day ({day} + 1) of each kind, into a copy of {_mib(copy.stat().st_size)}:", flush=True)
        total = 0.0
        ids = []
        for kind, f in files:
            t = time.perf_counter()
            res = import_file(f, db_file=copy, kind=kind)
            secs = time.perf_counter() - t
            total += secs
            ids.append(res.import_id)
            print(f"    {kind:<9} {res.added:>7,} rows  {secs:5.2f} s", flush=True)
        print(f"  daily incremental import, end to end: {total:.2f} s", flush=True)
        print("  their undo, newest first:", flush=True)
        total = 0.0
        for (kind, _), i in reversed(list(zip(files, ids))):
            t = time.perf_counter()
            undo(i, db_file=copy)
            secs = time.perf_counter() - t
            total += secs
            print(f"    {kind:<9} {secs:5.2f} s", flush=True)
        print(f"  undo of those {len(ids)} imports: {total:.2f} s", flush=True)
        t = time.perf_counter()
        res = import_files([f for _, f in files], db_file=copy)
        print(f"  the same {len(files)} files in one write (`import --together`): {time.perf_counter() - t:.2f} s "
              f"({sum(r.added for r in res):,} rows)", flush=True)


def bench_import_rate(rows: int) -> None:
    subprocess.run([sys.executable, "-m", "fullfunnel.importing.bench", "--rows", str(rows)], check=True, cwd=ROOT)


def fact_sizes(path: Path) -> None:
    """The file, and the part of it the fact tables (and their bookkeeping) take: what the layer added."""
    import duckdb

    from fullfunnel import facts

    con = duckdb.connect(str(path), read_only=True)
    try:
        names = list(facts.TABLES) + ["fact_deal_inputs"]
        rows = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in names}
        block = con.execute("select block_size from pragma_database_size()").fetchone()[0]
        blocks = sum(con.execute(f"select count(distinct block_id) from pragma_storage_info('{name}') "
                                 "where block_id >= 0 and persistent").fetchone()[0] for name in names)
    finally:
        con.close()
    size = path.stat().st_size
    print(f"  file: {_mib(size)}, of which the fact tables ≈ {_mib(blocks * block)} "
          f"(+{100 * blocks * block / max(size - blocks * block, 1):.1f} % over the file without them; target ≤ 25 %)",
          flush=True)
    print("  fact tables: " + ", ".join(f"{k} {v:,} rows" for k, v in rows.items()), flush=True)


def _pages(names: str | None) -> list[str] | None:
    """The pages named in --pages (e.g. 'funnel.py,roi'), in their usual order; None = every page."""
    if not names:
        return None
    wanted = {n.strip().removesuffix(".py") + ".py" for n in names.split(",") if n.strip()}
    unknown = wanted - set(PAGES)
    if unknown:
        from fullfunnel import FullfunnelError

        raise FullfunnelError(f"--pages: no page {', '.join(sorted(unknown))}; the pages are {', '.join(PAGES)}.")
    return [p for p in PAGES if p in wanted]


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("FULLFUNNEL_TZ", "Europe/Moscow")
    path = Path(args.db) if args.db else default_db(args.scale)
    only = _pages(args.pages)  # a misspelt page is refused before a demo is built for nothing
    ensure_demo(path, args.scale, args.rebuild)
    from fullfunnel import db

    db.ensure_schema(path)  # an older benchmark file gets the current schema (and its facts) first
    if args.engine == "clickhouse":
        return run_clickhouse(args, path)
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f} (other work on the machine "
          "slows every figure)", flush=True)
    print("pages (server time of one run; cold = caches empty, as after an import):", flush=True)
    pages = bench_pages(path, detail=args.detail, pages=only)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"  slowest cold {max(p[1] for p in pages):.0f} ms, slowest warm {max(p[2] for p in pages):.0f} ms "
          "(targets 300 ms and 50 ms)")
    print(f"peak memory of this process: {_mib(peak)} (target ≤ 1024 MiB)", flush=True)
    import gc

    t = time.perf_counter()
    gc.collect()
    print(f"a full garbage collection after the pages: {(time.perf_counter() - t) * 1000:.0f} ms "
          f"({len(gc.get_objects()):,} objects walked; {gc.get_freeze_count():,} set aside after the first "
          "run, ui.settle_memory)", flush=True)
    if not args.skip_browser:
        from fullfunnel.bench_browser import weekly_in_browser

        print("Weekly meeting in a real browser (navigation until drawn, by the page's clock; as the test "
              "driver saw it in brackets; target ≤ 1 s):", flush=True)
        shown = weekly_in_browser(path)
        if isinstance(shown, str):
            print(f"  not measured: {shown}", flush=True)
        else:
            for what, ms, seen in shown:
                print(f"  {ms:6.0f} ms ({seen:5.0f} ms)  {what}", flush=True)
    print("database:", flush=True)
    fact_sizes(path)
    if not args.skip_import:
        print("incremental import (target ≤ 3 s):", flush=True)
        bench_daily_import(path)
        print(f"import rate, {args.rows:,} sessions rows:", flush=True)
        bench_import_rate(args.rows)
    return 0


def run_clickhouse(args: argparse.Namespace, path: Path) -> int:
    """The same page figures with the demo's tables in ClickHouse (chdb in this process unless --ch-url)."""
    from fullfunnel.engines import clickhouse

    url = args.ch_url or f"chdb://{Path(tempfile.gettempdir()) / 'fullfunnel_bench_chdb'}?database=scale{str(args.scale).replace('.', '_')}"
    client = clickhouse.connect(url)
    have = clickhouse.schema_version(client) and client.scalar("select count() from sessions")
    if args.rebuild or not have:
        print(f"copying {path} into {clickhouse._shown(url)} …", flush=True)
        t0 = time.perf_counter()
        clickhouse.copy_from(path, url)
        print(f"  copied in {time.perf_counter() - t0:.0f} s", flush=True)
    else:
        print(f"ClickHouse database: {clickhouse._shown(url)} (reused; --rebuild to copy it again)", flush=True)
    print(f"sessions: {client.scalar('select count() from sessions'):,}", flush=True)
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f} (other work on the machine "
          "slows every figure)", flush=True)
    print("pages on ClickHouse (server time of one run; cold = caches empty, as after an import):", flush=True)
    pages = bench_pages(url, detail=args.detail)
    print(f"  slowest cold {max(p[1] for p in pages):.0f} ms, slowest warm {max(p[2] for p in pages):.0f} ms", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"peak memory of this process: {_mib(peak)} (chdb's server runs inside it)", flush=True)
    return 0


def register(sub) -> None:
    p = sub.add_parser("bench", help="print page times, memory and import speed on a big demo database",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=5.0, help="demo scale (default 5: about 10 million sessions)")
    p.add_argument("--db", metavar="PATH", help="the database to build or reuse (default: one per scale in /tmp)")
    p.add_argument("--rebuild", action="store_true", help="build the demo again even if the file exists")
    p.add_argument("--rows", type=int, default=1_000_000, help="sessions rows for the import rate (default 1M)")
    p.add_argument("--detail", type=int, default=0, metavar="N",
                   help="also print the N slowest queries of each page's cold run")
    p.add_argument("--pages", metavar="LIST", help="only these pages, comma-separated (e.g. funnel.py,roi)")
    p.add_argument("--skip-import", action="store_true", help="only the pages, memory and size")
    p.add_argument("--skip-browser", action="store_true", help="without the Weekly page in Chromium")
    p.add_argument("--engine", choices=("duckdb", "clickhouse"), default="duckdb",
                   help="read the pages from the DuckDB file (default) or from the same tables in ClickHouse")
    p.add_argument("--ch-url", metavar="URL", help="with --engine clickhouse: a clickhouse:// server to use "
                   "(default: chdb in this process, in a folder in /tmp)")
    p.set_defaults(func=run)
