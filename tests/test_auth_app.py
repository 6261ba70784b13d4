"""The sign-in gate under AppTest (st.user seeded): who gets in, with which pages, and the sentences."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "ff",
        "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ACCESS = {"admins": ["boss@acme.example"], "viewers": ["@acme.example"]}


def run(monkeypatch, db, user, access=ACCESS) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = {"auth": AUTH, **({"access": access} if access else {})}
    at.user = user
    return at.run()


def body(at) -> str:
    return " ".join(str(x.value) for x in [*at.markdown, *at.error, *at.title, *at.caption])


def test_signed_out_sees_only_the_sign_in_button(monkeypatch, tiny_db):
    at = run(monkeypatch, tiny_db, {"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Sign in to see your company's numbers." in body(at)
    assert not at.metric and not at.sidebar.selectbox     # no numbers, no filters (channel names)


@pytest.mark.parametrize("user, sentence", [
    ({"is_logged_in": True, "email": "eve@elsewhere.example"},
     "The address eve@elsewhere.example is not on this fullfunnel's access list."),
    ({"is_logged_in": True, "email": "anna@acme.example", "email_verified": False},
     "says the address anna@acme.example is not verified"),
    ({"is_logged_in": True, "name": "No Mail"}, "did not give fullfunnel an e-mail address"),
])
def test_refused_with_a_sentence(monkeypatch, tiny_db, user, sentence):
    at = run(monkeypatch, tiny_db, user)
    assert not at.exception
    assert sentence in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"] and not at.metric


def test_no_access_list_lets_nobody_in_and_says_how_to_fix_it(monkeypatch, tiny_db):
    at = run(monkeypatch, tiny_db, {"is_logged_in": True, "email": "boss@acme.example"}, access=None)
    assert 'add [access] admins = ["boss@acme.example"]' in at.error[0].value


def test_viewer_and_admin(monkeypatch, tiny_db):
    at = run(monkeypatch, tiny_db, {"is_logged_in": True, "email": "Anna@Acme.example"})
    assert not at.exception and at.metric                  # the Overview with its numbers
    assert "Signed in as Anna@Acme.example · viewer" in body(at)
    at = run(monkeypatch, tiny_db, {"is_logged_in": True, "email": "boss@acme.example"})
    assert "Signed in as boss@acme.example · admin" in body(at)
