"""Every real-export fixture imports with the expected counts and values (tests/fixtures/imports/)."""
from __future__ import annotations

from pathlib import Path

import pytest

from fullfunnel.importing import import_file

from conftest import q

FIX = Path(__file__).parent / "fixtures" / "imports"
MSK = "Europe/Moscow"


pytestmark = pytest.mark.usefixtures("moscow_tz")


def counts(res):
    return {k.kind: (k.added, k.replaced, k.rejected) for k in res.kinds}


def test_amocrm_deals_become_leads_and_deals(dbf):
    res = import_file(FIX / "amocrm_deals.csv", db_file=dbf)
    assert res.format == "amocrm"
    assert counts(res) == {"leads": (3, 0, 1), "deals": (3, 0, 1)}
    assert [(r.line, r.column, r.code) for r in res.rejects] == [(5, "created_at", "date")] * 2
    deals = q(dbf, f"""select deal_id, status, amount::double, timezone('{MSK}', closed_at)::varchar, lost_reason
                       from deals order by deal_id""")
    assert deals == [
        ("1001", "open", 15000.0, None, None),             # "не закрыта" is no close date
        ("1002", "won", 25000.5, "2026-05-05 12:00:00", None),   # "25 000,50": decimal comma, space thousands
        ("1003", "lost", 0.0, "2026-05-04 10:00:00", "Дорого"),
    ]
    leads = q(dbf, f"""select lead_id, timezone('{MSK}', created_at)::varchar, source, channel from leads
                       order by lead_id""")
    assert leads == [
        ("1001", "2026-05-01 10:15:00", "yandex", "yandex_direct"),
        ("1002", "2026-05-02 11:00:00", "google", "seo"),
        ("1003", "2026-05-03 09:30:00", "vk", "social"),   # from the duplicate utm_source column
    ]
    # +7 (999) 111-22-33 and 8 999 111 22 33 are one client; nobody's name or phone is stored
    c = dict(q(dbf, "select deal_id, client_id from deals"))
    assert c["1001"] == c["1003"] != c["1002"]
    dump = str(q(dbf, "select columns(*)::varchar from leads")) + str(q(dbf, "select columns(*)::varchar from deals"))
    for secret in ("Иван", "Петров", "9991112233", "111-22-33", "Maria@", "maria@example.com"):
        assert secret not in dump


def test_bitrix24_leads_cp1251_semicolon(dbf):
    res = import_file(FIX / "bitrix24_leads.csv", db_file=dbf)
    assert res.format == "bitrix24_leads"
    assert counts(res) == {"leads": (3, 0, 1)}
    assert res.rejects[0].line == 5 and res.rejects[0].column == "created_at"
    rows = q(dbf, "select lead_id, qualification, junk_reason, source, channel, manager from leads order by lead_id")
    assert rows == [
        ("11", "junk", "Не дозвонились", "yandex", "yandex_direct", "Анна"),
        ("12", "target", None, "Звонок", "unknown", "Борис"),
        ("13", None, None, "vk", "vk_ads", "Анна"),
    ]


def test_bitrix24_deals(dbf):
    res = import_file(FIX / "bitrix24_deals.csv", db_file=dbf)
    assert counts(res) == {"deals": (3, 0, 0)}
    rows = q(dbf, "select deal_id, status, amount::double, closed_at is null, pipeline, lead_id from deals order by 1")
    assert rows == [("21", "won", 120000.0, False, "Общее", "11"), ("22", "lost", 50000.0, False, "Общее", None),
                    ("23", "open", 10000.0, True, "Общее", None)]


def test_hubspot_contacts_and_deals(dbf):
    res = import_file(FIX / "hubspot_contacts.csv", db_file=dbf)
    assert res.format == "hubspot_contacts" and counts(res) == {"leads": (3, 0, 0)}
    assert q(dbf, "select lead_id, channel, qualification from leads order by 1") == [
        ("501", "seo", "target"), ("502", "paid_social", "junk"), ("503", "direct", None)]
    res = import_file(FIX / "hubspot_deals.csv", db_file=dbf)
    assert res.format == "hubspot_deals" and counts(res) == {"deals": (3, 0, 0)}
    assert q(dbf, "select deal_id, stage, status, amount::double, closed_at is null from deals order by 1") == [
        ("901", "Closed Won", "won", 12500.0, False), ("902", "Closed Lost", "lost", 3000.0, False),
        ("903", "Qualified To Buy", "open", 5000.0, True)]


def test_pipedrive_xlsx(dbf):
    res = import_file(FIX / "pipedrive_deals.xlsx", db_file=dbf)
    assert res.format == "pipedrive"
    assert counts(res) == {"deals": (3, 0, 1)}
    assert (res.rejects[0].line, res.rejects[0].column, res.rejects[0].value) == (5, "status", "Deleted")
    assert q(dbf, f"""select deal_id, status, amount::double, currency, timezone('{MSK}', closed_at)::varchar
                      from deals order by 1""") == [
        ("1", "won", 5000.0, "USD", "2026-05-09 15:00:00"), ("2", "lost", 1200.5, "USD", "2026-05-05 11:00:00"),
        ("3", "open", 800.0, "USD", None)]


def test_salesforce_footer_and_us_dates(dbf):
    res = import_file(FIX / "salesforce_opportunities.csv", db_file=dbf)
    assert counts(res) == {"deals": (3, 0, 0)}
    assert q(dbf, f"""select deal_id, status, amount::double, timezone('{MSK}', created_at)::date::varchar,
                      closed_at is null from deals order by 1""") == [
        ("0061x00000AbCdE", "won", 12000.0, "2026-05-01", False),
        ("0061x00000AbCdF", "open", 3500.0, "2026-05-02", True),
        ("0061x00000AbCdG", "lost", 1000.0, "2026-05-03", False)]


def test_google_ads_utf16_tab_totals(dbf):
    res = import_file(FIX / "google_ads_campaigns.csv", db_file=dbf)
    assert res.format == "google_ads" and counts(res) == {"spend": (3, 0, 0)}
    assert q(dbf, "select sum(spend)::double, sum(impressions), sum(clicks), count(clicks) from spend") == [
        (2360.0, 88500, 220, 2)]   # totals rows left out; "--" clicks are empty
    assert q(dbf, "select distinct channel, currency from spend") == [("google_ads", "RUB")]


def test_yandex_direct_micros(dbf):
    res = import_file(FIX / "yandex_direct.tsv", db_file=dbf)
    assert counts(res) == {"spend": (2, 0, 1)}
    assert res.rejects[0].line == 5 and res.rejects[0].column == "spend"
    assert q(dbf, "select campaign, spend::double from spend order by spend") == [("РСЯ", 987.65), ("Поиск бренд", 1234.56)]


def test_meta_currency_in_header_and_ads_add_up(dbf):
    res = import_file(FIX / "meta_ads.csv", db_file=dbf)
    assert counts(res) == {"spend": (2, 0, 1)}
    assert res.kinds[0].duplicates == 1 and res.kinds[0].summed
    assert res.rejects[0].code == "range"
    assert q(dbf, "select date::varchar, spend::double, impressions, clicks, currency from spend order by 1") == [
        ("2026-05-01", 30.0, 4000, 50, "USD"), ("2026-05-02", 30.0, 3500, None, "USD")]


def test_ga4_comment_lines(dbf):
    res = import_file(FIX / "ga4_traffic.csv", db_file=dbf)
    assert counts(res) == {"traffic": (4, 0, 0)}
    assert q(dbf, "select date::varchar, channel, sessions, visitors, conversions from traffic order by 1, 2") == [
        ("2026-05-01", "direct", 50, 45, 1), ("2026-05-01", "seo", 120, 100, 3),
        ("2026-05-02", "paid_search", 40, 38, 0), ("2026-05-02", "seo", 110, 95, 2)]


def test_metrica_ui_bom_totals_row_averages(dbf):
    res = import_file(FIX / "metrica_sources.csv", db_file=dbf)
    assert counts(res) == {"traffic": (3, 0, 0)}
    # bounces 10% of 100 + 30% of 50 + 25% of 100; depth × visits; h:mm:ss × visits
    assert q(dbf, "select sum(sessions), sum(bounces), sum(pageviews), sum(duration_s) from traffic") == [
        (250, 50, 300 + 75 + 240, 100 * 120 + 50 * 45 + 100 * 75)]
    assert q(dbf, "select distinct channel from traffic order by 1") == [("direct",), ("seo",)]


def test_metrica_logs_sessions(dbf):
    res = import_file(FIX / "metrica_logs.tsv", db_file=dbf)
    assert counts(res) == {"sessions": (3, 0, 0)}
    assert q(dbf, "select session_id, visitor_id, pageviews, duration_s, channel from sessions order by 1") == [
        ("7001", "1650000001", 3, 120, "yandex_direct"), ("7002", "1650000002", 1, 5, "seo"),
        ("7003", "1650000001", 2, 60, "direct")]


def test_every_fixture_is_recognised():
    from fullfunnel.importing.presets import PRESETS

    files = {p.name for p in FIX.iterdir() if p.suffix in (".csv", ".tsv", ".xlsx")}
    assert len(files) == 14
    assert {"amocrm", "bitrix24_leads", "bitrix24_deals", "google_ads", "yandex_direct", "meta_ads", "ga4",
            "metrica", "metrica_logs", "hubspot_contacts", "hubspot_deals", "pipedrive", "salesforce",
            "ga_sessions", "ga_sessions_datetime", "ua_report"} == set(PRESETS)


def test_localised_google_ads_and_meta(dbf):
    from fullfunnel.importing import import_bytes

    gads = ("Отчёт по кампаниям\n1 мая 2026 г. - 2 мая 2026 г.\n"
            "День\tКампания\tКод валюты\tКлики\tПоказы\tСтоимость\n"
            "2026-05-01\tБренд\tRUB\t120\t\"40 000\"\t\"1 260,50\"\n"
            "Итого: аккаунт\t--\tRUB\t120\t\"40 000\"\t\"1 260,50\"\n")
    res = import_bytes(("\ufeff" + gads).encode("utf-16-le"), "gads_ru.csv", db_file=dbf)
    assert res.format == "google_ads" and counts(res) == {"spend": (1, 0, 0)}
    meta = ("Начало отчетности;Конец отчетности;Название кампании;Потраченная сумма (RUB);Показы;Клики по ссылке\n"
            "2026-05-01;2026-05-01;Весна;1 234,56;3 000;40\n")
    res = import_bytes(meta.encode(), "meta_ru.csv", db_file=dbf)
    assert res.format == "meta_ads" and counts(res) == {"spend": (1, 0, 0)}
    assert q(dbf, "select channel, spend::double, impressions, currency from spend order by 1") == [
        ("google_ads", 1260.5, 40000, "RUB"), ("meta_ads", 1234.56, 3000, "RUB")]


def test_ga360_product_level_sessions_extract(dbf):
    res = import_file(FIX / "ga360_sessions.csv", db_file=dbf)
    assert res.format == "ga_sessions"
    # 6 rows, one session twice (two products): 5 sessions; one of them bought, 54 990 000 micros
    assert counts(res) == {"sessions": (5, 0, 0), "orders": (1, 0, 0)}
    assert res.kinds[0].collapsed == 1
    assert q(dbf, "select session_id, pageviews, duration_s, channel, converted, "
                  "timezone('UTC', started_at)::varchar from sessions order by started_at") == [
        ("9870305678537397014-1501583974", 1, 0, "referral", False, "2017-08-01 10:39:34"),
        ("8159312408158297118-1501616484", 10, 600, "direct", True, "2017-08-01 19:41:24"),
        ("7194065619159478122-1501656575", 4, 210, "seo", False, "2017-08-02 06:49:35"),
        ("0288478011259077136-1501672383", 3, 45, "paid_search", False, "2017-08-02 11:13:03"),
        ("7194065619159478122-1501700000", 2, 30, "seo", False, "2017-08-02 18:53:20"),
    ]
    assert q(dbf, "select order_id, revenue::double, channel from orders") == [
        ("8159312408158297118-1501616484", 54.99, "direct")]


def test_ga_session_extract_with_bare_names_and_date_plus_time(dbf):
    from fullfunnel.importing import import_bytes

    text = ("fullVisitorId,visitId,date,time,channelGrouping,pageviews,timeOnSite,transactions,"
            "totalTransactionRevenue\n"
            "111,1,20240601,10:00:00,Organic Search,3,60,1,12500000\n"
            "222,1,20240601,11:30:00,Direct,1,,,\n")
    res = import_bytes(text.encode(), "sessions.csv", db_file=dbf)
    assert res.format == "ga_sessions_datetime"
    assert q(dbf, "select session_id, pageviews, duration_s, converted, "
                  "timezone('Europe/Moscow', started_at)::varchar from sessions order by 1") == [
        ("111-1", 3, 60, True, "2024-06-01 10:00:00"), ("222-1", 1, 0, False, "2024-06-01 11:30:00")]
    assert q(dbf, "select revenue::double from orders") == [(12.5,)]


def test_a_ga_extract_without_a_start_time_is_told_what_to_add_not_called_traffic(dbf):
    from fullfunnel.importing import ImportRefused, import_bytes

    text = "fullVisitorId,visitId,date,channelGrouping,pageviews,sessions,visitors\n111,1,20240601,Direct,3,1,1\n"
    with pytest.raises(ImportRefused) as e:
        import_bytes(text.encode(), "sessions.csv", db_file=dbf)
    assert "GA360" in str(e.value) and "visitstarttime" in str(e.value) and "traffic" not in str(e.value)


def test_ua_daily_report_edited_in_a_spreadsheet(dbf):
    # a UA Audience Overview export after Excel: two-digit years, October rewritten with dashes,
    # thousands separators, an extra column, the totals row and the second section
    from fullfunnel.importing import import_bytes

    text = ("# ----------------------------------------\n# All Web Site Data\n# Audience Overview\n"
            "# 20140914-20141003\n# ----------------------------------------\n\n"
            "Day Index,Users,Sessions,Pageviews,Notes\n"
            '9/14/14,"1,020","1,234","3,400",\n9/30/14,"1,050","1,300","3,800",promo\n'
            '10-01-14,"1,070","1,310","3,700",\n,"3,140","3,844","10,900",\n\nDay Index,Sessions\n9/14/14,"1,234"\n')
    res = import_bytes(text.encode(), "Analytics All Web Site Data Audience Overview.csv", db_file=dbf)
    assert res.format == "ua_report" and counts(res) == {"traffic": (3, 0, 0)}
    assert q(dbf, "select date::varchar, sessions, visitors, pageviews from traffic order by 1") == [
        ("2014-09-14", 1234, 1020, 3400), ("2014-09-30", 1300, 1050, 3800), ("2014-10-01", 1310, 1070, 3700)]
