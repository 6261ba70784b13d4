"""Importing while the dashboard reads: readers never error nor see half an import; imports never fail."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from fullfunnel.importing import import_file

ROOT = Path(__file__).resolve().parent.parent

READER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from fullfunnel import db
r = db.Reader(sys.argv[2])
stop, out = sys.argv[3], sys.argv[4]
seen, errors, n = [], [], 0
deadline = time.time() + 60
while time.time() < deadline:
    try:
        row = r.sql("select count(*) as n, coalesce(sum(spend), 0)::double as s, "
                    "(select count(*) from import_log) as imports from spend").iloc[0]
        seen.append([int(row["n"]), float(row["s"]), int(row["imports"])])
        if len(seen) == 1:
            open(out + ".ready", "w").close()
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
    n += 1
    import os
    if os.path.exists(stop):
        # one last look after the final import landed
        row = r.sql("select count(*) as n from spend").iloc[0]
        seen.append([int(row["n"]), -1.0, -1])
        break
json.dump({"seen": seen, "errors": errors, "queries": n}, open(out, "w"))
"""


def spend_file(path: Path, day: str, rows: int) -> Path:
    # one row per campaign: `rows` rows of 1.00 each on one day
    path.write_text("date,channel,campaign,spend\n" + "".join(f"{day},seo,c{i},1.00\n" for i in range(rows)))
    return path


def test_imports_while_another_process_reads(tmp_path, monkeypatch):
    # The reader is another process, as the dashboard is; the imports run here (the command line
    # does exactly this; tests/test_import_browser.py runs the real command next to a real server).
    monkeypatch.setenv("FULLFUNNEL_TZ", "Europe/Moscow")
    dbf = tmp_path / "ff.duckdb"
    env = dict(os.environ)
    import_file(spend_file(tmp_path / "d1.csv", "2026-05-01", 5000), db_file=dbf)

    stop, out = tmp_path / "stop", tmp_path / "seen.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(dbf), str(stop), str(out)], env=env)
    ready = Path(str(out) + ".ready")
    for _ in range(300):          # the reader is connected and querying before the first import starts
        if ready.exists():
            break
        time.sleep(0.05)
    assert ready.exists()
    files = [spend_file(tmp_path / f"d{k}.csv", f"2026-05-0{k}", 5000) for k in (2, 3, 4)]
    for f in files:
        assert import_file(f, db_file=dbf).added == 5000   # readers being connected never fail an import
    stop.write_text("")
    reader.wait(60)
    result = json.loads(out.read_text())
    assert result["errors"] == []
    # every state a reader saw is a whole number of imports: 5000 rows and 5000.00 per import
    states = {(n, s, i) for n, s, i in result["seen"] if i >= 0}
    assert states <= {(5000 * k, 5000.0 * k, k) for k in (1, 2, 3, 4)}, states
    assert len(states) >= 2, states                   # it did see imports land while reading
    assert result["seen"][-1][0] == 20000             # and ends on the last one
