"""The secrets file: sign-in (Streamlit's `[auth]`), the access list, e-mail and Telegram delivery.

One TOML file serves the dashboard and the command line: `$FULLFUNNEL_SECRETS`, else
`.streamlit/secrets.toml` in the project folder (where Streamlit looks for it). `serve` hands the
same path to Streamlit, so what the digest commands read is what the dashboard signs people in with.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from fullfunnel import FullfunnelError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / ".streamlit" / "secrets.toml"
# What Streamlit's st.login needs from a provider (in [auth] itself or in one [auth.NAME] table).
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class BadSecrets(FullfunnelError):
    pass


def path(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("FULLFUNNEL_SECRETS") or DEFAULT).expanduser().resolve()


def load(explicit: str | os.PathLike | None = None) -> dict[str, Any]:
    """The parsed secrets file; {} when there is none."""
    p = path(explicit)
    if not p.exists():
        return {}
    try:
        with open(p, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise BadSecrets(f"The secrets file {p} is not valid TOML ({e}); fix that line.") from None
    except OSError as e:
        raise BadSecrets(f"Cannot read the secrets file {p} ({e.strerror or e}).") from None


def providers(secrets: dict[str, Any]) -> list[str]:
    """Names of the sign-in providers configured for st.login: "default" for settings in [auth] itself."""
    auth = secrets.get("auth")
    if not isinstance(auth, dict):
        return []
    out = []
    if all(auth.get(k) for k in PROVIDER_KEYS):
        out.append("default")
    out += [name for name, v in auth.items() if isinstance(v, dict) and all(v.get(k) for k in PROVIDER_KEYS)]
    return out


def sign_in_configured(secrets: dict[str, Any]) -> bool:
    """True when [auth] has what st.login needs (redirect_uri, cookie_secret and one provider)."""
    auth = secrets.get("auth")
    return (isinstance(auth, dict) and bool(auth.get("redirect_uri")) and bool(auth.get("cookie_secret"))
            and bool(providers(secrets)))
