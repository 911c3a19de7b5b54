"""databases/list, databases/get, resources/list, resources/get: how Altcraft clients find their ids."""
from __future__ import annotations

from core.commands import GetDatabases, GetLists

from ..common import DialectError, Method
from .errors import NOT_FOUND, OK, OK_TEXT, envelope
from .params import incorrect, int_param
from .subscriptions import RESOURCE

# Access groups are the vendor's user-rights feature; the gateway has none, so every object is in
# the account's main group, as the documented databases/list answer shows it (Id 0, "main").
MAIN_GROUP = {"id": 0, "name": "main"}


def _page(params: dict) -> tuple[int, int]:
    from_id = int_param(params, "from_id")
    limit = int_param(params, "limit")
    from_id = 1 if from_id is None else from_id
    limit = 1000 if limit is None else limit
    if limit < 0:
        raise incorrect("limit must not be negative")
    return from_id, limit


def _paged(rows: list, params: dict, shown) -> dict:
    """One page from from_id on; next_from_id is the id after the page's last (from_id when empty)."""
    from_id, limit = _page(params)
    page = [row for row in rows if row.number >= from_id][:limit]
    return {**envelope(OK, OK_TEXT), "data": [shown(row) for row in page],
            "next_from_id": page[-1].number + 1 if page else from_id, "total_count": len(rows)}


def _database(row) -> dict:
    return {"id": row.number, "name": row.name, "ui_tags": [],
            "Groups": [{"Id": MAIN_GROUP["id"], "Name": MAIN_GROUP["name"]}]}


def _resource(row) -> dict:
    return {"id": row.number, "name": row.title, "groups": [dict(MAIN_GROUP)]}


def _one(rows: list, params: dict, what: str):
    number = int_param(params, "id", required=True)
    for row in rows:
        if row.number == number:
            return row
    raise DialectError(NOT_FOUND, f"{what} not found")


def _database_info(rows, params: dict, ctx: dict) -> dict:
    row = _one(rows, params, "Database")
    return {**envelope(OK, OK_TEXT), "data": {"id": row.number, "name": row.name, "description": ""}}


def _resource_info(rows, params: dict, ctx: dict) -> dict:
    row = _one(rows, params, "Resource")
    numbers = ctx.get("databases", {})
    return {**envelope(OK, OK_TEXT), "data": {"id": row.number, "name": row.title,
                                              "channels": list((row.attrs or {}).get("channels") or ["email"]),
                                              "dbs_ids": [numbers.get(row.database_id, 1)]}}


def _with_databases(render):
    """Resources name their database by its row; the answer shows its number (db_id)."""
    def wrapped(result, params: dict, ctx: dict):
        databases, resources = result
        return render(resources, params, {**ctx, "databases": {d.id: d.number for d in databases}})
    return wrapped


DATABASES_LIST = Method(lambda p: GetDatabases(), lambda rows, p, ctx: _paged(rows, p, _database))
def _wanted(command):
    """A parser that refuses a missing or non-integer id before the read runs."""
    def parse(params: dict):
        int_param(params, "id", required=True)
        return command()
    return parse


DATABASES_GET = Method(_wanted(GetDatabases), _database_info)
RESOURCES_LIST = Method(lambda p: GetLists(kind=RESOURCE), lambda rows, p, ctx: _paged(rows, p, _resource))
RESOURCES_GET = Method(_wanted(lambda: (GetDatabases(), GetLists(kind=RESOURCE))), _with_databases(_resource_info))
