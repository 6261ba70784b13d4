"""The ROI page under AppTest on the hand-made ROI database (numbers worked out in test_roi.py),
and the table shaping and downloads it uses."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import db
from fullfunnel.reports import get
from fullfunnel.reports import roi as R
from test_roi import NOV, ROI_SQL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def roi_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("roi_page") / "roi.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(ROI_SQL)
    return path


def open_roi(monkeypatch, path, **widgets) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["period"] = "custom"
    at.session_state["from"] = date(2026, 11, 1)
    at.session_state["to"] = date(2026, 11, 30)
    for key, value in widgets.items():
        at.session_state[key] = value
    at.switch_page("pages/roi.py")
    return at.run()


def test_page_shows_totals_model_and_table(monkeypatch, roi_db):
    at = open_roi(monkeypatch, roi_db)
    assert not at.exception, at.exception[0].message if at.exception else ""
    m = {x.label: x.value for x in at.metric}
    assert m["Spend"] == "₽6,000" and m["Revenue"] == "₽32,000"
    assert m["ROMI"] == "433.3%" and m["Gross profit"] == "₽17,500"
    assert any("last non-direct touch" in i.value for i in at.info)
    table = at.dataframe[0].value
    names = table.iloc[:, 0].tolist()
    assert names[-1] == "Total" and {"yandex_direct", "vk_ads", "direct", "unknown"} <= set(names)
    # the shown revenue column adds up to the total row
    rev = table["Revenue"]
    assert rev.iloc[:-1].sum() == pytest.approx(rev.iloc[-1]) == 32000
    assert any("unknown channel" in c.value for c in at.caption)


def test_page_linear_with_campaigns_in_russian(monkeypatch, roi_db):
    at = open_roi(monkeypatch, roi_db, model="linear", campaigns=True, lang="ru")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert any("линейная" in i.value for i in at.info)
    table = at.dataframe[0].value
    names = table.iloc[:, 0].tolist()
    i = names.index("yandex_direct")
    assert names[i + 1].strip().startswith("↳")
    rev = dict(zip(names, table["Выручка"]))
    assert rev["yandex_direct"] == pytest.approx(8500)
    assert rev["Итого"] == pytest.approx(32000)
    m = {x.label: x.value for x in at.metric}
    assert m["Выручка"] == "32\xa0000\xa0₽"


def test_page_on_a_database_without_money(monkeypatch, tmp_path):
    path = tmp_path / "leads_only.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("insert into leads (lead_id, created_at, channel) values ('L1', '2026-11-02 10:00:00+00', 'seo')")
    at = open_roi(monkeypatch, path)
    assert not at.exception, at.exception[0].message if at.exception else ""
    text = " ".join(i.value for i in at.info)
    assert "No ad spend imported" in text and "No deals imported" in text


# ---------------------------------------------------------------- nested table and downloads


@pytest.fixture(scope="module")
def tables(roi_db):
    from fullfunnel.filters import Filters

    run = db.Reader(roi_db).query
    f = Filters(period=NOV, tz="UTC", currency="RUB")
    return get("roi").func(run, f), get("roi").func(run, f, by="campaign")


def test_nested_puts_campaigns_under_their_channel(tables):
    ch, camp = tables
    out = R.nested(ch, camp)
    assert out["level"].tolist()[-1] == 2 and out["channel"].iloc[-1] == "total"
    y = out.index[(out["channel"] == "yandex_direct") & (out["level"] == 0)][0]
    assert out.loc[y + 1, "level"] == 1 and out.loc[y + 1, "channel"] == "yandex_direct"
    assert set(out[(out["channel"] == "yandex_direct") & (out["level"] == 1)]["campaign"]) == {"brand", "generic"}
    # without campaigns: channel rows then the total, unchanged
    assert R.nested(ch)["channel"].tolist() == ch["channel"].tolist()


def test_downloads_hold_the_shown_table(tables):
    table = R.nested(*tables)[["channel", "campaign", "spend", "revenue"]]
    csv = R.export(table, "csv")
    assert csv.startswith("\ufeff".encode()) and csv.decode("utf-8-sig").splitlines()[0] == "channel,campaign,spend,revenue"
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == len(table) and back["revenue"].iloc[-1] == 32000
    wb = openpyxl.load_workbook(io.BytesIO(R.export(table, "xlsx")))
    ws = wb["ROI"]
    assert [c.value for c in ws[1]] == ["channel", "campaign", "spend", "revenue"]
    assert ws.max_row == len(table) + 1 and ws.cell(row=ws.max_row, column=4).value == 32000


def test_charts_build_from_the_reports(roi_db):
    from fullfunnel.charts import roi as C
    from fullfunnel.filters import Filters

    run = db.Reader(roi_db).query
    f = Filters(period=NOV, grain="week", tz="UTC", currency="RUB")
    labels = {"spend": "Spend", "revenue": "Revenue", "romi": "ROMI", "channel": "Channel", "total": "Total",
              "no_spend": "no spend", "title": "t", "title_time": "t2"}
    body = get("roi").func(run, f).query("channel != 'total'")
    spec = C.spend_vs_revenue(body, labels, "en", "RUB").to_dict()
    bars = pd.DataFrame(next(iter(spec["datasets"].values())))
    # one spend and one revenue bar per channel with money: vk_ads has spend only, email none
    assert set(bars["channel"]) == {"yandex_direct", "vk_ads", "direct", "seo", "unknown"}
    trend = get("roi_trend").func(run, f)
    spec = C.romi_over_time(trend, labels, "ru", "week", date(2026, 12, 1), NOV).to_dict()
    assert spec["layer"]


def test_cohort_view_compares_at_the_same_age_and_says_so(monkeypatch, roi_db):
    # November against the 30 days before: the older cohort is counted at the age November's has
    cohort = open_roi(monkeypatch, roi_db, view="cohort")
    assert not cohort.exception, cohort.exception[0].message if cohort.exception else ""
    assert any("change" in c for c in cohort.dataframe[0].value.columns)
    assert any("compared at the same age" in c.value for c in cohort.caption)
    cash = open_roi(monkeypatch, roi_db, view="cash")
    assert any("change" in c for c in cash.dataframe[0].value.columns)
    assert not any("compared at the same age" in c.value for c in cash.caption)
