"""Import history, undo, channel rules and the Data health queries."""
from __future__ import annotations

from datetime import date

import pytest

from fullfunnel import cli, db
from fullfunnel.importing import ImportRefused, channels, import_bytes, undo

from conftest import q

MSK = "Europe/Moscow"


pytestmark = pytest.mark.usefixtures("moscow_tz")


def imp(dbf, text, name="f.csv", **kw):
    return import_bytes(text.encode(), name, db_file=dbf, **kw)


SPEND_1 = "date,channel,spend\n2026-05-01,seo,100\n2026-05-02,seo,200\n"
SPEND_2 = "date,channel,spend\n2026-05-02,seo,250\n2026-05-03,seo,300\n"   # overlaps 05-02


def spend(dbf):
    return q(dbf, "select date::varchar, spend::double from spend order by 1")


def test_undo_removes_added_rows_and_restores_replaced_ones(dbf):
    a = imp(dbf, SPEND_1, "may1.csv")
    b = imp(dbf, SPEND_2, "may2.csv")
    assert spend(dbf) == [("2026-05-01", 100.0), ("2026-05-02", 250.0), ("2026-05-03", 300.0)]
    assert undo(b.import_id, dbf) == {"spend": (2, 1)}
    assert spend(dbf) == [("2026-05-01", 100.0), ("2026-05-02", 200.0)]
    assert undo(a.import_id, dbf) == {"spend": (2, 0)}
    assert spend(dbf) == []
    with pytest.raises(ImportRefused, match="already been undone"):
        undo(a.import_id, dbf)
    with pytest.raises(ImportRefused, match="There is no import #99"):
        undo(99, dbf)


def test_undo_of_an_older_import_keeps_newer_rows(dbf):
    a = imp(dbf, SPEND_1)
    imp(dbf, SPEND_2)
    undo(a.import_id, dbf)        # 05-02 belongs to the newer import now: it stays
    assert spend(dbf) == [("2026-05-02", 250.0), ("2026-05-03", 300.0)]


def test_undo_then_undo_the_next_brings_back_the_oldest_standing_version(dbf):
    imp(dbf, SPEND_1)                       # 05-02 = 200
    b = imp(dbf, SPEND_2)                   # 05-02 = 250
    c = imp(dbf, "date,channel,spend\n2026-05-02,seo,999\n")
    undo(b.import_id, dbf)                  # 05-02 still 999 (newer import holds it)
    assert dict(spend(dbf))["2026-05-02"] == 999.0
    undo(c.import_id, dbf)                  # back to the first import's 200, not the undone 250
    assert spend(dbf) == [("2026-05-01", 100.0), ("2026-05-02", 200.0)]


def test_history_lists_imports_with_counts_and_checksum(dbf, capsys):
    imp(dbf, SPEND_1, "may1.csv")
    b = imp(dbf, SPEND_2 + "bad,seo,1\n", "may2.csv")
    rows = db.Reader(dbf).query("imports/history", {"tz": MSK})
    assert rows["file_name"].tolist() == ["may2.csv", "may1.csv"]
    assert rows[["rows_read_n", "rows_added_n", "rows_replaced_n", "rows_rejected_n"]].values.tolist() == [
        [3, 1, 1, 1], [2, 2, 0, 0]]
    assert len(rows["checksum"].iloc[0]) == 64 and rows["format"].iloc[0] == "native"
    assert cli.main(["imports", "undo", str(b.import_id), "--db", str(dbf)]) == 0
    assert "spend: 2 removed, 1 restored" in capsys.readouterr().out
    assert cli.main(["imports", "--db", str(dbf)]) == 0
    out = capsys.readouterr().out
    assert "may2.csv" in out and "(undone)" in out and "may1.csv" in out


def test_default_rules_resolve_common_sources(dbf):
    imp(dbf, "lead_id,created_at,source,medium,campaign\n"
             "1,2026-05-01,yandex,cpc,\n2,2026-05-01,google,cpc,\n3,2026-05-01,vk,cpm,\n"
             "4,2026-05-01,facebook,paid,\n5,2026-05-01,telegram,post,\n6,2026-05-01,mailchimp,email,\n"
             "7,2026-05-01,google,organic,\n8,2026-05-01,(direct),(none),\n9,2026-05-01,partner.ru,referral,\n"
             "10,2026-05-01,,,\n11,2026-05-01,tiktok,cpc,\n")
    got = dict(q(dbf, "select lead_id, channel from leads"))
    assert got == {"1": "yandex_direct", "2": "google_ads", "3": "vk_ads", "4": "meta_ads", "5": "telegram",
                   "6": "email", "7": "seo", "8": "direct", "9": "referral", "10": "unknown", "11": "unknown"}


def test_rules_csv_replaces_rules_and_reresolves_stored_rows(dbf, tmp_path, capsys):
    imp(dbf, "lead_id,created_at,source,medium,channel\n1,2026-05-01,tiktok,cpc,\n2,2026-05-01,yandex,cpc,\n"
             "3,2026-05-01,tiktok,cpc,partner\n")
    f = tmp_path / "rules.csv"
    f.write_text("source,medium,campaign,channel\ntiktok,*,,tiktok_ads\nYANDEX*,cpc,,yandex_direct\n")
    assert cli.main(["rules", "import", str(f), "--db", str(dbf)]) == 0
    assert "2 channel rules saved" in capsys.readouterr().out
    # the explicit channel of lead 3 is kept whatever the rules say
    assert dict(q(dbf, "select lead_id, channel from leads")) == {"1": "tiktok_ads", "2": "yandex_direct",
                                                                  "3": "partner"}
    assert cli.main(["rules", "export", "--db", str(dbf)]) == 0
    assert capsys.readouterr().out.splitlines() == ["source,medium,campaign,channel", "tiktok,*,*,tiktok_ads",
                                                    "YANDEX*,cpc,*,yandex_direct"]
    with pytest.raises(ImportRefused, match="no 'channel' column"):
        channels.parse_rules(b"source,medium\na,b\n")


def test_data_health_queries(dbf):
    imp(dbf, "lead_id,created_at,source,medium\n1,2026-05-01,tiktok,cpc\n2,2026-05-02,tiktok,cpc\n"
             "3,2026-05-02,,\n4,2026-05-03,yandex,cpc\n5,2026-04-01,vk,cpc\n", "leads.csv")
    imp(dbf, "date,channel,spend\n2026-05-01,google_ads,100\n2026-04-01,yandex_direct,50\n", "spend.csv")
    r = db.Reader(dbf)
    un = r.query("health/unmatched_sources", {"tz": MSK})
    assert un[["kind", "source", "medium", "rows_n"]].values.tolist() == [
        ["leads", "tiktok", "cpc", 2], ["leads", "", "", 1]]
    assert r.query("health/lead_sources", {}).iloc[0][["leads_n", "without_source_n", "unknown_channel_n"]].tolist() == [5, 1, 3]
    mm = r.query("health/spend_leads_mismatch", {"from": date(2026, 5, 1), "to": date(2026, 5, 31), "tz": MSK})
    assert mm[["channel", "problem"]].values.tolist() == [["yandex_direct", "leads_no_spend"],
                                                         ["google_ads", "spend_no_leads"]]
    last = r.query("health/last_import_by_kind", {"tz": MSK}).set_index("kind")
    assert last.loc["leads", "rows_n"] == 5 and last.loc["leads", "last_file_name"] == "leads.csv"
    assert last.loc["spend", "last_file_name"] == "spend.csv"
    assert last.loc["orders", "rows_n"] == 0 and last["last_file_name"].isna()["orders"]


def test_db_option_works_before_and_after_the_action(dbf, capsys):
    a = imp(dbf, SPEND_1)
    b = imp(dbf, SPEND_2)
    assert cli.main(["imports", "--db", str(dbf), "undo", str(b.import_id)]) == 0
    assert cli.main(["imports", "undo", str(a.import_id), "--db", str(dbf)]) == 0
    assert spend(dbf) == []
    assert cli.main(["rules", "--db", str(dbf), "export"]) == 0
    assert capsys.readouterr().out.count("yandex_direct") >= 3


def test_history_records_who_imported_and_who_undid(dbf, capsys):
    from fullfunnel import auth

    auth.set_actor("anna@acme.example")
    try:
        a = imp(dbf, SPEND_1, "may1.csv")
        auth.set_actor("boris@acme.example")
        assert cli.main(["imports", "undo", str(a.import_id), "--db", str(dbf)]) == 0
    finally:
        auth.set_actor(None)
    rows = db.Reader(dbf).query("imports/history", {"tz": MSK})
    assert rows[["imported_by", "undone_by"]].values.tolist() == [["anna@acme.example", "boris@acme.example"]]
    capsys.readouterr()
    assert cli.main(["imports", "--db", str(dbf)]) == 0
    assert "anna@acme.example  (undone) by boris@acme.example" in capsys.readouterr().out
