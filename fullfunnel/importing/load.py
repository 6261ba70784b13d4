"""Validate → reject rows with line/column/reason → write in one transaction; history and undo.

One file is one import and one `db.writer()` transaction: it lands whole or not at all
(`import_files` puts several files, each its own import, in one transaction: all or none). Rows are
read and checked by DuckDB over the whole file at once (parse.py), then each kind's rows replace
the existing rows with the same natural key; the replaced rows are archived so the import can be
undone. Contact details become a salted hash (`client_id`) before anything is stored.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from fullfunnel import auth, db, facts, periods
from fullfunnel.importing import channels, dates, parse, presets
from fullfunnel.importing.errors import ImportRefused
from fullfunnel.importing.presets import KEEP, Const, Format, FromHeader, Output, Src
from fullfunnel.importing.read import Table, norm, note_text, read_bytes
from fullfunnel.importing.templates import TEMPLATES, template

DEFAULT_MAX_MB = 500
SHOW_REJECTS = 20
Progress = Callable[[float, str], None]


@dataclass
class Reject:
    line: int
    column: str
    code: str
    value: str
    kind: str = ""

    def text(self, lang: str = "en") -> str:
        choices = ()
        if self.kind and self.code == "choice":
            choices = TEMPLATES[self.kind].col(self.column).choices
        where = ({"en": "line {line}, column {column}", "ru": "строка {line}, колонка {column}"} if self.column
                 else {"en": "line {line}", "ru": "строка {line}"})[lang]
        return (where.format(line=self.line, column=self.column) + ": "
                + parse.reason_text(self.code, self.value, lang, choices))


@dataclass
class KindResult:
    kind: str
    read: int = 0
    added: int = 0
    replaced: int = 0
    rejected: int = 0
    duplicates: int = 0    # rows of the same file with a key seen before in it (kept last, or summed)
    summed: bool = False   # duplicates were added up (spend, traffic) rather than replaced
    collapsed: int = 0     # rows made one with another row of the same key (a mapping's "collapse")


@dataclass
class ImportResult:
    file_name: str
    checksum: str
    format: str
    format_title: str
    kinds: list[KindResult]
    rejects: list[Reject]
    rows_read: int
    import_id: int | None = None
    dry_run: bool = False
    notes: list[tuple[str, int]] = field(default_factory=list)   # read.note_text turns them into words
    columns: list[tuple[str, str, str]] = field(default_factory=list)   # kind, template column, source
    ignored: list[str] = field(default_factory=list)
    previous_import: int | None = None   # the same file (checksum) was imported before
    # rows of those earlier imports of the same file that no row of this one replaced: taken out, by kind
    removed: dict[str, int] = field(default_factory=dict)
    # rows of earlier imports of the same format inside the days this one covers (`days`) that it has
    # no row for — a campaign renamed in the ad cabinet — taken out, by kind
    dropped: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)   # warning_text turns them into words
    span: tuple | None = None   # (first, last) business day of the rows written, for the pages to open on

    def warning_texts(self, lang: str = "en") -> list[str]:
        return [warning_text(w, lang) for w in self.warnings]

    @property
    def rejected(self) -> int:
        return sum(k.rejected for k in self.kinds)

    @property
    def added(self) -> int:
        return sum(k.added for k in self.kinds)

    @property
    def replaced(self) -> int:
        return sum(k.replaced for k in self.kinds)


class _DryRun(Exception):
    pass


WARNINGS = {
    "unknown_channel": {
        "en": "all {n} lead(s) landed in the channel unknown: the file gives no channel and no channel rule "
              "matches their source / medium (such as {example}); map a channel column, or add channel rules on "
              "the Data health page (saving them re-sorts these leads)",
        "ru": "все лиды ({n}) попали в канал unknown: в файле нет канала, и ни одно правило каналов не подходит к "
              "их источнику / типу трафика (например, {example}); сопоставьте колонку канала или добавьте правила "
              "каналов на странице «Качество данных» (при сохранении лиды пересортируются)",
    },
    "no_qualification": {
        "en": "none of the {n} lead(s) has a qualification (target / junk): every lead counts as a target lead "
              "and the junk rate is unknown; map a status column to qualification to know it",
        "ru": "ни у одного из лидов ({n}) нет квалификации (целевой / нецелевой): все лиды считаются целевыми, "
              "а доля нецелевых неизвестна; сопоставьте колонку статуса с qualification, чтобы её знать",
    },
    "currency": {
        "en": "{n} {kind} row(s) are in {currency}, not the report currency {report}: reports never add two "
              "currencies, so they count only when {currency} is chosen in the sidebar (or set the currency "
              "setting)",
        "ru": "строк {kind} в валюте {currency}: {n}, а валюта отчётов — {report}: отчёты не складывают разные "
              "валюты, поэтому эти строки видны, только если выбрать {currency} в боковой панели (или задать "
              "настройку currency)",
    },
}


def warning_text(w: tuple[str, dict], lang: str = "en") -> str:
    """A warning of an import (all leads in unknown, no qualification, another currency) in one language."""
    code, params = w
    return WARNINGS[code][lang].format(**params)


# ---------------------------------------------------------------- choosing the format


PATTERN_SECONDS = 0.3   # all the column names against one `re:` pattern (regex checks it every so often: ≈ 1 s)


def pattern(text: str, where: str = "") -> "regex.Pattern":
    """A `re:` pattern (without the prefix), compiled; a sentence when it is not a regular expression."""
    import regex

    try:
        return regex.compile(text, regex.IGNORECASE)
    except (regex.error, ValueError, OverflowError, RecursionError) as e:
        raise ImportRefused(f"{where + ': ' if where else ''}'re:{text[:60]}' is not a valid regular expression "
                            f"({e}); fix the pattern or name the column exactly.",
                            ru=f"{where + ': ' if where else ''}'re:{text[:60]}' — некорректное регулярное "
                               f"выражение ({e}); исправьте шаблон или укажите колонку точно.") from None


def _search_all(text: str, names: list[str]) -> list[int]:
    """Which names the pattern finds something in, within PATTERN_SECONDS for them all."""
    import time

    rx = pattern(text)
    deadline = time.monotonic() + PATTERN_SECONDS
    out = []
    try:
        for i, h in enumerate(names):
            # concurrent: the GIL is released, so other sessions of the dashboard keep running meanwhile
            if rx.search(h, timeout=max(0.001, deadline - time.monotonic()), concurrent=True):
                out.append(i)
    except TimeoutError:
        raise ImportRefused(f"The pattern 're:{text[:60]}' takes too long to match the column names (it "
                            "backtracks without end, like (a+)+); write it more simply or name the column exactly.",
                            ru=f"Шаблон 're:{text[:60]}' слишком долго сопоставляется с названиями колонок "
                               "(бесконечный перебор, как в (a+)+); упростите его или укажите колонку точно.") from None
    return out


def _find(names: tuple[str, ...], header: list[str]) -> list[int]:
    """Indexes of the header columns a source spec names, in the spec's order."""
    normed = [norm(h) for h in header]
    out = []
    for name in names:
        if name.startswith("re:"):
            out += [i for i in _search_all(name[3:], normed) if i not in out]
        else:
            out += [i for i, h in enumerate(normed) if h == norm(name) and i not in out]
    return out


def _matches(fmt: Format, header: list[str]) -> bool:
    return any(all(_find((n,), header) for n in sig) for sig in fmt.signatures)


def choose_format(table: Table, kind: str | None = None, fmt: str = "auto",
                  mapping: Format | None = None, saved: list[Format] = ()) -> Format:
    """The format of the file: the mapping file, the named preset, a saved mapping made for its header,
    a recognised preset, or native."""
    name = table.name
    if kind is not None:
        template(kind)
    chosen: Format | None = mapping
    if chosen is None and fmt not in ("auto", "native"):
        if fmt not in presets.PRESETS:
            raise ImportRefused(f"Unknown format {fmt!r}; use auto, native or one of: {', '.join(presets.PRESETS)}.",
                                ru=f"Неизвестный формат {fmt!r}; укажите auto, native или один из: "
                                   f"{', '.join(presets.PRESETS)}.")
        chosen = presets.PRESETS[fmt]
    if chosen is None and fmt == "auto":
        chosen = next((p for p in [*saved, *presets.PRESETS.values()] if _matches(p, table.header)), None)
    if chosen is not None:
        if kind is not None:
            if kind not in chosen.kinds:
                raise ImportRefused(
                    f"{name} looks like a {chosen.title} file ({', '.join(chosen.kinds)}), not {kind}.",
                    ru=f"{name} похож на файл «{chosen.title}» ({', '.join(chosen.kinds)}), а не на {kind}.")
            chosen = Format(**{**chosen.__dict__, "outputs": tuple(o for o in chosen.outputs if o.kind == kind)})
        return chosen
    header = {norm(h) for h in table.header}
    full = [k for k, t in TEMPLATES.items() if all(c in header for c in t.required)]
    if kind is not None:
        t = TEMPLATES[kind]
        missing = [c for c in t.required if c not in header]
        if missing:
            others = [k for k in full if k != kind]
            if others:
                raise ImportRefused(f"{name} looks like {others[0]} data, not {kind}.",
                                    ru=f"{name} похож на данные {others[0]}, а не {kind}.")
            raise ImportRefused(
                f"{name} lacks the column(s) {', '.join(missing)} that the {kind} template requires.",
                ru=f"В {name} нет колонок {', '.join(missing)}, обязательных для шаблона {kind}.")
        return presets.native(kind)
    if full:
        best = max(full, key=lambda k: (sum(1 for c in TEMPLATES[k].names if c in header),
                                        len(TEMPLATES[k].required)))
        return presets.native(best)
    overlap = {k: [c for c in t.names if c in header] for k, t in TEMPLATES.items()}
    best = max(overlap, key=lambda k: len(overlap[k]))
    if len(overlap[best]) >= 2:
        missing = [c for c in TEMPLATES[best].required if c not in header]
        raise ImportRefused(
            f"{name} looks like {best} data but lacks the required column(s) {', '.join(missing)}.",
            ru=f"{name} похож на данные {best}, но в нём нет обязательных колонок {', '.join(missing)}.")
    shown = ", ".join(table.header[:8]) + (", …" if len(table.header) > 8 else "")
    raise ImportRefused(
        f"The format of {name} is not recognised (columns: {shown}); use a native template, "
        "name the format with --format, or describe the file in a mapping file (--mapping).",
        ru=f"Формат файла {name} не распознан (колонки: {shown}); используйте собственный шаблон, "
           "укажите формат или опишите файл в файле сопоставления.")


# ---------------------------------------------------------------- SQL for one output


@dataclass
class _Plan:
    output: Output
    select: list[str]          # raw text of each template column (and helper columns)
    nums: list[str]            # the number in each numeric column, parsed once
    typed: list[str]           # the typed value of each template column
    reasons: list[tuple[str, str]]   # (condition, reason text) pairs, see parse.reasons
    columns: list[tuple[str, str]]   # template column, where it came from
    used: set[int]
    date_raw: dict[str, tuple[str, str]] = field(default_factory=dict)   # date column → (raw SQL, label)


def _raw(idx: list[int], clean: bool = False) -> str:
    # `clean`: read_csv already turned the blank markers (--, n/a, ...) into NULL: trimming is enough
    parts = [f"nullif(ff_trim(c{i}), '')" if clean else f"ff_text(c{i})" for i in idx]
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _mapped(expr: str, src: Src) -> str:
    if not src.map:
        if src.default is KEEP:
            return expr
        # only "*": every non-empty value becomes the one given
        return f"(case when {expr} is not null then {'null' if src.default is None else parse.lit(src.default)} end)"
    whens = " ".join(
        f"when {parse.lit(str(k).lower())} then {'null' if v is None else parse.lit(v)}"
        for k, v in src.map.items()
    )
    other = expr if src.default is KEEP else ("null" if src.default is None else parse.lit(src.default))
    # an empty cell stays empty ("*" is every other value), so a column's "default" can fill it
    return f"(case when {expr} is null then null else (case lower({expr}) {whens} else {other} end) end)"


def _plan(fmt: Format, out: Output, table: Table, orders: dict[str, dict[str, str]] | None = None) -> _Plan:
    """The SQL for one output; `orders` = the day/month order per date column (see _decide_orders)."""
    t = TEMPLATES[out.kind]
    default_dec = fmt.decimal or ("," if table.delimiter == ";" else ".")
    select, nums, typed, reasons, columns, used = [], [], [], [], [], set()
    date_raw = {}
    clean = bool(table.fast)
    missing = []
    for col in t.columns:
        spec = out.fields.get(col.name)
        raw = "null::varchar"
        times = None
        scale: float = 1.0
        pct = False
        idx: list[int] = []
        if isinstance(spec, Const):
            raw = parse.lit(spec.value)
            columns.append((col.name, f"= {spec.value}"))
        elif isinstance(spec, FromHeader):
            rx = re.compile(spec.pattern, re.IGNORECASE)
            found = next((m.group(1) for h in table.header if (m := rx.search(norm(h)))), None)
            if found:
                raw = parse.lit(found.upper())
                columns.append((col.name, f"= {found.upper()}"))
        elif isinstance(spec, Src):
            idx = _find(spec.names, table.header)
            if spec.join is not None:   # a key made of several columns: all of them must be there
                parts = [_find((n,), table.header)[:1] for n in spec.names]
                idx = [p[0] for p in parts] if all(parts) else []
            if idx:
                used.update(idx)
                if spec.join is not None:
                    joined = ", ".join(f"coalesce({_raw([i], clean)}, '')" for i in idx)
                    raw = _mapped(f"nullif(concat_ws({parse.lit(spec.join)}, {joined}), "
                                  f"{parse.lit(spec.join * (len(idx) - 1))})", spec)
                    columns.append((col.name, f" {spec.join} ".join(table.header[i] for i in idx)))
                else:
                    raw = _mapped(_raw(idx, clean), spec)
                    columns.append((col.name, " / ".join(table.header[i] for i in idx)))
                if spec.empty is not None:
                    raw = f"coalesce({raw}, {parse.lit(spec.empty)})"
                if spec.times:
                    tidx = _find((spec.times,), table.header)
                    times = _raw(tidx, clean) if tidx else None
                    pct = spec.pct
                if spec.scale == "micros?":
                    scale = 1e-6 if _looks_micros([v for i in idx for v in table.column_sample(i)]) else 1.0
                else:
                    scale = float(spec.scale)
                if spec.equal_to:
                    eidx = _find((spec.equal_to,), table.header)
                    if eidx:
                        used.update(eidx)
                        select.append(f'{_raw(eidx, clean)} as "{col.name}__eq"')
                        other = f'"{col.name}__eq"'
                        cond = (f'{other} is not null and "{col.name}__raw" is not null '
                                f'and {other} <> "{col.name}__raw"')
                        reasons.append((cond, f"case when {cond} then {parse.lit(col.name)} || chr(9) || 'range' "
                                              f"|| chr(9) || \"{col.name}__raw\" || ' – ' || {other} end"))
        if col.required and col.default is None and raw == "null::varchar":
            names = spec.names if isinstance(spec, Src) else (col.name,)
            missing.append((col.name, [n for n in names if not n.startswith("re:")][:1] or [col.name]))
        sample = [v for i in idx for v in table.column_sample(i)]
        dec = fmt.decimal or parse.detect_decimal(sample, default_dec)
        fmts = parse.date_formats((orders or {}).get(col.name, {}), fmt.date_formats)
        rawname = f'"{col.name}__raw"'
        if col.type in ("ts", "date") and idx:
            label = " / ".join(repr(table.header[i]) for i in idx)
            date_raw[col.name] = (raw, label if label.strip("'") == col.name else f"{label} ({col.name})")
        select.append(f"{raw} as {rawname}")
        numname = ""
        if col.type in parse.NUMERIC:
            if times is not None:
                select.append(f'{times} as "{col.name}__times"')
                times = f'"{col.name}__times"'
            numname = f'"{col.name}__num"'
            nums.append(f"{parse.number(col, rawname, dec, times, scale, pct)} as {numname}")
        zone = parse.lit(fmt.timezone) if fmt.timezone else "$tz"
        typed.append(f'{parse.typed(col, rawname, fmts, numname, zone)} as "{col.name}"')
        reasons += parse.reasons(col, rawname, f'"{col.name}"')
    if missing:
        if fmt.name == "native":
            raise ImportRefused(
                f"{table.name} lacks the column(s) {', '.join(c for c, _ in missing)} that the "
                f"{out.kind} template requires.",
                ru=f"В {table.name} нет колонок {', '.join(c for c, _ in missing)}, обязательных для "
                   f"шаблона {out.kind}.")
        names = ", ".join(f"{n[0]!r} ({c})" for c, n in missing)
        raise ImportRefused(f"{table.name} looks like a {fmt.title} but has no column {names}; "
                            "add it to the export and download the file again.",
                            ru=f"{table.name} похож на «{fmt.title}», но в нём нет колонки {names}; "
                               "добавьте её в выгрузку и скачайте файл заново.")
    return _Plan(out, select, nums, typed, reasons, columns, used, date_raw)


def _decide_orders(con, fmt: Format, plans: list[_Plan], table: Table) -> list[dict[str, dict[str, str]]]:
    """Day or month first for each date column of each plan, from all its values (dates.py); raw_in is loaded.

    A column its own values leave ambiguous takes the order the file's other date columns settle."""
    if fmt.date_order:
        return [{name: dates.decide("", [], hint=fmt.date_order) for name in p.date_raw} for p in plans]
    weekday_cols = [i for i in range(len(table.header)) if dates.is_weekday_column(table.column_sample(i, 200))]
    rx = parse.lit(dates.PATTERN)
    parts = ", ".join(f"regexp_extract(r, {rx}, {g})" for g in (1, 2, 3, 4))
    found: dict[str, tuple[list, str, str]] = {}   # raw SQL → (values, label, raw) — shared columns read once
    for p in plans:
        for name, (raw, label) in p.date_raw.items():
            if raw not in found:
                values = con.execute(
                    f"select {parts}, min(r) from (select {raw} as r from raw_in) "
                    f"where regexp_matches(r, {rx}) group by all").fetchall()
                found[raw] = (values, label, raw)
    settled = {o for values, _, _ in found.values() if values and (o := dates.settled_order(values))}
    file_order = settled.pop() if len(settled) == 1 else None
    out = []
    for p in plans:
        orders = {}
        for name, (raw, label) in p.date_raw.items():
            values = found[raw][0]
            if not values:
                continue
            pairs = []
            for w in weekday_cols:
                pairs += con.execute(
                    f"select distinct {parts}, wd from (select {raw} as r, ff_text(c{w}) as wd from raw_in) "
                    f"where regexp_matches(r, {rx}) limit 20000").fetchall()
            orders[name] = dates.decide(label, values, pairs, convention=fmt.default_order, file_order=file_order)
        out.append(orders)
    return out


def _looks_micros(values: list[str]) -> bool:
    """Yandex Direct sends money ×1 000 000 unless asked otherwise: whole numbers in steps of 10 000."""
    nums = [v for v in values if v.strip() not in ("", "0", "--")]
    return bool(nums) and all(re.fullmatch(r"\d{5,}", v.strip()) and int(v) % 10000 == 0 for v in nums)


def _stage_sql(plan: _Plan) -> str:
    t = TEMPLATES[plan.output.kind]
    names = [c.name for c in t.columns]
    outs = []
    for c in t.columns:
        expr = f'"{c.name}"'
        if c.default is not None:
            expr = f"coalesce({expr}, {parse.lit(c.default)})"
        if plan.output.closed_only and c.name == "closed_at":
            expr = f"case when \"status\" = 'open' then null else {expr} end"
        outs.append(f'{expr} as "{c.name}"')
    if t.rules_channel:
        outs.append('"channel" as channel_given')
    # The reasons list is only built for rows that have one (most rows have none: keep them cheap).
    # a row reading already rejected (more values than columns, ...) has that one reason, not its
    # values' complaints: they are in the wrong columns
    bad = " or ".join(["_read_bad is not null"] + [f"coalesce({cond}, false)" for cond, _ in plan.reasons])
    reason_list = ", ".join(r for _, r in plan.reasons)
    return (
        "with src as (select coalesce(_line, rowid + 2) as _line, _read_bad, " + ", ".join(plan.select)
        + " from raw_in),\n"
        "nums as (select *" + "".join(", " + n for n in plan.nums) + " from src),\n"
        "typed as (select *, " + ", ".join(plan.typed) + " from nums),\n"
        f"flagged as (select *, ({bad}) as _bad from typed)\n"
        "select _line, " + ", ".join(outs) + ", _bad, "
        f"case when _read_bad is not null then [_read_bad] "
        f"when _bad then list_filter([{reason_list}]::varchar[], lambda r: r is not null) end as _reasons "
        "from flagged" + (f' where "{plan.output.only_if}__raw" is not null' if plan.output.only_if else "")
    ), names


# ---------------------------------------------------------------- the import


def _settings(con) -> dict[str, str]:
    return dict(con.execute("select key, value from settings").fetchall())


def max_bytes(path: str | os.PathLike | None = None) -> int:
    """The size limit for one file: the import_max_mb setting, else 500 MB."""
    live = db.db_path(path)
    mb = DEFAULT_MAX_MB
    if isinstance(live, db.engines.Location):
        rows = db.Reader(live).query("meta/settings")
        value = dict(zip(rows["key"], rows["value"])).get("import_max_mb") if "key" in rows else None
        return int(float(value) * 1024 * 1024) if value else int(mb * 1024 * 1024)
    if live.exists():
        try:
            con = duckdb.connect(str(live), read_only=True)
            try:
                row = (con.execute("select value from settings where key = 'import_max_mb'").fetchall()[:1] or [None])[0]
            finally:
                con.close()
            if row and row[0]:
                mb = float(row[0])
        except (duckdb.Error, ValueError):
            pass
    return int(mb * 1024 * 1024)


class _SlowPath(Exception):
    """DuckDB could not read the big file row for row: read it again the slow, exact way."""


def _load_raw(con, table: Table) -> None:
    """Temp relation raw_in(_line, c0, c1, ...) of text cells; for big plain files a view over read_csv."""
    n = len(table.header)
    if table.fast:
        names = ", ".join(f"'c{i}'" for i in range(n))
        delim = parse.lit(table.fast["delimiter"])
        # No line numbers here (a window would make the scan single-threaded): a table made straight
        # from read_csv keeps the file's row order, so a row's line is its rowid + 2 (see _stage_sql).
        try:
            con.execute(
                f"create or replace temp table raw_in as select null::bigint as _line, null::varchar as _read_bad, * "
                f"from read_csv({parse.lit(table.fast['path'])}, header = true, all_varchar = true, "
                f"delim = {delim}, quote = '\"', escape = '\"', names = [{names}], "
                f"nullstr = [{', '.join(parse.lit(b) for b in parse.BLANKS)}])")
        except duckdb.Error:   # bad bytes or a broken row DuckDB will not read: the exact way says where
            raise _SlowPath from None
        return
    import pyarrow as pa

    rows = table.rows or []
    cols = list(zip(*rows)) if rows else [()] * n
    arrays = {"_line": pa.array(table.lines or [], pa.int64()),
              "_read_bad": pa.array([table.bad.get(k) for k in range(len(rows))], pa.string())}
    for i in range(n):
        arrays[f"c{i}"] = pa.array(cols[i] if rows else [], pa.string())
    arrow = pa.table(arrays)
    con.register("raw_arrow", arrow)
    con.execute("create or replace temp table raw_in as select * from raw_arrow")
    con.unregister("raw_arrow")


def _file_lines(path: str, delimiter: str, rows: set[int]) -> dict[int, int]:
    """The file line on which each of these data rows (0 = the first after the header) starts, read as a
    stream: for a big file whose quoted line breaks shift the lines of the rows below them."""
    import csv

    out: dict[int, int] = {}
    last = max(rows, default=-1)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        next(reader, None)
        k, start = 0, reader.line_num + 1
        for r in reader:
            if r:   # an empty line is no row, for DuckDB as here
                if k in rows:
                    out[k] = start
                k += 1
                if k > last:
                    break
            start = reader.line_num + 1
    return out


def import_bytes(data: bytes, name: str, path: str | os.PathLike | None = None, *,
                 db_file: str | os.PathLike | None = None, kind: str | None = None, fmt: str = "auto",
                 mapping: Format | None = None, strict: bool = False, dry_run: bool = False,
                 progress: Progress | None = None, limit: int | None = None,
                 date_order: str | None = None, days: tuple | None = None) -> ImportResult:
    """Import one file's bytes; raise ImportRefused (database unchanged) when it cannot be imported.

    `date_order` ('dmy'/'mdy') says day or month first for every slash and dash date of the file.
    `days` (first, last): the file is the whole of those days for its format (a synced report), so rows
    of earlier imports of the same format on those days that it has no row for are taken out (undo
    brings them back).
    """
    say = progress or (lambda f, s: None)
    limit = max_bytes(db_file) if limit is None else limit
    if len(data) > limit:
        raise ImportRefused(
            f"{name} is {len(data) / 1024 / 1024:.0f} MB, over the {limit / 1024 / 1024:.0f} MB limit for one file; "
            "split it into smaller files or raise the import_max_mb setting.",
            ru=f"{name} весит {len(data) / 1024 / 1024:.0f} МБ — больше предела {limit / 1024 / 1024:.0f} МБ "
               "на файл; разбейте его на части или увеличьте настройку import_max_mb.")
    say(0.05, "reading")
    table = read_bytes(data, name, Path(path) if path else None)
    try:
        return _import_table(data, table, db_file, kind, fmt, mapping, strict, dry_run, say, date_order, days)
    except _SlowPath:   # quoted line breaks or ragged rows in a big file: exact line numbers need Python
        return _import_table(data, read_bytes(data, name), db_file, kind, fmt, mapping, strict, dry_run, say,
                             date_order, days)


def _import_table(data: bytes, table: Table, db_file, kind, fmt, mapping, strict, dry_run,
                  say: Progress, date_order: str | None = None, days: tuple | None = None) -> ImportResult:
    chosen, plans, result = _prepare(data, table, db_file, kind, fmt, mapping, dry_run, date_order)
    try:
        with db.writer(db_file) as con:
            _run(con, table, chosen, plans, result, strict, say, days)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    say(1.0, "done")
    return result


def _prepare(data: bytes, table: Table, db_file, kind, fmt, mapping, dry_run: bool,
             date_order: str | None) -> tuple[Format, list[_Plan], ImportResult]:
    """The format, the plan of each kind it yields and the empty result of one file, before any write."""
    name = table.name
    if table.n_rows == 0:
        raise ImportRefused(f"{name} has a header but no data rows: there is nothing to import.",
                            ru=f"В {name} есть заголовок, но нет строк с данными: загружать нечего.")
    from fullfunnel.importing import saved

    chosen = choose_format(table, kind, fmt, mapping, saved.formats(db_file) if mapping is None else [])
    if date_order:
        if date_order not in dates.ORDERS:
            raise ImportRefused(f"The date order must be dmy or mdy (got {date_order!r}).",
                                ru=f"Порядок дат должен быть dmy или mdy (указано {date_order!r}).")
        chosen = Format(**{**chosen.__dict__, "date_order": date_order})
    plans = [_plan(chosen, o, table) for o in chosen.outputs]
    checksum = hashlib.sha256(data).hexdigest()
    used = set().union(*(p.used for p in plans))
    result = ImportResult(
        file_name=name, checksum=checksum, format=chosen.name, format_title=chosen.title,
        kinds=[KindResult(p.output.kind, read=table.n_rows) for p in plans], rejects=[],
        rows_read=table.n_rows, dry_run=dry_run, notes=list(table.notes),
        columns=[(p.output.kind, c, s) for p in plans for c, s in p.columns],
        ignored=[h for i, h in enumerate(table.header) if i not in used],
    )
    return chosen, plans, result


def import_files(paths: list[str | os.PathLike], *, db_file: str | os.PathLike | None = None,
                 kind: str | None = None, fmt: str = "auto", mapping: Format | None = None,
                 strict: bool = False, dry_run: bool = False, date_order: str | None = None,
                 progress: Progress | None = None) -> list[ImportResult]:
    """Several files in one write: each lands as an import of its own (undone on its own), and either
    all of them land or none does. One write costs what a write costs once — copying the database,
    refreshing the rollups and facts — instead of once per file (the daily import of every kind).
    A file that cannot be imported refuses the lot, naming the file."""
    say = progress or (lambda f, s: None)
    limit = max_bytes(db_file)
    files = []
    for path in paths:
        try:
            p, data = _file_bytes(path, limit)
            files.append([p, data, read_bytes(data, p.name, p)])
        except ImportRefused as e:
            raise _none_of(e, Path(path).name, len(paths)) from None
    share = 1.0 / len(files)
    while True:
        results: list[ImportResult] = []
        try:
            prepared = []
            for p, data, table in files:
                try:
                    prepared.append(_prepare(data, table, db_file, kind, fmt, mapping, dry_run, date_order))
                except ImportRefused as e:
                    raise _none_of(e, p.name, len(files)) from None
            with db.writer(db_file) as con:
                for n, ((p, data, table), (chosen, plans, result)) in enumerate(zip(files, prepared)):
                    try:
                        _run(con, table, chosen, plans, result, strict,
                             lambda f, step, n=n: say((n + f) * share, step))
                    except _SlowPath:
                        raise _SlowFile(n) from None
                    except ImportRefused as e:
                        raise _none_of(e, p.name, len(files)) from None
                    results.append(result)
                    if not dry_run and n < len(files) - 1:
                        # bring the rollups and facts up to date file by file: each sees the change of one
                        # import, which they redo for the days and deals it touched (several kinds at once
                        # would rebuild the deal facts whole); the writer refreshes after the last
                        db.refresh_derived(con)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except _SlowFile as slow:   # quoted line breaks in a big file: read it the exact way, write again
            p, data, _ = files[slow.index]
            files[slow.index][2] = read_bytes(data, p.name)
            continue
        say(1.0, "done")
        return results


class _SlowFile(Exception):
    def __init__(self, index: int):
        self.index = index


def _none_of(e: ImportRefused, name: str, n: int) -> ImportRefused:
    if n == 1:
        return e
    text = str(e) if str(e).startswith(name) else f"{name}: {e}"
    ru = (e.ru if e.ru.startswith(name) else f"{name}: {e.ru}") if e.ru else None
    return ImportRefused(f"{text} None of the {n} files was imported.",
                         ru=f"{ru} Ни один из {n} файлов не загружен." if ru else None)


def _file_bytes(path: str | os.PathLike, limit: int) -> tuple[Path, bytes]:
    """A file's bytes, or a sentence for a path that is no file or a file over the size limit."""
    p = Path(path)
    if not p.exists():
        raise ImportRefused(f"There is no file {p}.", ru=f"Файла {p} нет.")
    if p.is_dir():
        raise ImportRefused(f"{p} is a folder, not a file.", ru=f"{p} — папка, а не файл.")
    if not p.is_file():   # a device or a pipe (/dev/zero) would be read forever
        raise ImportRefused(f"{p} is not a regular file.", ru=f"{p} — не обычный файл.")
    size = p.stat().st_size
    if size > limit:
        raise ImportRefused(
            f"{p.name} is {size / 1024 / 1024:.0f} MB, over the {limit / 1024 / 1024:.0f} MB limit for one file; "
            "split it into smaller files or raise the import_max_mb setting.",
            ru=f"{p.name} весит {size / 1024 / 1024:.0f} МБ — больше предела {limit / 1024 / 1024:.0f} МБ "
               "на файл; разбейте его на части или увеличьте настройку import_max_mb.")
    return p, p.read_bytes()


def import_file(path: str | os.PathLike, **kw) -> ImportResult:
    limit = kw.pop("limit", None)
    limit = max_bytes(kw.get("db_file")) if limit is None else limit
    p, data = _file_bytes(path, limit)
    return import_bytes(data, p.name, p, limit=limit, **kw)


def _run(con, table: Table, chosen: Format, plans: list[_Plan], result: ImportResult, strict: bool,
         say: Progress, days: tuple | None = None) -> None:
    parse.install_macros(con)
    conf = _settings(con)
    tz = periods.business_tz(conf.get("business_tz"))
    if not conf.get("business_tz"):
        # Pin the zone the first import was read in, so the database means the same on any machine.
        con.execute("insert or replace into settings values ('business_tz', ?)", [tz])
    salt = conf.get("client_salt")
    if not salt:
        salt = secrets.token_hex(16)
        con.execute("insert or replace into settings values ('client_salt', ?)", [salt])
    # Every standing import of this very file: whatever this import does not replace by key is taken
    # out below, so a re-import under another mapping (other dates, another kind) never counts twice.
    earlier = [r[0] for r in con.execute(
        "select import_id from import_log where checksum = ? and undone_at is null order by 1",
        [result.checksum]).fetchall()]
    result.previous_import = earlier[-1] if earlier else None
    say(0.15, "reading")
    _load_raw(con, table)
    if table.fast:
        # Fewer rows than lines: values with quoted line breaks (or blank lines, which DuckDB skips as
        # the exact reader does). Keep the fast read; only rejected rows' lines are worked out again.
        got = con.execute("select count(*) from raw_in").fetchall()[0][0]
        if got > table.fast["rows"]:
            raise _SlowPath
        if got < table.fast["rows"]:
            table.fast.update(rows=got, remap=True)
            result.rows_read = got
            for kr in result.kinds:
                kr.read = got
    plans = [_plan(chosen, p.output, table, o) for p, o in zip(plans, _decide_orders(con, chosen, plans, table))]
    import_id = con.execute("select nextval('import_id_seq')").fetchall()[0][0]
    result.import_id = import_id
    all_rejects: list[Reject] = []
    step = 0.6 / max(1, len(plans))
    for n, (plan, kr) in enumerate(zip(plans, result.kinds)):
        kind = plan.output.kind
        t = TEMPLATES[kind]
        say(0.2 + step * n, f"checking {kind}")
        sql, names = _stage_sql(plan)
        try:
            stage = f"create or replace temp table st_{kind} as {sql}"
            con.execute(stage, db.bind(stage, {"tz": tz, "salt": salt}))
        except duckdb.Error as e:   # a value DuckDB refused outright: still the user's file, still one sentence
            if table.fast:
                raise _SlowPath from None
            raise ImportRefused(f"{table.name} could not be read as {kind}: {str(e).splitlines()[0]}",
                                ru=f"{table.name} не удалось прочитать как {kind}: {str(e).splitlines()[0]}") from None
        if table.fast and con.execute("select count(*) from raw_in").fetchall()[0][0] != table.fast["rows"]:
            raise _SlowPath
        if plan.output.only_if:   # the rows that are not of this kind do not count as read for it
            kr.read = con.execute(f"select count(*) from st_{kind}").fetchall()[0][0]
        keys = ", ".join(f'"{k}"' for k in t.key)
        distinct_of = keys if len(t.key) == 1 else f"({keys})"
        kr.rejected, distinct = con.execute(
            f"select count(*) filter (where _bad), count(distinct {distinct_of}) filter (where not _bad) "
            f"from st_{kind}").fetchall()[0]
        if kr.rejected:
            shown = con.execute(
                f"select coalesce(_line, rowid + 2) as line, _reasons from st_{kind} where _bad "
                f"order by line limit {SHOW_REJECTS}"
            ).fetchall()
            if table.fast and table.fast.get("remap"):
                real = _file_lines(table.fast["path"], table.fast["delimiter"], {ln - 2 for ln, _ in shown})
                shown = [(real.get(ln - 2, ln), rs) for ln, rs in shown]
            for line, rs in shown:
                for r in rs:
                    column, code, value = (r.split("\t") + ["", ""])[:3]
                    all_rejects.append(Reject(int(line), column, code, value, kind))
        if strict and kr.rejected:
            first = all_rejects[0] if all_rejects else None
            raise ImportRefused(
                f"{table.name}: {kr.rejected} row(s) cannot be imported and --strict is on, so nothing was "
                f"imported; first problem: {first.text() if first else '?'}.",
                ru=f"{table.name}: строк, которые нельзя загрузить: {kr.rejected}, а включён строгий режим, "
                   f"поэтому ничего не загружено; первая проблема: {first.text('ru') if first else '?'}.")
        kr.duplicates = kr.read - kr.rejected - distinct
        kr.summed = bool(kr.duplicates and t.sums)
        ok = (f"(select * exclude (_bad, _reasons, _line), coalesce(_line, rowid + 2) as _line "
              f"from st_{kind} where not _bad)")
        if plan.output.collapse is not None:
            # several rows make one (hits or products of one session): first value unless told otherwise
            how = plan.output.collapse
            aggs = ", ".join(
                (f'count("{c.name}")' if how.get(c.name) == "count"
                 else f'{how[c.name]}("{c.name}")' if c.name in how
                 else f'arg_min("{c.name}", _line)') + f' as "{c.name}"'
                for c in t.columns if c.name not in t.key)
            extra = ", arg_min(channel_given, _line) as channel_given" if t.rules_channel else ""
            ok = f"(select min(_line) as _line, {keys}, {aggs}{extra} from {ok} group by {keys})"
            kr.collapsed, kr.duplicates = kr.duplicates, 0
        elif kr.duplicates and t.sums:
            # a report broken down finer than the key (ads, ad groups): the key's rows add up
            aggs = ", ".join(
                f'sum("{c.name}") as "{c.name}"' if c.type in ("money", "int", "duration", "num")
                else f'any_value("{c.name}") as "{c.name}"'
                for c in t.columns if c.name not in t.key)
            ok = f"(select max(_line) as _line, {keys}, {aggs} from {ok} group by {keys})"
        elif kr.duplicates:   # the same key twice in one file: the later row wins
            ok = f"(select * from {ok} qualify row_number() over (partition by {keys} order by _line desc) = 1)"
        con.execute(f"create or replace temp view ok_{kind} as select * from {ok}")
        say(0.2 + step * (n + 0.6), f"writing {kind}")
        on = " and ".join(f'tgt."{k}" = ok."{k}"' for k in t.key)
        kr.replaced = con.execute(
            f"select count(*) from {t.table} tgt semi join ok_{kind} ok on {on}").fetchall()[0][0]
        if kr.replaced:
            con.execute(f"insert into archive_{t.table} by name select tgt.*, {import_id} as replaced_by "
                        f"from {t.table} tgt semi join ok_{kind} ok on {on}")
            con.execute(f"delete from {t.table} tgt using ok_{kind} ok where {on}")
        cols = ", ".join(f'ok."{c}"' for c in names if not (t.rules_channel and c == "channel"))
        if t.rules_channel:
            con.execute(channels.MATCHED.format(table=f"ok_{kind}"))
            con.execute(f"insert into {t.table} by name select {cols}, ok.channel_given, "
                        f"coalesce(ok.channel_given, m.channel, 'unknown') as channel, {import_id} as import_id "
                        f"from ok_{kind} as ok {channels.join('ok')}")
        else:
            con.execute(f"insert into {t.table} by name select {cols}, {import_id} as import_id from ok_{kind} as ok")
        kr.added = distinct - kr.replaced
    if days is not None:
        _drop_missing(con, import_id, result, [p.output.kind for p in plans], days, chosen.timezone or tz)
    if earlier:
        for t in TEMPLATES.values():
            left = con.execute(f"select count(*) from {t.table} where list_contains(?, import_id)",
                               [earlier]).fetchall()[0][0]
            if left:
                con.execute(f"insert into archive_{t.table} by name select tgt.*, {import_id} as replaced_by "
                            f"from {t.table} tgt where list_contains(?, import_id)", [earlier])
                con.execute(f"delete from {t.table} where list_contains(?, import_id)", [earlier])
                result.removed[t.kind] = left
    result.rejects = sorted(all_rejects, key=lambda r: r.line)[:SHOW_REJECTS]
    result.warnings = _warnings(con, import_id, [p.output.kind for p in plans], conf.get("currency"))
    result.span = _span(con, import_id, [p.output.kind for p in plans], tz)
    detail = {
        "kinds": [asdict(k) for k in result.kinds],
        "rejects": [asdict(r) for r in result.rejects],
        "notes": [note_text(n) for n in result.notes],
        "format_title": result.format_title,
        "removed": result.removed,
        "dropped": result.dropped,
        "warnings": [warning_text(w) for w in result.warnings],
        "supersedes": earlier,
    }
    con.execute(
        "insert into import_log (import_id, imported_at, file_name, checksum, format, kind, rows_read, "
        "rows_added, rows_replaced, rows_rejected, detail, imported_by) values (?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [import_id, result.file_name, result.checksum, result.format, ", ".join(k.kind for k in result.kinds),
         result.rows_read, result.added, result.replaced, result.rejected, json.dumps(detail, ensure_ascii=False),
         auth.actor()],
    )
    prune_history(con)
    say(0.9, "saving")


def _drop_missing(con, import_id: int, result: ImportResult, kinds: list[str], days: tuple, zone: str) -> None:
    """Rows of standing earlier imports of this format on `days` that this import did not replace: out."""
    same = [r[0] for r in con.execute("select import_id from import_log where format = ? and undone_at is null",
                                      [result.format]).fetchall()]
    if not same:
        return
    for k in kinds:
        if k not in DAY_OF:
            continue
        t, col = TEMPLATES[k], DAY_OF[k]
        day = (f'cast(timezone({parse.lit(zone)}, "{col}") as date)' if t.col(col).type == "ts"
               else f'cast("{col}" as date)')
        where = f"list_contains(?, import_id) and {day} between ? and ?"
        args = [same, days[0], days[1]]
        n = con.execute(f"select count(*) from {t.table} where {where}", args).fetchall()[0][0]
        if n:
            con.execute(f"insert into archive_{t.table} by name select tgt.*, {int(import_id)} as replaced_by "
                        f"from {t.table} tgt where {where}", args)
            con.execute(f"delete from {t.table} where {where}", args)
            result.dropped[k] = n


DAY_OF = {"leads": "created_at", "deals": "created_at", "deal_stages": "entered_at", "spend": "date",
          "sessions": "started_at", "traffic": "date", "activities": "at", "orders": "ordered_at",
          "reviews": "date", "plans": "month"}


def _span(con, import_id: int, kinds: list[str], tz: str) -> tuple | None:
    """The first and last business day of the rows an import wrote."""
    parts = []
    for k in kinds:
        if k not in DAY_OF:   # stages have no day
            continue
        col = DAY_OF[k]
        day = (f'cast(timezone({parse.lit(tz)}, "{col}") as date)'
               if TEMPLATES[k].col(col).type == "ts" else f'cast("{col}" as date)')
        parts.append(f"select min({day}) as a, max({day}) as b from {TEMPLATES[k].table} where import_id = {int(import_id)}")
    if not parts:
        return None
    a, b = con.execute(f"select min(a), max(b) from ({' union all '.join(parts)})").fetchall()[0]
    return (a, b) if a is not None else None


def _warnings(con, import_id: int, kinds: list[str], currency: str | None) -> list[tuple[str, dict]]:
    """What the rows just written will do on the pages that the user would not expect."""
    out = []
    if "leads" in kinds:
        n, unknown, qualified = con.execute(
            "select count(*), count(*) filter (where channel = 'unknown'), "
            "count(*) filter (where qualification is not null) from leads where import_id = ?",
            [import_id]).fetchall()[0]
        if n and unknown == n:
            ex = con.execute(
                "select coalesce(source, '—') || ' / ' || coalesce(medium, '—'), count(*) from leads "
                "where import_id = ? group by 1 order by 2 desc, 1 limit 1", [import_id]).fetchall()
            out.append(("unknown_channel", {"n": n, "example": ex[0][0] if ex else "—"}))
        if n and not qualified:
            out.append(("no_qualification", {"n": n}))
    report = currency
    if not report:   # as the pages choose it: the one most money was recorded in (filters.default_currency)
        rows = con.execute(db.query_text("meta/currencies")).fetchall()
        report = rows[0][0] if rows else "RUB"
    for kind in ("deals", "orders", "spend"):
        if kind in kinds:
            for cur, n in con.execute(
                    f"select currency, count(*) from {kind} where import_id = ? and currency is not null "
                    f"and currency <> ? group by 1 order by 2 desc", [import_id, report]).fetchall():
                out.append(("currency", {"n": n, "kind": kind, "currency": cur, "report": report}))
    return out


# ---------------------------------------------------------------- undo


def oldest_undoable(con) -> int:
    """The oldest import that can still be undone, by the undo_keep setting (last N imports or N days)."""
    from fullfunnel import settings

    value = (con.execute("select value from settings where key = 'undo_keep'").fetchall()[:1] or [(None,)])[0][0]
    try:
        unit, n = settings.undo_window(value)
    except settings.BadSetting:
        unit, n = settings.undo_window(None)
    if unit == "imports":
        sql = "select min(import_id) from (select import_id from import_log order by import_id desc limit ?)"
    else:
        sql = "select min(import_id) from import_log where imported_at >= now() - to_days(?::integer)"
    oldest = con.execute(sql, [n]).fetchall()[0][0]
    if oldest is None:
        oldest = (con.execute("select max(import_id) from import_log").fetchall()[0][0] or 0) + 1
    return int(oldest)


def prune_history(con) -> int:
    """Delete the archived rows only imports older than the undo history replaced; the file stops growing
    with every re-import. Returns how many rows went."""
    oldest = oldest_undoable(con)
    gone = 0
    for t in TEMPLATES.values():
        gone += con.execute(f"delete from archive_{t.table} where replaced_by < ?", [oldest]).fetchall()[0][0]
    return gone


def undo(import_id: int, db_file: str | os.PathLike | None = None) -> dict[str, tuple[int, int]]:
    """Take an import back: its rows go, the rows it replaced come back. Returns {table: (removed, restored)}."""
    out: dict[str, tuple[int, int]] = {}
    with db.writer(db_file) as con:
        row = (con.execute("select undone_at is not null from import_log where import_id = ?", [import_id]).fetchall()[:1] or [None])[0]
        if row is None:
            raise ImportRefused(f"There is no import #{import_id}; `python -m fullfunnel imports` lists them.",
                                ru=f"Импорта №{import_id} нет; список импортов — `python -m fullfunnel imports`.")
        if row[0]:
            raise ImportRefused(f"Import #{import_id} has already been undone.",
                                ru=f"Импорт №{import_id} уже отменён.")
        if import_id < oldest_undoable(con):
            raise ImportRefused(
                f"Import #{import_id} is older than the undo history keeps (the undo_keep setting), so the rows "
                "it replaced are gone and it cannot be undone; re-import the older files instead.",
                ru=f"Импорт №{import_id} старше, чем хранится история отмены (настройка undo_keep): заменённые им "
                   "строки уже удалены, и отменить его нельзя; загрузите прежние файлы заново.")
        con.execute("update import_log set undone_at = now(), undone_by = ? where import_id = ?",
                    [auth.actor(), import_id])
        for t in TEMPLATES.values():
            keys = ", ".join(f'"{k}"' for k in t.key)
            removed = con.execute(f"select count(*) from {t.table} where import_id = ?", [import_id]).fetchall()[0][0]
            replaced = con.execute(f"select count(*) from archive_{t.table} where replaced_by = ?",
                                   [import_id]).fetchall()[0][0]
            if not removed and not replaced:
                continue
            # what the write takes out and puts back, for the rollups and facts to redo only the days
            # and visitors it touched (fullfunnel/facts.py `undone`): a removed row counts -1, a restored one +1
            undone = facts.UNDONE.format(table=t.table)
            con.execute(f"create temp table if not exists {undone} as select *, 0 as sign from {t.table} limit 0")
            con.execute(f"insert into {undone} select *, -1 from {t.table} where import_id = ?", [import_id])
            # the keys this import held, and the keys of rows it took out without replacing them
            # (an earlier import of the same file, see _run) that nothing holds now
            con.execute(f"create or replace temp table freed as select distinct {keys} from {t.table} "
                        f"where import_id = ? union select distinct {keys} from archive_{t.table} "
                        f"where replaced_by = ?", [import_id, import_id])
            con.execute(f"delete from {t.table} where import_id = ?", [import_id])
            held = " and ".join(f'h."{k}" = freed."{k}"' for k in t.key)
            con.execute(f"delete from freed where exists (select 1 from {t.table} h where {held})")
            con.execute(f"delete from archive_{t.table} where import_id = ?", [import_id])
            on = " and ".join(f'a."{k}" = f."{k}"' for k in t.key)
            # for each freed key, the newest archived version from an import that still stands
            con.execute(
                f"create or replace temp table back as select a.* from archive_{t.table} a semi join freed f on {on} "
                f"where a.import_id is null or a.import_id not in "
                f"(select import_id from import_log where undone_at is not null) "
                f"qualify row_number() over (partition by {', '.join('a.' + chr(34) + k + chr(34) for k in t.key)} "
                f"order by coalesce(a.import_id, 0) desc, a.replaced_by desc) = 1")
            restored = con.execute("select count(*) from back").fetchall()[0][0]
            con.execute(f"insert into {t.table} by name select * exclude (replaced_by) from back")
            con.execute(f"insert into {undone} by name select * exclude (replaced_by), 1 as sign from back")
            on2 = " and ".join(f'a."{k}" = b."{k}"' for k in t.key)
            con.execute(f"delete from archive_{t.table} a using back b where {on2} "
                        f"and a.import_id is not distinct from b.import_id")
            out[t.table] = (removed, restored)
    return out
