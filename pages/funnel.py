"""Funnel: where people are lost, and on whose side — marketing (blue) or sales (green)."""
import pandas as pd
import streamlit as st

from fullfunnel import export, fmt, ui
from fullfunnel.charts import funnel as fchart
from fullfunnel.i18n import register, t
from fullfunnel.reports import cohorts
from fullfunnel.reports import funnel as rep

register({
    "fn.title": {"en": "Funnel", "ru": "Воронка"},
    "fn.view": {"en": "View", "ru": "Как считать"},
    "fn.view.cohort": {"en": "Cohort", "ru": "Когорта"},
    "fn.view.cash": {"en": "Cash", "ru": "По дате события"},
    "fn.view.help": {
        "en": "Cohort: leads created in the period, followed to wherever they are now (their deals, whenever "
              "they moved). Cash: what happened in the period — leads created, deals that reached a stage or "
              "were won in the period, whoever they came from.",
        "ru": "Когорта: лиды, созданные в периоде, и что с ними стало сейчас (их сделки, когда бы они ни "
              "двигались). По дате события: что произошло в периоде — созданные лиды, сделки, дошедшие до этапа или "
              "выигранные в периоде, откуда бы они ни пришли.",
    },
    "fn.pipeline": {"en": "Pipeline", "ru": "Воронка продаж"},
    "fn.pipeline_default": {"en": "(main)", "ru": "(основная)"},
    "fn.pipeline_note": {
        "en": "Deals of other pipelines are not in this funnel: pick a pipeline above.",
        "ru": "Сделки других воронок продаж сюда не входят: выберите воронку выше.",
    },
    "fn.maturing": {
        "en": "Cohort view: recent leads are still maturing — their deals may not have reached the later stages yet.",
        "ru": "Когорта: свежие лиды ещё «дозревают» — их сделки могли ещё не дойти до поздних этапов.",
    },
    "fn.cohort_same_age": {
        "en": "The comparison period's cohort is counted at the same age: this period's leads are followed up "
              "to {as_of}, so the comparison period's deals count in the stages they reached up to {cutoff}.",
        "ru": "Когорта периода сравнения взята в том же возрасте: лиды этого периода прослежены по {as_of}, "
              "поэтому сделки периода сравнения учтены на этапах, до которых дошли по {cutoff}.",
    },
    "fn.cash_note": {
        "en": "Cash view: each row counts what happened in the period (a deal counts in a stage when it reached "
              "it in the period, in won when it was won in the period).",
        "ru": "По дате события: каждая строка — то, что произошло в периоде (сделка считается на этапе, если "
              "дошла до него в периоде, и в выигранных — если выиграна в периоде).",
    },
    "fn.by_date": {
        "en": "Impressions, clicks and sessions are totals by their own date in both views (ad and analytics "
              "reports have no people to follow).",
        "ru": "Показы, клики и визиты при обоих способах подсчёта считаются по своей дате (в отчётах рекламы и "
              "аналитики нет людей, за которыми можно следить).",
    },
    "fn.lost_no_history": {
        "en": "{n} lost deal(s) have no stage history, so each counts only in the first stage (where it was lost "
              "is unknown). Import stage history to place them.",
        "ru": "У {n} проигранных сделок нет истории этапов, поэтому каждая считается только на первом этапе "
              "(где она проиграна — неизвестно). Загрузите историю этапов, чтобы это уточнить.",
    },
    "fn.no_stages": {
        "en": "No pipeline stages imported: all deals are one row. Import the stages list to see each stage.",
        "ru": "Этапы воронки продаж не загружены: все сделки — одна строка. Загрузите список этапов, чтобы "
              "увидеть каждый этап.",
    },
    "fn.hidden_spend": {"en": "Impressions and clicks are hidden: no ad reports imported.",
                        "ru": "Показы и клики скрыты: рекламные отчёты не загружены."},
    "fn.hidden_sessions": {"en": "Sessions are hidden: no web analytics imported.",
                           "ru": "Визиты скрыты: данные веб-аналитики не загружены."},
    "fn.hidden_deals": {"en": "Pipeline stages are hidden: no deals imported.",
                        "ru": "Этапы продаж скрыты: сделки не загружены."},
    "fn.empty": {
        "en": "Nothing to show yet — import leads from your CRM (and deals, ad spend, web traffic) on the Import page.",
        "ru": "Пока нечего показать — загрузите лиды из CRM (а также сделки, расходы и трафик) на странице «Импорт».",
    },
    "fn.log_scale": {
        "en": "Bar widths use a logarithmic scale so that small rows stay visible; the numbers are exact.",
        "ru": "Ширина полос — в логарифмическом масштабе, чтобы были видны маленькие строки; числа точные.",
    },
    "fn.click_hint": {"en": "Click a bar to list its leads or deals below (double-click to clear).",
                      "ru": "Нажмите на полосу, чтобы увидеть её лиды или сделки ниже (двойной щелчок — сброс)."},
    # step names
    "fn.step.impressions": {"en": "Impressions", "ru": "Показы"},
    "fn.step.clicks": {"en": "Clicks", "ru": "Клики"},
    "fn.step.sessions": {"en": "Sessions", "ru": "Визиты"},
    "fn.step.paid_sessions": {"en": "Sessions after an ad", "ru": "Визиты с рекламы"},
    "fn.step.other_sessions": {"en": "Other visits", "ru": "Прочие визиты"},
    "fn.other_visits": {
        "en": "Besides the paid path: {n} other visits (organic, direct, referral and channels without ad spend "
              "in the period) that followed no ad click. Leads come from all {all} visits, so the leads row's "
              "“% of previous” and drop-off are of all visits.",
        "ru": "Помимо платного пути: {n} прочих визитов (органика, прямые заходы, переходы и каналы без расходов "
              "на рекламу в периоде) — не после клика по рекламе. Лиды приходят со всех {all} визитов, поэтому "
              "«% от предыдущей» и потери строки лидов считаются от всех визитов.",
    },
    "fn.step.leads": {"en": "Leads", "ru": "Лиды"},
    "fn.step.target_leads": {"en": "Target leads", "ru": "Целевые лиды"},
    "fn.step.deals": {"en": "Deals", "ru": "Сделки"},
    "fn.step.won": {"en": "Won", "ru": "Выиграно"},
    "fn.step.junk": {"en": "Junk leads", "ru": "Нецелевые лиды"},
    "fn.step.lost": {"en": "Lost deals", "ru": "Проигранные сделки"},
    # table
    "fn.col.step": {"en": "Step", "ru": "Шаг"},
    "fn.col.count": {"en": "Count", "ru": "Количество"},
    "fn.col.step_pct": {"en": "% of previous", "ru": "% от предыдущей"},
    "fn.col.overall_pct": {"en": "% of first", "ru": "% от первой"},
    "fn.col.drop_off": {"en": "Drop-off", "ru": "Потери"},
    "fn.col.previous": {"en": "Comparison period", "ru": "Период сравнения"},
    "fn.col.change": {"en": "Change", "ru": "Изменение"},
    "fn.help.count": {
        "en": "Impressions and clicks: ad reports; sessions: site visits; leads: created in the period; target "
              "leads = leads − junk leads; a stage: deals that reached it (and so every earlier stage); won: "
              "won deals.",
        "ru": "Показы и клики — из рекламных отчётов; визиты — посещения сайта; лиды — созданные в периоде; "
              "целевые лиды = лиды − нецелевые; этап — сделки, дошедшие до него (а значит, и до всех "
              "предыдущих); выиграно — выигранные сделки.",
    },
    "fn.help.step_pct": {"en": "Step conversion = row ÷ previous row (leads: ÷ all visits, after an ad and other); "
                               "“—” where the row is larger than the one above (the two sources disagree).",
                         "ru": "Конверсия шага = строка ÷ предыдущая строка (лиды — ÷ все визиты, с рекламы и прочие); "
                               "«—», если строка больше предыдущей (источники данных расходятся)."},
    "fn.help.overall_pct": {"en": "Overall conversion = row ÷ first shown row.",
                            "ru": "Общая конверсия = строка ÷ первая показанная строка."},
    "fn.help.drop_off": {"en": "Drop-off = previous row − row. The funnel follows the paid path: clicks, then the "
                               "sessions of paid channels; other visits are a row of their own beside it, and leads "
                               "come from all visits. “—” where a row is larger than the one above (e.g. analytics "
                               "counts more paid visits than the ad reports count clicks).",
                         "ru": "Потери = предыдущая строка − строка. Воронка идёт по платному пути: клики, затем "
                               "визиты платных каналов; прочие визиты — отдельная строка рядом, а лиды приходят со "
                               "всех визитов. «—», если строка больше предыдущей (например, аналитика насчитала "
                               "больше платных визитов, чем кликов в рекламных отчётах)."},
    "fn.help.previous": {"en": "The same row in the comparison period.",
                         "ru": "Та же строка в периоде сравнения."},
    "fn.help.change": {"en": "Change = (current − previous) ÷ previous; “—” when the previous value is 0.",
                       "ru": "Изменение = (текущее − прошлое) ÷ прошлое; «—», если прошлое равно 0."},
    # drill-down
    "fn.drill": {"en": "Who is in a row", "ru": "Кто на этом шаге"},
    "fn.drill_step": {"en": "Row", "ru": "Шаг воронки"},
    "fn.drill_none": {"en": "Nobody in this row for the period.", "ru": "На этом шаге за период никого нет."},
    "fn.drill_count": {"en": "{n} item(s). Click a column header to sort.",
                       "ru": "Записей: {n}. Нажмите на заголовок столбца, чтобы отсортировать."},
    "fn.download": {"en": "Download CSV", "ru": "Скачать CSV"},
    "fn.item.item_id": {"en": "ID", "ru": "ID"},
    "fn.item.item_type": {"en": "Type", "ru": "Тип"},
    "fn.item.created_date": {"en": "Created", "ru": "Создан"},
    "fn.item.step_date": {"en": "Reached this row", "ru": "Дошёл до шага"},
    "fn.item.channel": {"en": "Channel", "ru": "Канал"},
    "fn.item.campaign": {"en": "Campaign", "ru": "Кампания"},
    "fn.item.manager": {"en": "Manager", "ru": "Менеджер"},
    "fn.item.amount": {"en": "Amount", "ru": "Сумма"},
    "fn.item.currency": {"en": "Currency", "ru": "Валюта"},
    "fn.item.stage": {"en": "Stage", "ru": "Этап"},
    "fn.item.status": {"en": "Status", "ru": "Статус"},
    "fn.item.reason": {"en": "Reason", "ru": "Причина"},
    # tabs
    "fn.tab.junk": {"en": "Junk leads", "ru": "Нецелевые лиды"},
    "fn.tab.lost": {"en": "Lost deals", "ru": "Проигранные сделки"},
    "fn.tab.channels": {"en": "By channel", "ru": "По каналам"},
    "fn.tab.time": {"en": "Time in stage", "ru": "Время на этапах"},
    # junk
    "fn.junk_leads": {"en": "Junk leads", "ru": "Нецелевые лиды"},
    "fn.junk_rate": {"en": "Junk rate", "ru": "Доля нецелевых"},
    "fn.help.junk_leads": {"en": "Leads created in the period and qualified as junk (non-target).",
                           "ru": "Лиды, созданные в периоде и признанные нецелевыми."},
    "fn.help.junk_rate": {"en": "Junk rate = junk leads ÷ leads.", "ru": "Доля нецелевых = нецелевые лиды ÷ лиды."},
    "fn.help.share": {"en": "Share = junk leads with this reason ÷ all junk leads.",
                      "ru": "Доля = нецелевые лиды с этой причиной ÷ все нецелевые лиды."},
    "fn.junk_reasons": {"en": "Why leads are junk", "ru": "Почему лиды нецелевые"},
    "fn.junk_channels": {"en": "Junk rate by channel", "ru": "Доля нецелевых по каналам"},
    "fn.no_reason": {"en": "(no reason given)", "ru": "(причина не указана)"},
    "fn.no_junk": {"en": "No junk leads in the period.", "ru": "В периоде нет нецелевых лидов."},
    "fn.no_qualification": {
        "en": "Leads carry no qualification (target / junk): import it from your CRM to see junk leads.",
        "ru": "У лидов нет квалификации (целевой / нецелевой): загрузите её из CRM, чтобы увидеть нецелевые лиды.",
    },
    "fn.col.reason": {"en": "Reason", "ru": "Причина"},
    "fn.col.leads": {"en": "Leads", "ru": "Лиды"},
    "fn.col.share": {"en": "Share", "ru": "Доля"},
    "fn.col.channel": {"en": "Channel", "ru": "Канал"},
    "fn.col.junk_leads": {"en": "Junk leads", "ru": "Нецелевые"},
    "fn.col.junk_rate": {"en": "Junk rate", "ru": "Доля нецелевых"},
    # lost
    "fn.lost_by_stage": {"en": "Where deals are lost", "ru": "На каком этапе теряем сделки"},
    "fn.lost_by_reason": {"en": "Why deals are lost", "ru": "Почему теряем сделки"},
    "fn.stage_unknown": {"en": "(stage unknown: no history)", "ru": "(этап неизвестен: нет истории)"},
    "fn.no_lost": {"en": "No lost deals for the period.", "ru": "За период нет проигранных сделок."},
    "fn.col.stage": {"en": "Stage where lost", "ru": "Этап, где проиграна"},
    "fn.col.lost_reason": {"en": "Lost reason", "ru": "Причина проигрыша"},
    "fn.col.deals": {"en": "Deals", "ru": "Сделки"},
    # by channel
    "fn.channels_intro": {
        "en": "The funnel of the channels with the most leads, side by side: count and % of the channel's first "
              "row. To see one channel (or several) as the big funnel above, pick them in the sidebar.",
        "ru": "Воронки каналов с наибольшим числом лидов рядом: количество и % от первой строки канала. "
              "Чтобы увидеть канал (или несколько) в большой воронке выше, выберите их в боковой панели.",
    },
    "fn.no_channels": {"en": "No channel data for the period.", "ru": "За период нет данных по каналам."},
    # time
    "fn.cycle_mean": {"en": "Deal cycle", "ru": "Цикл сделки"},
    "fn.cycle_median": {"en": "Deal cycle, median", "ru": "Цикл сделки, медиана"},
    "fn.help.cycle_mean": {"en": "Deal cycle = mean days from deal creation to winning, over won deals ({n}).",
                           "ru": "Цикл сделки = среднее число дней от создания сделки до выигрыша, по "
                                 "выигранным сделкам ({n})."},
    "fn.help.cycle_median": {"en": "Median days from deal creation to winning, over won deals ({n}).",
                             "ru": "Медиана дней от создания сделки до выигрыша, по выигранным сделкам ({n})."},
    "fn.days": {"en": "{n} days", "ru": "{n} дн."},
    "fn.stage_days": {"en": "Median days in each stage", "ru": "Медиана дней на каждом этапе"},
    "fn.help.stage_days": {
        "en": "A stay lasts from entering a stage to the next stage (or closing); stays still going on are "
              "left out. Median over stays.",
        "ru": "Пребывание длится от входа на этап до следующего этапа (или закрытия); незавершённые не "
              "учитываются. Медиана по пребываниям.",
    },
    "fn.no_history": {"en": "Time in stage needs stage history (deal_stages): import it from your CRM.",
                      "ru": "Для времени на этапах нужна история этапов (deal_stages): загрузите её из CRM."},
    "fn.col.stays": {"en": "Stays", "ru": "Пребываний"},
    "fn.col.median_days": {"en": "Median, days", "ru": "Медиана, дней"},
    "fn.col.mean_days": {"en": "Mean, days", "ru": "Среднее, дней"},
    "fn.col.stage_name": {"en": "Stage", "ru": "Этап"},
    "fn.code.lead": {"en": "lead", "ru": "лид"},
    "fn.code.deal": {"en": "deal", "ru": "сделка"},
    "fn.code.target": {"en": "target", "ru": "целевой"},
    "fn.code.junk": {"en": "junk", "ru": "нецелевой"},
    "fn.code.open": {"en": "open", "ru": "в работе"},
    "fn.code.won": {"en": "won", "ru": "выиграна"},
    "fn.code.lost": {"en": "lost", "ru": "проиграна"},
    "fn.code.unreachable": {"en": "unreachable", "ru": "не дозвонились"},
    "fn.code.not_target": {"en": "not our client", "ru": "не наш клиент"},
    "fn.code.duplicate": {"en": "duplicate", "ru": "дубль"},
    "fn.code.spam": {"en": "spam", "ru": "спам"},
    "fn.code.other": {"en": "other", "ru": "другое"},
    "fn.code.price": {"en": "price", "ru": "дорого"},
    "fn.code.competitor": {"en": "competitor", "ru": "ушёл к конкуренту"},
    "fn.code.no budget": {"en": "no budget", "ru": "нет бюджета"},
    "fn.code.no response": {"en": "no response", "ru": "пропал, не отвечает"},
    "fn.code.postponed": {"en": "postponed", "ru": "отложил покупку"},
})

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("fn.title", lang))

presence = ui.presence()


def label(step: str) -> str:
    key = f"fn.step.{step}"
    text = t(key, lang)
    return step if text == key else text


def code(value):
    """A reason or status code from the CRM in words (not_target → not our client); other values as imported."""
    if pd.isna(value):
        return value
    key = f"fn.code.{value}"
    text = t(key, lang)
    return value if text == key else text


top = st.columns([2, 2, 3])
view = ui.url_choice(
    top[0].segmented_control, t("fn.view", lang), rep.VIEWS, key="view", default="cohort",
    format_func=lambda v: t(f"fn.view.{v}", lang), help=t("fn.view.help", lang),
)
pipes = rep.pipelines(ui.run)
pipeline = None
if len(pipes) > 1:
    pipeline = top[1].selectbox(t("fn.pipeline", lang), pipes, key="pipeline",
                                format_func=lambda p: p or t("fn.pipeline_default", lang))

st.caption(ui.period_caption(s) + " · " + t("fn.maturing" if view == "cohort" else "fn.cash_note", lang))

table = rep.with_change(ui.report("funnel", view=view, pipeline=pipeline))
if table.empty:
    st.info(t("fn.empty", lang), icon=":material/upload_file:")
    st.stop()

notes = rep.notes(ui.run, f, view, pipeline)
age = cohorts.same_age(ui.run, f) if view == "cohort" else None
if age is not None:
    st.caption(":material/schedule: " + t("fn.cohort_same_age", lang, as_of=fmt.day(age.as_of, lang),
                                          cutoff=fmt.day(age.cutoff, lang)))
if (table["side"] == "marketing").any() and table["step"].isin(rep.AGGREGATE_STEPS).any():
    st.caption(t("fn.by_date", lang))
if notes["lost_without_history_n"]:
    st.warning(t("fn.lost_no_history", lang, n=notes["lost_without_history_n"]), icon=":material/history:")
hidden = []
if not presence.get("spend"):
    hidden.append(t("fn.hidden_spend", lang))
if not presence.get("sessions") and not presence.get("traffic"):
    hidden.append(t("fn.hidden_sessions", lang))
if not presence.get("deals"):
    hidden.append(t("fn.hidden_deals", lang))
elif not notes["open_stages_n"]:
    hidden.append(t("fn.no_stages", lang))
if notes["pipelines_n"] > 1:
    hidden.append(t("fn.pipeline_note", lang))
for note in hidden:
    st.caption(":material/info: " + note)

# ---------------------------------------------------------------- the funnel

labels = {step: label(step) for step in table["step"]}
entries = table[table["step"].isin(rep.ENTRY_STEPS)]
chart, log = fchart.funnel(table[~table["step"].isin(rep.ENTRY_STEPS)], labels, lang)
event = st.altair_chart(chart, on_select="rerun", selection_mode=fchart.SELECTION, key="funnel_chart",
                        width="stretch")
if len(entries):
    other = int(entries["count"].iloc[0])
    paid = int(table.loc[table["step"] == "paid_sessions", "count"].sum())
    st.caption(":material/call_split: " + t("fn.other_visits", lang, n=fmt.number(other, lang),
                                             all=fmt.number(other + paid, lang)))
st.caption((t("fn.log_scale", lang) + " " if log else "") + t("fn.click_hint", lang))

shown = pd.DataFrame({
    t("fn.col.step", lang): [labels[x] for x in table["step"]],
    t("fn.col.count", lang): [fmt.number(x, lang) for x in table["count"]],
    t("fn.col.step_pct", lang): [fchart.pct_auto(x, lang) for x in table["step_conversion_pct"]],
    t("fn.col.overall_pct", lang): [fchart.pct_auto(x, lang) for x in table["overall_conversion_pct"]],
    t("fn.col.drop_off", lang): [fmt.DASH if pd.isna(x) else fmt.number(x, lang) for x in table["drop_off"]],
    t("fn.col.previous", lang): [fmt.DASH if pd.isna(x) else fmt.number(x, lang) for x in table["previous_count"]],
    t("fn.col.change", lang): [fmt.DASH if pd.isna(x) else fmt.pct(x, lang, signed=True) for x in table["change_pct"]],
})
helps = {"step": None, "count": "fn.help.count", "step_pct": "fn.help.step_pct",
         "overall_pct": "fn.help.overall_pct", "drop_off": "fn.help.drop_off", "previous": "fn.help.previous",
         "change": "fn.help.change"}
st.dataframe(
    shown, hide_index=True, width="stretch", height="content",
    column_config={t(f"fn.col.{k}", lang): st.column_config.TextColumn(help=t(h, lang) if h else None)
                   for k, h in helps.items()},
)

# ---------------------------------------------------------------- drill-down

st.subheader(t("fn.drill", lang))
choices = rep.item_steps(ui.run, f, view, pipeline)
picked = None
if event is not None:
    points = (event.get("selection") or {}).get(fchart.SELECTION) or []
    if points:
        picked = points[0].get("step")
# A new click on the chart moves the picker; otherwise the picker keeps what the user chose.
if picked != st.session_state.get("_fn_last_pick"):
    st.session_state["_fn_last_pick"] = picked
    if picked in choices:
        st.session_state["drill_step"] = picked
if "drill_step" in st.session_state and st.session_state["drill_step"] not in choices:
    st.session_state.pop("drill_step", None)
if choices:
    step = ui.url_choice(st.selectbox, t("fn.drill_step", lang), choices, key="drill_step",
                         default="target_leads" if "target_leads" in choices else choices[0], format_func=label)
    items = ui.report("funnel-items", step=step, view=view, pipeline=pipeline)
    if items.empty:
        st.caption(t("fn.drill_none", lang))
    else:
        st.caption(t("fn.drill_count", lang, n=fmt.number(len(items), lang)))
        cfg = {c: st.column_config.Column(t(f"fn.item.{c}", lang)) for c in items.columns}
        cfg["amount"] = st.column_config.NumberColumn(t("fn.item.amount", lang), format="localized")
        cfg["created_date"] = st.column_config.DateColumn(t("fn.item.created_date", lang),
                                                          format="DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD")
        cfg["step_date"] = st.column_config.DateColumn(t("fn.item.step_date", lang),
                                                       format="DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD")
        # columns empty for this kind of row (amounts of leads, reasons of open deals) are left out on
        # screen; the CSV keeps every column
        shown_items = items[[c for c in items.columns if items[c].notna().any() or c == "item_id"]].copy()
        for c in ("item_type", "status", "reason"):
            if c in shown_items:
                shown_items[c] = shown_items[c].map(code)
        for c in ("channel", "campaign", "manager", "stage", "status", "reason"):
            if c in shown_items:
                shown_items[c] = shown_items[c].astype(object).where(shown_items[c].notna(), fmt.DASH)
        st.dataframe(shown_items, hide_index=True, width="stretch", column_config=cfg, key="drill_table")
        st.download_button(
            t("fn.download", lang), export.csv_bytes(items),
            file_name=f"funnel_{step}_{f.period.start}_{f.period.end}.csv", mime="text/csv",
            icon=":material/download:", key="drill_csv",
        )

# ---------------------------------------------------------------- junk, lost, channels, time

tab_junk, tab_lost, tab_channels, tab_time = st.tabs(
    [t("fn.tab.junk", lang), t("fn.tab.lost", lang), t("fn.tab.channels", lang), t("fn.tab.time", lang)])

with tab_junk:
    if not presence.get("leads"):
        st.info(t("fn.empty", lang))
    elif "target_leads" not in set(table["step"]):
        st.info(t("fn.no_qualification", lang))
    else:
        by_channel = ui.report("junk-by-channel")
        leads_n, junk_n = int(by_channel["leads"].sum()), int(by_channel["junk_leads"].sum())
        c1, c2, _ = st.columns([1, 1, 2])
        c1.metric(t("fn.junk_leads", lang), fmt.number(junk_n, lang), border=True,
                  help=t("fn.help.junk_leads", lang))
        c2.metric(t("fn.junk_rate", lang), fmt.pct(100.0 * junk_n / leads_n if leads_n else None, lang),
                  border=True, help=t("fn.help.junk_rate", lang))
        reasons = ui.report("junk")
        if reasons.empty:
            st.caption(t("fn.no_junk", lang))
        else:
            reasons = reasons.assign(reason=reasons["junk_reason"].map(code).fillna(t("fn.no_reason", lang)))
            r1, r2 = st.columns(2)
            r1.markdown(f"**{t('fn.junk_reasons', lang)}**", help=t("fn.help.share", lang))
            r1.altair_chart(fchart.hbar(reasons, "reason", "leads", lang, t("fn.col.leads", lang)), width="stretch")
            r1.dataframe(pd.DataFrame({
                t("fn.col.reason", lang): reasons["reason"],
                t("fn.col.leads", lang): [fmt.number(x, lang) for x in reasons["leads"]],
                t("fn.col.share", lang): [fmt.pct(x, lang) for x in reasons["share_pct"]],
            }), hide_index=True, width="stretch")
            r2.markdown(f"**{t('fn.junk_channels', lang)}**", help=t("fn.help.junk_rate", lang))
            r2.altair_chart(fchart.hbar(by_channel, "channel", "junk_rate_pct", lang, t("fn.col.junk_rate", lang),
                                        unit="pct", colour="#dc2626"), width="stretch")
            r2.dataframe(pd.DataFrame({
                t("fn.col.channel", lang): by_channel["channel"],
                t("fn.col.leads", lang): [fmt.number(x, lang) for x in by_channel["leads"]],
                t("fn.col.junk_leads", lang): [fmt.number(x, lang) for x in by_channel["junk_leads"]],
                t("fn.col.junk_rate", lang): [fmt.pct(x, lang) for x in by_channel["junk_rate_pct"]],
            }), hide_index=True, width="stretch")

with tab_lost:
    lost = ui.report("lost", view=view, pipeline=pipeline) if presence.get("deals") else pd.DataFrame()
    if lost.empty:
        st.caption(t("fn.no_lost", lang) if presence.get("deals") else t("fn.hidden_deals", lang))
    else:
        lost = lost.assign(stage=lost["stage"].fillna(t("fn.stage_unknown", lang)),
                           lost_reason=lost["lost_reason"].map(code).fillna(t("fn.no_reason", lang)))
        l1, l2 = st.columns(2)
        by_stage = lost.groupby("stage", sort=False, as_index=False)["deals"].sum()
        by_reason = lost.groupby("lost_reason", sort=False, as_index=False)["deals"].sum()
        l1.markdown(f"**{t('fn.lost_by_stage', lang)}**")
        l1.altair_chart(fchart.hbar(by_stage, "stage", "deals", lang, t("fn.col.deals", lang), colour="#64748b",
                                    keep_order=True),
                        width="stretch")
        l2.markdown(f"**{t('fn.lost_by_reason', lang)}**")
        l2.altair_chart(fchart.hbar(by_reason, "lost_reason", "deals", lang, t("fn.col.deals", lang),
                                    colour="#dc2626"), width="stretch")
        st.dataframe(pd.DataFrame({
            t("fn.col.stage", lang): lost["stage"],
            t("fn.col.lost_reason", lang): lost["lost_reason"],
            t("fn.col.deals", lang): [fmt.number(x, lang) for x in lost["deals"]],
        }), hide_index=True, width="stretch")

with tab_channels:
    st.caption(t("fn.channels_intro", lang))
    multi = ui.report("funnel-by-channel", view=view, pipeline=pipeline, top="5")
    if multi.empty:
        st.caption(t("fn.no_channels", lang))
    else:
        cells = multi.assign(
            cell=[f"{fmt.number(c, lang)} ({fchart.pct_auto(o, lang)})" for c, o in
                  zip(multi["count"], multi["overall_conversion_pct"])],
            order=multi.groupby("channel").cumcount(),
        )
        step_order = list(dict.fromkeys(list(table["step"]) + list(multi["step"])))
        grid = cells.pivot(index="step", columns="channel", values="cell")
        grid = grid.reindex([x for x in step_order if x in grid.index])[list(dict.fromkeys(multi["channel"]))]
        grid = grid.fillna(fmt.DASH)
        grid.index = [label(x) for x in grid.index]
        grid.index.name = t("fn.col.step", lang)
        st.dataframe(grid, width="stretch")

with tab_time:
    cycle = ui.report("deal-cycle", view=view, pipeline=pipeline) if presence.get("deals") else pd.DataFrame()
    if cycle.empty:
        st.caption(t("fn.hidden_deals", lang))
    else:
        row = cycle.iloc[0]
        n = fmt.number(row["won_deals"], lang)
        c1, c2, _ = st.columns([1, 1, 2])
        c1.metric(t("fn.cycle_mean", lang), fmt.DASH if pd.isna(row["mean_days"])
                  else t("fn.days", lang, n=fmt.number(row["mean_days"], lang, 1)),
                  border=True, help=t("fn.help.cycle_mean", lang, n=n))
        c2.metric(t("fn.cycle_median", lang), fmt.DASH if pd.isna(row["median_days"])
                  else t("fn.days", lang, n=fmt.number(row["median_days"], lang, 1)),
                  border=True, help=t("fn.help.cycle_median", lang, n=n))
        times = ui.report("stage-time", view=view, pipeline=pipeline)
        if times.empty:
            st.caption(t("fn.no_history", lang))
        else:
            st.markdown(f"**{t('fn.stage_days', lang)}**", help=t("fn.help.stage_days", lang))
            t1, t2 = st.columns(2)
            t1.altair_chart(fchart.hbar(times, "stage", "median_days", lang, t("fn.col.median_days", lang),
                                        unit="days", colour="#16a34a", keep_order=True),
                            width="stretch")
            t2.dataframe(pd.DataFrame({
                t("fn.col.stage_name", lang): times["stage"],
                t("fn.col.stays", lang): [fmt.number(x, lang) for x in times["stays"]],
                t("fn.col.median_days", lang): [fmt.number(x, lang, 1) for x in times["median_days"]],
                t("fn.col.mean_days", lang): [fmt.number(x, lang, 1) for x in times["mean_days"]],
            }), hide_index=True, width="stretch")
