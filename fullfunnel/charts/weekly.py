"""Weekly meeting display builders: week labels, mover sentences, "this week vs last week" bars.

No data access and no Streamlit: DataFrames from fullfunnel/reports/weekly.py in, text and Altair out.
"""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from fullfunnel import fmt
from fullfunnel.charts import layer, props
from fullfunnel.charts.channels import leads_word
from fullfunnel.charts.funnel import SIDE_COLOURS, widths
from fullfunnel.i18n import t

UP, DOWN = "#16a34a", "#dc2626"
BAR = "#2563eb"


def week_days(monday: date, lang: str) -> str:
    """16–22 Nov 2026 (en) / 16–22.11.2026 (ru); months and years written out when the week spans them."""
    sunday = monday + timedelta(days=6)
    if lang == "ru":
        if monday.month == sunday.month:
            return f"{monday.day}–{sunday.strftime('%d.%m.%Y')}"
        return f"{monday.strftime('%d.%m')}–{sunday.strftime('%d.%m.%Y')}"
    from babel.dates import format_date

    def d(x, f):
        return format_date(x, format=f, locale="en_US")

    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {d(sunday, 'MMM y')}"
    if monday.year == sunday.year:
        return f"{d(monday, 'd MMM')} – {d(sunday, 'd MMM y')}"
    return f"{d(monday, 'd MMM y')} – {d(sunday, 'd MMM y')}"


def week_name(monday: date, lang: str) -> str:
    """Week 47 · 16–22 Nov 2026."""
    return t("wkc.week", lang, n=monday.isocalendar()[1], days=week_days(monday, lang))


def signed(x: float, unit: str, lang: str, currency: str) -> str:
    """+12 / −₽30,000: a change with its sign (a true minus sign, read well from across a room)."""
    body = fmt.value(abs(x), unit, lang, currency)
    return ("+" if x > 0 else "−" if x < 0 else "") + body


def mover_sentence(row, lang: str, currency: str) -> str:
    """One plain sentence with a coloured arrow, e.g. "▲ google_ads: 42 leads, +12 vs last week (30)"."""
    m = row["metric"]
    unit = "count" if m == "leads" else "money"
    change = float(row["change"])
    colour, arrow = ("green", "▲") if change > 0 else ("red", "▼")
    text = t(f"wkc.mover.{m}", lang, channel=fmt.md(row["channel"]),
             value=fmt.value(row["value"], unit, lang, currency),
             leads_word=leads_word(int(row["value"]), lang),
             change=f":{colour}[**{signed(change, unit, lang, currency)}**]",
             previous=fmt.value(row["previous"], unit, lang, currency))
    return f":{colour}[{arrow}] {text}"


def week_bars(df: pd.DataFrame, label: str, value: str, previous: str, text: str, lang: str,
              colour: str | pd.Series = BAR, log_ok: bool = False, height_per_row: int = 54,
              tooltip: list | None = None, room: float | None = None) -> alt.Chart:
    """One bar per row for this week, a black tick where last week was, and the row's text above its
    bar from the left edge — whole at any width, where a label after the bar ran off the chart.

    Rows keep their order (`room` is accepted and unused: no space is kept right of the bars for
    the text any more). With log_ok (funnels spanning impressions to won deals) widths become logarithmic when
    the range is huge, exactly like the Funnel page (charts.funnel.widths).
    """
    d = df.reset_index(drop=True).copy()
    both = pd.concat([d[value], d[previous].fillna(0)], ignore_index=True).astype("float64")
    if log_ok:
        w, _ = widths(both)
    else:
        top = float(both.max()) if len(both) else 0.0
        w = both / top if top > 0 else both * 0
    n = len(d)
    d["_w"] = w.iloc[:n].to_numpy()
    d["_wp"] = w.iloc[n:].to_numpy()
    d["_colour"] = colour if isinstance(colour, str) else colour.to_numpy()
    order = d[label].tolist()
    y = alt.Y(f"{label}:N", sort=order, title=None,
              axis=alt.Axis(labelFontSize=16, labelLimit=260, ticks=False, domain=False, labelPadding=8))
    x_scale = alt.Scale(domain=[0, 1.02])
    tip = tooltip or []
    base = alt.Chart(d)
    down = height_per_row * 0.17  # the bar in the lower part of its row, the text in the upper
    bars = base.mark_bar(cornerRadius=3, height=alt.RelativeBandSize(0.42), yOffset=down).encode(
        x=alt.X("_w:Q", scale=x_scale, axis=None), y=y, color=alt.Color("_colour:N", scale=None), tooltip=tip)
    ticks = base.mark_tick(color="#111827", thickness=3, size=height_per_row * 0.5, yOffset=down).encode(
        x=alt.X("_wp:Q", scale=x_scale), y=y, tooltip=tip)
    labels = base.mark_text(align="left", baseline="bottom", dy=-height_per_row * 0.06, fontSize=15,
                            color="#111827").encode(x=alt.value(2), y=y, text=f"{text}:N", tooltip=tip)
    return props(layer(bars, ticks, labels), height=alt.Step(height_per_row)).configure_view(strokeWidth=0)


def side_colours(sides: pd.Series) -> pd.Series:
    """Marketing rows blue, sales rows green, as on the Funnel page."""
    return sides.map(SIDE_COLOURS).fillna(BAR)
