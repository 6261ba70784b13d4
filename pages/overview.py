"""Overview: the headline numbers of the period with their change, and their trend."""
import streamlit as st

from fullfunnel import charts, fmt, ui
from fullfunnel.i18n import t
from fullfunnel.reports.overview import UNITS

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
ui.chart(c1, charts.time_series, trend, {"leads": t("ov.leads", lang), "target_leads": t("ov.target_leads", lang),
                                          "won_deals": t("ov.won_deals", lang)},
         lang, f.grain, today, f.period, title=t("ov.trend_counts", lang))
ui.chart(c2, charts.time_series, trend, {"spend": t("ov.spend", lang), "revenue": t("ov.revenue", lang)},
         lang, f.grain, today, f.period, title=t("ov.trend_money", lang, currency=fmt.symbol(f.currency, lang)),
         money=True)

# ---------------------------------------------------------------- channel alerts (same as the Channels page)
from fullfunnel.charts import channels as channel_charts  # noqa: E402
from fullfunnel.reports.channels import alerts as channel_alerts  # noqa: E402

_alerts = channel_alerts(ui.run, f)
if _alerts:
    st.subheader(t("ov.alerts", lang))
    for _a in _alerts:
        st.warning(channel_charts.alert_markdown(_a, lang, f.currency), icon=":material/warning:")
    st.page_link("pages/channels.py", label=t("ov.alerts_more", lang), icon=":material/campaign:")
