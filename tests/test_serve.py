"""`python -m fullfunnel serve`: listens where told, never on the network without sign-in or a flag."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from fullfunnel import cli, serve
from tests.live import ROOT, free_port

AUTH = """
[auth]
redirect_uri = "http://ff.example.com:8501/oauth2callback"
cookie_secret = "a-long-random-secret"
client_id = "fullfunnel"
client_secret = "s3cret"
server_metadata_url = "https://id.example.com/.well-known/openid-configuration"
"""


@pytest.fixture
def no_secrets(tmp_path):
    return tmp_path / "none.toml"


@pytest.fixture
def with_auth(tmp_path):
    p = tmp_path / "secrets.toml"
    p.write_text(AUTH)
    return p


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "ff.example.com"])
def test_refuses_the_network_without_sign_in(host, no_secrets, capsys):
    assert cli.main(["serve", "--host", host, "--secrets", str(no_secrets)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: Refusing to listen on {host}: anyone who reaches that address")
    assert "--trusted-network" in err and err.count("\n") == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_this_machine_needs_nothing(host, no_secrets):
    cmd, notice = serve.plan(host, 8600, False, no_secrets)
    assert cmd[cmd.index("--server.address") + 1] == host and cmd[cmd.index("--server.port") + 1] == "8600"
    assert "no sign-in: this machine only" in notice


def test_network_with_sign_in_or_the_flag(with_auth, no_secrets):
    cmd, notice = serve.plan("0.0.0.0", 8501, False, with_auth)
    assert notice.startswith("fullfunnel listens on http://0.0.0.0:8501 (sign-in on (default))")
    assert "warning: sign-in is on but the secrets file has no [access] list" in notice
    with_auth.write_text(AUTH + '[access]\nadmins = ["a@b.example"]\n')
    assert "warning" not in serve.plan("0.0.0.0", 8501, False, with_auth)[1]
    assert cmd[cmd.index("--secrets.files") + 1] == str(with_auth)
    _, notice = serve.plan("0.0.0.0", 8501, True, no_secrets)
    assert "no sign-in: trusted network" in notice


def test_half_configured_sign_in_does_not_count(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(AUTH.replace('client_secret = "s3cret"\n', ""))
    with pytest.raises(serve.RefusedToListen):
        serve.plan("0.0.0.0", 8501, False, p)


def test_serve_prints_where_it_listens_and_answers_there(tiny_db, no_secrets, tmp_path):
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "fullfunnel", "serve", "--port", str(port), "--db", str(tiny_db),
                             "--secrets", str(no_secrets)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ), start_new_session=True)
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("serve never became healthy")
        log.seek(0)
        first = log.readline().strip()
        assert first == f"fullfunnel listens on http://127.0.0.1:{port} (no sign-in: this machine only); database {tiny_db}"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(15)
        log.close()
