"""A pull from Altcraft as far as API v1.1 reaches: profiles/get for each address the operator lists.

The API lists no profiles, no databases' fields and no resources, so the addresses come from the
client (a file, one per line), a profile's custom fields are known by the names its data carries
(typed by their JSON values), and resources by the subscriptions that name them. The profile
data is read by the dialect's own profiles/import reader.
"""
from __future__ import annotations

from core.model import UpsertCommand

from . import profile_data
from .subscriptions import RESOURCE

SOURCE = "pull:altcraft"
PAGE = 100  # profiles read (one request each) per committed page
SKIPPED = frozenset(profile_data.COMPUTED | profile_data.KEY_NAMES | set(profile_data.SYSTEM_FIELDS)
                    | {"email", "phones", "subscriptions"})


def _type(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def catalog(profiles: list) -> tuple[list, list]:
    """(resources, fields) the page's profiles name: setup-file lists and fields of database `db_id`."""
    resources, fields = {}, {}
    for data in profiles:
        for sub in data.get("subscriptions") or ():
            if isinstance(sub, dict) and str(sub.get("resource_id", "")).isdigit():
                number = int(sub["resource_id"])
                # A name the API does not tell; any channel, as the subscriptions show.
                resources[number] = {"id": number, "title": None, "kind": RESOURCE,
                                     "database": int(data.get("db_id") or 1)}
        for name, value in data.items():
            if name not in SKIPPED and not name.startswith("_") and value is not None:
                fields.setdefault(name, {"name": name, "type": _type(value), "database": int(data.get("db_id") or 1)})
    return list(resources.values()), list(fields.values())


def page(profiles: list, db_id: int) -> tuple[UpsertCommand, list]:
    """profiles/get `data` objects as one upsert into database `db_id`; each profile's address."""
    items = [profile_data.read(data, skip_invalid_subscriptions=False).change for data in profiles]
    keys = [str(data.get("email") or "") for data in profiles]
    return UpsertCommand(items=items, database=db_id, match=("email",), unique=("email",), strict_field_types=True,
                         unknown_fields="fail_item", invalid_lists="fail_item", keep_account_unsubscribes=True,
                         report_unchanged=True, on_deleted="restore", source=SOURCE), keys
