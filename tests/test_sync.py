"""`sync`: Yandex Direct, Yandex Metrica, amoCRM and Bitrix24 against local fakes of their APIs.

Each fake (pytest-httpserver) behaves as the API's documentation says (see the docstrings of
fullfunnel/sync/*.py): Direct's offline flow (201, 202 with retryIn, then 200), Metrica's log
request → status → parts → clean, amoCRM's pages and 429, Bitrix24's `next` and
QUERY_LIMIT_EXCEEDED. The rows are checked against what the fake served, and the same rows
through the file importer must give the same database. No test sleeps: waits are recorded.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest
from werkzeug import Response

from fullfunnel import cli, sync
from fullfunnel.importing import load

TZ = "Europe/Moscow"


@pytest.fixture(autouse=True)
def _zone(monkeypatch):
    monkeypatch.setenv("FULLFUNNEL_TZ", TZ)
    monkeypatch.setenv("FULLFUNNEL_SECRETS", "/nonexistent/secrets.toml")


def rows(db_file, sql):
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def table(db_file, name, order):
    """A table's rows without the import that brought them (two databases are compared by content)."""
    return rows(db_file, f"select columns(* exclude (import_id))::varchar from {name} order by {order}")


def imports(db_file):
    return rows(db_file, "select import_id, format, undone_at is not null from import_log order by import_id")


# ---------------------------------------------------------------- Yandex Direct

DIRECT_HEAD = "Date\tCampaignName\tImpressions\tClicks\tCost"


def direct_tsv(data, title=True, total=True):
    body = []
    if title:
        body.append('"fullfunnel report (2026-11-01 - 2026-11-03)"')
    body.append(DIRECT_HEAD)
    body += ["\t".join(str(x) for x in r) for r in data]
    if total:
        body.append(f"Total rows: {len(data)}")
    return "\n".join(body) + "\n"


class FakeDirect:
    """Reports API v5: the first request is queued (201), the next is being built (202), then 200."""

    def __init__(self, data, token="GOOD", offline=True):
        self.data, self.token, self.offline = data, token, offline
        self.calls = []

    def __call__(self, request):
        body = json.loads(request.data)
        self.calls.append((dict(request.headers), body))
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response(json.dumps({"error": {"request_id": "1", "error_code": 53,
                                                  "error_string": "Authorization error",
                                                  "error_detail": "Invalid OAuth token"}}), status=400,
                            content_type="application/json")
        if self.offline and len(self.calls) == 1:
            return Response("", status=201, headers={"retryIn": "3", "reportsInQueue": "1"})
        if self.offline and len(self.calls) == 2:
            return Response("", status=202, headers={"retryIn": "7", "reportsInQueue": "1"})
        crit = body["params"]["SelectionCriteria"]
        served = [r for r in self.data if crit["DateFrom"] <= r[0] <= crit["DateTo"]]
        return Response(direct_tsv(served), status=200, content_type="text/tab-separated-values")


DIRECT_DATA = [  # date, campaign, impressions, clicks, cost in micros
    ("2026-11-01", "brand", 1000, 50, 1234560000),
    ("2026-11-01", "generic", 400, 10, 500000000),
    ("2026-11-02", "brand", 900, 45, 1100000000),
    ("2026-11-03", "brand", 800, 40, 990500000),
]


def test_direct_offline_report_lands_as_one_undoable_import(httpserver, tmp_path):
    fake = FakeDirect(DIRECT_DATA)
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(fake)
    waits = []
    db_file = tmp_path / "ff.duckdb"
    res = sync.run("yandex_direct", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3),
                   token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=waits.append)
    assert waits == [3, 7]     # the retryIn of the 201 and of the 202
    assert len(fake.calls) == 3
    # the same parameters each time, as the docs ask, and the headers that shape the report
    assert fake.calls[0][1] == fake.calls[2][1]
    params = fake.calls[0][1]["params"]
    assert params["FieldNames"] == ["Date", "CampaignName", "Impressions", "Clicks", "Cost"]
    assert params["SelectionCriteria"] == {"DateFrom": "2026-11-01", "DateTo": "2026-11-03"}
    assert params["ReportType"] == "CAMPAIGN_PERFORMANCE_REPORT" and params["ReportName"]
    assert fake.calls[0][0].get("Skipreportheader") == "true"
    # micros became money: 1 234 560 000 → 1234.56
    assert rows(db_file, "select date, channel, campaign, spend::double, impressions, clicks, currency "
                         "from spend order by date, campaign") == [
        (date(2026, 11, 1), "yandex_direct", "brand", 1234.56, 1000, 50, None),
        (date(2026, 11, 1), "yandex_direct", "generic", 500.0, 400, 10, None),
        (date(2026, 11, 2), "yandex_direct", "brand", 1100.0, 900, 45, None),
        (date(2026, 11, 3), "yandex_direct", "brand", 990.5, 800, 40, None),
    ]
    assert imports(db_file) == [(res.result.import_id, "sync_yandex_direct", False)]
    assert res.rows == 4 and [(k.kind, k.added) for k in res.result.kinds] == [("spend", 4)]
    # the same report downloaded and imported as a file gives the same rows
    f = tmp_path / "Campaign report.tsv"
    f.write_text(direct_tsv(DIRECT_DATA), encoding="utf-8")
    other = tmp_path / "file.duckdb"
    load.import_file(f, db_file=other)
    assert table(other, "spend", "date, campaign") == table(db_file, "spend", "date, campaign")
    load.undo(res.result.import_id, db_file)
    assert rows(db_file, "select count(*) from spend") == [(0,)]


def test_direct_repeat_changes_nothing_and_a_revised_day_shows(httpserver, tmp_path):
    data = list(DIRECT_DATA)
    fake = FakeDirect(data, offline=False)
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(fake)
    db_file = tmp_path / "ff.duckdb"
    kw = dict(token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=lambda s: None)
    sync.run("yandex_direct", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3), **kw)
    before = table(db_file, "spend", "date, campaign")
    again = sync.run("yandex_direct", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3), **kw)
    assert table(db_file, "spend", "date, campaign") == before
    assert [(k.added, k.replaced) for k in again.result.kinds] == [(0, 4)]
    # Direct revises 2 November (invalid clicks refunded): the next sync shows the new cost
    data[2] = ("2026-11-02", "brand", 900, 41, 1000000000)
    fake.data = data
    rev = sync.run("yandex_direct", db_file, date_from=date(2026, 11, 2), date_to=date(2026, 11, 3), **kw)
    assert rows(db_file, "select spend::double, clicks from spend where date = '2026-11-02'") == [(1000.0, 41)]
    assert rows(db_file, "select count(*), sum(spend)::double from spend") == [(4, 3725.06)]
    assert [(k.added, k.replaced) for k in rev.result.kinds] == [(0, 2)]
    # the pages see it: `report trend` (what the Overview charts show) has the revised day's spend
    assert trend_spend(db_file) == {"2026-11-01": 1734.56, "2026-11-02": 1000.0, "2026-11-03": 990.5}
    load.undo(rev.result.import_id, db_file)     # undoing the sync brings the earlier cost back
    assert rows(db_file, "select spend::double, clicks from spend where date = '2026-11-02'") == [(1100.0, 45)]
    assert trend_spend(db_file)["2026-11-02"] == 1100.0


def trend_spend(db_file):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["report", "trend", "--db", str(db_file), "--from", "2026-11-01", "--to", "2026-11-03",
                         "--grain", "day", "--format", "json"]) == 0
    return {r["bucket"][:10]: r["spend"] for r in json.loads(out.getvalue())}


def test_direct_renamed_campaign_is_not_counted_twice(httpserver, tmp_path):
    fake = FakeDirect(list(DIRECT_DATA), offline=False)
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(fake)
    db_file = tmp_path / "ff.duckdb"
    kw = dict(token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=lambda s: None)
    sync.run("yandex_direct", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3), **kw)
    # "brand" is renamed in Direct: its past statistics now come under the new name
    fake.data = [(d, "brand 2026" if c == "brand" else c, i, k, m) for d, c, i, k, m in DIRECT_DATA]
    res = sync.run("yandex_direct", db_file, date_from=date(2026, 11, 2), date_to=date(2026, 11, 3), **kw)
    assert rows(db_file, "select date::varchar, campaign, spend::double from spend order by 1, 2") == [
        ("2026-11-01", "brand", 1234.56), ("2026-11-01", "generic", 500.0),     # outside the days asked: kept
        ("2026-11-02", "brand 2026", 1100.0), ("2026-11-03", "brand 2026", 990.5)]
    assert res.result.dropped == {"spend": 2}
    assert "2 row(s) of earlier syncs on these days that the report no longer has were taken out" in res.text()
    load.undo(res.result.import_id, db_file)
    assert rows(db_file, "select date::varchar, campaign from spend order by 1, 2") == [
        ("2026-11-01", "brand"), ("2026-11-01", "generic"), ("2026-11-02", "brand"), ("2026-11-03", "brand")]


def test_direct_incremental_window_starts_a_lookback_before_the_last_sync(httpserver, tmp_path):
    fake = FakeDirect(DIRECT_DATA, offline=False)
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(fake)
    db_file = tmp_path / "ff.duckdb"
    kw = dict(token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=lambda s: None)
    today = datetime.now(ZoneInfo(TZ)).date()
    first = sync.run("yandex_direct", db_file, **kw)
    assert (first.date_from, first.date_to) == (today - timedelta(days=90), today)   # 90 days on a first sync
    last = sync.last_sync("yandex_direct", db_file)
    second = sync.run("yandex_direct", db_file, **kw)
    # the days since the last sync plus the 7-day look-back for revised costs
    assert second.date_from == sync.last_day(last, TZ) - timedelta(days=sync.LOOKBACK_DAYS["yandex_direct"])
    assert fake.calls[-1][1]["params"]["SelectionCriteria"]["DateFrom"] == str(second.date_from)


def test_direct_refused_token_is_a_sentence_and_changes_nothing(httpserver, tmp_path, capsys):
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(FakeDirect(DIRECT_DATA))
    db_file = tmp_path / "ff.duckdb"
    sync.run("yandex_direct", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3), token="GOOD",
             api_url=httpserver.url_for(""), secrets={}, sleep=lambda s: None)
    before = table(db_file, "spend", "date, campaign")
    code = cli.main(["sync", "yandex_direct", "--db", str(db_file), "--token", "EXPIRED",
                     "--api-url", httpserver.url_for(""), "--from", "2026-11-01", "--to", "2026-11-03"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: Reconnect Yandex Direct in Settings: the token was refused")
    assert "Traceback" not in err
    assert table(db_file, "spend", "date, campaign") == before and len(imports(db_file)) == 1


def test_direct_rate_limit_waits_a_bounded_time_then_says_so(httpserver, tmp_path):
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_response(
        Response(json.dumps({"error": {"error_code": 56, "error_string": "Request limit exceeded"}}),
                 status=429, headers={"Retry-After": "60"}, content_type="application/json"))
    waits = []
    with pytest.raises(sync.SyncFailed, match="over its limits.*still after waiting 600 s; nothing was imported"):
        sync.run("yandex_direct", tmp_path / "ff.duckdb", date_from=date(2026, 11, 1), date_to=date(2026, 11, 3),
                 token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=waits.append)
    assert sum(waits) == sync.MAX_WAIT and len(waits) == 10
    assert not (tmp_path / "ff.duckdb").exists() or imports(tmp_path / "ff.duckdb") == []


def test_direct_changed_field_set_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_data(
        "Date\tCampaignName\tImpressions\tClicks\tCostNew\n2026-11-01\tbrand\t1\t1\t1000000\n")
    with pytest.raises(sync.SyncFailed, match="sent other columns than asked for .missing: Cost"):
        sync.run("yandex_direct", tmp_path / "ff.duckdb", date_from=date(2026, 11, 1), date_to=date(2026, 11, 3),
                 token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=lambda s: None)


def test_direct_money_not_in_micros_is_refused_not_guessed(httpserver, tmp_path):
    # a proxy that asked for returnMoneyInMicros: false on its own would make every cost a million times smaller
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_data(
        direct_tsv([("2026-11-01", "brand", 1000, 50, "1234.56")]))
    with pytest.raises(sync.SyncFailed, match="sent the cost '1234.56' on line 3 of the report, not a whole number"):
        sync.run("yandex_direct", tmp_path / "ff.duckdb", date_from=date(2026, 11, 1), date_to=date(2026, 11, 3),
                 token="GOOD", api_url=httpserver.url_for(""), secrets={}, sleep=lambda s: None)


def test_sync_without_credentials_names_the_section(tmp_path, capsys):
    code = cli.main(["sync", "yandex_direct", "--db", str(tmp_path / "ff.duckdb")])
    assert code == 1
    assert "Yandex Direct is not connected: put token" in capsys.readouterr().err
    assert cli.main(["sync", "all", "--db", str(tmp_path / "ff.duckdb")]) == 1
    assert "No source is connected" in capsys.readouterr().err


# ---------------------------------------------------------------- Yandex Metrica

METRICA_FIELDS = ["ym:s:visitID", "ym:s:dateTime", "ym:s:clientID", "ym:s:pageViews", "ym:s:visitDuration",
                  "ym:s:startURL", "ym:s:UTMSource", "ym:s:UTMMedium", "ym:s:UTMCampaign", "ym:s:lastTrafficSource",
                  "ym:s:lastSearchEngineRoot", "ym:s:lastAdvEngine", "ym:s:lastReferalDomain",
                  "ym:s:lastSocialNetwork"]
VISITS = [
    ["101", "2026-11-01 10:00:00", "c1", "3", "120", "https://ex.ru/a", "yandex", "cpc", "brand", "ad", "", "ya_direct", "", ""],
    ["102", "2026-11-01 23:30:00", "c2", "1", "5", "https://ex.ru/", "", "", "", "organic", "yandex", "", "", ""],
    ["103", "2026-11-02 09:15:00", "c1", "5", "300", "https://ex.ru/b", "vk", "social", "", "social", "", "", "", "vk"],
]


def metrica_tsv(visits):
    return "\t".join(METRICA_FIELDS) + "\n" + "".join("\t".join(v) + "\n" for v in visits)


class FakeMetrica:
    """Logs API: created → (one status poll) processed, the visits in two parts, then clean."""

    def __init__(self, httpserver, visits, token="GOOD", counter=777):
        self.visits, self.token, self.log = visits, token, []
        base = f"/management/v1/counter/{counter}"
        httpserver.expect_request(f"{base}/logrequests", method="POST").respond_with_handler(self.create)
        httpserver.expect_request(f"{base}/logrequest/5", method="GET").respond_with_handler(self.status)
        for n in (0, 1):
            httpserver.expect_request(f"{base}/logrequest/5/part/{n}/download").respond_with_handler(
                lambda r, n=n: self.part(r, n))
        httpserver.expect_request(f"{base}/logrequest/5/clean", method="POST").respond_with_handler(self.clean)

    def _auth(self, request):
        if request.headers.get("Authorization") != f"OAuth {self.token}":
            return Response(json.dumps({"errors": [{"error_type": "invalid_token", "message": "Invalid oauth_token"}],
                                        "code": 403, "message": "Invalid oauth_token"}), status=403,
                            content_type="application/json")

    def create(self, request):
        self.log.append(("create", dict(request.args)))
        return self._auth(request) or Response(json.dumps({"log_request": {
            "request_id": 5, "counter_id": 777, "source": "visits", "status": "created"}}),
            content_type="application/json")

    def status(self, request):
        self.log.append(("status", None))
        return self._auth(request) or Response(json.dumps({"log_request": {
            "request_id": 5, "status": "processed", "parts": [{"part_number": 1, "size": 10},
                                                              {"part_number": 0, "size": 10}]}}),
            content_type="application/json")

    def part(self, request, n):
        self.log.append(("part", n))
        half = self.visits[:2] if n == 0 else self.visits[2:]
        return self._auth(request) or Response(metrica_tsv(half), content_type="text/tab-separated-values")

    def clean(self, request):
        self.log.append(("clean", None))
        return Response(json.dumps({"log_request": {"request_id": 5, "status": "cleaned_by_user"}}),
                        content_type="application/json")


def test_metrica_log_request_parts_and_clean(httpserver, tmp_path):
    fake = FakeMetrica(httpserver, VISITS)
    waits = []
    db_file = tmp_path / "ff.duckdb"
    secrets = {"yandex_metrica": {"token": "GOOD", "counter_id": 777, "api_url": httpserver.url_for("")}}
    res = sync.run("yandex_metrica", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 2),
                   secrets=secrets, sleep=waits.append)
    assert [x[0] for x in fake.log] == ["create", "status", "part", "part", "clean"]
    assert [x[1] for x in fake.log if x[0] == "part"] == [0, 1]     # parts in order
    args = fake.log[0][1]
    assert (args["date1"], args["date2"], args["source"]) == ("2026-11-01", "2026-11-02", "visits")
    assert args["fields"].split(",") == METRICA_FIELDS
    assert waits == [10]       # one wait before asking for the status again
    got = rows(db_file, "select session_id, visitor_id, timezone('Europe/Moscow', started_at)::varchar, pageviews, "
                        "duration_s, source, medium, campaign, landing_page from sessions order by session_id")
    assert got == [
        ("101", "c1", "2026-11-01 10:00:00", 3, 120, "yandex", "cpc", "brand", "https://ex.ru/a"),
        ("102", "c2", "2026-11-01 23:30:00", 1, 5, "yandex", "organic", None, "https://ex.ru/"),
        ("103", "c1", "2026-11-02 09:15:00", 5, 300, "vk", "social", None, "https://ex.ru/b"),
    ]
    assert res.rows == 3 and imports(db_file)[0][1] == "sync_yandex_metrica"
    # the same visits downloaded as one Logs API file and imported give the same database
    f = tmp_path / "visits.tsv"
    f.write_text(metrica_tsv(VISITS), encoding="utf-8")
    other = tmp_path / "file.duckdb"
    load.import_file(f, db_file=other)
    assert table(other, "sessions", "session_id") == table(db_file, "sessions", "session_id")
    # a visit that went on after the last sync (Metrica closes visits within days) is replaced, not doubled
    VISITS2 = [v[:] for v in VISITS]
    VISITS2[2][3], VISITS2[2][4] = "7", "420"
    fake.visits = VISITS2
    sync.run("yandex_metrica", db_file, date_from=date(2026, 11, 2), date_to=date(2026, 11, 2), secrets=secrets,
             sleep=waits.append)
    assert rows(db_file, "select count(*), sum(pageviews), sum(duration_s) from sessions") == [(3, 11, 545)]


def test_metrica_expired_token_and_quota(httpserver, tmp_path):
    FakeMetrica(httpserver, VISITS, token="OTHER")
    secrets = {"yandex_metrica": {"token": "OLD", "counter_id": 777, "api_url": httpserver.url_for("")}}
    with pytest.raises(sync.SyncFailed, match="^Reconnect Yandex Metrica in Settings: the token was refused"):
        sync.run("yandex_metrica", tmp_path / "ff.duckdb", date_from=date(2026, 11, 1), date_to=date(2026, 11, 2),
                 secrets=secrets, sleep=lambda s: None)
    httpserver.clear()
    httpserver.expect_request("/management/v1/counter/777/logrequests", method="POST").respond_with_response(
        Response(json.dumps({"errors": [{"error_type": "quota", "message": "Quota exceeded for user_login"}],
                             "code": 429, "message": "Quota exceeded for user_login"}), status=429,
                 content_type="application/json"))
    waits = []
    with pytest.raises(sync.SyncFailed) as e:
        sync.run("yandex_metrica", tmp_path / "ff.duckdb", date_from=date(2026, 11, 1), date_to=date(2026, 11, 2),
                 secrets=secrets, token="OTHER", sleep=waits.append)
    assert str(e.value) == ("Yandex Metrica: Metrica's request quota is exhausted (Quota exceeded for user_login), "
                            "still after waiting 600 s; nothing was imported — run the sync again later.")
    assert "\n" not in str(e.value) and sum(waits) == 600
    assert "квота запросов Метрики исчерпана" in e.value.text("ru")


# ---------------------------------------------------------------- amoCRM


def ts(text):
    """A business-time moment as the Unix time amoCRM sends."""
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(TZ)).timestamp())


def amo_lead(id_, created, price, status, user, utm=None, closed=None, updated=None, loss=None):
    cf = [{"field_id": 900 + i, "field_name": k.lower(), "field_code": k, "field_type": "tracking_data",
           "values": [{"value": v}]} for i, (k, v) in enumerate((utm or {}).items())]
    emb = {"tags": [{"id": 1, "name": "vip"}]}
    if loss:
        emb["loss_reason"] = [{"id": 5, "name": loss}]
    return {"id": id_, "name": f"Сделка {id_}", "price": price, "responsible_user_id": user, "status_id": status,
            "pipeline_id": 100, "created_at": ts(created), "updated_at": ts(updated or created),
            "closed_at": ts(closed) if closed else None, "custom_fields_values": cf or None, "_embedded": emb}


def amo_event(id_, lead, before, after, at):
    return {"id": id_, "type": "lead_status_changed", "entity_id": lead, "entity_type": "lead", "created_at": ts(at),
            "value_before": [{"lead_status": {"id": before, "pipeline_id": 100}}],
            "value_after": [{"lead_status": {"id": after, "pipeline_id": 100}}]}


class FakeAmo:
    """API v4: pages of `per_page` with _links.next, 204 when nothing matches, one 429 first, 401 for a bad token."""

    def __init__(self, httpserver, leads, events, token="GOOD", per_page=2):
        self.leads, self.events, self.token, self.per_page = leads, events, token, per_page
        self.calls = []
        self.limited = False
        httpserver.expect_request("/api/v4/users").respond_with_handler(
            lambda r: self._list(r, "users", [{"id": 11, "name": "Анна"}, {"id": 12, "name": "Борис"}]))
        httpserver.expect_request("/api/v4/leads/pipelines").respond_with_handler(self.pipelines)
        httpserver.expect_request("/api/v4/leads").respond_with_handler(
            lambda r: self._list(r, "leads", [x for x in self.leads if x["updated_at"] >= int(
                r.args.get("filter[updated_at][from]", 0))]))
        httpserver.expect_request("/api/v4/events").respond_with_handler(
            lambda r: self._list(r, "events", [x for x in self.events if x["created_at"] >= int(
                r.args.get("filter[created_at][from]", 0))]))

    def _auth(self, r):
        self.calls.append((r.path, dict(r.args)))
        if r.headers.get("Authorization") != f"Bearer {self.token}":
            return Response(json.dumps({"title": "Unauthorized", "status": 401}), status=401,
                            content_type="application/problem+json")
        if r.path == "/api/v4/leads" and not self.limited:   # the first look at the leads is over the limit
            self.limited = True
            return Response("", status=429, headers={"Retry-After": "1"})

    def _list(self, r, key, items):
        bad = self._auth(r)
        if bad:
            return bad
        page = int(r.args.get("page", 1))
        chunk = items[(page - 1) * self.per_page: page * self.per_page]
        if not chunk:
            return Response("", status=204)
        links = {"self": {"href": f"/api/v4/{key}?page={page}"}}
        if page * self.per_page < len(items):
            links["next"] = {"href": f"/api/v4/{key}?page={page + 1}"}
        return Response(json.dumps({"_page": page, "_links": links, "_embedded": {key: chunk}}),
                        content_type="application/hal+json")

    def pipelines(self, r):
        bad = self._auth(r)
        if bad:
            return bad
        statuses = [{"id": 142, "name": "Успешно реализовано", "sort": 10000}, {"id": 1001, "name": "Первичный контакт",
                     "sort": 10}, {"id": 1002, "name": "Переговоры", "sort": 20},
                    {"id": 143, "name": "Закрыто и не реализовано", "sort": 11000}]
        return Response(json.dumps({"_embedded": {"pipelines": [
            {"id": 100, "name": "Продажи", "sort": 1, "is_main": True, "_embedded": {"statuses": statuses}}]}}),
            content_type="application/hal+json")


AMO_LEADS = [
    amo_lead(1, "2026-11-01 10:00:00", 50000, 142, 11, {"UTM_SOURCE": "yandex", "UTM_MEDIUM": "cpc",
                                                         "UTM_CAMPAIGN": "brand"}, closed="2026-11-05 12:00:00"),
    amo_lead(2, "2026-11-02 11:00:00", 20000, 1002, 12, {"UTM_SOURCE": "google", "UTM_MEDIUM": "cpc"}),
    amo_lead(3, "2026-11-03 09:30:00", 0, 143, 11, closed="2026-11-04 15:00:00", loss="Дорого"),
]
AMO_EVENTS = [
    amo_event("e1", 1, 1001, 1002, "2026-11-02 09:00:00"),
    amo_event("e2", 1, 1002, 142, "2026-11-05 12:00:00"),
    amo_event("e3", 2, 1001, 1002, "2026-11-03 10:00:00"),
    amo_event("e4", 3, 1001, 143, "2026-11-04 15:00:00"),
]


def amo_export(leads_rows):
    """The same deals as amoCRM's CSV export (the `amocrm` file preset)."""
    head = ("ID,Название сделки,Бюджет ,Ответственный,Дата создания сделки,Дата закрытия,Теги,Этап сделки,Воронка,"
            "utm_source,utm_medium,utm_campaign,utm_term,utm_content,Причина отказа\n")
    out = []
    for r in leads_rows:
        out.append(",".join([str(r[0]), f"Сделка {r[0]}", str(r[1]), r[2], r[3],
                             r[4] or "не закрыта", "vip", r[5], "Продажи", *r[6:]]))
    return head + "\n".join(out) + "\n"


def test_amocrm_pages_rate_limit_stage_history_and_the_file_export(httpserver, tmp_path):
    fake = FakeAmo(httpserver, [dict(x) for x in AMO_LEADS], list(AMO_EVENTS))
    waits = []
    db_file = tmp_path / "ff.duckdb"
    secrets = {"amocrm": {"token": "GOOD", "api_url": httpserver.url_for("")}}
    res = sync.run("amocrm", db_file, secrets=secrets, sleep=waits.append)
    assert waits == [1.0]                       # the 429's Retry-After, once
    lead_pages = [a.get("page") for p, a in fake.calls if p == "/api/v4/leads"]
    assert lead_pages == ["1", "1", "2"]        # the 429, then both pages
    assert all(a.get("with") == "loss_reason" for p, a in fake.calls if p == "/api/v4/leads")
    assert len(imports(db_file)) == 1 and imports(db_file)[0][1] == "sync_amocrm"
    deals = rows(db_file, "select deal_id, lead_id, stage, status, amount::double, manager, pipeline, lost_reason, "
                          "timezone('Europe/Moscow', closed_at)::varchar from deals order by deal_id")
    assert deals == [
        ("1", "1", "Успешно реализовано", "won", 50000.0, "Анна", "Продажи", None, "2026-11-05 12:00:00"),
        ("2", "2", "Переговоры", "open", 20000.0, "Борис", "Продажи", None, None),
        ("3", "3", "Закрыто и не реализовано", "lost", 0.0, "Анна", "Продажи", "Дорого", "2026-11-04 15:00:00"),
    ]
    assert rows(db_file, "select lead_id, source, medium, campaign, manager from leads order by lead_id") == [
        ("1", "yandex", "cpc", "brand", "Анна"), ("2", "google", "cpc", None, "Борис"), ("3", None, None, None, "Анна")]
    hist = "select deal_id, stage, timezone('Europe/Moscow', entered_at)::varchar from deal_stages order by 1, 3"
    assert rows(db_file, hist) == [
        ("1", "Первичный контакт", "2026-11-01 10:00:00"), ("1", "Переговоры", "2026-11-02 09:00:00"),
        ("1", "Успешно реализовано", "2026-11-05 12:00:00"),
        ("2", "Первичный контакт", "2026-11-02 11:00:00"), ("2", "Переговоры", "2026-11-03 10:00:00"),
        ("3", "Первичный контакт", "2026-11-03 09:30:00"), ("3", "Закрыто и не реализовано", "2026-11-04 15:00:00"),
    ]
    assert rows(db_file, "select pipeline, stage, position, kind from stages order by position") == [
        ("Продажи", "Первичный контакт", 1, "open"), ("Продажи", "Переговоры", 2, "open"),
        ("Продажи", "Успешно реализовано", 3, "won"), ("Продажи", "Закрыто и не реализовано", 4, "lost")]
    assert res.rows == 3 + 3 + 7 + 4
    # the same deals exported from amoCRM as a CSV and imported give the same leads and deals
    f = tmp_path / "amocrm_export.csv"
    f.write_text(amo_export([
        (1, "50 000", "Анна", "01.11.2026 10:00:00", "05.11.2026 12:00:00", "Успешно реализовано", "yandex", "cpc",
         "brand", "", "", ""),
        (2, "20 000", "Борис", "02.11.2026 11:00:00", None, "Переговоры", "google", "cpc", "", "", "", ""),
        (3, "0", "Анна", "03.11.2026 09:30:00", "04.11.2026 15:00:00", "Закрыто и не реализовано", "", "", "", "",
         "", "Дорого"),
    ]), encoding="utf-8")
    other = tmp_path / "file.duckdb"
    load.import_file(f, db_file=other)
    assert table(other, "deals", "deal_id") == table(db_file, "deals", "deal_id")
    assert table(other, "leads", "lead_id") == table(db_file, "leads", "lead_id")


def test_amocrm_a_deal_moved_since_shows_and_a_repeat_changes_nothing(httpserver, tmp_path):
    leads = [dict(x) for x in AMO_LEADS]
    fake = FakeAmo(httpserver, leads, list(AMO_EVENTS))
    db_file = tmp_path / "ff.duckdb"
    secrets = {"amocrm": {"token": "GOOD", "api_url": httpserver.url_for("")}}
    sync.run("amocrm", db_file, secrets=secrets, sleep=lambda s: None)
    # deal 2 is won today; a nightly sync asks only for what was updated since the last one (minus 30 days)
    now = datetime.now(ZoneInfo(TZ)).replace(microsecond=0, tzinfo=None).isoformat(" ")
    leads[1] = amo_lead(2, "2026-11-02 11:00:00", 21000, 142, 12, {"UTM_SOURCE": "google", "UTM_MEDIUM": "cpc"},
                        closed=now, updated=now)
    fake.events.append(amo_event("e5", 2, 1002, 142, now))
    fake.calls.clear()
    second = sync.run("amocrm", db_file, secrets=secrets, sleep=lambda s: None)
    frm = [int(a["filter[updated_at][from]"]) for p, a in fake.calls if p == "/api/v4/leads"]
    assert frm and frm[0] == int(datetime.combine(second.date_from, datetime.min.time(),
                                                  tzinfo=ZoneInfo("UTC")).timestamp())
    assert rows(db_file, "select status, amount::double from deals where deal_id = '2'") == [("won", 21000.0)]
    assert ("2", "Успешно реализовано") in rows(db_file, "select deal_id, stage from deal_stages")
    assert rows(db_file, "select count(*) from deals") == [(3,)]
    state = [table(db_file, t, "all") for t in ("leads", "deals", "deal_stages", "stages")]
    sync.run("amocrm", db_file, secrets=secrets, sleep=lambda s: None)
    assert [table(db_file, t, "all") for t in ("leads", "deals", "deal_stages", "stages")] == state
    assert len(imports(db_file)) == 3


def test_amocrm_refused_token(httpserver, tmp_path):
    FakeAmo(httpserver, AMO_LEADS, AMO_EVENTS, token="NEW")
    with pytest.raises(sync.SyncFailed, match="^Reconnect amoCRM in Settings: the token was refused"):
        sync.run("amocrm", tmp_path / "ff.duckdb", secrets={"amocrm": {"token": "OLD", "api_url": httpserver.url_for("")}},
                 sleep=lambda s: None)


# ---------------------------------------------------------------- Bitrix24


class FakeBitrix:
    """An incoming webhook: list methods give 50 records and `next`; the first lead page is over the limit
    (503 QUERY_LIMIT_EXCEEDED); a webhook with another secret is refused (401 INVALID_CREDENTIALS)."""

    def __init__(self, httpserver, leads, deals, history, secret="s3cret"):
        self.leads, self.deals, self.history, self.secret = leads, deals, history, secret
        self.calls = []
        self.limited = False
        httpserver.expect_request(re.compile(r"/rest/1/\w+/[\w.]+\.json")).respond_with_handler(self)

    def __call__(self, r):
        _, _, _, secret, method = r.path.split("/")
        method = method[:-5]
        body = json.loads(r.data or "{}")
        self.calls.append((method, body))
        if secret != self.secret:
            return Response(json.dumps({"error": "INVALID_CREDENTIALS", "error_description": "Invalid request "
                                        "credentials"}), status=401, content_type="application/json")
        if method == "crm.lead.list" and not self.limited:
            self.limited = True
            return Response(json.dumps({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}),
                            status=503, content_type="application/json")
        flt = body.get("filter") or {}
        items = {
            "user.get": [{"ID": "1", "NAME": "Анна", "LAST_NAME": ""}, {"ID": "2", "NAME": "Борис", "LAST_NAME": ""}],
            "crm.category.list": [{"id": 0, "name": "Общее", "isDefault": "Y"}, {"id": 1, "name": "Опт"}],
            "crm.status.list": [
                {"ENTITY_ID": "STATUS", "STATUS_ID": "NEW", "NAME": "Не обработан", "SORT": 10},
                {"ENTITY_ID": "STATUS", "STATUS_ID": "JUNK", "NAME": "Некачественный лид", "SORT": 60},
                {"ENTITY_ID": "SOURCE", "STATUS_ID": "WEB", "NAME": "Веб-сайт", "SORT": 10},
                {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "NEW", "NAME": "Новая", "SORT": 10},
                {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "WON", "NAME": "Сделка успешна", "SORT": 60,
                 "EXTRA": {"SEMANTICS": "success"}},
                {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "LOSE", "NAME": "Сделка провалена", "SORT": 70,
                 "EXTRA": {"SEMANTICS": "failure"}},
                {"ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:NEW", "NAME": "Заявка", "SORT": 10},
                {"ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:WON", "NAME": "Отгружено", "SORT": 20,
                 "SEMANTICS": "S"}],
            "crm.lead.list": [x for x in self.leads if x["DATE_MODIFY"] >= flt.get(">=DATE_MODIFY", "")],
            "crm.deal.list": [x for x in self.deals if x["DATE_MODIFY"] >= flt.get(">=DATE_MODIFY", "")],
            "crm.stagehistory.list": [x for x in self.history if x["CREATED_TIME"] >= flt.get(">=CREATED_TIME", "")],
        }[method]
        start = int(body.get("start") or 0)
        chunk = items[start:start + 50]
        result = ({"categories": chunk} if method == "crm.category.list" else
                  {"items": chunk} if method == "crm.stagehistory.list" else chunk)
        out = {"result": result, "total": len(items), "time": {"start": 0}}
        if start + 50 < len(items):
            out["next"] = start + 50
        return Response(json.dumps(out), content_type="application/json")


def b24_leads():
    out = []
    for i in range(1, 61):   # more than one page of 50
        out.append({"ID": str(i), "DATE_CREATE": f"2026-11-{1 + i % 28:02d}T10:00:00+03:00",
                    "DATE_MODIFY": "2026-11-29T10:00:00+03:00", "STATUS_ID": "JUNK" if i % 10 == 0 else "NEW",
                    "STATUS_DESCRIPTION": "спам" if i % 10 == 0 else None, "SOURCE_ID": "WEB",
                    "ASSIGNED_BY_ID": "1" if i % 2 else "2", "UTM_SOURCE": "yandex" if i % 3 == 0 else None,
                    "UTM_MEDIUM": "cpc" if i % 3 == 0 else None, "UTM_CAMPAIGN": None, "UTM_CONTENT": None,
                    "UTM_TERM": None})
    return out


B24_DEALS = [
    {"ID": "21", "DATE_CREATE": "2026-11-01T10:00:00+03:00", "DATE_MODIFY": "2026-11-10T18:00:00+03:00",
     "STAGE_ID": "WON", "CATEGORY_ID": "0", "OPPORTUNITY": "120000.00", "CURRENCY_ID": "RUB",
     "CLOSEDATE": "2026-11-10T18:00:00+03:00", "CLOSED": "Y", "LEAD_ID": "3", "ASSIGNED_BY_ID": "1"},
    {"ID": "22", "DATE_CREATE": "2026-11-02T12:00:00+03:00", "DATE_MODIFY": "2026-11-06T12:00:00+03:00",
     "STAGE_ID": "LOSE", "CATEGORY_ID": "0", "OPPORTUNITY": "50000.00", "CURRENCY_ID": "RUB",
     "CLOSEDATE": "2026-11-06T12:00:00+03:00", "CLOSED": "Y", "LEAD_ID": None, "ASSIGNED_BY_ID": "2"},
    {"ID": "23", "DATE_CREATE": "2026-11-03T09:00:00+03:00", "DATE_MODIFY": "2026-11-03T09:00:00+03:00",
     "STAGE_ID": "C1:NEW", "CATEGORY_ID": "1", "OPPORTUNITY": "7000.50", "CURRENCY_ID": "RUB",
     "CLOSEDATE": "2026-11-30T00:00:00+03:00", "CLOSED": "N", "LEAD_ID": None, "ASSIGNED_BY_ID": "1"},
]
B24_HISTORY = [
    {"ID": "1", "TYPE_ID": "1", "OWNER_ID": "21", "STAGE_ID": "NEW", "CATEGORY_ID": "0",
     "CREATED_TIME": "2026-11-01T10:00:00+03:00"},
    {"ID": "2", "TYPE_ID": "3", "OWNER_ID": "21", "STAGE_ID": "WON", "CATEGORY_ID": "0",
     "CREATED_TIME": "2026-11-10T18:00:00+03:00"},
    {"ID": "3", "TYPE_ID": "1", "OWNER_ID": "23", "STAGE_ID": "C1:NEW", "CATEGORY_ID": "1",
     "CREATED_TIME": "2026-11-03T09:00:00+03:00"},
]


def test_bitrix24_pages_of_50_back_off_and_the_file_exports(httpserver, tmp_path):
    fake = FakeBitrix(httpserver, b24_leads(), [dict(d) for d in B24_DEALS], list(B24_HISTORY))
    waits = []
    db_file = tmp_path / "ff.duckdb"
    hook = httpserver.url_for("/rest/1/s3cret/")
    res = sync.run("bitrix24", db_file, secrets={"bitrix24": {"webhook": hook}}, sleep=waits.append)
    assert waits == [1]
    assert [b.get("start") for m, b in fake.calls if m == "crm.lead.list"] == [0, 0, 50]
    assert rows(db_file, "select count(*), count(*) filter (where qualification = 'junk'), "
                         "count(*) filter (where source = 'yandex'), count(*) filter (where source = 'Веб-сайт'), "
                         "count(*) filter (where manager = 'Анна') from leads") == [(60, 6, 20, 40, 30)]
    assert rows(db_file, "select deal_id, stage, status, amount::double, currency, lead_id, manager, pipeline, "
                         "timezone('Europe/Moscow', closed_at)::varchar from deals order by deal_id") == [
        ("21", "Сделка успешна", "won", 120000.0, "RUB", "3", "Анна", "Общее", "2026-11-10 18:00:00"),
        ("22", "Сделка провалена", "lost", 50000.0, "RUB", None, "Борис", "Общее", "2026-11-06 12:00:00"),
        ("23", "Заявка", "open", 7000.5, "RUB", None, "Анна", "Опт", None)]
    assert rows(db_file, "select deal_id, stage from deal_stages order by entered_at") == [
        ("21", "Новая"), ("23", "Заявка"), ("21", "Сделка успешна")]
    assert rows(db_file, "select pipeline, stage, position, kind from stages order by pipeline, position") == [
        ("Общее", "Новая", 1, "open"), ("Общее", "Сделка успешна", 2, "won"), ("Общее", "Сделка провалена", 3, "lost"),
        ("Опт", "Заявка", 1, "open"), ("Опт", "Отгружено", 2, "won")]
    assert res.result.import_id and len(imports(db_file)) == 1
    # the same deals and leads exported from Bitrix24 as CSV give the same rows
    deals_csv = tmp_path / "DEAL.csv"
    deals_csv.write_text(
        '"ID";"Название сделки";"Стадия сделки";"Направление";"Сумма";"Валюта";"Ответственный";"Дата создания";'
        '"Дата закрытия";"Лид"\n'
        '"21";"A";"Сделка успешна";"Общее";"120 000,00";"RUB";"Анна";"01.11.2026 10:00:00";"10.11.2026 18:00:00";"3"\n'
        '"22";"B";"Сделка провалена";"Общее";"50 000,00";"RUB";"Борис";"02.11.2026 12:00:00";"06.11.2026 12:00:00";""\n'
        '"23";"C";"Заявка";"Опт";"7 000,50";"RUB";"Анна";"03.11.2026 09:00:00";"30.11.2026 00:00:00";""\n',
        encoding="utf-8-sig")
    leads_csv = tmp_path / "LEAD.csv"
    lines = ['"ID";"Название лида";"Стадия";"Дополнительно о стадии";"Источник";"Ответственный";"Дата создания";'
             '"UTM_SOURCE";"UTM_MEDIUM"']
    for x in b24_leads():
        d = datetime.fromisoformat(x["DATE_CREATE"]).strftime("%d.%m.%Y %H:%M:%S")
        lines.append(";".join(f'"{v}"' for v in (
            x["ID"], "L", "Некачественный лид" if x["STATUS_ID"] == "JUNK" else "Не обработан",
            x["STATUS_DESCRIPTION"] or "", "Веб-сайт", "Анна" if x["ASSIGNED_BY_ID"] == "1" else "Борис", d,
            x["UTM_SOURCE"] or "", x["UTM_MEDIUM"] or "")))
    leads_csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    other = tmp_path / "file.duckdb"
    load.import_file(deals_csv, db_file=other)
    load.import_file(leads_csv, db_file=other)
    assert table(other, "deals", "deal_id") == table(db_file, "deals", "deal_id")
    assert table(other, "leads", "lead_id") == table(db_file, "leads", "lead_id")


def test_bitrix24_moved_deal_and_refused_webhook(httpserver, tmp_path):
    deals = [dict(d) for d in B24_DEALS]
    fake = FakeBitrix(httpserver, b24_leads()[:3], deals, list(B24_HISTORY))
    db_file = tmp_path / "ff.duckdb"
    secrets = {"bitrix24": {"webhook": httpserver.url_for("/rest/1/s3cret/")}}
    sync.run("bitrix24", db_file, secrets=secrets, sleep=lambda s: None)
    now = datetime.now(ZoneInfo(TZ)).replace(microsecond=0).isoformat()
    deals[2].update(STAGE_ID="C1:WON", DATE_MODIFY=now, CLOSEDATE=now, CLOSED="Y")
    fake.history.append({"ID": "4", "TYPE_ID": "3", "OWNER_ID": "23", "STAGE_ID": "C1:WON", "CATEGORY_ID": "1",
                         "CREATED_TIME": now})
    fake.calls.clear()
    sync.run("bitrix24", db_file, secrets=secrets, sleep=lambda s: None)
    assert all(">=DATE_MODIFY" in b["filter"] for m, b in fake.calls if m == "crm.deal.list")
    assert rows(db_file, "select status, stage from deals where deal_id = '23'") == [("won", "Отгружено")]
    assert ("23", "Отгружено") in rows(db_file, "select deal_id, stage from deal_stages")
    before = [table(db_file, t, "all") for t in ("leads", "deals", "deal_stages", "stages")]
    with pytest.raises(sync.SyncFailed, match="^Reconnect Bitrix24 in Settings: the webhook was refused"):
        sync.run("bitrix24", db_file, token=httpserver.url_for("/rest/1/oldsecret/"), secrets=secrets,
                 sleep=lambda s: None)
    assert [table(db_file, t, "all") for t in ("leads", "deals", "deal_stages", "stages")] == before


# ---------------------------------------------------------------- the Settings page


def test_settings_page_shows_each_source_and_syncs_now(httpserver, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from test_app import ROOT

    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(
        FakeDirect(DIRECT_DATA, offline=False))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[yandex_direct]\ntoken = "GOOD"\napi_url = "{httpserver.url_for("")}"\n', encoding="utf-8")
    db_file = tmp_path / "ff.duckdb"
    monkeypatch.setenv("FULLFUNNEL_SECRETS", str(secrets))
    monkeypatch.setenv("FULLFUNNEL_DB", str(db_file))
    monkeypatch.syspath_prepend(str(ROOT))
    from fullfunnel import db

    db.create_empty(db_file)
    at = AppTest.from_file(str(ROOT / "pages" / "settings.py"), default_timeout=60).run()
    assert not at.exception
    assert at.subheader[0].value == "Connected accounts"
    texts = [m.value for m in at.markdown]
    assert any(x.startswith("connected · never synced") for x in texts)
    assert any("not connected: add the `[amocrm]` section" in x for x in texts)
    assert at.button(key="sync_amocrm").disabled and not at.button(key="sync_yandex_direct").disabled
    at.button(key="sync_yandex_direct").click().run()
    assert not at.exception and not at.error
    assert "Yandex Direct:" in at.success[0].value and "import #1" in at.success[0].value
    assert rows(db_file, "select count(*) from spend") == [(4,)]
    assert any("last sync" in m.value and "import #1), 4 row(s)" in m.value for m in at.markdown)


def test_network_error_is_a_sentence(tmp_path, capsys):
    import socket

    with socket.socket() as s:   # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = cli.main(["sync", "amocrm", "--db", str(tmp_path / "ff.duckdb"), "--token", "T",
                     "--api-url", f"http://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(f"error: Cannot reach amoCRM at 127.0.0.1:{port} (ConnectionError)")
    assert "Traceback" not in err


def test_sync_all_runs_every_connected_source_and_reports_each(httpserver, tmp_path, capsys):
    httpserver.expect_request("/json/v5/reports", method="POST").respond_with_handler(
        FakeDirect(DIRECT_DATA, offline=False))
    FakeAmo(httpserver, AMO_LEADS, AMO_EVENTS, token="NEW")    # amoCRM's token has expired
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[yandex_direct]\ntoken = "GOOD"\napi_url = "{httpserver.url_for("")}"\n'
                       f'[amocrm]\ntoken = "OLD"\napi_url = "{httpserver.url_for("")}"\n', encoding="utf-8")
    db_file = tmp_path / "ff.duckdb"
    code = cli.main(["sync", "all", "--db", str(db_file), "--secrets", str(secrets),
                     "--from", "2026-11-01", "--to", "2026-11-03"])
    out, err = capsys.readouterr()
    assert code == 1      # cron sees the failure …
    assert out.startswith("Yandex Direct: 2026-11-01 – 2026-11-03, 4 row(s) in 1 request(s) — import #1")
    assert "error: Reconnect amoCRM in Settings: the token was refused" in err
    assert "1 of 2 source(s) failed; the others were synced." in err
    assert imports(db_file) == [(1, "sync_yandex_direct", False)]   # … and Direct's import stands


# ---------------------------------------------------------------- Google Ads and GA4


def google_token(httpserver, refresh="R1", access="A1"):
    """Google's token endpoint: the refresh token R1 gives the access token A1; any other is invalid_grant."""
    def handler(r):
        if r.form.get("grant_type") == "refresh_token" and r.form.get("refresh_token") == refresh:
            return Response(json.dumps({"access_token": access, "expires_in": 3599, "token_type": "Bearer"}),
                            content_type="application/json")
        return Response(json.dumps({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
                        status=400, content_type="application/json")
    httpserver.expect_request("/token", method="POST").respond_with_handler(handler)


def google_conf(httpserver, **kw):
    return {"client_id": "cid", "client_secret": "cs", "refresh_token": "R1", "api_url": httpserver.url_for(""),
            "token_url": httpserver.url_for("/token"), **kw}


ADS_ROWS = [("2026-11-01", "Search RU", "RUB", "1234560000", "1000", "40"),
            ("2026-11-01", "PMax", "RUB", "99990000", "5000", "12"),
            ("2026-11-02", "Search RU", "RUB", "1500000000", "1100", "45")]


def test_google_ads_search_stream(httpserver, tmp_path):
    google_token(httpserver)
    seen = []

    def stream(r):
        seen.append((dict(r.headers), json.loads(r.data)))
        if r.headers.get("Authorization") != "Bearer A1":
            return Response(json.dumps([{"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "bad"}}]),
                            status=401, content_type="application/json")
        batch = [{"customer": {"currencyCode": c}, "campaign": {"name": n},
                  "metrics": {"costMicros": m, "impressions": i, "clicks": k}, "segments": {"date": d}}
                 for d, n, c, m, i, k in ADS_ROWS]
        return Response(json.dumps([{"results": batch[:2], "fieldMask": "x"}, {"results": batch[2:], "requestId": "q"}]),
                        content_type="application/json")
    httpserver.expect_request("/v26/customers/1234567890/googleAds:searchStream", method="POST").respond_with_handler(stream)
    db_file = tmp_path / "ff.duckdb"
    secrets = {"google_ads": google_conf(httpserver, developer_token="DEV", customer_id="123-456-7890",
                                         login_customer_id="111-222-3333")}
    sync.run("google_ads", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 2), secrets=secrets,
             sleep=lambda s: None)
    headers, body = seen[0]
    assert headers["Developer-Token"] == "DEV" and headers["Login-Customer-Id"] == "1112223333"
    assert "segments.date BETWEEN '2026-11-01' AND '2026-11-02'" in body["query"]
    assert rows(db_file, "select date::varchar, channel, campaign, spend::double, impressions, clicks, currency "
                         "from spend order by 1, 3") == [
        ("2026-11-01", "google_ads", "PMax", 99.99, 5000, 12, "RUB"),
        ("2026-11-01", "google_ads", "Search RU", 1234.56, 1000, 40, "RUB"),
        ("2026-11-02", "google_ads", "Search RU", 1500.0, 1100, 45, "RUB")]
    # the same report downloaded from Google Ads gives the same rows
    f = tmp_path / "Campaign report.csv"
    f.write_text("Campaign report\nNovember 1, 2026 - November 2, 2026\nDay\tCampaign\tCurrency code\tCost\tImpr.\tClicks\n"
                 "2026-11-01\tSearch RU\tRUB\t1,234.56\t1,000\t40\n2026-11-01\tPMax\tRUB\t99.99\t5,000\t12\n"
                 "2026-11-02\tSearch RU\tRUB\t1,500.00\t1,100\t45\n", encoding="utf-16")   # "CSV for Excel"
    other = tmp_path / "file.duckdb"
    load.import_file(f, db_file=other)
    assert table(other, "spend", "all") == table(db_file, "spend", "all")
    secrets["google_ads"]["refresh_token"] = "REVOKED"
    with pytest.raises(sync.SyncFailed, match="^Reconnect Google Ads in Settings: the token was refused"):
        sync.run("google_ads", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 2), secrets=secrets,
                 sleep=lambda s: None)


def test_ga4_run_report_pages_and_quota(httpserver, tmp_path):
    from fullfunnel.sync import ga4

    google_token(httpserver)
    data = [["20261101", "Paid Search", "brand", "100", "80", "300", "65.5", "4"],
            ["20261101", "Organic Search", "(organic)", "50", "45", "120", "30", "1"],
            ["20261102", "Direct", "(direct)", "20", "18", "25", "10", "0"]]
    calls = []

    def report(r):
        body = json.loads(r.data)
        calls.append(body)
        if len(calls) == 1:
            return Response(json.dumps({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                                                  "message": "Exhausted property tokens per hour"}}),
                            status=429, content_type="application/json")
        chunk = data[body["offset"]:body["offset"] + body["limit"]]
        return Response(json.dumps({
            "dimensionHeaders": [{"name": d} for d in ga4.DIMENSIONS],
            "metricHeaders": [{"name": m, "type": "TYPE_INTEGER"} for m in ga4.METRICS],
            "rows": [{"dimensionValues": [{"value": v} for v in x[:3]], "metricValues": [{"value": v} for v in x[3:]]}
                     for x in chunk], "rowCount": len(data)}), content_type="application/json")
    httpserver.expect_request("/v1beta/properties/42:runReport", method="POST").respond_with_handler(report)
    db_file = tmp_path / "ff.duckdb"
    waits = []
    old = ga4.PAGE
    ga4.PAGE = 2            # the fake pages by 2 rows so that paging is exercised
    try:
        sync.run("ga4", db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 2),
                 secrets={"ga4": google_conf(httpserver, property_id=42)}, sleep=waits.append)
    finally:
        ga4.PAGE = old
    assert waits == [60] and [c["offset"] for c in calls] == [0, 0, 2]
    assert calls[1]["dateRanges"] == [{"startDate": "2026-11-01", "endDate": "2026-11-02"}]
    got = rows(db_file, "select date::varchar, channel, campaign, sessions, visitors, pageviews, duration_s::double, "
                        "conversions from traffic order by 1, 2")
    assert got == [("2026-11-01", "paid_search", "brand", 100, 80, 300, 6550.0, 4),
                   ("2026-11-01", "seo", "(organic)", 50, 45, 120, 1500.0, 1),
                   ("2026-11-02", "direct", "(direct)", 20, 18, 25, 200.0, 0)]
    f = tmp_path / "ga4.csv"
    f.write_text("# Start date: 20261101\n# End date: 20261102\n" + ",".join(ga4.HEADER) + "\n"
                 + "".join(",".join(x) + "\n" for x in data), encoding="utf-8")
    other = tmp_path / "file.duckdb"
    load.import_file(f, db_file=other)
    assert table(other, "traffic", "all") == table(db_file, "traffic", "all")


@pytest.mark.parametrize("source,path,conf,check", [
    ("google_ads", "/v26/customers/1234567890/googleAds:searchStream",
     {"developer_token": "DEV", "customer_id": "123-456-7890"}, "developer_token, customer_id and login_customer_id"),
    ("ga4", "/v1beta/properties/42:runReport", {"property_id": 42}, "property_id"),
])
def test_google_quota_waits_and_a_refusal_is_a_sentence_with_nothing_imported(httpserver, tmp_path, source, path,
                                                                              conf, check):
    """Both Google sources: a quota answer is waited out within the bound, a permission refusal ends the run
    with a sentence naming the settings to check, and the database stays as it was."""
    google_token(httpserver)
    answers = [(429, "RESOURCE_EXHAUSTED", "Too many requests"),
               (403, "PERMISSION_DENIED", "The caller does not have permission")]

    def refuse(r):
        code, status, msg = answers.pop(0) if answers else (403, "PERMISSION_DENIED", "again")
        return Response(json.dumps({"error": {"code": code, "status": status, "message": msg}}), status=code,
                        content_type="application/json")
    httpserver.expect_request(path, method="POST").respond_with_handler(refuse)
    db_file = tmp_path / "ff.duckdb"
    waits = []
    with pytest.raises(sync.SyncFailed) as e:
        sync.run(source, db_file, date_from=date(2026, 11, 1), date_to=date(2026, 11, 2),
                 secrets={source: google_conf(httpserver, **conf)}, sleep=waits.append)
    assert len(waits) == 1 and 0 < waits[0] <= 120     # one quota answer, one bounded wait, then asked again
    title = sync.TITLES[source]
    assert str(e.value) == (f"{title} refused the {'query' if source == 'google_ads' else 'report'} "
                            f"(403 PERMISSION_DENIED: The caller does not have permission); check {check}; "
                            "nothing was imported.")
    assert e.value.text("ru").startswith(f"{sync.TITLES_RU[source]} отклонил ")
    assert not db_file.exists() or rows(db_file, "select count(*) from import_log") == [(0,)]


def test_cli_sync_prints_the_import_and_its_warnings(httpserver, tmp_path, capsys, monkeypatch):
    FakeAmo(httpserver, AMO_LEADS, AMO_EVENTS)
    monkeypatch.setattr(sync.time, "sleep", lambda s: None)   # the fake's one 429
    code = cli.main(["sync", "amocrm", "--db", str(tmp_path / "ff.duckdb"), "--token", "GOOD",
                     "--api-url", httpserver.url_for("")])
    out = capsys.readouterr().out
    assert code == 0
    # 7 requests: users, pipelines, leads (a 429 and two pages), events (two pages)
    assert out.startswith("amoCRM: all records, 17 row(s) in 7 request(s) — import #1 (leads: 3 added, 0 replaced, "
                          "0 rejected; deals: 3 added")
    # amoCRM has no lead qualification: said, as for an imported export
    assert "  warning: none of the 3 lead(s) has a qualification" in out
