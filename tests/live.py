"""Shared by the real-browser tests: a `streamlit run` server on a free port and Debian's Chromium."""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from fullfunnel import bench_browser as browser_parts
# Chromium and a free port as the bench has them (tests import them from here)
from fullfunnel.bench_browser import ROOT, chromium, free_port  # noqa: F401


def small_demo(path: Path) -> Path:
    """A 120-day demo database at 5 % of the default size: every page has something to draw, quickly."""
    subprocess.run([sys.executable, "-m", "fullfunnel", "demo", "--db", str(path), "--days", "120",
                    "--scale", "0.05"], cwd=ROOT, check=True, capture_output=True)
    return path


@contextmanager
def streamlit_server(db_path: Path, log_path: Path, env: dict | None = None):
    """`streamlit run app.py` on the database, bound to 127.0.0.1; yields the base URL once healthy.
    Never with the project's own .streamlit/secrets.toml: a configured sign-in would hide every page."""
    try:
        with browser_parts.streamlit_server(db_path, log_path, ROOT / "tests" / "no-secrets.toml", env) as base:
            yield base
    except browser_parts.NotHealthy as e:
        pytest.fail(str(e))


def settle(pg) -> None:
    """Wait until the script run is over and the page is drawn."""
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    pg.wait_for_timeout(700)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)


def errors_on(pg) -> list[str]:
    return [e.inner_text()[:300] for e in pg.query_selector_all("[data-testid='stException']")]


def upload(pg, path, until: str, timeout: int = 180_000) -> None:
    """Drop a file on the page's first uploader and wait for `until` to show.

    A script rerun that redraws the uploader between the drop and the upload loses the file; then the
    file is dropped again (its chip never appeared). On a timeout the test says what the page showed."""
    import re as _re
    name = Path(path).name
    waited, step = 0, 20_000
    pg.locator("input[type='file']").first.set_input_files(str(path))
    while True:
        try:
            pg.get_by_text(until, exact=False).first.wait_for(timeout=step)
            return
        except Exception:
            waited += step
            if waited >= timeout:
                pytest.fail(f"{until!r} never showed after dropping {name}; the page showed:\n"
                            + pg.inner_text("body")[:3000])
            chips = pg.locator("[data-testid='stFileChipName']", has_text=_re.compile(_re.escape(name)))
            if chips.count() == 0:
                pg.locator("input[type='file']").first.set_input_files(str(path))
