"""Database engines other than a local DuckDB file.

`FULLFUNNEL_DB` (or `--db`) names the database. A file path is DuckDB (fullfunnel/db.py). A URL picks
ClickHouse (fullfunnel/engines/clickhouse.py):

- `clickhouse://user:password@host:8123/database` — a ClickHouse server over HTTP (clickhouse-connect);
  `clickhouses://` for HTTPS;
- `chdb:///path/to/folder` — ClickHouse in this process (chdb), data in that folder; `chdb://:memory:`
  keeps it in memory (tests).
"""
from __future__ import annotations

import os
import re

_URL = re.compile(r"(clickhouses?|chdb)://", re.IGNORECASE)


def is_url(target: str | os.PathLike | None) -> bool:
    """True when the database named is a ClickHouse URL rather than a DuckDB file path."""
    return target is not None and bool(_URL.match(str(target)))
