"""Sales team: per-manager calls, meetings, leads, won deals, revenue and plan vs fact; the month's
plan pace; won deals over time per manager."""
import math

import pandas as pd
import streamlit as st

from fullfunnel import fmt, periods, ui
from fullfunnel.charts import sales as charts
from fullfunnel.i18n import t
from fullfunnel.reports import sales as R

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "ru": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
           "ноябрь", "декабрь"],
}
UNITS = R.UNITS
# The table leads with money and the plan (what the head of sales reads first), then activity.
TABLE = ["revenue", "revenue_plan", "plan_pct", "won_deals", "avg_check", "leads", "lead_to_won_pct", "calls", "meetings"]
TABLE_CHANGED = ["revenue", "won_deals", "leads", "calls", "meetings"]  # a cohort rate's Δ would mislead
NUM = "font-variant-numeric: tabular-nums"
BOLD = "font-weight: 700; background-color: #f1f5f9"

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("st.title", lang))
st.caption(ui.period_caption(s) + " · " + t("st.note", lang))

have = ui.presence()
if not have.get("leads") and not have.get("deals") and not have.get("activities"):
    st.info(t("st.missing", lang), icon=":material/upload_file:")
    st.stop()
if f.channels:
    st.info(t("st.no_channel_filter", lang), icon=":material/info:")

board = R.team_with_change(ui.run, f)
names = {"": t("st.no_manager", lang)}
total = board[board["is_total"]].iloc[0]
has_cmp = f.comparison_period is not None

# ---------------------------------------------------------------- team cards
st.subheader(t("st.team", lang))
cards = ["revenue", "plan_pct", "won_deals", "avg_check", "leads", "lead_to_won_pct", "calls", "meetings"]
columns = list(st.columns(4)) + list(st.columns(4))
for col, m in zip(columns, cards):
    if m == "plan_pct":
        help_text = t("st.help.plan_pct", lang) + "\n\n" + t("st.help.revenue_plan", lang)
        if pd.isna(total["revenue_plan"]):
            col.metric(t("st.col.plan_pct", lang), fmt.DASH, border=True, help=help_text)
        else:  # the plan itself where the other cards show their change
            plan = t("st.plan_is", lang, plan=fmt.value(total["revenue_plan"], "money", lang, f.currency, compact=True))
            col.metric(t("st.col.plan_pct", lang), fmt.value(total["plan_pct"], "pct", lang, compact=True),
                       delta=plan, delta_color="off", delta_arrow="off", border=True, help=help_text)
        continue
    help_text = t(f"st.help.{m}", lang, currency=f.currency)
    if m != "lead_to_won_pct":
        help_text += "\n\n" + t("st.help.change", lang)
    prev = None
    if has_cmp:
        prev = t("st.previous", lang, value=fmt.value(total[f"{m}_prev"], UNITS[m], lang, f.currency))
    value = fmt.value(total[m], UNITS[m], lang, f.currency, compact=True)
    if m == "lead_to_won_pct":  # no change: a younger cohort always looks worse; say it matures instead
        col.metric(t(f"st.col.{m}", lang), value, delta=t("st.cohort_badge", lang), delta_color="off",
                   delta_arrow="off", border=True, help=help_text + ("\n\n" + prev if prev else ""))
        continue
    ui.kpi(col, t(f"st.col.{m}", lang), value, total[f"{m}_change_pct"], help_text, previous=prev)
notes = []
if not have.get("activities"):
    notes.append(t("st.no_activities", lang))
if not have.get("plans"):
    notes.append(t("st.no_plans", lang))
for note in notes:
    st.info(note, icon=":material/upload_file:")

# ---------------------------------------------------------------- managers table
st.subheader(t("st.table", lang))
# Columns of a kind of data never imported would be all "—": the notes above say what to import.
TABLE = [m for m in TABLE if have.get("plans") or m not in ("revenue_plan", "plan_pct")]
TABLE = [m for m in TABLE if have.get("activities") or m not in ("calls", "meetings")]
TABLE_CHANGED = [m for m in TABLE_CHANGED if m in TABLE]
cols = ["manager"]
for m in TABLE:
    cols.append(m)
    if has_cmp and m in TABLE_CHANGED:
        cols.append(f"{m}_change_pct")
table = board[cols].copy()
table["manager"] = [t("st.total", lang) if tot else names.get(m, m) for m, tot in zip(board["manager"], board["is_total"])]
NUMERIC = cols[1:]
ui.missing_last(table, NUMERIC)


def _plan_colour(col: pd.Series):
    vals = col.replace(math.inf, math.nan)
    return ["background-color: #dcfce7" if v >= 100 else "background-color: #fee2e2" if v < 80 else NUM
            for v in vals]


def style(table: pd.DataFrame, shown: list[str], changed: list[str], totals: list[int], lang: str, currency: str):
    """shown: the metrics of the table; changed: those with a change column; totals: the total rows."""
    formatters = {m: ui.cell(UNITS[m], lang, currency) for m in shown}
    formatters.update({f"{m}_change_pct": ui.change_cell(lang) for m in changed})
    styler = table.style.format(formatters)  # one call: a second .format() would reset the first
    styler = styler.map(lambda _: NUM, subset=list(table.columns[1:]))
    if "plan_pct" in shown:
        styler = styler.apply(_plan_colour, subset=["plan_pct"])
    if changed:
        styler = styler.apply(ui.change_colours, subset=[f"{m}_change_pct" for m in changed])
    return styler.apply(lambda r: [BOLD] * len(r) if r.name in totals else [""] * len(r), axis=1)


config = {"manager": st.column_config.TextColumn(t("st.col.manager", lang), pinned=True)}
for m in TABLE:
    config[m] = st.column_config.Column(t(f"st.col.{m}", lang), help=t(f"st.help.{m}", lang, currency=f.currency))
    if has_cmp and m in TABLE_CHANGED:
        config[f"{m}_change_pct"] = st.column_config.Column("Δ", help=t("st.help.change", lang), width="small")
ui.table(st, style, table, TABLE, TABLE_CHANGED if has_cmp else [], board.index[board["is_total"]].tolist(),
         lang, f.currency, column_config=config, hide_index=True, width="stretch",
         height=min(38 * (len(table) + 1) + 4, 640))
st.caption(t("st.table_note", lang) + " " + t("st.cohort_note", lang))

# ---------------------------------------------------------------- plan pace (the current month)
today = ui.today()
month_start = today.replace(day=1)
if have.get("plans") and f.period.start <= today and f.period.end >= month_start:
    pace = R.pace(ui.run, f, today)
    month = f"{MONTHS[lang][today.month - 1]} {today.year}"
    st.subheader(t("st.pace", lang, month=month), help=t("st.pace_help", lang))
    team = pace[pace["is_total"]].iloc[0]
    rows = pace[~pace["is_total"]]
    if pd.isna(team["revenue_plan"]):
        st.info(t("st.pace_no_plan", lang, month=month))
    else:
        st.caption(t("st.pace_caption" if pd.notna(team["forecast"]) else "st.pace_caption_early", lang,
                     day=int(team["days_elapsed"]), days=int(team["days_in_month"]), min=periods.MIN_PACE_DAYS,
                     so_far=fmt.money(team["revenue_so_far"], f.currency, lang),
                     forecast=fmt.money(team["forecast"], f.currency, lang),
                     plan=fmt.money(team["revenue_plan"], f.currency, lang)))
        ui.chart(st, charts.pace_bullets, rows, lang, f.currency, names)
        st.caption(t("st.pace_legend", lang))

# ---------------------------------------------------------------- won over time
st.subheader(t("st.over_time", lang))
series = R.won_over_time(ui.run, f)
if series.empty or series["won_deals"].sum() == 0:
    st.info(t("st.no_wins", lang))
else:
    measure = ui.url_choice(
        st.segmented_control, t("st.measure", lang), R.SERIES_MEASURES, key="measure", default="revenue",
        format_func=lambda x: t(f"st.measure.{x}", lang, currency=fmt.symbol(f.currency, lang)))
    plan = R.plan_by_month(ui.run, f) if f.grain == "month" and measure == "revenue" and have.get("plans") else None
    ui.chart(st, charts.won_over_time, series, measure, lang, f.grain, today, f.period, f.currency, names, plan)
    notes = [t("st.plan_marks", lang)] if plan is not None and len(plan) else []
    if any(periods.is_incomplete(b, f.grain, today, f.period) for b in series["bucket"].unique()):
        notes.append(t("st.incomplete_note", lang))
    if notes:
        st.caption(" ".join(notes))
