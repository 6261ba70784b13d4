"""Products, the daily product report (METRICS.md "Products (daily report)"): bestsellers with
quantity, revenue, cost, gross profit and margin per product, the products worth promoting, the
period totals and revenue by product over time.

The numbers come from queries/products/*.sql; this module reads the margin setting (the same one
the ROI page uses, fullfunnel.reports.roi.margin_pct), adds the change vs the comparison period
and shapes the tables the page and the CLI show.
"""
from __future__ import annotations

import math

import pandas as pd

from fullfunnel import FullfunnelError
from fullfunnel.filters import Filters, Run
from fullfunnel.reports import Option, growth_pct, report
from fullfunnel.reports.roi import DEFAULT_MARGIN_PCT, BadMargin, margin_pct  # noqa: F401 (re-exported)

COLUMNS = ["rank", "product", "quantity", "orders", "revenue", "cost", "gross_profit", "margin_pct", "promote"]
BY_PERIOD_COLUMNS = ["bucket", "product", "revenue", "quantity"]
# Metrics of a product row, with units for the display layer; CHANGED get a `_change_pct` column.
UNITS = {"quantity": "count", "orders": "count", "revenue": "money", "cost": "money", "gross_profit": "money",
         "margin_pct": "pct", "avg_check": "money", "repeat_orders": "count", "repeat_pct": "pct",
         "revenue_share_pct": "pct"}
CHANGED = ["quantity", "orders", "revenue", "gross_profit", "margin_pct"]
# The cards, in order, with units.
TOTALS = {"revenue": "money", "gross_profit": "money", "margin_pct": "pct", "orders": "count", "avg_check": "money"}
OTHER = "other"
DEFAULT_TOP = 8

MARGIN_OPTION = Option("--margin-pct", "gross margin in %% for order lines without cost "
                       f"(default: the margin_pct setting, else {DEFAULT_MARGIN_PCT:g})")


def _params(run: Run, f: Filters, margin, **extra) -> dict:
    m, _ = margin_pct(run, margin)
    return f.params(margin_pct=m, **extra)


PERIOD = "products/period"
# the columns of its product rows, and those its total row adds
BESTSELLERS = ["rank", "product", "quantity", "orders", "revenue", "cost", "gross_profit", "margin_pct", "avg_check",
               "estimated_cost", "repeat_orders", "repeat_pct", "revenue_share_pct", "median_quantity",
               "median_margin_pct", "promote"]
PERIOD_TOTALS = ["revenue", "cost", "gross_profit", "margin_pct", "orders", "avg_check", "quantity", "products",
                 "repeat_orders", "estimated_cost", "no_cost_revenue", "other_currency_lines"]


def _period(run: Run, f: Filters, margin) -> pd.DataFrame:
    """queries/products/period.sql for the filters: the one run the bestsellers and the totals share."""
    return run(PERIOD, _params(run, f, margin))


def bestsellers(run: Run, f: Filters, margin=None) -> pd.DataFrame:
    """The product rows of queries/products/period.sql for the filters (see its header)."""
    df = _period(run, f, margin)
    out = df[~df["is_total"]][BESTSELLERS].reset_index(drop=True)
    out["rank"] = out["rank"].astype("int64")
    return out


def bestsellers_with_change(run: Run, f: Filters, margin=None) -> pd.DataFrame:
    """Bestsellers plus `rank_prev` and, per CHANGED metric, `<metric>_prev` and `<metric>_change_pct`
    vs the comparison period (a product not sold there had 0 of each count and sum, no rank, no margin)."""
    cur = bestsellers(run, f, margin)
    cmp = f.comparison_period
    prev = bestsellers(run, f.shifted(cmp), margin) if cmp else cur.iloc[0:0]
    prev = prev[["product", "rank"] + CHANGED].rename(columns={"rank": "rank_prev", **{m: f"{m}_prev" for m in CHANGED}})
    out = cur.merge(prev, on="product", how="left")
    for m in CHANGED:
        p = out[f"{m}_prev"]
        if cmp and m != "margin_pct":
            p = p.fillna(0)
            out[f"{m}_prev"] = p
        out[f"{m}_change_pct"] = pd.Series([growth_pct(_num(c), _num(q)) for c, q in zip(out[m], p)],
                                           index=out.index, dtype="float64")
    out["rank_prev"] = pd.to_numeric(out["rank_prev"]).astype("Int64")
    return out


def _num(x):
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


@report("products", "bestsellers: rank, product, quantity, orders, revenue, cost, gross_profit, margin_pct, "
        "promote (margin above and quantity below the medians of the products sold)",
        options=(MARGIN_OPTION,))
def products(run: Run, f: Filters, margin_pct: float | str | None = None) -> pd.DataFrame:
    """One row per product sold in the period, most revenue first."""
    return bestsellers(run, f, margin_pct)[COLUMNS].reset_index(drop=True)


def totals(run: Run, f: Filters, margin=None) -> dict:
    """The total row of queries/products/period.sql as a dict (see its header)."""
    df = _period(run, f, margin)
    row = df[df["is_total"]][PERIOD_TOTALS].iloc[0]
    return {k: _num(v) if k not in ("orders", "products", "repeat_orders", "other_currency_lines") else int(v)
            for k, v in row.items()}


@report("products-summary", "product totals (Products cards): metric (revenue, gross_profit, margin_pct, "
        "orders, avg_check), value, previous, change_pct", options=(MARGIN_OPTION,))
def products_summary(run: Run, f: Filters, margin_pct: float | str | None = None) -> pd.DataFrame:
    """One row per card: the period's value, the comparison period's and the change in %."""
    cur = totals(run, f, margin_pct)
    cmp = f.comparison_period
    prev = totals(run, f.shifted(cmp), margin_pct) if cmp else {}
    rows = []
    for m in TOTALS:
        p = prev.get(m) if cmp else None
        rows.append({"metric": m, "value": cur[m], "previous": p, "change_pct": growth_pct(cur[m], p)})
    return pd.DataFrame(rows, columns=["metric", "value", "previous", "change_pct"]).astype(
        {"value": "float64", "previous": "float64", "change_pct": "float64"})


def _top(top) -> int:
    try:
        n = int(str(top).strip()) if top is not None and str(top).strip() != "" else DEFAULT_TOP
    except ValueError:
        raise FullfunnelError(f"--top must be a whole number of products, e.g. {DEFAULT_TOP}, not {top!r}.") from None
    if n < 1:
        raise FullfunnelError(f"--top must be at least 1, not {n}.")
    return n


def revenue_over_time(run: Run, f: Filters, top=None) -> pd.DataFrame:
    """queries/products/revenue_by_period.sql: bucket × product (top N, then 'other') with revenue
    and quantity, every bucket of the period."""
    df = run("products/revenue_by_period", f.params(top=_top(top)))
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.date
    return df


@report("products-by-period", "revenue and units per bucket of the chosen grain and product: bucket, product, "
        f"revenue, quantity (the --top products by revenue, default {DEFAULT_TOP}; the rest as '{OTHER}')",
        options=(Option("--top", f"how many products to show by name (default {DEFAULT_TOP}); the rest are "
                        f"summed as '{OTHER}'", default=str(DEFAULT_TOP)),))
def products_by_period(run: Run, f: Filters, top: int | str = DEFAULT_TOP) -> pd.DataFrame:
    """One row per bucket × product series, zeros where nothing was sold."""
    return revenue_over_time(run, f, top)[BY_PERIOD_COLUMNS].reset_index(drop=True)


def export(table: pd.DataFrame) -> bytes:
    """The bestsellers table as a CSV file (UTF-8 with BOM, so Excel opens Cyrillic right)."""
    from fullfunnel import export as xp

    return xp.csv_bytes(table)
