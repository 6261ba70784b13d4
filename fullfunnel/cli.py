"""`python -m fullfunnel COMMAND ...`: the command line. Each area registers its own subcommands."""
from __future__ import annotations

import argparse
import importlib
import sys

from fullfunnel import FullfunnelError, __version__

# Modules that add subcommands: each has `register(subparsers)`; a subcommand sets `func(args) -> int`.
COMMAND_MODULES = [
    "fullfunnel.demo",
    "fullfunnel.reports",
    "fullfunnel.settings",
    "fullfunnel.importing.cli",
    "fullfunnel.bench",
    "fullfunnel.serve",
    "fullfunnel.digest",
    "fullfunnel.sync",
]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m fullfunnel",
        description="fullfunnel: ad spend → traffic → leads → deals → revenue on one DuckDB file. "
        "Bootstrap commands on a bare machine: `python3 -m fullfunnel up` (set up and open the "
        "dashboard) and `python3 -m fullfunnel test` (set up and run the tests).",
    )
    p.add_argument("--version", action="version", version=f"fullfunnel {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "func", None):
        p.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FullfunnelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:   # output piped into `head` and the like
        return 1
    except OSError as e:   # a file or folder the user named cannot be read or written
        print(f"error: cannot use {e.filename or 'a file'} ({e.strerror or e}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH",
                   help="database file (default: $FULLFUNNEL_DB or data/fullfunnel.duckdb)")
