"""Marketer KPIs: a month's new clients, cost per client, leads, target CPL, repeat purchases and
positive reviews — growth vs the previous month, plan, pace forecast — and their 12-month trend."""
import pandas as pd
import streamlit as st

from fullfunnel import fmt, periods, ui
from fullfunnel.charts import kpis as charts
from fullfunnel.i18n import t
from fullfunnel.reports import kpis as R

MISSING = {"spend": "spend", "cost_per_client": "spend", "target_cpl": "spend", "leads": "leads",
           "target_leads": "leads", "new_clients": "purchases", "repeat_purchases": "purchases",
           "positive_reviews": "reviews"}

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("kpi.title", lang))

have = ui.presence()
have["purchases"] = have.get("deals", 0) + have.get("orders", 0)
if not any(have.get(k) for k in ("leads", "spend", "purchases", "reviews")):
    st.info(t("kpi.missing", lang), icon=":material/upload_file:")
    st.stop()

today = ui.today()
options = [m.isoformat()[:7] for m in R.months(today)]
current = today.replace(day=1)


def _month_name(code: str) -> str:
    m = R.parse_month(code)
    name = charts.month_label(m, lang, long=True).capitalize()
    return t("kpi.in_progress", lang, month=name) if m == current else name


choice = ui.url_choice(st.columns([1.5, 3])[0].selectbox, t("kpi.month", lang), options, key="kpi_month",
                       default=options[0], format_func=_month_name)
month, table = R.kpis_full(ui.run, f, choice, today)
_, by_month = R.by_month_full(ui.run, f, choice, today)
plans = R.plans(ui.run, f, by_month["month"].iloc[0], month.start)
prev_name = charts.month_label(R.add_months(month.start, -1), lang)

notes = [t("kpi.monthly_note", lang)]
forecasting = month.in_progress and month.days_elapsed >= periods.MIN_PACE_DAYS
if month.in_progress:
    notes.append(t("kpi.pace_note" if forecasting else "kpi.no_forecast", lang, min=periods.MIN_PACE_DAYS, month=charts.month_label(month.start, lang, long=True).capitalize(),
                   days=month.days_elapsed, total=month.days_in_month, prev=prev_name))
if f.channels:
    notes.append(t("kpi.channel_note", lang, channels=ui.md(", ".join(f.channels))))
st.caption(" ".join(notes))
month_name = charts.month_label(month.start, lang, long=True).capitalize()
st.markdown("#### " + (t("kpi.heading_so_far", lang, month=month_name, start=fmt.day(month.start, lang),
                         end=fmt.day(month.data_to, lang), days=month.days_elapsed, total=month.days_in_month)
                       if month.in_progress else month_name))

# ---------------------------------------------------------------- cards
missing_notes = []
rows = [table.iloc[:4], table.iloc[4:]]
for part in rows:
    cols = st.columns(4)
    for col, (_, r) in zip(cols, part.iterrows()):
        k, unit = r["kpi"], r["unit"]
        label = t(f"kpi.{k}", lang)
        help_text = t(f"kpi.help.{k}", lang, currency=f.currency) + "\n\n" + t("kpi.help.growth", lang)
        box = col.container(border=True)
        if not have.get(MISSING[k]):
            box.metric(label, fmt.DASH, help=help_text)
            note = t(f"kpi.missing.{MISSING[k]}", lang)
            if note not in missing_notes:
                missing_notes.append(note)
            continue
        value = fmt.value(r["value"], unit, lang, f.currency, compact=True)
        help_text += "\n\n" + t("kpi.previous", lang, month=prev_name,
                                value=fmt.value(r["previous"], unit, lang, f.currency))
        help_text += "\n\n" + t("kpi.help.bars", lang)
        delta = None if pd.isna(r["growth_pct"]) else fmt.pct(r["growth_pct"], lang, signed=True)
        spark = pd.to_numeric(by_month[k]).astype("float64")
        if month.in_progress:  # the month in progress at its pace forecast (none yet: left out)
            spark.iloc[-1] = r["forecast"]
        spark = spark.dropna().tolist()
        box.metric(label, value, delta=delta, help=help_text,
                   delta_color="inverse" if r["lower_is_better"] else "normal",
                   delta_description=None if delta is None else t(
                       "kpi.forecast_vs" if month.in_progress else "kpi.vs", lang, month=prev_name),
                   chart_data=spark if len(spark) > 1 else None, chart_type="bar")
        forecast = fmt.value(r["forecast"], unit, lang, f.currency)
        if pd.isna(r["plan"]):
            line = t("kpi.forecast_no_plan", lang, forecast=forecast) if forecasting else t("kpi.no_plan", lang)
        else:
            plan, pct = fmt.value(r["plan"], unit, lang, f.currency), fmt.pct(r["plan_pct"], lang, 0)
            line = (t("kpi.plan_forecast", lang, plan=plan, pct=pct, forecast=forecast,
                      fpct=fmt.pct(r["forecast_plan_pct"], lang, 0))
                    if forecasting else t("kpi.plan_line", lang, plan=plan, pct=pct))
        box.caption(line, help=t("kpi.help.plan", lang))
        if not pd.isna(r["plan_pct"]) and not r["lower_is_better"]:
            box.progress(min(max(r["plan_pct"], 0.0), 100.0) / 100.0)
for note in missing_notes:
    st.info(note, icon=":material/upload_file:")
if not have.get("plans"):
    st.caption(t("kpi.no_plans", lang))

# ---------------------------------------------------------------- 12-month trend
st.subheader(t("kpi.trend", lang))
shown = [k for k in R.KPIS if have.get(MISSING[k])]
pick = ui.url_choice(st.selectbox, t("kpi.pick", lang), shown, key="kpi_trend", default=shown[0],
                     format_func=lambda k: t(f"kpi.{k}", lang))
fc = table.set_index("kpi")["forecast"].get(pick)
ui.chart(st, charts.kpi_trend, by_month, pick, R.UNITS[pick], lang, f.currency, t(f"kpi.{pick}", lang), plans,
         in_progress_month=month.start if month.in_progress else None,
         forecast=None if fc is None or pd.isna(fc) else float(fc))
st.caption(t("kpi.chart_note", lang))

st.subheader(t("kpi.table", lang))
grid = pd.DataFrame({t("kpi.col.kpi", lang): [t(f"kpi.{k}", lang) for k in R.KPIS]})
for _, r in by_month.iterrows():
    name = charts.month_label(r["month"], lang)
    if month.in_progress and r["month"] == month.start:
        name += "*"
    grid[name] = [fmt.value(r[k], R.UNITS[k], lang, f.currency) if have.get(MISSING[k]) else fmt.DASH
                  for k in R.KPIS]
st.dataframe(grid, hide_index=True, width="stretch",
             column_config={t("kpi.col.kpi", lang): st.column_config.TextColumn(pinned=True)})
if month.in_progress:
    st.caption("\\* " + t("kpi.so_far", lang) + f" (1–{month.days_elapsed} / {month.days_in_month})")
