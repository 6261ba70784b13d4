"""The Weekly page's download buttons: the same file `python -m fullfunnel digest weekly` writes.

The file is made only when the button is clicked (Streamlit runs the callable on its own thread, so it
reads the database through its own `db.Reader`, not the page's cached runner).
"""
from __future__ import annotations

from typing import Callable

from fullfunnel import FullfunnelError, db
from fullfunnel.filters import Filters


def weekly_file(f: Filters, week: str, lang: str, as_pdf: bool = False) -> Callable[[], bytes]:
    def make() -> bytes:
        from fullfunnel.digest import deliver, render

        try:
            d = render.weekly(db.Reader(db.db_path()).query, f, week, lang=lang)
            return deliver.pdf(d.html) if as_pdf else d.html.encode("utf-8")
        except FullfunnelError as e:  # the file says what went wrong instead of being empty
            page = render.page("fullfunnel", "", f"<p>{render.e(e)}</p>", f"weekly --week {week}", lang)
            return deliver.pdf(page) if as_pdf else page.encode("utf-8")

    return make


def pdf_available() -> bool:
    from fullfunnel.digest import deliver

    try:
        deliver.chromium_path()
        return True
    except FullfunnelError:
        return False
