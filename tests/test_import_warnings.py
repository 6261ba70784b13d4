"""Warnings at import: every lead in `unknown`, no qualification, money in another currency."""
from __future__ import annotations

import pytest

from fullfunnel.importing import cli, import_bytes

pytestmark = pytest.mark.usefixtures("moscow_tz")


def imp(dbf, text: str, name: str = "f.csv"):
    return import_bytes(text.encode(), name, db_file=dbf)


def codes(res) -> list[str]:
    return [c for c, _ in res.warnings]


def test_every_lead_in_unknown_and_no_qualification_are_said(dbf):
    res = imp(dbf, "lead_id,created_at,source\nL1,2026-05-01,partner_x\nL2,2026-05-02,partner_x\n")
    assert codes(res) == ["unknown_channel", "no_qualification"]
    text = cli.summary(res)
    assert "all 2 lead(s) landed in the channel unknown" in text and "partner_x / —" in text
    assert "junk rate is unknown" in text
    assert "неизвестна" in res.warning_texts("ru")[1]


def test_leads_with_a_channel_and_qualification_get_no_warning(dbf):
    res = imp(dbf, "lead_id,created_at,source,medium,qualification\nL1,2026-05-01,yandex,cpc,target\n"
                   "L2,2026-05-02,partner_x,,junk\n")
    assert codes(res) == []   # one lead matched a rule (yandex / cpc): not all are unknown


def test_a_deal_in_another_currency_than_the_report_one(dbf):
    imp(dbf, "date,channel,spend,currency\n2026-05-01,seo,100,RUB\n2026-05-02,seo,100,RUB\n")
    res = imp(dbf, "deal_id,created_at,stage,status,amount,currency\nD1,2026-05-01,Won,won,10,USD\n"
                   "D2,2026-05-01,Won,won,10,RUB\n")
    assert res.warnings == [("currency", {"n": 1, "kind": "deals", "currency": "USD", "report": "RUB"})]
    assert "1 deals row(s) are in USD, not the report currency RUB" in cli.summary(res)
