"""GET /v1/version, GET /v1/account/info and GET /v1/addressbooks (the additional-field catalogue, by field id)."""
from __future__ import annotations

from core.commands import GetAccount, GetFields

from ..common import Method
from .wire import Reply, one_or_many

DEFAULT_GROUP = "Main"
# Core field types as eSputnik names them (the catalogue's documented answer writes them in lower case).
FIELD_TYPES = {"string": "textfield", "text": "textarea", "number": "number", "date": "date",
               "datetime": "datetime", "enum": "combobox", "tag": "tags", "bool": "textfield",
               "ip": "textfield", "email": "textfield"}


def _settings(account) -> dict:
    value = (account.settings or {}).get("esputnik")
    return value if isinstance(value, dict) else {}


def address_book(account) -> tuple[int, str]:
    """(id, name) of the account's address book: setup `settings.esputnik`, else the default database."""
    settings = _settings(account)
    return int(settings.get("address_book_id") or 1), str(settings.get("address_book_name") or "Main")


# -- GET /v1/version ------------------------------------------------------------------------
# The old reference's `version` element has two strings, version and protocolVersion (dkulyk/esputnik
# Types\Version, el_ns0_version.html); their values are not documented. The call checks the key.
VERSION = {"version": "1.0", "protocolVersion": "1"}

API_VERSION = Method(lambda params: GetAccount(), lambda account, params, ctx: Reply(dict(VERSION), root="version"))


# -- GET /v1/account/info --------------------------------------------------------------------
def parse_info(params: dict) -> GetAccount:
    return GetAccount()


def render_info(account, params: dict, ctx: dict) -> Reply:
    settings = _settings(account)
    return Reply({"userEmail": settings.get("user_email") or account.name,
                  "organisationName": settings.get("organisation_name") or account.name}, root="accountInfo")


ACCOUNT_INFO = Method(parse_info, render_info)


# -- GET /v1/addressbooks --------------------------------------------------------------------
def parse_address_books(params: dict):
    return GetAccount(), GetFields(database=1)


def _flag(value) -> str:
    return "true" if value else "false"


def field_info(row) -> dict:
    """One field as the documented answer shows it (ids and flags as strings, types in lower case)."""
    attrs = row.attrs or {}
    description = {"type": str(attrs.get("type") or FIELD_TYPES.get(row.type, "textfield")).lower()}
    allowed = {}
    if row.allowed_values:
        allowed["possibleValues"] = [str(v) for v in row.allowed_values]
    for name in ("minValue", "maxValue"):
        if attrs.get(name) is not None:
            allowed[name] = str(attrs[name])
    if allowed:
        description["allowedValues"] = allowed
    description["required"] = _flag(attrs.get("required"))
    description["readonly"] = _flag(attrs.get("readonly"))
    info = {"id": str(row.number), "name": row.name}
    if attrs.get("field_key"):
        info["fieldKey"] = str(attrs["field_key"])
    info["description"] = description
    return info


def render_address_books(results, params: dict, ctx: dict) -> Reply:
    account, fields = results
    number, name = address_book(account)
    groups: dict[str, dict] = {}
    for row in fields:
        attrs = row.attrs or {}
        title = str(attrs.get("group") or DEFAULT_GROUP)
        group = groups.setdefault(title, {"name": title, "fields": []})
        if attrs.get("profile_key") and "profileKey" not in group:
            group["profileKey"] = str(attrs["profile_key"])
        group["fields"].append(field_info(row))
    book = {"addressBookId": str(number), "name": name}
    if groups:
        book["fieldGroups"] = one_or_many([{**g, "fields": one_or_many(g["fields"])} for g in groups.values()])
    return Reply({"addressBook": book}, root="addressBooks")


ADDRESS_BOOKS = Method(parse_address_books, render_address_books)
