"""Mapping features real files need: empty-cell defaults, composite keys, micros, a zone, collapsing rows."""
from __future__ import annotations

import json

import pytest

from fullfunnel.importing import ImportRefused, import_bytes, mapping

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")

# a product-level sessions extract: one row per product of a session, totals repeated on every row
EXTRACT = ("fullVisitorId,visitId,visitStartTime,date,pageviews,timeOnSite,revenue,product\n"
           "111,1,1717236000,20240601,3,60,12500000,Sofa\n"
           "111,1,1717236000,20240601,3,60,12500000,Chair\n"
           "222,1,1717239600,20240601,1,,,\n"
           "111,2,1717322400,20240602,2,30,,\n").encode()

SESSIONS = {
    "kind": "sessions",
    "columns": {
        "session_id": {"join": ["fullVisitorId", "visitId"], "sep": "-"},
        "visitor_id": "fullVisitorId",
        "started_at": "visitStartTime",
        "pageviews": "pageviews",
        "duration_s": {"from": "timeOnSite", "default": 0},
        "converted": {"from": "revenue", "values": {"*": "1"}, "default": "0"},
    },
    "collapse": True,
}


def test_a_product_level_extract_becomes_one_row_per_session(dbf):
    res = import_bytes(EXTRACT, "extract.csv", db_file=dbf, mapping=mapping.parse_mapping(SESSIONS))
    assert (res.added, res.rejected, res.kinds[0].collapsed) == (3, 0, 1)
    assert q(dbf, "select session_id, visitor_id, pageviews, duration_s, converted, "
                  "timezone('UTC', started_at)::varchar from sessions order by 1") == [
        ("111-1", "111", 3, 60, True, "2024-06-01 10:00:00"),    # Unix seconds are an instant (UTC)
        ("111-2", "111", 2, 30, False, "2024-06-02 10:00:00"),
        ("222-1", "222", 1, 0, False, "2024-06-01 11:00:00"),    # no time on site: the default 0
    ]


def test_collapse_can_add_up_a_column(dbf):
    conf = {**SESSIONS, "collapse": {"pageviews": "sum"}}
    import_bytes(EXTRACT, "extract.csv", db_file=dbf, mapping=mapping.parse_mapping(conf))
    assert q(dbf, "select pageviews from sessions where session_id = '111-1'") == [(6,)]


def test_money_in_micros_and_a_time_zone_for_naive_timestamps(dbf):
    conf = {"title": "orders", "kind": "orders", "timezone": "America/Los_Angeles",
            "columns": {"order_id": {"join": ["fullVisitorId", "visitId"]}, "ordered_at": "stamp",
                        "client_id": "fullVisitorId", "product": "product",
                        "revenue": {"from": "revenue", "unit": "micros"}}}
    text = "fullVisitorId,visitId,stamp,product,revenue\n111,1,2024-06-01 10:00,Sofa,12500000\n"
    import_bytes(text.encode(), "o.csv", db_file=dbf, mapping=mapping.parse_mapping(conf))
    assert q(dbf, "select order_id, revenue::double, timezone('UTC', ordered_at)::varchar from orders") == [
        ("111-1", 12.5, "2024-06-01 17:00:00")]   # 10:00 in Los Angeles (UTC−7 in June)


@pytest.mark.parametrize("conf, words", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"collapse": {"pageviews": "median"}}, "collapse"),
    ({"columns": {**SESSIONS["columns"], "session_id": {"join": "visitId"}}}, "join"),
    ({"columns": {**SESSIONS["columns"], "pageviews": {"from": "pageviews", "unit": "kopecks"}}}, "unit"),
])
def test_bad_mapping_keys_are_refused_with_a_sentence(conf, words):
    with pytest.raises(ImportRefused, match=words):
        mapping.loads(json.dumps({**SESSIONS, **conf}))
