"""The native templates: one per kind of data, the contract every importer maps into (FORMATS.md)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    """One template column. `type` decides how a cell is read (see parse.py)."""

    name: str
    type: str = "text"   # text, ts, date, month, money, int, duration, num, bool, choice, rating, client
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None   # stored instead of null (natural-key columns that are never null)


@dataclass(frozen=True)
class Template:
    kind: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    rules_channel: bool = False   # channel resolved by channel rules over source/medium/campaign
    sums: bool = False            # rows of one file with the same key are added up (finer breakdowns)

    @property
    def table(self) -> str:
        return self.kind

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


STATUS = ("open", "won", "lost")

TEMPLATES: dict[str, Template] = {t.kind: t for t in [
    Template("leads", (
        Col("lead_id", required=True), Col("created_at", "ts", True), Col("channel"),
        Col("source"), Col("medium"), Col("campaign"), Col("content"), Col("term"),
        Col("landing_page"), Col("client_id", "client"), Col("visitor_id"),
        Col("qualification", "choice", choices=("target", "junk")), Col("junk_reason"), Col("manager"),
    ), key=("lead_id",), rules_channel=True),
    Template("deals", (
        Col("deal_id", required=True), Col("created_at", "ts", True), Col("stage", required=True),
        Col("status", "choice", choices=STATUS, default="open"), Col("lead_id"), Col("client_id", "client"),
        Col("closed_at", "ts"), Col("amount", "money"), Col("currency", "currency"), Col("lost_reason"),
        Col("manager"), Col("pipeline", default=""),
    ), key=("deal_id",)),
    Template("deal_stages", (
        Col("deal_id", required=True), Col("stage", required=True), Col("entered_at", "ts", True),
    ), key=("deal_id", "stage", "entered_at")),
    Template("stages", (
        Col("stage", required=True), Col("position", "int", True),
        Col("kind", "choice", True, choices=STATUS), Col("pipeline", default=""),
    ), key=("pipeline", "stage")),
    Template("spend", (
        Col("date", "date", True), Col("channel", required=True), Col("spend", "money", True),
        Col("campaign", default=""), Col("impressions", "int"), Col("clicks", "int"),
        Col("currency", "currency"),
    ), key=("date", "channel", "campaign"), sums=True),
    Template("sessions", (
        Col("session_id", required=True), Col("visitor_id", required=True), Col("started_at", "ts", True),
        Col("pageviews", "int", True), Col("duration_s", "duration", True), Col("channel"),
        Col("source"), Col("medium"), Col("campaign"), Col("landing_page"), Col("converted", "bool"),
    ), key=("session_id",), rules_channel=True),
    Template("traffic", (
        Col("date", "date", True), Col("sessions", "int", True), Col("visitors", "int", True),
        Col("channel", default=""), Col("campaign", default=""), Col("pageviews", "int"),
        Col("duration_s", "duration"), Col("bounces", "int"), Col("conversions", "int"),
    ), key=("date", "channel", "campaign"), sums=True),
    Template("activities", (
        Col("activity_id", required=True), Col("at", "ts", True), Col("manager", required=True),
        Col("type", "choice", True, choices=("call", "meeting", "email", "task")), Col("lead_id"),
        Col("deal_id"), Col("outcome"), Col("duration_s", "duration"),
    ), key=("activity_id",)),
    Template("orders", (
        Col("order_id", required=True), Col("ordered_at", "ts", True), Col("client_id", "client", True),
        Col("product", required=True), Col("revenue", "money", True), Col("quantity", "num"),
        Col("cost", "money"), Col("deal_id"), Col("channel"), Col("currency", "currency"),
    ), key=("order_id", "product")),
    Template("reviews", (
        Col("review_id", required=True), Col("date", "date", True), Col("rating", "rating", True),
        Col("source"), Col("product"),
    ), key=("review_id",)),
    Template("plans", (
        Col("month", "month", True), Col("metric", required=True), Col("value", "num", True),
        Col("channel", default=""), Col("manager", default=""),
    ), key=("month", "metric", "channel", "manager")),
]}

KINDS = tuple(TEMPLATES)

# one example row per kind, in the template's column order: what a filled-in template looks like
EXAMPLES: dict[str, list[dict[str, str]]] = {
    "leads": [{"lead_id": "L-1001", "created_at": "2026-05-01 10:15", "source": "yandex", "medium": "cpc",
               "campaign": "brand", "client_id": "+7 999 111-22-33", "qualification": "target", "manager": "Anna"}],
    "deals": [{"deal_id": "D-501", "created_at": "2026-05-02 12:00", "stage": "Won", "status": "won",
               "lead_id": "L-1001", "closed_at": "2026-05-06 16:30", "amount": "25000.50", "currency": "RUB",
               "manager": "Anna", "pipeline": "Sales"}],
    "deal_stages": [{"deal_id": "D-501", "stage": "Proposal", "entered_at": "2026-05-03 09:00"}],
    "stages": [{"stage": "Proposal", "position": "2", "kind": "open", "pipeline": "Sales"}],
    "spend": [{"date": "2026-05-01", "channel": "yandex_direct", "spend": "1500.00", "campaign": "brand",
               "impressions": "12000", "clicks": "240", "currency": "RUB"}],
    "sessions": [{"session_id": "S-1", "visitor_id": "V-1", "started_at": "2026-05-01 10:02:00", "pageviews": "3",
                  "duration_s": "125", "source": "yandex", "medium": "cpc", "campaign": "brand",
                  "landing_page": "/price", "converted": "1"}],
    "traffic": [{"date": "2026-05-01", "sessions": "120", "visitors": "100", "channel": "seo", "pageviews": "300",
                 "duration_s": "9000", "bounces": "30", "conversions": "3"}],
    "activities": [{"activity_id": "A-1", "at": "2026-05-01 11:00", "manager": "Anna", "type": "call",
                    "lead_id": "L-1001", "outcome": "reached", "duration_s": "180"}],
    "orders": [{"order_id": "O-1", "ordered_at": "2026-05-06 17:00", "client_id": "+7 999 111-22-33",
                "product": "Sofa", "revenue": "25000.50", "quantity": "1", "cost": "15000", "deal_id": "D-501",
                "currency": "RUB"}],
    "reviews": [{"review_id": "R-1", "date": "2026-05-08", "rating": "5", "source": "yandex_maps", "product": "Sofa"}],
    "plans": [{"month": "2026-05", "metric": "leads", "value": "100"}],
}


def template_csv(kind: str) -> str:
    """The native template of a kind as a CSV to fill in: the header and an example row."""
    import csv
    import io

    t = template(kind)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(t.names)
    for row in EXAMPLES[kind]:
        w.writerow([row.get(c, "") for c in t.names])
    return out.getvalue()


def template(kind: str) -> Template:
    from fullfunnel.importing.errors import ImportRefused

    if kind not in TEMPLATES:
        raise ImportRefused(f"Unknown kind of data {kind!r}; use one of: {', '.join(KINDS)}.",
                            ru=f"Неизвестный тип данных {kind!r}; укажите один из: {', '.join(KINDS)}.")
    return TEMPLATES[kind]
