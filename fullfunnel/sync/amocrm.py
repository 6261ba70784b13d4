"""amoCRM / Kommo: deals (amoCRM calls them leads), their pipelines and stages, and stage history, from API v4.

Followed:
- https://www.amocrm.ru/developers/content/crm_platform/leads-api (English:
  https://www.amocrm.com/developers/content/api_v4/leads-2/) — GET /api/v4/leads: `page`, `limit`
  (at most 250), `with=loss_reason`, `filter[updated_at][from]`, `order`; a lead has `id`, `price`,
  `responsible_user_id`, `status_id`, `pipeline_id`, `created_at`, `closed_at` (Unix time),
  `custom_fields_values` (UTM fields carry `field_code` UTM_SOURCE …), `_embedded.tags`,
  `_embedded.loss_reason`; `_links.next` while there is another page; 204 when nothing matches.
- https://www.amocrm.ru/developers/content/crm_platform/leads-pipelines — GET
  /api/v4/leads/pipelines with `_embedded.statuses`; status 142 is "won" (Успешно реализовано) and
  143 "lost" (Закрыто и не реализовано) in every pipeline.
- https://www.amocrm.ru/developers/content/crm_platform/events-and-notes — GET /api/v4/events with
  `filter[type]=lead_status_changed`, `filter[created_at][from]`, `limit` (at most 100);
  `value_after` / `value_before` hold `lead_status: {id, pipeline_id}`.
- https://www.amocrm.ru/developers/content/crm_platform/users-api — GET /api/v4/users (names of the
  responsible users).
- https://es-developers.kommo.com/docs/limitaciones — at most 7 requests a second; over it, 429;
  401 = the token is not valid (a long-lived token or an OAuth access token, `Authorization: Bearer`).

A deal gives a lead (its UTM fields, its responsible user) and a deal (its pipeline, stage, won /
lost from statuses 142 / 143, price, loss reason) exactly as the `amocrm` file preset reads the
CSV export, plus what the export lacks: the stages of each pipeline in their order and the stage
history from the status-change events. Tags are fetched with the deals but have no column to land in.
"""
from __future__ import annotations

from typing import Any

from fullfunnel.sync import (Context, Fetched, SyncFailed, iso, json_of, retry_after, token_refused, wide_csv,
                             wide_format)

TOKEN_KEY = "token"
NEEDS = "token (a long-lived token of an amoCRM integration) and subdomain (or api_url)"
WON, LOST = 142, 143
UTM = {"UTM_SOURCE": "source", "UTM_MEDIUM": "medium", "UTM_CAMPAIGN": "campaign", "UTM_CONTENT": "content",
       "UTM_TERM": "term"}
KINDS = ["leads", "deals", "deal_stages", "stages"]


def configured(conf: dict) -> bool:
    return bool(conf.get(TOKEN_KEY)) and bool(conf.get("api_url") or conf.get("subdomain"))


def base_url(conf: dict) -> str:
    if conf.get("api_url"):
        return conf["api_url"]
    sub = str(conf.get("subdomain", ""))
    return f"https://{sub}" if "." in sub else f"https://{sub}.amocrm.ru"


def _get(ctx: Context, path: str, params: dict) -> dict | None:
    """One GET; None for 204 (nothing matches)."""
    while True:
        resp = ctx.http("GET", f"{ctx.api_url}{path}", params=params,
                        headers={"Authorization": f"Bearer {ctx.token}"})
        if resp.status_code == 204:
            return None
        if resp.status_code == 200:
            return json_of(ctx, resp)
        if resp.status_code == 401:
            raise token_refused(ctx.source)
        if resp.status_code == 429:
            ctx.wait(retry_after(resp, 1), "amoCRM keeps answering 429 Too Many Requests",
                     "amoCRM продолжает отвечать 429 Too Many Requests")
            continue
        if resp.status_code == 402:
            raise SyncFailed("amoCRM refused the request with 402 Payment Required: the account's subscription "
                             "has ended; nothing was imported.",
                             ru="amoCRM отклонил запрос (402 Payment Required): подписка аккаунта закончилась; "
                                "ничего не загружено.")
        detail = resp.text[:160]
        raise SyncFailed(f"amoCRM answered {resp.status_code} to {path} ({detail}); nothing was imported.",
                         ru=f"amoCRM ответил {resp.status_code} на {path} ({detail}); ничего не загружено.")


def _pages(ctx: Context, path: str, key: str, params: dict, limit: int) -> list[dict]:
    out: list[dict] = []
    page = 1
    while True:
        body = _get(ctx, path, {**params, "limit": limit, "page": page})
        if body is None:
            return out
        items = (body.get("_embedded") or {}).get(key) or []
        out += items
        if not items or not (body.get("_links") or {}).get("next"):
            return out
        page += 1


def _utm(lead: dict) -> dict[str, str]:
    out = {}
    for f in lead.get("custom_fields_values") or []:
        code = str(f.get("field_code") or "").upper() or str(f.get("field_name") or "").upper()
        if code in UTM and f.get("values"):
            v = f["values"][0].get("value")
            if v not in (None, ""):
                out[UTM[code]] = str(v)
    return out


def fetch(ctx: Context) -> Fetched | None:
    since = int(ctx.since.timestamp()) if ctx.since else None
    users = {u["id"]: u.get("name") or str(u["id"]) for u in _pages(ctx, "/api/v4/users", "users", {}, 250)}
    pipes = (_get(ctx, "/api/v4/leads/pipelines", {}) or {}).get("_embedded", {}).get("pipelines") or []
    status: dict[int, tuple[str, str, str]] = {}   # status id → (pipeline, stage, kind)
    stages = []
    for p in pipes:
        sts = sorted((p.get("_embedded") or {}).get("statuses") or [], key=lambda s: (s.get("sort", 0), s["id"]))
        for pos, s in enumerate(sts, 1):
            kind = "won" if s["id"] == WON else "lost" if s["id"] == LOST else "open"
            status[(p["id"], s["id"])] = (p["name"], s["name"], kind)
            stages.append({"stage": s["name"], "position": pos, "kind": kind, "pipeline": p["name"]})
    params: dict[str, Any] = {"with": "loss_reason", "order[id]": "asc"}
    if since is not None:
        params["filter[updated_at][from]"] = since
    leads = _pages(ctx, "/api/v4/leads", "leads", params, 250)
    ev_params: dict[str, Any] = {"filter[type]": "lead_status_changed"}
    if since is not None:
        ev_params["filter[created_at][from]"] = since
    events = _pages(ctx, "/api/v4/events", "events", ev_params, 100)

    def stage_of(pipeline_id, status_id) -> tuple[str, str, str]:
        return status.get((pipeline_id, status_id)) or (
            next((p["name"] for p in pipes if p["id"] == pipeline_id), str(pipeline_id)),
            f"(deleted stage {status_id})", "won" if status_id == WON else "lost" if status_id == LOST else "open")

    out_leads, out_deals, history = [], [], []
    first_before: dict[int, tuple] = {}
    for e in sorted(events, key=lambda e: (e.get("created_at", 0), str(e.get("id")))):
        if e.get("entity_type") not in (None, "lead"):
            continue
        after = ((e.get("value_after") or [{}])[0] or {}).get("lead_status") or {}
        before = ((e.get("value_before") or [{}])[0] or {}).get("lead_status") or {}
        if after.get("id") is None:
            continue
        history.append({"deal_id": e["entity_id"], "stage": stage_of(after.get("pipeline_id"), after["id"])[1],
                        "entered_at": iso(e["created_at"])})
        if before.get("id") is not None:
            first_before.setdefault(e["entity_id"], (before.get("pipeline_id"), before["id"]))
    for d in leads:
        pipeline, stage, kind = stage_of(d.get("pipeline_id"), d.get("status_id"))
        manager = users.get(d.get("responsible_user_id"), str(d.get("responsible_user_id") or "") or None)
        loss = ((d.get("_embedded") or {}).get("loss_reason") or [{}])
        out_leads.append({"lead_id": d["id"], "created_at": iso(d.get("created_at")), **_utm(d),
                          "manager": manager})
        out_deals.append({"deal_id": d["id"], "lead_id": d["id"], "created_at": iso(d.get("created_at")),
                          "stage": stage, "status": kind, "amount": d.get("price"), "manager": manager,
                          "pipeline": pipeline, "lost_reason": (loss[0] or {}).get("name") if loss else None,
                          "closed_at": iso(d.get("closed_at")) if kind != "open" else None,
                          "currency": ctx.conf.get("currency")})
        # the stage it was created in: before its first change, if the changes fetched go back that far
        if since is None or (d.get("created_at") or 0) >= since:
            first = first_before.get(d["id"])
            start = stage_of(*first)[1] if first else stage
            history.append({"deal_id": d["id"], "stage": start, "entered_at": iso(d.get("created_at"))})
    data, n = wide_csv({"leads": out_leads, "deals": out_deals, "deal_stages": history, "stages": stages})
    if not out_leads and not history:
        return None
    name = f"amoCRM {ctx.since.date() if ctx.since else 'all'}..{ctx.date_to}.csv"
    fmt = wide_format("sync_amocrm", "amoCRM (sync)", [k for k, v in (("leads", out_leads), ("deals", out_deals),
                                                                      ("deal_stages", history), ("stages", stages)) if v])
    return Fetched(data, name, fmt, n, ctx.requests)
