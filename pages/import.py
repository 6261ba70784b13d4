"""Import: upload exports, preview how they were recognised, confirm, watch progress; history and undo."""
import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, periods, ui
from fullfunnel.i18n import pick_lang, t
from fullfunnel.importing import load, presets, read, saved
from fullfunnel.importing import mapping as mp
from fullfunnel.importing.cli import again_text
from fullfunnel.importing.errors import message
from fullfunnel.importing.templates import KINDS, TEMPLATES

def _lang() -> str:
    known = st.session_state.get("_ff_state")
    if known is not None:   # drawn by app.py in this session already
        return known.lang
    try:
        return ui.state().lang
    except FullfunnelError:   # no database yet: importing is how one gets made
        return st.session_state.get("lang") or pick_lang(st.context.locale)


lang = _lang()
path = db.db_path()
if st.session_state.pop("_imp_go_funnel", False):
    st.switch_page(str(Path(__file__).parent / "funnel.py"))
st.title(t("imp.title", lang))
st.caption(t("imp.intro", lang))
if "_imp_flash" in st.session_state:
    st.success(st.session_state.pop("_imp_flash"))

with st.expander(t("imp.templates", lang)):
    from fullfunnel.importing.templates import template_csv

    st.caption(t("imp.templates_help", lang))
    tcols = st.columns(4)
    for i, k in enumerate(KINDS):
        tcols[i % 4].download_button(t(f"kind.{k}", lang), template_csv(k).encode("utf-8"), file_name=f"{k}.csv",
                                     mime="text/csv", key=f"imp_tpl_{k}", icon=":material/download:")

files = st.file_uploader(t("imp.files", lang), type=["csv", "tsv", "txt", "xlsx", "xls"],
                         accept_multiple_files=True, key="imp_files")
with st.expander(t("imp.options", lang)):
    c1, c2 = st.columns(2)
    kind = c1.selectbox(t("imp.kind", lang), ["auto", *KINDS], key="imp_kind",
                        format_func=lambda k: t("imp.kind_auto", lang) if k == "auto" else t(f"kind.{k}", lang))
    formats = ["auto", "native", *presets.PRESETS]
    fmt_name = c2.selectbox(
        t("imp.format", lang), formats, key="imp_format",
        format_func=lambda f: {"auto": t("imp.format_auto", lang), "native": t("imp.format_native", lang)}.get(
            f, presets.PRESETS[f].title if f in presets.PRESETS else f))
    date_order = st.selectbox(t("imp.date_order", lang), ["auto", "dmy", "mdy"], key="imp_date_order",
                              format_func=lambda o: t(f"imp.date_order.{o}", lang))
    strict = st.checkbox(t("imp.strict", lang), key="imp_strict", help=t("imp.strict_help", lang))
    mapping_file = st.file_uploader(t("imp.mapping", lang), type=["json"], key="imp_mapping")

mapping = None
if mapping_file is not None:
    from fullfunnel.importing import mapping as mp

    try:
        mapping = mp.loads(mapping_file.getvalue().decode("utf-8-sig"), mapping_file.name)
    except (FullfunnelError, UnicodeDecodeError) as e:
        st.error(ui.md(message(e, lang)))
        st.stop()


def _run_import(data: bytes, name: str, dry_run: bool, progress=None) -> load.ImportResult:
    """One file through the importer; big uploads go through a temporary file so DuckDB reads them."""
    opts = dict(db_file=path, kind=None if kind == "auto" else kind, fmt=fmt_name, mapping=mapping,
                strict=strict, dry_run=dry_run, progress=progress,
                date_order=None if date_order == "auto" else date_order)
    if len(data) >= read.FAST_MIN_BYTES:
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "upload.csv"   # never the uploaded name: it could point outside tmp
            p.write_bytes(data)
            return load.import_bytes(data, name, p, **opts)
    return load.import_bytes(data, name, **opts)


def _preview(f) -> tuple[load.ImportResult | None, str | None]:
    data = f.getvalue()
    key = ("imp_preview", hashlib.sha256(data).hexdigest(), f.name, kind, fmt_name, strict, date_order,
           saved.stamp(path),
           mapping.name if mapping else "", db.Reader(path).stamp() if path.exists() else None)
    cache = st.session_state.setdefault("_imp_previews", {})
    if key not in cache:
        try:
            with st.spinner(t("imp.checking", lang, name=ui.md(f.name))):
                cache[key] = (_run_import(data, f.name, dry_run=True), None)
        except FullfunnelError as e:
            cache[key] = (None, message(e, lang))
    return cache[key]


def _rejects_frame(res: load.ImportResult) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(t(f"kind.{r.kind}", lang), r.line, r.column, r.text(lang).split(": ", 1)[1]) for r in res.rejects],
        columns=[t("imp.col_kind", lang), t("imp.line", lang), t("imp.column", lang), t("imp.reason", lang)])
    return frame if len(res.kinds) > 1 else frame.drop(columns=[t("imp.col_kind", lang)])


def _show(res: load.ImportResult) -> None:
    """How a file was recognised and what importing it would do."""
    st.markdown(t("imp.recognised", lang, title=ui.md(res.format_title)))
    for k in res.kinds:
        cols = st.columns(4)
        cols[0].metric(f"{t('imp.rows_read', lang)} · {t(f'kind.{k.kind}', lang)}", fmt.number(k.read, lang))
        cols[1].metric(t("imp.to_add", lang), fmt.number(k.added, lang))
        cols[2].metric(t("imp.to_replace", lang), fmt.number(k.replaced, lang))
        cols[3].metric(t("imp.rejected", lang), fmt.number(k.rejected, lang))
    for w in res.warning_texts(lang):
        st.warning(ui.md(w[:1].upper() + w[1:] + "."))
    if res.previous_import:
        again = again_text(res, lang)
        st.info(ui.md(again[:1].upper() + again[1:] + "."))
    for note in res.notes:
        st.caption(t("imp.note", lang, note=read.note_text(note, lang)))
    if res.ignored:
        st.caption(t("imp.ignored", lang, cols=ui.md(", ".join(res.ignored))))
    with st.expander(t("imp.columns", lang)):
        st.dataframe(pd.DataFrame([(t(f"kind.{k}", lang), *rest) for k, *rest in res.columns],
                                  columns=[t("imp.col_kind", lang), t("imp.col_template", lang),
                                           t("imp.col_source", lang)]),
                     hide_index=True, width="stretch")
    if res.rejects:
        st.markdown(f"**{t('imp.rejects', lang)}**")
        st.dataframe(_rejects_frame(res), hide_index=True, width="stretch")


def _mapper(f) -> None:
    """Map an unrecognised file's columns by hand: pick a column (or a fixed value) per template field,
    preview, save as a mapping file that recognises the next file with this header."""
    data = f.getvalue()
    try:
        table = read.read_bytes(data, f.name)
    except FullfunnelError:
        return   # not even a table: the error above says why
    key = "imp_map_" + hashlib.sha256(data).hexdigest()[:10]
    header = table.header
    samples = {h: ", ".join(list(dict.fromkeys(table.column_sample(i, 50)))[:3]) for i, h in enumerate(header)}
    st.markdown(f"**{t('imp.map.title', lang)}**")
    st.caption(t("imp.map.help", lang))
    st.dataframe(pd.DataFrame(table.sample[:5], columns=header), hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    overlap = {k: sum(1 for c in tt.names if c in {read.norm(h) for h in header}) for k, tt in TEMPLATES.items()}
    kinds = list(KINDS)
    the_kind = c1.selectbox(t("imp.map.kind", lang), kinds, key=f"{key}_kind",
                            index=kinds.index(max(kinds, key=lambda k: overlap[k])) if any(overlap.values()) else 0,
                            format_func=lambda k: t(f"kind.{k}", lang))
    title = c2.text_input(t("imp.map.name", lang), value=Path(f.name).stem, key=f"{key}_title")
    fields: dict = {}
    tpl = TEMPLATES[the_kind]
    none, fixed = "", "="
    grid = st.columns(3)
    for n, col in enumerate(tpl.columns):
        guess = next((h for h in header if read.norm(h) == col.name), none)
        options = [none, fixed, *header]
        label = col.name + (" *" if col.required and col.default is None else "")
        with grid[n % 3]:
            choice = st.selectbox(
                label, options, index=options.index(guess), key=f"{key}_{the_kind}_{col.name}",
                format_func=lambda o: (t("imp.map.none", lang) if o == none else t("imp.map.fixed", lang)
                                       if o == fixed else f"{o} — {samples.get(o, '')}"[:80]))
            if choice == fixed:
                value = st.text_input(t("imp.map.value", lang, col=col.name), key=f"{key}_{the_kind}_{col.name}_v")
                if value:
                    fields[col.name] = ("value", value)
            elif choice != none:
                fields[col.name] = ("column", choice)
    c1, c2 = st.columns(2)
    order = c1.selectbox(t("imp.date_order", lang), ["auto", "dmy", "mdy"], key=f"{key}_order",
                         format_func=lambda o: t(f"imp.date_order.{o}", lang))
    unit = "units"
    if any(c.type == "money" for c in tpl.columns):
        unit = c2.selectbox(t("imp.map.unit", lang), ["units", "cents", "micros"], key=f"{key}_unit",
                            format_func=lambda u: t(f"imp.map.unit.{u}", lang))
    missing = [c for c in tpl.required if c not in fields and tpl.col(c).default is None]
    if missing:
        st.info(t("imp.map.missing", lang, cols=", ".join(missing)))
        return
    conf = saved.build(title or Path(f.name).stem, the_kind, header, fields,
                       None if order == "auto" else order, unit)
    try:
        fmt_obj = mp.parse_mapping(conf, t("imp.map.title", lang))
        res = load.import_bytes(data, f.name, db_file=path, mapping=fmt_obj, dry_run=True)
    except FullfunnelError as e:
        st.error(ui.md(message(e, lang)))
        return
    _show(res)
    b1, b2 = st.columns(2)
    if b1.button(t("imp.map.save", lang), type="primary", key=f"{key}_save"):
        try:
            where = saved.save(conf, path)
        except FullfunnelError as e:
            st.error(ui.md(message(e, lang)))
        else:
            st.session_state["_imp_flash"] = t("imp.map.saved", lang, path=ui.md(str(where)))
            st.session_state.pop("_imp_previews", None)
            st.rerun()
    b2.download_button(t("imp.map.download", lang), json.dumps(conf, ensure_ascii=False, indent=2).encode("utf-8"),
                       file_name=f"{saved.slug(conf['title'])}.json", mime="application/json", key=f"{key}_dl")


ready = []
if files:
    st.subheader(t("imp.preview", lang))
    for f in files:
        with st.container(border=True):
            st.markdown(f"**{ui.md(f.name)}**")
            res, error = _preview(f)
            if error:
                st.error(ui.md(error))
                if mapping is None:
                    _mapper(f)
                continue
            ready.append(f)
            _show(res)

    if not ready:
        st.warning(t("imp.nothing", lang))
    elif st.button(t("imp.confirm", lang, n=len(ready)), type="primary", key="imp_go"):
        totals = {"added": 0, "replaced": 0, "rejected": 0}
        spans = []
        failed = False
        with st.status(t("imp.running", lang), expanded=True) as status:
            for f in ready:
                bar = st.progress(0.0, text=ui.md(f.name))

                def progress(frac, stage, bar=bar, name=f.name):
                    label = t(f"imp.stage.{stage}", lang) if stage in ("reading", "saving", "done") \
                        else t("imp.stage.other", lang)
                    bar.progress(min(max(frac, 0.0), 1.0), text=f"{ui.md(name)}: {label}")

                try:
                    res = _run_import(f.getvalue(), f.name, dry_run=False, progress=progress)
                except FullfunnelError as e:
                    st.error(ui.md(message(e, lang)))
                    failed = True
                    continue
                st.write(t("imp.file_done", lang, name=ui.md(f.name), id=res.import_id))
                for w in res.warning_texts(lang):
                    st.warning(ui.md(w[:1].upper() + w[1:] + "."))
                if res.span:
                    spans.append(res.span)
                totals["added"] += res.added
                totals["replaced"] += res.replaced
                totals["rejected"] += res.rejected
                if res.rejects:
                    st.dataframe(_rejects_frame(res), hide_index=True, width="stretch")
            status.update(state="error" if failed else "complete")
        ui.clear_cache()
        st.session_state.pop("_imp_previews", None)
        st.success(t("imp.done", lang, **totals))
        if spans:   # every page opens on what was just imported (applied before the sidebar is drawn)
            first, last = min(a for a, _ in spans), max(b for _, b in spans)
            st.session_state["_ff_jump"] = (first, last)
            # a button, not a page link: the first import creates the database, and the other pages
            # are only there from the next run on
            st.button(t("imp.open_span", lang, first=fmt.day(first, lang), last=fmt.day(last, lang)),
                      icon=":material/filter_alt:", key="imp_open_span",
                      on_click=lambda: st.session_state.update(_imp_go_funnel=True))

# ---------------------------------------------------------------- history and undo

st.subheader(t("imp.history", lang))
if not path.exists():
    st.info(t("imp.no_history", lang))
    st.stop()
try:
    tz = periods.business_tz(dict(ui.run("meta/settings", {}).values.tolist()).get("business_tz"))
    hist = ui.run("imports/history", {"tz": tz})
except FullfunnelError as e:
    ui.show_error(e)
    st.stop()
if hist.empty:
    st.info(t("imp.no_history", lang))
    st.stop()
hist_cols = ["import_id", "imported_at", "file_name", "format", "kind", "rows_read_n", "rows_added_n",
             "rows_replaced_n", "rows_rejected_n", "checksum", "imported_by", "undone_at", "undone_by"]
shown = hist[hist_cols].rename(columns={
    "import_id": "#", "imported_at": t("imp.h.when", lang), "file_name": t("imp.h.file", lang),
    "format": t("imp.h.format", lang), "kind": t("imp.h.kind", lang), "rows_read_n": t("imp.rows_read", lang),
    "rows_added_n": t("imp.added", lang), "rows_replaced_n": t("imp.replaced", lang),
    "rows_rejected_n": t("imp.rejected", lang), "checksum": t("imp.h.checksum", lang),
    "undone_at": t("imp.h.undone", lang), "imported_by": t("imp.h.by", lang), "undone_by": t("imp.h.undone_by", lang),
})
shown[t("imp.h.checksum", lang)] = shown[t("imp.h.checksum", lang)].fillna("").str[:12]
shown[t("imp.h.kind", lang)] = shown[t("imp.h.kind", lang)].map(lambda k: t(f"kind.{k}", lang) if k in (*KINDS, "all") else k)
shown[t("imp.h.format", lang)] = shown[t("imp.h.format", lang)].map(
    lambda x: presets.PRESETS[x].title if x in presets.PRESETS else x)
when_fmt = "DD.MM.YYYY HH:mm" if lang == "ru" else "YYYY-MM-DD HH:mm"
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    **{t(k, lang): st.column_config.DatetimeColumn(format=when_fmt) for k in ("imp.h.when", "imp.h.undone")},
    **{t(k, lang): st.column_config.NumberColumn(format="localized")
       for k in ("imp.rows_read", "imp.added", "imp.replaced", "imp.rejected")},
})

standing = hist[hist["undone_at"].isna()]
if not standing.empty:
    st.markdown(f"**{t('imp.undo', lang)}**")
    c1, c2 = st.columns([3, 1])
    # keyed on the newest import: after an import, the import just made is offered, not an older pick
    choice = c1.selectbox(
        t("imp.undo", lang), standing["import_id"].tolist(), key=f"imp_undo_id_{standing['import_id'].max()}",
        label_visibility="collapsed",
        format_func=lambda i: f"#{i} · {standing.set_index('import_id').loc[i, 'file_name']}",
        help=t("imp.undo_help", lang))
    if c2.button(t("imp.undo_button", lang), key="imp_undo"):
        try:
            load.undo(int(choice), path)
        except FullfunnelError as e:
            st.error(ui.md(message(e, lang)))
        else:
            ui.clear_cache()
            st.session_state.pop("_imp_previews", None)
            st.session_state["_imp_flash"] = t("imp.undone", lang, id=choice)
            st.rerun()
