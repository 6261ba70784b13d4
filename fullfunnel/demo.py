"""`python -m fullfunnel demo`: a realistic, deterministic demo database (a B2B CRM vendor in Moscow).

One year of ad spend, web sessions, leads, deals with stage history, orders, calls, reviews and plans,
with the patterns the dashboard is meant to reveal: weekly and yearly seasonality, channels of very
different cost and quality, repeat buyers, maturing cohorts, and three unhealthy channels —
telegram_ads stops producing leads half-way through the period while its spend continues,
vk_ads stops 20 days before the end (spend continues), and email leads fall to about a third of
their usual rate in the last two weeks.

Everything is vectorised with numpy (one random generator per seed, so a seed always gives the
same data for the same `end`), put in pandas frames and bulk-inserted by DuckDB. Ids and
dimension texts are built inside DuckDB from integer codes, which keeps Python out of the
per-row work.
"""
from __future__ import annotations

import argparse
import math
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from fullfunnel import FullfunnelError, db

BUSINESS_TZ = "Europe/Moscow"
CURRENCY = "RUB"
SEC = 1_000_000  # timestamps are kept as epoch microseconds until they reach DuckDB
HOUR = 3600 * SEC
DAY = 24 * HOUR


class DemoError(FullfunnelError):
    pass


# ---------------------------------------------------------------- the business

# Per channel: leads per day on an average day (before seasonality), share of junk leads, share of
# target leads that end as a won deal, basket size factor (average check), share of leads that come
# through the site (the rest are phone calls), share of leads from existing clients, share of
# sessions from returning visitors, bounce rate, and sessions per day for unpaid channels (paid
# channels get sessions from their clicks).
_CHANNEL_FIELDS = ("leads", "junk", "win", "size", "web", "repeat", "back", "bounce", "sessions")
CHANNELS: dict[str, dict] = {name: dict(zip(_CHANNEL_FIELDS, row)) for name, *row in [
    # channel       leads  junk   win  size   web  repeat back bounce sessions
    ("yandex_direct", 66, 0.27, 0.10, 1.00, 0.92, 0.04, 0.33, 0.38, None),
    ("google_ads", 31, 0.22, 0.11, 1.15, 0.93, 0.04, 0.33, 0.33, None),
    ("vk_ads", 19, 0.42, 0.05, 0.70, 0.95, 0.03, 0.28, 0.50, None),
    ("telegram_ads", 14, 0.50, 0.04, 0.60, 0.95, 0.03, 0.28, 0.55, None),
    ("seo", 56, 0.20, 0.12, 1.00, 0.88, 0.06, 0.38, 0.30, 1350),
    ("email", 24, 0.07, 0.15, 1.10, 0.95, 0.30, 0.80, 0.25, 300),
    ("direct", 45, 0.15, 0.14, 1.25, 0.45, 0.22, 0.80, 0.35, 630),
    ("referral", 14, 0.10, 0.18, 1.40, 0.90, 0.12, 0.28, 0.28, 145),
    ("social", 10, 0.35, 0.06, 0.70, 0.90, 0.04, 0.33, 0.45, 250),
]}
CHANNEL_NAMES = list(CHANNELS)

# utm-like traffic sources: channel, source, medium, campaign, share of the channel's leads (and of
# its sessions for unpaid channels); paid campaigns add daily spend (RUB), cost per click, CTR.
UTM: list[tuple] = [
    ("yandex_direct", "yandex", "cpc", "search_crm_brand", 0.25, 25_000, 45, 0.080),
    ("yandex_direct", "yandex", "cpc", "search_crm_generic", 0.45, 85_000, 120, 0.050),
    ("yandex_direct", "yandex", "cpc", "rsya_retargeting", 0.20, 25_000, 60, 0.009),
    ("yandex_direct", "yandex", "cpc", "rsya_lookalike", 0.10, 15_000, 80, 0.006),
    ("google_ads", "google", "cpc", "search_brand", 0.30, 15_000, 55, 0.090),
    ("google_ads", "google", "cpc", "search_generic", 0.50, 55_000, 130, 0.045),
    ("google_ads", "google", "cpc", "pmax_b2b", 0.20, 14_000, 90, 0.012),
    ("vk_ads", "vk", "cpc", "lookalike_customers", 0.60, 15_000, 45, 0.006),
    ("vk_ads", "vk", "cpc", "retargeting_site", 0.40, 12_000, 55, 0.008),
    ("telegram_ads", "telegram", "cpc", "tg_marketing_channels", 0.60, 14_000, 60, 0.012),
    ("telegram_ads", "telegram", "cpc", "tg_business_channels", 0.40, 10_000, 65, 0.010),
    ("seo", "yandex", "organic", None, 0.60, 0, 0, 0),
    ("seo", "google", "organic", None, 0.40, 0, 0, 0),
    ("email", "newsletter", "email", "weekly_digest", 0.50, 0, 0, 0),
    ("email", "newsletter", "email", "product_updates", 0.30, 0, 0, 0),
    ("email", "newsletter", "email", "webinar_invite", 0.20, 0, 0, 0),
    ("direct", "(direct)", "(none)", None, 1.00, 0, 0, 0),
    ("referral", "habr.com", "referral", None, 0.35, 0, 0, 0),
    ("referral", "vc.ru", "referral", None, 0.35, 0, 0, 0),
    ("referral", "partners", "referral", "partner_program", 0.30, 0, 0, 0),
    ("social", "vk.com", "social", None, 0.40, 0, 0, 0),
    ("social", "t.me", "social", None, 0.35, 0, 0, 0),
    ("social", "youtube.com", "social", None, 0.25, 0, 0, 0),
]

PAGES = ["/", "/pricing", "/demo", "/features", "/integrations", "/webinar",
         "/blog/crm-for-small-business", "/blog/sales-funnel-metrics"]
# landing page weights (same order as PAGES): search ads land on money pages, SEO on the blog
PAGE_MIX = {
    "paid_search": [30, 25, 25, 10, 5, 5, 0, 0],
    "paid_social": [40, 20, 20, 5, 0, 15, 0, 0],
    "seo": [15, 8, 5, 12, 10, 0, 28, 22],
    "email": [10, 10, 10, 15, 10, 45, 0, 0],
    "direct": [60, 20, 8, 5, 5, 2, 0, 0],
    "referral": [25, 15, 10, 15, 20, 0, 8, 7],
    "social": [30, 10, 10, 10, 5, 15, 10, 10],
}
CHANNEL_PAGES = {"yandex_direct": "paid_search", "google_ads": "paid_search", "vk_ads": "paid_social",
                 "telegram_ads": "paid_social", "seo": "seo", "email": "email", "direct": "direct",
                 "referral": "referral", "social": "social"}

MANAGERS = ["Анна Смирнова", "Дмитрий Иванов", "Елена Кузнецова", "Сергей Попов",
            "Ольга Волкова", "Павел Соколов", "Ирина Морозова", "Максим Лебедев"]
MANAGER_SHARE = [0.17, 0.16, 0.15, 0.14, 0.12, 0.11, 0.08, 0.07]
MANAGER_SKILL = [1.20, 1.00, 1.10, 0.90, 1.00, 0.85, 0.75, 1.15]

JUNK_REASONS = ["unreachable", "not_target", "duplicate", "spam", "other"]
JUNK_MIX = {"default": [0.35, 0.35, 0.12, 0.08, 0.10], "noisy": [0.25, 0.35, 0.07, 0.25, 0.08]}
NOISY = {"vk_ads", "telegram_ads", "social"}

PIPELINE = "Sales"
STAGES = [("New", 1, "open"), ("Qualified", 2, "open"), ("Meeting", 3, "open"), ("Proposal", 4, "open"),
          ("Negotiation", 5, "open"), ("Won", 6, "won"), ("Lost", 7, "lost")]
STAGE_NAMES = [s[0] for s in STAGES]
# probability to move on from each open stage (New→Qualified ... Negotiation→Won) for an average
# deal, and the mean days spent in each stage before moving on
STEP_P = np.array([0.70, 0.55, 0.60, 0.65, 0.60])
STEP_DAYS = np.array([2.0, 5.0, 6.0, 8.0, 9.0])
BASE_WIN = float(np.prod(STEP_P))
LOST_REASONS = ["price", "competitor", "no budget", "no response", "postponed"]
LOST_EARLY = [0.10, 0.15, 0.25, 0.35, 0.15]
LOST_LATE = [0.35, 0.30, 0.15, 0.05, 0.15]

# name, unit price (RUB), unit cost, popularity weight, typical quantity (seats scale with the client)
PRODUCTS: list[tuple] = [
    ("CRM Start, seat/year", 9_600, 1_200, 10.0, 8),
    ("CRM Business, seat/year", 18_000, 2_400, 8.0, 10),
    ("CRM Enterprise, seat/year", 36_000, 5_000, 2.5, 15),
    ("Implementation: basic", 60_000, 38_000, 6.0, 1),
    ("Implementation: extended", 180_000, 120_000, 2.0, 1),
    ("Telephony integration", 25_000, 9_000, 4.0, 1),
    ("1C integration", 45_000, 20_000, 3.0, 1),
    ("Website widget", 12_000, 1_500, 3.0, 1),
    ("Training day", 30_000, 18_000, 3.0, 2),
    ("Data migration", 40_000, 25_000, 2.5, 1),
    ("Premium support, year", 72_000, 10_000, 1.2, 1),
    ("Custom report pack", 35_000, 4_000, 0.8, 1),
    ("Security audit", 120_000, 15_000, 0.4, 1),
    ("Analytics add-on, seat/year", 6_000, 600, 1.0, 10),
    ("API access, year", 48_000, 4_000, 0.7, 1),
    ("SMS package 10k", 15_000, 11_000, 3.0, 2),
    ("IP phone", 8_500, 6_800, 2.0, 5),
    ("Consulting hour", 5_000, 2_500, 2.0, 8),
    ("Mobile app module", 24_000, 3_000, 1.2, 1),
    ("Onboarding webinar", 9_000, 2_000, 2.0, 1),
]

OUTCOMES = ["answered", "no answer", "busy", "held", "proposal sent"]  # calls, meetings, emails
REVIEW_SOURCES = ["yandex_maps", "2gis", "google_maps", "otzovik"]
REVIEW_SOURCE_SHARE = [0.45, 0.25, 0.20, 0.10]
REVIEW_RATINGS = [0.04, 0.05, 0.11, 0.28, 0.52]

# hour-of-day weights (business time): leads come in office hours, visits spread into the evening
LEAD_HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 1, 3, 7, 9, 9, 8, 8, 9, 9, 8, 7, 5, 3, 2, 1.5, 1, 0.5]
SESSION_HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2.5, 4.5, 6.5, 7.5, 7.5,
                 7, 7, 7.5, 7.5, 7, 6.5, 5.5, 5, 5, 4.5, 3.5, 2]
# day-of-week factors, Monday first (B2B: weekdays busy, weekends quiet)
LEAD_WEEK = [1.10, 1.15, 1.12, 1.08, 0.95, 0.35, 0.25]
SESSION_WEEK = [1.08, 1.10, 1.08, 1.05, 0.95, 0.60, 0.55]
SPEND_WEEK = [1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.75]


def _norm(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def _week(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.mean()


def _season_raw(days: list[date]) -> np.ndarray:
    """Yearly shape: summer dip, pre-New-Year peak, January and May holidays, before normalising."""
    doy = np.array([d.timetuple().tm_yday for d in days], dtype=float)

    def bump(center, width):
        dist = np.minimum(np.abs(doy - center), 365 - np.abs(doy - center))
        return np.exp(-((dist / width) ** 2))

    f = 1.0 + 0.28 * bump(345, 14) - 0.25 * bump(205, 30)
    month_day = np.array([(d.month, d.day) for d in days])
    holidays = (month_day[:, 0] == 1) & (month_day[:, 1] <= 8)
    may = (month_day[:, 0] == 5) & np.isin(month_day[:, 1], [1, 2, 3, 8, 9, 10])
    year_end = (month_day[:, 0] == 12) & (month_day[:, 1] >= 30)
    f = np.where(holidays, 0.35, f)
    f = np.where(may, f * 0.7, f)
    f = np.where(year_end, f * 0.6, f)
    return f


def _season(days: list[date]) -> np.ndarray:
    year = [date(2025, 1, 1) + timedelta(i) for i in range(365)]
    return _season_raw(days) / _season_raw(year).mean()


# ---------------------------------------------------------------- generation


def default_end() -> date:
    """Yesterday in the business time zone: the last complete day."""
    return datetime.now(ZoneInfo(BUSINESS_TZ)).date() - timedelta(days=1)


def _midnights(start: date, days: int) -> np.ndarray:
    """Epoch microseconds of each local midnight (DST-safe: computed per day)."""
    tz = ZoneInfo(BUSINESS_TZ)
    return np.array(
        [int(datetime.combine(start + timedelta(i), datetime.min.time(), tz).timestamp()) * SEC
         for i in range(days + 1)], dtype=np.int64)


def _to_business_hours(ts: np.ndarray, midnights: np.ndarray, rng) -> np.ndarray:
    """Move times outside Monday–Friday 09:00–19:00 local to a random working hour (calls, stage moves)."""
    last = len(midnights) - 1
    first_weekday = datetime.fromtimestamp(midnights[0] / SEC, ZoneInfo(BUSINESS_TZ)).weekday()
    day0 = np.clip(np.searchsorted(midnights, ts, side="right") - 1, 0, last - 1)
    sod = ts - midnights[day0]
    day = np.where(sod >= 19 * HOUR, day0 + 1, day0)  # too late: the next day
    weekday = (first_weekday + day) % 7
    day = day + np.select([weekday == 5, weekday == 6], [2, 1], 0)  # weekend: Monday
    moved = (sod < 9 * HOUR) | (day != day0)
    # days past the last midnight only matter for being after `now` (then they are dropped)
    base = midnights[np.minimum(day, last)] + (day - np.minimum(day, last)) * DAY
    anytime = (9 * HOUR + rng.integers(0, 9 * HOUR, size=len(ts))).astype(np.int64)
    return np.where(moved, base + anytime, ts)


def _cat(codes: np.ndarray, categories: list) -> pd.Categorical:
    """Texts as integer codes into a short list (-1 = null): cheap to build, DuckDB reads them as text."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=categories)


def _ts(us: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(us, dtype=np.int64), unit="us", utc=True))


def _check(days: int, scale: float) -> None:
    if days < 1:
        raise DemoError("The demo needs at least 1 day (--days).")
    if not scale > 0:
        raise DemoError("The demo scale must be a positive number, e.g. 1 or 0.1 (--scale).")


def generate(days: int = 365, seed: int = 42, scale: float = 1.0,
             end: date | None = None) -> dict[str, Any]:
    """All demo tables as frames (integer ids; `build` turns them into text ids inside DuckDB),
    plus `start` and `end`, the first and last day."""
    _check(days, scale)
    end = end or default_end()
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=days - 1)
    dates = [start + timedelta(i) for i in range(days)]
    midnights = _midnights(start, days)
    now = midnights[-1]  # the end of `end`: nothing happens after it
    dow = np.array([d.weekday() for d in dates])
    season = _season(dates)
    trend = 0.9 + 0.2 * np.arange(days) / max(days - 1, 1)  # the business grows ~20% over a year
    d_idx = np.arange(days)

    utm = pd.DataFrame(UTM, columns=["channel", "source", "medium", "campaign", "share", "spend", "cpc", "ctr"])
    utm_ch = np.array([CHANNEL_NAMES.index(c) for c in utm["channel"]])
    n_utm = len(utm)

    # ---- spend, clicks, paid sessions: one row per paid campaign per day
    paid_rows = np.flatnonzero(utm["spend"].to_numpy() > 0)
    spend_season = 0.85 + 0.15 * season
    spend_mat = (utm["spend"].to_numpy()[paid_rows][None, :] * _week(SPEND_WEEK)[dow][:, None]
                 * spend_season[:, None] * trend[:, None]
                 * rng.lognormal(0, 0.10, size=(days, len(paid_rows))) * scale)
    spend_mat = np.round(spend_mat, 2)
    cpc = utm["cpc"].to_numpy()[paid_rows][None, :] * rng.lognormal(0, 0.08, size=spend_mat.shape)
    clicks = rng.poisson(spend_mat / cpc)
    ctr = utm["ctr"].to_numpy()[paid_rows][None, :] * rng.lognormal(0, 0.1, size=spend_mat.shape)
    impressions = np.round(clicks / ctr).astype(np.int64)
    spend_df = pd.DataFrame({
        "day": np.repeat(d_idx, len(paid_rows)),
        "utm": np.tile(paid_rows, days),
        "spend": spend_mat.ravel(),
        "impressions": impressions.ravel(),
        "clicks": clicks.ravel(),
    })

    # ---- session counts per day × utm row
    sess_counts = np.zeros((days, n_utm), dtype=np.int64)
    sess_counts[:, paid_rows] = rng.binomial(clicks, 0.72)  # some clicks never load the page
    sess_week = _week(SESSION_WEEK)[dow]
    for ch, cfg in CHANNELS.items():
        if cfg["sessions"] is None:  # paid: sessions come from clicks
            continue
        rows = np.flatnonzero(utm["channel"].to_numpy() == ch)
        lam = (cfg["sessions"] * utm["share"].to_numpy()[rows][None, :] * sess_week[:, None]
               * season[:, None] * trend[:, None] * rng.lognormal(0, 0.08, size=(days, 1)) * scale)
        sess_counts[:, rows] = rng.poisson(lam)

    # ---- lead counts per day × utm row, with the three unhealthy channels
    lead_week = _week(LEAD_WEEK)[dow]
    life = np.ones((days, len(CHANNEL_NAMES)))
    life[d_idx >= days // 2, CHANNEL_NAMES.index("telegram_ads")] = 0.0          # dead since mid-period
    life[d_idx > days - 1 - 20, CHANNEL_NAMES.index("vk_ads")] = 0.0              # dead 20 days ago
    back = days - 1 - d_idx                                                        # days before `end`
    email = np.where(back <= 13, 0.3, np.where(back <= 21, 0.3 + 0.7 * (back - 13) / 8, 1.0))
    life[:, CHANNEL_NAMES.index("email")] = email                                 # declining lately
    ch_leads = np.array([CHANNELS[c]["leads"] for c in CHANNEL_NAMES])
    noise = rng.lognormal(0, 0.12, size=(days, len(CHANNEL_NAMES)))
    lam = ((ch_leads[None, :] * lead_week[:, None] * season[:, None] * trend[:, None] * noise * life
            )[:, utm_ch] * utm["share"].to_numpy()[None, :] * scale)
    lead_counts = rng.poisson(lam)

    # ---- leads: timestamps in office hours, sorted so lead ids grow with time
    l_day = np.repeat(np.tile(d_idx[:, None], (1, n_utm)).ravel(), lead_counts.ravel())
    l_utm = np.repeat(np.tile(np.arange(n_utm)[None, :], (days, 1)).ravel(), lead_counts.ravel())
    n_leads = len(l_day)
    l_at = (midnights[l_day] + rng.choice(24, size=n_leads, p=_norm(LEAD_HOURS)).astype(np.int64) * HOUR
            + rng.integers(0, HOUR, size=n_leads))
    order = np.argsort(l_at, kind="stable")
    l_day, l_utm, l_at = l_day[order], l_utm[order], l_at[order]
    l_ch = utm_ch[l_utm]
    cfg_arr = {k: np.array([CHANNELS[c][k] for c in CHANNEL_NAMES]) for k in
               ["junk", "win", "size", "web", "repeat", "back", "bounce"]}
    page_p = {c: _norm(PAGE_MIX[CHANNEL_PAGES[c]]) for c in CHANNEL_NAMES}
    l_page = np.empty(n_leads, dtype=np.int64)
    for ci, c in enumerate(CHANNEL_NAMES):
        m = l_ch == ci
        l_page[m] = rng.choice(len(PAGES), size=m.sum(), p=page_p[c])
    l_web = rng.random(n_leads) < cfg_arr["web"][l_ch]
    l_page = np.where(l_web, l_page, -1)
    l_repeat = rng.random(n_leads) < cfg_arr["repeat"][l_ch]
    l_manager = rng.choice(len(MANAGERS), size=n_leads, p=_norm(MANAGER_SHARE))

    # qualification: junk with a reason, target, or not yet qualified for the newest leads
    age_days = (now - l_at) / DAY
    p_null = np.select([age_days < 0.5, age_days < 1, age_days < 2, age_days < 4, age_days < 7],
                       [0.85, 0.6, 0.3, 0.12, 0.04], 0.0)
    junk_p = np.where(l_repeat, 0.03, cfg_arr["junk"][l_ch])
    u = rng.random(n_leads)
    l_qual = np.where(u < junk_p, 1, 0)  # 0 target, 1 junk
    l_qual = np.where(rng.random(n_leads) < p_null, -1, l_qual)
    noisy = np.isin(l_ch, [CHANNEL_NAMES.index(c) for c in NOISY])
    reason = np.where(noisy, rng.choice(5, size=n_leads, p=JUNK_MIX["noisy"]),
                      rng.choice(5, size=n_leads, p=JUNK_MIX["default"]))
    l_reason = np.where(l_qual == 1, reason, -1)

    # ---- deals from target leads: stage path decided up front, then cut at `now`
    has_deal = (l_qual == 0) & (rng.random(n_leads) < 0.9)
    dl = np.flatnonzero(has_deal)
    d_created = l_at[dl] + (rng.exponential(6 * HOUR, size=len(dl)) + 10 * 60 * SEC).astype(np.int64)
    d_created = np.maximum(_to_business_hours(d_created, midnights, rng), l_at[dl] + 10 * 60 * SEC)
    keep = d_created < now
    dl, d_created = dl[keep], d_created[keep]
    n_deals = len(dl)
    mult = (cfg_arr["win"][l_ch[dl]] / BASE_WIN * np.array(MANAGER_SKILL)[l_manager[dl]]
            * np.where(l_repeat[dl], 2.0, 1.0))
    step_p = np.minimum(0.97, STEP_P[None, :] * mult[:, None] ** (1 / 5))
    passed = np.cumprod(rng.random((n_deals, 5)) < step_p, axis=1).astype(bool)
    reached = np.concatenate([np.ones((n_deals, 1), bool), passed[:, :4]], axis=1)  # open stages 0..4
    won = passed[:, 4]
    stay = (rng.exponential(1.0, size=(n_deals, 5)) * STEP_DAYS[None, :] * DAY).astype(np.int64) + HOUR
    enter = d_created[:, None] + np.concatenate([np.zeros((n_deals, 1), np.int64),
                                                 np.cumsum(stay[:, :4], axis=1)], axis=1)
    # stage moves happen in office hours; snapping must not reorder a deal's history
    enter[:, 1:] = _to_business_hours(enter[:, 1:].ravel(), midnights, rng).reshape(n_deals, 4)
    enter = np.maximum.accumulate(enter, axis=1) + np.arange(5, dtype=np.int64)[None, :] * 60 * SEC
    last_open = reached.sum(axis=1) - 1
    won_at = np.maximum(_to_business_hours(enter[:, 4] + stay[:, 4], midnights, rng), enter[:, 4] + HOUR)
    lost_at = enter[np.arange(n_deals), last_open]
    lost_later = lost_at + rng.exponential(6 * DAY, size=n_deals).astype(np.int64)
    lost_at = np.maximum(_to_business_hours(lost_later, midnights, rng), lost_at + HOUR)
    final_at = np.where(won, won_at, lost_at)
    stuck = rng.random(n_deals) < 0.03  # forgotten deals stay open for ever
    closed = (final_at < now) & ~stuck
    visible = reached & (enter < now)
    cur_open = visible.sum(axis=1) - 1
    d_status = np.where(closed, np.where(won, 1, 2), 0)  # 0 open, 1 won, 2 lost
    d_stage = np.where(d_status == 1, 5, np.where(d_status == 2, 6, cur_open))
    d_closed = np.where(closed, final_at, -1)
    early = cur_open <= 1
    d_lost_reason = np.where(d_status == 2,
                             np.where(early, rng.choice(5, size=n_deals, p=LOST_EARLY),
                                      rng.choice(5, size=n_deals, p=LOST_LATE)), -1)

    # baskets for every deal (the expected amount of open and lost deals; the order of won ones)
    prices = np.array([p[1] for p in PRODUCTS], dtype=np.int64)
    costs = np.array([p[2] for p in PRODUCTS], dtype=np.int64)
    pop = np.array([p[3] for p in PRODUCTS])
    typical_q = np.array([p[4] for p in PRODUCTS], dtype=float)
    n_lines = rng.choice([1, 2, 3, 4], size=n_deals, p=[0.45, 0.30, 0.17, 0.08])
    keys = np.log(pop)[None, :] + rng.gumbel(size=(n_deals, len(PRODUCTS)))  # weighted, no repeats
    ranked = np.argsort(-keys, axis=1)[:, :4]
    line_mask = np.arange(4)[None, :] < n_lines[:, None]
    b_deal = np.repeat(np.arange(n_deals), n_lines)
    b_prod = ranked[line_mask]
    size = cfg_arr["size"][l_ch[dl]][b_deal]
    b_qty = np.where(typical_q[b_prod] > 1,
                     np.maximum(1, np.round(typical_q[b_prod] * size
                                            * rng.lognormal(0, 0.5, size=len(b_deal)))),
                     1 + (rng.random(len(b_deal)) < 0.15 * size)).astype(np.int64)
    discount = rng.choice([0.0, 0.05, 0.10, 0.15], size=len(b_deal), p=[0.55, 0.2, 0.15, 0.1])
    b_rev = np.round(prices[b_prod] * b_qty * (1 - discount)).astype(np.int64)
    b_cost = costs[b_prod] * b_qty
    d_amount = np.bincount(b_deal, weights=b_rev, minlength=n_deals).astype(np.int64)

    # ---- clients: repeat leads belong to a client who already won a deal before the lead came
    # (the pool is the first purchases: picking among all wins would let one client snowball)
    w_idx = np.flatnonzero((d_status == 1) & ~l_repeat[dl])
    w_order = np.argsort(d_closed[w_idx], kind="stable")
    w_closed, w_lead = d_closed[w_idx][w_order], dl[w_idx][w_order]
    root = np.arange(n_leads)  # the client's first lead
    rep = np.flatnonzero(l_repeat)
    n_before = np.searchsorted(w_closed, l_at[rep], side="left")
    # the clients from before the data are unknown, so early on most "repeat" leads look new
    wins_per_day = max(len(w_closed) / days, 1e-9)
    ok = (n_before > 0) & (rng.random(len(rep)) < n_before / (wins_per_day * 120))
    # recent buyers come back more often than old ones
    back_off = rng.exponential(0.35 * n_before[ok] + 1).astype(np.int64)
    pick = (n_before[ok] - 1 - back_off) % n_before[ok]
    root[rep[ok]] = w_lead[pick]
    _, l_client = np.unique(root, return_inverse=True)  # client numbers in order of first lead
    l_manager = l_manager[root]  # a client keeps its account manager

    # ---- sessions: background visits plus one converting visit per web lead
    s_day = np.repeat(np.tile(d_idx[:, None], (1, n_utm)).ravel(), sess_counts.ravel())
    s_utm = np.repeat(np.tile(np.arange(n_utm)[None, :], (days, 1)).ravel(), sess_counts.ravel())
    n_bg = len(s_day)
    s_at = (midnights[s_day] + rng.choice(24, size=n_bg, p=_norm(SESSION_HOURS)).astype(np.int64) * HOUR
            + rng.integers(0, HOUR, size=n_bg))
    s_ch = utm_ch[s_utm]
    s_page = np.empty(n_bg, dtype=np.int64)
    for ci, c in enumerate(CHANNEL_NAMES):
        m = s_ch == ci
        s_page[m] = rng.choice(len(PAGES), size=m.sum(), p=page_p[c])
    bounce = rng.random(n_bg) < cfg_arr["bounce"][s_ch]
    single = rng.random(n_bg) < 0.3
    pv = np.where(bounce, 1, np.where(single, 1, 1 + rng.geometric(0.35, size=n_bg)))
    dur = np.where(bounce, rng.integers(0, 15, size=n_bg),
                   np.where(single, rng.integers(15, 300, size=n_bg),
                            pv * rng.lognormal(np.log(45), 0.8, size=n_bg)))
    dur = np.minimum(dur, 3 * 3600).astype(np.int64)

    web = np.flatnonzero(l_web)
    c_dur = np.minimum(rng.lognormal(np.log(240), 0.6, size=len(web)) + 30, 3600).astype(np.int64)
    c_pv = 1 + rng.geometric(0.3, size=len(web))
    c_at = np.maximum(l_at[web] - c_dur * SEC - rng.integers(0, 30 * SEC, size=len(web)), midnights[0])
    all_at = np.concatenate([s_at, c_at])
    all_utm = np.concatenate([s_utm, l_utm[web]])
    all_page = np.concatenate([s_page, l_page[web]])
    all_pv = np.concatenate([pv, c_pv]).astype(np.int64)
    all_dur = np.concatenate([dur, c_dur])
    all_lead = np.concatenate([np.full(n_bg, -1), web])
    order = np.argsort(all_at, kind="stable")
    all_at, all_utm, all_page = all_at[order], all_utm[order], all_page[order]
    all_pv, all_dur, all_lead = all_pv[order], all_dur[order], all_lead[order]
    n_sess = len(all_at)

    # visitors come back: a returning session continues the visitor of an earlier session,
    # typically about ten days earlier
    p_back = cfg_arr["back"][utm_ch[all_utm]]
    p_back = np.where(all_lead >= 0, np.maximum(p_back, 0.55), p_back)
    returning = rng.random(n_sess) < p_back
    per_day = max(n_sess / days, 1.0)
    offset = (rng.exponential(10 * per_day, size=n_sess) + 1).astype(np.int64)
    vref = np.arange(n_sess) - offset
    vref = np.where(returning & (vref >= 0), vref, np.arange(n_sess))
    vroot = vref
    while True:
        nxt = vroot[vroot]
        if np.array_equal(nxt, vroot):
            break
        vroot = nxt
    s_visitor = vroot  # the index of the visitor's first session
    l_visitor = np.full(n_leads, -1, dtype=np.int64)
    conv = all_lead >= 0
    l_visitor[all_lead[conv]] = s_visitor[conv]

    # ---- activities: calls on every lead, meetings and proposals on deals
    a_parts = []
    lead_deal = np.full(n_leads, -1, dtype=np.int64)
    lead_deal[dl] = np.arange(n_deals)
    deal_end = np.where(d_closed >= 0, d_closed, now)
    span_end = np.full(n_leads, -1, dtype=np.int64)
    span_end[dl] = np.minimum(deal_end, d_created + 60 * DAY)
    unreachable = (l_qual == 1) & (l_reason == 0)
    n_calls = np.select(
        [unreachable, l_qual == 1, l_qual == -1, lead_deal < 0],
        [3, 1 + (rng.random(n_leads) < 0.3), (rng.random(n_leads) < 0.5).astype(int),
         1 + (rng.random(n_leads) < 0.5)],
        0)
    deal_stage_now = np.maximum(cur_open[np.maximum(lead_deal, 0)], 0)
    n_calls = np.where(lead_deal >= 0, 1 + rng.poisson(1.0 + 0.8 * deal_stage_now), n_calls).astype(np.int64)
    call_lead = np.repeat(np.arange(n_leads), n_calls)
    first = np.r_[True, call_lead[1:] != call_lead[:-1]] if len(call_lead) else np.zeros(0, bool)
    span = np.where(span_end[call_lead] > 0, span_end[call_lead] - l_at[call_lead], 3 * DAY)
    call_at = l_at[call_lead] + np.where(  # the first call within the hour, the rest spread over the deal
        first, rng.exponential(40 * 60 * SEC, size=len(call_lead)),
        rng.random(len(call_lead)) * np.maximum(span, HOUR)).astype(np.int64)
    call_at = _to_business_hours(call_at, midnights, rng)
    answered = np.where(unreachable[call_lead], False, rng.random(len(call_lead)) < 0.65)
    outcome = np.where(answered, 0, np.where(rng.random(len(call_lead)) < 0.75, 1, 2))  # see OUTCOMES
    call_dur = np.where(answered, np.clip(rng.lognormal(np.log(180), 0.7, size=len(call_lead)), 20, 3600), 0)
    call_deal = lead_deal[call_lead]
    call_deal = np.where((call_deal >= 0) & (call_at >= d_created[np.maximum(call_deal, 0)]), call_deal, -1)
    a_parts.append(pd.DataFrame({"at": call_at, "lead": call_lead, "deal": call_deal, "type": 0,
                                 "outcome": outcome, "duration": call_dur.astype(np.int64)}))
    met = np.flatnonzero(visible[:, 2])
    second = met[visible[met, 4] & (rng.random(len(met)) < 0.3)]
    m_deal = np.concatenate([met, second])
    m_at = np.concatenate([enter[met, 2], enter[second, 4]])
    a_parts.append(pd.DataFrame({"at": m_at, "lead": dl[m_deal], "deal": m_deal, "type": 1, "outcome": 3,
                                 "duration": (rng.integers(2, 7, size=len(m_deal)) * 900).astype(np.int64)}))
    prop = np.flatnonzero(visible[:, 3])
    a_parts.append(pd.DataFrame({"at": enter[prop, 3], "lead": dl[prop], "deal": prop, "type": 2,
                                 "outcome": 4, "duration": -1}))
    act = pd.concat(a_parts, ignore_index=True)
    act = act[act["at"] < now].sort_values("at", kind="stable").reset_index(drop=True)
    act_manager = l_manager[act["lead"].to_numpy()]

    # ---- reviews after some purchases
    won_idx = np.flatnonzero(d_status == 1)
    rv = won_idx[rng.random(len(won_idx)) < 0.3]
    rv_day = (np.searchsorted(midnights, d_closed[rv], side="right") - 1) + rng.integers(3, 41, size=len(rv))
    rv = rv[rv_day < days]
    rv_day = rv_day[rv_day < days]
    first_line = np.searchsorted(b_deal, rv)
    o = np.argsort(rv_day, kind="stable")
    reviews = pd.DataFrame({
        "n": np.arange(len(rv)),
        "day": rv_day[o],
        "rating": rng.choice([1, 2, 3, 4, 5], size=len(rv), p=REVIEW_RATINGS),
        "source": _cat(rng.choice(len(REVIEW_SOURCES), size=len(rv), p=REVIEW_SOURCE_SHARE), REVIEW_SOURCES),
        "product": _cat(b_prod[first_line][o], [p[0] for p in PRODUCTS]),
    })

    # ---- assemble frames
    utm_dim = utm[["channel", "source", "medium", "campaign"]].copy()
    utm_dim["utm"] = np.arange(n_utm)
    leads = pd.DataFrame({
        "n": np.arange(n_leads),
        "created_at": _ts(l_at),
        "utm": l_utm,
        "landing_page": _cat(l_page, PAGES),
        "client": l_client,
        "visitor": l_visitor,
        "visitor_first_s": np.where(l_visitor >= 0, all_at[np.maximum(l_visitor, 0)] // SEC, -1),
        "qualification": _cat(l_qual, ["target", "junk"]),
        "junk_reason": _cat(l_reason, JUNK_REASONS),
        "manager": _cat(l_manager, MANAGERS),
    })
    deals = pd.DataFrame({
        "n": np.arange(n_deals),
        "created_at": _ts(d_created),
        "stage": _cat(d_stage, STAGE_NAMES),
        "status": _cat(d_status, ["open", "won", "lost"]),
        "lead": dl,
        "closed_at": _ts(np.where(d_closed >= 0, d_closed, 0)),
        "is_closed": d_closed >= 0,
        "amount": d_amount,
        "lost_reason": _cat(d_lost_reason, LOST_REASONS),
    })
    hist_deal, hist_stage = np.nonzero(visible)
    hist_at = enter[hist_deal, hist_stage]
    fin = np.flatnonzero(d_status > 0)
    deal_stages = pd.DataFrame({
        "deal": np.concatenate([hist_deal, fin]),
        "stage": _cat(np.concatenate([hist_stage, np.where(d_status[fin] == 1, 5, 6)]), STAGE_NAMES),
        "entered_at": _ts(np.concatenate([hist_at, d_closed[fin]])),
    }).sort_values(["deal", "entered_at"], kind="stable")
    sessions = pd.DataFrame({
        "n": np.arange(n_sess),
        "visitor": s_visitor,
        "visitor_first_s": all_at[s_visitor] // SEC,
        "started_at": _ts(all_at),
        "pageviews": all_pv,
        "duration_s": all_dur,
        "utm": all_utm,
        "landing_page": _cat(all_page, PAGES),
        "converted": all_lead >= 0,
    })
    line_won = d_status[b_deal] == 1
    w_rank = np.full(n_deals, -1)
    w_sorted = won_idx[np.argsort(d_closed[won_idx], kind="stable")]
    w_rank[w_sorted] = np.arange(len(w_sorted))
    orders = pd.DataFrame({
        "order": w_rank[b_deal[line_won]],
        "ordered_at": _ts(d_closed[b_deal[line_won]]),
        "client": l_client[dl[b_deal[line_won]]],
        "product": _cat(b_prod[line_won], [p[0] for p in PRODUCTS]),
        "revenue": b_rev[line_won],
        "quantity": b_qty[line_won].astype(float),
        "cost": b_cost[line_won],
        "deal": b_deal[line_won],
        "channel": _cat(l_ch[dl[b_deal[line_won]]], CHANNEL_NAMES),
    }).sort_values(["order", "product"], kind="stable")
    activities = pd.DataFrame({
        "n": np.arange(len(act)),
        "at": _ts(act["at"].to_numpy()),
        "manager": _cat(act_manager, MANAGERS),
        "type": _cat(act["type"].to_numpy(), ["call", "meeting", "email"]),
        "lead": act["lead"].to_numpy(),
        "deal": act["deal"].to_numpy(),
        "outcome": _cat(act["outcome"].to_numpy(), OUTCOMES),
        "duration_s": act["duration"].to_numpy(),
    })
    stages = pd.DataFrame(STAGES, columns=["stage", "position", "kind"])

    plans = _plans(l_at, d_closed, d_status, d_amount, l_client, dl, l_manager, start, end, rng)
    return dict(utm=utm_dim, spend=spend_df, leads=leads, deals=deals,
                deal_stages=deal_stages, stages=stages, sessions=sessions, activities=activities,
                orders=orders, reviews=reviews, plans=plans, start=start, end=end)


def _plans(l_at, d_closed, d_status, d_amount, l_client, dl, l_manager, start, end, rng) -> pd.DataFrame:
    """Monthly plans a little above what a complete month brings; also for the month after `end`."""
    tz = ZoneInfo(BUSINESS_TZ)

    def month(us):
        local = pd.to_datetime(np.asarray(us, dtype=np.int64), unit="us", utc=True).tz_convert(tz)
        return local.tz_localize(None).to_period("M")

    won = d_status == 1
    won_month = month(d_closed[won])
    client = l_client[dl[won]]
    first_win = pd.Series(d_closed[won]).groupby(client).transform("min").to_numpy() == d_closed[won]
    facts = pd.DataFrame({
        "leads": pd.Series(1, index=month(l_at)).groupby(level=0).sum(),
        "won_deals": pd.Series(1, index=won_month).groupby(level=0).sum(),
        "revenue": pd.Series(d_amount[won], index=won_month).groupby(level=0).sum(),
        "new_clients": pd.Series(first_win.astype(int), index=won_month).groupby(level=0).sum(),
    })
    months = pd.period_range(pd.Period(start, "M"), pd.Period(end + timedelta(days=1), "M"), freq="M")
    facts = facts.reindex(months).fillna(0.0)
    # a partial month counts as if it were complete; months with little data copy the last good one
    covered = np.array([
        max((min(m.end_time.date(), end) - max(m.start_time.date(), start)).days + 1, 0) / m.days_in_month
        for m in months])
    full = facts.div(np.where(covered >= 0.5, covered, np.nan), axis=0).ffill().bfill().fillna(0.0)
    plan = full * rng.uniform(1.0, 1.2, size=(len(months), 1))
    plan["leads"] = (plan["leads"] / 10).round() * 10
    plan["revenue"] = (plan["revenue"] / 100_000).round() * 100_000
    plan["won_deals"] = plan["won_deals"].round()
    plan["new_clients"] = plan["new_clients"].round()
    # per-manager revenue plans: the manager's share of all revenue
    mgr_rev = np.bincount(l_manager[dl[won]], weights=d_amount[won], minlength=len(MANAGERS))
    share = mgr_rev / mgr_rev.sum() if mgr_rev.sum() > 0 else np.full(len(MANAGERS), 1 / len(MANAGERS))
    rows = []
    for m, r in plan.iterrows():
        first_day = m.start_time.date()
        for metric in ["leads", "new_clients", "won_deals", "revenue"]:
            rows.append((first_day, metric, float(r[metric]), ""))
        for i, name in enumerate(MANAGERS):
            rows.append((first_day, "revenue", float(round(r["revenue"] * share[i], -4)), name))
    return pd.DataFrame(rows, columns=["month", "metric", "value", "manager"])


# ---------------------------------------------------------------- writing

_INSERTS = {
    "stages": """
        insert into stages (pipeline, stage, position, kind, import_id)
        select '{pipeline}', stage, position, kind, $import_id from f""",
    "spend": """
        insert into spend (date, channel, campaign, spend, impressions, clicks, currency, import_id)
        select $start::date + f.day::integer, u.channel, coalesce(u.campaign, ''), f.spend::decimal(18, 2),
            f.impressions, f.clicks, '{currency}', $import_id
        from f join utm as u using (utm)
        order by f.day, u.channel, u.campaign""",
    "sessions": """
        insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, channel_given,
            source, medium, campaign, landing_page, converted, import_id)
        select (7000000000 + f.n)::varchar, f.visitor_first_s::varchar || lpad(f.visitor::varchar, 9, '0'),
            f.started_at, f.pageviews, f.duration_s, u.channel, u.channel, u.source, u.medium, u.campaign,
            f.landing_page::varchar, f.converted, $import_id
        from f join utm as u using (utm)
        order by f.n""",
    "leads": """
        insert into leads (lead_id, created_at, channel, channel_given, source, medium, campaign,
            landing_page, client_id, visitor_id, qualification, junk_reason, manager, import_id)
        select (3000000 + f.n)::varchar, f.created_at, u.channel, u.channel, u.source, u.medium, u.campaign,
            f.landing_page::varchar, substr(md5('client-' || f.client::varchar), 1, 12),
            case when f.visitor >= 0
                then f.visitor_first_s::varchar || lpad(f.visitor::varchar, 9, '0') end,
            f.qualification::varchar, f.junk_reason::varchar, f.manager::varchar, $import_id
        from f join utm as u using (utm)
        order by f.n""",
    "deals": """
        insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount,
            currency, lost_reason, manager, pipeline, import_id)
        select (5000000 + f.n)::varchar, f.created_at, f.stage::varchar, f.status::varchar,
            l.lead_id, l.client_id, case when f.is_closed then f.closed_at end, f.amount::decimal(18, 2),
            '{currency}', f.lost_reason::varchar, l.manager, '{pipeline}', $import_id
        from f join leads as l on l.lead_id = (3000000 + f.lead)::varchar
        order by f.n""",
    "deal_stages": """
        insert into deal_stages (deal_id, stage, entered_at, import_id)
        select (5000000 + f.deal)::varchar, f.stage::varchar, f.entered_at, $import_id from f""",
    "activities": """
        insert into activities (activity_id, "at", manager, type, lead_id, deal_id, outcome, duration_s,
            import_id)
        select (9000000 + f.n)::varchar, f.at, f.manager::varchar, f.type::varchar,
            (3000000 + f.lead)::varchar, case when f.deal >= 0 then (5000000 + f.deal)::varchar end,
            f.outcome::varchar, case when f.duration_s >= 0 then f.duration_s end, $import_id
        from f order by f.n""",
    "orders": """
        insert into orders (order_id, ordered_at, client_id, product, revenue, quantity, cost, deal_id,
            channel, currency, import_id)
        select 'ORD-' || lpad((f."order" + 1)::varchar, 6, '0'), f.ordered_at,
            substr(md5('client-' || f.client::varchar), 1, 12), f.product::varchar,
            f.revenue::decimal(18, 2), f.quantity, f.cost::decimal(18, 2), (5000000 + f.deal)::varchar,
            f.channel::varchar, '{currency}', $import_id
        from f""",
    "reviews": """
        insert into reviews (review_id, date, rating, source, product, import_id)
        select 'R' || lpad((f.n + 1)::varchar, 6, '0'), $start::date + f.day::integer,
            f.rating, f.source::varchar, f.product::varchar, $import_id
        from f order by f.n""",
    "plans": """
        insert into plans (month, metric, value, channel, manager, import_id)
        select f.month, f.metric, f.value, '', f.manager, $import_id from f""",
}
TABLES = list(_INSERTS)  # in insert order: deals need leads


BLOCK_SCALE = 5.0   # the biggest part generated in memory at once (≈ 2.5 GB at its peak)
# tables whose rows every block repeats for the same keys: summed over the blocks, written once
_SUMMED = {"spend": (["day", "utm"], ["spend", "impressions", "clicks"]),
           "plans": (["month", "metric", "manager"], ["value"])}


def _blocks(scale: float) -> list[float]:
    """Scales above BLOCK_SCALE are made of equal blocks that fit in memory (scale 50: ten of 5)."""
    k = max(1, math.ceil(scale / BLOCK_SCALE - 1e-9))
    return [scale / k] * k


# every integer id column of the frames → the id it refers to; -1 means "none" and stays so
_ID_COLUMNS = (("sessions", "n", "session"), ("sessions", "visitor", "visitor"),
               ("leads", "n", "lead"), ("leads", "visitor", "visitor"), ("leads", "client", "client"),
               ("deals", "n", "deal"), ("deals", "lead", "lead"), ("deal_stages", "deal", "deal"),
               ("activities", "n", "activity"), ("activities", "lead", "lead"), ("activities", "deal", "deal"),
               ("orders", "order", "order"), ("orders", "client", "client"), ("orders", "deal", "deal"),
               ("reviews", "n", "review"))


def _shift(fr: dict[str, Any], off: dict[str, int]) -> dict[str, int]:
    """Move a block's integer ids past the blocks before it (in place); returns the next offsets."""
    used = {k: -1 for k in off}   # the biggest id of each kind in this block
    for table, column, key in _ID_COLUMNS:
        used[key] = max(used[key], int(fr[table][column].to_numpy().max(initial=-1)))
    for table, column, key in _ID_COLUMNS:
        col = fr[table][column].to_numpy()
        fr[table][column] = np.where(col >= 0, col + off[key], col)
    return {k: off[k] + used[k] + 1 for k in off}


def build(path: str | Path | None = None, days: int = 365, seed: int = 42, scale: float = 1.0,
          end: date | None = None, log: Callable[[str], None] | None = None) -> dict[str, int]:
    """Replace the database at `path` with demo data; returns the row count of each table.

    A big scale is generated and written in blocks (seeds seed, seed+1, …) so memory stays that of one
    block; their ids follow each other and the daily spend and the plans are the sums of the blocks."""
    say = log or (lambda _msg: None)
    t0 = time.perf_counter()
    _check(days, scale)
    parts = _blocks(scale)
    end = end or default_end()
    counts: dict[str, int] = {}
    with db.writer(path, fresh=True) as con:
        con.execute("set enable_progress_bar = false")
        con.execute("begin transaction")
        import_id = con.execute("select nextval('import_id_seq')").fetchall()[0][0]
        con.execute("insert into settings values ('business_tz', ?), ('currency', ?)",
                    [BUSINESS_TZ, CURRENCY]).fetchall()  # DuckDB wants every result consumed
        off = dict.fromkeys(("session", "visitor", "lead", "client", "deal", "activity", "order", "review"), 0)
        summed: dict[str, list[pd.DataFrame]] = {t: [] for t in _SUMMED}
        for b, part in enumerate(parts):
            t = time.perf_counter()
            frames = generate(days=days, seed=seed + b, scale=part, end=end)
            off = _shift(frames, off)
            block = f" (block {b + 1} of {len(parts)})" if len(parts) > 1 else ""
            say(f"generated in {time.perf_counter() - t:.1f} s{block}")
            t1 = time.perf_counter()
            con.register("utm", frames["utm"])
            for table in TABLES:
                if table in _SUMMED and len(parts) > 1:
                    summed[table].append(frames[table])
                    if b < len(parts) - 1:
                        continue
                    keys, values = _SUMMED[table]
                    frames[table] = pd.concat(summed[table]).groupby(keys, as_index=False, sort=True)[values].sum()
                if table == "stages" and b:
                    continue
                con.register("f", frames[table])
                sql = _INSERTS[table].format(pipeline=PIPELINE, currency=CURRENCY)
                params = {"import_id": import_id}
                if "$start" in sql:
                    params["start"] = frames["start"]
                con.execute(sql, params).fetchall()
                con.unregister("f")
            con.unregister("utm")
            say(f"inserted in {time.perf_counter() - t1:.1f} s{block}")
            del frames
        for table in TABLES:
            counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
        total = sum(counts.values())
        con.execute(
            "insert into import_log (import_id, imported_at, file_name, format, kind, rows_read, rows_added, "
            "rows_replaced, rows_rejected) values (?, now(), ?, 'demo', 'all', ?, ?, 0, 0)",
            [import_id, f"demo data: {days} days to {end}, seed {seed}, scale {scale:g}",
             total, total],
        ).fetchall()
        con.execute("commit")
    say(f"total {time.perf_counter() - t0:.1f} s")
    return counts


# ---------------------------------------------------------------- command line


def register(sub) -> None:
    p = sub.add_parser(
        "demo", help="create a realistic demo database (replaces the file)",
        description="Create a realistic demo database: a year of ad spend, visits, leads, deals, orders, "
        "calls, reviews and plans of a B2B company in Moscow (RUB). Replaces the whole file.")
    p.add_argument("--db", metavar="PATH",
                   help="database file (default: $FULLFUNNEL_DB or data/fullfunnel.duckdb)")
    p.add_argument("--days", type=int, default=365, help="days of data, ending yesterday (default 365)")
    p.add_argument("--seed", type=int, default=42, help="random seed: the same seed gives the same data")
    p.add_argument("--scale", type=float, default=1.0,
                   help="size factor: 1 ≈ 2M visits and 100k leads a year; 0.02 makes a tiny database")
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing if the database file already exists")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    path = db.db_path(args.db)
    if args.if_missing and path.exists():
        print(f"{path} already exists; left as it is (--if-missing).")
        return 0
    t0 = time.perf_counter()
    counts = build(path, days=args.days, seed=args.seed, scale=args.scale, log=lambda m: print(f"  {m}"))
    width = max(len(k) for k in counts)
    for table, n in counts.items():
        print(f"{table:<{width}}  {n:>10,}".replace(",", " "))
    print(f"demo database written to {path} in {time.perf_counter() - t0:.1f} s")
    return 0
