"""Weekly meeting: one whole week against the week before, big enough for a projector."""
import math

import altair as alt
import pandas as pd
import streamlit as st

from fullfunnel import fmt, ui
from fullfunnel.charts import channels as channel_charts
from fullfunnel.charts import weekly as wc
from fullfunnel.digest import download
from fullfunnel.i18n import register, t
from fullfunnel.reports import weekly as W

register({
    "wk.title": {"en": "Weekly meeting", "ru": "Планёрка"},
    "wk.week": {"en": "Week", "ru": "Неделя"},
    "wk.week_help": {"en": "Whole ISO weeks, Monday to Sunday; the latest one that is over is chosen by default.",
                     "ru": "Целые недели с понедельника по воскресенье; по умолчанию — последняя завершившаяся."},
    "wk.caption": {"en": "Compared with last week, {prev} · 4-week average = the 4 weeks before · {channels}",
                   "ru": "Сравнение с прошлой неделей, {prev} · среднее за 4 недели = 4 недели до этой · {channels}"},
    "wk.all_channels": {"en": "all channels", "ru": "все каналы"},
    "wk.channels": {"en": "channels: {list}", "ru": "каналы: {list}"},
    "wk.ignores_period": {"en": "This page shows whole weeks: the period in the sidebar is not used here "
                                "(the channel filter is).",
                          "ru": "Здесь показываются целые недели: период в боковой панели не используется "
                                "(фильтр каналов — используется)."},
    "wk.spend": {"en": "Ad spend", "ru": "Расход на рекламу"},
    "wk.leads": {"en": "Leads", "ru": "Лиды"},
    "wk.target_leads": {"en": "Target leads", "ru": "Целевые лиды"},
    "wk.junk_rate_pct": {"en": "Junk rate", "ru": "Доля нецелевых"},
    "wk.won_deals": {"en": "Won deals", "ru": "Выигранные сделки"},
    "wk.revenue": {"en": "Revenue", "ru": "Выручка"},
    "wk.romi_pct": {"en": "ROMI", "ru": "ROMI"},
    "wk.cpl": {"en": "CPL", "ru": "Цена лида (CPL)"},
    "wk.help.spend": {"en": "Sum of ad spend dated in the week, in {currency}.",
                      "ru": "Сумма расходов на рекламу с датой в неделе, в {currency}."},
    "wk.help.leads": {"en": "Inbound requests created in the week.", "ru": "Обращения, созданные за неделю."},
    "wk.help.target_leads": {"en": "Target leads = leads − junk leads.",
                             "ru": "Целевые лиды = лиды − нецелевые лиды."},
    "wk.help.junk_rate_pct": {"en": "Junk rate = junk leads / leads.",
                              "ru": "Доля нецелевых = нецелевые лиды / лиды."},
    "wk.help.won_deals": {"en": "Deals won (closed as won) in the week.",
                          "ru": "Сделки, выигранные (закрытые успешно) за неделю."},
    "wk.help.revenue": {"en": "Revenue = amount of deals won in the week, in {currency}.",
                        "ru": "Выручка = сумма сделок, выигранных за неделю, в {currency}."},
    "wk.help.romi_pct": {"en": "ROMI = (revenue − spend) / spend.",
                         "ru": "ROMI = (выручка − расход) / расход."},
    "wk.help.cpl": {"en": "CPL = spend / leads. Target CPL = spend / target leads: {target}.",
                    "ru": "CPL = расход / лиды. Цена целевого лида = расход / целевые лиды: {target}."},
    "wk.help.change": {"en": "Change = (this week − last week) / last week; “—” when last week was 0.",
                       "ru": "Изменение = (эта неделя − прошлая) / прошлая; «—», если на прошлой неделе был 0."},
    "wk.help.change_pp": {"en": "Change in percentage points = this week − last week.",
                          "ru": "Изменение в процентных пунктах = эта неделя − прошлая."},
    "wk.help.avg": {"en": "4-week average: counts and money = total of the 4 weeks before ÷ 4; rates = the same "
                          "formula over those 4 weeks' totals. Here: {value}.",
                    "ru": "Среднее за 4 недели: количества и деньги = сумма 4 недель до этой ÷ 4; доли и "
                          "отношения = та же формула по суммам этих 4 недель. Здесь: {value}."},
    "wk.exact": {"en": "This week: {value}. Last week: {previous}.",
                 "ru": "Эта неделя: {value}. Прошлая неделя: {previous}."},
    "wk.vs": {"en": "vs last week", "ru": "к прошлой неделе"},
    "wk.context": {"en": "Last week: **{previous}**  \n4-week average: **{avg}**",
                   "ru": "Прошлая неделя: **{previous}**  \nСреднее за 4 недели: **{avg}**"},
    "wk.missing_short": {"en": "not imported yet", "ru": "ещё не загружено"},
    "wk.pp": {"en": "pp", "ru": "п.п."},
    "wk.missing.spend": {"en": "No ad spend imported yet — import a Google Ads, Yandex Direct or Meta Ads report.",
                         "ru": "Расходы ещё не загружены — импортируйте отчёт Google Ads, Яндекс Директ или Meta Ads."},
    "wk.missing.leads": {"en": "No leads imported yet — import leads from your CRM (amoCRM, Bitrix24, HubSpot…).",
                         "ru": "Лиды ещё не загружены — импортируйте лиды из CRM (amoCRM, Битрикс24, HubSpot…)."},
    "wk.missing.deals": {"en": "No deals imported yet — import deals from your CRM.",
                         "ru": "Сделки ещё не загружены — импортируйте сделки из CRM."},
    "wk.changed": {"en": "What changed", "ru": "Что изменилось"},
    "wk.changed_help": {
        "en": "Channels whose leads or revenue moved vs last week, biggest first. Size of a move = |this week − "
              "last week| ÷ (this week's + last week's total of that metric over all channels), so leads and "
              "money compare fairly.",
        "ru": "Каналы, у которых лиды или выручка изменились к прошлой неделе, самые заметные сверху. Размер "
              "изменения = |эта неделя − прошлая| ÷ (сумма метрики по всем каналам за обе недели), так лиды и "
              "деньги сравнимы.",
    },
    "wk.no_movers": {"en": "No channel's leads or revenue changed vs last week.",
                     "ru": "Ни у одного канала не изменились лиды или выручка к прошлой неделе."},
    "wk.alerts": {"en": "Alerts", "ru": "Тревоги"},
    "wk.alerts_help": {
        "en": "Same alerts as the Channels page, as of the Sunday that ends the week: the last 14 days vs the "
              "56 days before. Dead: no lead while at least 5 were expected. Declining: a Poisson probability "
              "of so few leads below 1 %. Burning money: spend and no lead.",
        "ru": "Те же тревоги, что на странице «Каналы», на воскресенье, которым кончается неделя: последние "
              "14 дней против 56 дней до них. Канал затих: ни одного лида при ожидании не меньше 5. Падение: "
              "вероятность так мало лидов по Пуассону ниже 1 %. Слив бюджета: расход без лидов.",
    },
    "wk.no_alerts": {"en": "No dead, declining or money-burning channels.",
                     "ru": "Нет затихших, падающих каналов и слива бюджета."},
    "wk.funnel": {"en": "Funnel of the week", "ru": "Воронка недели"},
    "wk.funnel_help": {
        "en": "The Funnel page's cash view for each week: what happened in that week (leads created, deals "
              "reaching each stage, deals won). Bar = this week, black mark = last week. "
              "Change = (this week − last week) / last week.",
        "ru": "Подсчёт «по дате события», как на странице «Воронка», для каждой недели: что произошло за неделю (созданные "
              "лиды, сделки, дошедшие до этапа, выигранные). Полоса — эта неделя, чёрная метка — прошлая. "
              "Изменение = (эта неделя − прошлая) / прошлая.",
    },
    "wk.funnel_log": {"en": "Bar widths are logarithmic: the steps differ by orders of magnitude.",
                      "ru": "Ширина полос логарифмическая: шаги различаются на порядки."},
    "wk.no_funnel": {"en": "Nothing in the funnel this week or last week.",
                     "ru": "В воронке ничего нет ни на этой, ни на прошлой неделе."},
    "wk.managers": {"en": "Managers", "ru": "Менеджеры"},
    "wk.managers_help": {
        "en": "Won deals and revenue per manager, as on the Sales team page for each week: deals won in the "
              "week and their amount in {currency}. Bar = revenue this week, black mark = last week; "
              "(+2) = won deals vs last week.",
        "ru": "Выигранные сделки и выручка по менеджерам, как на странице «Отдел продаж» для каждой недели: "
              "сделки, выигранные за неделю, и их сумма в {currency}. Полоса — выручка этой недели, чёрная "
              "метка — прошлой; (+2) — выигранные сделки к прошлой неделе.",
    },
    "wk.managers_all_channels": {"en": "Managers' numbers are for all channels (they are not split by channel).",
                                 "ru": "Цифры менеджеров — по всем каналам (по каналам они не делятся)."},
    "wk.no_manager": {"en": "(no manager)", "ru": "(без менеджера)"},
    "wk.no_managers": {"en": "No deals won this week or last week.",
                       "ru": "Ни на этой, ни на прошлой неделе сделок не выиграно."},
    "wk.manager_text": {"en": "{revenue} · {won} won ({change})", "ru": "{revenue} · сделок {won} ({change})"},
    "wk.funnel_text": {"en": "{count} ({change}; last week {previous})",
                       "ru": "{count} ({change}; было {previous})"},
    "wk.step.impressions": {"en": "Impressions", "ru": "Показы"},
    "wk.step.clicks": {"en": "Clicks", "ru": "Клики"},
    "wk.step.sessions": {"en": "Sessions", "ru": "Визиты"},
    "wk.step.paid_sessions": {"en": "Sessions after an ad", "ru": "Визиты с рекламы"},
    "wk.step.other_sessions": {"en": "Other visits", "ru": "Прочие визиты"},
    "wk.step.leads": {"en": "Leads", "ru": "Лиды"},
    "wk.step.target_leads": {"en": "Target leads", "ru": "Целевые лиды"},
    "wk.step.won": {"en": "Won", "ru": "Выиграно"},
    "wk.col.manager": {"en": "Manager", "ru": "Менеджер"},
    "wk.col.revenue": {"en": "Revenue", "ru": "Выручка"},
    "wk.col.won": {"en": "Won deals", "ru": "Выиграно сделок"},
    "wk.col.count": {"en": "This week", "ru": "Эта неделя"},
    "wk.col.previous": {"en": "Last week", "ru": "Прошлая неделя"},
    "wk.col.change": {"en": "Change", "ru": "Изменение"},
    "wk.col.step": {"en": "Step", "ru": "Шаг"},
    "wk.download_html": {"en": "Download as HTML", "ru": "Скачать HTML"},
    "wk.download_pdf": {"en": "Download as PDF", "ru": "Скачать PDF"},
    "wk.download_help": {"en": "This week's meeting as one file that opens offline, charts included — the same "
                               "file `python -m fullfunnel digest weekly` makes and sends.",
                         "ru": "Планёрка этой недели одним файлом, который открывается без интернета, с "
                               "графиками — тот же файл, что делает и рассылает `python -m fullfunnel digest weekly`."},
})

# Cards on the projector: four to a row; the value is what the room reads, so make it big.
CARDS = ["spend", "leads", "target_leads", "junk_rate_pct", "won_deals", "revenue", "romi_pct", "cpl"]
MISSING = {"spend": "spend", "leads": "leads", "target_leads": "leads", "junk_rate_pct": "leads",
           "won_deals": "deals", "revenue": "deals", "romi_pct": "deals", "cpl": "spend"}
CSS = """<style>
.st-key-wk_cards [data-testid="stMetricValue"] { font-size: clamp(1.2rem, 16cqi, 3.4rem) !important; line-height: 1.15; }
.st-key-wk_cards [data-testid="stMetricLabel"] p { font-size: clamp(1rem, 1.05vw, 1.25rem); }
.st-key-wk_cards [data-testid="stMetricDelta"] { font-size: clamp(0.95rem, 0.95vw, 1.2rem); }
.st-key-wk_cards [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
.st-key-wk_movers p { font-size: 1.35rem; line-height: 1.5; margin-bottom: 0.2rem; }
.st-key-wk_alerts p { font-size: 1.1rem; }
</style>"""
# Presentation mode at a projector's 1280×720: the headline and all eight cards on one screen — a
# smaller title beside the week picker, tighter cards (the numbers keep their size).
PRESENT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem !important; }
[data-testid="stMain"] h1 { font-size: clamp(1.5rem, 2.4vw, 2.4rem) !important; padding: 0 !important; line-height: 1.2; }
.st-key-wk_cards { gap: 0.6rem !important; }
.st-key-wk_cards [data-testid="stHorizontalBlock"] { gap: 0.75rem !important; }
.st-key-wk_cards [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"] { padding: 0.5rem 0.7rem 0.6rem !important;
  gap: 0.3rem !important; }
.st-key-wk_cards [data-testid="stMetricDelta"] { font-size: clamp(0.85rem, 0.85vw, 1.2rem); }
.st-key-wk_cards [data-testid="stMetricDelta"] ~ * { font-size: clamp(0.85rem, 0.85vw, 1.2rem); }
.st-key-wk_cards [data-testid="stCaptionContainer"] p { margin: 0; line-height: 1.35; font-size: clamp(0.9rem, 0.9vw, 1.25rem); }
.st-key-wk_cards [data-testid="stCaptionContainer"] { margin-bottom: 0 !important; }
</style>"""


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


s = ui.state()
f, lang = s.filters, s.lang
st.html(CSS + (PRESENT_CSS if s.present else ""))

today = ui.today()
weeks = W.recent_weeks(today)
codes = [W.week_label(m) for m in weeks]
by_code = dict(zip(codes, weeks))
head, pick = st.columns([2.6, 1.4], vertical_alignment="bottom")
with pick:
    code = ui.url_choice(st.selectbox, t("wk.week", lang), codes, key="week", default=codes[0],
                         format_func=lambda c: wc.week_name(by_code[c], lang), help=t("wk.week_help", lang))
monday = by_code[code]
head.title(f"{t('wk.title', lang)} · {wc.week_name(monday, lang)}".replace("–", "\u2060–\u2060"))  # no break inside the dates
prev_monday = monday - pd.Timedelta(days=7)
channels_txt = (t("wk.channels", lang, list=ui.md(", ".join(f.channels))) if f.channels else t("wk.all_channels", lang))
# without the sidebar (presentation mode) there is no period to ignore
st.caption(t("wk.caption", lang, prev=wc.week_days(prev_monday, lang), channels=channels_txt)
           + ("" if s.present else " · " + t("wk.ignores_period", lang)))

# ---------------------------------------------------------------- 1. headline numbers
table = ui.report("weekly", week=code).set_index("metric")
have = ui.presence()
notes = []
cur = f.currency
with st.container(key="wk_cards"):
    for part in (CARDS[:4], CARDS[4:]):
        cols = st.columns(4)
        for col, m in zip(cols, part):
            r = table.loc[m]
            unit = W.UNITS[m]
            kind = MISSING[m]
            label = t(f"wk.{m}", lang)
            helps = [t(f"wk.help.{m}", lang, currency=cur,
                       target=fmt.value(table.loc["target_cpl", "value"], "money", lang, cur))]
            if not have.get(kind):
                card = col.container(border=True)
                card.metric(label, fmt.DASH, help=helps[0])
                card.caption(t(f"wk.missing_short", lang))
                note = t(f"wk.missing.{kind}", lang)
                if note not in notes:
                    notes.append(note)
                continue
            value, previous, avg = r["value"], r["previous"], r["avg_4w"]
            avg_txt = fmt.value(avg, unit, lang, cur, compact=True)
            helps.append(t("wk.exact", lang, value=fmt.value(value, unit, lang, cur),
                           previous=fmt.value(previous, unit, lang, cur)))
            helps.append(t("wk.help.avg", lang, value=fmt.value(avg, unit, lang, cur)))
            delta = None
            if unit == "pct":  # rates move in percentage points: "+8.4 pp" reads better than "+61 %"
                helps.append(t("wk.help.change_pp", lang))
                if not _nan(value) and not _nan(previous):
                    diff = float(value) - float(previous)
                    if round(diff, 1) == 0:
                        delta = 0
                    else:  # an ASCII minus: Streamlit colours a delta by its leading "-"
                        body = fmt.number(abs(diff), lang, 1 if abs(diff) < 100 else 0)
                        delta = f"{'+' if diff > 0 else '-'}{body} {t('wk.pp', lang)}"
            else:
                helps.append(t("wk.help.change", lang))
                if not _nan(r["change_pct"]):
                    delta = 0 if round(float(r["change_pct"]), 1) == 0 else fmt.pct(r["change_pct"], lang, signed=True)
            colour = "off" if m in W.NEUTRAL else "inverse" if m in W.LOWER_IS_BETTER else "normal"
            card = col.container(border=True)
            card.metric(label, fmt.value(value, unit, lang, cur, compact=True), delta=delta, delta_color=colour,
                        delta_description=t("wk.vs", lang) if delta is not None else None, help="\n\n".join(helps))
            card.caption(t("wk.context", lang, previous=fmt.value(previous, unit, lang, cur, compact=True),
                           avg=avg_txt))
for note in notes:
    st.info(note, icon=":material/upload_file:")

# ---------------------------------------------------------------- 2. what changed, 3. alerts
left, right = st.columns(2, gap="large")
with left:
    st.subheader(t("wk.changed", lang), help=t("wk.changed_help", lang))
    movers = W.movers_scored(ui.run, f, code)
    with st.container(key="wk_movers"):
        if movers.empty:
            st.caption(t("wk.no_movers", lang))
        for _, row in W.top_movers(movers).iterrows():
            st.markdown(wc.mover_sentence(row, lang, cur))
with right:
    st.subheader(t("wk.alerts", lang), help=t("wk.alerts_help", lang))
    alerts = W.alerts(ui.run, f, code)
    with st.container(key="wk_alerts"):
        if not alerts:
            st.success(t("wk.no_alerts", lang), icon=":material/check_circle:")
        for a in alerts[:5]:
            st.warning(channel_charts.alert_markdown(a, lang, cur), icon=":material/warning:")

# ---------------------------------------------------------------- 4. funnel, 5. managers
left, right = st.columns([5, 4], gap="large")
with left:
    st.subheader(t("wk.funnel", lang), help=t("wk.funnel_help", lang))
    fun = W.funnel(ui.run, f, code)
    if fun.empty or (fun["count"].sum() == 0 and fun["previous_count"].fillna(0).sum() == 0):
        st.caption(t("wk.no_funnel", lang))
    else:
        fun = fun.copy()
        fun["label"] = [t(f"wk.step.{x}", lang) if f"wk.step.{x}" != t(f"wk.step.{x}", lang) else x
                        for x in fun["step"]]
        fun["count_txt"] = [fmt.number(x, lang) for x in fun["count"]]
        fun["previous_txt"] = [fmt.DASH if pd.isna(x) else fmt.number(x, lang) for x in fun["previous_count"]]
        fun["change_txt"] = [fmt.DASH if pd.isna(x) else fmt.pct(x, lang, signed=True) for x in fun["change_pct"]]
        fun["text"] = [t("wk.funnel_text", lang, count=c, change=ch, previous=p)
                       for c, ch, p in zip(fun["count_txt"], fun["change_txt"], fun["previous_txt"])]
        _, log = wc.widths(pd.concat([fun["count"], fun["previous_count"].fillna(0)]).astype("float64"))
        st.altair_chart(wc.week_bars(
            fun, "label", "count", "previous_count", "text", lang, colour=wc.side_colours(fun["side"]),
            log_ok=True, tooltip=[
                alt.Tooltip("label:N", title=t("wk.col.step", lang)),
                alt.Tooltip("count_txt:N", title=t("wk.col.count", lang)),
                alt.Tooltip("previous_txt:N", title=t("wk.col.previous", lang)),
                alt.Tooltip("change_txt:N", title=t("wk.col.change", lang)),
            ]), width="stretch")
        if log:
            st.caption(t("wk.funnel_log", lang))
with right:
    st.subheader(t("wk.managers", lang), help=t("wk.managers_help", lang, currency=cur))
    mgr = ui.report("weekly-managers", week=code)
    if mgr.empty:
        st.caption(t("wk.no_managers", lang) if have.get("deals") else t("wk.missing.deals", lang))
    else:
        mgr = mgr.copy()
        mgr["label"] = [x or t("wk.no_manager", lang) for x in mgr["manager"]]
        mgr["text"] = [t("wk.manager_text", lang, revenue=fmt.value(r, "money", lang, cur, compact=True),
                         won=fmt.number(w, lang), change=wc.signed(w - p, "count", lang, cur) if w != p else "±0")
                       for r, w, p in zip(mgr["revenue"], mgr["won_deals"], mgr["previous_won_deals"])]
        mgr["revenue_txt"] = [fmt.money(x, cur, lang) for x in mgr["revenue"]]
        mgr["previous_txt"] = [fmt.money(x, cur, lang) for x in mgr["previous_revenue"]]
        st.altair_chart(wc.week_bars(mgr, "label", "revenue", "previous_revenue", "text", lang, tooltip=[
            alt.Tooltip("label:N", title=t("wk.col.manager", lang)),
            alt.Tooltip("revenue_txt:N", title=t("wk.col.revenue", lang)),
            alt.Tooltip("previous_txt:N", title=t("wk.col.previous", lang)),
            alt.Tooltip("won_deals:Q", title=t("wk.col.won", lang)),
        ]), width="stretch")
        if f.channels:
            st.caption(t("wk.managers_all_channels", lang))

# ---------------------------------------------------------------- 6. the same meeting as a file
dl_html, dl_pdf, _ = st.columns([1, 1, 3])
dl_html.download_button(t("wk.download_html", lang), download.weekly_file(f, code, lang),
                        file_name=f"fullfunnel-weekly-{code}.html", mime="text/html", on_click="ignore",
                        icon=":material/download:", help=t("wk.download_help", lang))
if download.pdf_available():
    dl_pdf.download_button(t("wk.download_pdf", lang), download.weekly_file(f, code, lang, as_pdf=True),
                           file_name=f"fullfunnel-weekly-{code}.pdf", mime="application/pdf", on_click="ignore",
                           icon=":material/picture_as_pdf:", help=t("wk.download_help", lang))
