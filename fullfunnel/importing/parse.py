"""Cell parsing: text cells → typed values, as SQL expressions DuckDB runs over the whole file at once.

Numbers: decimal comma or dot, thousands separators (comma, dot, space, no-break space, apostrophe),
currency symbols and codes, `%`, `--` for empty. Dates: ISO, `DD.MM.YYYY`, `M/D/YYYY` or
`D/M/YYYY` and the same with dashes (day or month first decided per column from all its values,
see dates.py), `YYYYMMDD`, `May 1, 2026`, Excel serial numbers, mixed in one column. Timestamps
without an offset are business local time. The decimal mark is detected per column from a sample
of its values (a preset or mapping file may fix it).

Every parse that fails leaves a reject reason `column<TAB>code<TAB>value`; load.py reports them.
"""
from __future__ import annotations

import re

from fullfunnel.importing.templates import Col

YEARS = (1970, 2099)   # dates outside these years are placeholders or typos, not business events
BLANKS = ("", "--", "—", "-", "n/a", "N/A", "(not set)", "не указано")

# cleanup before reading a number: spaces of every kind, currency symbols/codes, percent, apostrophes
_NUM_JUNK = r"[\s\x{00a0}\x{202f}%₽$€£¥₸']|руб\.?|р\.|^[A-Za-z]{3}|[A-Za-z]{3}$"
_NUM_DOT = r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+(\.\d+)?"
_NUM_COMMA = r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+(,\d+)?"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# ff_trim is trim (DuckDB strips every Unicode space, category Zs) without its cost for the usual
# cell: one that starts with a printable ASCII character (bytes compare: '!' <= x < U+0080), does not
# end with a space and is all ASCII (bytes = characters) has nothing to strip and is kept as it is.
MACROS = rf"""
create or replace temp macro ff_trim(x) as
    case when x >= '!' and x < chr(128) and not suffix(x, ' ') and strlen(x) = length(x) then x else trim(x) end;
create or replace temp macro ff_text(x) as
    case when ff_trim(x) in ({", ".join("'" + b.replace("'", "''") + "'" for b in BLANKS)}) then null
         else ff_trim(x) end;
create or replace temp macro ff_num_clean(t) as regexp_replace(t, {_lit(_NUM_JUNK)}, '', 'g');
create or replace temp macro ff_num_dot(t) as
    case when t is null then null
         when regexp_full_match(t, '-?\d+(\.\d+)?') then t::double
         when regexp_full_match(ff_num_clean(t), {_lit(_NUM_DOT)}) then replace(ff_num_clean(t), ',', '')::double
    end;
create or replace temp macro ff_num_comma(t) as
    case when t is null then null
         when regexp_full_match(t, '-?\d+') then t::double
         when regexp_full_match(ff_num_clean(t), {_lit(_NUM_COMMA)})
              then replace(replace(ff_num_clean(t), '.', ''), ',', '.')::double
    end;
create or replace temp macro ff_excel_ts(t) as
    case when regexp_full_match(t, '\d{{5}}(\.\d+)?') and t::double between 20000 and 80000
         then timestamp '1899-12-30' + to_microseconds(cast(t::double * 86400000000 as bigint)) end;
create or replace temp macro ff_has_offset(t) as
    regexp_matches(t, '^\d{{4}}-\d{{1,2}}-\d{{1,2}}[ T]\d{{1,2}}:\d{{2}}(:\d{{2}}(\.\d+)?)?\s*([+-]\d{{2}}(:?\d{{2}})?|Z|UTC)$');
create or replace temp macro ff_hms(t) as
    case when regexp_full_match(t, '\d+:\d{{1,2}}:\d{{1,2}}')
              then split_part(t, ':', 1)::bigint * 3600 + split_part(t, ':', 2)::bigint * 60 + split_part(t, ':', 3)::bigint
         when regexp_full_match(t, '\d+:\d{{1,2}}')
              then split_part(t, ':', 1)::bigint * 60 + split_part(t, ':', 2)::bigint end;
create or replace temp macro ff_bool(t) as
    case when lower(t) in ('1', 'true', 'yes', 'y', 't', 'да', 'д', '+') then true
         when lower(t) in ('0', 'false', 'no', 'n', 'f', 'нет', 'н') then false end;
create or replace temp macro ff_currency(t) as
    case when t is null then null
         when lower(t) in ('₽', 'руб', 'руб.', 'р.', 'р', 'rur', 'rub', 'рубль', 'рубли', 'рублей') then 'RUB'
         when t in ('$', 'US$') then 'USD'
         when t = '€' then 'EUR'
         when t = '£' then 'GBP'
         when t = '₸' then 'KZT'
         else upper(t) end;
"""


def install_macros(con) -> None:
    con.execute(MACROS)


def lit(s: str) -> str:
    """A SQL string literal (values from presets and mapping files)."""
    return "'" + str(s).replace("'", "''") + "'"


# ---------------------------------------------------------------- detection from a sample


_NOT_NUMBER = re.compile(r"[\s\u00a0\u202f%₽$€£¥']|руб\.?|р\.|^[A-Za-z]{3}|[A-Za-z]{3}$")
_COMMA_DECIMAL = re.compile(r"-?\d+,\d{1,2}|-?\d+,\d{4,}|-?\d{1,3}(\.\d{3})+,\d+|-?\d{1,3}(\.\d{3}){2,}")
_DOT_DECIMAL = re.compile(r"-?\d+\.\d{1,2}|-?\d+\.\d{4,}|-?\d{1,3}(,\d{3})+\.\d+|-?\d{1,3}(,\d{3}){2,}")


def detect_decimal(values: list[str], default: str = ".") -> str:
    """',' or '.': which mark separates decimals in this column's numbers."""
    comma = dot = 0
    for v in values[:2000]:
        if "," not in v and "." not in v:
            continue   # no mark to tell: the patterns below need one
        v = _NOT_NUMBER.sub("", v.strip())
        if _COMMA_DECIMAL.fullmatch(v):
            comma += 1
        elif _DOT_DECIMAL.fullmatch(v):
            dot += 1
    if comma > dot:
        return ","
    if dot > comma:
        return "."
    return default


def date_formats(orders: dict[str, str], extra: tuple[str, ...] = ()) -> list[str]:
    """strptime formats tried in order after ISO (which DuckDB reads natively).

    `orders`: day or month first for slash and dash dates ({"/": "mdy", "-": "mdy"}, see dates.py);
    dotted dates are always day first.
    """
    def dm(sep: str) -> str:
        return f"%d{sep}%m" if orders.get(sep, "dmy") == "dmy" else f"%m{sep}%d"

    out = list(extra)
    # two-digit years first: %Y would read 9/14/14 as the year 14; %y never matches a four-digit year whole
    for d in ("%d.%m.%y", "%d.%m.%Y", f"{dm('/')}/%y", f"{dm('/')}/%Y", "%Y/%m/%d", f"{dm('-')}-%y", f"{dm('-')}-%Y"):
        out += [f"{d} %H:%M:%S", f"{d} %H:%M", f"{d} %I:%M %p", f"{d} %I:%M:%S %p", f"{d}, %H:%M", d]
    out += ["%Y%m%d %H:%M:%S", "%Y%m%d %H:%M", "%Y%m%d", "%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%Y-%m-%d %I:%M %p"]
    return out


# ---------------------------------------------------------------- expressions


def naive_ts(t: str, fmts: list[str]) -> str:
    # DuckDB's own reading only for year-first text: it takes 10-01-14 for the year 10
    return (f"coalesce(case when regexp_matches({t}, '^\\s*\\d{{4}}') then try_cast({t} as timestamp) end, "
            f"try_strptime({t}, [{', '.join(lit(f) for f in fmts)}]), ff_excel_ts({t}))")


NUMERIC = ("money", "int", "rating", "duration", "num")


def number(col: Col, t: str, decimal: str, times: str | None = None, scale: float = 1.0,
           pct: bool = False) -> str:
    """SQL for the number in a numeric column's text `t` (double), computed once per cell."""
    num = f"ff_num_{'comma' if decimal == ',' else 'dot'}({t})"
    if col.type == "duration":
        num = f"coalesce(ff_hms({t})::double, {num})"
    if scale != 1.0:
        num = f"({num} * {scale!r})"
    if times is not None:
        num = f"({num} * ff_num_{'comma' if decimal == ',' else 'dot'}({times}){' / 100' if pct else ''})"
        if col.type in ("int", "duration"):
            num = f"round({num})"
    return num


# The usual ISO cell (2026-05-01 10:00:00, 2026-05-01) is read by DuckDB's cast before the general
# path tries offsets, Unix seconds and the other shapes: a cell of exactly this shape that starts with a
# digit has no offset and is year-first, so the general path would read it with the same cast (checked on
# millions of random and near-valid cells); anything else, and any cell the cast refuses, goes on to it.
def _iso(t: str, shape: str) -> str:
    return f"case when {t} like '{shape}' and {t} >= '0' and {t} < ':' then try_cast({t} as timestamp) end"


def typed(col: Col, t: str, fmts: list[str], num: str = "", tz: str = "$tz") -> str:
    """SQL for the typed value of template column `col` from its text `t` (and its number column `num`).

    `tz`: SQL for the zone of timestamps without an offset (the business zone unless a mapping names one);
    ten digits in a timestamp column are Unix seconds (analytics exports' visitStartTime), an instant.
    """
    ty = col.type
    if ty == "ts":
        general = (f"case when ff_has_offset({t}) then try_cast(regexp_replace({t}, '\\s+([+-]\\d)', '\\1') as timestamptz) "
                   f"when regexp_full_match({t}, '1\\d{{9}}') then to_timestamp({t}::bigint) "
                   f"else timezone({tz}, {naive_ts(t, fmts)}) end")
        return f"coalesce(timezone({tz}, {_iso(t, '____-__-__ __:__:__')}), {general})"
    if ty == "date":
        general = f"cast({naive_ts(t, fmts)} as date)"
        return f"coalesce(cast({_iso(t, '____-__-__')} as date), {general})"
    if ty == "month":
        return (f"case when regexp_full_match({t}, '\\d{{4}}-\\d{{1,2}}') then try_strptime({t} || '-01', '%Y-%m-%d')::date "
                f"when regexp_full_match({t}, '\\d{{1,2}}[./]\\d{{4}}') then try_strptime('01.' || replace({t}, '/', '.'), '%d.%m.%Y')::date "
                f"else date_trunc('month', cast({naive_ts(t, fmts)} as date)) end")
    if ty == "money":
        return f"case when abs({num}) < 1e15 then round({num}, 2)::decimal(18, 2) end"
    if ty in ("int", "rating"):
        return f"case when abs({num}) < 1e15 and {num} = round({num}) then {num}::bigint end"
    if ty == "duration":
        return f"case when abs({num}) < 1e12 then round({num})::bigint end"
    if ty == "num":
        return f"case when isfinite({num}) then {num} end"
    if ty == "bool":
        return f"ff_bool({t})"
    if ty == "choice":
        return f"lower({t})"
    if ty == "currency":
        return f"ff_currency({t})"
    if ty == "client":
        return client_hash(t)
    return t


def client_hash(t: str) -> str:
    """A stable client key from a phone, e-mail or CRM id: salted SHA-256, never the contact itself.

    Phones keep digits only (a Russian 8XXXXXXXXXX becomes 7XXXXXXXXXX), e-mails are lower-cased,
    so the same person matches across CRM, orders and re-imports of one database.
    """
    normal = (
        f"case when {t} like '%@%' then lower({t}) "
        f"when regexp_full_match({t}, '[\\d\\s+()\\-.]{{7,}}') and length(regexp_replace({t}, '\\D', '', 'g')) >= 7 "
        f"then regexp_replace(regexp_replace({t}, '\\D', '', 'g'), '^8(\\d{{10}})$', '7\\1') "
        f"else {t} end"
    )
    return f"case when {t} is not null then 'c' || left(sha256($salt || '|' || ({normal})), 16) end"


def reasons(col: Col, raw: str, val: str) -> list[tuple[str, str]]:
    """(condition, reason) SQL pairs for this column: the reason text is only built where the condition holds."""
    def r(code: str, cond: str) -> tuple[str, str]:
        return (cond, f"case when {cond} then {lit(col.name)} || chr(9) || '{code}' || chr(9) || "
                      f"coalesce(left({raw}, 60), '') end")

    out = []
    if col.required and col.default is None:
        out.append(r("missing", f"{raw} is null"))
    ty = col.type
    bad = {"ts": "date", "date": "date", "month": "date", "money": "number", "int": "whole",
           "rating": "rating", "duration": "number", "num": "number", "bool": "bool"}.get(ty)
    big = ""
    if ty in ("money", "int"):   # a number, but beyond any real amount or count (1e308, 10^20)
        num = f'"{col.name}__num"'
        big = f"{num} is not null and isfinite({num}) and abs({num}) >= 1e15"
        out.append(r("big", big))
    if bad:
        out.append(r(bad, f"{raw} is not null and {val} is null" + (f" and not coalesce({big}, false)" if big else "")))
    if ty in ("ts", "date", "month"):
        # placeholders such as 0001-01-01, 1899-12-30 or 9999-12-31 are not real dates of a business.
        # The year of the local calendar date: year() of a timestamptz is the era year in the session's
        # zone (a date BC would pass as AD, 1970-01-01 00:00 in Moscow would be 1969 in UTC).
        local = f"timezone($tz, {val})" if ty == "ts" else val
        out.append(r("far", f"{val} is not null and year({local}) not between {YEARS[0]} and {YEARS[1]}"))
    if ty in ("money", "int", "duration", "num"):
        out.append(r("negative", f"{val} < 0"))
    if ty == "rating":
        out.append(r("rating", f"{val} is not null and {val} not between 1 and 5"))
    if ty == "currency":   # shown on every page and in the sidebar: a code, not arbitrary text
        out.append(r("currency", f"{val} is not null and not regexp_full_match({val}, '[A-Z]{{3}}')"))
    if ty == "choice":
        out.append(r("choice", f"{val} is not null and {val} not in ({', '.join(lit(c) for c in col.choices)})"))
    return out


REASONS = {
    "missing": {"en": "no value in a required column", "ru": "нет значения в обязательной колонке"},
    "date": {"en": "cannot read {value!r} as a date", "ru": "не удалось прочитать {value!r} как дату"},
    "number": {"en": "cannot read {value!r} as a number", "ru": "не удалось прочитать {value!r} как число"},
    "whole": {"en": "{value!r} is not a whole number", "ru": "{value!r} — не целое число"},
    "big": {"en": "{value!r} is too big to be a real amount or count", "ru": "{value!r} — слишком большое число"},
    "negative": {"en": "negative value {value!r}", "ru": "отрицательное значение {value!r}"},
    "far": {"en": "date {value!r} is not between 1970 and 2099", "ru": "дата {value!r} не между 1970 и 2099 годами"},
    "rating": {"en": "rating {value!r} is not between 1 and 5", "ru": "оценка {value!r} не от 1 до 5"},
    "bool": {"en": "{value!r} is not yes/no (1/0)", "ru": "{value!r} — не да/нет (1/0)"},
    "currency": {"en": "{value!r} is not a currency code such as RUB, USD or EUR",
                 "ru": "{value!r} — не код валюты вида RUB, USD или EUR"},
    "choice": {"en": "{value!r} is not one of the allowed values", "ru": "{value!r} — недопустимое значение"},
    "fields": {"en": "the row has {a} values but the header has {b} columns (a stray delimiter or quote?); "
                     "nothing of it was imported",
               "ru": "в строке {a} значений, а в заголовке {b} колонок (лишний разделитель или кавычка?); "
                     "строка не загружена"},
    "comment": {"en": "{value!r} starts with # inside the table but is not shaped like its rows",
                "ru": "{value!r} начинается с # внутри таблицы, но не похожа на её строки"},
    "range": {"en": "the row covers {value}, not one day: export with the Day breakdown",
              "ru": "строка за период {value}, а не за один день: выгрузите с разбивкой по дням"},
}


def reason_text(code: str, value: str, lang: str = "en", choices: tuple[str, ...] = ()) -> str:
    if code == "fields":
        a, _, b = value.partition("/")
        return REASONS[code][lang].format(a=a, b=b)
    text = REASONS.get(code, {"en": code, "ru": code})[lang].format(value=value)
    if code == "choice" and choices:
        text += f" ({', '.join(choices)})"
    return text
