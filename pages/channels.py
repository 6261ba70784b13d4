"""Channels: alerts about dead / declining / burning-money channels, the leaderboard, leads over time."""
import math

import pandas as pd
import streamlit as st

from fullfunnel import fmt, ui
from fullfunnel.charts import channels as charts
from fullfunnel.i18n import t
from fullfunnel.reports import channels as R

UNITS = R.UNITS
METRICS = list(UNITS)
GOOD, BAD = "background-color: #dcfce7", "background-color: #fee2e2"
# Every formatted cell carries a style: Streamlit shows a Styler's formatted text only on styled cells.
NUM = "font-variant-numeric: tabular-nums"

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("ch.title", lang))
st.caption(ui.period_caption(s) + " · " + t("ch.cash_note", lang))

have = ui.presence()
if not have.get("leads") and not have.get("spend"):
    st.info(t("ch.missing", lang), icon=":material/upload_file:")
    st.stop()

# ---------------------------------------------------------------- alerts first
alerts = R.alerts(ui.run, f)
st.subheader(t("ch.alerts", lang), help=t("ch.alerts_help", lang))
if alerts:
    st.caption(t("ch.alerts_window", lang, start=fmt.day(alerts[0]["window_from"], lang),
                 end=fmt.day(alerts[0]["window_to"], lang)))
for a in alerts:
    st.warning(charts.alert_markdown(a, lang, f.currency), icon=":material/warning:")
if not alerts:
    st.success(t("ch.no_alerts", lang), icon=":material/check_circle:")

# ---------------------------------------------------------------- leaderboard
st.subheader(t("ch.leaderboard", lang))
level = ui.url_choice(st.segmented_control, t("ch.level", lang), R.LEVELS, key="rows", default="channel",
                      format_func=lambda x: t(f"ch.level.{x}", lang))
board = R.leaderboard_with_change(ui.run, f, level)
series = R.leads_over_time(ui.run, f, level)
keys = ["channel", "campaign"]
spark = charts.sparklines(series, keys)
board["trend"] = [spark.get((c, k), []) for c, k in zip(board["channel"], board["campaign"])]

has_cmp = f.comparison_period is not None
cols = ["channel"] + (["campaign"] if level == "campaign" else []) + ["trend"]
for m in METRICS:
    cols.append(m)
    if has_cmp:
        cols.append(f"{m}_change_pct")
table = board[cols].copy()
if level == "campaign":
    table["campaign"] = table["campaign"].replace("", t("ch.no_campaign", lang))
NUMERIC = [c for c in cols if c not in ("channel", "campaign", "trend")]
ui.missing_last(table, NUMERIC)


def _best_worst(col: pd.Series, lower_better: bool):
    vals = col.replace(math.inf, math.nan)
    out = [NUM] * len(col)
    if vals.notna().sum() >= 2 and vals.max() != vals.min():
        best, worst = (vals.min(), vals.max()) if lower_better else (vals.max(), vals.min())
        out = [GOOD if v == best else BAD if v == worst else NUM for v in vals]
    return out


def style(table: pd.DataFrame, lang: str, currency: str, has_cmp: bool):
    formatters = {m: ui.cell(UNITS[m], lang, currency) for m in METRICS}
    if has_cmp:
        formatters.update({f"{m}_change_pct": ui.change_cell(lang) for m in METRICS})
    styler = table.style.format(formatters)  # one call: a second .format() would reset the first
    for m in METRICS:
        if m == "spend":
            styler = styler.map(lambda _: NUM, subset=[m])  # spend is neither good nor bad by itself
            continue
        styler = styler.apply(lambda c, m=m: _best_worst(c, m in R.LOWER_IS_BETTER), subset=[m])
        if has_cmp:
            styler = styler.apply(lambda c, m=m: ui.change_colours(c, m in R.LOWER_IS_BETTER),
                                  subset=[f"{m}_change_pct"])
    return styler


help_change = t("ch.help.change", lang)
config = {
    "channel": st.column_config.TextColumn(t("ch.col.channel", lang), pinned=True),
    "campaign": st.column_config.TextColumn(t("ch.col.campaign", lang), pinned=True),
    "trend": st.column_config.LineChartColumn(
        t("ch.col.trend", lang, grain=t(f"ch.grain.{f.grain}", lang)), y_min=0, width=110),
}
for m in METRICS:
    config[m] = st.column_config.Column(t(f"ch.col.{m}", lang), help=t(f"ch.help.{m}", lang, currency=f.currency))
    if has_cmp:
        config[f"{m}_change_pct"] = st.column_config.Column("Δ", help=help_change, width="small")
ui.table(st, style, table, lang, f.currency, has_cmp, column_config=config, hide_index=True, width="stretch",
         height=min(38 * (len(table) + 1) + 4, 600))
st.caption(t("ch.table_note", lang, cmp=t("ch.cmp_period", lang)))

# ---------------------------------------------------------------- leads over time
today = ui.today()
by_channel = R.leads_over_time(ui.run, f) if level == "campaign" else series
st.subheader(t("ch.over_time", lang))
if by_channel.empty or by_channel["leads"].sum() == 0:
    st.info(t("ch.no_leads_in_period", lang))
else:
    ui.chart(st, charts.leads_over_time, by_channel, lang, f.grain, today, f.period)
    st.subheader(t("ch.junk_over_time", lang), help=t("ch.junk_help", lang))
    if not have.get("qualified_leads"):   # no lead was ever qualified: a 0 % heatmap would be a lie
        st.info(t("ch.junk_unknown", lang), icon=":material/help:")
    else:
        ui.chart(st, charts.junk_rate, by_channel, lang, f.grain, today, f.period)
