"""Funnel charts: the full funnel (marketing and sales in two colours) and the small bar charts beside it."""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from fullfunnel import fmt
from fullfunnel.charts import layer, props
from fullfunnel.i18n import t

SIDE_COLOURS = {"marketing": "#2563eb", "sales": "#16a34a"}
# Linear bar widths while the biggest row is at most this many times the smallest; logarithmic beyond.
LINEAR_MAX_RATIO = 50
SELECTION = "pick"

def pct_auto(x, lang: str) -> str:
    """A percentage with enough decimals to stay non-zero: 82.6%, 0.53%, 0.001% (funnels span 10⁶ to 1)."""
    if x is None or pd.isna(x):
        return fmt.DASH
    a = abs(float(x))
    digits = 1 if a >= 1 or a == 0 else 2 if a >= 0.1 else 3
    return fmt.pct(x, lang, digits=digits)


def widths(counts: pd.Series) -> tuple[pd.Series, bool]:
    """Bar width per row in 0…1 and whether the scale is logarithmic (huge ranges like impressions → won)."""
    c = counts.astype("float64").clip(lower=0)
    top = c.max() if len(c) else 0
    if not top:
        return c * 0, False
    smallest = c[c > 0].min()
    if top / smallest <= LINEAR_MAX_RATIO:
        return c / top, False
    return c.map(lambda x: math.log10(x + 1) / math.log10(top + 1)), True


def funnel(table: pd.DataFrame, labels: dict[str, str], lang: str, height_per_row: int = 66,
           of_all_visits: str | None = None) -> tuple[alt.Chart, bool]:
    """The full funnel as centred bars, one per row, coloured by side; clicking a bar selects its step.
    Each row's numbers sit under its bar in two short lines, so they stay whole down to phone width.

    table: the funnel report with change_pct and side (reports.funnel.with_change). Returns the chart
    and whether widths are logarithmic (the page says so). of_all_visits: the step whose previous count is
    all visits (the row after the paid sessions when other visits are shown beside the funnel).
    """
    df = table.copy()
    df["label"] = [labels.get(s, s) for s in df["step"]]
    w, log = widths(df["count"])
    df["x0"], df["x1"] = -w / 2, w / 2
    df["side_label"] = [t(f"fnc.{s}", lang) for s in df["side"]]
    df["count_txt"] = [fmt.number(x, lang) for x in df["count"]]
    df["step_txt"] = [pct_auto(x, lang) for x in df["step_conversion_pct"]]
    df["overall_txt"] = [pct_auto(x, lang) for x in df["overall_conversion_pct"]]
    df["drop_txt"] = [fmt.DASH if pd.isna(x) else fmt.number(x, lang) for x in df["drop_off"]]
    df["previous_txt"] = [fmt.DASH if pd.isna(x) else fmt.number(x, lang) for x in df["previous_count"]]
    df["change_txt"] = [fmt.DASH if pd.isna(x) else fmt.pct(x, lang, signed=True) for x in df["change_pct"]]
    df["formula"] = t("fnc.formula_text", lang)
    df["text"] = [
        t("fnc.label_first", lang, count=c) if i == 0
        else c + "\n" + t("fnc.label_all" if step == of_all_visits else "fnc.label", lang, step=s, overall=o)
        for i, (step, c, s, o) in enumerate(zip(df["step"], df["count_txt"], df["step_txt"], df["overall_txt"]))
    ]
    df["text_x"] = 0.0
    order = df["label"].tolist()
    sel = alt.selection_point(name=SELECTION, fields=["step"], on="click", clear="dblclick")
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelFontSize=14, labelLimit=220, ticks=False, domain=False))
    x_scale = alt.Scale(domain=[-0.5, 0.5])
    sides = [s for s in ("marketing", "sales") if s in set(df["side"])]
    colour = alt.Color(
        "side_label:N", title=None,
        scale=alt.Scale(domain=[t(f"fnc.{s}", lang) for s in sides], range=[SIDE_COLOURS[s] for s in sides]),
        legend=alt.Legend(orient="top", direction="vertical", labelFontSize=13, labelLimit=0),
    )
    tooltip = [
        alt.Tooltip("label:N", title=t("fnc.step", lang)),
        alt.Tooltip("count_txt:N", title=t("fnc.count", lang)),
        alt.Tooltip("step_txt:N", title=t("fnc.of_previous", lang)),
        alt.Tooltip("overall_txt:N", title=t("fnc.of_first", lang)),
        alt.Tooltip("drop_txt:N", title=t("fnc.drop_off", lang)),
        alt.Tooltip("previous_txt:N", title=t("fnc.previous", lang)),
        alt.Tooltip("change_txt:N", title=t("fnc.change", lang)),
        alt.Tooltip("formula:N", title=t("fnc.formula", lang)),
    ]
    base = alt.Chart(df)
    up = height_per_row * 0.22  # the bar in the upper part of its row, its numbers under it
    bars = base.mark_bar(cornerRadius=3, cursor="pointer", height=alt.RelativeBandSize(0.3), yOffset=-up).encode(
        x=alt.X("x0:Q", scale=x_scale, axis=None), x2="x1:Q", y=y, color=colour, tooltip=tooltip,
        opacity=alt.condition(sel, alt.value(1.0), alt.value(0.35)),
    ).add_params(sel)
    text = base.mark_text(align="center", baseline="top", dy=-up * 0.1, fontSize=13, lineHeight=15,
                          lineBreak="\n", color="#1f2937").encode(
        x=alt.X("text_x:Q", scale=x_scale, axis=None), y=y, text="text:N", tooltip=tooltip,
    )
    layers = [bars, text]
    sales = df[df["side"] == "sales"]
    if len(sales) and len(sales) < len(df):
        # the line where marketing hands people over to sales: top edge of the first sales row
        edge = pd.DataFrame({"label": [sales["label"].iloc[0]], "x0": [-0.5], "x1": [0.5],
                             "note": [t("fnc.boundary", lang)]})
        y_edge = alt.Y("label:N", sort=order, title=None, bandPosition=0)
        layers.append(alt.Chart(edge).mark_rule(strokeDash=[5, 4], color="#64748b").encode(
            x=alt.X("x0:Q", scale=x_scale, axis=None), x2="x1:Q", y=y_edge))
        layers.append(alt.Chart(edge).mark_text(align="right", baseline="top", dy=2, fontSize=11,
                                                color="#64748b").encode(
            x=alt.X("x1:Q", scale=x_scale, axis=None), y=y_edge, text="note:N"))
    chart = props(layer(*layers), height=max(120, height_per_row * len(df)))
    return chart.configure_view(strokeWidth=0), log


def hbar(df: pd.DataFrame, category: str, value: str, lang: str, value_title: str, unit: str = "count",
         colour: str = "#f59e0b", extra_tooltip: list | None = None, height_per_row: int = 30,
         keep_order: bool = False) -> alt.Chart:
    """A horizontal bar per category (biggest first, or in the given row order), value written at the bar's end."""
    d = df.copy()
    d["value_txt"] = [fmt.value(x, unit, lang) for x in d[value]]
    order = (d if keep_order else d.sort_values(value, ascending=False, kind="stable"))[category].tolist()
    y = alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    tooltip = [alt.Tooltip(f"{category}:N", title=" "), alt.Tooltip("value_txt:N", title=value_title)]
    tooltip += extra_tooltip or []
    top = float(d[value].max()) if len(d) and d[value].notna().any() else 0.0
    # room on the right for the value written after the longest bar; whole numbers on count axes
    x = alt.X(f"{value}:Q", title=value_title + (", %" if unit == "pct" else ""), scale=alt.Scale(domain=[0, top * 1.15 or 1], nice=False),
              axis=alt.Axis(tickMinStep=1, format="d") if unit == "count" else alt.Axis())
    bars = alt.Chart(d).mark_bar(color=colour, cornerRadius=2).encode(x=x, y=y, tooltip=tooltip)
    text = alt.Chart(d).mark_text(align="left", dx=4, color="#1f2937").encode(x=x, y=y, text="value_txt:N")
    return props(layer(bars, text), height=alt.Step(height_per_row))
