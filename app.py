"""fullfunnel: the entry point. Page config, the shared filters (bound to the URL), navigation."""
from pathlib import Path

import streamlit as st

from fullfunnel import FullfunnelError, auth, db, ui
from fullfunnel.i18n import t

HERE = Path(__file__).parent

# (file in pages/, url path, icon) — a page appears once its file exists; its title is page.<url>.
PAGES = [
    ("overview.py", "overview", ":material/dashboard:"),
    ("funnel.py", "funnel", ":material/filter_alt:"),
    ("channels.py", "channels", ":material/campaign:"),
    ("traffic.py", "traffic", ":material/language:"),
    ("roi.py", "roi", ":material/payments:"),
    ("kpis.py", "kpis", ":material/flag:"),
    ("products.py", "products", ":material/inventory_2:"),
    ("sales_team.py", "sales_team", ":material/groups:"),
    ("weekly.py", "weekly", ":material/co_present:"),
    ("import.py", "import", ":material/upload_file:"),
    ("data_health.py", "data_health", ":material/health_and_safety:"),
    ("settings.py", "settings", ":material/settings:"),
]

ui.leave_old_style_pages()
st.set_page_config(page_title="fullfunnel", page_icon=":material/filter_alt:", layout="wide")
role = auth.gate()  # sign-in when the secrets file configures it; stops here for anyone not let in

try:
    state = ui.sidebar_filters()
except FullfunnelError as e:  # e.g. a database from a newer fullfunnel
    st.error(ui.md(e.text(st.session_state.get("lang", "en")) if isinstance(e, db.DatabaseBroken) else str(e)))
    st.stop()
lang = state.lang
if state.filters is None:
    st.warning(t("app.no_db", lang, path=ui.md(db.db_path())))

pages = [
    st.Page(str(HERE / "pages" / file), title=t(f"page.{url}", lang), icon=icon, url_path=url,
            default=(url == "overview"))  # the default page lives at the root URL
    for file, url, icon in PAGES
    if (HERE / "pages" / file).exists() and (state.filters is not None or file == "import.py")
    and auth.allowed(url, role)  # a viewer gets no admin page, so its URL leads nowhere
]
if not pages:
    st.stop()
try:
    st.navigation(pages).run()
except db.DatabaseBroken as e:   # a damaged file or a full disk met halfway through a page
    st.error(ui.md(e.text(lang)))
ui.settle_memory()
