"""Sign-in end to end: a real OpenID Connect provider process (oidc-provider-mock) on localhost,
`python -m fullfunnel serve` with `[auth]` and `[access]` in a secrets file, and Debian's Chromium.

signed out → sign in → a viewer sees the reports but not Import (not even by URL); an admin imports
and the import history says who; a stranger's e-mail is refused with a sentence.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import duckdb
import pytest

from live import ROOT, errors_on, free_port, settle, upload

FIX = ROOT / "tests" / "fixtures" / "imports"
ENV = dict(os.environ, FULLFUNNEL_TZ="Europe/Moscow")


def wait_for(url: str, proc: subprocess.Popen, what: str) -> None:
    for _ in range(120):
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{what} never answered at {url}")


@contextmanager
def process(cmd: list[str], log_path, url: str, what: str):
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(url, proc, what)
        yield proc
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


@pytest.fixture(scope="module")
def site(tiny_db, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("auth")
    dbf = tmp / "ff.duckdb"
    shutil.copyfile(tiny_db, dbf)
    idp_port, port = free_port(), free_port()
    idp = f"http://127.0.0.1:{idp_port}"
    secrets = tmp / "secrets.toml"
    secrets.write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "test-cookie-secret-0123456789abcdef"
client_id = "fullfunnel"
client_secret = "fullfunnel-secret"
server_metadata_url = "{idp}/.well-known/openid-configuration"

[access]
admins = ["boss@acme.example"]
viewers = ["@acme.example"]
""")
    with process([sys.executable, "-m", "oidc_provider_mock", "--port", str(idp_port)], tmp / "idp.log",
                 f"{idp}/.well-known/openid-configuration", "the OIDC provider"):
        with process([sys.executable, "-m", "fullfunnel", "serve", "--host", "127.0.0.1", "--port", str(port),
                      "--db", str(dbf), "--secrets", str(secrets)], tmp / "serve.log",
                     f"http://127.0.0.1:{port}/_stcore/health", "fullfunnel serve"):
            yield f"http://127.0.0.1:{port}", dbf


def test_first_request_after_start_is_an_admin_page_and_still_gated(site, browser):
    # the very first request the fresh server sees: a signed-out deep link to an admin page
    base, _ = site
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    try:
        pg.goto(base + "/settings")
        settle(pg)
        body = pg.inner_text("body")
        assert "Sign in to see your company's numbers." in body
        assert "Business time zone" not in body and not pg.query_selector("input")
        pg.goto(base + "/import")
        settle(pg)
        assert "Sign in to see your company's numbers." in pg.inner_text("body")
        assert not pg.query_selector("input[type='file']")
    finally:
        ctx.close()


def sign_in(browser, base: str, email: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    pg.goto(base + "/")
    settle(pg)
    body = pg.inner_text("body")
    assert "Sign in to see your company's numbers." in body
    assert "Overview" not in body and "Ad spend" not in body          # nothing shown before sign-in
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_selector("input[name='sub']", timeout=30_000)          # the provider's own sign-in form
    pg.fill("input[name='sub']", email)
    pg.get_by_role("button", name="Authorize").click()
    pg.wait_for_url(re.compile(re.escape(base) + r"/?(\?.*)?$"), timeout=30_000)
    settle(pg)
    return ctx, pg


def nav_links(pg) -> list[str]:
    return [x.inner_text().strip().splitlines()[-1] for x in pg.query_selector_all("[data-testid='stSidebarNav'] a")]


def test_viewer_sees_reports_but_no_admin_page(site, browser):
    base, _ = site
    ctx, pg = sign_in(browser, base, "anna@acme.example")
    try:
        assert errors_on(pg) == []
        body = pg.inner_text("body")
        assert "Signed in as anna@acme.example · viewer" in body
        links = nav_links(pg)
        assert "Overview" in links and "Weekly meeting" in links and "Channels" in links
        assert not {"Import", "Data health", "Settings"} & set(links)
        for url in ("import", "settings", "data_health"):           # typing the address leads nowhere
            pg.goto(f"{base}/{url}")
            settle(pg)
            assert "Upload" not in pg.inner_text("body") and "Import history" not in pg.inner_text("body")
            assert not pg.query_selector("input[type='file']")
            assert "Business time zone" not in pg.inner_text("body")
    finally:
        ctx.close()


def test_admin_imports_and_the_history_says_who(site, browser):
    base, dbf = site
    ctx, pg = sign_in(browser, base, "boss@acme.example")
    try:
        assert "Signed in as boss@acme.example · admin" in pg.inner_text("body")
        assert {"Import", "Data health", "Settings"} <= set(nav_links(pg))
        pg.goto(f"{base}/import")
        settle(pg)
        upload(pg, FIX / "google_ads_campaigns.csv", "Recognised as")
        settle(pg)
        pg.get_by_role("button", name="Import 1 file(s)").click()
        pg.get_by_text("Import finished", exact=False).wait_for(timeout=60_000)
        settle(pg)
        assert errors_on(pg) == []
        con = duckdb.connect(str(dbf), read_only=True)
        try:
            rows = con.execute("select file_name, imported_by from import_log").fetchall()
        finally:
            con.close()
        assert rows == [("google_ads_campaigns.csv", "boss@acme.example")]
    finally:
        ctx.close()


def test_a_stranger_is_refused_with_a_sentence(site, browser):
    base, _ = site
    ctx, pg = sign_in(browser, base, "eve@elsewhere.example")
    try:
        body = pg.inner_text("body")
        assert ("The address eve@elsewhere.example is not on this fullfunnel's access list. Ask whoever runs it "
                "to add you, or sign out and sign in with another account.") in body
        assert "Overview" not in body and "Ad spend" not in body and nav_links(pg) == []
        pg.goto(f"{base}/channels")
        settle(pg)
        assert "not on this fullfunnel's access list" in pg.inner_text("body")
        assert "yandex_direct" not in pg.inner_text("body")
    finally:
        ctx.close()
