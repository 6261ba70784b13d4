"""The overview report on the tiny fixture (totals worked out in conftest.py's docstring)."""
import json
from dataclasses import replace

import pandas as pd
import pytest

from fullfunnel import cli
from fullfunnel.reports import get, growth_pct


def as_dict(df: pd.DataFrame, col: str) -> dict:
    return dict(zip(df["metric"], df[col]))


def test_headline_values_match_the_hand_counted_week(tiny_run, week):
    df = get("overview").func(tiny_run, week)
    assert list(df.columns) == ["metric", "value", "previous", "change_pct"]
    v = as_dict(df, "value")
    assert v == {"spend": 4000, "sessions": 3, "leads": 5, "target_leads": 3, "won_deals": 3,
                 "revenue": 16000, "romi_pct": 300, "target_cpl": pytest.approx(4000 / 3)}
    p = as_dict(df, "previous")
    assert p == {"spend": 1500, "sessions": 1, "leads": 2, "target_leads": 2, "won_deals": 1,
                 "revenue": 3000, "romi_pct": 100, "target_cpl": 750}


def test_change_is_growth_over_the_previous_period(tiny_run, week):
    c = as_dict(get("overview").func(tiny_run, week), "change_pct")
    assert c["leads"] == pytest.approx(150.0)          # (5 − 2) / 2
    assert c["target_leads"] == pytest.approx(50.0)    # (3 − 2) / 2
    assert c["spend"] == pytest.approx(2500 / 1500 * 100)
    assert c["revenue"] == pytest.approx(13000 / 3000 * 100)
    assert c["romi_pct"] == pytest.approx(200.0)       # (300 − 100) / 100
    assert c["target_cpl"] == pytest.approx((4000 / 3 - 750) / 750 * 100)


def test_channel_filter_narrows_every_number(tiny_run, week):
    f = replace(week, channels=("yandex_direct",))
    v = as_dict(get("overview").func(tiny_run, f), "value")
    assert v["spend"] == 3000 and v["leads"] == 3 and v["target_leads"] == 2
    assert v["won_deals"] == 2 and v["revenue"] == 16000
    assert v["romi_pct"] == pytest.approx((16000 - 3000) / 3000 * 100)


def test_other_currency_is_reported_on_its_own(tiny_run, week):
    v = as_dict(get("overview").func(tiny_run, replace(week, currency="USD")), "value")
    assert v["spend"] == 50 and v["revenue"] == 2000


def test_no_comparison_leaves_previous_empty(tiny_run, week):
    df = get("overview").func(tiny_run, replace(week, compare="none"))
    assert df["previous"].isna().all() and df["change_pct"].isna().all()


def test_growth_from_zero_is_a_dash_not_infinity():
    assert growth_pct(5, 0) is None
    assert growth_pct(0, 4) == -100.0
    assert growth_pct(-20, -50) == pytest.approx(60.0)  # ROMI −50 % → −20 % is an improvement


def test_never_imported_kinds_are_empty_not_zero(tmp_path, week):
    from fullfunnel import db

    path = tmp_path / "empty.duckdb"
    db.create_empty(path)
    df = get("overview").func(db.Reader(path).query, week)
    assert df["value"].isna().all()


def test_trend_has_every_week_bucket(tiny_run, week):
    df = get("trend").func(tiny_run, replace(week, grain="week"))
    # 2026-11-01 is a Sunday: it belongs to the ISO week starting Monday 2026-10-26.
    assert [d.isoformat() for d in pd.to_datetime(df["bucket"]).dt.date] == ["2026-10-26", "2026-11-02"]
    assert df["leads"].tolist() == [1, 4]
    assert df["spend"].tolist() == [1000, 3000]
    assert df["revenue"].sum() == 16000


def test_cli_prints_the_same_table(tiny_db, capsys):
    rc = cli.main(["report", "overview", "--db", str(tiny_db), "--from", "2026-11-01", "--to", "2026-11-07",
                   "--format", "json"])
    assert rc == 0
    rows = {r["metric"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["revenue"]["value"] == 16000 and rows["revenue"]["previous"] == 3000
    assert rows["romi_pct"]["change_pct"] == pytest.approx(200.0)


def test_cli_csv_with_channel_and_year_ago(tiny_db, capsys):
    rc = cli.main(["report", "overview", "--db", str(tiny_db), "--from", "2026-11-01", "--to", "2026-11-07",
                   "--channel", "vk_ads", "--compare", "year_ago"])
    assert rc == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "metric,value,previous,change_pct"
    spend = next(line for line in out if line.startswith("spend,"))
    # a year ago is before the first import: no previous value and no change, not "0" and "—"
    assert spend.split(",")[1:] == ["1000.0", "", ""]


def test_cli_bad_date_is_one_sentence(tiny_db, capsys):
    rc = cli.main(["report", "overview", "--db", str(tiny_db), "--from", "01.11.2026"])
    assert rc == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "not a date" in err and "\n" not in err
