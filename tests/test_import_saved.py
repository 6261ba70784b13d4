"""Mappings saved from the Import page recognise the next file with the same header; the CLI takes them."""
from __future__ import annotations

import json

import pytest

from fullfunnel import cli
from fullfunnel.importing import ImportRefused, import_bytes, saved

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")

CRM = "Номер,Создан,Откуда,Статус\n17,03.05.2026,yandex,Новый\n18,04.05.2026,google,Спам\n"
CRM2 = "Номер,Создан,Откуда,Статус\n19,05.05.2026,vk,Новый\n"


def test_an_unrecognised_file_then_a_saved_mapping_then_the_next_file(dbf, tmp_path, capsys):
    with pytest.raises(ImportRefused, match="not recognised"):
        import_bytes(CRM.encode(), "crm.csv", db_file=dbf)
    conf = saved.build("My CRM leads", "leads", ["Номер", "Создан", "Откуда", "Статус"],
                       {"lead_id": ("column", "Номер"), "created_at": ("column", "Создан"),
                        "source": ("column", "Откуда"), "medium": ("value", "cpc")})
    path = saved.save(conf, dbf)
    assert path == dbf.parent / "mappings" / "my_crm_leads.json"
    res = import_bytes(CRM.encode(), "crm.csv", db_file=dbf)
    assert res.format_title == "My CRM leads" and res.added == 2
    res = import_bytes(CRM2.encode(), "crm2.csv", db_file=dbf)      # the next export: recognised by its header
    assert res.added == 1
    assert q(dbf, "select lead_id, medium, channel from leads order by 1") == [
        ("17", "cpc", "yandex_direct"), ("18", "cpc", "google_ads"), ("19", "cpc", "vk_ads")]
    # the same file is a mapping file the command line takes
    other = tmp_path / "other.duckdb"
    f = tmp_path / "crm.csv"
    f.write_text(CRM)
    assert cli.main(["import", str(f), "--db", str(other), "--mapping", str(path)]) == 0
    assert q(other, "select count(*) from leads") == [(2,)]
    assert json.loads(path.read_text())["header"] == ["Номер", "Создан", "Откуда", "Статус"]


def test_money_unit_and_date_order_are_kept(dbf):
    conf = saved.build("Deals", "deals", ["id", "day", "stage", "sum"],
                       {"deal_id": ("column", "id"), "created_at": ("column", "day"), "stage": ("column", "stage"),
                        "amount": ("column", "sum")}, date_order="mdy", unit="cents")
    assert conf["columns"]["amount"] == {"from": "sum", "unit": "cents"} and conf["date_order"] == "mdy"
    saved.save(conf, dbf)
    import_bytes(b"id,day,stage,sum\n1,03/04/2026,New,12550\n", "d.csv", db_file=dbf)
    assert q(dbf, "select timezone('Europe/Moscow', created_at)::date::varchar, amount::double from deals") == [("2026-03-04", 125.5)]
