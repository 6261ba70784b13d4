"""`import --together`: several files in one write — each its own import (undone on its own), and all
of them land or none does, the database left byte for byte as it was."""
from __future__ import annotations

import hashlib

import pytest

from fullfunnel import cli
from fullfunnel.importing import ImportRefused, read
from fullfunnel.importing.load import import_file, import_files, undo

from conftest import q

pytestmark = pytest.mark.usefixtures("moscow_tz")

SPEND = "date,channel,spend,campaign\n2026-05-01,seo,100,c1\n2026-05-02,seo,50,c1\n"
LEADS = "lead_id,created_at,channel\nL1,2026-05-01 10:00,seo\nL2,2026-05-02 11:00,ads\nL3,2026-05-02 12:00,seo\n"
BAD_LEADS = "lead_id,created_at,channel\nL4,2026-05-41 10:00,seo\n"


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, text in (("spend.csv", SPEND), ("leads.csv", LEADS), ("bad_leads.csv", BAD_LEADS)):
        (tmp_path / name).write_text(text)
        out[name] = tmp_path / name
    return out


def test_files_land_together_each_as_its_own_import(dbf, files):
    res = import_files([files["spend.csv"], files["leads.csv"]], db_file=dbf)
    assert [(r.file_name, r.added) for r in res] == [("spend.csv", 2), ("leads.csv", 3)]
    assert res[0].import_id != res[1].import_id
    assert q(dbf, "select sum(spend)::double from spend") == [(150.0,)]
    assert q(dbf, "select count(*) from leads") == [(3,)]
    assert q(dbf, "select import_id, file_name from import_log order by 1") == [
        (res[0].import_id, "spend.csv"), (res[1].import_id, "leads.csv")]
    # the facts the pages read were refreshed by that one write: 3 leads on their two days
    assert q(dbf, "select day::varchar, sum(leads_n)::int from fact_leads_day group by 1 order by 1") == [
        ("2026-05-01", 1), ("2026-05-02", 2)]
    undo(res[0].import_id, db_file=dbf)            # one of them goes; the other stays
    assert q(dbf, "select count(*) from spend") == [(0,)]
    assert q(dbf, "select count(*) from leads") == [(3,)]


def test_one_refused_file_refuses_them_all_and_changes_nothing(dbf, files):
    import_file(files["spend.csv"], db_file=dbf)
    before = sha(dbf)
    with pytest.raises(ImportRefused) as e:
        import_files([files["leads.csv"], files["bad_leads.csv"]], db_file=dbf, strict=True)
    text = str(e.value)
    assert text.startswith("bad_leads.csv: ") and "line 2" in text
    assert text.endswith("None of the 2 files was imported.")
    assert e.value.ru.endswith("Ни один из 2 файлов не загружен.")
    assert sha(dbf) == before
    assert q(dbf, "select count(*) from leads") == [(0,)]
    with pytest.raises(ImportRefused, match=r"^nope.csv: There is no file .*None of the 2 files was imported\.$"):
        import_files([files["leads.csv"], files["spend.csv"].with_name("nope.csv")], db_file=dbf)
    assert sha(dbf) == before


def test_without_strict_rejected_rows_are_counted_and_the_rest_lands(dbf, files):
    res = import_files([files["leads.csv"], files["bad_leads.csv"]], db_file=dbf)
    assert [(r.added, r.rejected) for r in res] == [(3, 0), (0, 1)]
    assert res[1].rejects[0].line == 2 and res[1].rejects[0].column == "created_at"


def test_dry_run_counts_and_changes_nothing(dbf, files):
    import_file(files["spend.csv"], db_file=dbf)
    before = sha(dbf)
    res = import_files([files["spend.csv"], files["leads.csv"]], db_file=dbf, dry_run=True)
    assert [(r.added, r.replaced) for r in res] == [(0, 2), (3, 0)]   # the same spend again replaces itself
    assert sha(dbf) == before


def test_a_big_file_with_line_breaks_in_cells_is_read_again_exactly(dbf, tmp_path, files, monkeypatch):
    monkeypatch.setattr(read, "FAST_MIN_BYTES", 0)   # every file goes the fast way first
    f = tmp_path / "managers.csv"
    f.write_text('lead_id,created_at,manager\nM1,2026-05-01,"Anna\nPetrova"\nM2,2026-05-02,Boris\nM3,oops,Anna\n')
    res = import_files([files["spend.csv"], f], db_file=dbf)
    assert [(r.added, r.rejected) for r in res] == [(2, 0), (2, 1)]
    assert (res[1].rejects[0].line, res[1].rejects[0].column) == (5, "created_at")
    assert q(dbf, "select manager from leads order by lead_id") == [("Anna\nPetrova",), ("Boris",)]


def test_command_line(dbf, files, capsys):
    assert cli.main(["import", str(files["spend.csv"]), str(files["leads.csv"]), "--together",
                     "--db", str(dbf)]) == 0
    out = capsys.readouterr().out
    assert "spend.csv: native spend template — import #1" in out and "leads.csv: native leads template — import #2" in out
    before = sha(dbf)
    assert cli.main(["import", str(files["leads.csv"]), str(files["bad_leads.csv"]), "--together", "--strict",
                     "--db", str(dbf)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: bad_leads.csv: ") and err.endswith("None of the 2 files was imported.")
    assert sha(dbf) == before
