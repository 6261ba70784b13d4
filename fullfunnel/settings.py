"""Settings kept in the database (`settings` table): what they mean, their checks, and the CLI.

`python -m fullfunnel settings` lists them; `settings set KEY VALUE` and `settings unset KEY` change
one through `db.writer`, so an open dashboard picks the change up on its next query.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Callable

from fullfunnel import FullfunnelError, db, periods


class BadSetting(FullfunnelError):
    pass


def _tz(v: str) -> str:
    return periods.business_tz(v.strip())


def _currency(v: str) -> str:
    code = v.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise BadSetting(f"The currency {v!r} is not a three-letter code such as RUB, USD or EUR.")
    return code


def _margin(v: str) -> str:
    try:
        x = float(v.strip().replace(",", ".").rstrip("%"))
    except ValueError:
        raise BadSetting(f"The margin {v!r} is not a number of percent such as 35.") from None
    if not 0 <= x <= 100:
        raise BadSetting(f"The margin must be between 0 and 100 %, not {v}.")
    return f"{x:g}"


def _bounce(v: str) -> str:
    x = v.strip().lower()
    if x not in ("metrica", "ga4"):
        raise BadSetting(f"The bounce definition {v!r} is not one of: metrica, ga4.")
    return x


def _megabytes(v: str) -> str:
    try:
        x = int(v.strip())
    except ValueError:
        raise BadSetting(f"The import size limit {v!r} is not a whole number of megabytes.") from None
    if x <= 0:
        raise BadSetting("The import size limit must be more than 0 MB.")
    return str(x)


def _undo_keep(v: str) -> str:
    x = v.strip().lower().replace(" ", "")
    m = re.fullmatch(r"(\d+)(d|days?)?", x)
    if not m or int(m.group(1)) < 1:
        raise BadSetting(f"The undo history {v!r} is neither a number of imports such as 20 nor a number of "
                         "days such as 30d (at least 1).")
    return m.group(1) + ("d" if m.group(2) else "")


def undo_window(value: str | None) -> tuple[str, int]:
    """("imports", N) or ("days", N) from the undo_keep setting (None: the default)."""
    v = _undo_keep(value or SETTINGS["undo_keep"].default)
    return ("days", int(v[:-1])) if v.endswith("d") else ("imports", int(v))


@dataclass(frozen=True)
class Setting:
    key: str
    help: str
    check: Callable[[str], str]
    default: str


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("business_tz", "time zone days are counted in (IANA name, e.g. Europe/Moscow)", _tz,
            "first import's zone"),
    Setting("currency", "report currency (three-letter code); money in other currencies is never added", _currency,
            "main currency of the data"),
    Setting("margin_pct", "gross margin in % for revenue without order costs (ROI, Products)", _margin, "100"),
    Setting("bounce_definition", "bounce definition on the Traffic page: metrica or ga4", _bounce, "metrica"),
    Setting("import_max_mb", "largest file one import accepts, in MB", _megabytes, "500"),
    Setting("undo_keep", "how far back imports can be undone: the last N imports (20) or N days (30d); the "
            "rows older imports replaced are deleted", _undo_keep, "20"),
)}


def check(key: str, value: str) -> str:
    """The normalised value, or a one-sentence error for an unknown key or a bad value."""
    if key not in SETTINGS:
        raise BadSetting(f"There is no setting {key!r}; the settings are: {', '.join(SETTINGS)}.")
    return SETTINGS[key].check(value)


def read(path=None) -> dict[str, str]:
    """The user-facing settings stored in the database (internal keys left out)."""
    df = db.Reader(path).query("meta/settings")
    return {k: v for k, v in zip(df["key"], df["value"]) if k in SETTINGS}


def set_many(values: dict[str, str | None], path=None) -> dict[str, str | None]:
    """Store several settings in one write (None = back to the default); all are checked first,
    so the database is untouched when any value is refused."""
    clean = {k: (None if v is None or str(v).strip() == "" else check(k, str(v))) for k, v in values.items()}
    for k in clean:
        if k not in SETTINGS:
            raise BadSetting(f"There is no setting {k!r}; the settings are: {', '.join(SETTINGS)}.")
    with db.writer(path) as con:
        for k, v in clean.items():
            if v is None:
                con.execute("delete from settings where key = ?", [k])
            else:
                con.execute("insert or replace into settings values (?, ?)", [k, v])
    return clean


def set_value(key: str, value: str, path=None) -> str:
    """Store one setting (checked first; the database is untouched when the value is refused)."""
    return set_many({key: check(key, value)}, path)[key]


def unset(key: str, path=None) -> None:
    """Go back to the default of one setting."""
    if key not in SETTINGS:
        raise BadSetting(f"There is no setting {key!r}; the settings are: {', '.join(SETTINGS)}.")
    set_many({key: None}, path)


# ---------------------------------------------------------------- CLI


def register(sub) -> None:
    from fullfunnel.cli import add_db_option

    p = sub.add_parser("settings", help="list the settings; `settings set KEY VALUE`, `settings unset KEY`",
                       description="Settings kept in the database: " + "; ".join(
                           f"{s.key} — {s.help} (default: {s.default})" for s in SETTINGS.values()))
    add_db_option(p)
    p.add_argument("action", nargs="?", choices=("list", "set", "unset"), default="list")
    p.add_argument("key", nargs="?", help="the setting's name")
    p.add_argument("value", nargs="?", help="the new value (for set)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action == "list":
        stored = read(args.db)
        for s in SETTINGS.values():
            shown = stored.get(s.key, f"(default: {s.default})")
            print(f"{s.key:<18} {shown:<36} {s.help}")
        return 0
    if not args.key:
        raise BadSetting(f"Name the setting to {args.action}: one of {', '.join(SETTINGS)}.")
    if args.action == "set":
        if args.value is None:
            raise BadSetting(f"Give the new value: settings set {args.key} VALUE.")
        value = set_value(args.key, args.value, args.db)
        print(f"{args.key} = {value}")
        if args.key == "business_tz":
            print("note: times imported without an offset keep the moment they were read as; "
                  "re-import those files to read them in the new zone.")
        return 0
    unset(args.key, args.db)
    print(f"{args.key} is back to its default ({SETTINGS[args.key].default})")
    return 0
