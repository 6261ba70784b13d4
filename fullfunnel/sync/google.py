"""Google APIs: an access token from the refresh token of an OAuth client (Google Ads and GA4 share it).

Followed: https://developers.google.com/identity/protocols/oauth2/web-server#offline — POST
https://oauth2.googleapis.com/token with grant_type=refresh_token, client_id, client_secret and
refresh_token gives `access_token`; a revoked or expired refresh token is `invalid_grant` (400).
"""
from __future__ import annotations

from fullfunnel.sync import TITLES, TITLES_RU, Context, SyncFailed, json_of, token_refused

TOKEN_URL = "https://oauth2.googleapis.com/token"
OAUTH_KEYS = ("client_id", "client_secret", "refresh_token")


def has_credentials(conf: dict) -> bool:
    return bool(conf.get("access_token")) or all(conf.get(k) for k in OAUTH_KEYS)


def access_token(ctx: Context) -> str:
    """`access_token` as given (--token), else one minted from the refresh token."""
    if ctx.conf.get("access_token"):
        return str(ctx.conf["access_token"])
    resp = ctx.http("POST", ctx.conf.get("token_url") or TOKEN_URL,
                    data={"grant_type": "refresh_token", **{k: str(ctx.conf[k]) for k in OAUTH_KEYS}})
    if resp.status_code in (400, 401):
        raise token_refused(ctx.source)
    if resp.status_code != 200:
        raise SyncFailed(f"Google's sign-in server answered {resp.status_code} ({resp.text[:120]}); nothing was "
                         "imported — run the sync again later.",
                         ru=f"Сервер входа Google ответил {resp.status_code} ({resp.text[:120]}); ничего не "
                            "загружено — запустите синхронизацию позже.")
    token = json_of(ctx, resp).get("access_token")
    if not token:
        raise token_refused(ctx.source)
    return str(token)


def error_text(resp) -> tuple[str, str]:
    """(status, message) of a Google API error body `{"error": {"code", "message", "status"}}` (or a list of them)."""
    try:
        body = resp.json()
    except ValueError:
        return "", resp.text[:160]
    if isinstance(body, list) and body:
        body = body[0]
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return "", str(body)[:160]
    return str(err.get("status") or ""), str(err.get("message") or "")


def refused(ctx: Context, resp, *, wait_s: float, quota: tuple[str, str], what: tuple[str, str],
            check: str) -> None:
    """A Google API answered other than 200. An expired or revoked token → "reconnect"; a quota
    (429 / RESOURCE_EXHAUSTED) → a bounded wait, then the caller asks again; anything else → a
    sentence naming the answer and the settings to check. `quota` and `what` are (English, Russian):
    the quota's description and what was refused ("the report", "the query")."""
    status, msg = error_text(resp)
    if resp.status_code == 401 or status == "UNAUTHENTICATED":
        raise token_refused(ctx.source)
    if resp.status_code == 429 or status == "RESOURCE_EXHAUSTED":
        ctx.wait(wait_s, f"{quota[0]} ({msg})", f"{quota[1]} ({msg})")
        return
    raise SyncFailed(f"{TITLES[ctx.source]} refused {what[0]} ({resp.status_code} {status}: {msg or 'no details'}); "
                     f"check {check}; nothing was imported.",
                     ru=f"{TITLES_RU[ctx.source]} отклонил {what[1]} ({resp.status_code} {status}: "
                        f"{msg or 'без подробностей'}); проверьте {check}; ничего не загружено.")
