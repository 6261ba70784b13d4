"""Sign-in and roles for a team: who may open the dashboard and which pages they get.

Sign-in is Streamlit's own `st.login` through any OpenID Connect provider, configured in the secrets
file's `[auth]` table exactly as Streamlit documents it. Who may come in is fullfunnel's `[access]`
table in the same file:

    [access]
    admins  = ["owner@acme.ru"]              # every page, including Import, Data health, Settings
    viewers = ["@acme.ru", "cfo@partner.ru"]  # every report page; "@domain" = anyone at that domain

Without `[auth]` there is no sign-in and everyone who can reach the dashboard is an admin (the
one-person laptop case; `serve` refuses to listen beyond this machine then). `gate()` is the one
call app.py makes; the rest is plain Python, tested without Streamlit.
"""
from __future__ import annotations

import contextvars
import getpass
from dataclasses import dataclass
from typing import Any

from fullfunnel import secrets as secrets_file
from fullfunnel.i18n import t

ROLES = ("viewer", "admin")
# Pages (url paths in app.py) only admins see: loading data, undoing it, channel rules, settings.
ADMIN_PAGES = frozenset({"import", "data_health", "settings"})

# ---------------------------------------------------------------- who did it (import history)

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("fullfunnel_actor", default=None)


def set_actor(who: str | None) -> None:
    """The signed-in user of this script run (Streamlit runs each session's script in its own thread)."""
    _actor.set(who)


def actor() -> str:
    """Who is acting, for the import history: the signed-in e-mail, else this computer's user name."""
    who = _actor.get()
    if who:
        return who
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (e.g. a container without one)
        return "unknown"


# ---------------------------------------------------------------- access list


@dataclass(frozen=True)
class Access:
    admins: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()


def _entries(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(x).strip().lower() for x in (value or ()) if str(x).strip())


def access(conf: dict[str, Any]) -> Access:
    a = conf.get("access") or {}
    return Access(_entries(a.get("admins")), _entries(a.get("viewers")))


def _matches(email: str, entry: str) -> bool:
    if entry.startswith("@"):
        return email.endswith(entry)
    if "@" not in entry:  # a bare domain
        return email.endswith("@" + entry)
    return email == entry


def role_for(email: str | None, acc: Access) -> str | None:
    """admin, viewer, or None (not allowed in). E-mails compare case-insensitively."""
    e = (email or "").strip().lower()
    if not e or "@" not in e:
        return None
    if any(_matches(e, x) for x in acc.admins):
        return "admin"
    if any(_matches(e, x) for x in acc.viewers):
        return "viewer"
    return None


def allowed(url_path: str, role: str) -> bool:
    return role == "admin" or url_path not in ADMIN_PAGES


# ---------------------------------------------------------------- the Streamlit gate


def _streamlit_secrets() -> dict[str, Any]:
    import streamlit as st

    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets file at all: Streamlit raises rather than returning {}
        return {}


def _lang() -> str:
    import streamlit as st

    from fullfunnel.i18n import LANGS, pick_lang

    for x in (st.session_state.get("lang"), st.query_params.get("lang")):
        if x in LANGS:
            return x
    return pick_lang(st.context.locale)


def gate() -> str:
    """Sign the visitor in when sign-in is configured; return their role, or stop the page.

    Signed out: a sign-in button per provider. Signed in with an address not on the access list
    (or none, or an unverified one): one sentence and a sign-out button. Otherwise the sidebar says
    who is signed in, with a sign-out button, and the role decides which pages app.py offers.
    """
    import streamlit as st

    lang = _lang()
    conf = _streamlit_secrets()
    if not secrets_file.sign_in_configured(conf):
        set_actor(None)
        return "admin"
    user = st.user
    if not user.get("is_logged_in"):
        st.title(t("auth.title", lang))
        st.write(t("auth.please", lang))
        names = secrets_file.providers(conf)
        for name in names:
            label = t("auth.sign_in", lang) if name == "default" or len(names) == 1 else \
                t("auth.sign_in_with", lang, name=name)
            if st.button(label, key=f"auth_login_{name}", type="primary"):
                st.login(None if name == "default" else name)
        st.stop()
    email = str(user.get("email") or "").strip()
    problem = None
    if not email:
        problem = t("auth.no_email", lang)
    elif user.get("email_verified") is False:
        problem = t("auth.unverified", lang, email=email)
    acc = access(conf)
    if not problem and not (acc.admins or acc.viewers):
        problem = t("auth.no_list", lang, email=email)
    role = None if problem else role_for(email, acc)
    if role is None:
        st.error(problem or t("auth.refused", lang, email=email), icon=":material/block:")
        if st.button(t("auth.sign_out", lang), key="auth_logout_refused"):
            st.logout()
        st.stop()
    set_actor(email.lower())
    with st.sidebar:
        st.caption(t("auth.who", lang, email=email, role=t(f"auth.role.{role}", lang)))
        if st.button(t("auth.sign_out", lang), key="auth_logout"):
            st.logout()
    return role
