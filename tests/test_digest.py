"""Digests: the Weekly meeting and the daily reports as one HTML file, sent by e-mail (a real SMTP
server, aiosmtpd, on localhost) and to Telegram (pytest-httpserver standing in for the Bot API).

Numbers are checked by hand against the tiny database of conftest.py. ISO week 2026-W45 is
Mon 2026-11-02 … Sun 2026-11-08 (Moscow): spend 2000 (Nov 3) + 1000 (Nov 5) = ₽3,000; leads L2, L3,
L4, L5, L8 = 5 (L1 is Sunday Nov 1, the week before); won D1 10000 + D2 6000 = ₽16,000 (D5 is USD).
"""
from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
from datetime import date

import pytest

from fullfunnel import cli, db, fmt
from fullfunnel.digest import render
from fullfunnel.filters import build
from fullfunnel.reports import weekly as W

TODAY = date(2026, 12, 2)


def _filters(run):
    return build(run)


@pytest.fixture
def tiny_copy(tiny_db, tmp_path):
    p = tmp_path / "tiny.duckdb"
    shutil.copyfile(tiny_db, p)
    return p


def test_weekly_html_has_the_weeks_numbers_and_is_self_contained(tiny_run):
    d = render.weekly(tiny_run, _filters(tiny_run), "2026-W45", today=TODAY)
    assert d.key == "2026-W45" and d.file_name == "fullfunnel-weekly-2026-W45.html"
    text = re.sub(r"<[^>]+>", " ", d.html)
    assert "₽3,000" in text and "₽16,000" in text          # spend and revenue, by hand
    assert re.search(r"Leads\s+5\b", text)
    # every headline value is the one `report weekly` prints, formatted as the page does
    rep = W.weekly(tiny_run, _filters(tiny_run), "2026-W45", TODAY).set_index("metric")
    for m, unit in W.UNITS.items():
        assert fmt.value(rep.loc[m, "value"], unit, "en", "RUB") in text, m
    # charts are inline SVG; nothing to fetch from a network
    assert d.html.count("<svg") >= 2
    assert not re.search(r"""(src|href)=["']?https?:""", d.html)
    assert "<script" not in d.html and "<link" not in d.html
    assert "Anna" in text and "Boris" in text               # managers


def test_weekly_in_russian(tiny_run):
    d = render.weekly(tiny_run, _filters(tiny_run), "2026-W45", today=TODAY, lang="ru")
    assert "Планёрка" in d.html and "3\u00a0000\u00a0₽" in d.html


def test_daily_compares_with_the_same_weekday_a_week_before(tiny_run):
    # Tue 2026-11-03: lead L3 (yandex_direct), spend ₽2,000, session S2; Tue 2026-10-27: session S4 only
    d = render.daily(tiny_run, _filters(tiny_run), "2026-11-03", today=TODAY)
    text = re.sub(r"<[^>]+>", " ", d.html)
    assert d.key == "2026-11-03"
    assert "Oct 27, 2026" in text
    row = re.search(r"<tr><td>yandex_direct</td>(.*?)</tr>", d.html).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[0] == "1" and cells[1] == "0" and cells[3] == "₽2,000" and cells[4] == "₽0"
    assert "No orders on this day." in text
    assert "Leads 1" in d.summary


def test_no_data_is_a_sentence(tiny_copy, capsys):
    assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W30"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: There is no data for the week 2026-W30") and "\n" == err[-1] and err.count("\n") == 1


def test_pdf_is_a_pdf(tiny_copy, tmp_path):
    out = tmp_path / "w.pdf"
    assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--pdf", "--out", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000


# ---------------------------------------------------------------- e-mail


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    from tests.live import free_port

    inbox = Inbox()
    c = Controller(inbox, hostname="127.0.0.1", port=free_port())
    c.start()
    try:
        yield c.port, inbox
    finally:
        c.stop()


def _secrets(tmp_path, text: str):
    p = tmp_path / "secrets.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_weekly_by_email_once(smtp_server, tiny_copy, tmp_path, capsys):
    port, inbox = smtp_server
    s = _secrets(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           'from = "ff@example.com"\nto = ["owner@example.com", "cmo@example.com"]\n')
    args = ["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--send", "--secrets", str(s)]
    assert cli.main(args) == 0
    assert "sent weekly 2026-W45 by e-mail to owner@example.com, cmo@example.com" in capsys.readouterr().out
    assert len(inbox.messages) == 1
    rcpt, msg = inbox.messages[0]
    assert rcpt == ["owner@example.com", "cmo@example.com"]
    assert msg["Subject"] == "Weekly meeting · Week 45 · 2–8 Nov 2026"
    html = msg.get_body(("html",)).get_content()
    text = re.sub(r"<[^>]+>", " ", html)
    assert "₽3,000" in text and "₽16,000" in text and re.search(r"Leads\s+5\b", text)
    # charts travel as inline PNG images (mail apps drop inline SVG); the attached file keeps the SVG
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert len(cids) == 2 and "<svg" not in html
    images = {p["Content-ID"].strip("<>"): p for p in msg.walk() if p.get_content_type() == "image/png"}
    assert set(images) == set(cids) and all(p.get_content()[:4] == b"\x89PNG" for p in images.values())
    files = [p for p in msg.iter_attachments() if p.get_content_type() != "image/png"]
    assert [p.get_filename() for p in files] == ["fullfunnel-weekly-2026-W45.html"]
    assert files[0].get_content().count("<svg") == 2
    # a second run (cron twice, a retry) sends nothing
    assert cli.main(args) == 0
    assert "already sent by email" in capsys.readouterr().out
    assert len(inbox.messages) == 1
    # the same week for one channel is another digest, sent once too
    assert cli.main(args + ["--channel", "seo"]) == 0 and cli.main(args + ["--channel", "seo"]) == 0
    assert len(inbox.messages) == 2 and "channels: seo" in inbox.messages[1][1].get_body(("html",)).get_content()


def test_smtp_unreachable_is_a_sentence_and_nothing_is_remembered(tiny_copy, tmp_path, capsys):
    from tests.live import free_port

    s = _secrets(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nsecurity = "none"\n'
                           'from = "ff@example.com"\nto = "owner@example.com"\n')
    assert cli.main(["digest", "daily", "--db", str(tiny_copy), "--date", "2026-11-03", "--send",
                     "--secrets", str(s)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: Cannot reach the mail server 127.0.0.1:")
    assert db.Reader(tiny_copy).query("digest/sent", {"kind": "daily"}).empty


def test_nowhere_to_send(tiny_copy, tmp_path, capsys):
    s = _secrets(tmp_path, "")
    assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--send",
                     "--secrets", str(s)]) == 1
    assert "Nowhere to send: set up [smtp] or [telegram]" in capsys.readouterr().err


# ---------------------------------------------------------------- Telegram


def _form(req) -> dict:
    return {k: v for k, v in req.form.items()}


def test_weekly_to_telegram(httpserver, tiny_copy, tmp_path, capsys):
    ok = {"ok": True, "result": {}}
    for method in ("sendPhoto", "sendDocument"):
        httpserver.expect_ordered_request(f"/botTOKEN1/{method}", method="POST").respond_with_json(ok)
    s = _secrets(tmp_path, f'[telegram]\nbot_token = "TOKEN1"\nchat_id = "-100777"\napi_url = "{httpserver.url_for("")}"\n')
    assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--send",
                     "--secrets", str(s)]) == 0
    assert "sent weekly 2026-W45 to Telegram chat -100777" in capsys.readouterr().out
    httpserver.check_assertions()
    (photo_req, _), (doc_req, _) = httpserver.log
    form = _form(photo_req)
    assert form["chat_id"] == "-100777"
    assert "Leads 5" in form["caption"] and "Spend ₽3,000" in form["caption"] and "revenue ₽16,000" in form["caption"]
    assert photo_req.files["photo"].read()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = doc_req.files["document"]
    assert doc.filename == "fullfunnel-weekly-2026-W45.html" and b"<svg" in doc.read()


def test_telegram_bad_token_is_a_sentence(httpserver, tiny_copy, tmp_path, capsys):
    httpserver.expect_request("/botBAD/sendPhoto").respond_with_json(
        {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
    s = _secrets(tmp_path, f'[telegram]\nbot_token = "BAD"\nchat_id = "1"\napi_url = "{httpserver.url_for("")}"\n')
    assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--send",
                     "--secrets", str(s)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("error: Telegram refused the bot token (401 Unauthorized): check [telegram] bot_token in the "
                   "secrets file.")
    assert db.Reader(tiny_copy).query("digest/sent", {"kind": "weekly"}).empty


# ---------------------------------------------------------------- alerts


def test_alerts_are_sent_once_per_channel_and_window(httpserver, tiny_copy, tmp_path, capsys):
    # telegram_ads spends on Nov 6 and Nov 20 and never brings a lead: burning money
    with db.writer(tiny_copy) as con:
        con.execute("insert into spend (date, channel, campaign, spend, currency) values "
                    "('2026-11-06', 'telegram_ads', 'x', 500, 'RUB'), ('2026-11-20', 'telegram_ads', 'x', 700, 'RUB')")
    httpserver.expect_request("/botT/sendMessage").respond_with_json({"ok": True, "result": {}})
    s = _secrets(tmp_path, f'[telegram]\nbot_token = "T"\nchat_id = "5"\napi_url = "{httpserver.url_for("")}"\n')

    def send(day):
        return cli.main(["digest", "alerts", "--db", str(tiny_copy), "--date", day, "--send", "--secrets", str(s)])

    assert send("2026-11-08") == 0
    assert len(httpserver.log) == 1
    text = _form(httpserver.log[0][0])["text"]
    assert "telegram_ads" in text and "₽500" in text and "Burning money" in text
    assert send("2026-11-09") == 0       # same alert, same window: not again
    assert send("2026-11-21") == 0       # window Nov 8 … 21 still overlaps the one sent
    assert len(httpserver.log) == 1
    assert "no new alerts for telegram" in capsys.readouterr().out
    assert send("2026-11-23") == 0       # window Nov 10 … 23: a new window, spend ₽700 in it
    assert len(httpserver.log) == 2
    assert "₽700" in _form(httpserver.log[1][0])["text"]
    sent = db.Reader(tiny_copy).query("digest/sent", {"kind": "alert"})
    assert sorted(sent["key"]) == ["telegram_ads||burning_money"] * 2


def test_daily_product_report(tiny_copy):
    # Tue 2026-11-03: P1 ₽1,000 (cost 100, 1 unit, margin 90 %), P2 ₽500 (cost 250, 5 units, 50 %),
    # P3 ₽300 (cost 240, 3 units, 20 %). Medians: margin 50 %, units 3 → only P1 is worth promoting.
    # A week before (Tue 2026-10-27): one order, P2 ₽400 (cost 200).
    with db.writer(tiny_copy) as con:
        con.execute("insert into orders (order_id, ordered_at, client_id, product, revenue, quantity, cost, currency) "
                    "values ('O1', '2026-11-03 10:00:00+03', 'C1', 'P1', 1000, 1, 100, 'RUB'), "
                    "('O2', '2026-11-03 11:00:00+03', 'C2', 'P2', 500, 5, 250, 'RUB'), "
                    "('O2', '2026-11-03 11:00:00+03', 'C2', 'P3', 300, 3, 240, 'RUB'), "
                    "('O3', '2026-10-27 11:00:00+03', 'C3', 'P2', 400, 2, 200, 'RUB')")
    run = db.Reader(tiny_copy).query
    d = render.daily(run, _filters(run), "2026-11-03", today=TODAY)
    products = d.html.split("<h2>Products</h2>", 1)[1]
    text = re.sub(r"<[^>]+>", " ", products)
    # cards: revenue 1800 vs 400 (+350 %), gross profit 1800 − 590 = 1210, orders 2
    assert re.search(r"Revenue\s+₽1,800\s+\+350\.0%\s+A week before: ₽400", text)
    assert re.search(r"Gross profit\s+₽1,210", text)
    assert re.search(r"Orders\s+2\s", text)
    rows = re.findall(r"<tr><td>(\d)</td><td class=\"t\">(P\d)</td><td>([\d,]+)</td><td>(₽[\d,]+)</td><td>(₽[\d,]+)</td>",
                      products)
    assert rows == [("1", "P1", "1", "₽1,000", "₽900"), ("2", "P2", "5", "₽500", "₽250"), ("3", "P3", "3", "₽300", "₽60")]
    promote = products.split("Worth promoting", 1)[1]
    assert "<li>P1: margin 90.0%, units sold: 1</li>" in promote and "P2" not in promote and "P3" not in promote
    assert "Product revenue ₽1,800 · gross profit ₽1,210" in d.summary


class Refusing(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"


def test_smtp_refusing_the_recipient_is_a_sentence(tiny_copy, tmp_path, capsys):
    from aiosmtpd.controller import Controller

    from tests.live import free_port

    c = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    c.start()
    try:
        s = _secrets(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {c.port}\nsecurity = "none"\n'
                               'from = "ff@example.com"\nto = "nobody@example.com"\n')
        assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--send",
                         "--secrets", str(s)]) == 1
    finally:
        c.stop()
    err = capsys.readouterr().err.strip()
    assert err == (f"error: The mail server 127.0.0.1:{c.port} refused every recipient: "
                   "nobody@example.com (550 5.1.1 No such mailbox).")


def test_a_broken_secrets_file_is_a_sentence(tiny_copy, tmp_path, capsys):
    s = _secrets(tmp_path, '[smtp\nhost = "x"\n')
    assert cli.main(["digest", "weekly", "--db", str(tiny_copy), "--week", "2026-W45", "--send",
                     "--secrets", str(s)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: The secrets file {s} is not valid TOML (") and err.count("\n") == 1
