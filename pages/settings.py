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
