"""The admin view's gate (operator token, cookie, CSRF) and its pages, in-process; the browser test shows them drawn."""
from __future__ import annotations

import json
import re

import pytest

from core import operators
from processes import cli


@pytest.fixture
def app(app):
    """The app as a browser sees it over HTTPS, so the client sends the Secure cookies back."""
    app.extra_environ = {**app.extra_environ, "wsgi.url_scheme": "https", "HTTP_HOST": "admin.example.com"}
    return app


def _login(app, token):
    page = app.get("/admin/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return app.post("/admin/login", {"token": token, "csrf": csrf}, expect_errors=True)


def test_every_page_sends_a_stranger_to_the_login(app):
    for path in ("/admin/", "/admin/accounts", "/admin/contacts", "/admin/imports", "/admin/webhooks",
                 "/admin/contacts/1/1", "/admin/imports/1/x"):
        answer = app.get(path)
        assert answer.status_int == 303 and answer.headers["Location"].endswith("/admin/login"), path


def test_login_sets_a_secure_httponly_samesite_cookie(app, account):
    _, token = operators.create("test")
    answer = _login(app, token)
    assert answer.status_int == 303
    cookie = next(v for k, v in answer.headerlist if k.lower() == "set-cookie" and v.startswith("cg_admin="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    assert "acme" not in app.get("/admin/accounts").text and account.name in app.get("/admin/accounts").text


def test_a_wrong_token_and_a_form_without_its_csrf_token_are_refused(app):
    _, token = operators.create()
    assert _login(app, "x" * 43).status_int == 401
    assert app.post("/admin/login", {"token": token}, expect_errors=True).status_int == 403
    assert app.post("/admin/login", {"token": token, "csrf": "guess"}, expect_errors=True).status_int == 403
    assert _login(app, token).status_int == 303
    assert app.post("/admin/logout", {}, expect_errors=True).status_int == 403  # signed in, but no CSRF token
    page = app.get("/admin/accounts").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert app.post("/admin/logout", {"csrf": csrf}).status_int == 303


def test_a_revoked_token_signs_everyone_out(app):
    _, token = operators.create()
    _login(app, token)
    assert app.get("/admin/accounts").status_int == 200
    operators.revoke_all()
    assert app.get("/admin/accounts").status_int == 303


def test_the_cli_prints_a_token_that_opens_the_view(app, store_url):
    printed = json.loads(cli("admin", "token", "create", "--json", env={"DATABASE_URL": store_url}).stdout)
    assert set(printed) >= {"token", "token_id"} and operators.valid(printed["token"])


@pytest.mark.parametrize("path", ["/admin/contacts/1/999999", "/admin/imports/1/no-such-job"])
def test_unknown_contacts_and_imports_are_not_found(app, account, path):
    _, token = operators.create()
    _login(app, token)
    assert app.get(path.replace("/1/", f"/{account.id}/"), expect_errors=True).status_int == 404
