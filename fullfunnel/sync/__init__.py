"""Data that arrives by itself: `python -m fullfunnel sync SOURCE|all` pulls spend, visits and deals
from the ad cabinets, web analytics and CRMs, and lands them through the file importer.

Each source module (direct.py, metrica.py, amocrm.py, bitrix24.py) fetches everything of one run
first — every page, every part, every retry — and turns it into one file: for Direct and Metrica the
very TSV the API sent (read by the same `yandex_direct` / `metrica_logs` presets as a downloaded
report), for the CRMs one CSV whose columns are the native templates' (`leads.lead_id`,
`deals.stage`, …). `run` then imports that file with `importing.import_bytes`: one transaction, one
line in the import history (format `sync_<source>`), undoable, rows replacing the stored rows with
the same natural key, the fact layer updated by the writer's hook. A run that fails on the way has
imported nothing.

Incremental: without `--from/--to` a run asks for the days since the last standing sync of that
source minus a look-back window (ad costs are revised for days, visits close within three, deals
move stage for months: the CRMs are asked by update time), so a nightly run that repeats itself
replaces rows with the same values, and a revised cost or a deal moved since shows after the next.

Credentials: one section per source in the secrets file (fullfunnel/secrets.py); `--token` and
`--api-url` override them.
"""
from __future__ import annotations

import csv
import io
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from fullfunnel import FullfunnelError, db, periods
from fullfunnel import secrets as secrets_mod

SOURCES = ("yandex_direct", "yandex_metrica", "amocrm", "bitrix24", "google_ads", "ga4")
TITLES = {"yandex_direct": "Yandex Direct", "yandex_metrica": "Yandex Metrica", "amocrm": "amoCRM",
          "bitrix24": "Bitrix24", "google_ads": "Google Ads", "ga4": "Google Analytics 4"}
TITLES_RU = {"yandex_direct": "Яндекс Директ", "yandex_metrica": "Яндекс Метрика", "amocrm": "amoCRM",
             "bitrix24": "Битрикс24", "google_ads": "Google Ads", "ga4": "Google Analytics 4"}
# what a first sync asks for (days back from today); the look-back window of a later one (days)
FIRST_DAYS = {"yandex_direct": 90, "yandex_metrica": 90, "amocrm": None, "bitrix24": None, "google_ads": 90,
              "ga4": 90}
# ad costs are revised for days; Metrica closes visits within 3 days and GA4 processes within 2;
# deals move stage for months (the CRMs are asked by update time)
LOOKBACK_DAYS = {"yandex_direct": 7, "yandex_metrica": 3, "amocrm": 30, "bitrix24": 30, "google_ads": 7, "ga4": 3}
TIMEOUT = 60          # seconds for one HTTP request
MAX_RETRIES = 6       # rate limits and "not ready yet": this many waits at most …
MAX_WAIT = 600        # … and no more than this many seconds of waiting in all


class SyncFailed(FullfunnelError):
    """A sync that cannot finish: one sentence; nothing was imported. Carries the sentence in Russian too."""

    def __init__(self, message: str, ru: str | None = None):
        super().__init__(message)
        self.ru = ru

    def text(self, lang: str = "en") -> str:
        return self.ru if lang == "ru" and self.ru else str(self)


def token_refused(source: str) -> SyncFailed:
    if source == "bitrix24":
        return SyncFailed("Reconnect Bitrix24 in Settings: the webhook was refused (make a new incoming webhook "
                          "and put its URL in the [bitrix24] section of the secrets file).",
                          ru="Переподключите Битрикс24 в настройках: вебхук отклонён (создайте новый входящий "
                             "вебхук и укажите его адрес в разделе [bitrix24] файла секретов).")
    return SyncFailed(f"Reconnect {TITLES[source]} in Settings: the token was refused "
                      f"(put a fresh one in the [{source}] section of the secrets file).",
                      ru=f"Переподключите {TITLES_RU[source]} в настройках: токен отклонён "
                         f"(укажите новый в разделе [{source}] файла секретов).")


def fields_changed(source: str, expected: list[str], got: list[str]) -> SyncFailed:
    missing = [f for f in expected if f not in got]
    return SyncFailed(
        f"{TITLES[source]} sent other columns than asked for (missing: {', '.join(missing) or '—'}; got: "
        f"{', '.join(got[:12])}): its API has changed; nothing was imported.",
        ru=f"{TITLES_RU[source]} прислал не те колонки, что запрошены (нет: {', '.join(missing) or '—'}; "
           f"пришли: {', '.join(got[:12])}): его API изменился; ничего не загружено.")


# ---------------------------------------------------------------- HTTP with bounded waits


@dataclass
class Context:
    """What one run needs: the source's settings, where to send requests, how to wait."""

    source: str
    conf: dict[str, Any]
    api_url: str
    token: str
    date_from: date
    date_to: date
    since: datetime | None           # CRMs: records updated since (None = everything)
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0
    requests: int = 0
    notes: list[str] = field(default_factory=list)

    def wait(self, seconds: float, what_en: str, what_ru: str) -> None:
        """Wait before asking again; past MAX_WAIT in all, a sentence."""
        seconds = max(0.0, min(float(seconds), 120.0))
        if self.waited + seconds > MAX_WAIT:
            raise SyncFailed(f"{TITLES[self.source]}: {what_en}, still after waiting {self.waited:.0f} s; "
                             "nothing was imported — run the sync again later.",
                             ru=f"{TITLES_RU[self.source]}: {what_ru}, и после ожидания {self.waited:.0f} с; "
                                "ничего не загружено — запустите синхронизацию позже.")
        self.waited += seconds
        self.sleep(seconds)

    def http(self, method: str, url: str, **kw):
        """One request; a network error is a sentence. Returns the `requests` response."""
        import requests

        self.requests += 1
        try:
            return requests.request(method, url, timeout=TIMEOUT, **kw)
        except requests.RequestException as e:
            host = url.split("/")[2] if "://" in url else url
            reason = type(e).__name__
            raise SyncFailed(f"Cannot reach {TITLES[self.source]} at {host} ({reason}): check the network "
                             f"and api_url in the [{self.source}] section; nothing was imported.",
                             ru=f"Не удаётся связаться с {TITLES_RU[self.source]} по адресу {host} ({reason}): "
                                f"проверьте сеть и api_url в разделе [{self.source}]; ничего не загружено.") from None


def retry_after(resp, default: float = 1.0) -> float:
    """Seconds a rate-limited answer asks to wait (Retry-After / retryIn), else `default`."""
    for h in ("Retry-After", "retryIn"):
        v = resp.headers.get(h)
        if v:
            try:
                return float(v)
            except ValueError:
                pass
    return default


def json_of(ctx: Context, resp) -> Any:
    try:
        return resp.json()
    except ValueError:
        raise SyncFailed(f"{TITLES[ctx.source]} answered {resp.status_code} with something that is not JSON "
                         f"({resp.text[:80]!r}): check api_url in the [{ctx.source}] section.",
                         ru=f"{TITLES_RU[ctx.source]} ответил {resp.status_code} не в формате JSON "
                            f"({resp.text[:80]!r}): проверьте api_url в разделе [{ctx.source}].") from None


# ---------------------------------------------------------------- what a source gives


@dataclass
class Fetched:
    """One run's data as one file for the importer."""

    data: bytes
    name: str
    fmt: Any            # importing.presets.Format
    rows: int           # data rows in the file
    requests: int = 0
    # the file is the whole of these days (a report by day): rows of earlier syncs on them that it has
    # no row for (a renamed campaign) are taken out; None for the CRMs, asked by update time
    days: tuple[date, date] | None = None


def wide_csv(rows: dict[str, list[dict[str, Any]]]) -> tuple[bytes, int]:
    """Several kinds in one CSV: a column `kind.column` per template column; each row fills one kind."""
    from fullfunnel.importing.templates import TEMPLATES

    kinds = [k for k in rows if rows[k]]
    header = [f"{k}.{c.name}" for k in kinds for c in TEMPLATES[k].columns]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    n = 0
    for k in kinds:
        for r in rows[k]:
            w.writerow(["" if r.get(h.split(".", 1)[1]) is None else r.get(h.split(".", 1)[1])
                        if h.startswith(k + ".") else "" for h in header])
            n += 1
    return out.getvalue().encode("utf-8"), n


def wide_format(name: str, title: str, kinds: list[str]):
    """The Format that reads `wide_csv`: one output per kind, only the rows that fill its key."""
    from fullfunnel.importing.presets import Format, Output, Src
    from fullfunnel.importing.templates import TEMPLATES

    outs = []
    for k in kinds:
        t = TEMPLATES[k]
        fields = {c.name: Src((f"{k}.{c.name}",)) for c in t.columns}
        outs.append(Output(k, fields, only_if=t.key[0]))
    return Format(name=name, title=title, outputs=tuple(outs), decimal=".")


def iso(ts: int | float | None) -> str | None:
    """A Unix time as an ISO instant in UTC (the importer keeps the moment; days are cut in the business zone)."""
    if ts in (None, "", 0):
        return None
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00:00")


# ---------------------------------------------------------------- the run


def _module(source: str):
    import importlib

    return importlib.import_module(f"fullfunnel.sync.{ {'yandex_direct': 'direct', 'yandex_metrica': 'metrica'}.get(source, source)}")


def section(source: str, secrets: dict[str, Any]) -> dict[str, Any]:
    s = secrets.get(source)
    return dict(s) if isinstance(s, dict) else {}


def connected(source: str, secrets: dict[str, Any]) -> bool:
    """True when the secrets file has what the source needs."""
    return _module(source).configured(section(source, secrets))


def last_sync(source: str, db_file=None) -> dict[str, Any] | None:
    """The newest standing sync of a source: {import_id, imported_at (UTC), rows, file_name}; None if none."""
    if not db.db_path(db_file).exists():
        return None
    db.ensure_schema(db_file)
    df = db.Reader(db_file).query("sync/last", {"format": f"sync_{source}"})
    if df.empty:
        return None
    r = df.iloc[0]
    return {"import_id": int(r.import_id), "imported_at": r.imported_at, "rows": int(r.rows_n),
            "file_name": r.file_name}


def status(db_file=None, secrets: dict[str, Any] | None = None, tz: str = "UTC") -> list[dict[str, Any]]:
    """Each source: connected or not, its last standing sync (a time in `tz`) and the rows that sync wrote."""
    from zoneinfo import ZoneInfo

    secrets = secrets_mod.load() if secrets is None else secrets
    out = []
    for s in SOURCES:
        last = last_sync(s, db_file)
        out.append({"source": s, "title": TITLES[s], "title_ru": TITLES_RU[s], "connected": connected(s, secrets),
                    "last_sync": last["imported_at"].replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))
                    .replace(tzinfo=None) if last else None,
                    "import_id": last["import_id"] if last else None, "rows": last["rows"] if last else None})
    return out


def window(source: str, db_file=None, date_from: date | None = None, date_to: date | None = None,
           today: date | None = None) -> tuple[date, date, datetime | None]:
    """The days (and for CRMs the update time) a run asks for."""
    tz = periods.business_tz(_settings(db_file).get("business_tz"))
    today = today or periods.today_in(tz)
    last = last_sync(source, db_file)
    # Metrica has no data for the current day (its Logs API refuses it): up to yesterday
    to = date_to or (today - timedelta(days=1) if source == "yandex_metrica" else today)
    if date_from:
        frm = date_from
    elif last is not None:
        frm = last_day(last, tz) - timedelta(days=LOOKBACK_DAYS[source])
    elif FIRST_DAYS[source]:
        frm = today - timedelta(days=FIRST_DAYS[source])
    else:
        frm = None
    if frm is not None and frm > to:
        raise SyncFailed(f"The period starts after it ends ({frm} > {to}).",
                         ru=f"Период начинается позже, чем заканчивается ({frm} > {to}).")
    since = None if frm is None or (date_from is None and last is None) else \
        datetime.combine(frm, datetime.min.time(), timezone.utc)
    return (frm or date(1970, 1, 1)), to, since


def last_day(last: dict[str, Any], tz: str) -> date:
    """The business day a sync ran on."""
    from zoneinfo import ZoneInfo

    return last["imported_at"].replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()


def _settings(db_file=None) -> dict[str, str]:
    if not db.db_path(db_file).exists():
        return {}
    try:
        df = db.Reader(db_file).query("meta/settings")
        return dict(df.values.tolist())
    except Exception:   # a database without the settings table yet: defaults
        return {}


@dataclass
class SyncResult:
    source: str
    date_from: date
    date_to: date
    rows: int
    requests: int
    result: Any = None      # importing.load.ImportResult, None when nothing came
    everything: bool = False   # a CRM's first sync: every record, whatever its date

    def text(self, lang: str = "en") -> str:
        title = (TITLES_RU if lang == "ru" else TITLES)[self.source]
        if self.everything:
            span = ("все записи" if lang == "ru" else "all records")
        elif self.source in ("amocrm", "bitrix24"):
            span = (f"изменённые с {self.date_from}" if lang == "ru" else f"changed since {self.date_from}")
        else:
            span = f"{self.date_from} – {self.date_to}"
        if self.result is None:
            return (f"{title}: новых данных нет ({span}); ничего не изменено" if lang == "ru" else
                    f"{title}: nothing new ({span}); nothing was changed")
        r = self.result
        kinds = "; ".join(f"{k.kind}: {k.added} {'добавлено' if lang == 'ru' else 'added'}, {k.replaced} "
                          f"{'заменено' if lang == 'ru' else 'replaced'}, {k.rejected} "
                          f"{'отклонено' if lang == 'ru' else 'rejected'}" for k in r.kinds)
        gone = sum(r.dropped.values())
        if lang == "ru":
            return (f"{title}: {span}, строк {self.rows}, запросов {self.requests} — "
                    f"импорт №{r.import_id} ({kinds})"
                    + (f"; строк прежних синхронизаций за эти дни, которых больше нет в отчёте, убрано: {gone}"
                       if gone else ""))
        return (f"{title}: {span}, {self.rows} row(s) in {self.requests} request(s) — "
                f"import #{r.import_id} ({kinds})"
                + (f"; {gone} row(s) of earlier syncs on these days that the report no longer has were taken out"
                   if gone else ""))


def run(source: str, db_file=None, *, date_from: date | None = None, date_to: date | None = None,
        token: str | None = None, api_url: str | None = None, secrets: dict[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep, today: date | None = None) -> SyncResult:
    """Fetch everything of one run, then import it as one file. Raises SyncFailed (nothing imported)."""
    from fullfunnel.importing import load
    from fullfunnel.importing.errors import ImportRefused

    if source not in SOURCES:
        raise SyncFailed(f"Unknown source {source!r}; use one of: {', '.join(SOURCES)} or all.",
                         ru=f"Неизвестный источник {source!r}; укажите один из: {', '.join(SOURCES)} или all.")
    mod = _module(source)
    secrets = secrets_mod.load() if secrets is None else secrets
    conf = section(source, secrets)
    if token:
        conf[mod.TOKEN_KEY] = token
    if api_url:
        conf["api_url"] = api_url
    if not mod.configured(conf):
        raise SyncFailed(
            f"{TITLES[source]} is not connected: put {mod.NEEDS} in the [{source}] section of the secrets file "
            f"({secrets_mod.path()}); see the README, \"Connect your accounts\".",
            ru=f"{TITLES_RU[source]} не подключён: укажите {mod.NEEDS} в разделе [{source}] файла секретов "
               f"({secrets_mod.path()}); см. README, «Connect your accounts».")
    frm, to, since = window(source, db_file, date_from, date_to, today)
    ctx = Context(source, conf, mod.base_url(conf).rstrip("/"), str(conf.get(mod.TOKEN_KEY) or ""), frm, to,
                  since, sleep)
    fetched = mod.fetch(ctx)
    out = SyncResult(source, frm, to, fetched.rows if fetched else 0, ctx.requests,
                     everything=source in ("amocrm", "bitrix24") and since is None)
    if fetched is None or fetched.rows == 0:
        return out
    try:
        out.result = load.import_bytes(fetched.data, fetched.name, db_file=db_file, mapping=fetched.fmt,
                                       limit=1 << 40, days=fetched.days)
    except ImportRefused as e:
        raise SyncFailed(f"{TITLES[source]}: {e}", ru=f"{TITLES_RU[source]}: {e.text('ru')}") from None
    return out


# ---------------------------------------------------------------- command line


def register(sub) -> None:
    from fullfunnel.cli import add_db_option

    p = sub.add_parser("sync", help="pull data from Yandex Direct, Metrica, amoCRM, Bitrix24, Google Ads, GA4 (or all)",
                       description="Fetch the days since the last sync (plus a look-back window) from a source and "
                                   "import them as one import (undoable). Credentials: the source's section in "
                                   "the secrets file.")
    p.add_argument("source", choices=(*SOURCES, "all"), metavar="SOURCE",
                   help=f"one of: {', '.join(SOURCES)}, or all (every connected source)")
    add_db_option(p)
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day to ask for")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day to ask for (default: today)")
    p.add_argument("--token", help="token (Bitrix24: the webhook URL; Google: an access token) instead of the "
                                   "secrets file's")
    p.add_argument("--api-url", help="the API's address instead of the default (a proxy, a test server)")
    p.add_argument("--secrets", metavar="PATH", help="the secrets file (default: $FULLFUNNEL_SECRETS or "
                                                     ".streamlit/secrets.toml)")
    p.set_defaults(func=cmd_sync)


def _day(text: str | None, flag: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SyncFailed(f"{flag} {text!r} is not a date; write it as YYYY-MM-DD.",
                         ru=f"{flag} {text!r} — не дата; укажите её как ГГГГ-ММ-ДД.") from None


def _say(res: SyncResult) -> None:
    """What a run did, with the import's warnings and its first rejected rows (lines of the fetched data)."""
    print(res.text())
    if res.result is None:
        return
    for w in res.result.warning_texts():
        print(f"  warning: {w}")
    for r in res.result.rejects:
        print(f"  rejected ({r.kind}, fetched data): {r.text()}")


def cmd_sync(args) -> int:
    secrets = secrets_mod.load(args.secrets)
    frm, to = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    if args.source != "all":
        res = run(args.source, args.db, date_from=frm, date_to=to, token=args.token, api_url=args.api_url,
                  secrets=secrets)
        _say(res)
        return 0
    if args.token or args.api_url:
        raise SyncFailed("--token and --api-url name one source's credentials: use them with one source, not all.",
                         ru="--token и --api-url относятся к одному источнику: используйте их с одним источником.")
    todo = [s for s in SOURCES if connected(s, secrets)]
    if not todo:
        raise SyncFailed(f"No source is connected: add a section ({', '.join(f'[{s}]' for s in SOURCES)}) to the "
                         "secrets file (README, \"Connect your accounts\").",
                         ru=f"Ни один источник не подключён: добавьте раздел ({', '.join(f'[{s}]' for s in SOURCES)}) "
                            "в файл секретов (README, «Connect your accounts»).")
    failed = 0
    for s in todo:
        try:
            _say(run(s, args.db, date_from=frm, date_to=to, secrets=secrets))
        except FullfunnelError as e:
            print(f"error: {e}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"{failed} of {len(todo)} source(s) failed; the others were synced.", file=sys.stderr)
        return 1
    return 0


__all__ = ["SOURCES", "SyncFailed", "SyncResult", "run", "connected", "last_sync", "status", "window"]
