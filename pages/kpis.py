"""Marketer KPIs: a month's new clients, cost per client, leads, target CPL, repeat purchases and
positive reviews — growth vs the previous month, plan, pace forecast — and their 12-month trend."""
import pandas as pd
import streamlit as st

from fullfunnel import fmt, periods, ui
from fullfunnel.charts import kpis as charts
from fullfunnel.i18n import register, t
from fullfunnel.reports import kpis as R

register({
    "kpi.title": {"en": "Marketer KPIs", "ru": "KPI маркетолога"},
    "kpi.month": {"en": "Month", "ru": "Месяц"},
    "kpi.in_progress": {"en": "{month} (in progress)", "ru": "{month} (идёт)"},
    "kpi.monthly_note": {
        "en": "KPIs are monthly, whatever the period and grain in the sidebar; growth is vs the previous month.",
        "ru": "KPI считаются по месяцам, независимо от периода и детализации в боковой панели; рост — к прошлому месяцу."},
    "kpi.no_forecast": {
        "en": "{month} is in progress: values so far count days 1–{days} of {total}. A pace forecast (and growth "
              "vs {prev}) comes from the {min}th complete day; {days} is too few to mean anything.",
        "ru": "{month} ещё идёт: значения на сегодня — за дни 1–{days} из {total}. Прогноз по темпу (и рост к "
              "{prev}) появится с {min}-го полного дня: {days} дн. — слишком мало, чтобы что-то значить."},
    "kpi.pace_note": {
        "en": "{month} is in progress: values so far count days 1–{days} of {total} (up to yesterday, today is "
              "incomplete). Forecast = value so far × {total} / {days}; growth compares the forecast with {prev}.",
        "ru": "{month} ещё идёт: значения на сегодня — за дни 1–{days} из {total} (по вчера, сегодняшний день "
              "неполный). Прогноз = значение на сегодня × {total} / {days}; рост — прогноз к {prev}."},
    "kpi.channel_note": {
        "en": "Channels: {channels}. Clients, leads, spend and repeat purchases are for these channels (clients "
              "by their purchase's lead channel); positive reviews are company-wide — the channel filter does not apply. "
              "Only plans imported for these channels apply.",
        "ru": "Каналы: {channels}. Клиенты, лиды, расход и повторные покупки — по этим каналам (клиенты — по каналу "
              "лида их покупки); положительные отзывы — по всей компании, фильтр по каналам к ним не применяется. "
              "Действуют только планы, загруженные для этих каналов."},
    "kpi.new_clients": {"en": "New clients", "ru": "Новые клиенты"},
    "kpi.cost_per_client": {"en": "Cost per client", "ru": "Цена клиента"},
    "kpi.leads": {"en": "Leads", "ru": "Лиды"},
    "kpi.target_leads": {"en": "Target leads", "ru": "Целевые лиды"},
    "kpi.target_cpl": {"en": "Target CPL", "ru": "CPL целевого"},
    "kpi.spend": {"en": "Ad spend", "ru": "Расход на рекламу"},
    "kpi.repeat_purchases": {"en": "Repeat purchases", "ru": "Повторные покупки"},
    "kpi.positive_reviews": {"en": "Positive reviews", "ru": "Положительные отзывы"},
    "kpi.help.new_clients": {
        "en": "New clients = clients whose first won deal or first order falls in the month; a client counts in "
              "the channel of that purchase's lead (or the order's channel).",
        "ru": "Новые клиенты = клиенты, чья первая выигранная сделка или первый заказ пришлись на месяц; клиент "
              "засчитывается каналу лида этой покупки (или каналу заказа)."},
    "kpi.help.cost_per_client": {"en": "Cost per client = spend / new clients, in {currency}.",
                                 "ru": "Цена клиента = расход / новые клиенты, в {currency}."},
    "kpi.help.leads": {"en": "Leads = inbound requests created in the month.",
                       "ru": "Лиды = обращения, созданные в месяце."},
    "kpi.help.target_leads": {"en": "Target leads = leads − junk leads.",
                              "ru": "Целевые лиды = лиды − нецелевые лиды."},
    "kpi.help.target_cpl": {"en": "Target CPL = spend / target leads, in {currency}.",
                            "ru": "CPL целевого = расход / целевые лиды, в {currency}."},
    "kpi.help.spend": {"en": "Ad spend dated in the month, in {currency}.",
                       "ru": "Расход на рекламу с датой в месяце, в {currency}."},
    "kpi.help.repeat_purchases": {
        "en": "Repeat purchases = orders or won deals from clients who had bought before (an order linked to a "
              "deal counts once), in the channel of that purchase.",
        "ru": "Повторные покупки = заказы или выигранные сделки клиентов, которые уже покупали раньше (заказ, "
              "связанный со сделкой, считается один раз), по каналу этой покупки."},
    "kpi.help.positive_reviews": {
        "en": "Positive reviews = reviews rated 4 or 5 of 5, dated in the month. Company-wide: the channel "
              "filter does not apply.",
        "ru": "Положительные отзывы = отзывы с оценкой 4 или 5 из 5, с датой в месяце. По всей компании: фильтр "
              "по каналам не применяется."},
    "kpi.help.growth": {
        "en": "Growth = (this month − previous month) / previous month; “—” when the previous month is 0. "
              "For the month in progress the pace forecast is compared.",
        "ru": "Рост = (этот месяц − прошлый месяц) / прошлый месяц; «—», если в прошлом месяце 0. "
              "Для идущего месяца сравнивается прогноз по темпу."},
    "kpi.help.plan": {"en": "Done = value / plan. For the month in progress also: pace forecast = value so far × days in "
                            "the month / days counted, and forecast / plan in brackets.",
                      "ru": "Выполнено = значение / план. Для идущего месяца ещё: прогноз по темпу = значение на сегодня × "
                            "дней в месяце / дней учтено, и прогноз / план в скобках."},
    "kpi.previous": {"en": "{month}: {value}", "ru": "{month}: {value}"},
    "kpi.vs": {"en": "vs {month}", "ru": "к {month}"},
    "kpi.forecast_vs": {"en": "forecast vs {month}", "ru": "прогноз к {month}"},
    "kpi.so_far": {"en": "so far", "ru": "на сегодня"},
    "kpi.heading_so_far": {"en": "{month} so far: {start} – {end}, {days} of {total} days",
                           "ru": "{month}, на сегодня: {start} – {end}, {days} из {total} дн."},
    "kpi.forecast_no_plan": {"en": "Forecast {forecast} · no plan", "ru": "Прогноз {forecast} · плана нет"},
    "kpi.plan_line": {"en": "Plan {plan} · done {pct}", "ru": "План {plan} · выполнено {pct}"},
    "kpi.plan_forecast": {"en": "Plan {plan} · done {pct} · forecast {forecast} ({fpct})",
                          "ru": "План {plan} · выполнено {pct} · прогноз {forecast} ({fpct})"},
    "kpi.no_plan": {"en": "No plan", "ru": "Плана нет"},
    "kpi.help.bars": {"en": "Bars: the 12 months up to this one (a month in progress at its pace forecast).",
                      "ru": "Столбики: 12 месяцев по этот (идущий месяц — по прогнозу темпа)."},
    "kpi.missing": {
        "en": "No leads, ad spend, deals, orders or reviews imported yet — import them on the Import page.",
        "ru": "Лиды, расходы, сделки, заказы и отзывы ещё не загружены — импортируйте их на странице «Импорт»."},
    "kpi.missing.spend": {"en": "No ad spend imported yet — cost per client and target CPL need it.",
                          "ru": "Расходы ещё не загружены — без них нет цены клиента и CPL целевого."},
    "kpi.missing.leads": {"en": "No leads imported yet — import leads from your CRM.",
                          "ru": "Лиды ещё не загружены — импортируйте лиды из CRM."},
    "kpi.missing.purchases": {"en": "No deals or orders imported yet — clients and repeat purchases need them.",
                              "ru": "Сделки и заказы ещё не загружены — без них нет клиентов и повторных покупок."},
    "kpi.missing.reviews": {"en": "No reviews imported yet — import a reviews file (date, rating 1–5).",
                            "ru": "Отзывы ещё не загружены — импортируйте файл отзывов (дата, оценка 1–5)."},
    "kpi.no_plans": {
        "en": "No plans imported: import a plans file (month, metric, value) with the metric names new_clients "
              "(or clients), cost_per_client (or cac), leads, target_leads, target_cpl, spend (or budget), "
              "repeat_purchases, positive_reviews; channel and manager empty = company-wide.",
        "ru": "Планы не загружены: импортируйте файл планов (month, metric, value) с названиями метрик new_clients "
              "(или clients), cost_per_client (или cac), leads, target_leads, target_cpl, spend (или budget), "
              "repeat_purchases, positive_reviews; пустые channel и manager — план на всю компанию."},
    "kpi.trend": {"en": "12-month trend", "ru": "Динамика за 12 месяцев"},
    "kpi.pick": {"en": "KPI", "ru": "Показатель"},
    "kpi.chart.month": {"en": "Month", "ru": "Завершённый месяц"},
    "kpi.chart.month_title": {"en": "Month", "ru": "Месяц"},
    "kpi.chart.so_far": {"en": "So far", "ru": "Идущий месяц"},
    "kpi.chart.forecast": {"en": "Forecast", "ru": "Прогноз"},
    "kpi.chart.plan": {"en": "Plan", "ru": "План"},
    "kpi.chart_note": {"en": "Red tick = plan; dashed outline = pace forecast of the month in progress.",
                       "ru": "Красная черта — план; пунктирный контур — прогноз идущего месяца по темпу."},
    "kpi.table": {"en": "All KPIs by month", "ru": "Все KPI по месяцам"},
    "kpi.col.kpi": {"en": "KPI", "ru": "Показатель"},
})

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
st.altair_chart(
    charts.kpi_trend(by_month, pick, R.UNITS[pick], lang, f.currency, t(f"kpi.{pick}", lang), plans,
                     in_progress_month=month.start if month.in_progress else None,
                     forecast=None if fc is None or pd.isna(fc) else float(fc)),
    width="stretch",
)
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
