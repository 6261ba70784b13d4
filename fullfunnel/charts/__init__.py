"""Altair chart builders: a DataFrame in, a chart out. No data access, no Streamlit. One module per area; common ones here."""
from __future__ import annotations

import os
from datetime import date, timedelta

import altair as alt
import pandas as pd
from altair.utils import schemapi

from fullfunnel import periods
from fullfunnel.i18n import t


def _one_converter_per_schema() -> None:
    """Altair turns each shorthand string or condition given to .encode() into its class through
    `from_dict`, which first builds a converter by hashing every one of its ~600 schema classes:
    5 ms per call, about a third of building a chart. The classes are fixed once Altair is
    imported, so one converter per schema family serves every call; the result is the same."""
    base = schemapi.SchemaBase
    if getattr(base.from_dict, "_one_converter", False):
        return
    global ALTAIR_FROM_DICT
    ALTAIR_FROM_DICT = base.__dict__["from_dict"]   # Altair's own classmethod, for the test comparing the two
    made: dict = {}

    def from_dict(cls, dct, validate: bool = True):
        if validate:
            cls.validate(dct)
        key = cls._default_wrapper_classes.__func__
        converter = made.get(key)
        if converter is None:
            converter = made.setdefault(key, schemapi._FromDict(cls._default_wrapper_classes()))
        return converter.from_dict(dct, cls)

    from_dict._one_converter = True
    base.from_dict = classmethod(from_dict)


_one_converter_per_schema()

# Altair checks every schema object against the JSON schema as it is made ("debug mode", on by
# default), a fifth of building a page's charts. Where the finished specs are checked
# (FULLFUNNEL_VALIDATE_CHARTS=1, fullfunnel/ui.py: the tests) the check as they are made stays on
# too, so a malformed chart still fails a test; a user's page run does without either.
if os.environ.get("FULLFUNNEL_VALIDATE_CHARTS") != "1":
    schemapi.disable_debug_mode()


def props(chart, **kwargs):
    """chart.properties(**kwargs) for a chart the builder has just made and hands on: set on it in
    place. Altair's properties() copies the chart first, which for a layer chart means putting its
    layers together again (tens of ms), and checks each value against the schema (the finished
    spec is checked when FULLFUNNEL_VALIDATE_CHARTS=1, fullfunnel/ui.py, as the tests do)."""
    for key, value in kwargs.items():
        setattr(chart, key, value)
    return chart


def layer(*charts: alt.Chart, **kwargs) -> alt.LayerChart:
    """alt.layer, with the frame that several layers share given once on the layer chart. Altair
    finds a shared frame too, but only after hashing its text (the frame's repr) for every layer,
    a few ms each; layers with a frame of their own keep it."""
    shared = next((c.data for c in charts if isinstance(c.data, pd.DataFrame)), None)
    if shared is None or "data" in kwargs or sum(c.data is shared for c in charts) < 2:
        return alt.layer(*charts, **kwargs)
    lifted = []
    for c in charts:
        if c.data is shared:
            c = c.copy(deep=False)
            c.data = alt.Undefined
        lifted.append(c)
    return alt.layer(*lifted, data=shared, **kwargs)


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


def time_axis(lang: str, grain: str, buckets, **axis) -> alt.X:
    """The bucket axis: one tick at each bucket's first day, labelled with that bucket (never two
    ticks inside one month, never a label of the month before), thinned where they would overlap."""
    time_fmt = {"day": "%d.%m" if lang == "ru" else "%b %d", "week": "%d.%m" if lang == "ru" else "%b %d",
                "month": "%m.%Y" if lang == "ru" else "%b %Y"}[grain]
    days = sorted({pd.Timestamp(b).date() for b in buckets})
    # Vega-Lite DateTime objects written as plain dicts (the same spec): Altair would rebuild an
    # object per tick on every copy it makes while the chart is put together, half the build time
    values = [{"year": d.year, "month": d.month, "date": d.day} for d in days]
    return alt.X("bucket:T", title=None, axis=alt.Axis(format=time_fmt, labelOverlap=True, values=values or None,
                                                       **axis))


def bucket_ends(buckets: pd.Series, grain: str) -> pd.Series:
    """The day after each bucket's last day: bars drawn from a bucket's start to its end fill the bucket."""
    return pd.to_datetime([periods.bucket_end(pd.Timestamp(b).date(), grain) + timedelta(days=1) for b in buckets])


def count_axis() -> alt.Axis:
    """Whole numbers only: an all-zero or small series reads 0, 1, 2 — never 0.000000 or 0.5 leads."""
    return alt.Axis(format=",.0f", tickMinStep=1)


def time_series(df: pd.DataFrame, measures: dict[str, str], lang: str, grain: str, today: date,
                period: periods.Period | None = None, height: int = 220, title: str | None = None,
                money: bool = False) -> alt.Chart:
    """Lines of several measures over buckets; incomplete buckets shaded grey and labelled.

    Money axes are abbreviated (1.5M / 1,5 млн). When two measures differ more than fivefold (spend
    next to a revenue 20× larger) each gets its own axis, left and right, so neither lies flat on zero.
    """
    long = df.melt(id_vars=["bucket"], value_vars=list(measures), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(measures)
    long["bucket"] = pd.to_datetime(long["bucket"])
    x = time_axis(lang, grain, long["bucket"])
    names = list(measures.values())
    colours = PALETTE[:len(measures)]

    def lines_of(data, axis, y_title=None):
        return alt.Chart(data).mark_line(point=len(df) <= 40, strokeWidth=2.5).encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, axis=axis),
            # the caller's order, not the alphabet of the translated labels: a measure keeps its colour in every language
            color=alt.Color("measure:N", title=None, sort=names, scale=alt.Scale(domain=names, range=colours),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                     alt.Tooltip("measure:N", title=" "),
                     alt.Tooltip("value:Q", title=t("chart.value", lang), format=",.0f")],
        )

    def y_axis(**kw):
        return alt.Axis(labelExpr=money_axis_labels(lang), **kw) if money else alt.Axis(
            format=",.0f", tickMinStep=1, **kw)

    peaks = [float(pd.to_numeric(df[m]).fillna(0).abs().max() or 0) for m in measures] if len(df) else []
    if len(peaks) == 2 and min(peaks) > 0 and max(peaks) / min(peaks) > 5:
        left, right = (long[long["measure"] == n] for n in names)
        lines = layer(
            lines_of(left, y_axis(orient="left", titleColor=colours[0]), names[0]),
            lines_of(right, y_axis(orient="right", titleColor=colours[1]), names[1]),
        ).resolve_scale(y="independent")
    else:
        lines = lines_of(long, y_axis())
    spans = incomplete_spans(df["bucket"], grain, today, period)
    layers = [lines]
    if len(spans):
        spans["label"] = t("chart.incomplete", lang)
        shade = alt.Chart(spans).mark_rect(opacity=0.12, color="#64748b").encode(x="start:T", x2="end:T")
        label = alt.Chart(spans).mark_text(align="left", baseline="top", dx=3, dy=3, color="#475569").encode(
            x="start:T", y=alt.value(0), text="label:N")
        layers = [shade, label, lines]
    chart = props(layer(*layers), height=height)
    return props(chart, title=title) if title else chart


def money_axis_labels(lang: str) -> str:
    """A Vega label expression for money axes: 0, 500K, 1.5M (en) / 0, 500 тыс, 1,5 млн (ru)."""
    if lang == "ru":
        return ("datum.value >= 1e6 ? replace(format(datum.value / 1e6, '~g'), '.', ',') + ' млн'"
                " : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + ' тыс' : format(datum.value, '~g')")
    return ("datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M'"
            " : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'K' : format(datum.value, '~g')")
