"""Cohorts compared at the same age (fullfunnel/reports/cohorts.py) on a tiny hand-made database.

Period 2026-11-11 … 11-20 (10 days, UTC) against the previous 10 days 11-01 … 11-10. Spend
yandex_direct 1000 on 11-01 and 1000 on 11-11. No pipeline stages: the deal rows are "deals" and "won".
The last day the data knows is 11-22 (C3 won), so this period's leads are followed up to 11-22 and
the previous period's up to 11-22 − 10 days = 11-12.
  previous: P1 lead 11-02 → deal 11-02, won 11-05, 1000 (counted);
            P2 lead 11-08 → deal 11-09, won 11-12, 2000 (counted: on the cut-off day);
            P3 lead 11-03 → deal 11-04, won 11-20, 4000 (not counted: won 17 days after its lead,
            later than any lead of this period could have been followed).
  current:  C1 lead 11-12 → won 11-15, 1500; C2 lead 11-19 → deal open; C3 lead 11-14 → won 11-22, 500.
Cohort revenue: current 2000; previous at the same age 3000 (−33.3 %), not 7000 (−71.4 %).
Funnel, cohort: deals 3 vs 3, won 2 vs 2 (P1, P2; P3 not yet won at that age).
Cash: previous-period won deals closed 11-01 … 11-10 = P1 only (no cut-off in the cash view).
"""
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import cohorts, get
from fullfunnel.reports import roi as R

ROOT = Path(__file__).resolve().parent.parent
PERIOD = Period(date(2026, 11, 11), date(2026, 11, 20))

SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into spend (date, channel, campaign, spend, impressions, clicks, currency) values
    ('2026-11-01', 'yandex_direct', 'brand', 1000, 1000, 100, 'RUB'),
    ('2026-11-11', 'yandex_direct', 'brand', 1000, 1000, 100, 'RUB');
insert into leads (lead_id, created_at, channel, campaign) values
    ('P1', '2026-11-02 10:00:00+00', 'yandex_direct', 'brand'),
    ('P2', '2026-11-08 10:00:00+00', 'yandex_direct', 'brand'),
    ('P3', '2026-11-03 10:00:00+00', 'yandex_direct', 'brand'),
    ('C1', '2026-11-12 10:00:00+00', 'yandex_direct', 'brand'),
    ('C2', '2026-11-19 10:00:00+00', 'yandex_direct', 'brand'),
    ('C3', '2026-11-14 10:00:00+00', 'yandex_direct', 'brand');
insert into deals (deal_id, created_at, stage, status, lead_id, closed_at, amount, currency) values
    ('DP1', '2026-11-02 12:00:00+00', 'Won', 'won', 'P1', '2026-11-05 12:00:00+00', 1000, 'RUB'),
    ('DP2', '2026-11-09 12:00:00+00', 'Won', 'won', 'P2', '2026-11-12 12:00:00+00', 2000, 'RUB'),
    ('DP3', '2026-11-04 12:00:00+00', 'Won', 'won', 'P3', '2026-11-20 12:00:00+00', 4000, 'RUB'),
    ('DC1', '2026-11-12 12:00:00+00', 'Won', 'won', 'C1', '2026-11-15 12:00:00+00', 1500, 'RUB'),
    ('DC2', '2026-11-19 12:00:00+00', 'New', 'open', 'C2', null, 800, 'RUB'),
    ('DC3', '2026-11-14 12:00:00+00', 'Won', 'won', 'C3', '2026-11-22 12:00:00+00', 500, 'RUB');
"""


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    p = tmp_path_factory.mktemp("cohort_age") / "age.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute(SQL)
    return p


@pytest.fixture(scope="module")
def run(path):
    return db.Reader(path).query


@pytest.fixture
def f() -> Filters:
    return Filters(period=PERIOD, compare="previous", tz="UTC", currency="RUB", data_start=date(2026, 11, 1))


def test_the_comparison_cohort_is_cut_at_the_same_age(run, f):
    age = cohorts.same_age(run, f, today=date(2026, 12, 2))
    assert (age.as_of, age.cutoff) == (date(2026, 11, 22), date(2026, 11, 12))
    # data that runs past today is followed only up to today
    early = cohorts.same_age(run, f, today=date(2026, 11, 20))
    assert (early.as_of, early.cutoff) == (date(2026, 11, 20), date(2026, 11, 10))
    assert cohorts.same_age(run, Filters(period=PERIOD, compare="none", tz="UTC")) is None


def test_the_last_day_is_the_business_day_of_the_newest_row_in_the_zone_asked(run):
    """DC3 closed 11-22 12:00 UTC, the newest moment of the data: 11-23 02:00 at UTC+14 (Kiritimati),
    11-22 01:00 at UTC−11 (Pago Pago); the newest lead (11-19 10:00) is 11-20 at UTC+14, earlier still."""
    def last(tz):
        return run("meta/as_of", {"tz": tz})["last_day"].iloc[0].date()

    assert last("UTC") == date(2026, 11, 22)
    assert last("Pacific/Kiritimati") == date(2026, 11, 23)
    assert last("Pacific/Pago_Pago") == date(2026, 11, 22)


def test_roi_revenue_of_the_comparison_cohort_at_the_same_age(run, f):
    prev = f.shifted(f.comparison_period)
    total = lambda df: df[df["channel"] == R.TOTAL].iloc[0]  # noqa: E731
    assert total(R.roi(run, f))["revenue"] == 2000                                       # C1 + C3
    assert total(R.roi(run, prev, won_by=date(2026, 11, 12)))["revenue"] == 3000         # P1 + P2
    assert total(R.roi(run, prev))["revenue"] == 7000                                    # P3 too
    assert total(R.roi(run, prev, view="cash"))["revenue"] == 1000                       # P1 closed in it


def test_funnel_cohort_previous_counts_are_at_the_same_age(run, f):
    df = get("funnel").func(run, f).set_index("step")
    assert (df.loc["deals", "count"], df.loc["deals", "previous_count"]) == (3, 3)
    assert (df.loc["won", "count"], df.loc["won", "previous_count"]) == (2, 2)   # P1 P2, not P3 (won 11-20)
    cash = get("funnel").func(run, f, view="cash").set_index("step")
    assert cash.loc["won", "previous_count"] == 1                                # P1 closed 11-05


def _open(monkeypatch, path, page, lang="en", **state) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"period": "custom", "from": PERIOD.start, "to": PERIOD.end, "lang": lang, **state}.items():
        at.session_state[key] = value
    at.switch_page(page)
    return at.run()


def test_roi_page_shows_the_same_age_change_and_says_so(monkeypatch, path):
    at = _open(monkeypatch, path, "pages/roi.py")
    assert not at.exception, at.exception[0].message if at.exception else ""
    captions = " ".join(c.value for c in at.caption)
    assert "compared at the same age" in captions and "up to Nov 12" in captions.replace(",", "")
    revenue = next(m for m in at.metric if m.label == "Revenue")
    assert revenue.delta.startswith("−33.3") or revenue.delta.startswith("-33.3")
    ru = _open(monkeypatch, path, "pages/roi.py", lang="ru")
    assert "в одном возрасте" in " ".join(c.value for c in ru.caption)


def test_funnel_page_says_the_cohorts_are_compared_at_the_same_age(monkeypatch, path):
    at = _open(monkeypatch, path, "pages/funnel.py")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert "counted at the same age" in " ".join(c.value for c in at.caption)
