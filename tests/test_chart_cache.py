"""Charts are built once per distinct data: a rerun with the same frame reuses the built chart, and
any change of a number, a label or the language draws a new one (never a stale chart)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from fullfunnel import charts, ui


class Target:
    """What a page passes as the place to draw (st or a column): records the spec it is given."""

    def __init__(self):
        self.specs = []

    def vega_lite_chart(self, spec, **kwargs):
        self.specs.append((spec, kwargs))
        return "drawn"


@pytest.fixture
def calls(monkeypatch):
    monkeypatch.setattr(ui, "_SPECS", type(ui._SPECS)())
    n = []
    real = charts.time_series

    def counted(*args, **kwargs):
        n.append(1)
        return real(*args, **kwargs)

    counted.__module__, counted.__qualname__ = real.__module__, real.__qualname__
    return n, counted


def _trend(leads=(3, 5)) -> pd.DataFrame:
    return pd.DataFrame({"bucket": [date(2026, 11, 2), date(2026, 11, 9)], "leads": list(leads)})


def _datasets(spec) -> list[bytes]:
    return sorted(spec["datasets"].values())


def test_the_same_frame_draws_the_same_chart_without_building_it_again(calls):
    n, build = calls
    target = Target()
    args = ({"leads": "Leads"}, "en", "week", date(2026, 11, 30))
    for _ in range(3):
        assert ui.chart(target, build, _trend(), *args) == "drawn"
    assert len(n) == 1
    # what is drawn is what Streamlit's own st.altair_chart would send for the chart
    want = _convert_altair_to_vega_lite_spec(charts.time_series(_trend(), *args))
    for spec, kwargs in target.specs:
        assert spec == want
        assert kwargs["width"] == "stretch"
    # the page may change what it was given; the kept chart stays as built
    target.specs[0][0]["datasets"].clear()
    ui.chart(target, build, _trend(), *args)
    assert target.specs[-1][0] == want
    # an import (ui.clear_cache) forgets the built charts with the results: the next run builds anew
    ui.clear_cache()
    ui.chart(target, build, _trend(), *args)
    assert len(n) == 2 and target.specs[-1][0] == want


def test_a_changed_number_label_or_type_draws_a_new_chart(calls):
    n, build = calls
    target = Target()
    args = ("en", "week", date(2026, 11, 30))
    ui.chart(target, build, _trend((3, 5)), {"leads": "Leads"}, *args)
    ui.chart(target, build, _trend((3, 6)), {"leads": "Leads"}, *args)       # one number changed
    ui.chart(target, build, _trend((3, 5)), {"leads": "Лиды"}, *args)        # another label
    ui.chart(target, build, _trend((3.0, 5.0)), {"leads": "Leads"}, *args)   # the same numbers as floats
    assert len(n) == 4
    first, changed = target.specs[0][0], target.specs[1][0]
    assert _datasets(first) != _datasets(changed)
    assert _datasets(changed) == _datasets(_convert_altair_to_vega_lite_spec(
        charts.time_series(_trend((3, 6)), {"leads": "Leads"}, *args)))


def test_a_builder_that_returns_more_than_the_chart_gives_it_back(monkeypatch):
    from fullfunnel.charts import funnel as fchart

    monkeypatch.setattr(ui, "_SPECS", type(ui._SPECS)())
    table = pd.DataFrame({"step": ["leads", "won"], "count": [1_000_000, 3], "side": ["marketing", "sales"],
                          "step_conversion_pct": [None, 0.0003], "overall_conversion_pct": [100.0, 0.0003],
                          "drop_off": [None, 999_997], "previous_count": [None, None], "change_pct": [None, None]})
    for _ in range(2):
        out, log = ui.chart(Target(), fchart.funnel, table, {}, "en")
        assert out == "drawn"
        assert log is fchart.funnel(table, {}, "en")[1] is True   # a million to three: log widths, said so
    assert len(ui._SPECS) == 1


def test_the_tests_check_every_chart_against_the_vega_lite_schema():
    assert ui.VALIDATE_CHARTS   # tests/conftest.py: a malformed chart fails a page test


def test_query_results_are_kept_per_file_version_and_each_caller_gets_its_own_copy(tmp_path, monkeypatch):
    from tests.conftest import make_tiny_db

    from fullfunnel import db
    from fullfunnel.importing import import_bytes

    path = make_tiny_db(tmp_path / "tiny.duckdb")
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    ui.clear_cache()
    asked = []
    query = db.Reader.query
    monkeypatch.setattr(db.Reader, "query", lambda self, name, params=None: asked.append(name) or query(self, name, params))
    sql = "select count(*) as n from leads where list_contains($channels::varchar[], channel)"
    text = db.query_text
    monkeypatch.setattr(db, "query_text", lambda name: sql if name == "leads_n" else text(name))
    first = ui.run("leads_n", {"channels": ["seo"]})
    assert first["n"].tolist() == [3]          # L5, L6 and L8 of the tiny database
    first.loc[0, "n"] = 999                    # a page changing its frame changes nobody else's
    assert ui.run("leads_n", {"channels": ["seo"]})["n"].tolist() == [3]
    assert asked == ["leads_n"]                # asked once, then kept
    import_bytes(b"lead_id,created_at,channel\nL90,2026-11-02 10:00:00+03,seo\n", "leads.csv", db_file=path)
    assert ui.run("leads_n", {"channels": ["seo"]})["n"].tolist() == [4]   # an import is seen at once
    assert asked == ["leads_n", "leads_n"]


def _two_layers():
    frame = pd.DataFrame({"channel": ["seo", "vk_ads"], "leads": [12, 5]})
    bars = charts.alt.Chart(frame).mark_bar().encode(x="leads:Q", y="channel:N", color=charts.alt.value("#2563eb"))
    text = charts.alt.Chart(frame).mark_text(dx=4).encode(x="leads:Q", y="channel:N", text="leads:Q")
    return bars, text


def test_charts_layer_and_props_give_the_spec_altair_gives():
    """The shared frame given once on the layer and the height set in place: the same Vega-Lite."""
    ours = charts.props(charts.layer(*_two_layers()), height=charts.alt.Step(30), title="Leads").to_dict()
    altairs = charts.alt.layer(*_two_layers()).properties(height=charts.alt.Step(30), title="Leads").to_dict()
    assert ours == altairs
    assert list(ours["datasets"].values()) == [[{"channel": "seo", "leads": 12}, {"channel": "vk_ads", "leads": 5}]]


def test_one_converter_per_schema_builds_what_altairs_own_from_dict_builds(monkeypatch):
    """Shorthand strings and a condition in .encode() go through from_dict: the chart is the same with
    Altair's own (a converter per call) as with the one kept per schema family."""
    def build():
        bars, text = _two_layers()
        return charts.layer(bars.encode(opacity=charts.alt.condition("datum.leads > 10", charts.alt.value(1.0),
                                                                     charts.alt.value(0.4)), x2="leads:Q"), text)
    ours = build().to_dict()
    monkeypatch.setattr(charts.schemapi.SchemaBase, "from_dict", charts.ALTAIR_FROM_DICT)
    assert build().to_dict() == ours
    assert ours["layer"][0]["encoding"]["opacity"] == {"condition": {"test": "datum.leads > 10", "value": 1.0},
                                                       "value": 0.4}
