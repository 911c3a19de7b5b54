"""Who may see the admin view: the operator token in a secure, HttpOnly, SameSite cookie, and CSRF tokens for forms.

The cookie holds the token itself (checked against its hash on every request, so revoking it
logs everyone out). A form's CSRF token is an HMAC of the session under a per-process-independent
key derived from the token, so every web worker accepts the forms of every other; the login form,
before any session, uses a random value in its own cookie (double submit).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

import falcon

from core import operators

COOKIE = "cg_admin"
LOGIN_CSRF_COOKIE = "cg_admin_login"
PATH = "/admin"


def token_of(req) -> str | None:
    values = req.get_cookie_values(COOKIE) or []
    return values[0] if values else None


def signed_in(req) -> bool:
    return operators.valid(token_of(req))


def csrf_token(req) -> str:
    """The value every form of this session carries; the login form's comes from its own cookie."""
    token = token_of(req)
    if token and operators.valid(token):
        return hmac.new(hashlib.sha256(token.encode()).digest(), b"admin-csrf", hashlib.sha256).hexdigest()
    values = req.get_cookie_values(LOGIN_CSRF_COOKIE) or []
    return values[0] if values else ""


def new_login_csrf(resp) -> str:
    value = secrets.token_urlsafe(24)
    _set(resp, LOGIN_CSRF_COOKIE, value, max_age=3600)
    return value


def check_csrf(req, form: dict) -> None:
    expected = csrf_token(req)
    given = form.get("csrf") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise falcon.HTTPForbidden(title="Forbidden", description="The form's CSRF token is missing or wrong")


def sign_in(resp, token: str) -> None:
    _set(resp, COOKIE, token, max_age=12 * 3600)
    resp.unset_cookie(LOGIN_CSRF_COOKIE, path=PATH)


def sign_out(resp) -> None:
    resp.unset_cookie(COOKIE, path=PATH)


def _set(resp, name: str, value: str, max_age: int) -> None:
    resp.set_cookie(name, value, max_age=max_age, path=PATH, secure=True, http_only=True, same_site="Strict")
