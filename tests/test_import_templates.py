"""Native templates to download: every kind's header and example row import as they are."""
from __future__ import annotations

import pytest

from fullfunnel import cli
from fullfunnel.importing import import_bytes
from fullfunnel.importing.templates import KINDS, TEMPLATES, template_csv

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_imports_as_downloaded(dbf, kind):
    text = template_csv(kind)
    assert text.splitlines()[0].split(",") == TEMPLATES[kind].names
    res = import_bytes(text.encode(), f"{kind}.csv", db_file=dbf)
    assert [(k.kind, k.added, k.rejected) for k in res.kinds] == [(kind, 1, 0)]
    assert q(dbf, f"select count(*) from {TEMPLATES[kind].table}") == [(1,)]


def test_the_command_line_writes_one_or_all_templates(tmp_path, capsys):
    assert cli.main(["template", "spend"]) == 0
    assert capsys.readouterr().out.startswith("date,channel,spend,campaign")
    assert cli.main(["template", "all", "-o", str(tmp_path / "t")]) == 0
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == sorted(f"{k}.csv" for k in KINDS)
    assert (tmp_path / "t" / "leads.csv").read_text() == template_csv("leads")
