"""The weekly meeting: one whole ISO week (Monday–Sunday) against the week before.

Ignores the chosen period and uses weeks: by default the last complete week before today. Every
number is composed from existing reports — the Overview headline query (queries/overview/headline.sql)
for the headline, the channel leaderboard for the movers, the channel alerts, the funnel and the
Sales team table — so the weekly page can never disagree with the other pages for the same dates.
"""
from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from fullfunnel import FullfunnelError, periods
from fullfunnel.filters import Filters, Run
from fullfunnel.periods import Period
from fullfunnel.reports import Option, growth_pct, report
from fullfunnel.reports import channels as channels_report
from fullfunnel.reports import funnel as funnel_report
from fullfunnel.reports import sales as sales_report

# metric → unit, in display order; target_cpl is printed too (METRICS.md: the headline uses it).
UNITS = {
    "spend": "money", "leads": "count", "target_leads": "count", "junk_rate_pct": "pct",
    "won_deals": "count", "revenue": "money", "romi_pct": "pct", "cpl": "money", "target_cpl": "money",
}
LOWER_IS_BETTER = {"junk_rate_pct", "cpl", "target_cpl"}
NEUTRAL = {"spend"}  # more spend is neither good nor bad by itself
BASELINE_WEEKS = 4
MOVER_METRICS = ("leads", "revenue")
MOVER_UNITS = {"leads": "count", "revenue": "money"}
WEEKLY_COLUMNS = ["metric", "value", "previous", "change_pct", "avg_4w"]
MOVER_COLUMNS = ["channel", "metric", "value", "previous", "change"]
MANAGER_COLUMNS = ["manager", "won_deals", "revenue", "previous_won_deals", "previous_revenue"]

WEEK = Option("--week", "the week: ISO week like 2026-W47 or any date in it, e.g. its Monday 2026-11-16 "
              "(default: the last complete week)")


class BadWeek(FullfunnelError):
    pass


# ---------------------------------------------------------------- weeks


def last_complete_week(today: date) -> date:
    """Monday of the last ISO week (Monday–Sunday) that is over before `today`."""
    return periods.bucket_start(today, "week") - timedelta(weeks=1)


def week_label(monday: date) -> str:
    """The ISO week code of the week starting on `monday`, e.g. 2026-W47."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> date:
    """Monday of the week named by `text`: an ISO week (2026-W47, 2026W47) or any date in the week."""
    s = (text or "").strip()
    m = re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", s)
    if m:
        try:
            return periods.check_date(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1), "week")
        except ValueError:
            raise BadWeek(f"The year {m.group(1)} has no week {int(m.group(2))}.") from None
    try:
        d = date.fromisoformat(s)
    except ValueError:
        raise BadWeek(f"The week {text!r} is neither an ISO week like 2026-W47 nor a date like 2026-11-16.") \
            from None
    return periods.bucket_start(periods.check_date(d, "week"), "week")


def resolve_week(week: str | date | None, today: date) -> date:
    """Monday of the chosen week (the last complete one when none is chosen); the week must be over."""
    if week is None or week == "":
        return last_complete_week(today)
    monday = periods.bucket_start(week, "week") if isinstance(week, date) else parse_week(week)
    sunday = monday + timedelta(days=6)
    if sunday >= today:
        raise BadWeek(f"The week {week_label(monday)} ({monday} … {sunday}) is not over yet; the weekly "
                      f"numbers compare whole weeks — pick {week_label(last_complete_week(today))} or earlier.")
    return monday


def recent_weeks(today: date, n: int = 26) -> list[date]:
    """Mondays of the last n complete weeks, newest first (the page's week picker)."""
    last = last_complete_week(today)
    return [last - timedelta(weeks=i) for i in range(n)]


def week_filters(f: Filters, monday: date) -> Filters:
    """The filters for the week starting on `monday`, compared with the week before; channels kept.
    The meeting always reads a week against the one before (data_start dropped: an empty previous
    week shows as such in its own cards)."""
    return replace(f, period=Period(monday, monday + timedelta(days=6)), grain="week", compare="previous",
                   data_start=None)


def baseline_period(monday: date) -> Period:
    """The 4 whole weeks before the chosen one (the "usual" level the week is read against)."""
    return Period(monday - timedelta(weeks=BASELINE_WEEKS), monday - timedelta(days=1))


def _week_and_filters(f: Filters, week, today: date | None) -> tuple[date, Filters]:
    monday = resolve_week(week, today or periods.today_in(f.tz))
    return monday, week_filters(f, monday)


# ---------------------------------------------------------------- headline


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _ratio(num, den, scale: float = 1.0) -> float:
    if _nan(num) or _nan(den) or den == 0:
        return float("nan")
    return scale * float(num) / float(den)


def headline(run: Run, f: Filters, weeks: int = 1) -> dict[str, float]:
    """The weekly metrics for f's period from queries/overview/headline.sql (totals over the period).

    Counts and money are divided by `weeks` (a weekly average); rates are ratios of the totals:
    junk rate = junk leads / leads, CPL = spend / leads, target CPL = spend / target leads,
    ROMI = (revenue − spend) / spend (METRICS.md). NaN where that kind of data was never imported
    or the denominator is 0.
    """
    df = run("overview/headline", f.params())
    v = {m: (float("nan") if _nan(x) else float(x)) for m, x in zip(df["metric"], df["value"])}
    leads, target, spend = v["leads"], v["target_leads"], v["spend"]
    out = {
        "spend": spend / weeks,
        "leads": leads / weeks,
        "target_leads": target / weeks,
        "junk_rate_pct": _ratio(leads - target, leads, 100.0),
        "won_deals": v["won_deals"] / weeks,
        "revenue": v["revenue"] / weeks,
        "romi_pct": v["romi_pct"],
        "cpl": _ratio(spend, leads),
        "target_cpl": _ratio(spend, target),
    }
    return out


@report("weekly", "the weekly meeting's headline: one row per metric of the week (spend, leads, target_leads, "
        "junk_rate_pct, won_deals, revenue, romi_pct, cpl, target_cpl) with the previous week, the change "
        "in % and the average of the 4 weeks before: metric, value, previous, change_pct, avg_4w",
        options=(WEEK,))
def weekly(run: Run, f: Filters, week: str | None = None, today: date | None = None) -> pd.DataFrame:
    """One row per headline metric of the chosen week; the sidebar period is ignored, channels kept."""
    monday, wf = _week_and_filters(f, week, today)
    cur = headline(run, wf)
    prev = headline(run, wf.shifted(wf.comparison_period))
    base = headline(run, wf.shifted(baseline_period(monday)), weeks=BASELINE_WEEKS)
    rows = [{
        "metric": m,
        "value": cur[m],
        "previous": prev[m],
        "change_pct": growth_pct(None if _nan(cur[m]) else cur[m], None if _nan(prev[m]) else prev[m]),
        "avg_4w": base[m],
    } for m in UNITS]
    out = pd.DataFrame(rows, columns=WEEKLY_COLUMNS)
    for c in WEEKLY_COLUMNS[1:]:
        out[c] = out[c].astype("float64")
    return out


# ---------------------------------------------------------------- movers


def movers_scored(run: Run, f: Filters, week: str | None = None, today: date | None = None) -> pd.DataFrame:
    """Channels whose leads or revenue moved vs the previous week, most significant first.

    Significance of a move = |change| / (this week's + last week's total of that metric over all
    channels), so a lead and a ruble are comparable: "+12 leads out of 60" outranks "+₽1,000 out of
    ₽500,000". Channels with no change are left out. Columns: channel, metric, value, previous,
    change, share_pct (the significance in %).
    """
    _, wf = _week_and_filters(f, week, today)
    cols = ["channel", *MOVER_METRICS]
    cur = channels_report.leaderboard(run, wf)[cols]
    prev = channels_report.leaderboard(run, wf.shifted(wf.comparison_period))[cols]
    both = cur.merge(prev, on="channel", how="outer", suffixes=("", "_prev"))
    rows = []
    for m in MOVER_METRICS:
        value = both[m].astype("float64").fillna(0.0)
        previous = both[f"{m}_prev"].astype("float64").fillna(0.0)
        total = float(value.sum() + previous.sum())
        for channel, v, p in zip(both["channel"], value, previous):
            if v == p or total == 0:
                continue
            rows.append({"channel": str(channel), "metric": m, "value": v, "previous": p, "change": v - p,
                         "share_pct": 100.0 * abs(v - p) / total})
    out = pd.DataFrame(rows, columns=MOVER_COLUMNS + ["share_pct"])
    if out.empty:
        return out.astype({"value": "float64", "previous": "float64", "change": "float64", "share_pct": "float64"})
    out["_m"] = out["metric"].map({m: i for i, m in enumerate(MOVER_METRICS)})
    out = out.sort_values(["share_pct", "_m", "channel"], ascending=[False, True, True], kind="stable")
    return out.drop(columns="_m").reset_index(drop=True)


def top_movers(movers: pd.DataFrame, per_metric: int = 3) -> pd.DataFrame:
    """The moves worth saying out loud: at most `per_metric` per metric, in the overall order, so a few
    lumpy revenue swings cannot crowd out every lead mover."""
    rank = movers.groupby("metric", sort=False).cumcount()
    return movers[rank < per_metric].reset_index(drop=True)


@report("weekly-movers", "channels whose leads or revenue moved most vs the previous week, most significant "
        "first (|change| as a share of both weeks' total of that metric): channel, metric, value, previous, change",
        options=(WEEK,))
def weekly_movers(run: Run, f: Filters, week: str | None = None, today: date | None = None) -> pd.DataFrame:
    """One row per channel × metric (leads, revenue) that changed; value and previous are whole weeks."""
    return movers_scored(run, f, week, today)[MOVER_COLUMNS]


# ---------------------------------------------------------------- alerts, funnel, managers


def alerts(run: Run, f: Filters, week: str | None = None, today: date | None = None) -> list[dict]:
    """The channel alerts (reports.channels.alerts) as of the Sunday that ends the week."""
    _, wf = _week_and_filters(f, week, today)
    return channels_report.alerts(run, wf)


def funnel(run: Run, f: Filters, week: str | None = None, today: date | None = None) -> pd.DataFrame:
    """The funnel report for the week vs the week before, cash view (what happened in each week, so two
    weeks compare fairly), with change_pct and side (reports.funnel.with_change)."""
    _, wf = _week_and_filters(f, week, today)
    return funnel_report.with_change(funnel_report.funnel(run, wf, view="cash"))


@report("weekly-managers", "won deals and revenue per manager in the week and the week before (the Sales team "
        "report for the two weeks; all channels): manager, won_deals, revenue, previous_won_deals, "
        "previous_revenue", options=(WEEK,))
def weekly_managers(run: Run, f: Filters, week: str | None = None, today: date | None = None) -> pd.DataFrame:
    """One row per manager with a deal won in either week, from the Sales team report for the week
    (reports.sales.team_with_change), most revenue first; manager is empty for deals without one.
    The channel filter does not apply (the Sales team report is by manager, not channel)."""
    _, wf = _week_and_filters(f, week, today)
    df = sales_report.team_with_change(run, wf)
    df = df[~df["is_total"].astype(bool)]
    out = pd.DataFrame({
        "manager": df["manager"].fillna("").astype(str),
        "won_deals": df["won_deals"].fillna(0).astype("int64"),
        "revenue": df["revenue"].fillna(0.0).astype("float64"),
        "previous_won_deals": df["won_deals_prev"].fillna(0).astype("int64"),
        "previous_revenue": df["revenue_prev"].fillna(0.0).astype("float64"),
    })
    out = out[(out["won_deals"] > 0) | (out["previous_won_deals"] > 0) | (out["revenue"] != 0)
              | (out["previous_revenue"] != 0)].copy()
    out["_none"] = out["manager"] == ""
    out = out.sort_values(["_none", "revenue", "won_deals", "previous_revenue", "manager"],
                          ascending=[True, False, False, False, True], kind="stable")
    return out.drop(columns="_none").reset_index(drop=True)[MANAGER_COLUMNS]
