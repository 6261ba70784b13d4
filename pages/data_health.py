"""Data health: what the imported data is missing, and the channel rules that sort it into channels."""
import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, ui
from fullfunnel.i18n import t
from fullfunnel.importing import channels
from fullfunnel.importing.errors import message

s = ui.state()
lang, f = s.lang, s.filters
path = db.db_path()
st.title(t("dh.title", lang))
st.caption(t("dh.intro", lang))
if "_dh_flash" in st.session_state:
    st.success(st.session_state.pop("_dh_flash"))

try:
    src = ui.run("health/lead_sources", {}).iloc[0]
    unmatched = ui.run("health/unmatched_sources", {"tz": f.tz})
    mismatch = ui.run("health/spend_leads_mismatch", f.params())
    fresh = ui.run("health/last_import_by_kind", {"tz": f.tz})
    rules = ui.run("imports/channel_rules", {})
except FullfunnelError as e:
    ui.show_error(e)
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric(t("dh.leads_n", lang), fmt.number(int(src["leads_n"]), lang), border=True)
pct = src["without_source_pct"]
shown_n = fmt.number(int(src["without_source_n"]), lang)
c2.metric(t("dh.without_source", lang), shown_n if pd.isna(pct) else f"{shown_n} · {fmt.pct(pct, lang)}",
          help=t("dh.without_source_help", lang), border=True)
c3.metric(t("dh.unknown", lang), fmt.number(int(src["unknown_channel_n"]), lang),
          help=t("dh.unknown_help", lang), border=True)

st.subheader(t("dh.unmatched", lang), help=t("dh.unmatched_help", lang))
if unmatched.empty:
    st.success(t("dh.all_matched", lang))
else:
    unmatched = unmatched.assign(kind=unmatched["kind"].map(lambda k: t(f"kind.{k}", lang)))
    st.dataframe(unmatched.rename(columns={"kind": t("dh.c.kind", lang), "rows_n": t("dh.c.rows", lang),
                                           "last_seen_at": t("dh.c.last_seen", lang)}),
                 hide_index=True, width="stretch")

st.subheader(t("dh.mismatch", lang, period=f"{fmt.day(f.period.start, lang)} – {fmt.day(f.period.end, lang)}"))
if mismatch.empty:
    st.success(t("dh.mismatch_none", lang))
else:
    shown = mismatch.assign(problem=mismatch["problem"].map(lambda p: t(f"dh.problem.{p}", lang)),
                            spend_amount=mismatch["spend_amount"].map(lambda x: fmt.money(x, f.currency, lang)))
    st.dataframe(shown.rename(columns={"channel": t("dh.c.channel", lang), "problem": t("dh.c.problem", lang),
                                       "spend_amount": t("dh.c.spend", lang), "leads_n": t("dh.c.leads", lang)}),
                 hide_index=True, width="stretch")

st.subheader(t("dh.freshness", lang))
fresh = fresh.assign(
    kind=fresh["kind"].map(lambda k: t(f"kind.{k}", lang)),
    rows_n=fresh["rows_n"].map(lambda n: fmt.number(n, lang)),
    last_file_name=fresh["last_file_name"].fillna(t("dh.never", lang)),
    last_import_id=fresh["last_import_id"].map(lambda i: "" if pd.isna(i) else f"#{int(i)}"),
    last_imported_at=fresh["last_imported_at"].map(lambda d: "" if pd.isna(d) else d.strftime("%d.%m.%Y %H:%M" if lang == "ru" else "%Y-%m-%d %H:%M")),
)
st.dataframe(fresh.rename(columns={"kind": t("dh.c.kind", lang), "rows_n": t("dh.c.rows", lang),
                                   "last_import_id": t("dh.c.import", lang),
                                   "last_imported_at": t("dh.c.last_import", lang),
                                   "last_file_name": t("dh.c.file", lang)}),
             hide_index=True, width="stretch", height=35 * (len(fresh) + 1) + 40)

# ---------------------------------------------------------------- channel rules

st.subheader(t("dh.rules", lang), help=t("dh.rules_help", lang))
edited = st.data_editor(
    rules[["source_pattern", "medium_pattern", "campaign_pattern", "channel"]],
    num_rows="dynamic", hide_index=True, width="stretch", key="dh_rules",
    column_config={
        # the CSV and the import files keep the English column names; the headers speak the UI language
        "source_pattern": st.column_config.TextColumn(t("dh.c.source", lang), help=t("dh.c.pattern_help", lang)),
        "medium_pattern": st.column_config.TextColumn(t("dh.c.medium", lang), help=t("dh.c.pattern_help", lang)),
        "campaign_pattern": st.column_config.TextColumn(t("dh.c.campaign", lang), help=t("dh.c.pattern_help", lang)),
        "channel": st.column_config.TextColumn(t("dh.c.channel", lang), required=True),
    },
)


def _saved(n: int, changed: dict[str, int]) -> None:
    ui.clear_cache()
    st.session_state["_dh_flash"] = t("dh.saved", lang, n=n, leads=changed["leads"], sessions=changed["sessions"])
    st.rerun()


c1, c2 = st.columns([1, 1])
if c1.button(t("dh.save_rules", lang), type="primary", key="dh_save"):
    try:
        changed = channels.save_rules(edited, path)
    except FullfunnelError as e:
        st.error(ui.md(message(e, lang)))
    else:
        _saved(int(edited["channel"].notna().sum()), changed)
c2.download_button(t("dh.rules_download", lang), channels.rules_csv(rules), file_name="channel_rules.csv",
                   mime="text/csv", key="dh_download")
upload = st.file_uploader(t("dh.rules_csv", lang), type=["csv"], key="dh_rules_csv")
if upload is not None and st.button(t("dh.save_rules", lang) + " (CSV)", key="dh_save_csv"):
    try:
        new = channels.parse_rules(upload.getvalue(), upload.name)
        changed = channels.save_rules(new, path)
    except FullfunnelError as e:
        st.error(ui.md(message(e, lang)))
    else:
        _saved(len(new), changed)
