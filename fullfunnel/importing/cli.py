"""`import`, `template`, `imports` and `rules` commands."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fullfunnel import db, periods
from fullfunnel.cli import add_db_option
from fullfunnel.importing import channels, load, presets, read
from fullfunnel.importing.errors import ImportRefused
from fullfunnel.importing.templates import KINDS


def register(sub) -> None:
    p = sub.add_parser("import", help="import CRM, ad cabinet and web analytics exports",
                       description="Import files as downloaded (CSV, TSV, XLSX); each file lands whole or "
                                   "not at all. The format is recognised from the file unless given.")
    p.add_argument("files", nargs="+", metavar="FILE")
    add_db_option(p)
    p.add_argument("--kind", choices=KINDS, help="the kind of data in the file (when it is ambiguous)")
    p.add_argument("--format", default="auto", metavar="auto|native|NAME",
                   help=f"auto (default), native, or one of: {', '.join(presets.PRESETS)}")
    p.add_argument("--mapping", metavar="MAP", help="a mapping file (JSON) describing a file of another format")
    p.add_argument("--date-order", choices=("dmy", "mdy"),
                   help="day (dmy) or month (mdy) first in dates such as 03/04/2026 or 03-04-2026")
    p.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    p.add_argument("--strict", action="store_true", help="refuse the whole file if any row is rejected")
    p.add_argument("--together", action="store_true",
                   help="import the files in one write: all of them land (each its own import) or none does; "
                        "faster for several files into a big database")
    p.set_defaults(func=cmd_import)

    tp = sub.add_parser("template", help="write the native CSV template of a kind of data (header + example row)",
                        description="Print a native template to fill in, or write every kind's into a folder.")
    tp.add_argument("kind", choices=(*KINDS, "all"), metavar="KIND|all", help=f"one of: {', '.join(KINDS)}, or all")
    tp.add_argument("-o", "--out", metavar="PATH",
                    help="file to write (a folder for `all`; default: print one kind, ./templates for all)")
    tp.set_defaults(func=cmd_template)

    h = sub.add_parser("imports", help="list imports; `imports undo ID` takes one back")
    add_db_option(h)
    hs = h.add_subparsers(dest="action", metavar="ACTION")
    u = hs.add_parser("undo", help="undo an import: remove its rows and restore the rows it replaced")
    u.add_argument("import_id", type=int, metavar="ID")
    _sub_db_option(u)
    h.set_defaults(func=cmd_imports)

    r = sub.add_parser("rules", help="list channel rules; `rules import FILE.csv` replaces them")
    add_db_option(r)
    rs = r.add_subparsers(dest="action", metavar="ACTION")
    ri = rs.add_parser("import", help="replace the channel rules with a CSV (source, medium, campaign, channel)")
    ri.add_argument("file")
    _sub_db_option(ri)
    re_ = rs.add_parser("export", help="print the rules as CSV")
    _sub_db_option(re_)
    r.set_defaults(func=cmd_rules)


def _sub_db_option(p) -> None:
    # --db is accepted before or after the action; SUPPRESS keeps the action from resetting it to None
    p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                   help="database file (default: $FULLFUNNEL_DB or data/fullfunnel.duckdb)")


class _Bar:
    """A one-line progress bar on stderr for big files (only on a terminal)."""

    def __init__(self, name: str, size: int):
        self.on = sys.stderr.isatty() and size > 5 * 1024 * 1024
        self.name = name

    def __call__(self, frac: float, stage: str) -> None:
        if not self.on:
            return
        n = int(frac * 30)
        sys.stderr.write(f"\r{self.name}: [{'#' * n}{' ' * (30 - n)}] {frac:4.0%} {stage:<16}")
        if frac >= 1:
            sys.stderr.write("\n")
        sys.stderr.flush()


def again_text(res: load.ImportResult, lang: str = "en") -> str:
    """What a re-import of the same file does to the earlier import's rows, truly."""
    gone = sum(res.removed.values())
    verb = {"en": ("are", "were"), "ru": ("будут", "были")}[lang][0 if res.dry_run else 1]
    if lang == "ru":
        text = (f"этот файл уже загружался (импорт №{res.previous_import}): его строки с теми же ключами "
                f"{'заменяются' if res.dry_run else 'заменены'}")
        if gone:
            text += (f", а ещё {gone} строк того импорта, которым нет замены "
                     f"({', '.join(f'{k}: {n}' for k, n in res.removed.items())}), {verb} убраны")
        return text + "; ничего не посчитано дважды"
    text = f"this exact file was imported before (import #{res.previous_import}): its rows with the same keys " \
           f"{verb} replaced"
    if gone:
        text += (f", and the {gone} row(s) of that import this one has no row for "
                 f"({', '.join(f'{k}: {n}' for k, n in res.removed.items())}) {verb} taken out")
    return text + "; nothing is counted twice"


def summary(res: load.ImportResult) -> str:
    lines = []
    what = "would import" if res.dry_run else "imported"
    head = f"{res.file_name}: {res.format_title}"
    if res.import_id and not res.dry_run:
        head += f" — import #{res.import_id}"
    lines.append(head)
    for note in res.notes:
        lines.append(f"  note: {read.note_text(note)}")
    if res.ignored:
        shown = ", ".join(res.ignored[:10]) + (" …" if len(res.ignored) > 10 else "")
        lines.append(f"  ignored columns: {shown}")
    if res.previous_import:
        lines.append("  " + again_text(res))
    lines.append(f"  rows read: {res.rows_read}")
    for k in res.kinds:
        line = f"  {k.kind}: {k.added} added, {k.replaced} replaced, {k.rejected} rejected"
        if k.duplicates and k.summed:
            line += f" ({k.duplicates} more row(s) had the same date, channel and campaign and were added up)"
        elif k.duplicates:
            line += f", {k.duplicates} repeated in the file (the last one kept)"
        if k.collapsed:
            line += f" ({k.collapsed} more row(s) with the same key were collapsed into them)"
        lines.append(line)
    if res.span:
        lines.append(f"  {'would cover' if res.dry_run else 'covers'} {res.span[0]} – {res.span[1]}")
    for w in res.warning_texts():
        lines.append(f"  warning: {w}")
    if res.rejected:
        lines.append(f"  rejected rows (first {len(res.rejects)}):" if res.rejected > len(res.rejects)
                     else "  rejected rows:")
        for r in res.rejects:
            lines.append(f"    {r.kind}: {r.text()}")
    if res.dry_run:
        lines.append(f"  dry run: nothing was changed ({what} the above)")
    return "\n".join(lines)


def cmd_import(args) -> int:
    mapping = None
    if args.mapping:
        from fullfunnel.importing import mapping as mp

        mapping = mp.load_mapping(args.mapping)
    if args.together:
        try:
            results = load.import_files(args.files, db_file=args.db, kind=args.kind, fmt=args.format,
                                        mapping=mapping, strict=args.strict, dry_run=args.dry_run,
                                        date_order=args.date_order)
        except ImportRefused as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        for res in results:
            print(summary(res))
        return 0
    failed = 0
    for f in args.files:
        path = Path(f)
        try:
            size = path.stat().st_size if path.exists() else 0
            res = load.import_file(path, db_file=args.db, kind=args.kind, fmt=args.format, mapping=mapping,
                                   strict=args.strict, dry_run=args.dry_run, progress=_Bar(path.name, size),
                                   date_order=args.date_order)
        except ImportRefused as e:
            print(f"error: {e}", file=sys.stderr)
            failed += 1
            continue
        print(summary(res))
    if failed:
        if len(args.files) > 1:
            print(f"{failed} of {len(args.files)} file(s) were not imported; the others were.", file=sys.stderr)
        return 1
    return 0


def cmd_template(args) -> int:
    from fullfunnel.importing.templates import template_csv

    if args.kind == "all":
        folder = Path(args.out or "templates")
        folder.mkdir(parents=True, exist_ok=True)
        for k in KINDS:
            (folder / f"{k}.csv").write_text(template_csv(k), encoding="utf-8")
        print(f"{len(KINDS)} templates written to {folder}/ ({', '.join(k + '.csv' for k in KINDS)})")
        return 0
    if args.out:
        Path(args.out).write_text(template_csv(args.kind), encoding="utf-8")
        print(f"{args.kind} template written to {args.out}")
    else:
        sys.stdout.write(template_csv(args.kind))
    return 0


def cmd_imports(args) -> int:
    if args.action == "undo":
        done = load.undo(args.import_id, args.db)
        parts = [f"{t}: {a} removed, {b} restored" for t, (a, b) in done.items()]
        print(f"import #{args.import_id} undone" + (" — " + "; ".join(parts) if parts else " (it had no rows)"))
        return 0
    db.ensure_schema(args.db)
    r = db.Reader(args.db)
    tz = periods.business_tz(dict(r.query("meta/settings").values.tolist()).get("business_tz"))
    df = r.query("imports/history", {"tz": tz})
    if df.empty:
        print("no imports yet")
        return 0
    print(f"{'#':>4}  {'when':16}  {'file':30}  {'format':16}  {'kind':14}  {'added':>7}  {'replaced':>8}  "
          f"{'rejected':>8}  checksum      by")
    for x in df.itertuples(index=False):
        when = x.imported_at.strftime("%Y-%m-%d %H:%M")
        undone = x.undone_at is not None and str(x.undone_at) != "NaT"
        flag = ("  (undone)" + (f" by {x.undone_by}" if x.undone_by else "")) if undone else ""
        print(f"{x.import_id:>4}  {when:16}  {str(x.file_name)[:30]:30}  {str(x.format)[:16]:16}  "
              f"{str(x.kind)[:14]:14}  {x.rows_added_n:>7}  {x.rows_replaced_n:>8}  {x.rows_rejected_n:>8}  "
              f"{(x.checksum if isinstance(x.checksum, str) else '')[:12]:12}  {x.imported_by or ''}{flag}")
    return 0


def cmd_rules(args) -> int:
    if args.action == "import":
        path = Path(args.file)
        if not path.exists():
            raise ImportRefused(f"There is no file {path}.")
        rules = channels.parse_rules(path.read_bytes(), path.name)
        changed = channels.save_rules(rules, args.db)
        print(f"{len(rules)} channel rules saved; channels re-resolved: "
              f"{changed['leads']} lead(s), {changed['sessions']} session(s) changed")
        return 0
    db.ensure_schema(args.db)
    rules = db.Reader(args.db).query("imports/channel_rules")
    if args.action == "export":
        sys.stdout.write(channels.rules_csv(rules))
        return 0
    print(f"{'#':>4}  {'source':18}  {'medium':16}  {'campaign':14}  channel")
    for r in rules.itertuples(index=False):
        print(f"{r.position:>4}  {r.source_pattern:18}  {r.medium_pattern:16}  {r.campaign_pattern:14}  {r.channel}")
    return 0

