"""ROI: end-to-end analytics — every ruble from ad spend to revenue, per channel and campaign."""
import pandas as pd
import streamlit as st

from fullfunnel import fmt, reports, ui
from fullfunnel.charts import roi as roi_charts
from fullfunnel.i18n import register, t
from fullfunnel.reports import cohorts
from fullfunnel.reports import roi as R

register({
    "roi.title": {"en": "ROI: end-to-end analytics", "ru": "Окупаемость: сквозная аналитика"},
    "roi.model": {"en": "Attribution model", "ru": "Модель атрибуции"},
    "roi.model.last_non_direct": {"en": "Last non-direct", "ru": "Последний непрямой"},
    "roi.model.first": {"en": "First touch", "ru": "Первое касание"},
    "roi.model.linear": {"en": "Linear", "ru": "Линейная"},
    "roi.model_help": {
        "en": "Who gets a won deal's revenue. Totals are the same under every model; only the split between channels changes.",
        "ru": "Кому засчитывается выручка выигранной сделки. Итоги одинаковы при любой модели — меняется только распределение по каналам.",
    },
    "roi.model_says.last_non_direct": {
        "en": "**Attribution: last non-direct touch.** A deal goes to its lead's channel; if the lead came in "
              "“direct”, to the client's most recent earlier non-direct lead or visit within 90 days.",
        "ru": "**Атрибуция: последний непрямой переход.** Сделка засчитывается каналу своего лида; если лид пришёл "
              "«прямым заходом» — последнему более раннему непрямому лиду или визиту клиента за 90 дней.",
    },
    "roi.model_says.first": {
        "en": "**Attribution: first touch.** A deal goes to the channel of the client's first known lead or visit.",
        "ru": "**Атрибуция: первое касание.** Сделка засчитывается каналу первого известного лида или визита клиента.",
    },
    "roi.model_says.linear": {
        "en": "**Attribution: linear.** A deal is split equally between the channels the client touched in the 90 days "
              "up to the lead (a channel's share is split equally between its campaigns), so deal counts can be fractional.",
        "ru": "**Атрибуция: линейная.** Сделка делится поровну между каналами, с которыми клиент соприкасался за 90 дней "
              "до лида (доля канала — поровну между его кампаниями), поэтому число сделок бывает дробным.",
    },
    "roi.view": {"en": "Deals counted", "ru": "Какие сделки считать"},
    "roi.view.cohort": {"en": "Cohort", "ru": "Когорта"},
    "roi.view.cash": {"en": "Cash", "ru": "По дате события"},
    "roi.view_help": {
        "en": "Cohort: won deals of the leads created in the period (recent leads are still maturing). "
              "Cash: deals won in the period, whenever their lead came. Spend, clicks, visits and leads always count on their own date.",
        "ru": "Когорта: выигранные сделки по лидам, созданным в периоде (свежие лиды ещё «дозревают»). "
              "По дате события: сделки, выигранные в периоде, когда бы ни пришёл лид. Расход, клики, визиты и лиды всегда считаются по своей дате.",
    },
    "roi.cohort_same_age": {
        "en": "Cohorts are compared at the same age: this period's leads are followed up to {as_of}, so the "
              "comparison period's leads count only the deals they won up to {cutoff} — as many days after "
              "their creation as this period's leads have had.",
        "ru": "Когорты сравниваются в одном возрасте: лиды этого периода прослежены по {as_of}, поэтому у "
              "лидов периода сравнения учтены только сделки, выигранные по {cutoff}, — столько же дней после "
              "создания, сколько было у лидов этого периода."},
    "roi.cohort_note": {
        "en": "Cohort view: revenue of the leads created in the period — recent leads are still maturing, their deals may close later.",
        "ru": "Когорта: выручка по лидам, созданным в периоде — свежие лиды ещё «дозревают», их сделки могут закрыться позже.",
    },
    "roi.cash_note": {
        "en": "Cash view: deals won in the period, whenever their lead came.",
        "ru": "По дате события: сделки, выигранные в периоде, когда бы ни пришёл лид.",
    },
    "roi.campaigns": {"en": "Show campaigns", "ru": "Показать кампании"},
    "roi.margin": {"en": "Margin, %", "ru": "Маржа, %"},
    "roi.margin_help": {
        "en": "Gross profit = revenue − cost of goods. Deals with orders use the orders' cost; other deals use revenue × margin. "
              "Default: the margin_pct setting, else 100 % (no cost known: gross profit = revenue).",
        "ru": "Валовая прибыль = выручка − себестоимость. Для сделок с заказами берётся себестоимость заказов, для остальных — выручка × маржа. "
              "По умолчанию — настройка margin_pct, иначе 100 % (себестоимость неизвестна: валовая прибыль = выручка).",
    },
    "roi.margin_default": {
        "en": "Deals without order costs are counted at a margin of 100 % (their gross profit = revenue). "
              "Set your margin above, or the `margin_pct` setting, for a realistic profit ROMI.",
        "ru": "Сделки без себестоимости заказов считаются с маржой 100 % (их валовая прибыль = выручка). "
              "Укажите свою маржу выше или в настройке `margin_pct`, чтобы ROMI по прибыли был реалистичным.",
    },
    "roi.currency_note": {
        "en": "All money in {currency}; amounts in {others} are not added in — choose the currency in the sidebar to see them.",
        "ru": "Все суммы в {currency}; суммы в {others} не складываются с ними — выберите валюту в боковой панели, чтобы увидеть их.",
    },
    "roi.table": {"en": "Channels: from spend to revenue", "ru": "Каналы: от расхода до выручки"},
    "roi.chart_channels": {"en": "Spend vs revenue by channel, {currency}", "ru": "Расход и выручка по каналам, {currency}"},
    "roi.chart_time": {"en": "ROMI over time", "ru": "ROMI по времени"},
    "roi.no_romi": {"en": "No ad spend in the period, so there is no ROMI to chart.",
                    "ru": "В периоде нет расходов на рекламу — ROMI не построить."},
    "roi.no_spend_label": {"en": "no spend", "ru": "без расхода"},
    "roi.download_csv": {"en": "Download CSV", "ru": "Скачать CSV"},
    "roi.download_xlsx": {"en": "Download Excel", "ru": "Скачать Excel"},
    "roi.empty": {
        "en": "Nothing to show: ROI needs ad spend and deals. Import ad cabinet reports (Yandex Direct, Google Ads, VK Ads) "
              "and CRM leads and deals on the Import page.",
        "ru": "Пока нечего показать: для окупаемости нужны расходы и сделки. Загрузите отчёты рекламных кабинетов (Яндекс Директ, "
              "Google Ads, VK Реклама) и лиды и сделки из CRM на странице «Импорт».",
    },
    "roi.missing.spend": {
        "en": "No ad spend imported yet — ROMI, CPL and CPO need it. Import a Yandex Direct, Google Ads or VK Ads report.",
        "ru": "Расходы ещё не загружены — без них нет ROMI, CPL и CPO. Загрузите отчёт Яндекс Директа, Google Ads или VK Рекламы.",
    },
    "roi.missing.deals": {
        "en": "No deals imported yet — revenue and ROMI need them. Import deals from your CRM.",
        "ru": "Сделки ещё не загружены — без них нет выручки и ROMI. Загрузите сделки из CRM.",
    },
    "roi.gaps.no_results": {"en": "Spend with no leads or revenue tracked: {items}.",
                            "ru": "Расход без отслеженных лидов и выручки: {items}."},
    "roi.gaps.organic": {"en": "Leads or revenue with no spend (organic, or spend not imported): {items}.",
                         "ru": "Лиды или выручка без расхода (органика или расход не загружен): {items}."},
    "roi.gaps.unknown": {"en": "Revenue with unknown channel (deals without a lead or unmatched source): {amount}.",
                         "ru": "Выручка с неизвестным каналом (сделки без лида или с нераспознанным источником): {amount}."},
    "roi.status.profitable": {"en": "pays off", "ru": "окупается"},
    "roi.status.unprofitable": {"en": "loses money", "ru": "в минусе"},
    "roi.status.no_results": {"en": "spend, no results", "ru": "нет результата"},
    "roi.status.organic": {"en": "no spend", "ru": "без расхода"},
    "roi.status.unknown": {"en": "unknown channel", "ru": "канал неизвестен"},
    "roi.status.empty": {"en": "", "ru": ""},
    "roi.status.total": {"en": "", "ru": ""},
    "roi.total": {"en": "Total", "ru": "Итого"},
    "roi.no_campaign": {"en": "(no campaign)", "ru": "(без кампании)"},
    "roi.previous": {"en": "Previous period: {value}", "ru": "Прошлый период: {value}"},
    "roi.change_help": {"en": "Change = (current − previous) / previous; “—” when the previous value is 0.",
                        "ru": "Изменение = (текущее − прошлое) / прошлое; «—», если прошлое значение 0."},
    # column headers
    "roi.col.name": {"en": "Channel / campaign", "ru": "Канал / кампания"},
    "roi.col.status": {"en": "Result", "ru": "Результат"},
    "roi.col.spend": {"en": "Spend", "ru": "Расход"},
    "roi.col.impressions": {"en": "Impressions", "ru": "Показы"},
    "roi.col.clicks": {"en": "Clicks", "ru": "Клики"},
    "roi.col.ctr_pct": {"en": "CTR", "ru": "CTR"},
    "roi.col.cpc": {"en": "CPC", "ru": "CPC"},
    "roi.col.sessions": {"en": "Sessions", "ru": "Визиты"},
    "roi.col.leads": {"en": "Leads", "ru": "Лиды"},
    "roi.col.target_leads": {"en": "Target leads", "ru": "Целевые лиды"},
    "roi.col.won_deals": {"en": "Won deals", "ru": "Продажи"},
    "roi.col.new_clients": {"en": "New clients", "ru": "Новые клиенты"},
    "roi.col.revenue": {"en": "Revenue", "ru": "Выручка"},
    "roi.col.gross_profit": {"en": "Gross profit", "ru": "Валовая прибыль"},
    "roi.col.cpl": {"en": "CPL", "ru": "CPL"},
    "roi.col.cpo": {"en": "CPO", "ru": "CPO"},
    "roi.col.cac": {"en": "Cost per client", "ru": "Цена клиента"},
    "roi.col.romi_pct": {"en": "ROMI", "ru": "ROMI"},
    "roi.col.profit_romi_pct": {"en": "Profit ROMI", "ru": "ROMI по прибыли"},
    "roi.col.roas": {"en": "ROAS", "ru": "ROAS"},
    "roi.col.drr_pct": {"en": "ДРР (ad cost share)", "ru": "ДРР"},
    "roi.col.spend_change_pct": {"en": "Spend, change", "ru": "Расход, изм."},
    "roi.col.revenue_change_pct": {"en": "Revenue, change", "ru": "Выручка, изм."},
    "roi.col.romi_pct_change_pct": {"en": "ROMI, change", "ru": "ROMI, изм."},
    # formulas (METRICS.md wording)
    "roi.help.spend": {"en": "Ad spend dated in the period, in {currency}.", "ru": "Расход на рекламу с датой в периоде, в {currency}."},
    "roi.help.impressions": {"en": "Ad impressions in the period.", "ru": "Показы рекламы в периоде."},
    "roi.help.clicks": {"en": "Ad clicks in the period.", "ru": "Клики по рекламе в периоде."},
    "roi.help.ctr_pct": {"en": "CTR = clicks / impressions.", "ru": "CTR = клики / показы."},
    "roi.help.cpc": {"en": "CPC = spend / clicks.", "ru": "CPC = расход / клики."},
    "roi.help.sessions": {"en": "Site visits started in the period, by the visit's own channel.",
                          "ru": "Визиты на сайт, начавшиеся в периоде, по каналу визита."},
    "roi.help.leads": {"en": "Leads created in the period, by the lead's own channel.",
                       "ru": "Лиды, созданные в периоде, по каналу лида."},
    "roi.help.target_leads": {"en": "Target leads = leads − junk leads.", "ru": "Целевые лиды = лиды − нецелевые лиды."},
    "roi.help.won_deals": {"en": "Won deals, attributed by the chosen model (fractional under linear).",
                           "ru": "Выигранные сделки по выбранной модели атрибуции (при линейной — дробные)."},
    "roi.help.new_clients": {"en": "Won deals that are the client's first purchase, attributed by the model.",
                             "ru": "Выигранные сделки — первая покупка клиента, по модели атрибуции."},
    "roi.help.revenue": {"en": "Revenue = amount of won deals, attributed by the model, in {currency}.",
                         "ru": "Выручка = сумма выигранных сделок по модели атрибуции, в {currency}."},
    "roi.help.gross_profit": {"en": "Gross profit = revenue − cost of goods (order cost, or revenue × margin when cost is absent).",
                              "ru": "Валовая прибыль = выручка − себестоимость (себестоимость заказов или выручка × маржа, если её нет)."},
    "roi.help.cpl": {"en": "CPL = spend / leads.", "ru": "CPL = расход / лиды."},
    "roi.help.cpo": {"en": "CPO = spend / won deals.", "ru": "CPO = расход / продажи."},
    "roi.help.cac": {"en": "Cost per client = spend / new clients.", "ru": "Цена клиента = расход / новые клиенты."},
    "roi.help.romi_pct": {"en": "ROMI = (revenue − spend) / spend.", "ru": "ROMI = (выручка − расход) / расход."},
    "roi.help.profit_romi_pct": {"en": "Profit ROMI = (gross profit − spend) / spend.",
                                 "ru": "ROMI по прибыли = (валовая прибыль − расход) / расход."},
    "roi.help.roas": {"en": "ROAS = revenue / spend.", "ru": "ROAS = выручка / расход."},
    "roi.help.drr_pct": {"en": "ДРР (ad cost share) = spend / revenue.", "ru": "ДРР (доля рекламных расходов) = расход / выручка."},
    "roi.help.no_spend": {"en": "Money ratios are “—” for rows without spend.", "ru": "Для строк без расхода денежные показатели — «—»."},
})

KPIS = ["spend", "revenue", "gross_profit", "romi_pct", "profit_romi_pct", "roas", "drr_pct", "cac"]
RATIOS = {"ctr_pct", "cpc", "cpl", "cpo", "cac", "romi_pct", "profit_romi_pct", "roas", "drr_pct"}
CHANGE = ["spend", "revenue", "romi_pct"]

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("roi.title", lang))

# ---------------------------------------------------------------- options
c1, c2, c3, c4 = st.columns([5, 3, 1.6, 2.4], vertical_alignment="bottom")
model = ui.url_choice(
    c1.segmented_control, t("roi.model", lang), R.MODELS, key="model", default="last_non_direct",
    format_func=lambda m: t(f"roi.model.{m}", lang), help=t("roi.model_help", lang),
)
view = ui.url_choice(
    c2.segmented_control, t("roi.view", lang), R.VIEWS, key="view", default="cohort",
    format_func=lambda v: t(f"roi.view.{v}", lang), help=t("roi.view_help", lang),
)
try:
    setting_margin, margin_source = R.margin_pct(ui.run)
except R.BadMargin as e:
    ui.show_error(e)
    setting_margin, margin_source = R.DEFAULT_MARGIN_PCT, "default"
margin = ui.url_number(c3.number_input, t("roi.margin", lang), key="margin", default=float(setting_margin),
                       min_value=0.0, max_value=100.0, step=5.0, format="%.0f", help=t("roi.margin_help", lang))
show_campaigns = ui.url_flag(c4.toggle, t("roi.campaigns", lang), key="campaigns")

st.caption(ui.period_caption(s) + " · " + t(f"roi.{view}_note", lang))
st.info(t(f"roi.model_says.{model}", lang), icon=":material/alt_route:")

present = ui.presence()
if not present.get("spend") and not present.get("deals") and not present.get("leads"):
    st.info(t("roi.empty", lang), icon=":material/upload_file:")
    st.stop()
for kind in ("spend", "deals"):
    if not present.get(kind):
        st.info(t(f"roi.missing.{kind}", lang), icon=":material/upload_file:")

currencies = ui.run("meta/currencies", {})["currency"].tolist()
others = [c for c in currencies if c != f.currency]
if others:
    st.caption(t("roi.currency_note", lang, currency=f.currency, others=ui.md(", ".join(others))))
if margin_source == "default" and margin == R.DEFAULT_MARGIN_PCT:
    st.caption(t("roi.margin_default", lang))

# ---------------------------------------------------------------- data
report = reports.get("roi").func
opts = dict(attribution=model, view=view, margin_pct=margin)
# A cohort is compared at the same age: the comparison period's leads have had longer to close, so
# counted up to now a change would mostly measure their age (revenue −78 % for a younger cohort).
cmp = f.comparison_period
age = cohorts.same_age(ui.run, f) if view == "cohort" else None
if view == "cohort" and cmp is not None and age is None:
    cmp = None
if age is not None:
    st.caption(":material/schedule: " + t("roi.cohort_same_age", lang, as_of=fmt.day(age.as_of, lang),
                                          cutoff=fmt.day(age.cutoff, lang)))


def tables(by: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """This period's table with its changes, and the comparison period's table (None without one)."""
    cur = ui.report("roi", by=by, **opts)
    prev = report(ui.run, f.shifted(cmp), by=by, won_by=age.cutoff if age else None, **opts) if cmp else None
    return R.with_change(cur, prev, CHANGE), prev


try:
    by_channel, prev_channel = tables("channel")
    by_campaign = tables("campaign")[0] if show_campaigns else None
    trend = ui.report("roi_trend", **opts)
except Exception as e:  # a user-fixable problem is one sentence; anything else is a bug
    ui.show_error(e)
    st.stop()

total = by_channel[by_channel["channel"] == R.TOTAL].iloc[0]
prev_total = prev_channel[prev_channel["channel"] == R.TOTAL].iloc[0] if prev_channel is not None else None


def _num(x):
    return None if x is None or pd.isna(x) else float(x)


# ---------------------------------------------------------------- KPI cards
for row in (KPIS[:4], KPIS[4:]):
    cols = st.columns(4)
    for col, m in zip(cols, row):
        help_text = t(f"roi.help.{m}", lang, currency=f.currency) + "\n\n" + t("roi.change_help", lang)
        value = fmt.value(total[m], R.UNITS[m], lang, f.currency)
        change = prev_text = None
        if prev_total is not None:
            change = reports.growth_pct(_num(total[m]), _num(prev_total[m]))
            prev_text = t("roi.previous", lang, value=fmt.value(prev_total[m], R.UNITS[m], lang, f.currency))
        ui.kpi(col, t(f"roi.col.{m}", lang), value, change, help_text, previous=prev_text,
               inverse=m in R.LOWER_IS_BETTER)

# ---------------------------------------------------------------- table
st.subheader(t("roi.table", lang))
shown = R.nested(by_channel, by_campaign)


def label(r) -> str:
    if r["level"] == 2:
        return t("roi.total", lang)
    if r["level"] == 1:
        return "    ↳ " + (r["campaign"] or t("roi.no_campaign", lang))
    return r["channel"]


def status_text(r) -> str:
    return t("roi.status.total", lang) if r["level"] == 2 else t(f"roi.status.{R.status(r)}", lang)


# Outcome first (spend → revenue → ROMI, with their change), then the funnel, each count followed by
# its cost (clicks → CPC, leads → CPL, won deals → CPO, new clients → cost per client).
ORDER = ["spend", "spend_change_pct", "revenue", "revenue_change_pct", "romi_pct", "romi_pct_change_pct",
         "gross_profit", "profit_romi_pct", "roas", "drr_pct", "impressions", "clicks", "ctr_pct", "cpc",
         "sessions", "leads", "target_leads", "cpl", "won_deals", "cpo", "new_clients", "cac"]
value_cols = [c for c in R.COLUMNS if c not in ("channel", "campaign")]
change_cols = [f"{c}_change_pct" for c in CHANGE] if cmp is not None else []
shown_cols = [c for c in ORDER if c in value_cols or c in change_cols]
headers = {c: t(f"roi.col.{c}", lang) for c in shown_cols}
table = pd.DataFrame({t("roi.col.name", lang): [label(r) for _, r in shown.iterrows()],
                      t("roi.col.status", lang): [status_text(r) for _, r in shown.iterrows()]})
for c in shown_cols:
    table[headers[c]] = pd.to_numeric(shown[c], errors="coerce").to_numpy()


def formatter(c):
    if c.endswith("_change_pct"):
        return lambda x: fmt.pct(x, lang, signed=True)
    unit = R.UNITS[c]
    if unit == "share":
        return lambda x: fmt.number(x, lang, 0 if pd.isna(x) or float(x).is_integer() else 1)
    return lambda x: fmt.value(x, unit, lang, f.currency)


GOOD, BAD, WARN, TOTAL_BG = "#dcfce7", "#fee2e2", "#fef3c7", "#e2e8f0"


def row_style(r):
    i = r.name
    src = shown.iloc[i]
    if src["level"] == 2:
        return ["font-weight: bold; background-color: " + TOTAL_BG] * len(r)
    stt = R.status(src)
    bg = {"profitable": GOOD, "unprofitable": BAD, "no_results": BAD, "unknown": WARN}.get(stt)
    style = f"background-color: {bg}" if bg else ""
    if src["level"] == 1:
        style += "; color: #475569"
    return [style] * len(r)


styler = table.style.format({headers[c]: formatter(c) for c in shown_cols}, na_rep=fmt.DASH).apply(
    row_style, axis=1)
column_config = {t("roi.col.name", lang): st.column_config.TextColumn(pinned=True, width=210),
                 t("roi.col.status", lang): st.column_config.TextColumn(width=150)}
for c in value_cols:
    help_text = t(f"roi.help.{c}", lang, currency=f.currency)
    if c in RATIOS:
        help_text += " " + t("roi.help.no_spend", lang)
    column_config[headers[c]] = st.column_config.Column(
        help=help_text, width=ui.fit_width([headers[c]] + [formatter(c)(x) for x in table[headers[c]]]))
for c in change_cols:
    column_config[headers[c]] = st.column_config.Column(
        help=t("roi.change_help", lang),
        width=ui.fit_width([headers[c]] + [formatter(c)(x) for x in table[headers[c]]]))
st.dataframe(styler, hide_index=True, column_config=column_config, width="stretch", placeholder=fmt.DASH,
             height=min(38 * (len(table) + 1) + 4, 720))

d1, d2, _ = st.columns([1, 1, 4])
stem = f"roi_{f.period.start.isoformat()}_{f.period.end.isoformat()}_{model}_{view}"
d1.download_button(t("roi.download_csv", lang), R.export(table, "csv"), file_name=f"{stem}.csv",
                   mime="text/csv", on_click="ignore", icon=":material/download:")
d2.download_button(t("roi.download_xlsx", lang), R.export(table, "xlsx"), file_name=f"{stem}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   on_click="ignore", icon=":material/download:")

# rows where money and results don't meet: said in words, not left to be spotted
body = by_channel[by_channel["channel"] != R.TOTAL]
statuses = body.apply(R.status, axis=1)
gaps = []
no_results = body[statuses == "no_results"]
if len(no_results):
    gaps.append(t("roi.gaps.no_results", lang, items=", ".join(
        f"{ui.md(r.channel)} ({fmt.money(r.spend, f.currency, lang)})" for r in no_results.itertuples())))
organic = body[statuses == "organic"]
if len(organic):
    gaps.append(t("roi.gaps.organic", lang, items=ui.md(", ".join(organic["channel"]))))
unknown = body[statuses == "unknown"]
if len(unknown) and unknown["revenue"].sum() > 0:
    gaps.append(t("roi.gaps.unknown", lang, amount=fmt.money(unknown["revenue"].sum(), f.currency, lang)))
for g in gaps:
    st.caption(g)

# ---------------------------------------------------------------- charts
labels = {"spend": t("roi.col.spend", lang), "revenue": t("roi.col.revenue", lang),
          "romi": t("roi.col.romi_pct", lang), "channel": t("roi.col.name", lang),
          "total": t("roi.total", lang), "no_spend": t("roi.no_spend_label", lang),
          "title": t("roi.chart_channels", lang, currency=fmt.symbol(f.currency, lang)), "title_time": t("roi.chart_time", lang)}
g1, g2 = st.columns(2)
if ((body["spend"] > 0) | (body["revenue"] > 0)).any():
    g1.altair_chart(roi_charts.spend_vs_revenue(body, labels, lang, f.currency), width="stretch")
if trend["romi_pct"].notna().any():
    g2.altair_chart(roi_charts.romi_over_time(trend, labels, lang, f.grain, ui.today(), f.period), width="stretch")
else:
    g2.caption(t("roi.no_romi", lang))
