"""Chart axes a projector audience reads at a glance: week and month bars as wide as their bucket,
one label per bucket, whole-number count axes, and money far apart on two abbreviated axes."""
from datetime import date

import pandas as pd

from fullfunnel import charts
from fullfunnel.charts import channels as cc

TODAY = date(2026, 12, 2)


def layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", [spec]):
        out.extend(layers(layer) if "layer" in layer else [layer])
    return out


def test_month_bars_span_their_month_and_every_month_is_labelled_once():
    df = pd.DataFrame({"bucket": ["2026-02-01", "2026-03-01", "2026-03-01"], "channel": ["seo", "seo", "vk_ads"],
                       "leads": [3, 4, 5]})
    spec = cc.leads_over_time(df, "en", "month", TODAY).to_dict()
    bars = next(x for x in layers(spec) if x["mark"]["type"] == "bar")
    assert bars["encoding"]["x2"]["field"] == "bucket_end"
    ticks = bars["encoding"]["x"]["axis"]["values"]
    assert [(v["year"], v["month"], v["date"]) for v in ticks] == [(2026, 2, 1), (2026, 3, 1)]
    ends = charts.bucket_ends(pd.to_datetime(pd.Series(["2026-02-01", "2026-03-01"])), "month")
    assert [d.date() for d in ends] == [date(2026, 3, 1), date(2026, 4, 1)]
    weeks = charts.bucket_ends(pd.to_datetime(pd.Series(["2026-11-23"])), "week")
    assert [d.date() for d in weeks] == [date(2026, 11, 30)]


def test_an_all_zero_count_series_has_a_whole_number_axis():
    df = pd.DataFrame({"bucket": pd.to_datetime(["2026-11-01", "2026-11-02"]), "leads": [0, 0]})
    line = layers(charts.time_series(df, {"leads": "Leads"}, "en", "day", TODAY).to_dict())[-1]
    axis = line["encoding"]["y"]["axis"]
    assert axis["format"] == ",.0f" and axis["tickMinStep"] == 1


def test_spend_next_to_a_twenty_times_larger_revenue_gets_its_own_abbreviated_axis():
    df = pd.DataFrame({"bucket": pd.to_datetime(["2026-10-01", "2026-11-01"]),
                       "spend": [1_000_000, 1_000_000], "revenue": [20_000_000, 20_000_000]})
    spec = charts.time_series(df, {"spend": "Spend", "revenue": "Revenue"}, "en", "month", TODAY,
                              money=True).to_dict()
    lines = [x for x in layers(spec) if x["mark"]["type"] == "line"]
    assert [x["encoding"]["y"]["axis"]["orient"] for x in lines] == ["left", "right"]
    assert all("1e6" in x["encoding"]["y"]["axis"]["labelExpr"] for x in lines)  # 20M, not 20,000,000
    assert '"independent"' in str(spec).replace("'", '"')
    # close values share one axis
    close = df.assign(revenue=[2_000_000, 2_000_000])
    one = [x for x in layers(charts.time_series(close, {"spend": "Spend", "revenue": "Revenue"}, "en", "month",
                                                 TODAY, money=True).to_dict()) if x["mark"]["type"] == "line"]
    assert len(one) == 1
