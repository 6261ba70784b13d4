"""Database engines other than a local DuckDB file.

`FULLFUNNEL_DB` (or `--db`) names the database. A file path is DuckDB (fullfunnel/db.py). A URL picks
ClickHouse (fullfunnel/engines/clickhouse.py):

- `clickhouse://user:password@host:8123/database` — a ClickHouse server over HTTP (clickhouse-connect);
  `clickhouses://` for HTTPS;
- `chdb:///path/to/folder` — ClickHouse in this process (chdb), data in that folder (one folder per
  process; `?database=NAME` picks a database in it, default `fullfunnel`); `chdb://:memory:` keeps it
  in memory.
"""
from __future__ import annotations

import os
import re

_URL = re.compile(r"(clickhouses?|chdb)://", re.IGNORECASE)


def is_url(target: str | os.PathLike | None) -> bool:
    """True when the database named is a ClickHouse URL rather than a DuckDB file path."""
    return target is not None and bool(_URL.match(str(target)))


class Location(str):
    """A ClickHouse database URL where code expects the database file's path (`db.db_path`).

    It answers the few questions asked of a path: it exists (the server says otherwise on first use),
    is no folder, and keeps its side files (saved column mappings) in the project's data folder.
    """

    @property
    def url(self) -> str:
        return str(self)

    def exists(self) -> bool:
        return True

    def is_dir(self) -> bool:
        return False

    @property
    def parent(self):
        from fullfunnel import db

        return db.DEFAULT_DB.parent

    @property
    def name(self) -> str:
        return shown(self)


def shown(url: str) -> str:
    """The URL without its password, for messages and the page footer."""
    from urllib.parse import urlsplit

    u = urlsplit(str(url))
    return str(url).replace(f":{u.password}@", ":***@", 1) if u.password else str(url)


def configured_url() -> str | None:
    """`[database] url = "clickhouse://..."` in the secrets file (keeps the password out of the environment)."""
    from fullfunnel import secrets

    try:
        url = (secrets.load().get("database") or {}).get("url")
    except Exception:  # a broken secrets file is reported by what reads it for its own part
        return None
    return str(url) if url else None
