"""A writer killed halfway (SIGKILL, power cut) leaves its private copy of the database behind; the
next writer removes the copies whose process is gone, and leaves the live file as it was."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fullfunnel import db
from fullfunnel.importing import import_bytes

from conftest import q

ROOT = Path(__file__).resolve().parent.parent
OK = b"date,channel,spend,campaign\n2026-05-01,seo,100,c1\n"
pytestmark = pytest.mark.usefixtures("moscow_tz")


def freed() -> None:
    """Wait until this process has freed the versions its writes replaced (db._free_later)."""
    import threading

    for t in threading.enumerate():
        if t.name == "ff-free-old":
            t.join()


def copies(p: Path) -> list[str]:
    return sorted(x.name for x in p.parent.iterdir()
                  if x.name.startswith(f".{p.name}.") and x.name.endswith((".tmp", ".wal", ".old")))


def test_killed_import_leaves_a_copy_that_the_next_write_removes(tmp_path):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK, "ok.csv", db_file=p)
    freed()
    before = p.read_bytes()
    big = tmp_path / "leads.csv"   # ≈ 20 MB: the import runs for seconds, long enough to be killed
    with open(big, "w") as f:
        f.write("lead_id,created_at,channel,campaign\n")
        for i in range(400_000):
            f.write(f"L{i},2026-05-{i % 28 + 1:02d} 10:{i % 60:02d},seo,campaign {i % 97}\n")
    proc = subprocess.Popen([sys.executable, "-m", "fullfunnel", "import", str(big), "--db", str(p)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "FULLFUNNEL_TZ": "Europe/Moscow"})
    deadline = time.monotonic() + 60
    while not [n for n in copies(p) if n.startswith(f".{p.name}.{proc.pid}.")] \
            and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(0.3)   # into the import proper
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = copies(p)
    assert left and all(n.startswith(f".{p.name}.{proc.pid}.") for n in left), left
    assert p.read_bytes() == before   # the live file never saw the killed import

    # a copy of a writer that is still alive is not touched (here: this process's pid)
    alive = p.with_name(f".{p.name}.{os.getpid()}.1.tmp")
    alive.write_bytes(b"in use")
    import_bytes(OK.replace(b"100", b"200"), "ok2.csv", db_file=p)
    freed()
    assert copies(p) == [alive.name]
    assert q(p, "select spend::double from spend") == [(200.0,)]
    alive.unlink()


def test_settings_write_also_cleans_up(tmp_path):
    p = db.create_empty(tmp_path / "ff.duckdb")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)   # a process that has exited
    for suffix in (".tmp", ".tmp.wal", ".old"):   # a copy, its log, a replaced version not yet freed
        p.with_name(f".{p.name}.{pid}.99{suffix}").write_bytes(b"x" * 1000)
    p.with_name(f".other.duckdb.{pid}.99.tmp").write_bytes(b"not ours")
    with db.writer(p):
        pass
    freed()
    assert copies(p) == []
    assert p.with_name(f".other.duckdb.{pid}.99.tmp").exists()


def test_a_replaced_version_is_freed_after_the_write(tmp_path):
    p = tmp_path / "ff.duckdb"
    import_bytes(OK, "ok.csv", db_file=p)
    held = open(p, "rb")   # a reader still on the version the next write replaces
    first = held.read()
    import_bytes(OK.replace(b"100", b"300"), "ok3.csv", db_file=p)
    freed()
    assert copies(p) == []                       # no second name of the old version left behind
    assert q(p, "select spend::double from spend") == [(300.0,)]
    held.seek(0)
    assert held.read() == first                  # the reader's version stays readable to the end
    held.close()
