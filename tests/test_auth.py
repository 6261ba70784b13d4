"""Roles from the [access] list: e-mails and domains, case-insensitive; admin pages per role."""
from fullfunnel import auth

ACC = auth.access({"access": {"admins": ["Boss@Acme.example"], "viewers": ["@acme.example", "partner.example",
                                                                           "cfo@other.example"]}})


def test_roles_by_email_and_domain():
    assert auth.role_for("boss@acme.example", ACC) == "admin"
    assert auth.role_for("BOSS@ACME.EXAMPLE", ACC) == "admin"
    assert auth.role_for("anna@acme.example", ACC) == "viewer"
    assert auth.role_for("x@partner.example", ACC) == "viewer"          # a bare domain works too
    assert auth.role_for("cfo@other.example", ACC) == "viewer"
    assert auth.role_for("ceo@other.example", ACC) is None
    assert auth.role_for("eve@notacme.example", ACC) is None            # "@acme.example" is not a suffix match
    assert auth.role_for("eve@sub.partner.example", ACC) is None
    assert auth.role_for("", ACC) is None and auth.role_for(None, ACC) is None


def test_nobody_without_an_access_list():
    assert auth.role_for("boss@acme.example", auth.access({})) is None


def test_viewers_get_no_admin_page():
    for url in ("import", "data_health", "settings"):
        assert auth.allowed(url, "admin") and not auth.allowed(url, "viewer")
    for url in ("overview", "weekly", "channels", "products"):
        assert auth.allowed(url, "viewer")
