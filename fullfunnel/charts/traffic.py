"""Traffic display builders: duration text and per-bucket line charts with readable tooltips.

No data access and no Streamlit: DataFrames from fullfunnel/reports/traffic.py in, charts out.
"""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from fullfunnel import fmt, periods
from fullfunnel.charts import PALETTE, incomplete_spans, layer, props, tooltip_day
from fullfunnel.i18n import t


def duration(seconds, lang: str) -> str:
    """Average session duration as m:ss (h:mm:ss past an hour); '—' when missing."""
    if seconds is None or pd.isna(seconds):
        return fmt.DASH
    total = int(round(float(seconds)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def lines(df: pd.DataFrame, measures: dict[str, str], lang: str, grain: str, today: date,
          period: periods.Period | None = None, value_format: str = ",.0f", height: int = 300,
          title: str | None = None, y_title: str | None = None, zero: bool = True) -> alt.Chart | alt.LayerChart:
    """Lines of some measures per bucket; incomplete buckets shaded and labelled.

    One measure needs no legend; zero=False lets the axis start near the data (ratios that barely move).
    """
    long = df.melt(id_vars=["bucket"], value_vars=list(measures), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(measures)
    long["bucket"] = pd.to_datetime(long["bucket"])
    time_fmt = {"day": "%d.%m" if lang == "ru" else "%b %d", "week": "%d.%m" if lang == "ru" else "%b %d",
                "month": "%m.%Y" if lang == "ru" else "%b %Y"}[grain]
    chart = alt.Chart(long).mark_line(point=len(df) <= 40, strokeWidth=2.5).encode(
        x=alt.X("bucket:T", title=None, axis=alt.Axis(format=time_fmt, labelOverlap=True)),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=zero)),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top") if len(measures) > 1 else None),
        tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                 alt.Tooltip("measure:N", title=" "),
                 alt.Tooltip("value:Q", title=t("chart.value", lang), format=value_format)],
    )
    spans = incomplete_spans(df["bucket"], grain, today, period)
    if len(spans):
        spans["label"] = t("chart.incomplete", lang)
        shade = alt.Chart(spans).mark_rect(opacity=0.12, color="#64748b").encode(x="start:T", x2="end:T")
        label = alt.Chart(spans).mark_text(align="left", baseline="top", dx=3, dy=3, color="#475569").encode(
            x="start:T", y=alt.value(0), text="label:N")
        chart = layer(shade, label, chart)
    chart = props(chart, height=height)
    return props(chart, title=title) if title else chart
