"""Channels display builders: alert sentences, leads-over-time and junk-rate charts, sparklines.

No data access and no Streamlit: DataFrames and dicts from fullfunnel/reports/channels.py in,
text and Altair charts out.
"""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from fullfunnel import fmt, periods
from fullfunnel.charts import (PALETTE, bucket_ends, count_axis, incomplete_spans, layer, props, time_axis,
                               tooltip_day)
from fullfunnel.i18n import t

def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def leads_word(n: int, lang: str) -> str:
    if lang == "ru":
        return _ru_plural(n, "лид", "лида", "лидов")
    return "lead" if n == 1 else "leads"


def alert_name(a: dict) -> str:
    return a["channel"] if not a.get("campaign") else f"{a['channel']} / {a['campaign']}"


def alert_sentence(a: dict, lang: str, currency: str) -> str:
    """One plain sentence with the numbers, as METRICS.md "Dead channels" shows it, e.g.
    "vk_ads: 0 leads in 14 days, usually ~6; last lead Oct 30, 2026; spent ₽12,400 in the window."
    """
    n, mu = a["window_leads"], a["expected_leads"]
    text = t("ch.alert.leads", lang, name=alert_name(a), n=fmt.number(n, lang), leads_word=leads_word(n, lang))
    if mu > 0:
        text += t("ch.alert.usually", lang, mu=fmt.number(mu, lang, 0 if mu >= 1.5 else 1))
    if "declining" in a["statuses"]:
        p = a["p_at_most_pct"]
        p_text = fmt.pct(p, lang) if p >= 0.05 else "< " + fmt.pct(0.1, lang)
        text += t("ch.alert.declining", lang, p=p_text)
    if n == 0:
        last = a.get("last_lead_at")
        has_last = last is not None and not (isinstance(last, float) or pd.isna(last))
        text += t("ch.alert.last_lead", lang, day=fmt.day(last, lang)) if has_last else t("ch.alert.no_lead", lang)
    if a["window_spend"] > 0:
        text += t("ch.alert.spent", lang, money=fmt.money(a["window_spend"], currency, lang))
    return text + "."


def sparklines(series: pd.DataFrame, keys: list[str]) -> dict[tuple, list[int]]:
    """Leads per bucket, in bucket order, for each key (e.g. (channel,) or (channel, campaign))."""
    out: dict[tuple, list[int]] = {}
    for key, g in series.sort_values("bucket").groupby(keys, sort=False):
        out[key if isinstance(key, tuple) else (key,)] = [int(x) for x in g["leads"]]
    return out


def _with_incomplete(chart, buckets, grain: str, today: date, period: periods.Period | None, lang: str):
    spans = incomplete_spans(buckets, grain, today, period)
    if not len(spans):
        return chart
    spans["label"] = t("chart.incomplete", lang)
    shade = alt.Chart(spans).mark_rect(opacity=0.12, color="#64748b").encode(x="start:T", x2="end:T")
    label = alt.Chart(spans).mark_text(align="left", baseline="top", dx=3, dy=3, color="#475569").encode(
        x="start:T", y=alt.value(0), text="label:N")
    return layer(shade, label, chart)


def leads_over_time(df: pd.DataFrame, lang: str, grain: str, today: date,
                    period: periods.Period | None = None, height: int = 280) -> alt.LayerChart | alt.Chart:
    """Stacked bars of leads per bucket by channel; incomplete buckets shaded and labelled."""
    data = df.assign(bucket=pd.to_datetime(df["bucket"]))
    # each bar spans its whole bucket (a week or a month is a wide bar, not a 2-px line at its first day)
    data["bucket_end"] = bucket_ends(data["bucket"], grain)
    order = data.groupby("channel")["leads"].sum().sort_values(ascending=False).index.tolist()
    bars = alt.Chart(data).mark_bar(stroke="white", strokeWidth=1).encode(
        x=time_axis(lang, grain, data["bucket"], labelAlign="left"),
        x2="bucket_end:T",
        y=alt.Y("sum(leads):Q", title=None, stack="zero", axis=count_axis()),
        color=alt.Color("channel:N", title=None, sort=order, scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(orient="top")),
        order=alt.Order("channel_rank:Q"),
        tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                 alt.Tooltip("channel:N", title=t("ch.chart.channel", lang)),
                 alt.Tooltip("leads:Q", title=t("ch.chart.leads", lang), format=",.0f")],
    ).transform_calculate(channel_rank=f"indexof({order!r}, datum.channel)")
    return props(_with_incomplete(bars, data["bucket"].unique(), grain, today, period, lang), height=height)


def junk_rate(df: pd.DataFrame, lang: str, grain: str, today: date,
              period: periods.Period | None = None) -> alt.Chart:
    """A heatmap of junk rate (junk / leads, %): one row per channel, one cell per bucket.

    Empty cells are buckets without leads; incomplete buckets get a dashed outline.
    """
    data = df.assign(bucket=pd.to_datetime(df["bucket"]))
    data = data.assign(incomplete=[periods.is_incomplete(b.date(), grain, today, period) for b in data["bucket"]])
    order = data.groupby("channel")["leads"].sum().sort_values(ascending=False).index.tolist()
    time_fmt = {"day": "%d.%m" if lang == "ru" else "%b %d", "week": "%d.%m" if lang == "ru" else "%b %d",
                "month": "%m.%Y" if lang == "ru" else "%b %Y"}[grain]
    cells = alt.Chart(data[data["leads"] > 0]).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("yearmonthdate(bucket):O", title=None, axis=alt.Axis(format=time_fmt, labelAngle=0, labelOverlap=True)),
        y=alt.Y("channel:N", title=None, sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        color=alt.Color("junk_pct:Q", title=t("ch.chart.junk_pct", lang) + ", %",
                        scale=alt.Scale(scheme="reds", domain=[0, 100]), legend=alt.Legend(orient="right")),
        strokeDash=alt.condition("datum.incomplete", alt.value([3, 2]), alt.value([])),
        tooltip=[alt.Tooltip("bucket:T", title=t("chart.bucket", lang), format=tooltip_day(lang)),
                 alt.Tooltip("channel:N", title=t("ch.chart.channel", lang)),
                 alt.Tooltip("junk_pct:Q", title=t("ch.chart.junk_pct", lang), format=".1f"),
                 alt.Tooltip("junk_leads:Q", title=t("ch.chart.junk_leads", lang), format=",.0f"),
                 alt.Tooltip("leads:Q", title=t("ch.chart.leads", lang), format=",.0f")],
    )
    return props(cells, height=alt.Step(26))  # a readable row per channel, however many

def alert_markdown(a: dict, lang: str, currency: str) -> str:
    """Status badges (red for dead / burning money, orange for declining) followed by the sentence."""
    badges = " ".join(f":{'orange' if x == 'declining' else 'red'}-badge[{t('ch.status.' + x, lang)}]"
                      for x in a["statuses"])
    # names come from imported files: shown literally, never as markdown
    safe = {**a, "channel": fmt.md(a["channel"]),
            "campaign": fmt.md(a["campaign"]) if a.get("campaign") else a.get("campaign")}
    return f"{badges} {alert_sentence(safe, lang, currency)}"

