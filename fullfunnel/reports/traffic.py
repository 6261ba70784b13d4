"""Web traffic (METRICS.md "Web traffic"): sessions, visitors, depth, duration, bounces, exits.

All numbers come from queries/traffic/metrics.sql, which reads the import-time rollup of raw
sessions (fullfunnel/rollups.py) or, when only daily aggregates were imported, those aggregates.
"""
from __future__ import annotations

import pandas as pd

from fullfunnel import FullfunnelError, periods
from fullfunnel.filters import Filters, Run, settings
from fullfunnel.reports import Option, growth_pct, report

BOUNCE_DEFINITIONS = ("metrica", "ga4")
BREAKDOWNS = ("channel", "landing_page")
METRICS = ("sessions", "visitors", "pageviews_per_session", "avg_duration_s", "bounce_rate_pct",
           "exit_without_conversion_pct")
# metric → unit, for the display layer
UNITS = {"sessions": "count", "visitors": "count", "pageviews_per_session": "ratio",
         "avg_duration_s": "seconds", "bounce_rate_pct": "pct", "exit_without_conversion_pct": "pct"}
# lower is better for these (the page colours their change the other way round)
INVERSE = {"bounce_rate_pct", "exit_without_conversion_pct"}


def bounce_definition(run: Run, bounce: str | None = None) -> str:
    """The bounce definition in use: the explicit choice, else the `bounce_definition` setting, else Metrica."""
    choice = (bounce or settings(run).get("bounce_definition") or "metrica").strip().lower()
    if choice not in BOUNCE_DEFINITIONS:
        raise FullfunnelError(
            f"Unknown bounce definition {choice!r}; use one of: {', '.join(BOUNCE_DEFINITIONS)}.")
    return choice


def rollup_tz(run: Run) -> str | None:
    """The time zone the traffic rollup's days are in (None when it was never built)."""
    df = run("traffic/rollup_state", {})
    if not len(df) or not isinstance(df["signature"].iloc[0], str):
        return None
    return df["signature"].iloc[0].split("|")[1]


def _presence(run: Run) -> dict[str, int]:
    df = run("meta/data_presence", {})
    return dict(zip(df["kind"], df["rows_n"].astype(int)))


def _check_tz(run: Run, f: Filters) -> None:
    tz = rollup_tz(run)
    if tz is not None and tz != f.tz and _presence(run).get("sessions", 0):
        raise FullfunnelError(
            f"Site traffic was grouped into days in the {tz} time zone when it was imported, but the "
            f"report asks for {f.tz}; set the business time zone to {f.tz} in the settings (or run "
            f"the report with that zone) and the traffic is regrouped on the next import.")


def metrics(run: Run, f: Filters, by: str | None = None, bounce: str | None = None,
            whole: bool = False) -> pd.DataFrame:
    """The raw result of queries/traffic/metrics.sql for the filters (see its header): per bucket, or
    with whole=True per breakdown value over the whole period."""
    if by is not None and by not in BREAKDOWNS:
        raise FullfunnelError(f"Traffic can be broken down by {' or '.join(BREAKDOWNS)}, not {by!r}.")
    _check_tz(run, f)
    df = run("traffic/metrics", f.params(dim=by or "none", bounce=bounce_definition(run, bounce), whole=whole))
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.date
    return df


def _series(df: pd.DataFrame, f: Filters, by: str | None) -> pd.DataFrame:
    """Per-bucket rows; without a breakdown every bucket of the period is present (zeros)."""
    rows = df.copy()
    cols = ["bucket"] + ([by] if by else []) + list(METRICS)
    rows = rows.rename(columns={"dim": by}) if by else rows
    if by:
        return rows[cols].reset_index(drop=True)
    full = pd.DataFrame({"bucket": periods.buckets(f.period, f.grain)})
    out = full.merge(rows[cols], on="bucket", how="left")
    out["sessions"] = out["sessions"].fillna(0).astype("int64")
    out["visitors"] = out["visitors"].fillna(0).astype("int64")
    return out[cols]


@report("traffic", "site traffic per bucket: bucket, sessions, visitors, pageviews_per_session, "
        "avg_duration_s, bounce_rate_pct, exit_without_conversion_pct (+ channel or landing_page with --by)",
        options=(Option("--by", "break down by channel or landing page", choices=BREAKDOWNS),
                 Option("--bounce", "bounce definition (default: the bounce_definition setting, else metrica)",
                        choices=BOUNCE_DEFINITIONS)))
def traffic(run: Run, f: Filters, by: str | None = None, bounce: str | None = None) -> pd.DataFrame:
    """One row per bucket (× channel or landing page); visitors are distinct within each bucket."""
    return _series(metrics(run, f, by, bounce), f, by)


def _totals(run: Run, f: Filters, by: str | None, bounce: str | None) -> pd.DataFrame:
    return metrics(run, f, by, bounce, whole=True).drop(columns="bucket").reset_index(drop=True)


@report("traffic-summary", "site traffic over the whole period with its change: metric, value, previous, "
        "change_pct, visitors_kind, source (visitors are distinct over the whole period)",
        options=(Option("--bounce", "bounce definition (default: the bounce_definition setting, else metrica)",
                        choices=BOUNCE_DEFINITIONS),))
def traffic_summary(run: Run, f: Filters, bounce: str | None = None) -> pd.DataFrame:
    """One row per traffic metric for the period, vs the comparison period (growth in %)."""
    cur = _totals(run, f, None, bounce)
    cmp = f.comparison_period
    prev = _totals(run, f.shifted(cmp), None, bounce) if cmp else None

    def pick(df, m):
        return float(df[m].iloc[0]) if df is not None and len(df) and pd.notna(df[m].iloc[0]) else None

    have = _presence(run)
    imported = bool(have.get("sessions") or have.get("traffic"))
    rows = []
    for m in METRICS:
        v, p = pick(cur, m), (pick(prev, m) if cmp else None)
        if imported and m in ("sessions", "visitors"):  # imported, but none in the period: zero, not "—"
            v = 0.0 if v is None else v
            p = 0.0 if (cmp and p is None) else p
        rows.append({"metric": m, "value": v, "previous": p, "change_pct": growth_pct(v, p)})
    out = pd.DataFrame(rows)
    for c in ("value", "previous", "change_pct"):
        out[c] = out[c].astype("float64")
    out["visitors_kind"] = ("visitors" if have.get("sessions") else "visitor_days") if imported else None
    out["source"] = ("sessions" if have.get("sessions") else "traffic") if imported else None
    return out


@report("traffic-breakdown", "site traffic per channel or landing page over the whole period: "
        "channel|landing_page, sessions, visitors (distinct over the period), ... with --by",
        options=(Option("--by", "break down by channel (default) or landing page", choices=BREAKDOWNS,
                        default="channel"),
                 Option("--bounce", "bounce definition (default: the bounce_definition setting, else metrica)",
                        choices=BOUNCE_DEFINITIONS)))
def traffic_breakdown(run: Run, f: Filters, by: str = "channel", bounce: str | None = None) -> pd.DataFrame:
    """One row per channel (or landing page) over the whole period, most sessions first."""
    df = _totals(run, f, by, bounce).rename(columns={"dim": by})
    return df[[by] + list(METRICS)].reset_index(drop=True)
