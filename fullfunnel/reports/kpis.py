"""Marketer KPIs (METRICS.md "Marketer KPIs"): monthly new clients, cost per client, leads, target CPL,
repeat purchases and positive reviews, with growth vs the previous month, plan and pace forecast.

The KPIs are monthly whatever the chosen period and grain: a report takes a month (default: the
current one) and a "today" (default: today in the business time zone; injectable for checks).
The current month counts the days of data so far — the 1st up to yesterday, today being incomplete —
and its **pace forecast** = value so far × days in the month / those days. For the current month
growth compares the forecast with the previous full month; % of plan is the value so far / plan.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from fullfunnel import FullfunnelError, periods
from fullfunnel.filters import Filters, Run
from fullfunnel.reports import Option, growth_pct, report

# KPI → unit for the display layer, in the order the page and the report list them.
UNITS = {
    "new_clients": "count", "cost_per_client": "money", "leads": "count", "target_leads": "count",
    "target_cpl": "money", "spend": "money", "repeat_purchases": "count", "positive_reviews": "count",
}
KPIS = list(UNITS)
LOWER_IS_BETTER = {"cost_per_client", "target_cpl"}
# Ratios of two monthly sums: the pace forecast leaves them as they are (both sums scale alike).
RATIOS = {"cost_per_client", "target_cpl"}
# Company-wide KPIs: reviews carry no channel, so the channel filter does not apply to them.
NOT_BY_CHANNEL = {"positive_reviews"}
# Plan metric names a user imports (plans.metric), besides the KPI names themselves.
PLAN_ALIASES = {"clients": "new_clients", "cac": "cost_per_client", "budget": "spend"}
COLUMNS = ["kpi", "value", "previous", "growth_pct", "plan", "plan_pct", "forecast"]
TREND_MONTHS = 12


@dataclass(frozen=True)
class Month:
    """A KPI month as of `today`: its first and last day and the days of data counted so far."""

    start: date
    days_in_month: int
    data_to: date        # last day counted: the month's last day, or yesterday for the current month
    today: date

    @property
    def in_progress(self) -> bool:
        return self.data_to < self.end

    @property
    def end(self) -> date:
        return periods.bucket_end(self.start, "month")

    @property
    def days_elapsed(self) -> int:
        return (self.data_to - self.start).days + 1


def parse_month(text: str) -> date:
    """'2026-11' → 2026-11-01; one clear sentence otherwise."""
    try:
        y, m = str(text).strip().split("-")
        d = date(int(y), int(m), 1)
    except (TypeError, ValueError):
        raise FullfunnelError(f"The month {text!r} is not a month like 2026-11 (YYYY-MM).") from None
    return periods.check_date(d, "month")


def add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _today(f: Filters, today) -> date:
    if today is None or today == "":
        return periods.today_in(f.tz)
    if isinstance(today, date):
        return today
    return periods.parse_date(today, "--today date")


def default_month(today: date) -> date:
    """The current month — unless today is its 1st (no full day of data yet): then the previous one."""
    return today.replace(day=1) if today.day > 1 else add_months(today.replace(day=1), -1)


def months(today: date, n: int = 24) -> list[date]:
    """The months a user can pick, newest first: the current one (from its 2nd day) and earlier ones."""
    newest = default_month(today)
    return [add_months(newest, -i) for i in range(n)]


def month_info(month, today: date) -> Month:
    """The month (a date, 'YYYY-MM' or None = the default) as of today; errors for the future."""
    start = default_month(today) if month in (None, "") else (
        month.replace(day=1) if isinstance(month, date) else parse_month(month))
    current = today.replace(day=1)
    label = start.strftime("%Y-%m")
    if start > current:
        raise FullfunnelError(f"{label} has not started yet (today is {today.isoformat()}); pick this month or an earlier one.")
    end = periods.bucket_end(start, "month")
    if start == current:
        if today.day == 1:
            raise FullfunnelError(f"{label} has no full day of data yet (today is its first day); pick an earlier month.")
        data_to = today - timedelta(days=1)
    else:
        data_to = end
    return Month(start=start, days_in_month=end.day, data_to=data_to, today=today)


def by_month_full(run: Run, f: Filters, month=None, today=None, n: int = TREND_MONTHS) -> tuple[Month, pd.DataFrame]:
    """queries/kpis/monthly.sql for the n months ending with the chosen one (all its columns), and the month."""
    m = month_info(month, _today(f, today))
    first = add_months(m.start, -(n - 1))
    df = run("kpis/monthly", f.params(**{"from": first, "to": m.data_to}))
    df["month"] = pd.to_datetime(df["month"]).dt.date
    return m, df


def plans(run: Run, f: Filters, first: date, last: date) -> pd.DataFrame:
    """queries/kpis/plans.sql: month, kpi, plan for the months first … last."""
    df = run("kpis/plans", {"from": first, "to": last, "channels": list(f.channels)})
    df["month"] = pd.to_datetime(df["month"]).dt.date
    return df


def _num(x) -> float | None:
    if x is None or x is pd.NA:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _pct(a, b) -> float | None:
    return None if a is None or b is None or b == 0 else 100.0 * a / b


def kpis_full(run: Run, f: Filters, month=None, today=None) -> tuple[Month, pd.DataFrame]:
    """One row per KPI for the month: value, previous, growth_pct, plan, plan_pct, forecast,
    forecast_plan_pct (forecast / plan), unit, lower_is_better, by_channel."""
    m, df = by_month_full(run, f, month, today, n=2)
    cur = df[df["month"] == m.start].iloc[0]
    prev_rows = df[df["month"] == add_months(m.start, -1)]
    prev = prev_rows.iloc[0] if len(prev_rows) else None
    plan = plans(run, f, m.start, m.start).set_index("kpi")["plan"].to_dict()
    rows = []
    for k in KPIS:
        value, previous = _num(cur[k]), (_num(prev[k]) if prev is not None else None)
        forecast = None
        if m.in_progress and m.days_elapsed >= periods.MIN_PACE_DAYS:
            forecast = value if k in RATIOS else periods.pace_forecast(value, m.days_elapsed, m.days_in_month)
        p = _num(plan.get(k))
        rows.append({
            "kpi": k, "value": value, "previous": previous,
            "growth_pct": growth_pct(forecast if m.in_progress else value, previous),
            "plan": p, "plan_pct": _pct(value, p), "forecast": forecast,
            "forecast_plan_pct": _pct(forecast, p), "unit": UNITS[k],
            "lower_is_better": k in LOWER_IS_BETTER, "by_channel": k not in NOT_BY_CHANNEL,
        })
    out = pd.DataFrame(rows)
    for c in ("value", "previous", "growth_pct", "plan", "plan_pct", "forecast", "forecast_plan_pct"):
        out[c] = pd.to_numeric(out[c]).astype("float64")
    return m, out


_MONTH = Option("--month", "the month, YYYY-MM (default: the current month; on its 1st day the previous one); "
                "the KPIs are monthly, --preset/--from/--to/--grain/--compare are ignored")
_TODAY = Option("--today", "count as if today were this date, YYYY-MM-DD (default: today in the business "
                "time zone); the current month counts the days up to the day before")


@report("kpis", "marketer KPIs of a month: kpi, value, previous, growth_pct, plan, plan_pct, forecast "
        "(growth vs the previous month; for the current month value = so far, growth from the pace forecast)",
        options=(_MONTH, _TODAY))
def kpis(run: Run, f: Filters, month: str | None = None, today: str | None = None) -> pd.DataFrame:
    """One row per KPI (new_clients, cost_per_client, leads, target_leads, target_cpl, spend,
    repeat_purchases, positive_reviews)."""
    return kpis_full(run, f, month, today)[1][COLUMNS]


@report("kpis-by-month", "marketer KPIs for the 12 months up to --month: month, new_clients, cost_per_client, "
        "leads, target_leads, target_cpl, spend, repeat_purchases, positive_reviews (current month: so far)",
        options=(_MONTH, _TODAY))
def kpis_by_month(run: Run, f: Filters, month: str | None = None, today: str | None = None) -> pd.DataFrame:
    """One row per month, oldest first; the current month counts the days up to yesterday."""
    return by_month_full(run, f, month, today)[1][["month"] + KPIS].reset_index(drop=True)
