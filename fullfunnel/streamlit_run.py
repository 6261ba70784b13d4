"""`python -m fullfunnel.streamlit_run run app.py …`: Streamlit's own command line, with the dashboard's
code loaded while the server starts.

A Streamlit server imports what the pages use only when the first browser opens one: pandas, Altair,
the report and chart modules — about a second, which the first person to open the dashboard after a
start (the weekly meeting, after a restart) would wait on top of everything else. Here a thread
imports them as soon as the process starts, and has the first database connection's in-memory
instance made ahead (fullfunnel/db.py). Nothing is read from the database and no Streamlit call is
made: a page run still opens the file and asks for its own numbers. `fullfunnel up`, `fullfunnel
serve` and the bench's browser server start the dashboard this way; `streamlit run app.py` works
as well, only its first page waits for the imports.
"""
from __future__ import annotations

import importlib
import sys
import threading

# what the pages import, heaviest first (pandas and Altair are most of the time)
MODULES = (
    "pandas", "altair", "fullfunnel.ui", "fullfunnel.reports", "fullfunnel.charts", "fullfunnel.charts.channels",
    "fullfunnel.charts.funnel", "fullfunnel.charts.kpis", "fullfunnel.charts.products", "fullfunnel.charts.roi",
    "fullfunnel.charts.sales", "fullfunnel.charts.traffic", "fullfunnel.charts.weekly", "fullfunnel.export",
    "streamlit.elements.vega_charts", "streamlit.elements.arrow",
)


def load() -> None:
    """Import what the pages use; any failure is left for the first page run to report."""
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:   # the page that needs it shows the error, in a sentence
            return
    try:
        from fullfunnel import db

        db.keep_spare_instance()
    except Exception:
        return


def main() -> int:
    threading.Thread(target=load, name="fullfunnel-load", daemon=True).start()
    from streamlit.web import cli

    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
