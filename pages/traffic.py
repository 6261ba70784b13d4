"""Traffic: sessions, visitors, depth, duration, bounces and exits — cards, series, breakdowns."""
import math

import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, fmt, ui
from fullfunnel.charts import traffic as charts
from fullfunnel.i18n import t
from fullfunnel.reports import traffic as R

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
    ui.chart(a, charts.lines, series, {"sessions": t("tr.sessions", lang), "visitors": visitors_label}, lang,
             f.grain, today, f.period, title=t("tr.chart.audience", lang))
    ui.chart(b, charts.lines, series, {"bounce_rate_pct": t("tr.bounce_rate_pct", lang),
                                      "exit_without_conversion_pct": t("tr.exit_without_conversion_pct", lang)},
             lang, f.grain, today, f.period, value_format=".1f", title=t("tr.chart.quality", lang))
    a, b = st.columns(2)
    ui.chart(a, charts.lines, series, {"pageviews_per_session": t("tr.pageviews_per_session", lang)}, lang,
             f.grain, today, f.period, value_format=".2f", title=t("tr.chart.depth", lang), zero=False)
    ui.chart(b, charts.lines, series, {"avg_duration_s": t("tr.avg_duration_s", lang)}, lang, f.grain, today,
             f.period, value_format=".0f", title=t("tr.chart.duration", lang), zero=False)
    if not visitor_days:
        st.caption(t("tr.series_note", lang))

# ---------------------------------------------------------------- breakdowns


def style(df: pd.DataFrame, lang: str):
    styler = df.style.format({m: (lambda x, u=UNITS[m]: show(x, u, lang)) for m in UNITS})
    # Streamlit shows a Styler's formatted text only on cells that carry a style
    return styler.map(lambda _: "font-variant-numeric: tabular-nums", subset=list(UNITS))


st.subheader(t("tr.breakdown", lang))
# only the open breakdown is read and drawn: a click on the other reruns the page
tabs = st.tabs([t("tr.by.channel", lang), t("tr.by.landing_page", lang)], key="tr_tab", on_change="rerun")
for tab, by in zip(tabs, R.BREAKDOWNS):
    if not tab.open:
        continue
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
        config = {by: st.column_config.TextColumn(t(f"tr.col.{by}", lang), pinned=True)}
        for m in UNITS:
            key = "visitor_days" if (m == "visitors" and visitor_days) else m
            config[m] = st.column_config.Column(t(f"tr.{key}", lang), help=t(f"tr.help.{key}", lang))
        ui.table(st, style, df, lang, column_config=config, hide_index=True, width="stretch",
                 height=min(38 * (len(df) + 1) + 4, 520))
