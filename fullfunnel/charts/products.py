"""Products display builders: the quantity × margin scatter with the "promote" quadrant and revenue
by product over time.

No data access and no Streamlit: DataFrames from fullfunnel/reports/products.py in, Altair charts out.
"""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from fullfunnel import fmt, periods
from fullfunnel.charts import PALETTE, incomplete_spans, layer, money_axis_labels, props, tooltip_day
from fullfunnel.i18n import t

PROMOTE_COLOUR, REST_COLOUR, OTHER_COLOUR = "#16a34a", "#2563eb", "#94a3b8"


def log_scale(quantities) -> bool:
    """A log axis when units sold spread over more than 20× (a few bestsellers squash the rest)."""
    q = pd.Series(quantities, dtype="float64").dropna()
    return len(q) >= 2 and q.min() > 0 and q.max() / q.min() > 20


def promote_scatter(df: pd.DataFrame, lang: str, currency: str, height: int = 440) -> alt.LayerChart:
    """Each product at (units sold, margin %), sized by revenue; dashed median lines; the "promote"
    quadrant (margin above the median, units below it) shaded green, labelled, its products named.

    `df` is a bestsellers table: product, quantity, margin_pct, revenue, gross_profit, promote,
    median_quantity, median_margin_pct. Products without a margin (no revenue) are left out.
    """
    data = df[df["margin_pct"].notna()].copy()
    data["quantity"] = data["quantity"].astype("float64")
    data["margin_pct"] = data["margin_pct"].astype("float64")
    data["group"] = [t("pr.chart.promote" if p else "pr.chart.rest", lang) for p in data["promote"]]
    mq, mm = float(df["median_quantity"].iloc[0]), float(df["median_margin_pct"].iloc[0])
    log = log_scale(data["quantity"])
    q_lo, q_hi = float(data["quantity"].min()), float(data["quantity"].max())
    x_dom = [q_lo / 1.5, q_hi * 1.5] if log else [0.0, max(q_hi * 1.1, mq * 1.1, 1.0)]
    m_lo, m_hi = float(data["margin_pct"].min()), float(data["margin_pct"].max())
    pad = max(5.0, (m_hi - m_lo) * 0.15)
    y_dom = [min(0.0, m_lo - pad), max(m_hi + pad, mm + pad)]
    x_scale = alt.Scale(type="log", domain=x_dom) if log else alt.Scale(domain=x_dom, nice=False)
    y_scale = alt.Scale(domain=y_dom, nice=False)
    x_title = t("pr.chart.quantity_log" if log else "pr.chart.quantity", lang)
    money_fmt = ",.0f"

    quadrant = pd.DataFrame([{"x": x_dom[0], "x2": mq, "y": mm, "y2": y_dom[1],
                              "label": t("pr.chart.quadrant", lang)}])
    zone = alt.Chart(quadrant).mark_rect(color=PROMOTE_COLOUR, opacity=0.10).encode(
        x=alt.X("x:Q", scale=x_scale, title=x_title), x2="x2:Q",
        y=alt.Y("y:Q", scale=y_scale, title=t("pr.chart.margin_pct", lang)), y2="y2:Q")
    zone_label = alt.Chart(quadrant).mark_text(align="right", baseline="top", dx=-6, dy=5, fontWeight="bold",
                                               color="#15803d").encode(
        x=alt.X("x2:Q", scale=x_scale), y=alt.Y("y2:Q", scale=y_scale), text="label:N")
    medians = pd.DataFrame([{"mq": mq, "mm": mm, "x_end": x_dom[1], "y_end": y_dom[0],
                             "lq": t("pr.chart.median_quantity", lang), "lm": t("pr.chart.median_margin", lang)}])
    v_rule = alt.Chart(medians).mark_rule(strokeDash=[5, 4], color="#64748b").encode(x=alt.X("mq:Q", scale=x_scale))
    h_rule = alt.Chart(medians).mark_rule(strokeDash=[5, 4], color="#64748b").encode(y=alt.Y("mm:Q", scale=y_scale))
    v_label = alt.Chart(medians).mark_text(align="left", baseline="bottom", dx=4, dy=-4, color="#475569",
                                           fontSize=11).encode(
        x=alt.X("mq:Q", scale=x_scale), y=alt.Y("y_end:Q", scale=y_scale), text="lq:N")
    h_label = alt.Chart(medians).mark_text(align="right", baseline="bottom", dx=-4, dy=-3, color="#475569",
                                           fontSize=11).encode(
        x=alt.X("x_end:Q", scale=x_scale), y=alt.Y("mm:Q", scale=y_scale), text="lm:N")
    tooltip = [alt.Tooltip("product:N", title=t("pr.chart.product", lang)),
               alt.Tooltip("quantity:Q", title=t("pr.chart.quantity", lang), format=",.0f"),
               alt.Tooltip("margin_pct:Q", title=t("pr.chart.margin_pct", lang), format=".1f"),
               alt.Tooltip("revenue:Q", title=f"{t('pr.chart.revenue', lang)}, {currency}", format=money_fmt),
               alt.Tooltip("gross_profit:Q", title=f"{t('pr.chart.gross_profit', lang)}, {currency}",
                           format=money_fmt)]
    groups = [t("pr.chart.promote", lang), t("pr.chart.rest", lang)]
    points = alt.Chart(data).mark_circle(opacity=0.8, stroke="white", strokeWidth=1).encode(
        x=alt.X("quantity:Q", scale=x_scale),
        y=alt.Y("margin_pct:Q", scale=y_scale),
        size=alt.Size("revenue:Q", title=f"{t('pr.chart.revenue', lang)}, {currency}",
                      scale=alt.Scale(range=[40, 900]), legend=None),
        color=alt.Color("group:N", title=None, scale=alt.Scale(domain=groups, range=[PROMOTE_COLOUR, REST_COLOUR]),
                        legend=alt.Legend(orient="top")),
        tooltip=tooltip,
    )
    picked = data[data["promote"].astype(bool)].sort_values(["quantity", "margin_pct"]).reset_index(drop=True)
    picked["dy"] = [-9 if i % 2 == 0 else 11 for i in range(len(picked))]  # neighbours' names on both sides
    names = [alt.Chart(picked[picked["dy"] == dy]).mark_text(
        align="left", dx=8, dy=dy, fontSize=11, color="#166534").encode(
        x=alt.X("quantity:Q", scale=x_scale), y=alt.Y("margin_pct:Q", scale=y_scale), text="product:N")
        for dy in (-9, 11)]
    return props(layer(zone, v_rule, h_rule, points, *names, zone_label, v_label, h_label), height=height)


def revenue_over_time(df: pd.DataFrame, lang: str, grain: str, today: date, currency: str,
                      period: periods.Period | None = None, height: int = 300) -> alt.LayerChart | alt.Chart:
    """Stacked bars of revenue per bucket by product (top products by name, the rest as one grey
    "other products" block on top); incomplete buckets shaded and labelled.

    `df`: bucket, product, is_other, series_rank, revenue, quantity.
    """
    data = df.assign(bucket=pd.to_datetime(df["bucket"]))
    # each bar spans its bucket (a week bar is a week wide), with a small gap before the next one
    ends = [pd.Timestamp(periods.bucket_end(b.date(), grain)) + pd.Timedelta(days=1) for b in data["bucket"]]
    data["bar_end"] = [b + (e - b) * 0.85 for b, e in zip(data["bucket"], ends)]
    data["series"] = [t("pr.chart.other", lang) if o else p for p, o in zip(data["product"], data["is_other"])]
    order = (data.drop_duplicates("series").sort_values("series_rank")["series"].tolist())
    colours = [OTHER_COLOUR if s == t("pr.chart.other", lang) else PALETTE[:-1][i % (len(PALETTE) - 1)]
               for i, s in enumerate(order)]
    time_fmt = {"day": "%d.%m" if lang == "ru" else "%b %d", "week": "%d.%m" if lang == "ru" else "%b %d",
                "month": "%m.%Y" if lang == "ru" else "%b %Y"}[grain]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("bucket:T", title=None, axis=alt.Axis(format=time_fmt, labelOverlap=True)),
        x2="bar_end:T",
        y=alt.Y("sum(revenue):Q", title=f"{t('pr.chart.revenue', lang)}, {fmt.symbol(currency, lang)}", stack="zero",
                axis=alt.Axis(labelExpr=money_axis_labels(lang))),
        color=alt.Color("series:N", title=None, sort=order, scale=alt.Scale(domain=order, range=colours),
                        legend=alt.Legend(orient="top", columns=4, labelLimit=260)),
        order=alt.Order("series_rank:Q"),  # the biggest product at the bottom, "other" on top
        tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                 alt.Tooltip("series:N", title=t("pr.chart.product", lang)),
                 alt.Tooltip("sum(revenue):Q", title=f"{t('pr.chart.revenue', lang)}, {currency}", format=",.0f"),
                 alt.Tooltip("sum(quantity):Q", title=t("pr.chart.units", lang), format=",.0f")],
    )
    spans = incomplete_spans(data["bucket"].unique(), grain, today, period)
    if not len(spans):
        return props(bars, height=height)
    spans["label"] = t("chart.incomplete", lang)
    shade = alt.Chart(spans).mark_rect(opacity=0.12, color="#64748b").encode(x="start:T", x2="end:T")
    label = alt.Chart(spans).mark_text(align="left", baseline="top", dx=3, dy=3, color="#475569").encode(
        x="start:T", y=alt.value(0), text="label:N")
    return props(layer(shade, label, bars), height=height)
