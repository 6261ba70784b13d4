"""Native templates end to end: every kind, row rejects, --strict, natural keys, one transaction."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from fullfunnel import cli
from fullfunnel.importing import ImportRefused, import_bytes, import_file, load, read

from conftest import q

MSK = "Europe/Moscow"

NATIVE = {
    "leads": ("lead_id,created_at,channel,source,medium,qualification\n"
              "L1,2026-05-01 10:00,,yandex,cpc,target\nL2,2026-05-02,seo,,,junk\n", 2),
    "deals": ("deal_id,created_at,stage,status,lead_id,closed_at,amount,currency\n"
              "D1,2026-05-01 12:00,Won,won,L1,2026-05-03 12:00,1000.50,RUB\nD2,2026-05-02,New,open,,,,\n", 2),
    "deal_stages": ("deal_id,stage,entered_at\nD1,New,2026-05-01 12:00\nD1,Won,2026-05-03 12:00\n", 2),
    "stages": ("stage,position,kind,pipeline\nNew,1,open,Sales\nWon,2,won,Sales\nLost,3,lost,Sales\n", 3),
    "spend": ("date,channel,spend,campaign,impressions,clicks,currency\n"
              "2026-05-01,yandex_direct,1000,brand,10000,200,RUB\n2026-05-01,vk_ads,500,,,,\n", 2),
    "sessions": ("session_id,visitor_id,started_at,pageviews,duration_s,source,medium,converted\n"
                 "S1,V1,2026-05-01 10:00:00,3,120,google,cpc,1\nS2,V2,2026-05-01 11:00:00,1,5,,,0\n", 2),
    "traffic": ("date,sessions,visitors,channel,campaign,pageviews,duration_s,bounces,conversions\n"
                "2026-05-01,100,80,seo,,250,9000,30,2\n", 1),
    "activities": ("activity_id,at,manager,type,lead_id,deal_id,outcome,duration_s\n"
                   "A1,2026-05-01 10:05,Anna,call,L1,,reached,180\n", 1),
    "orders": ("order_id,ordered_at,client_id,product,revenue,quantity,cost,deal_id,channel,currency\n"
               "O1,2026-05-03,+7 999 000-00-01,Sofa,1000,1,600,D1,seo,RUB\n"
               "O1,2026-05-03,+7 999 000-00-01,Chair,200,2,,D1,seo,RUB\n", 2),
    "reviews": ("review_id,date,rating,source,product\nR1,2026-05-04,5,yandex_maps,Sofa\n", 1),
    "plans": ("month,metric,value,channel,manager\n2026-05,leads,100,,\n2026-05,spend,50000,yandex_direct,\n", 2),
}


pytestmark = pytest.mark.usefixtures("moscow_tz")


def content(dbf) -> str:
    """Every row of every table, as text: what "unchanged" means for the user."""
    con = duckdb.connect(str(dbf), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables order by 1").fetchall()]
        return "\n".join(
            f"{t}: {sorted(map(str, con.execute(f'select columns(*)::varchar from {t}').fetchall()))}"
            for t in tables)
    finally:
        con.close()


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def imp(dbf, text, name="file.csv", **kw):
    return import_bytes(text.encode(), name, db_file=dbf, **kw)


@pytest.mark.parametrize("kind", list(NATIVE))
def test_every_native_template_imports(dbf, kind):
    text, n = NATIVE[kind]
    res = imp(dbf, text, f"{kind}.csv")
    assert res.format == "native" and [k.kind for k in res.kinds] == [kind]
    assert (res.added, res.replaced, res.rejected) == (n, 0, 0)
    assert q(dbf, f"select count(*) from {kind}") == [(n,)]


def test_native_values(dbf):
    imp(dbf, NATIVE["leads"][0])
    imp(dbf, NATIVE["deals"][0])
    imp(dbf, NATIVE["sessions"][0])
    imp(dbf, NATIVE["plans"][0])
    assert q(dbf, f"select lead_id, timezone('{MSK}', created_at)::varchar, channel, channel_given from leads order by 1") == [
        ("L1", "2026-05-01 10:00:00", "yandex_direct", None), ("L2", "2026-05-02 00:00:00", "seo", "seo")]
    assert q(dbf, "select deal_id, amount::double, status, closed_at is null from deals order by 1") == [
        ("D1", 1000.5, "won", False), ("D2", None, "open", True)]
    assert q(dbf, "select session_id, channel, converted from sessions order by 1") == [
        ("S1", "google_ads", True), ("S2", "unknown", False)]
    assert q(dbf, "select month::varchar, metric, value, channel, manager from plans order by 2") == [
        ("2026-05-01", "leads", 100.0, "", ""), ("2026-05-01", "spend", 50000.0, "yandex_direct", "")]


def test_timestamp_with_offset_is_kept(dbf):
    imp(dbf, "lead_id,created_at\nL1,2026-05-01 10:00+05:00\nL2,2026-05-01T10:00:00Z\n")
    assert q(dbf, "select lead_id, (created_at at time zone 'UTC')::varchar from leads order by 1") == [
        ("L1", "2026-05-01 05:00:00"), ("L2", "2026-05-01 10:00:00")]


def test_row_rejects_name_line_column_reason(dbf):
    text = ("date,channel,spend\n"
            "2026-05-01,yandex_direct,100\n"
            "2026-05-02,yandex_direct,-5\n"        # line 3: negative
            "02/30/2026,yandex_direct,10\n"        # line 4: no such date
            ",vk_ads,10\n"                         # line 5: missing date
            "2026-05-03,vk_ads,12 apples\n"        # line 6: not a number
            "2026-05-04,vk_ads,\"1 234,5\"\n")     # line 7: fine (decimal comma, space thousands)
    res = imp(dbf, text)
    assert (res.added, res.rejected) == (2, 4)
    assert [(r.line, r.column, r.code) for r in res.rejects] == [
        (3, "spend", "negative"), (4, "date", "date"), (5, "date", "missing"), (6, "spend", "number")]
    assert res.rejects[0].text() == "line 3, column spend: negative value '-5'"
    assert "строка 6, колонка spend" in res.rejects[3].text("ru")
    assert q(dbf, "select spend::double from spend order by 1") == [(100.0,), (1234.5,)]


def test_strict_refuses_the_whole_file_and_changes_nothing(dbf):
    imp(dbf, NATIVE["spend"][0])
    before, before_sha = content(dbf), sha(dbf)
    with pytest.raises(ImportRefused, match=r"1 row\(s\) cannot be imported and --strict is on.*line 3, column spend"):
        imp(dbf, "date,channel,spend\n2026-05-05,seo,1\n2026-05-06,seo,-1\n", strict=True)
    assert content(dbf) == before and sha(dbf) == before_sha


def test_reimport_replaces_by_natural_key(dbf):
    text = NATIVE["spend"][0]
    first = imp(dbf, text)
    again = imp(dbf, text)
    assert (again.added, again.replaced) == (0, 2) and again.previous_import == first.import_id
    # a later, overlapping export: one day again with a corrected number, one new day
    later = imp(dbf, "date,channel,spend,campaign\n2026-05-01,yandex_direct,1100,brand\n2026-05-02,yandex_direct,900,brand\n")
    assert (later.added, later.replaced) == (1, 1)
    assert q(dbf, "select date::varchar, channel, campaign, spend::double from spend order by 1, 2") == [
        ("2026-05-01", "vk_ads", "", 500.0), ("2026-05-01", "yandex_direct", "brand", 1100.0),
        ("2026-05-02", "yandex_direct", "brand", 900.0)]


def test_repeated_key_in_one_file_keeps_the_last_row(dbf):
    res = imp(dbf, "lead_id,created_at,manager\nL1,2026-05-01,Anna\nL1,2026-05-02,Boris\n")
    assert (res.added, res.kinds[0].duplicates) == (1, 1)
    assert q(dbf, "select manager from leads") == [("Boris",)]


def test_contacts_are_hashed_consistently(dbf):
    imp(dbf, "lead_id,created_at,client_id\nL1,2026-05-01,+7 (999) 000-00-01\nL2,2026-05-01,8 999 000 00 01\n"
             "L3,2026-05-01,Anna@Example.com\nL4,2026-05-01,anna@example.com\nL5,2026-05-01,CRM-77\n")
    ids = dict(q(dbf, "select lead_id, client_id from leads"))
    assert ids["L1"] == ids["L2"] and ids["L3"] == ids["L4"] and len(set(ids.values())) == 3
    assert all(v.startswith("c") and len(v) == 17 for v in ids.values())
    assert "9990000001" not in str(ids) and "example" not in str(ids).lower()
    assert q(dbf, "select length(value) from settings where key = 'client_salt'") == [(32,)]
    imp(dbf, "order_id,ordered_at,client_id,product,revenue\nO1,2026-05-03,79990000001,Sofa,10\n")
    assert q(dbf, "select client_id from orders") == [(ids["L1"],)]


def test_a_failure_mid_write_leaves_the_database_untouched(dbf, monkeypatch):
    imp(dbf, NATIVE["leads"][0])
    before, before_sha = content(dbf), sha(dbf)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load.json, "dumps", boom)   # after all rows are written, before the log row
    fixture = Path(__file__).parent / "fixtures" / "imports" / "amocrm_deals.csv"
    with pytest.raises(RuntimeError):
        import_file(fixture, db_file=dbf)
    assert content(dbf) == before and sha(dbf) == before_sha


def test_dry_run_counts_but_changes_nothing(dbf):
    imp(dbf, NATIVE["spend"][0])
    before = sha(dbf)
    res = imp(dbf, NATIVE["spend"][0] + "2026-05-09,seo,5,,,,\n", dry_run=True)
    assert (res.added, res.replaced, res.dry_run) == (1, 2, True)
    assert sha(dbf) == before


# ---------------------------------------------------------------- bad files


def _xlsx_broken() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return buf.getvalue()


BAD = [
    ("empty.csv", b"", {}, "empty.csv is empty"),
    ("blank.csv", b"\r\n  \r\n", {}, "is empty"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, {}, "is a binary file"),
    ("report.pdf", b"%PDF-1.7\n...", {}, "is a PDF"),
    ("broken.xlsx", _xlsx_broken(), {}, "cannot be opened as an Excel workbook"),
    ("utf16.csv", b"\xff\xfe" + b"a\x00,\x00b" + b"\x00\xd8", {}, "cannot be read as such"),
    ("header_only.csv", b"lead_id,created_at\n", {}, "has a header but no data rows"),
    ("mystery.csv", b"foo,bar,baz\n1,2,3\n", {}, "The format of mystery.csv is not recognised"),
    ("no_date.csv", b"lead_id,channel,source\nL1,seo,google\n", {},
     "looks like leads data but lacks the required column(s) created_at"),
    ("spend.csv", b"date,channel,spend\n2026-05-01,seo,1\n", {"kind": "leads"}, "looks like spend data, not leads"),
    ("gads.csv", (Path(__file__).parent / "fixtures" / "imports" / "google_ads_campaigns.csv").read_bytes(),
     {"kind": "deals"}, "looks like a Google Ads report file (spend), not deals"),
    ("deals.csv", b"deal_id,created_at\nD1,2026-05-01\n", {"kind": "deals"},
     "lacks the column(s) stage that the deals template requires"),
    ("big.csv", b"lead_id,created_at\n" + b"L1,2026-05-01\n" * 100, {"limit": 1000}, "over the 0 MB limit"),
    ("x.csv", b"lead_id,created_at\nL1,2026-05-01\n", {"fmt": "nosuch"}, "Unknown format 'nosuch'"),
]


@pytest.mark.parametrize("name,data,kw,sentence", BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_with_a_sentence_and_no_change(dbf, name, data, kw, sentence):
    imp(dbf, NATIVE["leads"][0])
    before, before_sha = content(dbf), sha(dbf)
    with pytest.raises(ImportRefused) as e:
        import_bytes(data, name, db_file=dbf, **kw)
    msg = str(e.value)
    assert sentence in msg
    assert "\n" not in msg and msg.endswith(".")
    assert content(dbf) == before and sha(dbf) == before_sha


def test_cp1251_and_semicolon_native(dbf):
    text = "lead_id;created_at;manager\r\nL1;01.05.2026 10:00;Анна\r\n"
    res = import_bytes(text.encode("cp1251"), "leads.csv", db_file=dbf)
    assert res.added == 1 and q(dbf, "select manager from leads") == [("Анна",)]


# ---------------------------------------------------------------- big files: DuckDB reads them directly


def test_big_plain_file_is_read_by_duckdb_with_exact_line_numbers(dbf, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "FAST_MIN_BYTES", 0)
    lines = ["session_id,visitor_id,started_at,pageviews,duration_s,source,medium,campaign,landing_page,converted"]
    for i in range(1, 301):
        lines.append(f"S{i},V{i % 7},2026-05-01 10:{i % 60:02d}:00,{'x' if i == 150 else i % 5 + 1},{i},"
                     f"yandex,cpc,brand,/p,{i % 2}")
    f = tmp_path / "sessions.csv"
    f.write_text("\n".join(lines) + "\n")
    assert read.read_bytes(f.read_bytes(), f.name, f).fast is not None
    res = import_file(f, db_file=dbf)
    assert (res.added, res.rejected) == (299, 1)
    assert (res.rejects[0].line, res.rejects[0].column) == (151, "pageviews")
    assert q(dbf, "select count(*), sum(duration_s), min(channel), max(channel) from sessions") == [
        (299, sum(range(1, 301)) - 150, "yandex_direct", "yandex_direct")]


# ---------------------------------------------------------------- mapping files


def test_mapping_file_imports_any_csv(dbf, tmp_path):
    m = tmp_path / "vk.json"
    m.write_text(json.dumps({
        "title": "VK Ads statistics", "kind": "spend", "date_format": "DD.MM.YYYY", "decimal": ",",
        "columns": {"date": "Дата", "campaign": ["Кампания"], "spend": {"from": "Потрачено, ₽"},
                    "channel": {"value": "vk_ads"}, "clicks": "Клики"},
    }, ensure_ascii=False))
    f = tmp_path / "vk.csv"
    f.write_text("Дата;Кампания;Потрачено, ₽;Клики\n01.05.2026;Ретаргет;1 200,50;30\n02.05.2026;Ретаргет;99,5;3\n",
                 encoding="utf-8")
    from fullfunnel.importing.mapping import load_mapping

    res = import_file(f, db_file=dbf, mapping=load_mapping(m))
    assert res.format_title == "VK Ads statistics" and res.added == 2
    assert q(dbf, "select date::varchar, channel, spend::double, clicks from spend order by 1") == [
        ("2026-05-01", "vk_ads", 1200.5, 30), ("2026-05-02", "vk_ads", 99.5, 3)]


def test_mapping_file_mistakes_are_sentences(tmp_path):
    from fullfunnel.importing.mapping import loads

    with pytest.raises(ImportRefused, match="not valid JSON"):
        loads("{", "m.json")
    with pytest.raises(ImportRefused, match='"kind" must be one of'):
        loads('{"kind": "sales", "columns": {"a": "b"}}')
    with pytest.raises(ImportRefused, match="budget is not a column of the spend template"):
        loads('{"kind": "spend", "columns": {"budget": "b"}}')


# ---------------------------------------------------------------- the command line


def test_cli_import_prints_a_summary_and_exits_0(dbf, tmp_path, capsys):
    f = tmp_path / "spend.csv"
    f.write_text("date,channel,spend\n2026-05-01,seo,10\n2026-05-02,seo,-1\n")
    assert cli.main(["import", str(f), "--db", str(dbf)]) == 0
    out = capsys.readouterr().out
    assert "spend: 1 added, 0 replaced, 1 rejected" in out
    assert "line 3, column spend: negative value '-1'" in out


def test_cli_refusal_is_one_line_and_nonzero(dbf, tmp_path, capsys):
    f = tmp_path / "empty.csv"
    f.write_text("")
    assert cli.main(["import", str(f), "--db", str(dbf)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "error: empty.csv is empty: there is nothing to import."
    assert cli.main(["import", str(tmp_path / "nope.csv"), "--db", str(dbf)]) == 1
    assert "There is no file" in capsys.readouterr().err


def test_big_file_with_line_breaks_in_cells_falls_back_to_exact_reading(dbf, tmp_path, monkeypatch):
    monkeypatch.setattr(read, "FAST_MIN_BYTES", 0)
    f = tmp_path / "leads.csv"
    f.write_text('lead_id,created_at,manager\nL1,2026-05-01,"Anna\nPetrova"\n\nL2,2026-05-02,Boris\nL3,oops,Anna\n')
    assert read.read_bytes(f.read_bytes(), f.name, f).fast is not None   # looked plain from its head
    res = import_file(f, db_file=dbf)
    assert (res.added, res.rejected) == (2, 1)
    assert (res.rejects[0].line, res.rejects[0].column) == (6, "created_at")
    assert q(dbf, "select manager from leads order by lead_id") == [("Anna\nPetrova",), ("Boris",)]


def test_mixed_date_formats_in_one_column(dbf):
    # after Excel edits: ISO, DD.MM.YYYY, an Excel serial number (46145 = 2026-05-03), D/M/YYYY
    res = imp(dbf, "date,channel,spend\n2026-05-01,seo,1\n02.05.2026,seo,1\n46145,seo,1\n"
                   "4/5/2026,seo,1\n25/5/2026,seo,1\n")
    assert res.rejected == 0
    assert [d for (d,) in q(dbf, "select date::varchar from spend order by 1")] == [
        "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-25"]   # 25/5 makes the column D/M


def test_us_dates_and_numbers(dbf):
    res = imp(dbf, "deal_id,created_at,stage,amount\nD1,5/1/2026 3:05 PM,New,\"$1,250.50\"\n"
                   "D2,12/31/2026,New,\"USD 2,000\"\n")
    assert res.rejected == 0
    assert q(dbf, f"select deal_id, timezone('{MSK}', created_at)::varchar, amount::double from deals order by 1") == [
        ("D1", "2026-05-01 15:05:00", 1250.5), ("D2", "2026-12-31 00:00:00", 2000.0)]
