"""Numbers, money, percentages and dates as each language writes them."""
from datetime import date

from fullfunnel import fmt
from fullfunnel.i18n import pick_lang, t

NB = "\u00a0"


def test_money_per_language():
    assert fmt.money(1234567, "RUB", "en") == "₽1,234,567"
    ru = fmt.money(1234567, "RUB", "ru")
    assert ru.replace("\u202f", " ").replace(NB, " ") == "1 234 567 ₽"
    assert fmt.money(-1500, "USD", "en") == "-$1,500"


def test_percent_and_missing_values():
    assert fmt.pct(12.345, "en") == "12.3%"
    assert fmt.pct(12.345, "ru") == f"12,3{NB}%"
    assert fmt.pct(5, "en", signed=True) == "+5.0%"
    assert fmt.pct(None, "en") == fmt.DASH
    assert fmt.number(float("nan"), "ru") == fmt.DASH


def test_dates():
    assert fmt.day(date(2026, 11, 29), "ru") == "29.11.2026"
    assert fmt.day(date(2026, 11, 29), "en") == "Nov 29, 2026"


def test_language_from_browser_locale():
    assert pick_lang("ru-RU") == "ru"
    assert pick_lang("ru") == "ru"
    assert pick_lang("en-US") == "en"
    assert pick_lang("de-DE") == "en"
    assert pick_lang(None) == "en"


def test_translations_exist_in_both_languages():
    assert t("preset.last_week", "ru") == "Прошлая неделя"
    assert t("preset.last_week", "en") == "Last week"


def test_compact_money_for_cards():
    assert fmt.compact_money(10_042_500, "RUB", "en") == "₽10.04M"
    assert fmt.compact_money(10_042_500, "RUB", "ru").replace(NB, " ") == "10,04 млн ₽"
    assert fmt.compact_money(950_798, "RUB", "en") == "₽950.8K"
    assert fmt.compact_money(99_999, "RUB", "en") == "₽99,999"
    assert fmt.value(976.24, "pct", "en", compact=True) == "976%"


def test_a_measure_keeps_its_colour_in_every_language():
    from datetime import date as d

    import pandas as pd

    from fullfunnel import charts

    df = pd.DataFrame({"bucket": [d(2026, 11, 2)], "leads": [3], "won_deals": [1]})
    specs = {}
    for lang, labels in (("en", {"leads": "Leads", "won_deals": "Won deals"}),
                         ("ru", {"leads": "Лиды", "won_deals": "Выигранные сделки"})):
        spec = charts.time_series(df, labels, lang, "week", d(2026, 11, 29)).to_dict()
        scale = next(layer["encoding"]["color"]["scale"] for layer in spec.get("layer", [spec])
                     if "color" in layer.get("encoding", {}))
        specs[lang] = dict(zip(scale["domain"], scale["range"]))
    assert specs["en"]["Leads"] == specs["ru"]["Лиды"] == charts.PALETTE[0]
    assert specs["en"]["Won deals"] == specs["ru"]["Выигранные сделки"] == charts.PALETTE[1]
