"""fullfunnel: the entry point. Page config, the shared filters (bound to the URL), navigation."""
from pathlib import Path

import streamlit as st

from fullfunnel import FullfunnelError, auth, db, ui
from fullfunnel.i18n import register, t

HERE = Path(__file__).parent

# (file in pages/, url path, icon, en title, ru title) — a page appears once its file exists.
PAGES = [
    ("overview.py", "overview", ":material/dashboard:", "Overview", "Обзор"),
    ("funnel.py", "funnel", ":material/filter_alt:", "Funnel", "Воронка"),
    ("channels.py", "channels", ":material/campaign:", "Channels", "Каналы"),
    ("traffic.py", "traffic", ":material/language:", "Traffic", "Трафик"),
    ("roi.py", "roi", ":material/payments:", "ROI", "Окупаемость"),
    ("kpis.py", "kpis", ":material/flag:", "Marketer KPIs", "KPI маркетолога"),
    ("products.py", "products", ":material/inventory_2:", "Products", "Товары"),
    ("sales_team.py", "sales_team", ":material/groups:", "Sales team", "Отдел продаж"),
    ("weekly.py", "weekly", ":material/co_present:", "Weekly meeting", "Планёрка"),
    ("import.py", "import", ":material/upload_file:", "Import", "Импорт"),
    ("data_health.py", "data_health", ":material/health_and_safety:", "Data health", "Качество данных"),
    ("settings.py", "settings", ":material/settings:", "Settings", "Настройки"),
]
register({f"page.{url}": {"en": en, "ru": ru} for _, url, _, en, ru in PAGES})

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
    for file, url, icon, _, _ in PAGES
    if (HERE / "pages" / file).exists() and (state.filters is not None or file == "import.py")
    and auth.allowed(url, role)  # a viewer gets no admin page, so its URL leads nowhere
]
if not pages:
    st.stop()
try:
    st.navigation(pages).run()
except db.DatabaseBroken as e:   # a damaged file or a full disk met halfway through a page
    st.error(ui.md(e.text(lang)))
