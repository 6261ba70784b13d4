"""The full funnel (METRICS.md "Leads", "Deals and the funnel"): where people are lost, and on whose side.

Every number comes from queries/funnel/*.sql; this module only picks the pipeline and view, runs the
comparison period, and names the columns the way `python -m fullfunnel report ...` prints them.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from fullfunnel import FullfunnelError
from fullfunnel.filters import Filters, Run
from fullfunnel.reports import Option, cohorts, growth_pct, report

VIEWS = ("cohort", "cash")
# Rows fed by the marketing side of the business; everything below target leads is the sales side.
MARKETING_STEPS = ("impressions", "clicks", "sessions", "paid_sessions", "other_sessions", "leads", "target_leads")
# Rows that are totals from ad/analytics reports: they are counted by date in both views, no items.
AGGREGATE_STEPS = ("impressions", "clicks", "sessions", "paid_sessions", "other_sessions")
# The entry beside the chain (visits that did not follow an ad click): no bar, no conversion, no drop-off.
ENTRY_STEPS = ("other_sessions",)
LEAD_STEPS = ("leads", "target_leads", "junk")

VIEW = Option("--view", "cohort (default): leads created in the period, followed to wherever they are now; "
              "cash: what happened in the period", choices=VIEWS, default="cohort")
PIPELINE = Option("--pipeline", "sales pipeline to show (default: the one with the most deals)")
FUNNEL_COLUMNS = ["step", "count", "previous_count", "step_conversion_pct", "overall_conversion_pct", "drop_off"]


class UnknownStep(FullfunnelError):
    pass


def params(f: Filters, view: str = "cohort", pipeline: str | None = None, **extra) -> dict:
    """Bound parameters of the funnel queries: the filters plus $view and $pipeline."""
    if view not in VIEWS:
        raise FullfunnelError(f"Unknown view {view!r}: choose cohort or cash.")
    return f.params(view=view, pipeline=pipeline or None, **extra)


def side(step: str) -> str:
    """'marketing' for impressions … target leads, 'sales' for the pipeline stages and won."""
    return "marketing" if step in MARKETING_STEPS else "sales"


def steps(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None,
          by_channel: bool = False, reached_by: date | None = None) -> pd.DataFrame:
    """funnel/steps.sql as is: channel, step, side, step_order, count_n, *_pct, drop_off_n."""
    return run("funnel/steps", params(f, view, pipeline, by_channel=by_channel, reached_by=reached_by))


def _previous(run: Run, f: Filters, view: str, pipeline: str | None, by_channel: bool) -> pd.DataFrame | None:
    """The comparison period's funnel; in the cohort view its deals at the same age as this period's."""
    cmp = f.comparison_period
    if cmp is None:
        return None
    age = cohorts.same_age(run, f) if view == "cohort" else None
    return steps(run, f.shifted(cmp), view, pipeline, by_channel, reached_by=age.cutoff if age else None)


@report("funnel", "the full funnel top to bottom: step, count, previous_count, step_conversion_pct, "
        "overall_conversion_pct, drop_off", options=(VIEW, PIPELINE))
def funnel(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None) -> pd.DataFrame:
    """One row per shown funnel row; previous_count is the same row in the comparison period."""
    cur = steps(run, f, view, pipeline)
    prev = _previous(run, f, view, pipeline, False)
    out = pd.DataFrame({
        "step": cur["step"].astype(str),
        "count": cur["count_n"].astype("int64"),
        "step_conversion_pct": cur["step_conversion_pct"].astype("float64"),
        "overall_conversion_pct": cur["overall_conversion_pct"].astype("float64"),
        "drop_off": cur["drop_off_n"].astype("Int64"),
    })
    if prev is not None:
        before = dict(zip(prev["step"], prev["count_n"]))
        out["previous_count"] = pd.array([before.get(s) for s in out["step"]], dtype="Int64")
    else:
        out["previous_count"] = pd.array([None] * len(out), dtype="Int64")
    return out[FUNNEL_COLUMNS].reset_index(drop=True)


def with_change(table: pd.DataFrame) -> pd.DataFrame:
    """The funnel report plus change_pct (METRICS.md growth vs the comparison period) and side."""
    out = table.copy()
    out["change_pct"] = pd.array(
        [growth_pct(c, None if pd.isna(p) else p) for c, p in zip(out["count"], out["previous_count"])],
        dtype="Float64")
    out["side"] = [side(s) for s in out["step"]]
    return out


def _top(top) -> int:
    try:
        n = int(top)
    except (TypeError, ValueError):
        raise FullfunnelError(f"--top must be a whole number of channels, not {top!r}.") from None
    if n < 1:
        raise FullfunnelError("--top must be at least 1.")
    return n


@report("funnel-by-channel", "the funnel of the top channels side by side: channel, step, count, "
        "step_conversion_pct, overall_conversion_pct, drop_off",
        options=(VIEW, PIPELINE, Option("--top", "how many channels, by leads (default 5)", default="5")))
def funnel_by_channel(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None,
                      top="5") -> pd.DataFrame:
    """One row per channel × funnel row for the channels with most leads in the period (then most deals)."""
    n = _top(top)
    df = steps(run, f, view, pipeline, by_channel=True)
    cols = ["channel", "step", "count", "step_conversion_pct", "overall_conversion_pct", "drop_off"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    leads = df[df["step"] == "leads"].set_index("channel")["count_n"]
    deals = df[df["side"] == "sales"].groupby("channel")["count_n"].max()
    first = df.groupby("channel")["count_n"].first()
    rank = pd.DataFrame({"leads": leads, "deals": deals, "first": first}).fillna(0)
    rank = rank.sort_values(["leads", "deals", "first"], ascending=False, kind="stable")
    keep = list(rank.index[:n])
    df = df[df["channel"].isin(keep)].copy()
    df["_rank"] = df["channel"].map({c: i for i, c in enumerate(keep)})
    df = df.sort_values(["_rank", "step_order"], kind="stable")
    return pd.DataFrame({
        "channel": df["channel"].astype(str),
        "step": df["step"].astype(str),
        "count": df["count_n"].astype("int64"),
        "step_conversion_pct": df["step_conversion_pct"].astype("float64"),
        "overall_conversion_pct": df["overall_conversion_pct"].astype("float64"),
        "drop_off": df["drop_off_n"].astype("Int64"),
    }).reset_index(drop=True)


ITEMS_PAGE_ROWS = 1000   # rows of the drill-down on screen at once (the CSV has them all)
_ALL_ROWS = 2 ** 62
# the item columns that can be empty in every row of a list (e.g. amounts of leads)
ITEM_FILLABLE = ("campaign", "manager", "amount", "currency", "stage", "status", "reason")


def item_steps(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None) -> list[str]:
    """Steps that have items to list: the lead and deal rows of the funnel, plus junk and lost."""
    shown = [s for s in steps(run, f, view, pipeline)["step"] if s not in AGGREGATE_STEPS]
    leads = [s for s in shown if s in LEAD_STEPS]
    sales = [s for s in shown if s not in LEAD_STEPS]
    out = leads + (["junk"] if "leads" in leads else []) + sales + (["lost"] if sales else [])
    return out


@report("funnel-items", "the leads or deals in one funnel step (--step leads, target_leads, junk, a stage "
        "name, won or lost): item_id, item_type, created_date, step_date, channel, campaign, manager, "
        "amount, currency, stage, status, reason",
        options=(Option("--step", "the funnel row to list, e.g. leads, junk, a stage name, won, lost"),
                 VIEW, PIPELINE))
def funnel_items(run: Run, f: Filters, step: str | None = None, view: str = "cohort",
                 pipeline: str | None = None, page: int | None = None) -> pd.DataFrame:
    """One row per lead or deal counted in the step, by the date it got there.

    page=N: only the N-th ITEMS_PAGE_ROWS of them (the dashboard shows a long list a page at a time;
    the last page when N is past the end). The frame's attrs say how many rows the whole list has
    ("rows_total"), the page it holds ("page") and the columns with a value in any row ("filled")."""
    if not step:
        raise UnknownStep("Choose a funnel step with --step (for example leads, junk, won or lost).")
    if step in AGGREGATE_STEPS:
        raise UnknownStep(f"'{step}' is a total from ad or analytics reports; it has no individual leads or "
                          "deals to list — pick leads, a stage, won or lost.")
    if step not in LEAD_STEPS + ("won", "lost"):
        known = item_steps(run, f, view, pipeline)
        if step not in known:
            raise UnknownStep(f"There is no funnel step '{step}'; choose one of: {', '.join(known) or 'none'}.")

    def rows(n: int) -> pd.DataFrame:   # the n-th page, or every row when n is 0
        size = ITEMS_PAGE_ROWS if n else _ALL_ROWS
        return run("funnel/items", params(f, view, pipeline, step=step, limit=size, offset=max(n - 1, 0) * size))

    served = page or 0
    df = rows(served)
    if df.empty and served > 1:   # past the end of a list that got shorter: its last page
        df = rows(1)
        last = -(-int(df["rows_total"].iloc[0]) // ITEMS_PAGE_ROWS) if len(df) else 1
        served = last
        if last > 1:
            df = rows(last)
    out = df.drop(columns=["rows_total"] + [f"has_{c}" for c in ITEM_FILLABLE]).reset_index(drop=True)
    out.attrs["rows_total"] = int(df["rows_total"].iloc[0]) if len(df) else 0
    out.attrs["page"] = max(served, 1)
    out.attrs["filled"] = [c for c in ITEM_FILLABLE if len(df) and bool(df[f"has_{c}"].iloc[0])]
    return out


@report("junk", "non-target leads of the period by reason: junk_reason, leads, share_pct")
def junk(run: Run, f: Filters) -> pd.DataFrame:
    """One row per junk reason, most frequent first; share of all junk leads in the period."""
    df = run("funnel/junk_reasons", f.params())
    return pd.DataFrame({
        "junk_reason": df["junk_reason"],
        "leads": df["leads_n"].astype("int64"),
        "share_pct": df["share_pct"].astype("float64"),
    })


@report("junk-by-channel", "junk rate per channel: channel, leads, junk_leads, junk_rate_pct")
def junk_by_channel(run: Run, f: Filters) -> pd.DataFrame:
    """One row per channel with leads in the period, most leads first."""
    df = run("funnel/junk_by_channel", f.params())
    return pd.DataFrame({
        "channel": df["channel"],
        "leads": df["leads_n"].astype("int64"),
        "junk_leads": df["junk_n"].astype("int64"),
        "junk_rate_pct": df["junk_rate_pct"].astype("float64"),
    })


@report("lost", "lost deals by the stage where they were lost and the lost reason: stage, lost_reason, deals",
        options=(VIEW, PIPELINE))
def lost(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None) -> pd.DataFrame:
    """One row per stage × reason in funnel order; stage is empty when it is unknown (no stage history)."""
    df = run("funnel/lost", params(f, view, pipeline))
    return pd.DataFrame({
        "stage": df["stage"],
        "lost_reason": df["lost_reason"],
        "deals": df["deals_n"].astype("int64"),
    })


@report("stage-time", "days deals spend in each pipeline stage (from stage history): stage, stays, "
        "median_days, mean_days", options=(VIEW, PIPELINE))
def stage_time(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None) -> pd.DataFrame:
    """One row per open stage with finished stays, in funnel order."""
    df = run("funnel/stage_time", params(f, view, pipeline))
    return pd.DataFrame({
        "stage": df["stage"],
        "stays": df["stays_n"].astype("int64"),
        "median_days": df["median_days"].astype("float64"),
        "mean_days": df["mean_days"].astype("float64"),
    })


@report("deal-cycle", "deal cycle of won deals: won_deals, mean_days, median_days", options=(VIEW, PIPELINE))
def deal_cycle(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None) -> pd.DataFrame:
    """One row: mean (the METRICS.md deal cycle) and median days from deal creation to winning."""
    df = run("funnel/deal_cycle", params(f, view, pipeline))
    return pd.DataFrame({
        "won_deals": df["won_n"].astype("int64"),
        "mean_days": df["cycle_mean_days"].astype("float64"),
        "median_days": df["cycle_median_days"].astype("float64"),
    })


def notes(run: Run, f: Filters, view: str = "cohort", pipeline: str | None = None) -> dict:
    """Facts the page must say: pipeline shown, pipelines, stages known, history, lost without history."""
    df = run("funnel/deal_notes", params(f, view, pipeline))
    row = df.iloc[0]
    return {
        "pipeline": row["pipeline"],
        "pipelines_n": int(row["pipelines_n"]),
        "open_stages_n": int(row["open_stages_n"]),
        "history_deals_n": int(row["history_deals_n"]),
        "lost_without_history_n": int(row["lost_without_history_n"]),
    }


def pipelines(run: Run) -> list[str]:
    """Pipelines with deals or stages, the one with most deals first."""
    return run("funnel/pipelines", {})["pipeline"].astype(str).tolist()
