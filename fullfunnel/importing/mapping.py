"""Mapping files: describe any other CSV/XLSX so it can be imported (JSON; see README).

    {
      "title": "VK Ads statistics",
      "kind": "spend",
      "columns": {
        "date": "Дата",
        "campaign": ["Кампания", "Название кампании"],
        "spend": {"from": "Потрачено, ₽"},
        "channel": {"value": "vk_ads"},
        "clicks": "Клики"
      },
      "date_format": "DD.MM.YYYY",
      "decimal": ","
    }

A column is a header name, a list of header names (the first non-empty wins), or an object with
`from` (name or list) or `join` (several names joined with `sep`, default "-": a composite key),
`values` (value map; `"*"` = every other value, null = empty), `default` (the value of an empty
cell), `scale` (multiply numbers) or `unit` ("micros", "cents"), or `value` (a constant).
`header` (the file's column names) lets a saved mapping recognise the next such file (saved.py).
`timezone` names the zone of timestamps without an offset; `collapse` (true, or template column →
first/max/min/sum/count) makes the rows with one key one row. Several kinds from one file:
`"outputs": [{"kind": ..., "columns": {...}}, ...]` instead of `kind` + `columns`.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from fullfunnel.importing import dates
from fullfunnel.importing.errors import ImportRefused
from fullfunnel.importing.presets import KEEP, Const, Format, Output, Src
from fullfunnel.importing.templates import TEMPLATES

UNITS = {"units": 1.0, "cents": 0.01, "micros": 1e-6}   # money written ×100 or ×1 000 000
COLLAPSE = ("first", "max", "min", "sum", "count")
_TOKENS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "M": "%m", "DD": "%d", "D": "%d", "HH": "%H", "H": "%H",
           "mm": "%M", "ss": "%S"}


def date_format(text: str) -> str:
    """'DD.MM.YYYY HH:mm' → '%d.%m.%Y %H:%M', 'M/D/YYYY' → '%m/%d/%Y'; strptime formats pass through."""
    if "%" in text:
        return text
    return re.sub(r"YYYY|YY|MM|M|DD|D|HH|H|mm|ss", lambda m: _TOKENS[m.group(0)], text)


def _patterns(names, where: str):
    """Refuse a `re:` name that is not a regular expression now, with the mapping file's name."""
    from fullfunnel.importing.load import pattern

    for n in [names] if isinstance(names, str) else names:
        if n.startswith("re:"):
            pattern(n[3:], where)
    return names


def _field(name: str, spec, where: str):
    if isinstance(spec, str):
        return Src((_patterns(spec, where),))
    if isinstance(spec, list) and spec and all(isinstance(s, str) for s in spec):
        return Src(tuple(_patterns(spec, where)))
    if isinstance(spec, dict):
        if "value" in spec:
            return Const(str(spec["value"]))
        join = None
        src = spec.get("from")
        if "join" in spec:   # a key built from several columns: {"join": ["fullVisitorId", "visitId"]}
            src, join = spec["join"], spec.get("sep", "-")
            if not isinstance(join, str) or not isinstance(src, list) or len(src) < 2:
                raise ImportRefused(f"{where}: \"join\" of column {name!r} must list two or more header names "
                                    "(\"sep\" is the text between them).",
                                    ru=f"{where}: \"join\" колонки {name!r} должен перечислять две колонки или больше "
                                       "(\"sep\" — текст между ними).")
        if isinstance(src, str):
            src = [src]
        if not src or not all(isinstance(s, str) for s in src):
            raise ImportRefused(f"{where}: column {name!r} needs \"from\" (a header name) or \"value\".",
                                ru=f"{where}: для колонки {name!r} нужно \"from\" (название колонки) или \"value\".")
        values = spec.get("values")
        vmap, default = None, KEEP
        if values is not None:
            if not isinstance(values, dict):
                raise ImportRefused(f"{where}: \"values\" of column {name!r} must be an object.",
                                    ru=f"{where}: \"values\" колонки {name!r} должно быть объектом.")
            vmap = {k: v for k, v in values.items() if k != "*"}
            if "*" in values:
                default = values["*"]
        scale = spec.get("scale", 1.0)
        if not isinstance(scale, (int, float)) or isinstance(scale, bool):
            raise ImportRefused(f"{where}: \"scale\" of column {name!r} must be a number.",
                                ru=f"{where}: \"scale\" колонки {name!r} должно быть числом.")
        unit = spec.get("unit")
        if unit is not None:
            if unit not in UNITS:
                raise ImportRefused(f"{where}: \"unit\" of column {name!r} must be one of {', '.join(UNITS)}.",
                                    ru=f"{where}: \"unit\" колонки {name!r} должен быть одним из {', '.join(UNITS)}.")
            scale = scale * UNITS[unit]
        empty = spec.get("default")
        if empty is not None and not isinstance(empty, (str, int, float)):
            raise ImportRefused(f"{where}: \"default\" of column {name!r} must be a text or a number.",
                                ru=f"{where}: \"default\" колонки {name!r} должен быть текстом или числом.")
        return Src(tuple(_patterns(src, where)), map=vmap, default=default, scale=float(scale),
                   empty=None if empty is None else str(empty), join=join)
    raise ImportRefused(f"{where}: column {name!r} must be a header name, a list of names or an object.",
                        ru=f"{where}: колонка {name!r} должна быть названием, списком названий или объектом.")


def parse_mapping(conf: dict, where: str = "mapping file") -> Format:
    if not isinstance(conf, dict):
        raise ImportRefused(f"{where} must be a JSON object.", ru=f"{where} должен быть JSON-объектом.")
    outputs_conf = conf.get("outputs") or [{"kind": conf.get("kind"), "columns": conf.get("columns")}]
    if not isinstance(outputs_conf, list) or not all(isinstance(o, dict) for o in outputs_conf):
        raise ImportRefused(f"{where}: \"outputs\" must be a list of objects with \"kind\" and \"columns\".",
                            ru=f"{where}: \"outputs\" должен быть списком объектов с \"kind\" и \"columns\".")
    outputs = []
    for o in outputs_conf:
        kind = o.get("kind")
        if kind not in TEMPLATES:
            raise ImportRefused(f"{where}: \"kind\" must be one of {', '.join(TEMPLATES)} (got {kind!r}).",
                                ru=f"{where}: \"kind\" должен быть одним из {', '.join(TEMPLATES)} (указано {kind!r}).")
        cols = o.get("columns")
        if not isinstance(cols, dict) or not cols:
            raise ImportRefused(f"{where}: \"columns\" must map template columns to the file's columns.",
                                ru=f"{where}: \"columns\" должен сопоставлять колонки шаблона колонкам файла.")
        known = TEMPLATES[kind].names
        unknown = [c for c in cols if c not in known]
        if unknown:
            raise ImportRefused(f"{where}: {', '.join(unknown)} is not a column of the {kind} template "
                                f"({', '.join(known)}).",
                                ru=f"{where}: {', '.join(unknown)} — не колонка шаблона {kind} ({', '.join(known)}).")
        collapse = o.get("collapse", conf.get("collapse"))
        if collapse is True:
            collapse = {}
        if collapse in (None, False):
            collapse = None
        elif not isinstance(collapse, dict) or any(c not in known for c in collapse) \
                or any(a not in COLLAPSE for a in collapse.values()):
            raise ImportRefused(f"{where}: \"collapse\" must be true or map template columns to "
                                f"{', '.join(COLLAPSE)}.",
                                ru=f"{where}: \"collapse\" должен быть true или сопоставлять колонкам шаблона "
                                   f"{', '.join(COLLAPSE)}.")
        else:
            collapse = {c: a for c, a in collapse.items() if a != "first"}
        outputs.append(Output(kind, {c: _field(c, s, where) for c, s in cols.items()},
                              closed_only=bool(o.get("closed_only", False)), collapse=collapse))
    decimal = conf.get("decimal")
    if decimal not in (None, ".", ","):
        raise ImportRefused(f"{where}: \"decimal\" must be \".\" or \",\".",
                            ru=f"{where}: \"decimal\" должен быть \".\" или \",\".")
    fmts = conf.get("date_format") or []
    if isinstance(fmts, str):
        fmts = [fmts]
    if not isinstance(fmts, list) or not all(isinstance(f, str) for f in fmts):
        raise ImportRefused(f"{where}: \"date_format\" must be a text such as \"DD.MM.YYYY\" or a list of them.",
                            ru=f"{where}: \"date_format\" должен быть текстом вида \"DD.MM.YYYY\" или списком таких.")
    order = conf.get("date_order")
    if order not in (None, "dmy", "mdy"):
        raise ImportRefused(f"{where}: \"date_order\" must be \"dmy\" or \"mdy\".",
                            ru=f"{where}: \"date_order\" должен быть \"dmy\" или \"mdy\".")
    formats = tuple(date_format(f) for f in fmts)
    if order is None:   # "M/D/YYYY" says month first for every date of the file, dashed ones too
        implied = {o for f in formats if (o := dates.order_of_format(f))}
        order = implied.pop() if len(implied) == 1 else None
    zone = conf.get("timezone")
    if zone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ImportRefused(f"{where}: \"timezone\" {zone!r} is not a time zone such as Europe/Moscow.",
                                ru=f"{where}: \"timezone\" {zone!r} — не часовой пояс вида Europe/Moscow.") from None
    header = conf.get("header")
    if header is not None and (not isinstance(header, list) or not all(isinstance(h, str) for h in header)):
        raise ImportRefused(f"{where}: \"header\" must list the file's column names.",
                            ru=f"{where}: \"header\" должен перечислять названия колонок файла.")
    title = str(conf.get("title") or "mapped file")
    return Format(name="mapping:" + re.sub(r"\W+", "_", title.lower()).strip("_"), title=title,
                  outputs=tuple(outputs), decimal=decimal, date_order=order, date_formats=formats,
                  timezone=zone, signatures=(tuple(header),) if header else ())


def load_mapping(path: str | os.PathLike) -> Format:
    p = Path(path)
    if not p.exists():
        raise ImportRefused(f"There is no mapping file {p}.", ru=f"Файла сопоставления {p} нет.")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"{p.name} is not a text file in UTF-8; a mapping file is JSON saved as UTF-8.",
                            ru=f"{p.name} — не текст в UTF-8; файл сопоставления — это JSON в UTF-8.") from None
    return loads(text, p.name)


def loads(text: str, where: str = "mapping file") -> Format:
    try:
        conf = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportRefused(f"{where} is not valid JSON (line {e.lineno}: {e.msg}).",
                            ru=f"{where} — некорректный JSON (строка {e.lineno}: {e.msg}).") from None
    except RecursionError:
        raise ImportRefused(f"{where} is not a mapping file: its JSON is nested far too deep.",
                            ru=f"{where} — не файл сопоставления: JSON слишком глубоко вложен.") from None
    return parse_mapping(conf, where)
