"""Russian and English UI text. Each area registers its own strings; `t(key, lang)` looks them up."""
from __future__ import annotations

LANGS = ("en", "ru")
DEFAULT_LANG = "en"

_STRINGS: dict[str, dict[str, str]] = {}


def register(strings: dict[str, dict[str, str]]) -> None:
    """Add {key: {"en": ..., "ru": ...}}; both languages are required so nothing shows half-translated."""
    for key, texts in strings.items():
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            raise ValueError(f"string {key!r} lacks {missing}")
        _STRINGS[key] = texts


def t(key: str, lang: str, **fmt) -> str:
    """The text for key in lang (English as a fallback language), formatted with **fmt."""
    texts = _STRINGS.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts[DEFAULT_LANG]
    return text.format(**fmt) if fmt else text


def pick_lang(locale: str | None) -> str:
    """The UI language for a browser locale such as 'ru-RU': Russian for ru, English otherwise."""
    if locale and locale.lower().split("-")[0].split("_")[0] == "ru":
        return "ru"
    return DEFAULT_LANG


register({
    # app and navigation
    "app.title": {"en": "fullfunnel", "ru": "fullfunnel"},
    "app.filters": {"en": "Filters", "ru": "Фильтры"},
    "app.language": {"en": "Language", "ru": "Язык"},
    "app.period": {"en": "Period", "ru": "Период"},
    "app.present": {"en": "Presentation mode", "ru": "Режим показа"},
    "app.present_help": {"en": "For the projector: no sidebar, larger type. Kept in the link as ?present=1.",
                         "ru": "Для проектора: без боковой панели, крупный шрифт. Сохраняется в ссылке как ?present=1."},
    "app.from": {"en": "From", "ru": "С"},
    "app.to": {"en": "To", "ru": "По"},
    "app.grain": {"en": "Grain", "ru": "Детализация"},
    "app.compare": {"en": "Compare with", "ru": "Сравнить с"},
    "app.channels": {"en": "Channels", "ru": "Каналы"},
    "app.currency": {"en": "Currency", "ru": "Валюта"},
    "app.channels_all": {"en": "All channels", "ru": "Все каналы"},
    "app.db": {"en": "Database: {path}", "ru": "База данных: {path}"},
    "app.data_span": {"en": "Data: {first} – {last}", "ru": "Данные: {first} – {last}"},
    "app.last_import": {"en": "last import {when}", "ru": "последний импорт {when}"},
    "app.no_data_in_period": {
        "en": "The chosen period holds no data: your data runs from {first} to {last}.",
        "ru": "В выбранном периоде нет данных: ваши данные — с {first} по {last}.",
    },
    "app.show_span": {"en": "Show {first} – {last}", "ru": "Показать {first} – {last}"},
    "app.tz": {"en": "Time zone: {tz} · currency: {currency}", "ru": "Часовой пояс: {tz} · валюта: {currency}"},
    "app.no_db": {
        "en": "There is no database at {path} yet. Create the demo with `python -m fullfunnel demo` or import your files.",
        "ru": "Базы данных {path} пока нет. Создайте демо командой `python -m fullfunnel demo` или импортируйте свои файлы.",
    },
    "app.period_shown": {"en": "{period} vs {comparison}", "ru": "{period} · сравнение с {comparison}"},
    "app.uncovered": {
        "en": "{period}; no change is shown: the comparison period {comparison} starts before your data "
              "does ({start}).",
        "ru": "{period}; изменения не показаны: период сравнения {comparison} начинается раньше ваших "
              "данных ({start})."},
    "app.no_comparison": {"en": "{period}, no comparison", "ru": "{period}, без сравнения"},
    "app.bad_range": {"en": "The end date is before the start date.", "ru": "Дата окончания раньше даты начала."},
    # presets
    "preset.today": {"en": "Today", "ru": "Сегодня"},
    "preset.yesterday": {"en": "Yesterday", "ru": "Вчера"},
    "preset.last_7_days": {"en": "Last 7 days", "ru": "Последние 7 дней"},
    "preset.last_30_days": {"en": "Last 30 days", "ru": "Последние 30 дней"},
    "preset.this_week": {"en": "This week", "ru": "Эта неделя"},
    "preset.last_week": {"en": "Last week", "ru": "Прошлая неделя"},
    "preset.this_month": {"en": "This month", "ru": "Этот месяц"},
    "preset.last_month": {"en": "Last month", "ru": "Прошлый месяц"},
    "preset.this_quarter": {"en": "This quarter", "ru": "Этот квартал"},
    "preset.this_year": {"en": "This year", "ru": "Этот год"},
    "preset.custom": {"en": "Custom dates", "ru": "Свои даты"},
    "grain.day": {"en": "Day", "ru": "День"},
    "grain.week": {"en": "Week", "ru": "Неделя"},
    "grain.month": {"en": "Month", "ru": "Месяц"},
    "compare.previous": {"en": "Previous period", "ru": "Предыдущий период"},
    "compare.year_ago": {"en": "Year ago", "ru": "Год назад"},
    "compare.none": {"en": "No comparison", "ru": "Без сравнения"},
    "chart.incomplete": {"en": "incomplete", "ru": "неполный"},
    "chart.bucket": {"en": "Period", "ru": "Период"},
    "chart.value": {"en": "Value", "ru": "Значение"},
    "common.no_change": {"en": "—", "ru": "—"},
    # kinds of imported data (import templates), as shown in tables and pickers
    "kind.leads": {"en": "Leads", "ru": "Лиды"},
    "kind.deals": {"en": "Deals", "ru": "Сделки"},
    "kind.deal_stages": {"en": "Deal stage history", "ru": "История этапов сделок"},
    "kind.stages": {"en": "Pipeline stages", "ru": "Этапы воронки продаж"},
    "kind.spend": {"en": "Ad spend", "ru": "Расходы на рекламу"},
    "kind.sessions": {"en": "Sessions", "ru": "Визиты"},
    "kind.traffic": {"en": "Traffic (daily totals)", "ru": "Трафик (итоги по дням)"},
    "kind.activities": {"en": "Calls and meetings", "ru": "Звонки и встречи"},
    "kind.orders": {"en": "Orders", "ru": "Заказы"},
    "kind.reviews": {"en": "Reviews", "ru": "Отзывы"},
    "kind.plans": {"en": "Plans", "ru": "Планы"},
    "kind.all": {"en": "All kinds", "ru": "Все типы"},
})
