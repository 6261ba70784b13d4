"""`python -m fullfunnel.streamlit_run run app.py …`: Streamlit's own command line, with the libraries
the pages use loaded while the server starts.

A Streamlit server imports what the pages use only when the first browser opens one: pandas,
Altair, pyarrow and Streamlit's chart and table elements — most of a second, which the first
person to open the dashboard after a start (the weekly meeting, after a restart) would wait on top
of everything else. Here a thread imports them as soon as the process starts. Only third-party
modules: the dashboard's own (a tenth of the time) are left to the first page run, so the two
threads never import each other's modules in opposite orders. Nothing is read from the database
and no Streamlit call is made. `fullfunnel up`, `fullfunnel serve` and the bench's and tests'
browser server start the dashboard this way; `streamlit run app.py` works as well, only its first
page waits for the imports.
"""
from __future__ import annotations

import importlib
import sys
import threading

# what the pages import, heaviest first
MODULES = ("pandas", "pyarrow", "altair", "babel.numbers", "streamlit.elements.vega_charts",
           "streamlit.elements.arrow", "streamlit.elements.lib.pandas_styler_utils")


def load() -> None:
    """Import the libraries the pages use; a failure is left for the first page run to report."""
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:   # the page that needs it shows the error, in a sentence
            return


def main() -> int:
    threading.Thread(target=load, name="fullfunnel-load", daemon=True).start()
    from streamlit.web import cli

    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
