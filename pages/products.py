"""Products, the daily product report: totals, bestsellers, the products worth promoting, revenue by product."""
import pandas as pd
import streamlit as st

from fullfunnel import fmt, ui
from fullfunnel.charts import products as charts
from fullfunnel.i18n import t
from fullfunnel.reports import products as R

COLUMN_HELP = {"rank": "pr.help.rank", "rank_prev": "pr.help.rank_prev", "quantity": "pr.help.quantity",
               "orders": "pr.help.col_orders", "revenue": "pr.help.col_revenue",
               "revenue_share_pct": "pr.help.revenue_share_pct", "cost": "pr.help.cost",
               "gross_profit": "pr.help.gross_profit", "margin_pct": "pr.help.margin_pct",
               "avg_check": "pr.help.avg_check", "repeat_pct": "pr.help.repeat_pct", "promote": "pr.help.promote"}
NUM = "font-variant-numeric: tabular-nums"

s = ui.state()
f, lang = s.filters, s.lang
st.title(t("pr.title", lang))
st.caption(ui.period_caption(s) + " · " + t("pr.note", lang, currency=f.currency))

if not ui.presence().get("orders"):
    st.info(t("pr.missing", lang), icon=":material/upload_file:")
    st.stop()

try:
    setting_margin, margin_source = R.margin_pct(ui.run)
except R.BadMargin as e:
    ui.show_error(e)
    setting_margin, margin_source = R.DEFAULT_MARGIN_PCT, "default"
margin = float(setting_margin)
if R.totals(ui.run, f, margin)["no_cost_revenue"]:  # the margin matters only for lines without cost
    c1, _ = st.columns([1, 3])
    margin = c1.number_input(t("pr.margin", lang), min_value=0.0, max_value=100.0, value=margin,
                             step=5.0, format="%.0f", key="pr_margin", help=t("pr.margin_help", lang))

# ---------------------------------------------------------------- cards
summary = ui.report("products-summary", margin_pct=margin)
tot = R.totals(ui.run, f, margin)
cols = [*st.columns(3), *st.columns(3)]  # three to a row: money cards stay readable on a laptop
for col, (_, r) in zip(cols, summary.iterrows()):
    m = r["metric"]
    unit = R.TOTALS[m]
    help_text = t(f"pr.help.{m}", lang, currency=f.currency) + "\n\n" + t("pr.help.change", lang)
    prev = None
    if f.comparison_period is not None:
        prev = t("pr.previous", lang, value=fmt.value(r["previous"], unit, lang, f.currency))
    ui.kpi(col, t(f"pr.card.{m}", lang), fmt.value(r["value"], unit, lang, f.currency, compact=True),
           r["change_pct"], help_text, previous=prev)

if tot["other_currency_lines"]:
    st.caption(t("pr.other_currency", lang, n=fmt.number(tot["other_currency_lines"], lang)))
if tot["orders"] == 0:
    st.info(t("pr.no_orders_in_period", lang, currency=f.currency))
    st.stop()
if tot["no_cost_revenue"]:
    if margin_source == "default" and margin == R.DEFAULT_MARGIN_PCT:
        st.caption(t("pr.margin_default", lang))
    else:
        st.caption(t("pr.estimated", lang, share=fmt.pct(100 * tot["no_cost_revenue"] / tot["revenue"], lang, 0),
                     margin=fmt.pct(margin, lang, 0)))

# ---------------------------------------------------------------- bestsellers
board = R.bestsellers_with_change(ui.run, f, margin)
has_cmp = f.comparison_period is not None
CHANGE_AFTER = {"quantity", "revenue", "gross_profit"}
cols = ["rank"] + (["rank_prev"] if has_cmp else []) + ["product", "promote"]
for m in ["quantity", "orders", "revenue", "revenue_share_pct", "cost", "gross_profit", "margin_pct",
          "avg_check", "repeat_pct"]:
    cols.append(m)
    if has_cmp and m in CHANGE_AFTER:
        cols.append(f"{m}_change_pct")
table = board[cols].copy()
table["promote"] = table["promote"].map({True: "★", False: ""})
for c in cols:
    if c not in ("product", "promote", "rank", "rank_prev"):
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64")


def _fmt(c, lang: str, currency: str):
    if c.endswith("_change_pct"):
        return lambda x: fmt.pct(round(x) or 0.0, lang, 0, signed=True) if pd.notna(x) else fmt.DASH
    if c in ("rank", "rank_prev"):
        return lambda x: fmt.DASH if pd.isna(x) else str(int(x))
    return lambda x: fmt.value(x, R.UNITS[c], lang, currency)


def _promote_row(r):
    return ["background-color: #f0fdf4" if r["promote"] else NUM] * len(r)


def style(table: pd.DataFrame, lang: str, currency: str):
    numeric = [c for c in table.columns if c not in ("product", "promote")]
    styler = table.style.format({c: _fmt(c, lang, currency) for c in numeric}, na_rep=fmt.DASH).apply(
        _promote_row, axis=1)
    for c in table.columns:
        if c.endswith("_change_pct"):
            styler = styler.apply(ui.change_colours, subset=[c])
    return styler


config = {
    "rank": st.column_config.Column(t("pr.col.rank", lang), help=t("pr.help.rank", lang), width=40),
    "product": st.column_config.TextColumn(t("pr.col.product", lang), width=220),
    "promote": st.column_config.TextColumn("★", help=t("pr.help.promote", lang), width=36),
}
for c in cols:
    if c in config:
        continue
    if c.endswith("_change_pct"):
        config[c] = st.column_config.Column("Δ", help=t("pr.help.col_change", lang), width="small")
    else:
        config[c] = st.column_config.Column(t(f"pr.col.{c}", lang), help=t(COLUMN_HELP[c], lang, currency=f.currency))
st.subheader(t("pr.bestsellers", lang))
ui.table(st, style, table, lang, f.currency, column_config=config, hide_index=True, width="stretch",
         placeholder=fmt.DASH, height=min(38 * (len(table) + 1) + 4, 560))
st.caption(t("pr.table_note", lang))

export = table.rename(columns={c: (f"{t('pr.col.' + c[:-len('_change_pct')], lang)} Δ %" if c.endswith("_change_pct")
                                   else t(f"pr.col.{c}", lang)) for c in cols})
export[t("pr.col.promote", lang)] = board["promote"].to_numpy()
stem = f"products_{f.period.start.isoformat()}_{f.period.end.isoformat()}"
st.download_button(t("pr.download_csv", lang), lambda: R.export(export), file_name=f"{stem}.csv", mime="text/csv",
                   on_click="ignore", icon=":material/download:")

# ---------------------------------------------------------------- promote quadrant
st.subheader(t("pr.promote_title", lang), help=t("pr.promote_help", lang))
with_margin = board[board["margin_pct"].notna()]
if len(with_margin) < 3:
    st.info(t("pr.promote_few", lang))
else:
    ui.chart(st, charts.promote_scatter, board, lang, f.currency)
    picks = board[board["promote"]]["product"].tolist()
    if picks:
        st.success(t("pr.promote_list", lang, names=ui.md(", ".join(picks))), icon=":material/star:")
    else:
        st.caption(t("pr.promote_none", lang, margin=fmt.pct(board["median_margin_pct"].iloc[0], lang),
                     units=fmt.number(board["median_quantity"].iloc[0], lang, 1)))

# ---------------------------------------------------------------- revenue over time
st.subheader(t("pr.over_time", lang))
n_products = len(board)
top = R.DEFAULT_TOP
if n_products > 3:
    c1, _ = st.columns([1, 3])
    top = c1.select_slider(t("pr.top", lang), options=list(range(3, 16)), value=R.DEFAULT_TOP, key="pr_top",
                           help=t("pr.top_help", lang))
series = R.revenue_over_time(ui.run, f, top)
ui.chart(st, charts.revenue_over_time, series, lang, f.grain, ui.today(), f.currency, f.period)
