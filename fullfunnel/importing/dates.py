"""Day or month first: decided per date column from the whole column, never guessed.

`03/04/2026` is 3 April or 4 March. A spreadsheet may also have rewritten part of a column
(`9/14/2014` next to `10-01-2014`), so both families — slash and dash — are looked at together.
The order comes from, in turn: the user's hint (mapping `date_order` / `date_format`, the page, the
CLI); a value above 12 in the first or the second place (each family by its own values when they
settle it, else by the column's); a weekday column, when the file has one, that agrees with only
one order; consecutive days that only one order gives; a format's known convention (a Russian CRM
writes day first). When none of these settles a column that has ambiguous values, the import is
refused with a sentence naming the column, two of its values and the mapping key that settles it.
Dotted dates (`14.09.2014`) are always day first and ISO dates are not ambiguous.
"""
from __future__ import annotations

import datetime as dt

from fullfunnel.importing.errors import ImportRefused

ORDERS = ("dmy", "mdy")
SEPARATORS = ("/", "-")
# the leading date of a cell: 1–2 digits, / or -, 1–2 digits, the same separator, a 2- or 4-digit year
PATTERN = r"^\s*(\d{1,2})([/-])(\d{1,2})[/-](\d{4}|\d{2})(\D|$)"

WEEKDAYS = {}
for i, names in enumerate((
    ("monday", "mon", "mo", "понедельник", "пн", "пнд"),
    ("tuesday", "tue", "tues", "tu", "вторник", "вт", "втр"),
    ("wednesday", "wed", "we", "среда", "ср", "срд"),
    ("thursday", "thu", "thur", "thurs", "th", "четверг", "чт", "чтв"),
    ("friday", "fri", "fr", "пятница", "пт", "птн"),
    ("saturday", "sat", "sa", "суббота", "сб", "суб"),
    ("sunday", "sun", "su", "воскресенье", "вс", "вск"),
)):
    for n in names:
        WEEKDAYS[n] = i


def weekday_of(text: str) -> int | None:
    return WEEKDAYS.get(text.strip().strip(".").lower())


def is_weekday_column(values: list[str]) -> bool:
    vals = [v for v in values if v.strip()]
    return len(vals) >= 3 and sum(1 for v in vals if weekday_of(v) is not None) >= 0.9 * len(vals)


def _year(y: str) -> int:
    n = int(y)
    if len(y) == 4:
        return n
    return 2000 + n if n < 69 else 1900 + n


def _date(a: int, b: int, y: int, order: str) -> dt.date | None:
    day, month = (a, b) if order == "dmy" else (b, a)
    try:
        return dt.date(y, month, day)
    except ValueError:
        return None


def _consecutive(dates: set[dt.date]) -> int:
    days = sorted(dates)
    return sum(1 for x, y in zip(days, days[1:]) if (y - x).days == 1)


def settled_order(values) -> str | None:
    """The order a column's own values settle (a day above 12), when they all agree; else None."""
    try:
        out = decide("", values)
    except ImportRefused:
        return None
    orders = set()
    for a, _sep, b, _y, _raw in values:
        a, b = int(a), int(b)
        if (a > 12) != (b > 12):
            orders.add("dmy" if a > 12 else "mdy")
    return orders.pop() if len(orders) == 1 and set(out.values()) <= orders else None


def decide(label: str, values: list[tuple[str, str, str, str, str]], weekdays: list[tuple] = (),
           hint: str | None = None, convention: str | None = None, file_order: str | None = None) -> dict[str, str]:
    """{separator: order} for one column.

    values: distinct (day-or-month, separator, day-or-month, year, a raw example) of the column;
    weekdays: distinct (a, separator, b, year, weekday text) pairs from a weekday column of the same rows;
    hint: the user's order (wins); file_order: what the file's other date columns settle (one tool wrote
    them all); convention: the format's known order (used only when nothing else settles it).
    """
    if hint:
        return {s: hint for s in SEPARATORS}
    votes = {s: {"dmy": 0, "mdy": 0} for s in SEPARATORS}
    ambiguous: dict[str, list[str]] = {s: [] for s in SEPARATORS}
    for a, sep, b, _y, raw in values:
        a, b = int(a), int(b)
        if a > 12 and b <= 12:
            votes[sep]["dmy"] += 1
        elif b > 12 and a <= 12:
            votes[sep]["mdy"] += 1
        elif a <= 12 and b <= 12 and a != b:
            ambiguous[sep].append(raw)

    def settled_by_votes(v: dict[str, int]) -> str | None:
        if v["dmy"] and not v["mdy"]:
            return "dmy"
        if v["mdy"] and not v["dmy"]:
            return "mdy"
        if v["dmy"] and v["mdy"]:   # both in one family: the minority will be rejected row by row
            return "dmy" if v["dmy"] > v["mdy"] else "mdy" if v["mdy"] > v["dmy"] else None
        return None

    own = {s: settled_by_votes(votes[s]) for s in SEPARATORS}
    column = {o for o in own.values() if o}
    col_order = column.pop() if len(column) == 1 else None
    if col_order is None and not column:
        col_order = file_order or _by_weekday(weekdays) or _by_days(values) or convention
    out = {}
    for s in SEPARATORS:
        order = own[s] or col_order
        if order is None and ambiguous[s]:
            samples = sorted(set(ambiguous[s]), key=ambiguous[s].index)[:2]
            shown = " and ".join(samples)
            raise ImportRefused(
                f"Column {label} has dates such as {shown} that read both day first and month first; "
                "say which in the mapping with \"date_order\": \"dmy\" (day first) or \"mdy\" (month first) "
                "— or choose the date order on the Import page, --date-order on the command line.",
                ru=f"В колонке {label} есть даты вроде {shown}, которые читаются и как день-месяц, и как "
                   "месяц-день; укажите порядок в файле сопоставления: \"date_order\": \"dmy\" (сначала день) "
                   "или \"mdy\" (сначала месяц) — или выберите порядок дат на странице импорта, "
                   "--date-order в командной строке.")
        out[s] = order or convention or "dmy"   # no ambiguous values: either order reads them the same
    return out


def _by_weekday(pairs) -> str | None:
    """The order under which the dates fall on the weekdays written next to them."""
    hits = {o: 0 for o in ORDERS}
    n = 0
    for a, _sep, b, y, wd in pairs:
        w = weekday_of(wd or "")
        if w is None:
            continue
        n += 1
        for o in ORDERS:
            d = _date(int(a), int(b), _year(y), o)
            if d is not None and d.weekday() == w:
                hits[o] += 1
    if not n:
        return None
    for o, other in (("dmy", "mdy"), ("mdy", "dmy")):
        if hits[o] >= 0.9 * n and hits[other] < 0.5 * n:
            return o
    return None


def _by_days(values) -> str | None:
    """The order under which the dates run day after day (a daily report), when only one does."""
    pairs = {}
    for o in ORDERS:
        dates = {d for a, _s, b, y, _r in values if (d := _date(int(a), int(b), _year(y), o))}
        pairs[o] = _consecutive(dates)
    for o, other in (("dmy", "mdy"), ("mdy", "dmy")):
        if pairs[o] >= 3 and pairs[o] >= 3 * pairs[other] + 1:
            return o
    return None


def order_of_format(fmt: str) -> str | None:
    """'mdy' for '%m/%d/%Y', 'dmy' for '%d-%m-%y'; None when the format does not put day and month first."""
    d, m = fmt.find("%d"), fmt.find("%m")
    y = fmt.find("%Y") if "%Y" in fmt else fmt.find("%y")
    if d < 0 or m < 0 or (0 <= y < min(d, m)):
        return None
    return "dmy" if d < m else "mdy"
