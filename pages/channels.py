"""Channels: alerts about dead / declining / burning-money channels, the leaderboard, leads over time."""
import math

import pandas as pd
import streamlit as st

from fullfunnel import fmt, ui
from fullfunnel.charts import channels as charts
from fullfunnel.i18n import register, t
from fullfunnel.reports import channels as R

register({
    "ch.title": {"en": "Channels", "ru": "Каналы"},
    "ch.cash_note": {"en": "Leads and spend on their own dates; revenue and new clients by the day the deal was won.",
                     "ru": "Лиды и расходы — по своим датам; выручка и новые клиенты — по дню выигрыша сделки."},
    "ch.alerts": {"en": "Alerts", "ru": "Тревоги"},
    "ch.alerts_help": {
        "en": "At the last day of the period D: usual rate = leads per day over D−69 … D−14 (56 days); "
              "window = the last 14 days D−13 … D; expected = 14 × usual rate. "
              "Dead: no lead in the window while at least 5 were expected. "
              "Declining: some leads, but a Poisson probability of so few below 1 %. "
              "Burning money: spend in the window and no lead.",
        "ru": "На последний день периода D: обычный темп = лидов в день за D−69 … D−14 (56 дней); "
              "окно = последние 14 дней D−13 … D; ожидание = 14 × обычный темп. "
              "Канал затих: ни одного лида в окне при ожидании не меньше 5. "
              "Падение: лиды есть, но вероятность такого малого числа по Пуассону ниже 1 %. "
              "Слив бюджета: в окне есть расход и нет лидов.",
    },
    "ch.alerts_window": {"en": "Window {start} – {end} vs the 56 days before it.",
                         "ru": "Окно {start} – {end} в сравнении с 56 днями до него."},
    "ch.no_alerts": {"en": "No channel stopped bringing leads or spent without leads in the last 14 days of the period.",
                     "ru": "За последние 14 дней периода ни один канал не перестал приводить лиды и не тратил деньги впустую."},
    "ch.leaderboard": {"en": "Leaderboard", "ru": "Рейтинг каналов"},
    "ch.level": {"en": "Rows", "ru": "Разбивка"},
    "ch.level.channel": {"en": "Channels", "ru": "Каналы"},
    "ch.level.campaign": {"en": "Campaigns", "ru": "Кампании"},
    "ch.table_note": {
        "en": "Click a column header to sort. Green = best in the column, red = worst; Δ = change vs {cmp}.",
        "ru": "Нажмите на заголовок, чтобы отсортировать. Зелёный — лучший в столбце, красный — худший; Δ — изменение к {cmp}.",
    },
    "ch.cmp_period": {"en": "the comparison period", "ru": "периоду сравнения"},
    "ch.col.channel": {"en": "Channel", "ru": "Канал"},
    "ch.col.campaign": {"en": "Campaign", "ru": "Кампания"},
    "ch.no_campaign": {"en": "(no campaign)", "ru": "(без кампании)"},
    "ch.col.trend": {"en": "Leads by {grain}", "ru": "Лиды по {grain}"},
    "ch.grain.day": {"en": "day", "ru": "дням"},
    "ch.grain.week": {"en": "week", "ru": "неделям"},
    "ch.grain.month": {"en": "month", "ru": "месяцам"},
    "ch.col.leads": {"en": "Leads", "ru": "Лиды"},
    "ch.col.target_leads": {"en": "Target leads", "ru": "Целевые"},
    "ch.col.junk_pct": {"en": "Junk", "ru": "Нецелевые"},
    "ch.col.spend": {"en": "Spend", "ru": "Расход"},
    "ch.col.cpl": {"en": "CPL", "ru": "CPL"},
    "ch.col.target_cpl": {"en": "Target CPL", "ru": "CPL целевого"},
    "ch.col.new_clients": {"en": "New clients", "ru": "Новые клиенты"},
    "ch.col.cac": {"en": "Cost per client", "ru": "Цена клиента"},
    "ch.col.lead_to_client_pct": {"en": "Lead → client", "ru": "Лид → клиент"},
    "ch.col.revenue": {"en": "Revenue", "ru": "Выручка"},
    "ch.col.romi_pct": {"en": "ROMI", "ru": "ROMI"},
    "ch.help.leads": {"en": "Inbound requests created in the period.", "ru": "Обращения, созданные в периоде."},
    "ch.help.target_leads": {"en": "Target leads = leads − junk leads.", "ru": "Целевые лиды = лиды − нецелевые."},
    "ch.help.junk_pct": {"en": "Junk rate = junk leads / leads.", "ru": "Доля нецелевых = нецелевые лиды / лиды."},
    "ch.help.spend": {"en": "Ad spend dated in the period, in {currency}.", "ru": "Расход на рекламу с датой в периоде, в {currency}."},
    "ch.help.cpl": {"en": "CPL = spend / leads.", "ru": "CPL = расход / лиды."},
    "ch.help.target_cpl": {"en": "Target CPL = spend / target leads.", "ru": "CPL целевого = расход / целевые лиды."},
    "ch.help.new_clients": {
        "en": "Clients whose first won deal (or first order) falls in the period, credited to that deal's lead channel.",
        "ru": "Клиенты, чья первая выигранная сделка (или первый заказ) пришлась на период; засчитываются каналу лида этой сделки."},
    "ch.help.cac": {"en": "Cost per client = spend / new clients.", "ru": "Цена клиента = расход / новые клиенты."},
    "ch.help.lead_to_client_pct": {"en": "Lead → client = new clients / leads.", "ru": "Лид → клиент = новые клиенты / лиды."},
    "ch.help.revenue": {"en": "Revenue = amount of deals won in the period, in {currency}.",
                        "ru": "Выручка = сумма сделок, выигранных в периоде, в {currency}."},
    "ch.help.romi_pct": {"en": "ROMI = (revenue − spend) / spend.", "ru": "ROMI = (выручка − расход) / расход."},
    "ch.help.change": {"en": "Δ = (current − previous) / previous; “—” when the previous value is 0.",
                       "ru": "Δ = (текущее − прошлое) / прошлое; «—», если прошлое равно 0."},
    "ch.over_time": {"en": "Leads over time by channel", "ru": "Лиды по времени и каналам"},
    "ch.junk_unknown": {
        "en": "The junk rate is unknown: no imported lead has a qualification (target / junk), so every lead "
              "counts as a target lead. Import leads with a qualification column to see it.",
        "ru": "Доля нецелевых неизвестна: ни у одного загруженного лида нет квалификации (целевой / нецелевой), "
              "поэтому все лиды считаются целевыми. Загрузите лиды с колонкой qualification, чтобы её увидеть.",
    },
    "ch.junk_over_time": {"en": "Lead quality: junk rate by channel, %", "ru": "Качество лидов: доля нецелевых по каналам, %"},
    "ch.junk_help": {"en": "Junk rate = junk leads / leads, per bucket; empty cells had no leads; a dashed cell is an incomplete bucket.",
                     "ru": "Доля нецелевых = нецелевые лиды / лиды в каждом интервале; пустые клетки — без лидов; пунктир — неполный интервал."},
    "ch.missing": {"en": "No leads or ad spend imported yet — import leads from your CRM and ad cabinet reports on the Import page.",
                   "ru": "Лиды и расходы ещё не загружены — импортируйте лиды из CRM и отчёты рекламных кабинетов на странице «Импорт»."},
    "ch.no_leads_in_period": {"en": "No leads in this period.", "ru": "В этом периоде лидов нет."},
})

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


formatters = {m: ui.cell(UNITS[m], lang, f.currency) for m in METRICS}
if has_cmp:
    formatters.update({f"{m}_change_pct": ui.change_cell(lang) for m in METRICS})
styler = table.style.format(formatters)  # one call: a second .format() would reset the first
for m in METRICS:
    if m == "spend":
        styler = styler.map(lambda _: NUM, subset=[m])  # spend is neither good nor bad by itself
        continue
    styler = styler.apply(lambda c, m=m: _best_worst(c, m in R.LOWER_IS_BETTER), subset=[m])
    if has_cmp:
        styler = styler.apply(lambda c, m=m: ui.change_colours(c, m in R.LOWER_IS_BETTER), subset=[f"{m}_change_pct"])

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
st.dataframe(styler, column_config=config, hide_index=True, width="stretch",
             height=min(38 * (len(table) + 1) + 4, 600))
st.caption(t("ch.table_note", lang, cmp=t("ch.cmp_period", lang)))

# ---------------------------------------------------------------- leads over time
today = ui.today()
by_channel = R.leads_over_time(ui.run, f) if level == "campaign" else series
st.subheader(t("ch.over_time", lang))
if by_channel.empty or by_channel["leads"].sum() == 0:
    st.info(t("ch.no_leads_in_period", lang))
else:
    st.altair_chart(charts.leads_over_time(by_channel, lang, f.grain, today, f.period), width="stretch")
    st.subheader(t("ch.junk_over_time", lang), help=t("ch.junk_help", lang))
    if not have.get("qualified_leads"):   # no lead was ever qualified: a 0 % heatmap would be a lie
        st.info(t("ch.junk_unknown", lang), icon=":material/help:")
    else:
        st.altair_chart(charts.junk_rate(by_channel, lang, f.grain, today, f.period), width="stretch")
