"""Google Analytics 4: daily sessions, users, views, duration and key events per channel group and
campaign from the Data API's `runReport`.

Followed:
- https://developers.google.com/analytics/devguides/reporting/data/v1/basics — POST
  https://analyticsdata.googleapis.com/v1beta/properties/{propertyId}:runReport with `dateRanges`,
  `dimensions`, `metrics`; `limit` and `offset` page through `rowCount` rows (10 000 by default).
- https://cloud.google.com/php/docs/reference/analytics-data/latest/V1beta.RunReportRequest — the
  request fields; the response has `dimensionHeaders`, `metricHeaders`, `rows[]` of
  `dimensionValues[].value` / `metricValues[].value`, `rowCount`; dates as YYYYMMDD.
- Errors `{"error": {"code", "message", "status"}}`: UNAUTHENTICATED (401), PERMISSION_DENIED (403),
  RESOURCE_EXHAUSTED (429, the property's token quota: wait, then a sentence).

The rows are written as the GA4 report a user exports (`Date, Session primary channel group,
Session campaign, Sessions, Total users, Views, Average session duration, Key events`) and read by
the `ga4` file preset (which turns the average duration into a total).
"""
from __future__ import annotations

import csv
import io

from fullfunnel.sync import Context, Fetched, fields_changed, json_of
from fullfunnel.sync.google import access_token, has_credentials, refused

TOKEN_KEY = "access_token"
NEEDS = "property_id and client_id, client_secret, refresh_token (an OAuth client's)"
API_URL = "https://analyticsdata.googleapis.com"
DIMENSIONS = ["date", "sessionPrimaryChannelGroup", "sessionCampaignName"]
METRICS = ["sessions", "totalUsers", "screenPageViews", "averageSessionDuration", "keyEvents"]
HEADER = ["Date", "Session primary channel group", "Session campaign", "Sessions", "Total users", "Views",
          "Average session duration", "Key events"]
PAGE = 10000


def configured(conf: dict) -> bool:
    return bool(conf.get("property_id")) and has_credentials(conf)


def base_url(conf: dict) -> str:
    return conf.get("api_url") or API_URL


def fetch(ctx: Context) -> Fetched | None:
    from fullfunnel.importing.presets import GA4, Format

    token = access_token(ctx)
    url = f"{ctx.api_url}/v1beta/properties/{ctx.conf['property_id']}:runReport"
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    n, offset, total = 0, 0, None
    while total is None or offset < total:
        body = {"dateRanges": [{"startDate": str(ctx.date_from), "endDate": str(ctx.date_to)}],
                "dimensions": [{"name": d} for d in DIMENSIONS], "metrics": [{"name": m} for m in METRICS],
                "limit": PAGE, "offset": offset}
        resp = ctx.http("POST", url, json=body, headers={"Authorization": f"Bearer {token}"})
        if resp.status_code != 200:   # a quota: wait, then ask again; anything else ends the run
            refused(ctx, resp, wait_s=60, quota=("the property's Data API quota is exhausted",
                                                 "квота Data API ресурса исчерпана"),
                    what=("the report", "отчёт"), check="property_id")
            continue
        rep = json_of(ctx, resp)
        got = [h.get("name") for h in rep.get("dimensionHeaders") or []] + \
              [h.get("name") for h in rep.get("metricHeaders") or []]
        if got != DIMENSIONS + METRICS:
            raise fields_changed(ctx.source, DIMENSIONS + METRICS, got)
        rows = rep.get("rows") or []
        for r in rows:
            w.writerow([v.get("value", "") for v in r.get("dimensionValues") or []]
                       + [v.get("value", "") for v in r.get("metricValues") or []])
        n += len(rows)
        total = int(rep.get("rowCount") or 0)
        offset += PAGE
        if not rows:
            break
    if not n:
        return None
    fmt = Format(**{**GA4.__dict__, "name": "sync_ga4", "title": "Google Analytics 4 (sync)", "decimal": "."})
    return Fetched(out.getvalue().encode("utf-8"), f"GA4 {ctx.date_from}..{ctx.date_to}.csv", fmt, n, ctx.requests,
                   days=(ctx.date_from, ctx.date_to))
