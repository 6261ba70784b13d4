"""Overview: the headline numbers of the period and their trend (cash view)."""
from __future__ import annotations

import pandas as pd

from fullfunnel.filters import Filters, Run
from fullfunnel.reports import growth_pct, report

# metric → unit, for the display layer
UNITS = {
    "spend": "money", "sessions": "count", "leads": "count", "target_leads": "count",
    "won_deals": "count", "revenue": "money", "romi_pct": "pct", "target_cpl": "money",
}


@report("overview", "headline numbers for the period: metric, value, previous, change_pct")
def overview(run: Run, f: Filters) -> pd.DataFrame:
    """One row per headline metric: its value, the comparison period's value and the growth in %."""
    cur = run("overview/headline", f.params())
    cmp = f.comparison_period
    prev = run("overview/headline", f.shifted(cmp).params()) if cmp else None
    out = pd.DataFrame({"metric": cur["metric"], "value": cur["value"]})
    out["previous"] = prev["value"].to_numpy() if prev is not None else float("nan")
    out["change_pct"] = [growth_pct(c, p) for c, p in zip(out["value"], out["previous"])]
    out["change_pct"] = out["change_pct"].astype("float64")
    return out.reset_index(drop=True)


@report("trend", "headline numbers per bucket of the chosen grain: bucket, spend, leads, target_leads, won_deals, revenue")
def trend(run: Run, f: Filters) -> pd.DataFrame:
    """One row per bucket (day / ISO week / month) of the period, zeros where nothing happened."""
    return run("overview/trend", f.params())
