"""End-to-end ROI ("сквозная аналитика"): every ruble from ad spend to revenue, per channel and campaign.

The numbers come from queries/roi/channel_campaign_roi.sql (attribution included); this module
picks its options, reads the margin setting and shapes the table the page and the CLI show.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd

from fullfunnel import FullfunnelError
from fullfunnel.filters import Filters, Run, settings
from fullfunnel.reports import Option, growth_pct, report

BY = ("channel", "campaign")
MODELS = ("last_non_direct", "first", "linear")
VIEWS = ("cohort", "cash")
# With no cost of goods known, gross profit = revenue (margin 100 %): nothing is invented, and the
# page says so until a margin is set (settings key margin_pct, or --margin-pct).
DEFAULT_MARGIN_PCT = 100.0
TOTAL = "total"
QUERY = "roi/channel_campaign_roi"

COLUMNS = [
    "channel", "campaign", "spend", "impressions", "clicks", "ctr_pct", "cpc", "sessions", "leads",
    "target_leads", "won_deals", "new_clients", "revenue", "gross_profit", "cpl", "cpo", "cac",
    "romi_pct", "profit_romi_pct", "roas", "drr_pct",
]
# Columns that add up: the total row is their sum. Every other column is a ratio of these.
ADDITIVE = ["spend", "impressions", "clicks", "sessions", "leads", "target_leads", "won_deals",
            "new_clients", "revenue", "gross_profit"]
# column → unit, for the display layer
UNITS = {
    "spend": "money", "impressions": "count", "clicks": "count", "ctr_pct": "pct", "cpc": "money",
    "sessions": "count", "leads": "count", "target_leads": "count", "won_deals": "share",
    "new_clients": "share", "revenue": "money", "gross_profit": "money", "cpl": "money",
    "cpo": "money", "cac": "money", "romi_pct": "pct", "profit_romi_pct": "pct", "roas": "ratio",
    "drr_pct": "pct",
}
# Cost per unit: lower is better (for colouring changes).
LOWER_IS_BETTER = {"cpc", "cpl", "cpo", "cac", "drr_pct"}


class BadMargin(FullfunnelError):
    pass


def margin_pct(run: Run, given=None) -> tuple[float, str]:
    """The gross margin in % and where it came from: 'option', 'setting' or 'default'."""
    if given is not None and str(given).strip() != "":
        return _parse_margin(given, "--margin-pct"), "option"
    value = settings(run).get("margin_pct")
    if value is not None and str(value).strip() != "":
        return _parse_margin(value, "the margin_pct setting"), "setting"
    return DEFAULT_MARGIN_PCT, "default"


def _parse_margin(value, what: str) -> float:
    text = str(value).strip().rstrip("%").strip().replace(",", ".")
    try:
        x = float(text)
    except ValueError:
        raise BadMargin(f"The margin in {what} ({value!r}) is not a number; give a percentage from 0 to 100, e.g. 35.") from None
    if math.isnan(x) or not 0 <= x <= 100:
        raise BadMargin(f"The margin in {what} ({value!r}) must be a percentage from 0 to 100.")
    return x


def _params(run: Run, f: Filters, by: str, attribution: str, view: str, margin, bucketed: bool,
            won_by: date | None = None, whole: bool = False) -> dict:
    if by not in BY:
        raise FullfunnelError(f"Unknown grouping {by!r}: use one of {', '.join(BY)}.")
    if attribution not in MODELS:
        raise FullfunnelError(f"Unknown attribution model {attribution!r}: use one of {', '.join(MODELS)}.")
    if view not in VIEWS:
        raise FullfunnelError(f"Unknown view {view!r}: use one of {', '.join(VIEWS)}.")
    m, _ = margin_pct(run, margin)
    return f.params(by=by, attribution=attribution, view=view, margin_pct=m, bucketed=bucketed, won_by=won_by,
                    whole=whole)


OPTIONS = (
    Option("--by", "one row per channel (default) or per channel × campaign", choices=BY, default="channel"),
    Option("--attribution", "who gets the revenue: last_non_direct (default), first touch or linear",
           choices=MODELS, default="last_non_direct"),
    Option("--view", "cohort (default): deals of leads created in the period; cash: deals won in the period",
           choices=VIEWS, default="cohort"),
    Option("--margin-pct", "gross margin in %% for deals without order costs "
           f"(default: the margin_pct setting, else {DEFAULT_MARGIN_PCT:g})"),
)


@report(
    "roi",
    "end-to-end ROI per channel or campaign: spend … revenue, gross profit, CPL, CPO, CAC, ROMI, "
    "ROAS, ДРР; last row 'total' = sum of the rows",
    options=OPTIONS,
)
def roi(run: Run, f: Filters, by: str = "channel", attribution: str = "last_non_direct",
        view: str = "cohort", margin_pct: float | str | None = None, won_by: date | None = None) -> pd.DataFrame:
    """One row per channel (or channel × campaign), then a 'total' row whose additive columns are the sums.
    won_by: count only the deals won by that day (a comparison cohort at the same age)."""
    if by == "channel" and won_by is None:
        # the run roi_trend makes (buckets and the whole period at once): the ROI page reads it once
        df = _trend_run(run, f, attribution, view, margin_pct)
        df = df[df["is_whole"]]
    else:
        df = run(QUERY, _params(run, f, by, attribution, view, margin_pct, bucketed=False, won_by=won_by))
    rows = df[~df["is_total"]]
    total = df[df["is_total"]]
    out = pd.concat([rows, total], ignore_index=True)[COLUMNS]
    return out.reset_index(drop=True)


def _trend_run(run: Run, f: Filters, attribution: str, view: str, margin_pct) -> pd.DataFrame:
    return run(QUERY, _params(run, f, "channel", attribution, view, margin_pct, bucketed=True, whole=True))


@report(
    "roi_trend",
    "spend, revenue, gross profit and ROMI per bucket of the chosen grain and channel "
    "(channel 'total' = all channels)",
    options=OPTIONS[1:],
)
def roi_trend(run: Run, f: Filters, attribution: str = "last_non_direct", view: str = "cohort",
              margin_pct: float | str | None = None) -> pd.DataFrame:
    """One row per bucket × channel with spend or revenue, plus a 'total' row for every bucket."""
    df = _trend_run(run, f, attribution, view, margin_pct)
    df = df[~df["is_whole"]]
    cols = ["bucket", "channel", "spend", "revenue", "gross_profit", "won_deals", "romi_pct",
            "profit_romi_pct", "roas"]
    return df[cols].reset_index(drop=True)


def with_change(current: pd.DataFrame, previous: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """The current table with `<column>_change_pct` = growth vs the same row of the previous table."""
    out = current.copy()
    if previous is None:
        for c in columns:
            out[f"{c}_change_pct"] = float("nan")
        return out
    prev = previous.set_index(["channel", "campaign"])
    for c in columns:
        before = [prev[c].get((ch, ca)) if (ch, ca) in prev.index else None
                  for ch, ca in zip(out["channel"], out["campaign"])]
        out[f"{c}_change_pct"] = [
            growth_pct(_num(now), _num(b)) for now, b in zip(out[c], before)
        ]
        out[f"{c}_change_pct"] = out[f"{c}_change_pct"].astype("float64")
    return out


def _num(x):
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def status(row) -> str:
    """How a row's money and results meet: profitable, unprofitable, no_results (spend, nothing
    tracked), unknown (revenue whose channel is not known), organic (visits, leads or revenue without
    spend), empty."""
    spend, revenue, leads = _num(row["spend"]) or 0.0, _num(row["revenue"]) or 0.0, _num(row["leads"]) or 0.0
    if spend > 0:
        if revenue == 0 and leads == 0:
            return "no_results"
        return "profitable" if revenue >= spend else "unprofitable"
    if row["channel"] == "unknown" and (revenue > 0 or leads > 0):
        return "unknown"
    if revenue > 0 or leads > 0 or (_num(row.get("sessions")) or 0.0) > 0:
        return "organic"
    return "empty"


def nested(by_channel: pd.DataFrame, by_campaign: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table the page shows: each channel row, then (if given) its campaign rows, the total last.

    Adds `level`: 0 channel, 1 campaign, 2 total. Numbers are not recomputed: campaign rows add up
    to their channel row by construction of the query.
    """
    body = by_channel[by_channel["channel"] != TOTAL].assign(level=0)
    total = by_channel[by_channel["channel"] == TOTAL].assign(level=2)
    if by_campaign is None:
        return pd.concat([body, total], ignore_index=True)
    camps = by_campaign[by_campaign["channel"] != TOTAL].assign(level=1)
    parts = []
    for i in range(len(body)):
        parts.append(body.iloc[[i]])
        parts.append(camps[camps["channel"] == body["channel"].iloc[i]])
    parts.append(total)
    return pd.concat(parts, ignore_index=True)


def export(table: pd.DataFrame, kind: str) -> bytes:
    """The shown table as a CSV (UTF-8 with BOM, so Excel opens Cyrillic right) or XLSX file."""
    from fullfunnel import export as xp

    if kind == "csv":
        return xp.csv_bytes(table)
    if kind == "xlsx":
        return xp.xlsx_bytes(table, "ROI", freeze="B2")
    raise ValueError(f"unknown export kind {kind!r}")
