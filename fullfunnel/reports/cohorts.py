"""Comparing cohorts at the same age (METRICS.md "Deals and the funnel", cohort view).

This period's leads are followed up to the last day the data knows (`as_of`, at most today). The
comparison period's leads have had longer: counted up to now, a change would measure their age. So
the comparison cohort is counted up to `cutoff` = as_of − (period start − comparison start): each of
its leads, created on day k of its period, with the deals it won (or the stages it reached) up to as
many days after its creation as the lead of day k of this period has had.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from fullfunnel import periods
from fullfunnel.filters import Filters, Run


@dataclass(frozen=True)
class SameAge:
    as_of: date    # this period's cohort is followed up to this day
    cutoff: date   # the comparison cohort is counted up to this day


def same_age(run: Run, f: Filters, today: date | None = None) -> SameAge | None:
    """The same-age cut of the comparison cohort; None without a comparison period or without data."""
    cmp = f.comparison_period
    if cmp is None:
        return None
    last = run("meta/as_of", {"tz": f.tz})["last_day"].iloc[0]
    if last is None or pd.isna(last):
        return None
    as_of = min(pd.Timestamp(last).date(), today or periods.today_in(f.tz))
    return SameAge(as_of, as_of - timedelta(days=(f.period.start - cmp.start).days))
