"""Mappings saved from the Import page: JSON mapping files in a `mappings/` folder beside the database.

Each holds the header of the file it was made for (`"header": [...]`); a later file with those
columns is recognised by it, before the built-in formats. The files are ordinary mapping files:
`python -m fullfunnel import FILE --mapping data/mappings/NAME.json` takes them too.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from fullfunnel import db
from fullfunnel.importing import mapping
from fullfunnel.importing.errors import ImportRefused
from fullfunnel.importing.presets import Format


def folder(db_file: str | os.PathLike | None = None) -> Path:
    return db.db_path(db_file).parent / "mappings"


def slug(title: str) -> str:
    return re.sub(r"[^\w]+", "_", title.lower(), flags=re.UNICODE).strip("_")[:60] or "mapping"


def save(conf: dict, db_file: str | os.PathLike | None = None) -> Path:
    """Check a mapping and write it as <folder>/<title>.json; returns the path."""
    mapping.parse_mapping(conf, "the mapping")   # refuse a mapping that would not import
    d = folder(db_file)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{slug(str(conf.get('title') or 'mapping'))}.json"
    path.write_text(json.dumps(conf, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def stamp(db_file: str | os.PathLike | None = None) -> tuple:
    """Changes whenever a saved mapping does (for caches of previews)."""
    d = folder(db_file)
    if not d.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in d.glob("*.json")))


def formats(db_file: str | os.PathLike | None = None) -> list[Format]:
    """The saved mappings that name a header, newest first; an unreadable one is left out."""
    d = folder(db_file)
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
        try:
            f = mapping.load_mapping(p)
        except ImportRefused:
            continue
        if f.signatures:
            out.append(f)
    return out


def build(title: str, kind: str, header: list[str], fields: dict[str, tuple[str, str]],
          date_order: str | None = None, unit: str | None = None) -> dict:
    """A mapping made on the Import page: fields = {template column: ("column", name) or ("value", text)};
    `unit` ("cents", "micros") applies to every money column."""
    from fullfunnel.importing.templates import TEMPLATES

    cols: dict = {}
    for name, (how, what) in fields.items():
        if how == "value":
            cols[name] = {"value": what}
        elif TEMPLATES[kind].col(name).type == "money" and unit and unit != "units":
            cols[name] = {"from": what, "unit": unit}
        else:
            cols[name] = what
    conf = {"title": title, "kind": kind, "header": list(header), "columns": cols}
    if date_order:
        conf["date_order"] = date_order
    return conf
