"""A real `streamlit run` server and Debian's Chromium (through Playwright), for the Weekly meeting
figure of `python -m fullfunnel bench` and for the browser tests (tests/live.py): time from
navigation until the page is drawn (its script run over and the meeting's cards on screen), by the
page's own clock and as the test driver saw it."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
DRAWN = "[data-testid='stApp'][data-test-script-state='notRunning'] [data-testid='stMetric']"
WEEKLY_DRAWN = ("[data-testid='stApp'][data-test-script-state='notRunning'] .st-key-wk_cards "
                "[data-testid='stMetric']")


class NotHealthy(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path | str, log_path: Path, secrets_file: Path, env: dict | None = None):
    """`streamlit run app.py` on the database (a file or a ClickHouse URL), bound to 127.0.0.1, with
    the given secrets file (never the project's own: a configured sign-in would hide every page);
    yields the base URL once the server answers its health check."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--secrets.files", str(secrets_file)],
        cwd=ROOT, env=dict(env or os.environ, FULLFUNNEL_DB=str(db)), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise NotHealthy(f"the Streamlit server never became healthy (its log: {log_path})")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: `python3 -m fullfunnel test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


# Records, in the page, when each of the selectors above starts to match (the frame after it did, so
# the page has been painted with it) on the page's own clock, and when the last click happened: the
# moment people see the page drawn, without the time the test driver takes to notice it (Playwright
# polls the page and answers over two process hops, 0.2–0.4 s more on two busy cores).
_RECORDER = """(sels => {
  const drawn = window.__ffDrawn = {}, on = {};
  const check = () => {
    for (const s of sels) {
      const now = document.querySelector(s) !== null;
      if (now && !on[s]) requestAnimationFrame(() => requestAnimationFrame(() => { drawn[s] = performance.now(); }));
      on[s] = now;
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  document.addEventListener("click", () => { window.__ffClick = performance.now(); }, true);
})(SELECTORS)"""


def recording(pg) -> None:
    """Make every document of the page record when DRAWN and WEEKLY_DRAWN start to match (see _RECORDER)."""
    pg.add_init_script(_RECORDER.replace("SELECTORS", json.dumps([DRAWN, WEEKLY_DRAWN])))


def _drawn_at(pg, drawn: str, after: str = "0") -> float:
    """The page's clock when `drawn` started to match after the moment `after` (JS), in ms."""
    sel = json.dumps(drawn)
    pg.wait_for_function(f"(window.__ffDrawn || {{}})[{sel}] > {after}", timeout=120_000)
    return pg.evaluate(f"window.__ffDrawn[{sel}]")


def _ready_ms(pg, url: str, drawn: str = WEEKLY_DRAWN) -> tuple[float, float]:
    """Milliseconds from loading the page's address to the page drawn (a script run over with the cards
    on screen): by the page's own clock (its navigation start), and as the test driver saw it."""
    t = time.perf_counter()
    pg.goto(url, wait_until="commit")   # a new document: no card is on screen until the run draws it
    pg.wait_for_selector(drawn, timeout=120_000)
    seen = (time.perf_counter() - t) * 1000
    return _drawn_at(pg, drawn), seen


def _clicked_ms(pg) -> tuple[float, float]:
    """Milliseconds from a click on "Weekly meeting" in the sidebar (another page on screen) to its
    cards drawn, by the page's clock and as the driver saw it: how people move between pages."""
    t = time.perf_counter()
    pg.locator("[data-testid='stSidebarNav'] a[href$='/weekly']").first.click()
    pg.wait_for_selector(WEEKLY_DRAWN, timeout=120_000)
    seen = (time.perf_counter() - t) * 1000
    return _drawn_at(pg, WEEKLY_DRAWN, "window.__ffClick") - pg.evaluate("window.__ffClick"), seen


def weekly_in_browser(path: Path) -> list[tuple[str, float, float]] | str:
    """(what, ms by the page's clock, ms as the driver saw it) for the Weekly meeting page, or a sentence
    saying why it could not be measured."""
    with tempfile.TemporaryDirectory() as tmp:
        no_secrets = Path(tmp) / "secrets.toml"
        no_secrets.write_text("")
        try:   # the browser first: without it no server is started for nothing
            with chromium() as b, streamlit_server(path, Path(tmp) / "server.log", no_secrets) as base:
                pg = b.new_page(viewport={"width": 1920, "height": 1080})
                recording(pg)
                first = _ready_ms(pg, f"{base}/weekly")
                _ready_ms(pg, f"{base}/kpis", DRAWN)
                clicked = _clicked_ms(pg)
                loaded = _ready_ms(pg, f"{base}/weekly")
        except (FileNotFoundError, NotHealthy) as e:
            return str(e)
    return [("address opened right after the server started (code loading, every query cold)", *first),
            ("from another page by its sidebar link (results cached)", *clicked),
            ("address opened again (a new browser session; results cached)", *loaded)]
