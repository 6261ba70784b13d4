"""The shared filter state (period, grain, comparison, channels) and the bound parameters it yields."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable

import pandas as pd

from fullfunnel import periods
from fullfunnel.periods import Period

Run = Callable[[str, dict[str, Any]], pd.DataFrame]


@dataclass(frozen=True)
class Filters:
    """What every page and every `report` is asked for; everything else is derived from it."""

    period: Period
    grain: str = "day"
    compare: str = "previous"
    channels: tuple[str, ...] = ()
    tz: str = "UTC"
    currency: str = "RUB"
    data_start: date | None = None  # the first day the imported data covers (queries/meta/data_start.sql)

    def __post_init__(self):
        if self.grain not in periods.GRAINS:
            periods.bucket_start(self.period.start, self.grain)  # raises the user-facing error
        periods.comparison(self.period, self.compare, self.grain)  # validates compare

    @property
    def comparison_period(self) -> Period | None:
        """The period to compare with; None with no comparison and when the data does not cover it."""
        if self.uncovered_comparison is not None:
            return None
        return periods.comparison(self.period, self.compare, self.grain)

    @property
    def uncovered_comparison(self) -> Period | None:
        """The chosen comparison period when it starts before the data does (then no change is shown:
        "+900 %" against days nothing was imported for would only measure the import)."""
        cmp = periods.comparison(self.period, self.compare, self.grain)
        if cmp is not None and self.data_start is not None and cmp.start < self.data_start:
            return cmp
        return None

    def shifted(self, period: Period) -> "Filters":
        return replace(self, period=period)

    def params(self, **extra: Any) -> dict[str, Any]:
        """Bound parameters for queries/*.sql: $from, $to, $grain, $tz, $channels, $currency, ..."""
        return {
            "from": self.period.start,
            "to": self.period.end,
            "grain": self.grain,
            "tz": self.tz,
            "channels": list(self.channels),
            "currency": self.currency,
            **extra,
        }


def settings(run: Run) -> dict[str, str]:
    """The settings table as a dict."""
    df = run("meta/settings", {})
    return dict(zip(df["key"], df["value"]))


def default_currency(run: Run, setting: str | None = None) -> str:
    """The report currency: the setting, else the one most money was recorded in, else RUB."""
    if setting:
        return setting
    df = run("meta/currencies", {})
    return str(df["currency"].iloc[0]) if len(df) else "RUB"


def build(run: Run, preset: str = "last_30_days", start=None, end=None, grain: str = "day",
          compare: str = "previous", channels=(), tz: str | None = None,
          currency: str | None = None) -> Filters:
    """Filters from user choices, filling the time zone and currency from the database settings."""
    conf = settings(run)
    tz = periods.business_tz(tz or conf.get("business_tz"))
    if preset == "custom" or start or end:
        default = periods.preset_range("last_30_days", periods.today_in(tz))
        start = start or default.start
        end = end or max(start, default.end)  # an open end stops yesterday: today is incomplete
        period = Period(start, end)
    else:
        period = periods.preset_range(preset, periods.today_in(tz))
    return Filters(period=period, grain=grain, compare=compare, channels=tuple(channels), tz=tz,
                   currency=default_currency(run, currency or conf.get("currency")),
                   data_start=data_start(run, tz))


def data_start(run: Run, tz: str) -> date | None:
    """The first day the imported data covers in full (None when nothing is imported)."""
    df = run("meta/data_start", {"tz": tz})
    value = df["data_start"].iloc[0] if len(df) else None
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
