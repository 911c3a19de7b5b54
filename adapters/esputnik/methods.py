"""The eSputnik route table: (HTTP method, path under /api/v1/) -> Method."""
from __future__ import annotations

import re

from ..common import DialectError, Method
from . import account, bulk, contacts, file_import, segments, subscribe
from .wire import not_found

ROUTES: list[tuple[str, str, Method]] = [
    ("POST", "contact/subscribe", subscribe.SUBSCRIBE),
    ("POST", "contacts", bulk.CONTACTS_POST),
    ("GET", "contacts", contacts.SEARCH),
    ("POST", "contacts/upload", file_import.UPLOAD),
    ("GET", "contacts/email", contacts.EMAILS),
    ("GET", "importstatus/{sessionId}", bulk.IMPORT_STATUS),
    ("POST", "contact", contacts.ADD),
    ("DELETE", "contact", contacts.DELETE_BY_EXTERNAL_ID),
    ("GET", "contact/{id}", contacts.GET),
    ("PUT", "contact/{id}", contacts.UPDATE),
    ("DELETE", "contact/{id}", contacts.DELETE),
    ("GET", "groups", segments.GROUPS),
    ("GET", "group/{id}/contacts", segments.GROUP_CONTACTS),
    ("POST", "group/{id}/contacts/attach", segments.ATTACH),
    ("POST", "group/{id}/contacts/detach", segments.DETACH),
    ("POST", "emails/unsubscribed/add", contacts.UNSUBSCRIBED_ADD),
    ("POST", "emails/unsubscribed/delete", contacts.UNSUBSCRIBED_DELETE),
    ("GET", "addressbooks", account.ADDRESS_BOOKS),
    ("GET", "account/info", account.ACCOUNT_INFO),
    ("GET", "version", account.API_VERSION),
]
VERSIONS = ("v1",)


def _pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


_TABLE = [(verb, _pattern(template), method) for verb, template, method in ROUTES]


def lookup(version: str, path: str, verb: str) -> tuple[Method, dict]:
    """The method for a request and its path parameters; 404 for no such path, 405 (with `allowed`) for a verb."""
    allowed = []
    if version in VERSIONS:
        for route_verb, pattern, method in _TABLE:
            match = pattern.match(path)
            if match:
                if route_verb == verb:
                    return method, match.groupdict()
                allowed.append(route_verb)
    if allowed:
        raise DialectError("method_not_allowed", "Method Not Allowed", 405, allowed=sorted(set(allowed)))
    raise not_found(f"Not found: /api/{version}/{path}")
