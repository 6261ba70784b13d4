"""`python -m fullfunnel serve`: run the dashboard for a team, bound where told.

Listening beyond this machine (any address but loopback) needs sign-in configured in the secrets
file, or `--trusted-network` to say that everyone who can reach the port may see everything.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys

from fullfunnel import FullfunnelError, db, secrets


class RefusedToListen(FullfunnelError):
    pass


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything, so it counts as beyond this machine


def plan(host: str, port: int, trusted_network: bool, secrets_path=None) -> tuple[list[str], str]:
    """The streamlit command line and the one-line notice; refuses an open port without sign-in."""
    conf = secrets.load(secrets_path)
    signed = secrets.sign_in_configured(conf)
    if not is_loopback(host) and not signed and not trusted_network:
        raise RefusedToListen(
            f"Refusing to listen on {host}: anyone who reaches that address would see all the numbers. "
            f"Configure sign-in in {secrets.path(secrets_path)} (see \"Running for the team\" in the README), "
            "or pass --trusted-network if every device on that network may see everything.")
    if not 0 < port < 65536:
        raise RefusedToListen(f"The port {port} is not between 1 and 65535.")
    cmd = [sys.executable, "-m", "streamlit", "run", str(db.ROOT / "app.py"),
           "--server.address", host, "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets.path(secrets_path))]
    shown = f"[{host}]" if ":" in host else host
    mode = ("sign-in on (" + ", ".join(secrets.providers(conf)) + ")" if signed
            else "no sign-in: trusted network" if not is_loopback(host) else "no sign-in: this machine only")
    notice = f"fullfunnel listens on http://{shown}:{port} ({mode}); database {db.db_path()}"
    if signed and not conf.get("access"):
        notice += ("\nwarning: sign-in is on but the secrets file has no [access] list, so nobody can come in; "
                   "add [access] admins = [\"you@example.com\"]")
    return cmd, notice


def _serve(args: argparse.Namespace) -> int:
    if args.db:
        os.environ["FULLFUNNEL_DB"] = str(db.db_path(args.db))
    if args.secrets:
        os.environ["FULLFUNNEL_SECRETS"] = str(secrets.path(args.secrets))
    cmd, notice = plan(args.host, args.port, args.trusted_network, args.secrets)
    print(notice, flush=True)
    try:
        extra = list(args.streamlit_args)
        if extra[:1] == ["--"]:
            extra = extra[1:]
        return subprocess.call(cmd + extra, cwd=db.ROOT)
    except KeyboardInterrupt:
        return 130


def register(sub) -> None:
    from fullfunnel.cli import add_db_option

    p = sub.add_parser(
        "serve", help="run the dashboard for a team: bind where told, sign-in from the secrets file",
        description="Run the dashboard. Binds to 127.0.0.1 unless --host says otherwise; any other address "
        "needs sign-in configured in the secrets file ([auth], see the README) or --trusted-network.")
    add_db_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 = all)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--secrets", metavar="PATH",
                   help="secrets file (default: $FULLFUNNEL_SECRETS or .streamlit/secrets.toml)")
    p.add_argument("--trusted-network", action="store_true",
                   help="listen beyond this machine without sign-in: everyone who reaches the port sees everything")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                   help="after --: more options for streamlit, e.g. -- --server.baseUrlPath ff")
    p.set_defaults(func=_serve)
