"""Channels (METRICS.md "Channels", "Leads", "Dead channels"): the marketer's leaderboard, leads over
time and the alerts about channels that stopped bringing leads or burn money."""
from __future__ import annotations

import math

import pandas as pd

from fullfunnel import FullfunnelError
from fullfunnel.filters import Filters, Run
from fullfunnel.reports import Option, growth_pct, report

LEVELS = ("channel", "campaign")
COLUMNS = ["channel", "leads", "target_leads", "junk_pct", "spend", "cpl", "target_cpl", "new_clients",
           "cac", "revenue", "romi_pct"]
# Leaderboard metrics the page shows, with units for the display layer and whether lower is better.
UNITS = {"leads": "count", "target_leads": "count", "junk_pct": "pct", "spend": "money", "cpl": "money",
         "target_cpl": "money", "new_clients": "count", "cac": "money", "lead_to_client_pct": "pct",
         "revenue": "money", "romi_pct": "pct"}
LOWER_IS_BETTER = {"junk_pct", "cpl", "target_cpl", "cac"}
STATUSES = ("dead", "declining", "burning_money")
DEAD_COLUMNS = ["channel", "campaign", "status", "baseline_per_day", "window_leads", "expected_leads",
                "last_lead_at", "window_spend"]


def _level(by: str | None) -> bool:
    by = by or "channel"
    if by not in LEVELS:
        raise FullfunnelError(f"Channels can be listed by {' or '.join(LEVELS)}, not {by!r}.")
    return by == "campaign"


def leaderboard(run: Run, f: Filters, by: str | None = None) -> pd.DataFrame:
    """queries/channels/leaderboard.sql for the filters (all its columns; see its header)."""
    return run("channels/leaderboard", f.params(by_campaign=_level(by)))


def leaderboard_with_change(run: Run, f: Filters, by: str | None = None) -> pd.DataFrame:
    """The leaderboard plus, per metric, `<metric>_prev` and `<metric>_change_pct` vs the comparison period."""
    cur = leaderboard(run, f, by)
    keys = ["channel", "campaign"]
    cmp = f.comparison_period
    prev = leaderboard(run, f.shifted(cmp), by) if cmp else cur.iloc[0:0]
    prev = prev[keys + list(UNITS)].rename(columns={m: f"{m}_prev" for m in UNITS})
    out = cur.merge(prev, on=keys, how="left")
    for m in UNITS:
        p = out[f"{m}_prev"]
        if cmp and m in ("leads", "target_leads", "spend", "new_clients", "revenue"):
            p = p.fillna(0)  # a channel absent from the comparison period had none of these there
            out[f"{m}_prev"] = p
        out[f"{m}_change_pct"] = pd.Series(
            [growth_pct(_num(c), _num(q)) for c, q in zip(out[m], p)], index=out.index, dtype="float64")
    return out


def _num(x):
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    return float(x)


@report("channels", "channel leaderboard: channel, leads, target_leads, junk_pct, spend, cpl, target_cpl, "
        "new_clients, cac, revenue, romi_pct (+ campaign with --by campaign)",
        options=(Option("--by", "one row per channel (default) or per campaign", choices=LEVELS,
                        default="channel"),))
def channels(run: Run, f: Filters, by: str = "channel") -> pd.DataFrame:
    """One row per channel (or channel × campaign), most leads first."""
    df = leaderboard(run, f, by)
    cols = COLUMNS[:1] + (["campaign"] if _level(by) else []) + COLUMNS[1:]
    return df[cols].reset_index(drop=True)


def leads_over_time(run: Run, f: Filters, by: str | None = None) -> pd.DataFrame:
    """queries/channels/leads_by_period.sql: bucket × channel (× campaign) with leads and junk."""
    df = run("channels/leads_by_period", f.params(by_campaign=_level(by)))
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.date
    return df


@report("leads-by-period", "leads per bucket of the chosen grain and channel: bucket, channel, leads")
def leads_by_period(run: Run, f: Filters) -> pd.DataFrame:
    """One row per bucket × channel with a lead in the period (zeros in the other buckets)."""
    return leads_over_time(run, f)[["bucket", "channel", "leads"]]


def dead_channels_full(run: Run, f: Filters) -> pd.DataFrame:
    """queries/channels/dead_channels.sql at the end of the period (all its columns)."""
    df = run("channels/dead_channels", f.params())
    for c in ("last_lead_at", "window_from", "window_to"):
        df[c] = pd.to_datetime(df[c]).dt.date
    return df


@report("dead-channels", "channels and campaigns that stopped bringing leads (dead), bring far fewer "
        "(declining) or spend with no lead (burning_money) in the 14 days to the end of the period: "
        "channel, campaign, status, baseline_per_day, window_leads, expected_leads, last_lead_at, window_spend")
def dead_channels(run: Run, f: Filters) -> pd.DataFrame:
    """One row per alert, most money spent in the window first (campaign empty = the whole channel)."""
    return dead_channels_full(run, f)[DEAD_COLUMNS].reset_index(drop=True)


def alerts(run: Run, f: Filters) -> list[dict]:
    """The alerts the pages show: one per channel or campaign, its statuses merged, most costly first.

    A campaign is left out when its channel already raises every status the campaign would, so
    a dead channel is one sentence, not one per campaign.
    """
    df = dead_channels_full(run, f)
    out: list[dict] = []
    channel_status: dict[str, set] = {}
    for (channel, campaign), g in df.groupby(["channel", "campaign"], dropna=False, sort=False):
        statuses = [s for s in STATUSES if s in set(g["status"])]
        if campaign is None or (isinstance(campaign, float) and math.isnan(campaign)):
            campaign = None
            channel_status[channel] = set(statuses)
        r = g.iloc[0]
        out.append({
            "channel": channel, "campaign": campaign, "statuses": statuses,
            "window_leads": int(r["window_leads"]), "expected_leads": float(r["expected_leads"]),
            "baseline_per_day": float(r["baseline_per_day"]),
            "p_at_most_pct": float(r["p_at_most_pct"]), "last_lead_at": r["last_lead_at"],
            "window_spend": float(r["window_spend"]), "window_from": r["window_from"],
            "window_to": r["window_to"],
        })
    out = [a for a in out if a["campaign"] is None
           or not set(a["statuses"]) <= channel_status.get(a["channel"], set())]
    out.sort(key=lambda a: (-a["window_spend"], -a["expected_leads"], a["channel"], a["campaign"] or ""))
    return out
