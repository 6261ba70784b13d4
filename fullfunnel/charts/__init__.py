"""Altair chart builders: a DataFrame in, a chart out. No data access, no Streamlit. One module per area; common ones here."""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from fullfunnel import periods
from fullfunnel.i18n import t

PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#94a3b8"]


def tooltip_day(lang: str) -> str:
    """The date format for chart tooltips, as in the tables: 29.11.2026 (ru) / Nov 29, 2026 (en)."""
    return "%d.%m.%Y" if lang == "ru" else "%b %-d, %Y"


def incomplete_spans(buckets, grain: str, today: date, period: periods.Period | None = None) -> pd.DataFrame:
    """Buckets still open (today or later inside them, or cut by the period): start/end for shading."""
    rows = []
    for b in buckets:
        b = pd.Timestamp(b).date()
        if periods.is_incomplete(b, grain, today, period):
            rows.append({"start": pd.Timestamp(b), "end": pd.Timestamp(periods.bucket_end(b, grain) + timedelta(days=1))})
    return pd.DataFrame(rows, columns=["start", "end"])


def time_series(df: pd.DataFrame, measures: dict[str, str], lang: str, grain: str, today: date,
                period: periods.Period | None = None, height: int = 220, title: str | None = None) -> alt.Chart:
    """Lines of several measures over buckets; incomplete buckets shaded grey and labelled."""
    long = df.melt(id_vars=["bucket"], value_vars=list(measures), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(measures)
    long["bucket"] = pd.to_datetime(long["bucket"])
    time_fmt = {"day": "%d.%m" if lang == "ru" else "%b %d", "week": "%d.%m" if lang == "ru" else "%b %d",
                "month": "%m.%Y" if lang == "ru" else "%b %Y"}[grain]
    x = alt.X("bucket:T", title=None, axis=alt.Axis(format=time_fmt, labelOverlap=True))
    lines = alt.Chart(long).mark_line(point=len(df) <= 40, strokeWidth=2.5).encode(
        x=x,
        y=alt.Y("value:Q", title=None),
        # the caller's order, not the alphabet of the translated labels: a measure keeps its colour in every language
        color=alt.Color("measure:N", title=None, sort=list(measures.values()),
                        scale=alt.Scale(domain=list(measures.values()), range=PALETTE[:len(measures)]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                 alt.Tooltip("measure:N", title=" "), alt.Tooltip("value:Q", title=t("chart.value", lang), format=",.0f")],
    )
    spans = incomplete_spans(df["bucket"], grain, today, period)
    layers = [lines]
    if len(spans):
        spans["label"] = t("chart.incomplete", lang)
        shade = alt.Chart(spans).mark_rect(opacity=0.12, color="#64748b").encode(x="start:T", x2="end:T")
        label = alt.Chart(spans).mark_text(align="left", baseline="top", dx=3, dy=3, color="#475569").encode(
            x="start:T", y=alt.value(0), text="label:N")
        layers = [shade, label, lines]
    chart = alt.layer(*layers).properties(height=height)
    return chart.properties(title=title) if title else chart


def money_axis_labels(lang: str) -> str:
    """A Vega label expression for money axes: 0, 500K, 1.5M (en) / 0, 500 тыс, 1,5 млн (ru)."""
    if lang == "ru":
        return ("datum.value >= 1e6 ? replace(format(datum.value / 1e6, '~g'), '.', ',') + ' млн'"
                " : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + ' тыс' : format(datum.value, '~g')")
    return ("datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M'"
            " : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'K' : format(datum.value, '~g')")
