"""Sales team (METRICS.md "Sales team", "Leads", "Deals and the funnel", "Clients, revenue, money"):
the head of sales' table of managers, won deals over time per manager and the plan pace.

Per manager: calls and meetings (activities in the period), leads taken (leads assigned to the
manager and created in the period), deals won and revenue (by closed_at, in the report currency),
average check = revenue / won deals, lead → won conversion = leads taken in the period that have
a won deal by now / leads taken (a cohort number: it grows while the period's leads mature), and
plan vs fact.

Plan: `plans` rows with metric 'revenue' per manager (no channel), one per month. For any period
the plan is **prorated by day**: each overlapping month contributes its value × (days of the month
inside the period / days in the month). A whole calendar month gets exactly its plan; "last 7
days" gets about a quarter of it. Plans carry no currency and are read in the report currency.
Pace forecast (current month) = revenue so far × days in month / days elapsed (complete days: up to
yesterday, as on the Marketer KPIs page); none before the 7th complete day.

The channel filter does not apply here: calls, meetings and plans belong to managers, not channels.
Leads and won deals without a manager form their own row, so the team total equals the sum of
the rows and the Overview's totals.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd

from fullfunnel import periods
from fullfunnel.filters import Filters, Run
from fullfunnel.reports import Option, growth_pct, report

COLUMNS = ["manager", "calls", "meetings", "leads", "won_deals", "revenue", "avg_check", "lead_to_won_pct",
           "revenue_plan", "plan_pct"]
# Table metrics with units for the display layer.
UNITS = {"calls": "count", "meetings": "count", "leads": "count", "won_deals": "count", "revenue": "money",
         "avg_check": "money", "lead_to_won_pct": "pct", "revenue_plan": "money", "plan_pct": "pct"}
# Metrics compared with the comparison period (a plan is not a performance, so no change for it).
CHANGED = ["calls", "meetings", "leads", "won_deals", "revenue", "avg_check", "lead_to_won_pct"]
ADDITIVE = {"calls", "meetings", "leads", "won_deals", "revenue"}
NO_MANAGER = "(no manager)"
TOTAL = "(total)"
PACE_COLUMNS = ["manager", "month", "days_elapsed", "days_in_month", "revenue_so_far", "forecast",
                "revenue_plan", "fact_pct", "forecast_pct"]
SERIES_MEASURES = ("revenue", "won_deals")


def team(run: Run, f: Filters) -> pd.DataFrame:
    """queries/sales/team.sql for the filters: manager rows ('' = no manager) then the total row
    (manager None, is_total True); all columns of its header."""
    return run("sales/team", f.params())


def team_with_change(run: Run, f: Filters) -> pd.DataFrame:
    """`team` plus, per metric in CHANGED, `<metric>_prev` and `<metric>_change_pct` vs the comparison period."""
    cur = team(run, f)
    cmp = f.comparison_period
    prev = team(run, f.shifted(cmp)) if cmp else cur.iloc[0:0]
    key = "_key"
    cur[key] = _keys(cur)
    prev = prev.assign(**{key: _keys(prev)})[[key] + CHANGED].rename(columns={m: f"{m}_prev" for m in CHANGED})
    out = cur.merge(prev, on=key, how="left").drop(columns=key)
    for m in CHANGED:
        p = out[f"{m}_prev"]
        if cmp and m in ADDITIVE:
            p = p.fillna(0)  # a manager absent from the comparison period had none of these there
            out[f"{m}_prev"] = p
        out[f"{m}_change_pct"] = pd.Series(
            [growth_pct(_num(c), _num(q)) for c, q in zip(out[m], p)], index=out.index, dtype="float64")
    return out


def _keys(df: pd.DataFrame) -> list[str]:
    return ["\0total" if t else m for m, t in zip(df["manager"], df["is_total"])]


def _num(x):
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


@report("sales-team", "sales team, one row per manager (then '(no manager)' and the '(total)' row): manager, "
        "calls, meetings, leads, won_deals, revenue, avg_check, lead_to_won_pct, revenue_plan, plan_pct "
        "(plan prorated by day over the months the period overlaps)")
def sales_team(run: Run, f: Filters) -> pd.DataFrame:
    """One row per manager, most revenue first; leads/deals without a manager; the team total last."""
    df = team(run, f)
    df["manager"] = [TOTAL if t else (m or NO_MANAGER) for m, t in zip(df["manager"], df["is_total"])]
    return df[COLUMNS].reset_index(drop=True)


def won_over_time(run: Run, f: Filters) -> pd.DataFrame:
    """queries/sales/won_by_period.sql: bucket × manager with won_deals and revenue."""
    df = run("sales/won_by_period", f.params())
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.date
    return df


def plan_by_month(run: Run, f: Filters) -> pd.DataFrame:
    """queries/sales/plan_by_month.sql: the team's revenue plan per month of the period (prorated)."""
    df = run("sales/plan_by_month", f.params())
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.date
    return df


@report("sales-by-period", "won deals per bucket of the chosen grain and manager: bucket, manager, "
        "won_deals, revenue")
def sales_by_period(run: Run, f: Filters) -> pd.DataFrame:
    """Every bucket × every manager with a win in the period (zeros elsewhere)."""
    df = won_over_time(run, f)
    df["manager"] = df["manager"].replace("", NO_MANAGER)
    return df[["bucket", "manager", "won_deals", "revenue"]]


def pace(run: Run, f: Filters, today: date | None = None) -> pd.DataFrame:
    """queries/sales/pace.sql for the month of `today` (default: today in the business time zone)."""
    today = today or periods.today_in(f.tz)
    df = run("sales/pace", {"today": today, "tz": f.tz, "currency": f.currency,
                            "min_days": periods.MIN_PACE_DAYS})
    df["month"] = pd.to_datetime(df["month"]).dt.date
    return df


@report("sales-pace", "this month's revenue plan pace per manager (then the '(total)' row): manager, month, "
        "days_elapsed, days_in_month, revenue_so_far, forecast, revenue_plan, fact_pct, forecast_pct; "
        "forecast = so far × days in month / days elapsed",
        options=(Option("--today", "count the month up to this day, YYYY-MM-DD (default: today)"),))
def sales_pace(run: Run, f: Filters, today: str | None = None) -> pd.DataFrame:
    """The current month's pace; the period filters are not used, only the time zone and currency."""
    day = periods.parse_date(today, "--today date") if today else None
    df = pace(run, f, day)
    df["manager"] = [TOTAL if t else (m or NO_MANAGER) for m, t in zip(df["manager"], df["is_total"])]
    return df[PACE_COLUMNS].reset_index(drop=True)
