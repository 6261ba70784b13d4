"""Traffic: sessions, visitors, depth, duration, bounces and exits — cards, series, breakdowns."""
import math

import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, fmt, ui
from fullfunnel.charts import traffic as charts
from fullfunnel.i18n import register, t
from fullfunnel.reports import traffic as R

register({
    "tr.title": {"en": "Site traffic", "ru": "Трафик сайта"},
    "tr.bounce": {"en": "Bounce definition", "ru": "Определение отказа"},
    "tr.bounce.metrica": {"en": "Metrica", "ru": "Метрика"},
    "tr.bounce.ga4": {"en": "GA4", "ru": "GA4"},
    "tr.bounce_help": {
        "en": "Metrica (default): a session with ≤ 1 pageview and shorter than 15 s. GA4: a session that is not engaged "
              "(engaged = at least 10 s, or at least 2 pageviews, or a conversion). The default is the "
              "`bounce_definition` setting.",
        "ru": "Метрика (по умолчанию): визит с ≤ 1 просмотром и короче 15 с. GA4: визит без вовлечения "
              "(вовлечённый = от 10 с, или от 2 просмотров, или конверсия). Значение по умолчанию — настройка "
              "`bounce_definition`.",
    },
    "tr.bounce_in_use.metrica": {"en": "Bounces counted the Yandex Metrica way: ≤ 1 pageview and < 15 s.",
                                 "ru": "Отказы считаются как в Яндекс Метрике: ≤ 1 просмотра и < 15 с."},
    "tr.bounce_in_use.ga4": {"en": "Bounces counted the GA4 way: sessions that are not engaged (< 10 s, < 2 pageviews, no conversion).",
                             "ru": "Отказы считаются как в GA4: визиты без вовлечения (< 10 с, < 2 просмотров, без конверсии)."},
    "tr.bounce_as_exported": {"en": "Bounces are as your analytics export counted them (daily aggregates).",
                              "ru": "Отказы — как их посчитала ваша аналитика (дневные агрегаты)."},
    "tr.visitor_days_note": {
        "en": "Only daily aggregates were imported, so visitors are **visitor-days**: each day's visitors added up "
              "(a person who came on 3 days counts 3 times). Import raw sessions for distinct visitors.",
        "ru": "Загружены только дневные агрегаты, поэтому посетители — это **посетителе-дни**: посетители каждого дня "
              "сложены (человек, заходивший 3 дня, считается 3 раза). Загрузите визиты, чтобы видеть уникальных посетителей.",
    },
    "tr.sessions": {"en": "Sessions", "ru": "Визиты"},
    "tr.visitors": {"en": "Unique visitors", "ru": "Посетители"},
    "tr.visitor_days": {"en": "Visitor-days", "ru": "Посетителе-дни"},
    "tr.pageviews_per_session": {"en": "Pages per session", "ru": "Глубина просмотра"},
    "tr.avg_duration_s": {"en": "Avg. session duration", "ru": "Время на сайте"},
    "tr.bounce_rate_pct": {"en": "Bounce rate", "ru": "Отказы"},
    "tr.exit_without_conversion_pct": {"en": "Exits without conversion", "ru": "Уходы без конверсии"},
    "tr.help.sessions": {"en": "Visits started in the period (as exported).", "ru": "Визиты, начавшиеся в периоде (как в выгрузке)."},
    "tr.help.visitors": {"en": "Visitors = distinct visitor ids over the whole period (not the sum of daily visitors).",
                         "ru": "Посетители = число разных идентификаторов посетителей за весь период (не сумма по дням)."},
    "tr.help.visitor_days": {"en": "Visitor-days = daily visitors added up over the period (only daily aggregates were imported).",
                             "ru": "Посетителе-дни = посетители по дням, сложенные за период (загружены только дневные агрегаты)."},
    "tr.help.pageviews_per_session": {"en": "Pages per session = pageviews / sessions.",
                                      "ru": "Глубина просмотра = просмотры / визиты."},
    "tr.help.avg_duration_s": {"en": "Average session duration = total duration / sessions.",
                               "ru": "Среднее время на сайте = суммарная длительность / визиты."},
    "tr.help.bounce_rate_pct": {"en": "Bounce rate = bounces / sessions.", "ru": "Доля отказов = отказы / визиты."},
    "tr.help.exit_without_conversion_pct": {
        "en": "Exits without conversion = sessions that produced no lead and no order / sessions.",
        "ru": "Уходы без конверсии = визиты без лида и без заказа / визиты."},
    "tr.help.change": {"en": "Change = (current − previous) / previous; “—” when the previous value is 0.",
                       "ru": "Изменение = (текущее − прошлое) / прошлое; «—», если прошлое равно 0."},
    "tr.previous": {"en": "Comparison period: {value}", "ru": "Период сравнения: {value}"},
    "tr.chart.audience": {"en": "Sessions and visitors", "ru": "Визиты и посетители"},
    "tr.chart.quality": {"en": "Bounce rate and exits without conversion, %", "ru": "Отказы и уходы без конверсии, %"},
    "tr.chart.depth": {"en": "Pages per session", "ru": "Глубина просмотра"},
    "tr.chart.duration": {"en": "Average session duration, s", "ru": "Среднее время на сайте, с"},
    "tr.series_note": {"en": "Visitors in each bucket are distinct within that bucket.",
                       "ru": "Посетители в каждом интервале — уникальные внутри этого интервала."},
    "tr.breakdown": {"en": "Breakdown", "ru": "В разрезе"},
    "tr.by.channel": {"en": "By channel", "ru": "По каналам"},
    "tr.by.landing_page": {"en": "By landing page", "ru": "По страницам входа"},
    "tr.col.channel": {"en": "Channel", "ru": "Канал"},
    "tr.col.landing_page": {"en": "Landing page", "ru": "Страница входа"},
    "tr.landing_top": {"en": "Top {n} landing pages by sessions.", "ru": "Топ-{n} страниц входа по визитам."},
    "tr.no_landing": {"en": "Landing pages need raw sessions with a landing page (a Metrica Logs API or GA4 session export).",
                      "ru": "Для страниц входа нужны визиты со страницей входа (выгрузка Logs API Метрики или визиты GA4)."},
    "tr.missing": {"en": "No web traffic imported yet — import a Yandex Metrica or GA4 export on the Import page.",
                   "ru": "Трафик ещё не загружен — импортируйте выгрузку Яндекс Метрики или GA4 на странице «Импорт»."},
    "tr.empty_period": {"en": "No sessions in this period.", "ru": "В этом периоде визитов нет."},
})

UNITS = {"sessions": "count", "visitors": "count", "pageviews_per_session": "ratio", "avg_duration_s": "duration",
         "bounce_rate_pct": "pct", "exit_without_conversion_pct": "pct"}
LANDING_TOP = 100


def show(x, unit, lang):
    if x == math.inf:  # a missing value in a table (see below)
        return fmt.DASH
    return charts.duration(x, lang) if unit == "duration" else fmt.value(x, unit, lang)


s = ui.state()
f, lang = s.filters, s.lang
st.title(t("tr.title", lang))
st.caption(ui.period_caption(s))

have = ui.presence()
if not have.get("sessions") and not have.get("traffic"):
    st.info(t("tr.missing", lang), icon=":material/upload_file:")
    st.stop()
raw = bool(have.get("sessions"))

try:
    default_bounce = R.bounce_definition(ui.run)
except FullfunnelError:
    default_bounce = "metrica"
c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
bounce = ui.url_choice(c1.segmented_control, t("tr.bounce", lang), R.BOUNCE_DEFINITIONS, key="bounce",
                       default=default_bounce, format_func=lambda x: t(f"tr.bounce.{x}", lang),
                       help=t("tr.bounce_help", lang), disabled=not raw)
c2.caption(t(f"tr.bounce_in_use.{bounce}", lang) if raw else t("tr.bounce_as_exported", lang))

try:
    summary = ui.report("traffic-summary", bounce=bounce)
    series = ui.report("traffic", bounce=bounce)
except FullfunnelError as e:
    ui.show_error(e)
    st.stop()

visitor_days = summary["visitors_kind"].iloc[0] == "visitor_days"
if visitor_days:
    st.info(t("tr.visitor_days_note", lang), icon=":material/info:")

# ---------------------------------------------------------------- cards
cols = st.columns(3) + st.columns(3)
for col, (_, r) in zip(cols, summary.iterrows()):
    m = r["metric"]
    key = "visitor_days" if (m == "visitors" and visitor_days) else m
    label, help_text = t(f"tr.{key}", lang), t(f"tr.help.{key}", lang) + "\n\n" + t("tr.help.change", lang)
    prev = None
    if f.comparison_period is not None:
        prev = t("tr.previous", lang, value=show(r["previous"], UNITS[m], lang))
    ui.kpi(col, label, show(r["value"], UNITS[m], lang), r["change_pct"], help_text, previous=prev,
           inverse=m in R.INVERSE)

# ---------------------------------------------------------------- series
if series["sessions"].sum() == 0:
    st.info(t("tr.empty_period", lang))
else:
    today = ui.today()
    visitors_label = t("tr.visitor_days" if visitor_days else "tr.visitors", lang)
    a, b = st.columns(2)
    a.altair_chart(charts.lines(series, {"sessions": t("tr.sessions", lang), "visitors": visitors_label}, lang,
                                f.grain, today, f.period, title=t("tr.chart.audience", lang)), width="stretch")
    b.altair_chart(charts.lines(series, {"bounce_rate_pct": t("tr.bounce_rate_pct", lang),
                                         "exit_without_conversion_pct": t("tr.exit_without_conversion_pct", lang)},
                                lang, f.grain, today, f.period, value_format=".1f",
                                title=t("tr.chart.quality", lang)), width="stretch")
    a, b = st.columns(2)
    a.altair_chart(charts.lines(series, {"pageviews_per_session": t("tr.pageviews_per_session", lang)}, lang,
                                f.grain, today, f.period, value_format=".2f", title=t("tr.chart.depth", lang), zero=False),
                   width="stretch")
    b.altair_chart(charts.lines(series, {"avg_duration_s": t("tr.avg_duration_s", lang)}, lang, f.grain, today,
                                f.period, value_format=".0f", title=t("tr.chart.duration", lang), zero=False),
                   width="stretch")
    if not visitor_days:
        st.caption(t("tr.series_note", lang))

# ---------------------------------------------------------------- breakdowns
st.subheader(t("tr.breakdown", lang))
tabs = st.tabs([t("tr.by.channel", lang), t("tr.by.landing_page", lang)])
for tab, by in zip(tabs, R.BREAKDOWNS):
    with tab:
        if by == "landing_page" and not raw:
            st.info(t("tr.no_landing", lang))
            continue
        df = ui.report("traffic-breakdown", by=by, bounce=bounce)
        if by == "landing_page":
            df = df[df["landing_page"] != ""]
            if df.empty:
                st.info(t("tr.no_landing", lang))
                continue
            if len(df) > LANDING_TOP:
                st.caption(t("tr.landing_top", lang, n=LANDING_TOP))
                df = df.head(LANDING_TOP)
        # Streamlit draws an empty number cell as "None" whatever the Styler says: store +∞, show "—"
        df = df.assign(**{m: pd.to_numeric(df[m], errors="coerce").astype("float64").fillna(math.inf) for m in UNITS})
        styler = df.style.format({m: (lambda x, u=UNITS[m]: show(x, u, lang)) for m in UNITS})
        # Streamlit shows a Styler's formatted text only on cells that carry a style
        styler = styler.map(lambda _: "font-variant-numeric: tabular-nums", subset=list(UNITS))
        config = {by: st.column_config.TextColumn(t(f"tr.col.{by}", lang), pinned=True)}
        for m in UNITS:
            key = "visitor_days" if (m == "visitors" and visitor_days) else m
            config[m] = st.column_config.Column(t(f"tr.{key}", lang), help=t(f"tr.help.{key}", lang))
        st.dataframe(styler, column_config=config, hide_index=True, width="stretch",
                     height=min(38 * (len(df) + 1) + 4, 520))
