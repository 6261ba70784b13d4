"""Import: upload exports, preview how they were recognised, confirm, watch progress; history and undo."""
import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, periods, ui
from fullfunnel.i18n import pick_lang, register, t
from fullfunnel.importing import load, presets, read
from fullfunnel.importing.errors import message
from fullfunnel.importing.templates import KINDS

register({
    "imp.title": {"en": "Import data", "ru": "Импорт данных"},
    "imp.intro": {
        "en": "Drop the files as your CRM, ad cabinets and web analytics export them (CSV, TSV, XLSX). "
              "Each file is checked first; nothing is written until you confirm, and each file lands whole "
              "or not at all. Re-importing a file or a later, overlapping export never counts a row twice.",
        "ru": "Перетащите файлы так, как их выгружают CRM, рекламные кабинеты и веб-аналитика (CSV, TSV, XLSX). "
              "Сначала каждый файл проверяется; ничего не записывается, пока вы не подтвердите, и файл "
              "загружается целиком или не загружается вовсе. Повторная загрузка файла или более поздней "
              "выгрузки за пересекающийся период никогда не учитывает строку дважды.",
    },
    "imp.files": {"en": "Files to import", "ru": "Файлы для импорта"},
    "imp.options": {"en": "Options", "ru": "Параметры"},
    "imp.kind": {"en": "Kind of data", "ru": "Тип данных"},
    "imp.kind_auto": {"en": "recognise from the file", "ru": "определить по файлу"},
    "imp.format": {"en": "Format", "ru": "Формат"},
    "imp.format_auto": {"en": "recognise from the file", "ru": "определить по файлу"},
    "imp.format_native": {"en": "native template", "ru": "собственный шаблон"},
    "imp.strict": {"en": "Refuse a file if any row is rejected", "ru": "Отклонять файл, если отклонена хоть одна строка"},
    "imp.strict_help": {"en": "Off: rejected rows are skipped and listed, the rest is imported.",
                        "ru": "Выключено: отклонённые строки пропускаются и перечисляются, остальное загружается."},
    "imp.mapping": {"en": "Mapping file (JSON) for a file of another format",
                    "ru": "Файл сопоставления (JSON) для файла другого формата"},
    "imp.preview": {"en": "Preview", "ru": "Предпросмотр"},
    "imp.checking": {"en": "Checking {name}…", "ru": "Проверка {name}…"},
    "imp.recognised": {"en": "Recognised as **{title}**", "ru": "Распознано как **{title}**"},
    "imp.rows_read": {"en": "Rows read", "ru": "Прочитано строк"},
    "imp.to_add": {"en": "Will be added", "ru": "Будет добавлено"},
    "imp.to_replace": {"en": "Will replace", "ru": "Заменит"},
    "imp.rejected": {"en": "Rejected", "ru": "Отклонено"},
    "imp.added": {"en": "Added", "ru": "Добавлено"},
    "imp.replaced": {"en": "Replaced", "ru": "Заменено"},
    "imp.columns": {"en": "How the columns were recognised", "ru": "Как распознаны колонки"},
    "imp.col_kind": {"en": "Data", "ru": "Тип данных"},
    "imp.col_template": {"en": "Template column", "ru": "Колонка шаблона"},
    "imp.col_source": {"en": "From the file", "ru": "Из файла"},
    "imp.ignored": {"en": "Ignored columns: {cols}", "ru": "Пропущенные колонки: {cols}"},
    "imp.note": {"en": "Note: {note}", "ru": "Примечание: {note}"},
    "imp.again": {"en": "This exact file was imported before (import #{id}); its rows will replace the earlier "
                        "ones, nothing is counted twice.",
                  "ru": "Этот файл уже загружался (импорт №{id}); его строки заменят прежние, ничего не "
                        "посчитается дважды."},
    "imp.rejects": {"en": "First rejected rows", "ru": "Первые отклонённые строки"},
    "imp.line": {"en": "Line", "ru": "Строка"},
    "imp.column": {"en": "Column", "ru": "Колонка"},
    "imp.reason": {"en": "Reason", "ru": "Причина"},
    "imp.confirm": {"en": "Import {n} file(s)", "ru": "Импортировать файлов: {n}"},
    "imp.nothing": {"en": "None of the files can be imported.", "ru": "Ни один файл нельзя импортировать."},
    "imp.running": {"en": "Importing…", "ru": "Импорт…"},
    "imp.done": {"en": "Import finished: {added} row(s) added, {replaced} replaced, {rejected} rejected. "
                       "Every page now shows the new data.",
                 "ru": "Импорт завершён: добавлено строк {added}, заменено {replaced}, отклонено {rejected}. "
                       "Все страницы уже показывают новые данные."},
    "imp.file_done": {"en": "{name}: import #{id}", "ru": "{name}: импорт №{id}"},
    "imp.history": {"en": "Import history", "ru": "История импорта"},
    "imp.no_history": {"en": "Nothing has been imported yet.", "ru": "Пока ничего не импортировано."},
    "imp.undo": {"en": "Undo an import", "ru": "Отменить импорт"},
    "imp.undo_help": {"en": "Removes the rows the import added and brings back the rows it replaced.",
                      "ru": "Удаляет строки, добавленные импортом, и возвращает строки, которые он заменил."},
    "imp.undo_button": {"en": "Undo", "ru": "Отменить"},
    "imp.undone": {"en": "Import #{id} undone.", "ru": "Импорт №{id} отменён."},
    "imp.h.when": {"en": "When", "ru": "Когда"},
    "imp.h.file": {"en": "File", "ru": "Файл"},
    "imp.h.format": {"en": "Format", "ru": "Формат"},
    "imp.h.kind": {"en": "Kind", "ru": "Тип данных"},
    "imp.h.checksum": {"en": "Checksum", "ru": "Контрольная сумма"},
    "imp.h.undone": {"en": "Undone", "ru": "Отменён"},
    "imp.h.by": {"en": "Imported by", "ru": "Кто загрузил"},
    "imp.h.undone_by": {"en": "Undone by", "ru": "Кто отменил"},
    "imp.stage.reading": {"en": "reading", "ru": "чтение"},
    "imp.stage.saving": {"en": "saving", "ru": "сохранение"},
    "imp.stage.done": {"en": "done", "ru": "готово"},
    "imp.stage.other": {"en": "checking and writing", "ru": "проверка и запись"},
})


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
st.title(t("imp.title", lang))
st.caption(t("imp.intro", lang))
if "_imp_flash" in st.session_state:
    st.success(st.session_state.pop("_imp_flash"))

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
                strict=strict, dry_run=dry_run, progress=progress)
    if len(data) >= read.FAST_MIN_BYTES:
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "upload.csv"   # never the uploaded name: it could point outside tmp
            p.write_bytes(data)
            return load.import_bytes(data, name, p, **opts)
    return load.import_bytes(data, name, **opts)


def _preview(f) -> tuple[load.ImportResult | None, str | None]:
    data = f.getvalue()
    key = ("imp_preview", hashlib.sha256(data).hexdigest(), f.name, kind, fmt_name, strict,
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


ready = []
if files:
    st.subheader(t("imp.preview", lang))
    for f in files:
        with st.container(border=True):
            st.markdown(f"**{ui.md(f.name)}**")
            res, error = _preview(f)
            if error:
                st.error(ui.md(error))
                continue
            ready.append(f)
            st.markdown(t("imp.recognised", lang, title=ui.md(res.format_title)))
            for k in res.kinds:
                cols = st.columns(4)
                cols[0].metric(f"{t('imp.rows_read', lang)} · {t(f'kind.{k.kind}', lang)}", fmt.number(k.read, lang))
                cols[1].metric(t("imp.to_add", lang), fmt.number(k.added, lang))
                cols[2].metric(t("imp.to_replace", lang), fmt.number(k.replaced, lang))
                cols[3].metric(t("imp.rejected", lang), fmt.number(k.rejected, lang))
            if res.previous_import:
                st.info(t("imp.again", lang, id=res.previous_import))
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

    if not ready:
        st.warning(t("imp.nothing", lang))
    elif st.button(t("imp.confirm", lang, n=len(ready)), type="primary", key="imp_go"):
        totals = {"added": 0, "replaced": 0, "rejected": 0}
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
                totals["added"] += res.added
                totals["replaced"] += res.replaced
                totals["rejected"] += res.rejected
                if res.rejects:
                    st.dataframe(_rejects_frame(res), hide_index=True, width="stretch")
            status.update(state="error" if failed else "complete")
        ui.clear_cache()
        st.session_state.pop("_imp_previews", None)
        st.success(t("imp.done", lang, **totals))

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
