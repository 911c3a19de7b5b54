"""profiles/get, profiles/delete, subscriptions/list, subscriptions/set and profiles/message_unsub."""
from __future__ import annotations

from core.commands import DeleteLocated, LocateContact
from core.model import ContactChange, Lookup, UpsertCommand

from ..common import DialectError, Method
from . import matching, profile_data
from . import subscriptions as subs
from .errors import NOT_FOUND, OK, OK_TEXT, envelope
from .import_profiles import EVENTS, database, render_single
from .params import as_list, flag, incorrect, is_scalar, text


def _located(params: dict, default_to_profile_id: bool = False) -> dict:
    """The LocateContact arguments for a request that names one profile by its matching mode."""
    how = "profile_id" if default_to_profile_id and params.get("profile_id") not in (None, "") else None
    how = how or matching.mode(params)
    found, custom = matching.lookups(how, [params], {}, {})
    return {"lookups": found, "database": database(params), "custom_match": custom}


def parse_get(params: dict) -> LocateContact:
    return LocateContact(**_located(params))


def render_get(view, params: dict, ctx: dict) -> dict:
    return {**envelope(OK, OK_TEXT), "data": profile_data.shown(view)}


def parse_delete(params: dict) -> DeleteLocated:
    return DeleteLocated(**_located(params), erase=True)


def render_delete(view, params: dict, ctx: dict) -> dict:
    return {**envelope(OK, OK_TEXT), "data": {"profile_id": view.profile_id}}


def parse_list(params: dict) -> LocateContact:
    return LocateContact(**_located(params, default_to_profile_id=True))


def render_list(view, params: dict, ctx: dict) -> dict:
    listed = [subs.shown(m, listing=True) for m in view.memberships if m.kind == subs.RESOURCE]
    return {**envelope(OK, OK_TEXT), "data": listed}


def parse_set(params: dict) -> UpsertCommand:
    """One subscription of the profile named by profile_id, added or edited (status only when given)."""
    profile_id = text(params, "profile_id", required=True)
    db_id = database(params)
    try:
        change = subs.parse(params)
    except subs.Invalid as exc:
        raise incorrect(str(exc)) from None
    item = ContactChange(lookups=(Lookup("profile_id", profile_id),), lists=[change])
    return UpsertCommand(items=[item], database=db_id, mode="update", resubscribe=True, invalid_lists="fail_item",
                         events=None if flag(params, "skip_triggers") else EVENTS, source="altcraft:subscriptions/set")


def parse_message_unsub(params: dict):
    """Unsubscribing by a sent message's id needs the message, and the gateway sends none."""
    text(params, "rtoken", required=True)
    smid = text(params, "smid", required=True)
    if not all(is_scalar(c) for c in as_list(params.get("categories"))):
        raise incorrect("categories must be a list of category names")
    raise DialectError(NOT_FOUND, f"Message not found: {smid}")


GET = Method(parse_get, render_get)
DELETE = Method(parse_delete, render_delete)
SUBSCRIPTIONS_LIST = Method(parse_list, render_list)
SUBSCRIPTIONS_SET = Method(parse_set, render_single)
MESSAGE_UNSUB = Method(parse_message_unsub, lambda result, params, ctx: {})
