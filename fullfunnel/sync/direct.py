"""Yandex Direct: daily spend, impressions and clicks per campaign from the Reports API v5.

Followed:
- https://yandex.com/dev/direct/doc/en/mode — online and offline reports: 200 = the report in the
  body; 201 = queued for offline; 202 = still being built; ask again with the same parameters after
  the `retryIn` seconds of the answer.
- https://yandex.com/dev/direct/doc/en/headers — `processingMode`, `returnMoneyInMicros` (money ×
  1 000 000 unless `false`), `skipReportHeader`, `skipReportSummary`; answer headers `retryIn`,
  `reportsInQueue`.
- https://yandex.ru/dev/direct/doc/ru/how-to and https://yandex.ru/dev/direct/doc/ru/reports.md —
  POST JSON to https://api.direct.yandex.com/json/v5/reports, `Authorization: Bearer TOKEN`,
  `Client-Login` for an agency's client; TSV in UTF-8, one report name per set of parameters.

The report is CAMPAIGN_PERFORMANCE_REPORT by day (`Date, CampaignName, Impressions, Clicks, Cost`),
VAT included, money in micros (the API's default, exact integers). What arrives is the TSV a
downloaded report is; the title line and the `Total rows` line are dropped if the API sends them
anyway, and the rows go through the `yandex_direct` preset with the scale fixed to micros.
"""
from __future__ import annotations

import hashlib
import json

from fullfunnel.sync import Context, Fetched, SyncFailed, fields_changed, retry_after, token_refused

TOKEN_KEY = "token"
NEEDS = "token (an OAuth token with access to Direct)"
API_URL = "https://api.direct.yandex.com"
FIELDS = ["Date", "CampaignName", "Impressions", "Clicks", "Cost"]
# error codes of the API that mean the token (or its access) is not good: 53 authorization error,
# 58 the application has no access, 513 the user is not in Direct
TOKEN_CODES = {53, 58, 513}
# 56 too many requests, 152 not enough points, 9000 the offline queue is full: wait and ask again
WAIT_CODES = {56, 152, 506, 9000}


def configured(conf: dict) -> bool:
    return bool(conf.get(TOKEN_KEY))


def base_url(conf: dict) -> str:
    return conf.get("api_url") or API_URL


def report_name(ctx: Context) -> str:
    """Unique per set of parameters (the API refuses one name with other parameters)."""
    key = hashlib.sha256(json.dumps([FIELDS, str(ctx.date_from), str(ctx.date_to),
                                     ctx.conf.get("client_login") or ""]).encode()).hexdigest()[:10]
    return f"fullfunnel {ctx.date_from}..{ctx.date_to} {key}"


def request_body(ctx: Context) -> dict:
    return {"params": {
        "SelectionCriteria": {"DateFrom": str(ctx.date_from), "DateTo": str(ctx.date_to)},
        "FieldNames": FIELDS,
        "ReportName": report_name(ctx),
        "ReportType": "CAMPAIGN_PERFORMANCE_REPORT",
        "DateRangeType": "CUSTOM_DATE",
        "Format": "TSV",
        "IncludeVAT": "YES",
        "IncludeDiscount": "NO",
    }}


def _error(ctx: Context, resp) -> tuple[int | None, str]:
    try:
        e = resp.json().get("error") or {}
    except ValueError:
        return None, resp.text[:200]
    try:
        code = int(e.get("error_code"))
    except (TypeError, ValueError):
        code = None
    return code, " ".join(str(x) for x in (e.get("error_string"), e.get("error_detail")) if x)


def clean(ctx: Context, text: str) -> list[str]:
    """The TSV's header and data lines: a title line above the header and the `Total rows` line dropped."""
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    title = 0
    if lines and lines[0].split("\t") != FIELDS and len(lines) > 1 and lines[1].split("\t") == FIELDS:
        lines, title = lines[1:], 1   # the report name and period
    if lines and lines[-1].lower().startswith("total rows"):
        lines = lines[:-1]
    if not lines or lines[0].split("\t") != FIELDS:
        raise fields_changed(ctx.source, FIELDS, lines[0].split("\t") if lines else [])
    cost = FIELDS.index("Cost")
    for n, ln in enumerate(lines[1:], 2 + title):
        value = (ln.split("\t") + [""] * len(FIELDS))[cost]
        if not value.isdigit():   # money was asked for in micros: whole numbers, nothing else
            raise SyncFailed(f"Yandex Direct sent the cost {value!r} on line {n} of the report, not a whole number of "
                             "micros as asked (is a proxy changing the report?); nothing was imported.",
                             ru=f"Яндекс Директ прислал расход {value!r} в строке {n} отчёта — не целое число "
                                "микроединиц, как запрошено (отчёт меняет прокси?); ничего не загружено.")
    return lines


def fetch(ctx: Context) -> Fetched | None:
    from fullfunnel.importing.presets import YANDEX_DIRECT, Const, Format, Output, Src

    headers = {"Authorization": f"Bearer {ctx.token}", "Accept-Language": "en", "processingMode": "auto",
               "skipReportHeader": "true", "skipReportSummary": "true",
               "Content-Type": "application/json; charset=utf-8"}
    if ctx.conf.get("client_login"):
        headers["Client-Login"] = str(ctx.conf["client_login"])
    body = json.dumps(request_body(ctx))
    url = f"{ctx.api_url}/json/v5/reports"
    while True:
        resp = ctx.http("POST", url, data=body.encode("utf-8"), headers=headers)
        if resp.status_code == 200:
            break
        if resp.status_code in (201, 202):   # queued / being built: ask again with the same parameters
            ctx.wait(retry_after(resp, 5), "the report is not ready", "отчёт не готов")
            continue
        code, detail = _error(ctx, resp)
        if resp.status_code in (401, 403) or code in TOKEN_CODES:
            raise token_refused(ctx.source)
        if resp.status_code in (429, 503) or code in WAIT_CODES:
            ctx.wait(retry_after(resp, 10), f"the API is over its limits ({detail or resp.status_code})",
                     f"API перегружен ({detail or resp.status_code})")
            continue
        raise SyncFailed(f"Yandex Direct refused the report request ({resp.status_code}"
                         f"{', error ' + str(code) if code else ''}: {detail or 'no details'}); nothing was imported.",
                         ru=f"Яндекс Директ отклонил запрос отчёта ({resp.status_code}"
                            f"{', ошибка ' + str(code) if code else ''}: {detail or 'без подробностей'}); "
                            "ничего не загружено.")
    lines = clean(ctx, resp.content.decode("utf-8-sig", errors="replace"))
    rows = len(lines) - 1
    if rows == 0:
        return None
    out = YANDEX_DIRECT.outputs[0]
    fields = {**out.fields, "spend": Src(("cost",), scale=1e-6)}
    if ctx.conf.get("currency"):   # the account's currency (the report has no currency column)
        fields["currency"] = Const(str(ctx.conf["currency"]).upper())
    fmt = Format(**{**YANDEX_DIRECT.__dict__, "name": "sync_yandex_direct", "title": "Yandex Direct (sync)",
                    "outputs": (Output(out.kind, fields),)})
    name = f"Yandex Direct {ctx.date_from}..{ctx.date_to}.tsv"
    return Fetched(("\n".join(lines) + "\n").encode("utf-8"), name, fmt, rows, ctx.requests,
                   days=(ctx.date_from, ctx.date_to))
