"""ROI charts: spend vs revenue per channel, and ROMI over time. DataFrames in, Altair charts out."""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from fullfunnel import fmt, periods
from fullfunnel.charts import PALETTE, incomplete_spans, layer, money_axis_labels, props, tooltip_day
from fullfunnel.i18n import t

SPEND_COLOR = "#94a3b8"
REVENUE_COLOR = "#2563eb"
PROFIT_COLOR = "#16a34a"
LOSS_COLOR = "#dc2626"


def spend_vs_revenue(table: pd.DataFrame, labels: dict[str, str], lang: str, currency: str,
                     height_per_channel: int = 34) -> alt.Chart:
    """Horizontal paired bars per channel: spend (grey) and revenue (blue), ROMI written at the end.

    `table` is the roi report by channel without the total row; `labels` maps 'spend'/'revenue'/'romi'
    to display names.
    """
    df = table[(table["spend"] > 0) | (table["revenue"] > 0)].copy()
    order = df.sort_values(["revenue", "spend"], ascending=False)["channel"].tolist()
    long = df.melt(id_vars=["channel", "romi_pct"], value_vars=["spend", "revenue"],
                   var_name="measure", value_name="amount")
    long["measure"] = long["measure"].map({"spend": labels["spend"], "revenue": labels["revenue"]})
    money_title = f"{labels['spend']} / {labels['revenue']}, {fmt.symbol(currency, lang)}"
    bars = alt.Chart(long).mark_bar(cornerRadiusEnd=3, height={"band": 0.8}).encode(
        y=alt.Y("channel:N", sort=order, title=None, axis=alt.Axis(labelLimit=180)),
        yOffset=alt.YOffset("measure:N", sort=[labels["spend"], labels["revenue"]]),
        x=alt.X("amount:Q", title=money_title, axis=alt.Axis(labelExpr=money_axis_labels(lang))),
        color=alt.Color("measure:N", title=None,
                        scale=alt.Scale(domain=[labels["spend"], labels["revenue"]],
                                        range=[SPEND_COLOR, REVENUE_COLOR]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("channel:N", title=labels["channel"]),
                 alt.Tooltip("measure:N", title=" "),
                 alt.Tooltip("amount:Q", title=currency, format=",.0f")],
    )
    ends = df.assign(
        end=df[["spend", "revenue"]].max(axis=1),
        romi_label=[_romi_label(x, labels, lang) for x in df["romi_pct"]],
        tone=["none" if pd.isna(x) else "profit" if x >= 0 else "loss" for x in df["romi_pct"]],
    )
    text = alt.Chart(ends).mark_text(align="left", dx=6, fontWeight="bold").encode(
        y=alt.Y("channel:N", sort=order),
        x=alt.X("end:Q"),
        text="romi_label:N",
        color=alt.Color("tone:N", scale=alt.Scale(domain=["profit", "loss", "none"],
                                                  range=[PROFIT_COLOR, LOSS_COLOR, "#64748b"]), legend=None),
    )
    height = max(120, height_per_channel * max(len(order), 1) * 2)
    chart = props(layer(bars, text).resolve_scale(color="independent"), height=height)
    return props(chart, title=labels["title"]) if labels.get("title") else chart


def _romi_label(x, labels: dict[str, str], lang: str) -> str:
    if pd.isna(x):
        return labels.get("no_spend", "")
    return f"ROMI {fmt.pct(x, lang, digits=0)}"


def romi_over_time(trend: pd.DataFrame, labels: dict[str, str], lang: str, grain: str, today: date,
                   period: periods.Period | None = None, height: int = 260) -> alt.Chart:
    """ROMI per bucket: a bold line for all channels and a thin one per paid channel; 0 % marked.

    `trend` is the roi_trend report; buckets without spend have no ROMI and leave a gap.
    """
    df = trend.copy()
    df["bucket"] = pd.to_datetime(df["bucket"])
    paid = df[(df["channel"] != "total")].groupby("channel")["spend"].sum()
    paid_channels = paid[paid > 0].sort_values(ascending=False).index.tolist()
    df = df[df["channel"].isin(["total"] + paid_channels)]
    total_label = labels["total"]
    df["series"] = df["channel"].replace({"total": total_label})
    df["is_total"] = df["channel"] == "total"
    domain = [total_label] + paid_channels
    colors = ["#0f172a"] + [PALETTE[i % len(PALETTE)] for i in range(len(paid_channels))]
    time_fmt = {"day": "%d.%m" if lang == "ru" else "%b %d", "week": "%d.%m" if lang == "ru" else "%b %d",
                "month": "%m.%Y" if lang == "ru" else "%b %Y"}[grain]
    base = alt.Chart(df).encode(
        x=alt.X("bucket:T", title=None, axis=alt.Axis(format=time_fmt, labelOverlap=True)),
        y=alt.Y("romi_pct:Q", title=labels["romi"] + ", %", axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=domain, range=colors),
                        legend=alt.Legend(orient="top", columns=4)),  # wraps instead of running off the edge
        tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                 alt.Tooltip("series:N", title=labels["channel"]),
                 alt.Tooltip("romi_pct:Q", title=labels["romi"] + ", %", format=",.0f"),
                 alt.Tooltip("spend:Q", title=labels["spend"], format=",.0f"),
                 alt.Tooltip("revenue:Q", title=labels["revenue"], format=",.0f")],
    )
    lines = base.mark_line(point=len(df["bucket"].unique()) <= 40).encode(
        strokeWidth=alt.condition(alt.datum.is_total, alt.value(3.5), alt.value(1.6)),
        opacity=alt.condition(alt.datum.is_total, alt.value(1.0), alt.value(0.75)),
    ).transform_filter("isValid(datum.romi_pct)")
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=LOSS_COLOR, strokeDash=[4, 4]).encode(y="y:Q")
    layers = [zero, lines]
    spans = incomplete_spans(sorted(df["bucket"].unique()), grain, today, period)
    if len(spans):
        spans["label"] = t("chart.incomplete", lang)
        shade = alt.Chart(spans).mark_rect(opacity=0.12, color="#64748b").encode(x="start:T", x2="end:T")
        label = alt.Chart(spans).mark_text(align="left", baseline="top", dx=3, dy=3, color="#475569").encode(
            x="start:T", y=alt.value(0), text="label:N")
        layers = [shade, label] + layers
    chart = props(layer(*layers), height=height)
    return props(chart, title=labels["title_time"]) if labels.get("title_time") else chart
