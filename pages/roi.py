"""ROI: end-to-end analytics — every ruble from ad spend to revenue, per channel and campaign."""
import pandas as pd
import streamlit as st

from fullfunnel import fmt, reports, ui
from fullfunnel.charts import roi as roi_charts
from fullfunnel.i18n import t
from fullfunnel.reports import cohorts
from fullfunnel.reports import roi as R

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
    status = R.status(r)
    # the total row and a row with nothing in it have no status to say
    return "" if r["level"] == 2 or status == "empty" else t(f"roi.status.{status}", lang)


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


def formatter(c, lang: str, currency: str):
    if c.endswith("_change_pct"):
        return lambda x: fmt.pct(x, lang, signed=True)
    unit = R.UNITS[c]
    if unit == "share":
        return lambda x: fmt.number(x, lang, 0 if pd.isna(x) or float(x).is_integer() else 1)
    return lambda x: fmt.value(x, unit, lang, currency)


GOOD, BAD, WARN, TOTAL_BG = "#dcfce7", "#fee2e2", "#fef3c7", "#e2e8f0"


def row_css(src) -> str:
    """The style of every cell of a row of the table, from its row of `shown`."""
    if src["level"] == 2:
        return "font-weight: bold; background-color: " + TOTAL_BG
    bg = {"profitable": GOOD, "unprofitable": BAD, "no_results": BAD, "unknown": WARN}.get(R.status(src))
    css = f"background-color: {bg}" if bg else ""
    if src["level"] == 1:
        css += "; color: #475569"
    return css


def style(table: pd.DataFrame, rows_css: list[str], columns: dict[str, str], lang: str, currency: str):
    """columns: header → column of R.COLUMNS (or its change)."""
    return table.style.format({h: formatter(c, lang, currency) for h, c in columns.items()},
                              na_rep=fmt.DASH).apply(lambda r: [rows_css[r.name]] * len(r), axis=1)


column_config = {t("roi.col.name", lang): st.column_config.TextColumn(pinned=True, width=210),
                 t("roi.col.status", lang): st.column_config.TextColumn(width=150)}
for c in value_cols:
    help_text = t(f"roi.help.{c}", lang, currency=f.currency)
    if c in RATIOS:
        help_text += " " + t("roi.help.no_spend", lang)
    column_config[headers[c]] = st.column_config.Column(
        help=help_text,
        width=ui.fit_width([headers[c]] + [formatter(c, lang, f.currency)(x) for x in table[headers[c]]]))
for c in change_cols:
    column_config[headers[c]] = st.column_config.Column(
        help=t("roi.change_help", lang),
        width=ui.fit_width([headers[c]] + [formatter(c, lang, f.currency)(x) for x in table[headers[c]]]))
ui.table(st, style, table, [row_css(r) for _, r in shown.iterrows()], {headers[c]: c for c in shown_cols},
         lang, f.currency, hide_index=True, column_config=column_config, width="stretch", placeholder=fmt.DASH,
         height=min(38 * (len(table) + 1) + 4, 720))

d1, d2, _ = st.columns([1, 1, 4])
stem = f"roi_{f.period.start.isoformat()}_{f.period.end.isoformat()}_{model}_{view}"
# the files are made when a button is clicked, not on every run of the page
d1.download_button(t("roi.download_csv", lang), lambda: R.export(table, "csv"), file_name=f"{stem}.csv",
                   mime="text/csv", on_click="ignore", icon=":material/download:")
d2.download_button(t("roi.download_xlsx", lang), lambda: R.export(table, "xlsx"), file_name=f"{stem}.xlsx",
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
    ui.chart(g1, roi_charts.spend_vs_revenue, body, labels, lang, f.currency)
if trend["romi_pct"].notna().any():
    ui.chart(g2, roi_charts.romi_over_time, trend, labels, lang, f.grain, ui.today(), f.period)
else:
    g2.caption(t("roi.no_romi", lang))
