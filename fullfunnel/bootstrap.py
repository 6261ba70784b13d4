"""Set up a fresh machine and run the app or the tests: standard library only, on purpose.

`python3 -m fullfunnel up`   — venv + pinned requirements, demo database if none, then the dashboard.
`python3 -m fullfunnel test` — venv + pinned requirements + Debian's chromium, then the whole test suite.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("FULLFUNNEL_VENV", ROOT / ".venv"))
REQUIREMENTS = ROOT / "requirements.txt"
CHROMIUM = Path("/usr/bin/chromium")
COMMANDS = ("up", "test")


def say(msg: str) -> None:
    print(f"[fullfunnel] {msg}", flush=True)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    """Create .venv and install requirements.txt into it, again only when the file changed."""
    if sys.version_info < (3, 11):
        raise SystemExit("fullfunnel needs Python 3.11 or newer; this is " + sys.version.split()[0])
    py = venv_python()
    if not py.exists():
        say(f"creating a virtual environment in {VENV}")
        if subprocess.call([sys.executable, "-m", "venv", str(VENV)]) != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            raise SystemExit("Could not create a virtual environment: install your system's python3-venv "
                             "package (Debian/Ubuntu: apt-get install python3-venv) and run this again.")
    stamp = VENV / ".requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != digest:
        say("installing pinned requirements (first run takes a minute or two)")
        if subprocess.call([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-r", str(REQUIREMENTS)]) != 0:
            raise SystemExit("Installing the requirements failed (see pip's message above); "
                             "check the network connection to PyPI and run this again.")
        stamp.write_text(digest)
    return py


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium; install it with apt when we can."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") is None:
        raise SystemExit(f"The browser tests need Chromium at {CHROMIUM}; install your system's chromium package.")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    say("installing Debian's chromium for the browser tests")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def compile_catalogs(py: Path) -> None:
    """The translations' .mo files from their .po catalogs (fullfunnel/locale; README "Translations")."""
    if subprocess.call([str(py), "-c", "from fullfunnel.i18n import compile_catalogs; compile_catalogs()"],
                       cwd=ROOT) != 0:
        raise SystemExit("Compiling the translation catalogs in fullfunnel/locale failed (see the message above).")


def up(args: list[str]) -> int:
    py = ensure_venv()
    compile_catalogs(py)
    subprocess.run([str(py), "-m", "fullfunnel", "demo", "--if-missing"], check=True, cwd=ROOT)
    say("starting the dashboard: streamlit run app.py (Ctrl+C to stop)")
    return subprocess.call([str(py), "-m", "streamlit", "run", "app.py", *args], cwd=ROOT)


def test(args: list[str]) -> int:
    py = ensure_venv()
    compile_catalogs(py)
    ensure_chromium()
    # by default on every core, a test module per worker (its servers and databases stay in one process)
    return subprocess.call([str(py), "-m", "pytest", *(args or ["-q", "-n", "auto", "--dist", "loadfile", "tests"])],
                           cwd=ROOT)


def main(argv: list[str]) -> int:
    cmd, rest = argv[0], argv[1:]
    return up(rest) if cmd == "up" else test(rest)
