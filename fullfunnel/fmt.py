"""Numbers, money, percentages and dates formatted for the UI language (METRICS.md "money")."""
from __future__ import annotations

import functools
import math
import re
from datetime import date

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal, get_currency_symbol, parse_pattern

_LOCALE = {"en": "en_US", "ru": "ru_RU"}
# Symbols users expect whatever the UI language (babel's English symbol for RUB is "RUB").
_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UAH": "₴", "GBP": "£", "CNY": "¥"}
DASH = "—"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x, lang: str, digits: int = 0) -> str:
    """1 234 567 (ru) / 1,234,567 (en); '—' for a missing value."""
    if _missing(x):
        return DASH
    return format_decimal(round(float(x), digits), format=_pattern(digits), locale=_locale(lang))


# parsed once: babel parses the locale and the pattern on every call otherwise (3/4 of the time of a
# number, and a page formats hundreds)
@functools.cache
def _pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALE[lang])


def symbol(currency: str, lang: str) -> str:
    return _SYMBOLS.get(currency) or get_currency_symbol(currency, locale=_LOCALE[lang])


def money(x, currency: str, lang: str, digits: int = 0) -> str:
    """1 234 567 ₽ (ru) / ₽1,234,567 (en)."""
    if _missing(x):
        return DASH
    sign = "-" if float(x) < 0 else ""
    body = number(abs(float(x)), lang, digits)
    sym = symbol(currency, lang)
    return f"{sign}{body}\u00a0{sym}" if lang == "ru" else f"{sign}{sym}{body}"


def compact_money(x, currency: str, lang: str) -> str:
    """Big amounts shortened for cards read from across a room: ₽10.04M / 10,04 млн ₽, ₽950.8K."""
    if _missing(x) or abs(float(x)) < 100_000:
        return money(x, currency, lang)
    sign = "-" if float(x) < 0 else ""
    v = abs(float(x))
    sym = symbol(currency, lang)
    for div, en, ru, digits in ((1e9, "B", "млрд", 2), (1e6, "M", "млн", 2), (1e3, "K", "тыс.", 1)):
        if v >= div:
            body = number(v / div, lang, digits)
            return f"{sign}{body}\u00a0{ru}\u00a0{sym}" if lang == "ru" else f"{sign}{sym}{body}{en}"
    return money(x, currency, lang)  # pragma: no cover


def pct(x, lang: str, digits: int = 1, signed: bool = False) -> str:
    """A value already in percent: 12,3 % (ru) / 12.3% (en); '—' when missing."""
    if _missing(x):
        return DASH
    body = number(abs(float(x)), lang, digits)
    sign = ("+" if float(x) > 0 else "-" if float(x) < 0 else "") if signed else ("-" if float(x) < 0 else "")
    return f"{sign}{body}\u00a0%" if lang == "ru" else f"{sign}{body}%"


def day(d: date, lang: str) -> str:
    """29.11.2026 (ru) / Nov 29, 2026 (en)."""
    if d is None:
        return DASH
    return format_date(d, format="dd.MM.yyyy" if lang == "ru" else "medium", locale=_locale(lang))


def value(x, unit: str, lang: str, currency: str = "RUB", compact: bool = False) -> str:
    """Format by unit: 'money', 'pct', 'count', 'ratio' (two decimals), 'days'; compact for KPI cards."""
    if unit == "money":
        return compact_money(x, currency, lang) if compact else money(x, currency, lang)
    if unit == "pct":
        return pct(x, lang, digits=0 if compact and not _missing(x) and abs(float(x)) >= 100 else 1)
    if unit == "ratio":
        return number(x, lang, 2)
    if unit == "days":
        return number(x, lang, 1)
    return number(x, lang)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=^])")


_WJ = "\u2060"   # WORD JOINER: invisible; breaks what Streamlit links or turns into icons after parsing
_AUTO = re.compile(r"(?i)(?<=www)(?=\.)|(?<=:)(?=//)|(?<=[\w.+-])(?=@[\w-])|(?<=:)(?=material/)")


def md(text) -> str:
    """A value from the user's files (channel, campaign, product, manager, reason, file name) made safe
    to put into Streamlit markdown: shown literally, never as a link, image, HTML, colour, icon or formula.

    Markdown characters get a backslash; bare URLs, e-mails and `:material/…:` icons, which Streamlit
    recognises after the markdown is parsed, get an invisible word joiner so they stay plain text.
    """
    s = "" if text is None else str(text)
    s = _AUTO.sub(_WJ, re.sub(r"\s*[\r\n]+\s*", " ", s))
    return _MD_SPECIAL.sub(r"\\\1", s)
