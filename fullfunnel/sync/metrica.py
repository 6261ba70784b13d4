"""Yandex Metrica: visits from the Logs API, as the sessions kind.

Followed:
- https://yandex.ru/dev/metrika/en/logs/practice/quick-start — create a log request (POST
  /management/v1/counter/{counterId}/logrequests), wait until its status is `processed` (GET
  …/logrequest/{requestId}), download each part (GET …/logrequest/{requestId}/part/{n}/download),
  then clean it (POST …/logrequest/{requestId}/clean) to free the counter's 10 GB.
- https://yandex.ru/dev/metrika/doc/api2/logs/intro-docpage — one request covers at most a year;
  today's data is not available (ask for yesterday and before); 99 % of visits close within 3 days.
- https://yandex.com/dev/metrika/en/intro/quotas — request limits; an exceeded quota is HTTP 429
  (420 in the English page) with the kind of quota in the body.
- https://yandex.com/dev/metrika/ru/intro/errors.md — the error body `{"errors": [...], "code",
  "message"}`; access_denied 403, invalid_token.

The parts are TSV with the `ym:s:…` field names as the header, the format the `metrica_logs`
preset reads; they are joined under one header and imported as one file. Bounce is not fetched:
fullfunnel works it out from pageviews and duration (the bounce_definition setting).
"""
from __future__ import annotations

from datetime import timedelta

from fullfunnel.sync import Context, Fetched, SyncFailed, fields_changed, json_of, retry_after, token_refused

TOKEN_KEY = "token"
NEEDS = "token (an OAuth token with Metrica access) and counter_id"
API_URL = "https://api-metrika.yandex.net"
FIELDS = ["ym:s:visitID", "ym:s:dateTime", "ym:s:clientID", "ym:s:pageViews", "ym:s:visitDuration",
          "ym:s:startURL", "ym:s:UTMSource", "ym:s:UTMMedium", "ym:s:UTMCampaign", "ym:s:lastTrafficSource",
          "ym:s:lastSearchEngineRoot", "ym:s:lastAdvEngine", "ym:s:lastReferalDomain", "ym:s:lastSocialNetwork"]
FAILED = {"canceled", "processing_failed", "cleaned_by_user", "cleaned_automatically_as_too_old"}


def configured(conf: dict) -> bool:
    return bool(conf.get(TOKEN_KEY)) and bool(conf.get("counter_id"))


def base_url(conf: dict) -> str:
    return conf.get("api_url") or API_URL


def _message(resp) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200]
    errs = body.get("errors") or []
    return "; ".join(str(e.get("message")) for e in errs if e.get("message")) or str(body.get("message") or "")


def _call(ctx: Context, method: str, path: str, **kw):
    """One Logs API request; refused tokens and exhausted quotas are sentences, rate limits waited out."""
    headers = {"Authorization": f"OAuth {ctx.token}"}
    while True:
        resp = ctx.http(method, f"{ctx.api_url}/management/v1/counter/{ctx.conf['counter_id']}{path}",
                        headers=headers, **kw)
        if resp.status_code < 300:
            return resp
        msg = _message(resp)
        if resp.status_code == 401 or (resp.status_code == 403 and "token" in msg.lower()):
            raise token_refused(ctx.source)
        if resp.status_code == 403:
            raise SyncFailed(f"Yandex Metrica denied access to counter {ctx.conf['counter_id']} ({msg}): check "
                             "counter_id and that the token's account can see that counter.",
                             ru=f"Яндекс Метрика не дала доступа к счётчику {ctx.conf['counter_id']} ({msg}): "
                                "проверьте counter_id и что аккаунт токена видит этот счётчик.")
        if resp.status_code in (420, 429, 503):
            ctx.wait(retry_after(resp, 5), f"Metrica's request quota is exhausted ({msg})",
                     f"квота запросов Метрики исчерпана ({msg})")
            continue
        if "quota" in msg.lower() or "квот" in msg.lower():
            raise SyncFailed(f"Yandex Metrica cannot prepare the log for {ctx.date_from} – {ctx.date_to}: {msg} "
                             "(the Logs API quota; sync a shorter period with --from/--to, or later).",
                             ru=f"Яндекс Метрика не может подготовить лог за {ctx.date_from} – {ctx.date_to}: "
                                f"{msg} (квота Logs API; синхронизируйте более короткий период или позже).")
        raise SyncFailed(f"Yandex Metrica refused the log request ({resp.status_code}: {msg or 'no details'}); "
                         "nothing was imported.",
                         ru=f"Яндекс Метрика отклонила запрос лога ({resp.status_code}: {msg or 'без подробностей'}); "
                            "ничего не загружено.")


def fetch(ctx: Context) -> Fetched | None:
    from fullfunnel.importing.presets import METRICA_LOGS, Format

    if ctx.date_to - ctx.date_from > timedelta(days=365):
        raise SyncFailed(f"The Logs API gives at most a year at once ({ctx.date_from} – {ctx.date_to}); "
                         "sync the period a year at a time with --from/--to.",
                         ru=f"Logs API отдаёт не больше года за раз ({ctx.date_from} – {ctx.date_to}); "
                            "синхронизируйте по году с --from/--to.")
    params = {"date1": str(ctx.date_from), "date2": str(ctx.date_to), "source": "visits", "fields": ",".join(FIELDS)}
    made = json_of(ctx, _call(ctx, "POST", "/logrequests", params=params)).get("log_request") or {}
    rid = made.get("request_id")
    if rid is None:
        raise SyncFailed("Yandex Metrica answered the log request without a request_id; nothing was imported.",
                         ru="Яндекс Метрика ответила на запрос лога без request_id; ничего не загружено.")
    status = made.get("status")
    info = made
    while status != "processed":
        if status in FAILED:
            raise SyncFailed(f"Yandex Metrica's log request {rid} ended as {status}; nothing was imported — "
                             "run the sync again.",
                             ru=f"Запрос лога {rid} в Яндекс Метрике завершился со статусом {status}; ничего не "
                                "загружено — запустите синхронизацию снова.")
        ctx.wait(10, "the log is not ready", "лог не готов")
        info = json_of(ctx, _call(ctx, "GET", f"/logrequest/{rid}")).get("log_request") or {}
        status = info.get("status")
    header: list[str] | None = None
    lines: list[str] = []
    try:
        for part in sorted(info.get("parts") or [], key=lambda p: p.get("part_number", 0)):
            text = _call(ctx, "GET", f"/logrequest/{rid}/part/{part['part_number']}/download").content.decode(
                "utf-8-sig", errors="replace")
            rows = [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
            if not rows:
                continue
            got = rows[0].split("\t")
            if got != FIELDS:
                raise fields_changed(ctx.source, FIELDS, got)
            header = got
            lines += rows[1:]
    except SyncFailed:
        try:   # free the counter's log storage anyway; the first sentence is the one to tell
            _call(ctx, "POST", f"/logrequest/{rid}/clean")
        except SyncFailed:
            pass
        raise
    _call(ctx, "POST", f"/logrequest/{rid}/clean")
    if header is None or not lines:
        return None
    fmt = Format(**{**METRICA_LOGS.__dict__, "name": "sync_yandex_metrica", "title": "Yandex Metrica (sync)",
                    "timezone": ctx.conf.get("timezone") or None})
    data = ("\t".join(header) + "\n" + "\n".join(lines) + "\n").encode("utf-8")
    return Fetched(data, f"Yandex Metrica {ctx.date_from}..{ctx.date_to}.tsv", fmt, len(lines), ctx.requests,
                   days=(ctx.date_from, ctx.date_to))
