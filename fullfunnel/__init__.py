"""fullfunnel: ad spend → traffic → leads → deals → revenue, on one DuckDB file.

Kept free of third-party imports so `python3 -m fullfunnel up|test` can bootstrap a fresh machine.
"""

__version__ = "0.1.0"


class FullfunnelError(Exception):
    """An error a user can cause and fix; its message is one plain sentence, shown without a traceback."""
