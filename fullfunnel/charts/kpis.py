"""Marketer KPI charts: one KPI over the months, with its plan and the current month's pace forecast."""
from __future__ import annotations

import altair as alt
import pandas as pd
from babel.dates import format_date

from fullfunnel import fmt
from fullfunnel.charts import layer, props
from fullfunnel.i18n import t

_LOCALE = {"en": "en_US", "ru": "ru_RU"}


def month_label(d, lang: str, long: bool = False) -> str:
    """'Nov 2026' / 'нояб. 2026' (long: 'November 2026' / 'ноябрь 2026')."""
    return format_date(d, "LLLL yyyy" if long else "LLL yyyy", locale=_LOCALE[lang])


def kpi_trend(df: pd.DataFrame, kpi: str, unit: str, lang: str, currency: str, label: str,
              plans: pd.DataFrame, in_progress_month=None, forecast: float | None = None) -> alt.Chart:
    """Bars of `kpi` per month (the month in progress lighter, its forecast as an outline), plan as ticks."""
    data = pd.DataFrame({"month": pd.to_datetime(df["month"]), "value": pd.to_numeric(df[kpi]).astype("float64")})
    data["month_label"] = [month_label(m, lang) for m in df["month"]]
    data["shown"] = [fmt.value(v, unit, lang, currency) for v in data["value"]]
    data["kind"] = [t("kpi.chart.so_far", lang) if in_progress_month is not None and m == in_progress_month
                    else t("kpi.chart.month", lang) for m in df["month"]]
    order = list(data["month_label"])
    x = alt.X("month_label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    kinds = [t("kpi.chart.month", lang)] + ([t("kpi.chart.so_far", lang)] if in_progress_month is not None else [])
    colours = alt.Scale(domain=kinds, range=["#2563eb", "#93c5fd"][:len(kinds)])
    bars = alt.Chart(data).mark_bar(size=28).encode(
        x=x, y=alt.Y("value:Q", title=label),
        color=alt.Color("kind:N", scale=colours, title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("month_label:N", title=t("kpi.chart.month_title", lang)),
                 alt.Tooltip("shown:N", title=label)],
    )
    layers = [bars]
    if forecast is not None and in_progress_month is not None:
        fc = pd.DataFrame({"month_label": [month_label(in_progress_month, lang)], "value": [forecast],
                           "shown": [fmt.value(forecast, unit, lang, currency)],
                           "kind": [t("kpi.chart.forecast", lang)]})
        layers.insert(0, alt.Chart(fc).mark_bar(size=28, fillOpacity=0, stroke="#2563eb", strokeDash=[4, 3],
                                                strokeWidth=1.5).encode(
            x=x, y="value:Q",
            tooltip=[alt.Tooltip("kind:N", title=" "), alt.Tooltip("shown:N", title=label)]))
    p = plans[plans["kpi"] == kpi]
    if len(p):
        pl = pd.DataFrame({"month_label": [month_label(m, lang) for m in p["month"]], "value": p["plan"].astype(float)})
        pl = pl[pl["month_label"].isin(order)]
        pl["shown"] = [fmt.value(v, unit, lang, currency) for v in pl["value"]]
        pl["kind"] = t("kpi.chart.plan", lang)
        layers.append(alt.Chart(pl).mark_tick(color="#dc2626", thickness=3, size=36).encode(
            x=x, y="value:Q",
            tooltip=[alt.Tooltip("kind:N", title=" "), alt.Tooltip("shown:N", title=label)]))
    return props(layer(*layers), height=260)
