"""Named reports: the tables the pages show, printable by `python -m fullfunnel report NAME`.

A report is a function `(run, filters, **options) -> DataFrame`. Pages call it with the cached
Streamlit runner, the CLI with a plain `db.Reader`, so the page and the CLI cannot drift apart.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from fullfunnel import FullfunnelError, db, periods
from fullfunnel.filters import Filters, Run, build

# Modules whose import registers reports.
REPORT_MODULES = [
    "fullfunnel.reports.overview",
    "fullfunnel.reports.funnel",
    "fullfunnel.reports.roi",
    "fullfunnel.reports.channels",
    "fullfunnel.reports.traffic",
    "fullfunnel.reports.kpis",
    "fullfunnel.reports.sales",
    "fullfunnel.reports.products",
    "fullfunnel.reports.weekly",
]


@dataclass(frozen=True)
class Option:
    """A report-specific CLI option, e.g. Option("--view", choices=("cohort", "cash"), default="cohort")."""

    flag: str
    help: str
    choices: tuple[str, ...] | None = None
    default: Any = None


@dataclass(frozen=True)
class Report:
    name: str
    help: str
    func: Callable[..., pd.DataFrame]
    options: tuple[Option, ...] = field(default_factory=tuple)


REPORTS: dict[str, Report] = {}


def report(name: str, help: str, options: tuple[Option, ...] = ()):
    """Decorator: make a report function available to pages (`get(name)`) and the CLI."""

    def deco(func):
        REPORTS[name] = Report(name, help, func, tuple(options))
        return func

    return deco


def load_all() -> dict[str, Report]:
    for m in REPORT_MODULES:
        importlib.import_module(m)
    return REPORTS


def get(name: str) -> Report:
    load_all()
    return REPORTS[name]


def growth_pct(current, previous) -> float | None:
    """METRICS.md growth, (current − previous) / previous, in percent; None ("—") when previous is 0.

    |previous| in the denominator keeps the sign meaning "better/worse" for values that can be
    negative (ROMI); for counts and money it is exactly the METRICS.md formula.
    """
    if current is None or previous is None:
        return None
    if isinstance(current, float) and math.isnan(current) or isinstance(previous, float) and math.isnan(previous):
        return None
    if previous == 0:
        return None
    return 100.0 * (current - previous) / abs(previous)


# ---------------------------------------------------------------- CLI


def register(sub) -> None:
    """CLI hook: add `report NAME ...` with one sub-command per registered report."""
    _register_cli(sub)


def _register_cli(sub) -> None:
    from fullfunnel.cli import add_db_option

    load_all()
    rp = sub.add_parser(
        "report", help="print a report table (the same table a page shows) as CSV or JSON",
        description="Print a report as CSV (default) or JSON. Period: --preset or --from/--to "
        "(dates inclusive, business time zone).",
    )
    rsub = rp.add_subparsers(dest="report", metavar="NAME", required=True)
    for r in sorted(REPORTS.values(), key=lambda r: r.name):
        text = r.help.replace("%", "%%")  # argparse formats help with %; "change in %" must print as is
        p = rsub.add_parser(r.name, help=text, description=text)
        add_db_option(p)
        p.add_argument("--preset", default="last_30_days", choices=periods.PRESETS[:-1],
                       help="period preset (default: last_30_days); ignored when --from/--to are given")
        p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day of the period")
        p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day of the period (default: yesterday)")
        p.add_argument("--grain", default="day", choices=periods.GRAINS)
        p.add_argument("--compare", default="previous", choices=periods.COMPARES)
        p.add_argument("--channel", action="append", default=[], metavar="CHANNEL",
                       help="only this channel (repeat or comma-separate for several)")
        p.add_argument("--currency", help="report currency (default: the setting, else the main one)")
        p.add_argument("--format", default="csv", choices=("csv", "json"))
        for o in r.options:
            p.add_argument(o.flag, choices=o.choices, default=o.default, help=o.help)
        p.set_defaults(func=_run_cli, report_obj=r)


def filters_from_args(args: argparse.Namespace, run: Run) -> Filters:
    channels = [c.strip() for arg in args.channel for c in arg.split(",") if c.strip()]
    if channels:
        known = set(run("meta/channels", {})["channel"])
        unknown = [c for c in channels if c not in known]
        if unknown:
            shown = ", ".join(sorted(known)[:15]) or "none yet"
            raise FullfunnelError(f"There is no channel {', '.join(unknown)} in the data; known channels: {shown}.")
    start = periods.parse_date(args.date_from, "--from date") if args.date_from else None
    end = periods.parse_date(args.date_to, "--to date") if args.date_to else None
    return build(run, preset="custom" if (start or end) else args.preset, start=start, end=end,
                 grain=args.grain, compare=args.compare, channels=channels, currency=args.currency)


def _run_cli(args: argparse.Namespace) -> int:
    reader = db.Reader(args.db)
    run = reader.query
    f = filters_from_args(args, run)
    r: Report = args.report_obj
    opts = {o.flag.lstrip("-").replace("-", "_"): getattr(args, o.flag.lstrip("-").replace("-", "_"))
            for o in r.options}
    df = r.func(run, f, **opts)
    write(df, args.format, sys.stdout)
    return 0


def write(df: pd.DataFrame, fmt: str, out) -> None:
    if fmt == "json":
        records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        json.dump(records, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:   # names come from imported files: a cell a spreadsheet would run as a formula stays text
        from fullfunnel import export

        export.safe(df).to_csv(out, index=False, date_format="%Y-%m-%d")


__all__ = ["Option", "Report", "REPORTS", "report", "get", "load_all", "growth_pct", "FullfunnelError"]
