"""Digests as one self-contained HTML file: the Weekly meeting and the two daily reports.

Every number comes from the report functions the pages use (fullfunnel/reports/): this module only
picks them, formats them (fullfunnel.fmt) and lays them out. Charts are the pages' Altair charts
rendered offline to inline SVG by vl-convert, so the file opens without a network.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import altair as alt
import pandas as pd

from fullfunnel import FullfunnelError, fmt, periods
from fullfunnel.charts import channels as channel_charts
from fullfunnel.charts import weekly as wc
from fullfunnel.filters import Filters, Run
from fullfunnel.i18n import t
from fullfunnel.periods import Period
from fullfunnel.reports import growth_pct
from fullfunnel.reports import products as products_report
from fullfunnel.reports import roi as roi_report
from fullfunnel.reports import traffic as traffic_report
from fullfunnel.reports import weekly as W


class NoData(FullfunnelError):
    pass


CSS = """
@page{size:A4;margin:12mm}
body{font-family:-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif;color:#111827;
 max-width:1100px;margin:24px auto;padding:0 16px;line-height:1.45}
h1{font-size:26px;margin:0 0 4px} h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb}
.caption{color:#6b7280;font-size:13px;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:190px;flex:1}
.card .label{color:#4b5563;font-size:13px}.card .value{font-size:26px;font-weight:600}
.card .ctx{color:#6b7280;font-size:12px}
.up{color:#16a34a}.down{color:#dc2626}.flat{color:#6b7280}
table{border-collapse:collapse;font-size:14px;margin:6px 0}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:right}
th:first-child,td:first-child,th.t,td.t{text-align:left}
.alert{background:#fef2f2;border-left:4px solid #dc2626;padding:6px 10px;margin:4px 0}
.alert.declining{background:#fff7ed;border-left-color:#ea580c}
.chart svg{max-width:100%;height:auto}
footer{color:#9ca3af;font-size:12px;margin-top:32px}
"""


@dataclass
class Digest:
    """A rendered digest: what to save, what to e-mail and what to post."""

    kind: str            # weekly | daily
    key: str             # 2026-W45 | 2026-11-08: what "sent once" is counted by
    title: str
    html: str
    summary: str         # a short plain-text summary (Telegram caption)
    lang: str = "en"
    chart: alt.TopLevelMixin | None = field(default=None, repr=False)  # the one chart Telegram shows
    charts: list = field(default_factory=list, repr=False)  # (inline SVG as in html, chart) for e-mail images

    @property
    def file_name(self) -> str:
        return f"fullfunnel-{self.kind}-{self.key}.html"

    def chart_png(self) -> bytes | None:
        return None if self.chart is None else png(self.chart)

    def email_html(self) -> tuple[str, list[tuple[str, bytes]]]:
        """The HTML with each chart as a PNG image (cid:) — many mail apps drop inline SVG — and the images."""
        out, images = self.html, []
        for i, (svg_text, chart) in enumerate(self.charts):
            cid = f"chart{i}"
            out = out.replace(svg_text, f'<img src="cid:{cid}" alt="" style="max-width:100%">', 1)
            images.append((cid, png(chart)))
        return out, images


# ---------------------------------------------------------------- helpers


def _nan(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def e(x) -> str:
    return html.escape("" if x is None else str(x))


def svg(chart, keep: list | None = None) -> str:
    """An Altair chart as inline SVG (vl-convert: no browser, no network); `keep` collects (svg, chart)."""
    import vl_convert as vlc

    text = vlc.vegalite_to_svg(chart.to_json())
    if keep is not None:
        keep.append((text, chart))
    return text


def png(chart) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_json(), scale=2)


def change_html(value, previous, unit: str, lang: str, lower_is_better: bool = False, neutral: bool = False) -> str:
    """+12.5% / −3.1 pp, green when better, red when worse; "—" when there is nothing to compare."""
    if _nan(value) or _nan(previous):
        return fmt.DASH
    if unit == "pct":
        diff = float(value) - float(previous)
        text = ("+" if diff > 0 else "−" if diff < 0 else "±") + fmt.number(abs(diff), lang, 1) + " " + t("dg.pp", lang)
    else:
        g = growth_pct(float(value), float(previous))
        if g is None:
            return fmt.DASH
        diff = g
        text = fmt.pct(g, lang, signed=True).replace("-", "−")
    if neutral or round(diff, 1) == 0:
        cls = "flat"
    else:
        cls = "up" if (diff > 0) != lower_is_better else "down"
    return f'<span class="{cls}">{e(text)}</span>'


def page(title: str, caption: str, body: str, report_name: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(title)}</title>'
            f"<style>{CSS}</style></head><body><h1>{e(title)}</h1><div class=\"caption\">{e(caption)}</div>"
            f"{body}<footer>{e(t('dg.footer', lang, report=report_name))}</footer></body></html>\n")


def card(label: str, value: str, change: str, ctx: str) -> str:
    return (f'<div class="card"><div class="label">{e(label)}</div><div class="value">{e(value)}</div>'
            f'<div>{change}</div><div class="ctx">{ctx}</div></div>')


def table(headers: list[str], rows: list[list[str]], raw: set[int] = frozenset(),
          text: set[int] = frozenset({0})) -> str:
    """An HTML table; cells are escaped except the columns in `raw` (already HTML); `text` columns align left."""
    def cell(tag, i, c):
        return f'<{tag} class="t">{c}</{tag}>' if i in text and i else f"<{tag}>{c}</{tag}>"

    head = "".join(cell("th", i, e(h)) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c if i in raw else e(c)) for i, c in enumerate(r)) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _channels_text(f: Filters, lang: str) -> str:
    return t("dg.channels", lang, list=", ".join(f.channels)) if f.channels else t("dg.all_channels", lang)


def _alerts_html(alerts: list[dict], lang: str, currency: str) -> str:
    if not alerts:
        return f"<p>{e(t('dg.no_alerts', lang))}</p>"
    out = []
    for a in alerts:
        badges = ", ".join(t("ch.status." + s, lang) for s in a["statuses"])
        cls = "alert declining" if a["statuses"] == ["declining"] else "alert"
        out.append(f'<div class="{cls}"><b>{e(badges)}</b> {e(channel_charts.alert_sentence(a, lang, currency))}</div>')
    return "".join(out)


# ---------------------------------------------------------------- weekly


def weekly(run: Run, f: Filters, week: str | None = None, today: date | None = None, lang: str = "en") -> Digest:
    """The Weekly meeting page as a digest: cards, what changed, alerts, funnel, managers."""
    today = today or periods.today_in(f.tz)
    monday = W.resolve_week(week, today)
    code = W.week_label(monday)
    cur = f.currency
    head = W.weekly(run, f, code, today).set_index("metric")
    if all(_nan(head.loc[m, "value"]) or head.loc[m, "value"] == 0 for m in ("spend", "leads", "won_deals")):
        raise NoData(t("dg.no_week_data", lang, week=code, days=wc.week_days(monday, lang)))
    title = t("dg.weekly.title", lang, week=wc.week_name(monday, lang))
    caption = t("dg.weekly.caption", lang, prev=wc.week_days(monday - timedelta(weeks=1), lang),
                channels=_channels_text(f, lang))
    charts: list = []
    parts = ['<div class="cards">']
    for m, unit in W.UNITS.items():
        r = head.loc[m]
        ch = change_html(r["value"], r["previous"], unit, lang, m in W.LOWER_IS_BETTER, m in W.NEUTRAL)
        ctx = (f"{e(t('dg.last_week', lang))}: {e(fmt.value(r['previous'], unit, lang, cur))}<br>"
               f"{e(t('dg.avg_4w', lang))}: {e(fmt.value(r['avg_4w'], unit, lang, cur))}")
        parts.append(card(t(f"dg.m.{m}", lang), fmt.value(r["value"], unit, lang, cur), ch, ctx))
    parts.append("</div>")

    parts.append(f"<h2>{e(t('dg.changed', lang))}</h2>")
    movers = W.top_movers(W.movers_scored(run, f, code, today))
    if movers.empty:
        parts.append(f"<p>{e(t('dg.no_movers', lang))}</p>")
    else:
        items = []
        for _, row in movers.iterrows():
            unit = W.MOVER_UNITS[row["metric"]]
            change = float(row["change"])
            cls, arrow = ("up", "▲") if change > 0 else ("down", "▼")
            text = t(f"dg.mover.{row['metric']}", lang, channel=row["channel"],
                     value=fmt.value(row["value"], unit, lang, cur),
                     leads_word=channel_charts.leads_word(int(row["value"]), lang),
                     change=wc.signed(change, unit, lang, cur), previous=fmt.value(row["previous"], unit, lang, cur))
            items.append(f'<li><span class="{cls}">{arrow}</span> {e(text)}</li>')
        parts.append("<ul>" + "".join(items) + "</ul>")

    parts.append(f"<h2>{e(t('dg.alerts', lang))}</h2>")
    alerts = W.alerts(run, f, code, today)
    parts.append(_alerts_html(alerts, lang, cur))

    parts.append(f"<h2>{e(t('dg.funnel', lang))}</h2>")
    fun = W.funnel(run, f, code, today)
    chart = None
    if fun.empty or (fun["count"].sum() == 0 and fun["previous_count"].fillna(0).sum() == 0):
        parts.append(f"<p>{e(t('dg.no_funnel', lang))}</p>")
    else:
        fun = fun.copy()
        fun["label"] = [t(f"dg.m.{x}", lang) if t(f"dg.m.{x}", lang) != f"dg.m.{x}" else x for x in fun["step"]]
        fun["text"] = [t("dg.funnel_text", lang, count=fmt.number(c, lang),
                         change=fmt.DASH if _nan(g) else fmt.pct(g, lang, signed=True),
                         previous=fmt.DASH if _nan(p) else fmt.number(p, lang))
                       for c, g, p in zip(fun["count"], fun["change_pct"], fun["previous_count"])]
        chart = wc.week_bars(fun, "label", "count", "previous_count", "text", lang,
                             colour=wc.side_colours(fun["side"]), log_ok=True).properties(width=640)
        parts.append(f'<p class="caption">{e(t("dg.funnel_note", lang))}</p><div class="chart">{svg(chart, charts)}</div>')
        parts.append(table([t("dg.step", lang), t("dg.this_week", lang), t("dg.last_week", lang), t("dg.change", lang)],
                           [[lb, fmt.number(c, lang), fmt.DASH if _nan(p) else fmt.number(p, lang),
                             change_html(c, p, "count", lang)]
                            for lb, c, p in zip(fun["label"], fun["count"], fun["previous_count"])], raw={3}))

    parts.append(f"<h2>{e(t('dg.managers', lang))}</h2>")
    mgr = W.weekly_managers(run, f, code, today)
    if mgr.empty:
        parts.append(f"<p>{e(t('dg.no_managers', lang))}</p>")
    else:
        mgr = mgr.copy()
        mgr["label"] = [x or t("dg.no_manager", lang) for x in mgr["manager"]]
        mgr["text"] = [t("dg.manager_text", lang, revenue=fmt.value(r, "money", lang, cur, compact=True),
                         won=fmt.number(w, lang)) for r, w in zip(mgr["revenue"], mgr["won_deals"])]
        mchart = wc.week_bars(mgr, "label", "revenue", "previous_revenue", "text", lang, room=1.2).properties(width=640)
        parts.append(f'<div class="chart">{svg(mchart, charts)}</div>')
        parts.append(table([t("dg.manager", lang), t("dg.m.revenue", lang), t("dg.last_week", lang), t("dg.won", lang),
                            t("dg.last_week", lang)],
                           [[lb, fmt.money(r, cur, lang), fmt.money(pr, cur, lang), fmt.number(w, lang),
                             fmt.number(pw, lang)]
                            for lb, r, pr, w, pw in zip(mgr["label"], mgr["revenue"], mgr["previous_revenue"],
                                                        mgr["won_deals"], mgr["previous_won_deals"])]))

    v = head["value"]
    summary = t("dg.summary.week", lang, title=title, leads=fmt.value(v["leads"], "count", lang),
                leads_change=change_text(v["leads"], head.loc["leads", "previous"], lang),
                target=fmt.value(v["target_leads"], "count", lang), spend=fmt.value(v["spend"], "money", lang, cur),
                revenue=fmt.value(v["revenue"], "money", lang, cur), romi=fmt.value(v["romi_pct"], "pct", lang),
                won=fmt.value(v["won_deals"], "count", lang), cpl=fmt.value(v["cpl"], "money", lang, cur),
                alerts="; ".join(a["channel"] + (f" / {a['campaign']}" if a.get("campaign") else "") + " — "
                                 + ", ".join(t("ch.status." + s, lang) for s in a["statuses"]) for a in alerts)
                or t("dg.no_alerts", lang))
    return Digest("weekly", code, title, page(title, caption, "".join(parts), f"weekly --week {code}", lang),
                  summary, lang, chart, charts)


def change_text(value, previous, lang: str) -> str:
    g = None if _nan(value) or _nan(previous) else growth_pct(float(value), float(previous))
    return fmt.DASH if g is None else fmt.pct(g, lang, signed=True)


# ---------------------------------------------------------------- daily


def _day_filters(f: Filters, d: date) -> Filters:
    return Filters(period=Period(d, d), grain="day", compare="none", channels=f.channels, tz=f.tz,
                   currency=f.currency)


def resolve_day(day: str | date | None, today: date) -> date:
    """The day of the daily digest: yesterday by default; it must be over."""
    if day is None or day == "":
        return today - timedelta(days=1)
    d = day if isinstance(day, date) else periods.parse_date(day, "--date")
    if d >= today:
        raise NoData(f"The day {d} is not over yet; the daily report is for {today - timedelta(days=1)} or earlier.")
    return d


def daily(run: Run, f: Filters, day: str | date | None = None, today: date | None = None, lang: str = "en") -> Digest:
    """Yesterday's marketing numbers and product report, each against the same weekday a week before."""
    today = today or periods.today_in(f.tz)
    d = resolve_day(day, today)
    before = d - timedelta(days=7)
    fd, fb = _day_filters(f, d), _day_filters(f, before)
    cur = f.currency
    head_d, head_b = W.headline(run, fd), W.headline(run, fb)
    traffic_d = traffic_report.traffic_summary(run, fd).set_index("metric")["value"]
    traffic_b = traffic_report.traffic_summary(run, fb).set_index("metric")["value"]
    roi_d = roi_report.roi(run, fd, view="cash")
    roi_b = roi_report.roi(run, fb, view="cash")
    tot_d = roi_d[roi_d["channel"] == roi_report.TOTAL].iloc[0]
    tot_b = roi_b[roi_b["channel"] == roi_report.TOTAL].iloc[0]
    prod_d = products_report.totals(run, fd)
    prod_b = products_report.totals(run, fb)
    empty = lambda x: _nan(x) or x == 0  # noqa: E731
    if (empty(head_d["spend"]) and empty(head_d["leads"]) and empty(traffic_d.get("sessions"))
            and not prod_d.get("orders")):
        raise NoData(t("dg.no_day_data", lang, day=fmt.day(d, lang)))

    title = t("dg.daily.title", lang, day=fmt.day(d, lang))
    caption = t("dg.daily.caption", lang, prev=fmt.day(before, lang), channels=_channels_text(f, lang))
    day_txt, before_txt = fmt.day(d, lang), t("dg.week_before", lang)
    # (metric, unit, value, value a week before, lower is better, neutral)
    cards = [
        ("leads", "count", head_d["leads"], head_b["leads"], False, False),
        ("target_leads", "count", head_d["target_leads"], head_b["target_leads"], False, False),
        ("junk_rate_pct", "pct", head_d["junk_rate_pct"], head_b["junk_rate_pct"], True, False),
        ("sessions", "count", traffic_d.get("sessions"), traffic_b.get("sessions"), False, False),
        ("bounce_rate_pct", "pct", traffic_d.get("bounce_rate_pct"), traffic_b.get("bounce_rate_pct"), True, False),
        ("spend", "money", head_d["spend"], head_b["spend"], False, True),
        ("cac", "money", tot_d["cac"], tot_b["cac"], True, False),
        ("new_clients", "count", tot_d["new_clients"], tot_b["new_clients"], False, False),
    ]
    charts: list = []
    parts = [f"<h2>{e(t('dg.marketing', lang))}</h2>", '<div class="cards">']
    for m, unit, v, b, lower, neutral in cards:
        ctx = f"{e(before_txt)}: {e(fmt.value(b, unit, lang, cur))}"
        parts.append(card(t(f"dg.m.{m}", lang), fmt.value(v, unit, lang, cur),
                          change_html(v, b, unit, lang, lower, neutral), ctx))
    parts.append("</div>")

    parts.append(f"<h2>{e(t('dg.by_channel', lang))}</h2>")
    rows_d = roi_d[roi_d["channel"] != roi_report.TOTAL].set_index("channel")
    rows_b = roi_b[roi_b["channel"] != roi_report.TOTAL].set_index("channel")
    chans = [c for c in rows_d.index.union(rows_b.index)
             if any(not empty(x) for x in (rows_d["leads"].get(c), rows_d["spend"].get(c), rows_b["leads"].get(c),
                                          rows_b["spend"].get(c)))]
    chans.sort(key=lambda c: (-float(rows_d["leads"].get(c, 0) or 0), -float(rows_d["spend"].get(c, 0) or 0), c))
    body = []
    for c in chans + [roi_report.TOTAL]:
        rd = tot_d if c == roi_report.TOTAL else rows_d.loc[c] if c in rows_d.index else None
        rb = tot_b if c == roi_report.TOTAL else rows_b.loc[c] if c in rows_b.index else None
        get = lambda r, k: (0.0 if k in ("leads", "spend") else float("nan")) if r is None else r[k]  # noqa: E731
        body.append([c, fmt.number(get(rd, "leads"), lang), fmt.number(get(rb, "leads"), lang),
                     change_html(get(rd, "leads"), get(rb, "leads"), "count", lang),
                     fmt.money(get(rd, "spend"), cur, lang), fmt.money(get(rb, "spend"), cur, lang),
                     fmt.money(get(rd, "cac"), cur, lang), fmt.money(get(rb, "cac"), cur, lang)])
    parts.append(table([t("dg.channel", lang), t("dg.m.leads", lang), before_txt, t("dg.change", lang),
                        t("dg.m.spend", lang), before_txt, t("dg.m.cac", lang), before_txt], body, raw={3}))
    chart = None
    if chans:
        cd = pd.DataFrame({"channel": chans,
                           "leads": [float(rows_d["leads"].get(c, 0) or 0) for c in chans],
                           "leads_before": [float(rows_b["leads"].get(c, 0) or 0) for c in chans]})
        cd["text"] = [f"{fmt.number(a, lang)} ({fmt.number(b, lang)})" for a, b in zip(cd["leads"], cd["leads_before"])]
        chart = wc.week_bars(cd, "channel", "leads", "leads_before", "text", lang).properties(
            width=560, title=t("dg.chart_leads", lang, day=day_txt))
        parts.append(f'<div class="chart">{svg(chart, charts)}</div>')

    parts.append(f"<h2>{e(t('dg.products', lang))}</h2>")
    if not prod_d.get("orders"):
        parts.append(f"<p>{e(t('dg.no_orders', lang))}</p>")
    else:
        parts.append('<div class="cards">')
        for m, unit in products_report.TOTALS.items():
            v, b = prod_d.get(m), prod_b.get(m)
            parts.append(card(t(f"dg.m.{m}", lang), fmt.value(v, unit, lang, cur),
                              change_html(v, b, unit, lang), f"{e(before_txt)}: {e(fmt.value(b, unit, lang, cur))}"))
        parts.append("</div>")
        best = products_report.products(run, fd)
        parts.append(f"<h2>{e(t('dg.bestsellers', lang))}</h2>")
        parts.append(table(["#", t("dg.product", lang), t("dg.quantity", lang), t("dg.m.revenue", lang),
                            t("dg.m.gross_profit", lang), t("dg.m.margin_pct", lang)],
                           [[str(int(r["rank"])), r["product"], fmt.number(r["quantity"], lang),
                             fmt.money(r["revenue"], cur, lang), fmt.money(r["gross_profit"], cur, lang),
                             fmt.pct(r["margin_pct"], lang)] for _, r in best.head(10).iterrows()], text={0, 1}))
        promote = best[best["promote"].fillna(False).astype(bool)]
        parts.append(f"<h2>{e(t('dg.promote', lang))}</h2>")
        if promote.empty:
            parts.append(f"<p>{e(t('dg.no_promote', lang))}</p>")
        else:
            parts.append("<ul>" + "".join(
                f"<li>{e(t('dg.promote_item', lang, product=r['product'], margin=fmt.pct(r['margin_pct'], lang), units=fmt.number(r['quantity'], lang)))}</li>"
                for _, r in promote.iterrows()) + "</ul>")

    summary = t("dg.summary.day", lang, title=title, leads=fmt.value(head_d["leads"], "count", lang),
                leads_change=change_text(head_d["leads"], head_b["leads"], lang),
                junk=fmt.value(head_d["junk_rate_pct"], "pct", lang),
                sessions=fmt.value(traffic_d.get("sessions"), "count", lang),
                spend=fmt.value(head_d["spend"], "money", lang, cur), cac=fmt.value(tot_d["cac"], "money", lang, cur),
                revenue=fmt.value(prod_d.get("revenue"), "money", lang, cur),
                profit=fmt.value(prod_d.get("gross_profit"), "money", lang, cur))
    return Digest("daily", d.isoformat(), title,
                  page(title, caption, "".join(parts), f"roi --view cash --from {d} --to {d}", lang), summary, lang,
                  chart, charts)
