"""profiles/import, import_batch, add_batch, update_batch, add and update: one ordered upsert each."""
from __future__ import annotations

from core.errors import CoreError
from core.model import ContactChange, EventSpec, UpsertCommand

from ..common import DialectError, Method
from . import matching, profile_data
from .errors import OK, OK_TEXT, envelope, from_core
from .params import as_list, flag, incorrect, int_list, int_param

# Workflow events an import triggers unless skip_triggers (names are this dialect's).
EVENTS = EventSpec(on_create="profile_created", on_update="profile_updated", params={"email": "email", "phone": "phone"})


def database(params: dict) -> int:
    db_id = int_param(params, "db_id", required=True)
    if db_id < 1:
        raise incorrect(f"db_id must be a positive integer, got {db_id}")
    return db_id


def _profile(data, params: dict, how: str | None, batch: bool, segments: tuple, skip_invalid: bool) -> ContactChange:
    profile = profile_data.read(data, skip_invalid)
    change = profile.change
    if change.error is not None:
        return change
    if how is not None:
        sources = [profile.data, params] if batch else [params, profile.data]
        try:
            change.lookups, change.custom_match = matching.lookups(how, sources, profile.data, profile.sub_addresses)
        except CoreError as exc:
            return ContactChange(error=exc)
    if segments:
        change.lists += profile_data.segment_changes(*segments)
    return change


def _parser(mode: str, batch: bool, matches: bool):
    """parse(params) for a method: mode create | update | upsert; batch: `data` is an array."""

    def parse(params: dict) -> UpsertCommand:
        db_id = database(params)
        how = matching.mode(params) if matches else None
        flag(params, "detect_geo")  # accepted; see docs/dialects/altcraft.md
        segments = (int_list(params, "add_to_segments"), int_list(params, "remove_from_segments"))
        segments = segments if any(segments) else ()
        skip_invalid = flag(params, "skip_invalid_subscriptions")
        data = params.get("data")
        if data is None or data == "":
            raise incorrect("data is required")
        if batch:
            items = [_profile(d, params, how, True, segments, skip_invalid) for d in as_list(data)]
        else:
            if not isinstance(data, dict):
                raise incorrect("data must be an object")
            items = [_profile(data, params, how, False, segments, skip_invalid)]
        return UpsertCommand(
            items=items,
            database=db_id,
            match=("email",),  # items without lookups (add methods): an existing email is a clash
            mode="update" if how == "profile_id" and mode == "upsert" else mode,  # profile_id: "only on update"
            unique=("email",),
            strict_field_types=True,
            unknown_fields="fail_item",
            resubscribe=True,  # a status the client sends is the client's decision
            invalid_lists="fail_item",
            events=None if flag(params, "skip_triggers") else EVENTS,
            source=f"altcraft:{'batch' if batch else 'single'}:{mode}",
        )

    return parse


def item_answer(item) -> dict:
    """One entry of `result`: its own code and text, and the profile id when there is one."""
    if item.outcome == "failed":
        code, text = from_core(item.error)
        return {**envelope(code, text), "profile_id": item.profile_id or ""}
    return {**envelope(OK, OK_TEXT), "profile_id": item.profile_id}


def render_batch(result, params: dict, ctx: dict) -> dict:
    return {**envelope(OK, OK_TEXT), "result": [item_answer(item) for item in result.items]}


def render_single(result, params: dict, ctx: dict) -> dict:
    item = result.items[0]
    if item.outcome == "failed":
        code, text = from_core(item.error)
        raise DialectError(code, text)
    return {**envelope(OK, OK_TEXT), "profile_id": item.profile_id}


IMPORT = Method(_parser("upsert", False, True), render_single)
IMPORT_BATCH = Method(_parser("upsert", True, True), render_batch)
ADD = Method(_parser("create", False, False), render_single)
ADD_BATCH = Method(_parser("create", True, False), render_batch)
UPDATE = Method(_parser("update", False, True), render_single)
UPDATE_BATCH = Method(_parser("update", True, True), render_batch)
