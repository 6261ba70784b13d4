"""Settings: the business time zone, report currency, margin, bounce definition, import size limit, undo history."""
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, ui
from fullfunnel import settings as conf
from fullfunnel.i18n import register, t

register({
    "set.title": {"en": "Settings", "ru": "Настройки"},
    "set.intro": {"en": "Kept in the database, so everyone who opens it sees the same numbers.",
                  "ru": "Хранятся в базе данных, поэтому все, кто её открывает, видят одни и те же цифры."},
    "set.business_tz": {"en": "Business time zone", "ru": "Часовой пояс бизнеса"},
    "set.business_tz.help": {
        "en": "Days, weeks and months are counted in this zone (IANA name, e.g. Europe/Moscow). Times imported "
              "without an offset keep the moment they were read as: re-import those files after a change.",
        "ru": "Дни, недели и месяцы считаются в этом поясе (название IANA, например Europe/Moscow). Время, "
              "импортированное без смещения, остаётся тем моментом, каким было прочитано: после смены "
              "пояса импортируйте такие файлы заново."},
    "set.currency": {"en": "Report currency", "ru": "Валюта отчётов"},
    "set.currency.help": {"en": "Three-letter code. Money in other currencies is never added to it.",
                          "ru": "Трёхбуквенный код. Деньги в других валютах к ней никогда не прибавляются."},
    "set.margin_pct": {"en": "Gross margin, %", "ru": "Валовая маржа, %"},
    "set.margin_pct.help": {"en": "Used for revenue without order costs: gross profit = revenue × margin (ROI, Products).",
                            "ru": "Для выручки без себестоимости заказов: валовая прибыль = выручка × маржа (Окупаемость, Товары)."},
    "set.bounce_definition": {"en": "Bounce definition", "ru": "Что считать отказом"},
    "set.bounce_definition.help": {
        "en": "Metrica: ≤ 1 pageview and < 15 s. GA4: not engaged (engaged = ≥ 10 s, ≥ 2 pageviews or a conversion).",
        "ru": "Метрика: ≤ 1 просмотра и < 15 с. GA4: не вовлечённый визит (вовлечённый = ≥ 10 с, ≥ 2 просмотров или конверсия)."},
    "set.import_max_mb": {"en": "Largest file to import, MB", "ru": "Самый большой файл для импорта, МБ"},
    "set.import_max_mb.help": {"en": "Bigger files are refused with a sentence saying so.",
                               "ru": "Файлы больше этого отклоняются с понятным сообщением."},
    "set.undo_keep": {"en": "Undo history", "ru": "История отмены"},
    "set.undo_keep.help": {
        "en": "How far back an import can be undone: the last N imports (20) or N days (30d). The rows that "
              "older imports replaced are deleted, so re-imports do not grow the database for ever.",
        "ru": "Насколько далеко назад можно отменить импорт: последние N импортов (20) или N дней (30d). "
              "Строки, заменённые более старыми импортами, удаляются, чтобы повторные загрузки не "
              "раздували базу бесконечно."},
    "set.save": {"en": "Save", "ru": "Сохранить"},
    "set.saved": {"en": "Saved. Every page now uses the new settings.", "ru": "Сохранено. Все страницы уже используют новые настройки."},
    "set.default": {"en": "Default: {value}", "ru": "По умолчанию: {value}"},
    "set.bounce.metrica": {"en": "Yandex Metrica", "ru": "Яндекс Метрика"},
    "set.bounce.ga4": {"en": "Google Analytics 4", "ru": "Google Analytics 4"},
})

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
