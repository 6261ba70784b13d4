"""Settings: the business time zone, report currency, margin, bounce definition, import size limit, undo history."""
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, ui
from fullfunnel import settings as conf
from fullfunnel.i18n import t

s = ui.state()
lang = s.lang
st.title(t("set.title", lang))
st.caption(t("set.intro", lang))

stored = conf.read(db.db_path())
f = s.filters
with st.form("settings"):
    c1, c2 = st.columns(2)
    tz = c1.text_input(t("set.business_tz", lang), value=stored.get("business_tz", f.tz),
                       help=t("set.business_tz.help", lang))
    currency = c2.text_input(t("set.currency", lang), value=stored.get("currency", f.currency), max_chars=3,
                             help=t("set.currency.help", lang))
    margin = c1.number_input(t("set.margin_pct", lang), min_value=0.0, max_value=100.0, step=5.0, format="%.0f",
                             value=float(stored.get("margin_pct", conf.SETTINGS["margin_pct"].default)),
                             help=t("set.margin_pct.help", lang))
    options = ["metrica", "ga4"]
    bounce = c2.radio(t("set.bounce_definition", lang), options, horizontal=True,
                      index=options.index(stored.get("bounce_definition", "metrica")),
                      format_func=lambda x: t(f"set.bounce.{x}", lang), help=t("set.bounce_definition.help", lang))
    max_mb = c1.number_input(t("set.import_max_mb", lang), min_value=1, step=50,
                             value=int(stored.get("import_max_mb", conf.SETTINGS["import_max_mb"].default)),
                             help=t("set.import_max_mb.help", lang))
    undo_keep = c2.text_input(t("set.undo_keep", lang), value=stored.get("undo_keep", conf.SETTINGS["undo_keep"].default),
                              help=t("set.undo_keep.help", lang))
    saved = st.form_submit_button(t("set.save", lang), type="primary")

if saved:
    try:
        conf.set_many({"business_tz": tz, "currency": currency, "margin_pct": str(margin),
                       "bounce_definition": bounce, "import_max_mb": str(max_mb),
                       "undo_keep": undo_keep}, db.db_path())
    except FullfunnelError as e:  # a refused value: one sentence, nothing stored
        st.error(fmt.md(str(e)))
    else:
        ui.clear_cache()
        st.success(t("set.saved", lang))

# ---------------------------------------------------------------- connected accounts (fullfunnel/sync)
from fullfunnel import secrets as secret_file  # noqa: E402
from fullfunnel import sync  # noqa: E402

st.subheader(t("set.sync.title", lang))
st.caption(t("set.sync.intro", lang))
said = st.session_state.pop("sync_said", None)   # what the last "Sync now" did (the rows below are after it)
if said:
    (st.success if said[0] == "ok" else st.error)(said[1])
try:
    accounts = sync.status(db.db_path(), secret_file.load(), f.tz)
except FullfunnelError as e:   # an unreadable secrets file: its sentence
    st.error(fmt.md(str(e)))
    accounts = []
for acc in accounts:
    name = acc["title_ru"] if lang == "ru" else acc["title"]
    c1, c2, c3 = st.columns([2, 5, 2])
    c1.markdown(f"**{name}**")
    state = t("set.sync.connected", lang) if acc["connected"] else \
        t("set.sync.not_connected", lang, section=acc["source"])
    last = (t("set.sync.last", lang, when=acc["last_sync"].strftime("%Y-%m-%d %H:%M"), id=acc["import_id"],
              rows=acc["rows"]) if acc["last_sync"] is not None else t("set.sync.never", lang))
    c2.markdown(f"{state} · {last}")
    if c3.button(t("set.sync.now", lang), key=f"sync_{acc['source']}", disabled=not acc["connected"]):
        with st.spinner(t("set.sync.running", lang, source=name)):
            try:
                done = sync.run(acc["source"], db.db_path())
            except sync.SyncFailed as e:
                st.session_state["sync_said"] = ("error", fmt.md(e.text(lang)))
            except FullfunnelError as e:
                st.session_state["sync_said"] = ("error", fmt.md(str(e)))
            else:
                ui.clear_cache()
                st.session_state["sync_said"] = ("ok", done.text(lang))
        st.rerun()
