"""Sales team display builders: won deals over time per manager and the plan-pace bullets.

No data access and no Streamlit: DataFrames from fullfunnel/reports/sales.py in, Altair charts out.
"""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from fullfunnel import fmt, periods
from fullfunnel.charts import PALETTE, layer, money_axis_labels, props
from fullfunnel.i18n import t

GREY = "#94a3b8"


def bucket_label(b: date, grain: str, lang: str) -> str:
    """A short axis label: 03.11 / Nov 3 for days and weeks, 11.2026 / Nov 2026 for months."""
    ts = pd.Timestamp(b)
    if grain == "month":
        return ts.strftime("%m.%Y") if lang == "ru" else ts.strftime("%b %Y")
    return ts.strftime("%d.%m") if lang == "ru" else f"{ts.strftime('%b')} {ts.day}"


def won_over_time(df: pd.DataFrame, measure: str, lang: str, grain: str, today: date,
                  period: periods.Period | None, currency: str, names: dict[str, str],
                  plan: pd.DataFrame | None = None, height: int = 340) -> alt.Chart:
    """Stacked bars: `measure` ('revenue' or 'won_deals') per bucket, one colour per manager;
    an incomplete bucket (today inside it, or cut by the period) is pale and labelled so.
    `plan` (bucket, revenue_plan), for revenue by month: the team plan as a black mark per bar."""
    data = df.copy()
    data["who"] = data["manager"].map(lambda m: names.get(m, m))
    data["label"] = [bucket_label(b, grain, lang) for b in data["bucket"]]
    incomplete = {b: periods.is_incomplete(pd.Timestamp(b).date(), grain, today, period) for b in data["bucket"].unique()}
    data["state"] = data["bucket"].map(lambda b: t("sales.chart.incomplete", lang) if incomplete[b] else "")
    data["shown"] = [fmt.value(v, "money" if measure == "revenue" else "count", lang, currency) for v in data[measure]]
    order = list(dict.fromkeys(data["label"]))
    managers = (data.groupby("who")[measure].sum().sort_values(ascending=False).index.tolist())
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("label:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelFontSize=13, labelOverlap=True)),
        y=alt.Y(f"{measure}:Q", title=None, stack="zero",
                axis=alt.Axis(labelFontSize=13, labelExpr=money_axis_labels(lang)) if measure == "revenue"
                else alt.Axis(labelFontSize=13, format="d", tickMinStep=1)),
        color=alt.Color("who:N", title=None, sort=managers, scale=alt.Scale(domain=managers, range=PALETTE),
                        legend=alt.Legend(orient="top", labelFontSize=14, symbolSize=160, columns=4)),
        order=alt.Order("who_rank:Q"),
        opacity=alt.condition(alt.datum.state == "", alt.value(1.0), alt.value(0.4)),
        tooltip=[alt.Tooltip("label:N", title=t("sales.chart.bucket", lang)),
                 alt.Tooltip("who:N", title=t("sales.chart.manager", lang)),
                 alt.Tooltip("shown:N", title=t(f"sales.chart.{measure}", lang)),
                 alt.Tooltip("state:N", title=" ")],
    ).transform_calculate(who_rank=f"indexof({managers!r}, datum.who)")
    layers = [bars]
    marks = pd.DataFrame(columns=["label", "revenue_plan"])
    if plan is not None and len(plan) and measure == "revenue":
        marks = plan.copy()
        marks["label"] = [bucket_label(b, grain, lang) for b in marks["bucket"]]
        marks = marks[marks["label"].isin(order)]
        marks["plan_text"] = [fmt.money(v, currency, lang) for v in marks["revenue_plan"]]
    inc = data[data["state"] != ""].groupby("label", as_index=False)[measure].sum()
    if len(inc):
        inc["text"] = t("sales.chart.incomplete", lang)
        top = dict(zip(marks["label"], marks["revenue_plan"]))  # above the plan mark, not through it
        inc["y"] = [max(v, top.get(lb, 0)) for lb, v in zip(inc["label"], inc[measure])]
        layers.append(alt.Chart(inc).mark_text(dy=-10, color="#475569", fontSize=12).encode(
            x=alt.X("label:N", sort=order), y=alt.Y("y:Q"), text="text:N"))
    if len(marks):
        layers.append(alt.Chart(marks).mark_tick(color="#0f172a", thickness=3, size=46).encode(
            x=alt.X("label:N", sort=order), y=alt.Y("revenue_plan:Q"),
            tooltip=[alt.Tooltip("label:N", title=t("sales.chart.bucket", lang)),
                     alt.Tooltip("plan_text:N", title=t("sales.chart.plan", lang))]))
    return props(layer(*layers), height=height)


def pace_bullets(df: pd.DataFrame, lang: str, currency: str, names: dict[str, str]) -> alt.Chart:
    """One bullet per manager: grey bar = the month's plan, pale bar = the forecast at this pace,
    solid bar = won so far; the label at the end is the forecast as % of plan."""
    data = df.copy()
    data["who"] = data["manager"].map(lambda m: names.get(m, m))
    data["plan"] = data["revenue_plan"].fillna(0.0)
    data["so_far_text"] = [fmt.money(v, currency, lang) for v in data["revenue_so_far"]]
    data["forecast_text"] = [fmt.money(v, currency, lang) for v in data["forecast"]]
    data["plan_text"] = [fmt.money(v, currency, lang) if v == v else fmt.DASH for v in data["revenue_plan"]]
    data["pct_text"] = [fmt.pct(v, lang, 0) if v == v else "" for v in data["forecast_pct"]]
    data["end"] = data[["plan", "forecast"]].max(axis=1)
    order = data["who"].tolist()
    y = alt.Y("who:N", title=None, sort=order, axis=alt.Axis(labelFontSize=14, labelLimit=220))
    tooltip = [alt.Tooltip("who:N", title=t("sales.chart.manager", lang)),
               alt.Tooltip("so_far_text:N", title=t("sales.chart.so_far", lang)),
               alt.Tooltip("forecast_text:N", title=t("sales.chart.forecast", lang)),
               alt.Tooltip("plan_text:N", title=t("sales.chart.plan", lang)),
               alt.Tooltip("pct_text:N", title=t("sales.chart.forecast_pct", lang))]
    x_axis = alt.Axis(labelExpr=money_axis_labels(lang), labelFontSize=13, grid=True, tickCount=6)
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    plan = base.mark_bar(color="#e2e8f0", size=26).encode(x=alt.X("plan:Q", title=None, axis=x_axis))
    forecast = base.mark_bar(color="#93c5fd", size=14).encode(x="forecast:Q")
    so_far = base.mark_bar(color="#2563eb", size=14).encode(x="revenue_so_far:Q")
    tick = base.mark_tick(color="#0f172a", thickness=3, size=30).transform_filter("datum.plan > 0").encode(x="plan:Q")
    label = base.mark_text(align="left", dx=6, fontSize=15, fontWeight="bold").encode(
        x="end:Q", text="pct_text:N",
        color=alt.condition("datum.forecast_pct >= 100", alt.value("#15803d"), alt.value("#b91c1c")))
    return props(layer(plan, forecast, so_far, tick, label), height=max(44 * len(data), 120))
