"""Formats: the native templates and one small declarative mapping per real export we know.

A format names the header columns that recognise it (`signatures`: any one set fully present) and
says, per kind of data it yields, which source column feeds which template column. Header names
match case-insensitively with spaces collapsed; `re:` starts a regular expression instead.
Mapping files (mapping.py) build the same objects.
"""
from __future__ import annotations

from dataclasses import dataclass

from fullfunnel.importing.templates import TEMPLATES

KEEP = object()   # a value map leaves unmatched values as they are


@dataclass(frozen=True)
class Src:
    """Template column ← the first non-empty of these source columns (all that are present)."""

    names: tuple[str, ...]
    map: dict | None = None        # value map, case-insensitive; a None value means empty
    default: object = KEEP         # what unmatched values become when `map` is given
    scale: float | str = 1.0       # multiply numbers (1e-6 for micros; "micros?" = detect)
    times: str | None = None       # multiply by the number in this other column (averages → totals)
    pct: bool = False              # with `times`: the value is a percentage
    equal_to: str | None = None    # reject the row when this other column differs (date ranges)
    empty: str | None = None       # the value of an empty cell (a one-page session has no time on site)
    join: str | None = None        # not the first non-empty: all of `names`, joined with this separator


@dataclass(frozen=True)
class Const:
    value: str


@dataclass(frozen=True)
class FromHeader:
    """A value written inside a column name, e.g. the currency of `Amount spent (USD)`."""

    pattern: str   # regex with one group, over the normalised header name


Field = Src | Const | FromHeader


@dataclass(frozen=True)
class Output:
    kind: str
    fields: dict[str, Field]
    closed_only: bool = False      # deals: a close date on an open deal is a forecast, not a close
    # several rows of the file make one (a hit- or product-level analytics extract): one row per key,
    # each column's first value unless named here with max, min, sum or count
    collapse: dict[str, str] | None = None
    only_if: str | None = None     # rows without a value in this template column are not this kind (skipped)


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    outputs: tuple[Output, ...]
    signatures: tuple[tuple[str, ...], ...] = ()
    decimal: str | None = None     # '.' or ','; None = detect per column
    date_order: str | None = None  # 'dmy' or 'mdy' for slash and dash dates: the user's word, always wins
    date_formats: tuple[str, ...] = ()   # strptime formats tried first (mapping files)
    default_order: str | None = None   # the export's known convention when the values do not settle it;
                                       # None: refuse an ambiguous column (dates.py)
    timezone: str | None = None    # the zone of timestamps written without an offset (else the business zone)

    @property
    def kinds(self) -> list[str]:
        return [o.kind for o in self.outputs]


def native(kind: str) -> Format:
    t = TEMPLATES[kind]
    return Format(
        name="native", title=f"native {kind} template",
        outputs=(Output(kind, {c.name: Src((c.name,)) for c in t.columns}),),
    )


def S(*names: str, **kw) -> Src:
    return Src(tuple(names), **kw)


PHONE_EMAIL = S("re:телефон|phone|mobile", "re:e-?mail|почта")
UTM = {
    "source": S("utm_source", "utm_source.1", "utm source"),
    "medium": S("utm_medium", "utm_medium.1", "utm medium"),
    "campaign": S("utm_campaign", "utm_campaign.1", "utm campaign"),
    "content": S("utm_content", "utm_content.1", "utm content"),
    "term": S("utm_term", "utm_term.1", "utm term"),
}

# ---------------------------------------------------------------- CRMs

AMO_STATUS = {"успешно реализовано": "won", "закрыто и не реализовано": "lost",
              "closed - won": "won", "closed - lost": "lost", "closed – won": "won", "closed – lost": "lost"}
AMOCRM = Format(
    name="amocrm", title="amoCRM / Kommo deals",
    signatures=(("id", "название сделки", "этап сделки"), ("id", "deal name", "deal stage", "pipeline")),
    default_order="dmy",
    outputs=(
        Output("leads", {
            "lead_id": S("id"),
            "created_at": S("дата создания сделки", "дата создания", "date created", "created"),
            **UTM,
            "client_id": PHONE_EMAIL,
            "manager": S("ответственный", "responsible user", "responsible"),
        }),
        Output("deals", {
            "deal_id": S("id"), "lead_id": S("id"),
            "created_at": S("дата создания сделки", "дата создания", "date created", "created"),
            "stage": S("этап сделки", "deal stage", "stage"),
            "status": S("этап сделки", "deal stage", "stage", map=AMO_STATUS, default="open"),
            "closed_at": S("дата закрытия", "closing date", "closed at",
                           map={"не закрыта": None, "not closed": None}),
            "amount": S("бюджет", "budget", "sale"),
            "manager": S("ответственный", "responsible user", "responsible"),
            "pipeline": S("воронка", "pipeline"),
            "lost_reason": S("причина отказа", "loss reason", "lost reason"),
            "client_id": PHONE_EMAIL,
        }),
    ),
)

BITRIX_QUAL = {"некачественный лид": "junk", "junk": "junk", "некачественный": "junk",
               "качественный лид": "target", "converted": "target", "сконвертирован": "target",
               "конвертирован": "target"}
BITRIX_LEADS = Format(
    name="bitrix24_leads", title="Bitrix24 leads",
    signatures=(("id", "название лида", "стадия"), ("id", "lead name", "status")),
    default_order="dmy",
    outputs=(Output("leads", {
        "lead_id": S("id"),
        "created_at": S("дата создания", "created"),
        "source": S("utm_source", "utm source", "источник", "source"),
        "medium": S("utm_medium", "utm medium"),
        "campaign": S("utm_campaign", "utm campaign"),
        "content": S("utm_content", "utm content"),
        "term": S("utm_term", "utm term"),
        "qualification": S("стадия", "status", map=BITRIX_QUAL, default=None),
        "junk_reason": S("дополнительно о стадии", "status information"),
        "manager": S("ответственный", "responsible"),
        "client_id": PHONE_EMAIL,
    }),),
)

BITRIX_DEALS = Format(
    name="bitrix24_deals", title="Bitrix24 deals",
    signatures=(("id", "название сделки", "стадия сделки"), ("id", "deal name", "deal stage", "direction")),
    default_order="dmy",
    outputs=(Output("deals", {
        "deal_id": S("id"),
        "created_at": S("дата создания", "created"),
        "stage": S("стадия сделки", "deal stage"),
        "status": S("стадия сделки", "deal stage", default="open", map={
            "сделка успешна": "won", "успешно": "won", "won": "won", "deal won": "won",
            "сделка провалена": "lost", "провалена": "lost", "lose": "lost", "deal lost": "lost",
            "анализ причины провала": "lost"}),
        "closed_at": S("дата закрытия", "дата завершения", "closed"),
        "amount": S("сумма", "amount", "opportunity"),
        "currency": S("валюта", "currency"),
        "lead_id": S("лид", "id лида", "lead"),
        "manager": S("ответственный", "responsible"),
        "pipeline": S("направление", "воронка", "direction", "pipeline"),
        "client_id": PHONE_EMAIL,
    }, closed_only=True),),
)

HUBSPOT_SOURCE = {
    "organic_search": "seo", "organic search": "seo", "paid_search": "paid_search", "paid search": "paid_search",
    "direct_traffic": "direct", "direct traffic": "direct", "email_marketing": "email",
    "email marketing": "email", "social_media": "social", "organic social": "social",
    "referrals": "referral", "paid_social": "paid_social", "paid social": "paid_social",
    "offline": "offline", "offline sources": "offline", "other_campaigns": "other", "other campaigns": "other",
    "ai_referrals": "referral", "ai referrals": "referral",
}
HUBSPOT_CONTACTS = Format(
    name="hubspot_contacts", title="HubSpot contacts",
    signatures=(("record id", "first name"), ("record id", "lead status")),
    outputs=(Output("leads", {
        "lead_id": S("record id", "contact id"),
        "created_at": S("create date", "became a lead date"),
        "channel": S("original source", "original traffic source", map=HUBSPOT_SOURCE, default=None),
        "source": S("original source", "original traffic source"),
        "campaign": S("original source drill-down 2"),
        "qualification": S("lead status", default=None, map={
            "unqualified": "junk", "bad timing": "junk", "bad_timing": "junk", "open deal": "target",
            "open_deal": "target", "connected": "target", "in progress": "target", "in_progress": "target"}),
        "manager": S("contact owner"),
        "client_id": PHONE_EMAIL,
    }),),
)

HUBSPOT_STAGE_LABELS = {
    "appointmentscheduled": "Appointment Scheduled", "qualifiedtobuy": "Qualified To Buy",
    "presentationscheduled": "Presentation Scheduled", "decisionmakerboughtin": "Decision Maker Bought-In",
    "contractsent": "Contract Sent", "closedwon": "Closed Won", "closedlost": "Closed Lost",
}
HUBSPOT_DEALS = Format(
    name="hubspot_deals", title="HubSpot deals",
    signatures=(("record id", "deal name", "deal stage"),),
    outputs=(Output("deals", {
        "deal_id": S("record id", "deal id"),
        "created_at": S("create date"),
        "stage": S("deal stage", map=HUBSPOT_STAGE_LABELS),
        "status": S("deal stage", default="open", map={
            "closedwon": "won", "closed won": "won", "closedlost": "lost", "closed lost": "lost"}),
        "amount": S("amount", "amount in company currency"),
        "currency": S("currency"),
        "closed_at": S("close date"),
        "manager": S("deal owner"),
        "pipeline": S("pipeline"),
        "lost_reason": S("closed lost reason"),
    }, closed_only=True),),
)

PIPEDRIVE = Format(
    name="pipedrive", title="Pipedrive deals",
    signatures=(("deal - id", "deal - title"), ("deal - id", "deal - stage")),
    outputs=(Output("deals", {
        "deal_id": S("deal - id"),
        "created_at": S("deal - deal created", "deal - add time"),
        "stage": S("deal - stage"),
        "status": S("deal - status"),
        "amount": S("deal - value"),
        "currency": S("deal - currency of value", "deal - currency"),
        "manager": S("deal - owner"),
        "closed_at": S("deal - won time", "deal - lost time", "deal - close time"),
        "lost_reason": S("deal - lost reason"),
        "pipeline": S("deal - pipeline"),
        "client_id": S("re:^person - (email|phone)"),
    }),),
)

SALESFORCE = Format(
    name="salesforce", title="Salesforce opportunity report",
    signatures=(("opportunity name", "stage"), ("opportunity id", "stage")),
    default_order="mdy",
    outputs=(Output("deals", {
        "deal_id": S("opportunity id"),
        "created_at": S("created date"),
        "stage": S("stage"),
        "status": S("stage", default="open", map={"closed won": "won", "closed lost": "lost"}),
        "amount": S("amount"),
        "currency": S("opportunity currency", "amount currency"),
        "closed_at": S("close date"),
        "manager": S("opportunity owner"),
        "lost_reason": S("loss reason", "closed lost reason"),
    }, closed_only=True),),
)

# ---------------------------------------------------------------- ad cabinets

GOOGLE_ADS = Format(
    name="google_ads", title="Google Ads report",
    signatures=(("campaign", "cost", "impr."), ("campaign", "cost", "impressions", "currency code"),
                ("кампания", "стоимость", "показы")),
    outputs=(Output("spend", {
        "date": S("day", "date", "день", "дата"),
        "channel": Const("google_ads"),
        "campaign": S("campaign", "кампания"),
        "spend": S("cost", "стоимость"),
        "impressions": S("impr.", "impressions", "показы"),
        "clicks": S("clicks", "клики"),
        "currency": S("currency code", "currency", "код валюты", "валюта"),
    }),),
)

YANDEX_DIRECT = Format(
    name="yandex_direct", title="Yandex Direct report",
    signatures=(("date", "campaignname", "cost"),),
    outputs=(Output("spend", {
        "date": S("date"),
        "channel": Const("yandex_direct"),
        "campaign": S("campaignname", "campaignid"),
        "spend": S("cost", scale="micros?"),
        "impressions": S("impressions"),
        "clicks": S("clicks"),
        "currency": S("currency"),
    }),),
)

META_ADS = Format(
    name="meta_ads", title="Meta Ads Manager export",
    signatures=(("reporting starts", "campaign name"), ("начало отчетности", "название кампании"),
                ("day", "campaign name", "re:^amount spent")),
    outputs=(Output("spend", {
        "date": S("day", "reporting starts", "начало отчетности", "день", equal_to="reporting ends"),
        "channel": Const("meta_ads"),
        "campaign": S("campaign name", "название кампании"),
        "spend": S(r"re:^amount spent( \(\w+\))?$", r"re:^потраченная сумма( \(\w+\))?$"),
        "currency": FromHeader(r"^(?:amount spent|потраченная сумма) \((\w+)\)$"),
        "impressions": S("impressions", "показы"),
        "clicks": S("link clicks", "клики по ссылке", "clicks (all)"),
    }),),
)

# ---------------------------------------------------------------- web analytics

GA4_CHANNELS = {
    "organic search": "seo", "direct": "direct", "referral": "referral", "email": "email",
    "organic social": "social", "paid search": "paid_search", "paid social": "paid_social",
    "display": "display", "organic video": "video", "paid video": "paid_video", "affiliates": "affiliates",
    "organic shopping": "shopping", "paid shopping": "paid_shopping", "cross-network": "other",
    "paid other": "other", "(other)": "other", "unassigned": "unknown", "sms": "sms", "audio": "audio",
    "mobile push notifications": "push",
}
GA4 = Format(
    name="ga4", title="Google Analytics 4 report",
    signatures=(("re:^session (primary|default) channel group", "sessions"), ("date", "sessions", "engaged sessions"),
                ("date", "sessions", "total users"), ("дата", "сеансы")),
    outputs=(Output("traffic", {
        "date": S("date", "дата", "day"),
        "channel": S(r"re:^session (primary|default) channel group", r"re:^основная группа каналов",
                     map=GA4_CHANNELS),
        "campaign": S("session campaign", "кампания сеанса"),
        "sessions": S("sessions", "сеансы"),
        "visitors": S("total users", "active users", "users", "всего пользователей", "активные пользователи"),
        "pageviews": S("views", "просмотры"),
        "duration_s": S("average session duration", "средняя длительность сеанса", times="sessions"),
        "conversions": S("key events", "conversions", "ключевые события", "конверсии"),
    }),),
)

METRICA_SOURCES = {
    "переходы из поисковых систем": "seo", "search engine traffic": "seo",
    "прямые заходы": "direct", "direct traffic": "direct",
    "переходы по ссылкам на сайтах": "referral", "link traffic": "referral",
    "переходы из рекламных систем": "ads", "ad traffic": "ads",
    "переходы из социальных сетей": "social", "social network traffic": "social",
    "переходы из мессенджеров": "messengers", "messenger traffic": "messengers",
    "переходы с почтовых рассылок": "email", "mailing traffic": "email",
    "внутренние переходы": "internal", "internal traffic": "internal",
    "переходы из рекомендательных систем": "recommendations", "recommendation system traffic": "recommendations",
    "не определено": "unknown", "not determined": "unknown",
    "переходы с сохранённых страниц": "saved", "cached page traffic": "saved",
}
METRICA_UI = Format(
    name="metrica", title="Yandex Metrica report (UI export)",
    signatures=(("визиты", "посетители"), ("sessions", "users", "bounce rate", "page depth")),
    default_order="dmy",
    outputs=(Output("traffic", {
        "date": S("дата визита", "дата", "date of visit", "date"),
        "channel": S("источник трафика", "traffic source", map=METRICA_SOURCES),
        "campaign": S("utm campaign", "utm_campaign", "рекламная кампания"),
        "sessions": S("визиты", "sessions"),
        "visitors": S("посетители", "users"),
        "pageviews": S("глубина просмотра", "page depth", times="визиты"),
        "duration_s": S("время на сайте", "время на сайте, мин", "time on site", times="визиты"),
        "bounces": S("отказы", "bounce rate", times="визиты", pct=True),
        "conversions": S("достижения любой цели", "goal reaches (any goal)"),
    }),),
)

METRICA_LOGS = Format(
    name="metrica_logs", title="Yandex Metrica Logs API visits",
    signatures=(("ym:s:visitid", "ym:s:datetime"),),
    outputs=(Output("sessions", {
        "session_id": S("ym:s:visitid"),
        "visitor_id": S("ym:s:clientid"),
        "started_at": S("ym:s:datetime", "ym:s:date"),
        "pageviews": S("ym:s:pageviews"),
        "duration_s": S("ym:s:visitduration"),
        "source": S("ym:s:utmsource", "ym:s:lastsearchengineroot", "ym:s:lastadvengine",
                    "ym:s:lastreferaldomain", "ym:s:lastsocialnetwork"),
        "medium": S("ym:s:utmmedium", "ym:s:lasttrafficsource"),
        "campaign": S("ym:s:utmcampaign"),
        "landing_page": S("ym:s:starturl"),
    }),),
)

UA_CHANNELS_UI = {**GA4_CHANNELS, "social": "social", "(other)": "other"}

# Universal Analytics UI export (Audience Overview, Acquisition): a `#` comment block, the table, a
# totals row with empty dimensions, then a second `Day Index,Sessions` section (skipped by read.py)
UA_REPORT = Format(
    name="ua_report", title="Universal Analytics report (UI export)",
    signatures=(("day index", "sessions"), ("date", "default channel grouping", "sessions", "users")),
    outputs=(Output("traffic", {
        "date": S("day index", "date"),
        "channel": S("default channel grouping", map=UA_CHANNELS_UI),
        "campaign": S("campaign"),
        "sessions": S("sessions"),
        "visitors": S("users"),
        "pageviews": S("pageviews"),
        "duration_s": S("avg. session duration", times="sessions"),
        "bounces": S("bounce rate", times="sessions", pct=True),
        "conversions": S("goal completions", "transactions"),
    }, only_if="date"),),   # the totals row has no date
)

UA_CHANNELS = {**GA4_CHANNELS, "social": "social", "paid search": "paid_search", "generic paid search": "paid_search",
               "branded paid search": "paid_search", "(other)": "other"}


def _ua(name: str) -> str:
    """A GA360 / Universal Analytics session field, bare or flattened from BigQuery (totals.pageviews)."""
    return rf"re:^((totals|trafficsource|hits|device)[._])?{name}$"


def _ga_sessions(started_at: Src, name: str, title: str, *signatures: tuple[str, ...]) -> Format:
    session = S("fullvisitorid", "visitid", join="-")
    return Format(
        name=name, title=title, signatures=signatures,
        outputs=(
            Output("sessions", {
                "session_id": session,
                "visitor_id": S("fullvisitorid"),
                "started_at": started_at,
                "pageviews": S(_ua("pageviews"), empty="0"),
                "duration_s": S(_ua("timeonsite"), empty="0"),
                "channel": S("channelgrouping", map=UA_CHANNELS),
                "source": S(_ua("source")),
                "medium": S(_ua("medium")),
                "campaign": S(_ua("campaign")),
                "landing_page": S(_ua("landingpagepath"), _ua("pagepath")),
                "converted": S(_ua("transactions"), map={"0": "0"}, default="1", empty="0"),
            }, collapse={}),
            # a session's e-commerce revenue is an order of the website; sessions without one are skipped
            Output("orders", {
                "order_id": session,
                "ordered_at": started_at,
                "client_id": S("fullvisitorid"),
                "product": Const("website"),
                "revenue": S(_ua("totaltransactionrevenue"), _ua("transactionrevenue"), scale=1e-6),
                "channel": S("channelgrouping", map=UA_CHANNELS),
            }, collapse={}, only_if="revenue"),
        ),
    )


# BigQuery / GA360 and Universal Analytics session extracts: one row per session, or per hit or
# product of a session (collapsed to one); money in micros; visitStartTime in Unix seconds.
# (the date + time variant is tried first: any other file with fullVisitorId and visitId is this one,
# and one without visitStartTime is told to add it)
GA_SESSIONS = _ga_sessions(S("visitstarttime"), "ga_sessions", "Universal Analytics / GA360 sessions",
                           ("fullvisitorid", "visitid"))
GA_SESSIONS_DATETIME = _ga_sessions(S("date", "time", join=" "), "ga_sessions_datetime",
                                    "Universal Analytics / GA360 sessions (date + time)",
                                    ("fullvisitorid", "visitid", "date", "time"))

PRESETS: dict[str, Format] = {f.name: f for f in [
    AMOCRM, BITRIX_LEADS, BITRIX_DEALS, HUBSPOT_CONTACTS, HUBSPOT_DEALS, PIPEDRIVE, SALESFORCE,
    GOOGLE_ADS, YANDEX_DIRECT, META_ADS, GA_SESSIONS_DATETIME, GA_SESSIONS, UA_REPORT, GA4, METRICA_UI, METRICA_LOGS,
]}
