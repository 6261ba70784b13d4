"""Google Ads: daily cost, impressions and clicks per campaign with GAQL through `searchStream`.

Followed:
- https://developers.google.com/google-ads/api/reference/rpc/v21/SearchGoogleAdsStreamResponse —
  the stream is a list of batches, each with `results[]` (GoogleAdsRow), `fieldMask`, `requestId`.
- https://developers.google.cn/google-ads/api/rest/common/search (linked from
  https://developers.google.com/google-ads/api/rest/common/overview.md.txt) and
  https://developers.google.cn/google-ads/api/reference/rpc/v26/GoogleAdsService/SearchStream.md.txt — POST
  https://googleads.googleapis.com/vNN/customers/{customerId}/googleAds:searchStream with
  `{"query": GAQL}`, headers `Authorization: Bearer`, `developer-token`, `login-customer-id` (a
  manager account); int64 fields such as `metrics.costMicros` come as JSON strings; money in micros.
- Errors: `{"error": {"code", "message", "status"}}` — UNAUTHENTICATED (401), PERMISSION_DENIED
  (403, e.g. a developer token not approved), RESOURCE_EXHAUSTED (429: wait and retry).

The rows are written as the Google Ads report a user downloads (`Day, Campaign, Currency code, Cost,
Impr., Clicks`, cost in the account currency) and read by the `google_ads` file preset.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from fullfunnel.sync import Context, Fetched, SyncFailed, json_of
from fullfunnel.sync.google import access_token, has_credentials, refused

TOKEN_KEY = "access_token"
NEEDS = "developer_token, customer_id and client_id, client_secret, refresh_token (an OAuth client's)"
API_URL = "https://googleads.googleapis.com"
API_VERSION = "v26"   # the latest active version when written; `api_version` in [google_ads] changes it
QUERY = ("SELECT segments.date, campaign.name, customer.currency_code, metrics.cost_micros, metrics.impressions, "
         "metrics.clicks FROM campaign WHERE segments.date BETWEEN '{a}' AND '{b}'")


def configured(conf: dict) -> bool:
    return bool(conf.get("developer_token")) and bool(conf.get("customer_id")) and has_credentials(conf)


def base_url(conf: dict) -> str:
    return conf.get("api_url") or API_URL


def _digits(v) -> str:
    return "".join(ch for ch in str(v) if ch.isdigit())


def fetch(ctx: Context) -> Fetched | None:
    from fullfunnel.importing.presets import GOOGLE_ADS, Format

    token = access_token(ctx)
    headers = {"Authorization": f"Bearer {token}", "developer-token": str(ctx.conf["developer_token"])}
    if ctx.conf.get("login_customer_id"):
        headers["login-customer-id"] = _digits(ctx.conf["login_customer_id"])
    url = (f"{ctx.api_url}/{ctx.conf.get('api_version') or API_VERSION}/customers/{_digits(ctx.conf['customer_id'])}"
           "/googleAds:searchStream")
    body = {"query": QUERY.format(a=ctx.date_from, b=ctx.date_to)}
    while True:
        resp = ctx.http("POST", url, json=body, headers=headers)
        if resp.status_code == 200:
            break
        # a quota: wait, then ask again; anything else ends the run
        refused(ctx, resp, wait_s=30, quota=("it keeps answering RESOURCE_EXHAUSTED",
                                             "он продолжает отвечать RESOURCE_EXHAUSTED"),
                what=("the query", "запрос"), check="developer_token, customer_id and login_customer_id")
    batches = json_of(ctx, resp)
    if isinstance(batches, dict):
        batches = [batches]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Day", "Campaign", "Currency code", "Cost", "Impr.", "Clicks"])
    n = 0
    for batch in batches:
        for row in batch.get("results") or []:
            seg, camp, met = row.get("segments") or {}, row.get("campaign") or {}, row.get("metrics") or {}
            micros = str(met.get("costMicros") or "0")
            if not micros.isdigit() or not seg.get("date"):
                raise SyncFailed(f"Google Ads sent a row without a date or with the cost {micros!r} (not micros); "
                                 "its API has changed; nothing was imported.",
                                 ru=f"Google Ads прислал строку без даты или с расходом {micros!r} (не микроединицы); "
                                    "его API изменился; ничего не загружено.")
            cost = Decimal(micros) / Decimal(1_000_000)
            w.writerow([seg["date"], camp.get("name") or "", (row.get("customer") or {}).get("currencyCode") or "",
                        format(cost.normalize(), "f"), met.get("impressions") or "0", met.get("clicks") or "0"])
            n += 1
    if not n:
        return None
    fmt = Format(**{**GOOGLE_ADS.__dict__, "name": "sync_google_ads", "title": "Google Ads (sync)", "decimal": "."})
    return Fetched(out.getvalue().encode("utf-8"), f"Google Ads {ctx.date_from}..{ctx.date_to}.csv", fmt, n,
                   ctx.requests, days=(ctx.date_from, ctx.date_to))
