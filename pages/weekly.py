"""Weekly meeting: one whole week against the week before, big enough for a projector."""
import math

import altair as alt
import pandas as pd
import streamlit as st

from fullfunnel import fmt, ui
from fullfunnel.charts import channels as channel_charts
from fullfunnel.charts import weekly as wc
from fullfunnel.digest import download
from fullfunnel.i18n import t
from fullfunnel.reports import weekly as W

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
# the lower sections' tables are read in worker threads while the numbers above are drawn (ui.ahead)
ui.ahead(W.movers_scored, f, code)
ui.ahead(W.alerts, f, code)
ui.ahead(W.funnel, f, code)
ui.report_ahead("weekly-managers", week=code)
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
    movers = ui.call(W.movers_scored, f, code)
    with st.container(key="wk_movers"):
        if movers.empty:
            st.caption(t("wk.no_movers", lang))
        for _, row in W.top_movers(movers).iterrows():
            st.markdown(wc.mover_sentence(row, lang, cur))
with right:
    st.subheader(t("wk.alerts", lang), help=t("wk.alerts_help", lang))
    alerts = ui.call(W.alerts, f, code)
    with st.container(key="wk_alerts"):
        if not alerts:
            st.success(t("wk.no_alerts", lang), icon=":material/check_circle:")
        for a in alerts[:5]:
            st.warning(channel_charts.alert_markdown(a, lang, cur), icon=":material/warning:")

# ---------------------------------------------------------------- 4. funnel, 5. managers
left, right = st.columns([5, 4], gap="large")
with left:
    st.subheader(t("wk.funnel", lang), help=t("wk.funnel_help", lang))
    fun = ui.call(W.funnel, f, code)
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
        ui.chart(st, wc.week_bars, fun, "label", "count", "previous_count", "text", lang,
                 colour=wc.side_colours(fun["side"]), log_ok=True, tooltip=[
                     alt.Tooltip("label:N", title=t("wk.col.step", lang)),
                     alt.Tooltip("count_txt:N", title=t("wk.col.count", lang)),
                     alt.Tooltip("previous_txt:N", title=t("wk.col.previous", lang)),
                     alt.Tooltip("change_txt:N", title=t("wk.col.change", lang)),
                 ])
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
        ui.chart(st, wc.week_bars, mgr, "label", "revenue", "previous_revenue", "text", lang, tooltip=[
            alt.Tooltip("label:N", title=t("wk.col.manager", lang)),
            alt.Tooltip("revenue_txt:N", title=t("wk.col.revenue", lang)),
            alt.Tooltip("previous_txt:N", title=t("wk.col.previous", lang)),
            alt.Tooltip("won_deals:Q", title=t("wk.col.won", lang)),
        ])
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
