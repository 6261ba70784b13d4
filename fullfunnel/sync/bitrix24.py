"""Bitrix24: leads, deals, their stages and directions (pipelines), and deal stage history, over REST
through an incoming webhook.

Followed:
- https://dev.1c-bitrix.ru/rest_help/rest_sum/index.php — calling a method: POST (or GET)
  https://PORTAL/rest/USER/SECRET/METHOD.json for an incoming webhook; about two requests a second,
  over that `QUERY_LIMIT_EXCEEDED` (HTTP 503); `OVERLOAD_LIMIT` when blocked.
- Bitrix24 list methods return 50 records per call, `next` (the `start` of the following page) while
  there are more, and `total` (https://apidocs.bitrix24.com/ — "Method response", list methods).
- https://apidocs.bitrix24.com/tutorials/crm/how-to-get-lists/how-to-get-stages-with-semantics.html —
  crm.status.list: ENTITY_ID `STATUS` (lead statuses), `DEAL_STAGE` and `DEAL_STAGE_n` (stages of
  deal direction n), `SOURCE`; the stage's semantics (S success, F failure).
- https://dev.1c-bitrix.ru/rest_help/crm/stagehistory.php — crm.stagehistory.list, entityTypeId 2
  (deals): `items` with OWNER_ID, STAGE_ID, CREATED_TIME; filter with `>=`; `start` paging.
- crm.lead.list / crm.deal.list with `select`, `filter` (`>=DATE_MODIFY`), `order`, `start`;
  crm.category.list (entityTypeId 2) for deal directions; user.get for the responsible users' names.

Leads and deals are read as the `bitrix24_leads` / `bitrix24_deals` file presets read the CSV
export: `JUNK` (Некачественный лид) → junk and `CONVERTED` → target; a deal's stage semantics give
won / lost; its direction is its pipeline.
"""
from __future__ import annotations

from fullfunnel.sync import Context, Fetched, SyncFailed, json_of, token_refused, wide_csv, wide_format

TOKEN_KEY = "webhook"
NEEDS = "webhook (the incoming webhook URL, https://PORTAL.bitrix24.ru/rest/1/SECRET/, with the crm and user scopes)"
TOKEN_ERRORS = {"expired_token", "invalid_token", "INVALID_CREDENTIALS", "NO_AUTH_FOUND", "invalid_grant",
                "WRONG_AUTH_TYPE"}
WAIT_ERRORS = {"QUERY_LIMIT_EXCEEDED", "OVERLOAD_LIMIT"}
KINDS = ["leads", "deals", "deal_stages", "stages"]


def configured(conf: dict) -> bool:
    return bool(conf.get(TOKEN_KEY) or conf.get("api_url"))


def base_url(conf: dict) -> str:
    return conf.get("api_url") or conf.get(TOKEN_KEY) or ""


def call(ctx: Context, method: str, params: dict) -> dict:
    """One REST call; rate limits waited out (bounded), a refused webhook is a sentence."""
    while True:
        resp = ctx.http("POST", f"{ctx.api_url}/{method}.json", json=params)
        if resp.status_code in (429, 503) and not resp.headers.get("Content-Type", "").startswith("application/json"):
            body = {}   # a proxy's overload page: wait as for QUERY_LIMIT_EXCEEDED
        else:
            body = json_of(ctx, resp) if resp.content else {}
        err = body.get("error") if isinstance(body, dict) else None
        if resp.status_code == 200 and not err:
            return body
        if err in WAIT_ERRORS or resp.status_code == 429:
            ctx.wait(1, f"the portal keeps answering {err or resp.status_code} (too many requests)",
                     f"портал продолжает отвечать {err or resp.status_code} (слишком много запросов)")
            continue
        if resp.status_code == 401 or err in TOKEN_ERRORS:
            raise token_refused(ctx.source)
        detail = body.get("error_description") if isinstance(body, dict) else None
        if err == "insufficient_scope":
            raise SyncFailed(f"The Bitrix24 webhook may not call {method} (insufficient_scope): give it the crm "
                             "and user scopes in Bitrix24 (Developer resources → incoming webhook).",
                             ru=f"Вебхуку Битрикс24 нельзя вызывать {method} (insufficient_scope): выдайте ему права "
                                "crm и user (Разработчикам → входящий вебхук).")
        raise SyncFailed(f"Bitrix24 answered {resp.status_code} to {method} ({err or ''} {detail or ''}".rstrip()
                         + "); nothing was imported.",
                         ru=f"Битрикс24 ответил {resp.status_code} на {method} ({err or ''} {detail or ''}".rstrip()
                            + "); ничего не загружено.")


def pages(ctx: Context, method: str, params: dict, key: str | None = None) -> list[dict]:
    """Every record of a list method, 50 per call, following `next`."""
    out: list[dict] = []
    start = 0
    while True:
        body = call(ctx, method, {**params, "start": start})
        res = body.get("result")
        if key is not None and isinstance(res, dict):
            res = res.get(key)
        out += res or []
        nxt = body.get("next")
        if nxt is None or not res:
            return out
        start = int(nxt)


def _ts(v: str | None) -> str | None:
    """`2026-11-01T10:00:00+03:00` → `2026-11-01 10:00:00+03:00` (the moment, with its offset)."""
    return v.replace("T", " ") if v else None


def _kind(st: dict) -> str:
    sem = str(st.get("SEMANTICS") or (st.get("EXTRA") or {}).get("SEMANTICS") or "").lower()
    sid = str(st.get("STATUS_ID") or "")
    if sem in ("s", "success") or sid.split(":")[-1] == "WON":
        return "won"
    if sem in ("f", "failure") or sid.split(":")[-1] == "LOSE":
        return "lost"
    return "open"


def fetch(ctx: Context) -> Fetched | None:
    since = ctx.since.strftime("%Y-%m-%dT%H:%M:%S+00:00") if ctx.since else None
    users = {str(u["ID"]): " ".join(x for x in (u.get("NAME"), u.get("LAST_NAME")) if x) or str(u["ID"])
             for u in pages(ctx, "user.get", {})}
    cats = {str(c["id"]): c.get("name") or "" for c in pages(ctx, "crm.category.list", {"entityTypeId": 2},
                                                               key="categories")}
    statuses = pages(ctx, "crm.status.list", {"order": {"SORT": "ASC"}})
    deal_stage: dict[str, tuple[str, str, str]] = {}   # STATUS_ID → (pipeline, stage, kind)
    sources: dict[str, str] = {}
    stages, position = [], {}
    for st in statuses:
        ent = str(st.get("ENTITY_ID") or "")
        if ent == "SOURCE":
            sources[str(st["STATUS_ID"])] = st.get("NAME") or st["STATUS_ID"]
        if ent == "DEAL_STAGE" or ent.startswith("DEAL_STAGE_"):
            cat = ent[len("DEAL_STAGE_"):] if ent.startswith("DEAL_STAGE_") else "0"
            pipeline = cats.get(cat, "")
            kind = _kind(st)
            deal_stage[str(st["STATUS_ID"])] = (pipeline, st.get("NAME") or st["STATUS_ID"], kind)
            position[pipeline] = position.get(pipeline, 0) + 1
            stages.append({"stage": st.get("NAME") or st["STATUS_ID"], "position": position[pipeline], "kind": kind,
                           "pipeline": pipeline})
    flt = {">=DATE_MODIFY": since} if since else {}
    leads = pages(ctx, "crm.lead.list", {"select": ["ID", "DATE_CREATE", "STATUS_ID", "STATUS_DESCRIPTION",
                                                    "SOURCE_ID", "ASSIGNED_BY_ID", "UTM_SOURCE", "UTM_MEDIUM",
                                                    "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM"],
                                         "filter": flt, "order": {"ID": "ASC"}})
    deals = pages(ctx, "crm.deal.list", {"select": ["ID", "DATE_CREATE", "STAGE_ID", "CATEGORY_ID", "OPPORTUNITY",
                                                    "CURRENCY_ID", "CLOSEDATE", "CLOSED", "LEAD_ID",
                                                    "ASSIGNED_BY_ID"],
                                         "filter": flt, "order": {"ID": "ASC"}})
    hist_flt = {">=CREATED_TIME": since} if since else {}
    history = pages(ctx, "crm.stagehistory.list", {"entityTypeId": 2, "filter": hist_flt, "order": {"ID": "ASC"}},
                    key="items")

    def stage(sid) -> tuple[str, str, str]:
        return deal_stage.get(str(sid)) or ("", f"(deleted stage {sid})", "open")

    out_leads = [{
        "lead_id": d["ID"], "created_at": _ts(d.get("DATE_CREATE")),
        "source": d.get("UTM_SOURCE") or sources.get(str(d.get("SOURCE_ID")), d.get("SOURCE_ID")),
        "medium": d.get("UTM_MEDIUM"), "campaign": d.get("UTM_CAMPAIGN"), "content": d.get("UTM_CONTENT"),
        "term": d.get("UTM_TERM"),
        "qualification": {"JUNK": "junk", "CONVERTED": "target"}.get(str(d.get("STATUS_ID"))),
        "junk_reason": d.get("STATUS_DESCRIPTION") if str(d.get("STATUS_ID")) == "JUNK" else None,
        "manager": users.get(str(d.get("ASSIGNED_BY_ID")), d.get("ASSIGNED_BY_ID")),
    } for d in leads]
    out_deals = []
    for d in deals:
        pipeline, name, kind = stage(d.get("STAGE_ID"))
        out_deals.append({
            "deal_id": d["ID"], "created_at": _ts(d.get("DATE_CREATE")), "stage": name, "status": kind,
            "lead_id": d.get("LEAD_ID") or None, "closed_at": _ts(d.get("CLOSEDATE")) if kind != "open" else None,
            "amount": d.get("OPPORTUNITY"), "currency": d.get("CURRENCY_ID") or None,
            "manager": users.get(str(d.get("ASSIGNED_BY_ID")), d.get("ASSIGNED_BY_ID")),
            "pipeline": cats.get(str(d.get("CATEGORY_ID") or 0), pipeline),
        })
    out_hist = [{"deal_id": h["OWNER_ID"], "stage": stage(h.get("STAGE_ID"))[1],
                 "entered_at": _ts(h.get("CREATED_TIME"))} for h in history]
    if not out_leads and not out_deals and not out_hist:
        return None
    parts = {"leads": out_leads, "deals": out_deals, "deal_stages": out_hist, "stages": stages}
    data, n = wide_csv(parts)
    fmt = wide_format("sync_bitrix24", "Bitrix24 (sync)", [k for k, v in parts.items() if v])
    name = f"Bitrix24 {ctx.since.date() if ctx.since else 'all'}..{ctx.date_to}.csv"
    return Fetched(data, name, fmt, n, ctx.requests)

