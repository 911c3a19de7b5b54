"""The Altcraft method table: path after /api/v1.1/ -> Method."""
from __future__ import annotations

from ..common import DialectError, Method
from . import catalog_reads as catalog
from . import import_profiles as imports
from . import read_and_subscriptions as reads
from .errors import NOT_FOUND

METHODS: dict[str, Method] = {
    "profiles/import": imports.IMPORT,
    "profiles/import_batch": imports.IMPORT_BATCH,
    "profiles/add": imports.ADD,
    "profiles/add_batch": imports.ADD_BATCH,
    "profiles/update": imports.UPDATE,
    "profiles/update_batch": imports.UPDATE_BATCH,
    "profiles/get": reads.GET,
    "profiles/delete": reads.DELETE,
    "profiles/message_unsub": reads.MESSAGE_UNSUB,
    "subscriptions/set": reads.SUBSCRIPTIONS_SET,
    "subscriptions/list": reads.SUBSCRIPTIONS_LIST,
    "databases/list": catalog.DATABASES_LIST,
    "databases/get": catalog.DATABASES_GET,
    "resources/list": catalog.RESOURCES_LIST,
    "resources/get": catalog.RESOURCES_GET,
}


def lookup(path: str) -> Method:
    """The method for the path after /api/v1.1/ (extra or doubled slashes and case do not matter)."""
    name = "/".join(part for part in path.lower().split("/") if part)
    method = METHODS.get(name)
    if method is None:
        raise DialectError(NOT_FOUND, f"Unknown method: {name or '(none)'}")
    return method
