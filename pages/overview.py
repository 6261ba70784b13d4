"""Overview: the headline numbers of the period with their change, and their trend."""
import streamlit as st

from fullfunnel import charts, fmt, ui
from fullfunnel.i18n import register, t
from fullfunnel.reports.overview import UNITS

register({
    "ov.title": {"en": "Overview", "ru": "Обзор"},
    "ov.spend": {"en": "Ad spend", "ru": "Расход на рекламу"},
    "ov.sessions": {"en": "Sessions", "ru": "Визиты"},
    "ov.leads": {"en": "Leads", "ru": "Лиды"},
    "ov.target_leads": {"en": "Target leads", "ru": "Целевые лиды"},
    "ov.won_deals": {"en": "Won deals", "ru": "Выигранные сделки"},
    "ov.revenue": {"en": "Revenue", "ru": "Выручка"},
    "ov.romi_pct": {"en": "ROMI", "ru": "ROMI"},
    "ov.target_cpl": {"en": "Target CPL", "ru": "CPL целевого лида"},
    "ov.help.spend": {"en": "Sum of ad spend dated in the period, in {currency}.",
                      "ru": "Сумма расходов на рекламу с датой в периоде, в {currency}."},
    "ov.help.sessions": {"en": "Site visits started in the period.",
                         "ru": "Визиты на сайт, начавшиеся в периоде."},
    "ov.help.leads": {"en": "Inbound requests created in the period.",
                      "ru": "Обращения, созданные в периоде."},
    "ov.help.target_leads": {"en": "Target leads = leads − junk leads.",
                             "ru": "Целевые лиды = лиды − нецелевые лиды."},
    "ov.help.won_deals": {"en": "Deals won (closed as won) in the period.",
                          "ru": "Сделки, выигранные (закрытые успешно) в периоде."},
    "ov.help.revenue": {"en": "Revenue = amount of deals won in the period, in {currency}.",
                        "ru": "Выручка = сумма сделок, выигранных в периоде, в {currency}."},
    "ov.help.romi_pct": {"en": "ROMI = (revenue − spend) / spend.",
                         "ru": "ROMI = (выручка − расход) / расход."},
    "ov.help.target_cpl": {"en": "Target CPL = spend / target leads (CPL = spend / leads is on the Channels page).",
                           "ru": "CPL целевого лида = расход / целевые лиды (CPL = расход / лиды — на странице «Каналы»)."},
    "ov.help.change": {"en": "Change = (current − previous) / previous; “—” when the previous value is 0.",
                       "ru": "Изменение = (текущее − прошлое) / прошлое; «—», если прошлое равно 0."},
    "ov.exact": {"en": "Exact value: {value}", "ru": "Точное значение: {value}"},
    "ov.previous": {"en": "Comparison period: {value}", "ru": "Период сравнения: {value}"},
    "ov.missing.spend": {"en": "No ad spend imported yet — import a Google Ads, Yandex Direct or Meta Ads report.",
                         "ru": "Расходы ещё не загружены — импортируйте отчёт Google Ads, Яндекс Директ или Meta Ads."},
    "ov.missing.sessions": {"en": "No web traffic imported yet — import a Yandex Metrica or GA4 export.",
                            "ru": "Трафик ещё не загружен — импортируйте выгрузку Яндекс Метрики или GA4."},
    "ov.missing.leads": {"en": "No leads imported yet — import leads from your CRM (amoCRM, Bitrix24, HubSpot…).",
                         "ru": "Лиды ещё не загружены — импортируйте лиды из CRM (amoCRM, Битрикс24, HubSpot…)."},
    "ov.missing.deals": {"en": "No deals imported yet — import deals from your CRM.",
                         "ru": "Сделки ещё не загружены — импортируйте сделки из CRM."},
    "ov.cash_note": {"en": "Cash view: everything counted on the date it happened (deals by the day they were won).",
                     "ru": "Всё считается по дате события (сделки — по дате выигрыша)."},
    "ov.trend_counts": {"en": "Leads and deals", "ru": "Лиды и сделки"},
    "ov.trend_money": {"en": "Spend and revenue, {currency}", "ru": "Расход и выручка, {currency}"},
})

MISSING = {"spend": "spend", "sessions": "sessions", "leads": "leads", "target_leads": "leads",
           "won_deals": "deals", "revenue": "deals"}  # ratios: "—" when an input is missing or zero
LOWER_IS_BETTER = {"target_cpl"}

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("ov.title", lang))
st.caption(ui.period_caption(s) + " · " + t("ov.cash_note", lang))

table = ui.report("overview")
notes = []
rows = [table.iloc[:4], table.iloc[4:]]
for part in rows:
    cols = st.columns(4)
    for col, (_, r) in zip(cols, part.iterrows()):
        m = r["metric"]
        label = t(f"ov.{m}", lang)
        help_text = t(f"ov.help.{m}", lang, currency=f.currency) + "\n\n" + t("ov.help.change", lang)
        if r["value"] != r["value"]:  # NaN: that kind of data was never imported
            col.metric(label, fmt.DASH, border=True, help=help_text)
            note = t(f"ov.missing.{MISSING[m]}", lang) if m in MISSING else None
            if note and note not in notes:
                notes.append(note)
            continue
        value = fmt.value(r["value"], UNITS[m], lang, f.currency, compact=True)
        help_text += "\n\n" + t("ov.exact", lang, value=fmt.value(r["value"], UNITS[m], lang, f.currency))
        prev = None
        if f.comparison_period is not None:
            prev = t("ov.previous", lang, value=fmt.value(r["previous"], UNITS[m], lang, f.currency))
        ui.kpi(col, label, value, r["change_pct"], help_text, previous=prev, inverse=m in LOWER_IS_BETTER)
for note in notes:
    st.info(note, icon=":material/upload_file:")

trend = ui.report("trend")
today = ui.today()
c1, c2 = st.columns(2)
c1.altair_chart(
    charts.time_series(trend, {"leads": t("ov.leads", lang), "target_leads": t("ov.target_leads", lang),
                               "won_deals": t("ov.won_deals", lang)},
                       lang, f.grain, today, f.period, title=t("ov.trend_counts", lang)),
    width="stretch",
)
c2.altair_chart(
    charts.time_series(trend, {"spend": t("ov.spend", lang), "revenue": t("ov.revenue", lang)},
                       lang, f.grain, today, f.period, title=t("ov.trend_money", lang, currency=fmt.symbol(f.currency, lang)),
                       money=True),
    width="stretch",
)

# ---------------------------------------------------------------- channel alerts (same as the Channels page)
from fullfunnel.charts import channels as channel_charts  # noqa: E402
from fullfunnel.reports.channels import alerts as channel_alerts  # noqa: E402

register({
    "ov.alerts": {"en": "Channel alerts", "ru": "Тревоги по каналам"},
    "ov.alerts_more": {"en": "Details on the Channels page", "ru": "Подробнее на странице «Каналы»"},
})
_alerts = channel_alerts(ui.run, f)
if _alerts:
    st.subheader(t("ov.alerts", lang))
    for _a in _alerts:
        st.warning(channel_charts.alert_markdown(_a, lang, f.currency), icon=":material/warning:")
    st.page_link("pages/channels.py", label=t("ov.alerts_more", lang), icon=":material/campaign:")
