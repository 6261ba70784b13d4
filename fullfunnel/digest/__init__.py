"""`python -m fullfunnel digest weekly|daily|alerts`: reports that arrive by themselves.

`weekly` and `daily` render one self-contained HTML file (or a PDF with --pdf); `--send` delivers
it by e-mail and/or Telegram as set up in the secrets file, once per week or day and way — what was
sent is remembered in the database (table digest_sent). `alerts --send` sends only the dead /
declining / burning-money alerts not sent yet for that channel in the current 14-day window.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from fullfunnel import FullfunnelError, db, periods, secrets
from fullfunnel.i18n import LANGS, t

ALERT_WINDOW_DAYS = 14  # the alerts' window (METRICS.md "Dead channels"): one alert per channel per window

class NothingToSend(FullfunnelError):
    pass


def _filters(run, args):
    from fullfunnel.filters import build

    channels = [c.strip() for a in args.channel for c in a.split(",") if c.strip()]
    if channels:
        known = set(run("meta/channels", {})["channel"])
        unknown = [c for c in channels if c not in known]
        if unknown:
            raise FullfunnelError(f"There is no channel {', '.join(unknown)} in the data.")
    return build(run, channels=channels)


def _ways(args, conf: dict) -> list[str]:
    from fullfunnel.digest import deliver

    have = deliver.configured(conf)
    wanted = [args.via] if args.via else have
    missing = [w for w in wanted if w not in have]
    if missing:
        section = {"email": "[smtp] (host, from, to)", "telegram": "[telegram] (bot_token, chat_id)"}
        raise NothingToSend(f"Sending by {missing[0]} needs {section[missing[0]]} in {secrets.path(args.secrets)}.")
    if not wanted:
        raise NothingToSend(f"Nowhere to send: set up [smtp] or [telegram] in {secrets.path(args.secrets)} "
                            "(see \"Running for the team\" in the README).")
    return wanted


def already_sent(reader: db.Reader, kind: str) -> list[dict]:
    return reader.query("digest/sent", {"kind": kind}).to_dict("records")


def remember(path, rows: list[tuple[str, str, str, date | None]]) -> None:
    """Record deliveries (kind, key, via, window_to) so they are not repeated."""
    if not rows:
        return
    with db.writer(path) as con:
        con.executemany("insert into digest_sent (kind, key, via, window_to) values (?, ?, ?, ?)", rows)


def _finish(path, delivered: list[tuple[str, str, str, date | None]], failures: list[str]) -> int:
    """Record what went out, say what did not (one sentence each), and give cron its exit code."""
    remember(path, delivered)
    for msg in failures:
        print(f"error: {msg}", file=sys.stderr)
    return 1 if failures else 0


def _attachment(d, as_pdf: bool) -> tuple[str, bytes, str]:
    from fullfunnel.digest import deliver

    if as_pdf:
        return d.file_name[:-5] + ".pdf", deliver.pdf(d.html), "application/pdf"
    return d.file_name, d.html.encode("utf-8"), "text/html"


def _run_report(args: argparse.Namespace) -> int:
    from fullfunnel.digest import deliver, render

    reader = db.Reader(args.db)
    run = reader.query
    f = _filters(run, args)
    if args.kind == "weekly":
        d = render.weekly(run, f, args.week, lang=args.lang)
    else:
        d = render.daily(run, f, args.date, lang=args.lang)
    file = _attachment(d, args.pdf)
    if args.out or not args.send:
        out = Path(args.out or file[0])
        out.write_bytes(file[1])
        print(f"wrote {out} ({d.title})")
    if not args.send:
        return 0
    conf = secrets.load(args.secrets)
    ways = _ways(args, conf)
    key = d.key + (" " + ",".join(sorted(f.channels)) if f.channels else "")  # a channel digest is another one
    done = {r["via"]: r for r in already_sent(reader, d.kind) if r["key"] == key}
    failures, sent = [], []
    for way in ways:
        if way in done:
            print(f"{d.kind} {key} was already sent by {way} on {done[way]['sent_at']:%Y-%m-%d %H:%M} UTC; not again")
            continue
        try:
            if way == "email":
                body, images = d.email_html()
                to = deliver.email(conf["smtp"], d.title, body, d.summary, file, images)
                print(f"sent {d.kind} {d.key} by e-mail to {', '.join(to)}")
            else:
                deliver.telegram(conf["telegram"], d.summary, d.chart_png(), file)
                print(f"sent {d.kind} {d.key} to Telegram chat {conf['telegram']['chat_id']}")
            sent.append((d.kind, key, way, None))
        except deliver.DeliveryFailed as e:
            failures.append(str(e))
    return _finish(args.db, sent, failures)


# ---------------------------------------------------------------- alerts


def alert_keys(a: dict) -> list[str]:
    """One key per status of an alert: channel|campaign|status."""
    return [f"{a['channel']}|{a.get('campaign') or ''}|{s}" for s in a["statuses"]]


def new_alerts(alerts: list[dict], sent: list[dict], via: str) -> list[dict]:
    """The alerts (with only their statuses) not sent by `via` in the last 14-day window."""
    out = []
    for a in alerts:
        end = a["window_to"]
        fresh = [s for s, key in zip(a["statuses"], alert_keys(a))
                 if not any(r["key"] == key and r["via"] == via and r["window_to"] is not None
                            and _as_date(r["window_to"]) > end - timedelta(days=ALERT_WINDOW_DAYS) for r in sent)]
        if fresh:
            out.append({**a, "statuses": fresh})
    return out


def _as_date(x) -> date:
    return x.date() if hasattr(x, "date") and callable(x.date) else x


def _run_alerts(args: argparse.Namespace) -> int:
    from fullfunnel.charts.channels import alert_sentence
    from fullfunnel.digest import deliver, render
    from fullfunnel.periods import Period
    from fullfunnel.reports import channels as channels_report

    reader = db.Reader(args.db)
    run = reader.query
    f = _filters(run, args)
    today = periods.today_in(f.tz)
    end = periods.parse_date(args.date, "--date") if args.date else today - timedelta(days=1)
    f = f.shifted(Period(end, end))
    alerts = channels_report.alerts(run, f)
    lang, cur = args.lang, f.currency

    def lines(items):
        return [", ".join(t("ch.status." + s, lang) for s in a["statuses"]) + ": " + alert_sentence(a, lang, cur)
                for a in items]

    if not args.send:
        for line in lines(alerts) or [t("dg.no_alerts", lang)]:
            print(line)
        return 0
    conf = secrets.load(args.secrets)
    ways = _ways(args, conf)
    sent = already_sent(reader, "alert")
    failures, record = [], []
    for way in ways:
        fresh = new_alerts(alerts, sent, way)
        if not fresh:
            print(f"no new alerts for {way} on {end}")
            continue
        title = t("dg.alerts.title", lang, day=render.fmt.day(end, lang))
        text = "\n".join([title, *("• " + x for x in lines(fresh))])
        body = render.page(title, "", render._alerts_html(fresh, lang, cur), f"dead-channels --to {end}", lang)
        try:
            if way == "email":
                deliver.email(conf["smtp"], t("dg.alerts.subject", lang, n=len(fresh), day=end.isoformat()), body,
                              text)
            else:
                deliver.telegram(conf["telegram"], text)
            print(f"sent {len(fresh)} new alert(s) by {way}")
            record += [("alert", key, way, a["window_to"]) for a in fresh for key in alert_keys(a)]
        except deliver.DeliveryFailed as e:
            failures.append(str(e))
    return _finish(args.db, record, failures)


# ---------------------------------------------------------------- CLI


def register(sub) -> None:
    from fullfunnel.cli import add_db_option

    p = sub.add_parser("digest", help="render or send the weekly and daily digests and the channel alerts",
                       description="Render the Weekly meeting or the daily reports as one HTML file (or PDF), "
                       "or send them by e-mail / Telegram as set up in the secrets file.")
    dsub = p.add_subparsers(dest="digest", metavar="KIND", required=True)

    def common(q):
        add_db_option(q)
        q.add_argument("--lang", choices=LANGS, default="en", help="language of the digest (default en)")
        q.add_argument("--channel", action="append", default=[], metavar="CHANNEL",
                       help="only this channel (repeat or comma-separate for several)")
        q.add_argument("--send", action="store_true", help="deliver by e-mail and/or Telegram (secrets file)")
        q.add_argument("--via", choices=("email", "telegram"), help="with --send: only this way")
        q.add_argument("--secrets", metavar="PATH",
                       help="secrets file (default: $FULLFUNNEL_SECRETS or .streamlit/secrets.toml)")

    w = dsub.add_parser("weekly", help="the Weekly meeting of the last complete week as one HTML file (or PDF)")
    common(w)
    w.add_argument("--week", help="ISO week like 2026-W47 or a date in it (default: the last complete week)")
    dl = dsub.add_parser("daily", help="yesterday's marketing numbers and product report vs a week before")
    common(dl)
    dl.add_argument("--date", help="the day, YYYY-MM-DD (default: yesterday)")
    for q, kind in ((w, "weekly"), (dl, "daily")):
        q.add_argument("--out", metavar="PATH", help="where to write the file (default: fullfunnel-KIND-KEY.html "
                       "or .pdf in the current folder; with --send only when given)")
        q.add_argument("--pdf", action="store_true", help="a PDF instead of HTML (needs Chromium)")
        q.set_defaults(func=_run_report, kind=kind)
    a = dsub.add_parser("alerts", help="the dead / declining / burning-money alerts; --send only the new ones")
    common(a)
    a.add_argument("--date", help="the last day of the 14-day window, YYYY-MM-DD (default: yesterday)")
    a.set_defaults(func=_run_alerts)
