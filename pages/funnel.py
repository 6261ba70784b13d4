"""Funnel: where people are lost, and on whose side — marketing (blue) or sales (green)."""
import pandas as pd
import streamlit as st

from fullfunnel import export, fmt, ui
from fullfunnel.charts import funnel as fchart
from fullfunnel.i18n import t
from fullfunnel.reports import cohorts
from fullfunnel.reports import funnel as rep

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

# the open tab's tables (see the tabs below) are read in worker threads while the funnel above is read
# and drawn (ui.ahead)
TABS = {t(f"fn.tab.{k}", lang): k for k in ("junk", "lost", "channels", "time")}   # label → tab
open_tab = TABS.get(st.session_state.get("fn_tab"), "junk")
if open_tab == "channels":
    ui.report_ahead("funnel-by-channel", view=view, pipeline=pipeline, top="5")
elif open_tab in ("lost", "time") and presence.get("deals"):
    for name in ("lost",) if open_tab == "lost" else ("deal-cycle", "stage-time"):
        ui.report_ahead(name, view=view, pipeline=pipeline)
elif open_tab == "junk" and presence.get("leads"):
    ui.report_ahead("junk")
    ui.report_ahead("junk-by-channel")
# and the drill-down's list, for the step its picker will most likely show (a click on the chart can
# pick another: then that one is read where it is drawn)
choices = rep.item_steps(ui.run, f, view, pipeline)
default_step = "target_leads" if "target_leads" in choices else choices[0] if choices else None
if choices:
    likely = ui.choice_ahead("drill_step", choices, default_step)
    ui.report_ahead("funnel-items", step=likely, view=view, pipeline=pipeline,
                    page=int(st.session_state.get(f"drill_page_{view}_{likely}") or 1))
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
chain = table[~table["step"].isin(rep.ENTRY_STEPS)].reset_index(drop=True)
after_paid = chain.index[chain["step"] == "paid_sessions"]
of_all = chain["step"].iloc[after_paid[0] + 1] if len(entries) and len(after_paid) and after_paid[0] + 1 < len(chain) else None
event, log = ui.chart(st, fchart.funnel, chain, labels, lang, of_all_visits=of_all, on_select="rerun",
                      selection_mode=fchart.SELECTION, key="funnel_chart")
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
                         default=default_step, format_func=label)
    # a long list is shown a page at a time (the CSV below has every row): tens of thousands of leads
    # read and sent to the browser on every run would cost more than all the rest of the page
    page_key = f"drill_page_{view}_{step}"
    items = ui.report("funnel-items", step=step, view=view, pipeline=pipeline,
                      page=int(st.session_state.get(page_key) or 1))
    total = items.attrs["rows_total"]
    if not total:
        st.caption(t("fn.drill_none", lang))
    else:
        st.caption(t("fn.drill_count", lang, n=fmt.number(total, lang)))
        pages_n = -(-total // rep.ITEMS_PAGE_ROWS)
        page_no = items.attrs["page"]
        if pages_n > 1:
            st.session_state[page_key] = page_no   # the page shown: the last one if the list got shorter
            st.columns([1, 3])[0].number_input(
                t("fn.drill_page", lang, pages=fmt.number(pages_n, lang)), min_value=1, max_value=pages_n,
                step=1, key=page_key)
            first = (page_no - 1) * rep.ITEMS_PAGE_ROWS
            st.caption(t("fn.drill_rows", lang, first=fmt.number(first + 1, lang),
                         last=fmt.number(first + len(items), lang), n=fmt.number(total, lang)))
        cfg = {c: st.column_config.Column(t(f"fn.item.{c}", lang)) for c in items.columns}
        cfg["amount"] = st.column_config.NumberColumn(t("fn.item.amount", lang), format="localized")
        cfg["created_date"] = st.column_config.DateColumn(t("fn.item.created_date", lang),
                                                          format="DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD")
        cfg["step_date"] = st.column_config.DateColumn(t("fn.item.step_date", lang),
                                                       format="DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD")
        # columns empty in every row of the list (amounts of leads, reasons of open deals) are left out
        # on screen; the CSV keeps every column
        filled = set(items.attrs["filled"])
        shown_items = items[[c for c in items.columns if c not in rep.ITEM_FILLABLE or c in filled]].copy()
        for c in ("item_type", "status", "reason"):
            if c in shown_items:  # each distinct code put in words once, not once per row
                shown_items[c] = shown_items[c].map({v: code(v) for v in shown_items[c].dropna().unique()})
        for c in ("channel", "campaign", "manager", "stage", "status", "reason"):
            if c in shown_items:
                shown_items[c] = shown_items[c].astype(object).where(shown_items[c].notna(), fmt.DASH)
        st.dataframe(shown_items, hide_index=True, width="stretch", column_config=cfg, key="drill_table")
        st.download_button(
            # made when the button is clicked, not on every run of the page (a big drill-down takes a second)
            t("fn.download", lang),
            lambda f=f, step=step, view=view, pipeline=pipeline: export.csv_bytes(
                rep.funnel_items(ui.run, f, step=step, view=view, pipeline=pipeline)),
            file_name=f"funnel_{step}_{f.period.start}_{f.period.end}.csv", mime="text/csv",
            icon=":material/download:", key="drill_csv",
        )

# ---------------------------------------------------------------- junk, lost, channels, time


def _junk_tab() -> None:
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
            ui.chart(r1, fchart.hbar, reasons, "reason", "leads", lang, t("fn.col.leads", lang))
            r1.dataframe(pd.DataFrame({
                t("fn.col.reason", lang): reasons["reason"],
                t("fn.col.leads", lang): [fmt.number(x, lang) for x in reasons["leads"]],
                t("fn.col.share", lang): [fmt.pct(x, lang) for x in reasons["share_pct"]],
            }), hide_index=True, width="stretch")
            r2.markdown(f"**{t('fn.junk_channels', lang)}**", help=t("fn.help.junk_rate", lang))
            ui.chart(r2, fchart.hbar, by_channel, "channel", "junk_rate_pct", lang, t("fn.col.junk_rate", lang),
                     unit="pct", colour="#dc2626")
            r2.dataframe(pd.DataFrame({
                t("fn.col.channel", lang): by_channel["channel"],
                t("fn.col.leads", lang): [fmt.number(x, lang) for x in by_channel["leads"]],
                t("fn.col.junk_leads", lang): [fmt.number(x, lang) for x in by_channel["junk_leads"]],
                t("fn.col.junk_rate", lang): [fmt.pct(x, lang) for x in by_channel["junk_rate_pct"]],
            }), hide_index=True, width="stretch")


def _lost_tab() -> None:
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
        ui.chart(l1, fchart.hbar, by_stage, "stage", "deals", lang, t("fn.col.deals", lang), colour="#64748b",
                 keep_order=True)
        l2.markdown(f"**{t('fn.lost_by_reason', lang)}**")
        ui.chart(l2, fchart.hbar, by_reason, "lost_reason", "deals", lang, t("fn.col.deals", lang), colour="#dc2626")
        st.dataframe(pd.DataFrame({
            t("fn.col.stage", lang): lost["stage"],
            t("fn.col.lost_reason", lang): lost["lost_reason"],
            t("fn.col.deals", lang): [fmt.number(x, lang) for x in lost["deals"]],
        }), hide_index=True, width="stretch")


def _channels_tab() -> None:
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


def _time_tab() -> None:
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
            ui.chart(t1, fchart.hbar, times, "stage", "median_days", lang, t("fn.col.median_days", lang),
                     unit="days", colour="#16a34a", keep_order=True)
            t2.dataframe(pd.DataFrame({
                t("fn.col.stage_name", lang): times["stage"],
                t("fn.col.stays", lang): [fmt.number(x, lang) for x in times["stays"]],
                t("fn.col.median_days", lang): [fmt.number(x, lang, 1) for x in times["median_days"]],
                t("fn.col.mean_days", lang): [fmt.number(x, lang, 1) for x in times["mean_days"]],
            }), hide_index=True, width="stretch")


# Only the open tab is read and drawn: a click on another reruns the page, by when the rest is kept.
tabs = st.tabs(list(TABS), key="fn_tab", on_change="rerun")
for tab, draw in zip(tabs, (_junk_tab, _lost_tab, _channels_tab, _time_tab)):
    if tab.open:
        with tab:
            draw()
