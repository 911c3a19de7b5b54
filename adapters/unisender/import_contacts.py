"""importContacts: field_names + data[i][j] rows -> one ordered upsert; counters and log back."""
from __future__ import annotations

from core import errors as core_errors
from core import normalize, scalars
from core.errors import CoreError
from core.model import ContactChange, ListChange, UpsertCommand

from ..common import Method
from .log_codes import log_entries
from .params import as_list, flag, invalid, names, shown

MAX_ROWS = 500
MAX_USER_FIELDS = 50
MAX_TAGS = 10

STATUSES = ("new", "active", "inactive", "unsubscribed")
AVAILABILITY = ("available", "unreachable", "temp_unreachable", "mailbox_full", "spam_rejected", "spam_folder")
LIST_COLUMNS = {"list_ids": "subscribed", "unsubscribed_list_ids": "unsubscribed", "excluded_list_ids": "excluded"}
CHANNEL_COLUMNS = ("", "status", "availability", "add_time", "request_ip", "confirm_time", "confirm_ip", "list_ids",
                   "subscribe_times", "unsubscribed_list_ids", "excluded_list_ids")
SYSTEM_COLUMNS = frozenset({"delete", "tags"} | {f"email_{c}".rstrip("_") for c in CHANNEL_COLUMNS}
                           | {f"phone_{c}".rstrip("_") for c in CHANNEL_COLUMNS if c not in ("confirm_time", "confirm_ip")})
# Where the *_time / *_ip columns of each channel are kept on the contact.
META_ATTRS = {"add_time": "added_at", "confirm_time": "confirmed_at", "request_ip": "request_ip",
              "confirm_ip": "confirm_ip"}


def columns(params: dict) -> list[str]:
    """field_names in order; system names lower-cased, user field names exactly as given."""
    raw = as_list(params.get("field_names"))
    if not raw:
        raise invalid('Argument "field_names" is required')
    result = []
    for name in raw:
        if isinstance(name, dict):
            raise invalid('Argument "field_names" must be a list of names')
        name = name.strip()
        if not name:
            raise invalid("An empty name in field_names")
        result.append(name.lower() if name.lower() in SYSTEM_COLUMNS else name)
    duplicates = sorted({n for n in result if result.count(n) > 1})
    if duplicates:
        raise invalid(f"Repeated names in field_names: {', '.join(duplicates)}")
    if "email" not in result and "phone" not in result:
        raise invalid('field_names must contain "email" or "phone"')
    user = [n for n in result if n not in SYSTEM_COLUMNS]
    if len(user) > MAX_USER_FIELDS:
        raise invalid(f"Too many user fields: {len(user)}, the limit is {MAX_USER_FIELDS}")
    return result


def rows(params: dict, width: int) -> list[tuple[int, dict[int, str]]]:
    """(index, {column: value}) in index order; missing cells (sparse rows) are simply absent."""
    data = params.get("data")
    if data is None or data == "":
        return []
    if not isinstance(data, dict):
        raise invalid('Argument "data" must be an array of rows')
    result = []
    positions = {str(j): j for j in range(width)}  # "0".."N" -> column, so a cell costs one look-up
    for key, row in data.items():
        index = scalars.digits(key, scalars.COUNT64)
        if index is None:
            raise invalid(f'Invalid row index in data: "{shown(key)}"')
        if row.__class__ is not dict:
            row = {"0": row}
        cells = {}
        for column, value in row.items():
            position = positions.get(column)
            if position is None:
                raise invalid(f"data[{key}][{column}] has no matching name in field_names")
            if value.__class__ is dict:
                raise invalid(f"data[{key}][{column}] must be a value, not an array")
            cells[position] = value
        result.append((index, cells))
    if len(result) > MAX_ROWS:
        raise invalid(f"Too many contacts: {len(result)}, the limit is {MAX_ROWS} per call")
    result.sort(key=lambda pair: pair[0])
    return result


def parse(params: dict) -> UpsertCommand:
    names_ = columns(params)
    parsed = rows(params, len(names_))
    handlers = cell_handlers(names_)
    items = [row_change(handlers, cells) for _, cells in parsed]
    if flag(params, "overwrite_lists"):
        # A row replaces the lists of each channel whose list columns it carries (email, phone).
        for item, (_, cells) in zip(items, parsed):
            item.replace_lists_of = tuple(sorted({names_[j].split("_", 1)[0] for j in cells
                                                  if _is_list_column(names_[j])}))
    return UpsertCommand(
        items=items,
        match=("email", "phone"),
        match_fallback=False,
        unique=("email", "phone"),
        tags_mode="replace" if flag(params, "overwrite_tags") else "add",
        default_email_status="new",
        default_phone_status="active",
        status_changeable_from=frozenset({"active", "inactive"}),
        on_deleted="recreate",
        max_tags=MAX_TAGS,
        source="unisender:importContacts",
        note=[index for index, _ in parsed],  # row indexes as the client numbered them, for the log
    )


def _is_list_column(name: str) -> bool:
    channel, _, column = name.partition("_")
    return channel in ("email", "phone") and (column in LIST_COLUMNS or column == "subscribe_times")


def row_change(handlers: list, cells: dict[int, str]) -> ContactChange:
    """One data row as a ContactChange; a value the row cannot carry fails only this row."""
    change = ContactChange()
    lists: dict = {}
    try:
        for j, raw in cells.items():
            handlers[j](change, raw, lists)
        if lists:
            for channel in ("email", "phone"):
                if channel in lists:
                    change.lists += _list_changes(channel, lists[channel])
    except CoreError as exc:
        return ContactChange(error=exc)
    return change


def cell_handlers(names_: list[str], statuses=STATUSES) -> list:
    """One cell handler per column, chosen once per request (a pull reads exportContacts pages with
    them, taking every status an export may show)."""
    return [_handler(name, statuses) for name in names_]


def _handler(name: str, statuses=STATUSES):
    """The function that puts one cell of column `name` into a ContactChange (chosen once per request)."""
    if name not in SYSTEM_COLUMNS:
        def user_field(change, raw, lists):
            change.fields[name] = raw if raw != "" else None
        return user_field
    if name == "tags":
        def tags(change, raw, lists):
            change.tags = names(raw)
        return tags
    if name == "delete":
        def delete(change, raw, lists):
            change.delete = _boolean(raw.strip(), name)
        return delete
    channel, _, column = name.partition("_")
    if column == "":
        def identity(change, raw, lists):
            change.identities[channel] = raw.strip()
        return identity
    if column == "status":
        attribute = f"{channel}_status"

        def status(change, raw, lists):
            value = raw.strip().lower()
            if value:
                if value not in statuses:
                    raise CoreError(core_errors.INVALID_STATUS, f'Invalid {name}: "{raw.strip()}"', column=name)
                setattr(change, attribute, value)
        return status
    attr = f"{channel}_{META_ATTRS.get(column, column)}"
    if column == "availability":
        def availability(change, raw, lists):
            value = raw.strip().lower()
            if value:
                if value not in AVAILABILITY:
                    raise CoreError(core_errors.INVALID_VALUE, f'Invalid {name}: "{raw.strip()}"', column=name)
                change.attrs[attr] = value
        return availability
    if column in ("add_time", "confirm_time"):
        def moment(change, raw, lists):
            value = raw.strip()
            if value:
                change.attrs[attr] = _timestamp(value, name).strftime("%Y-%m-%d %H:%M:%S")
        return moment
    if column in ("request_ip", "confirm_ip"):
        def address(change, raw, lists):
            value = raw.strip()
            if value:
                try:
                    change.attrs[attr] = normalize.ip(value)
                except CoreError:
                    raise CoreError(core_errors.INVALID_VALUE, f'Invalid {name}: "{value}"', column=name) from None
        return address
    if column == "subscribe_times":
        def times(change, raw, lists):
            value = raw.strip()
            lists.setdefault(channel, {})["times"] = [_timestamp(t.strip(), name) for t in value.split(",")] \
                if value else []
        return times

    def list_ids(change, raw, lists):
        ids = []
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            number = scalars.digits(part, scalars.ID64)
            if number is None:
                raise CoreError(core_errors.INVALID_VALUE, f'Invalid list id in {name}: "{shown(part)}"', column=name)
            ids.append(number)
        lists.setdefault(channel, {})[column] = ids
    return list_ids


def _list_changes(channel: str, columns_: dict) -> list[ListChange]:
    result = []
    subscribe = columns_.get("list_ids", [])
    times = columns_.get("times") or []
    if len(times) > len(subscribe):
        raise CoreError(core_errors.INVALID_VALUE,
                        f"{channel}_subscribe_times has more dates than {channel}_list_ids has lists",
                        column=f"{channel}_subscribe_times")
    for position, list_id in enumerate(subscribe):
        at = times[position] if position < len(times) else None
        result.append(ListChange(list_id, "subscribed", channel, at))
    for column in ("unsubscribed_list_ids", "excluded_list_ids"):
        for list_id in columns_.get(column, []):
            result.append(ListChange(list_id, LIST_COLUMNS[column], channel))
    return result


def _timestamp(value: str, name: str):
    try:
        return normalize.timestamp(value)
    except CoreError:
        raise CoreError(core_errors.INVALID_DATE, f'Invalid date in {name}: "{value}"', column=name) from None


def _boolean(value: str, name: str) -> bool:
    try:
        return normalize.boolean(value)
    except CoreError:
        raise CoreError(core_errors.INVALID_VALUE, f'Invalid {name}: "{value}"', column=name) from None


def render(result, params: dict, ctx: dict) -> dict:
    indexes = ctx["command"].note
    counters = {"total": len(result.items), "inserted": 0, "updated": 0, "deleted": 0, "new_emails": 0,
                "invalid": 0}
    log, over_limit = [], False
    for index, item in zip(indexes, result.items):
        if item.outcome == "created":
            counters["inserted"] += 1
        elif item.outcome == "updated":
            counters["updated"] += 1
        elif item.outcome == "deleted":
            counters["deleted"] += 1
        elif item.outcome == "failed":
            counters["invalid"] += 1
        if item.outcome in ("created", "updated") and item.email_status == "new":
            counters["new_emails"] += 1
        entries = log_entries(index, item)
        over_limit = over_limit or any(e["code"] == "w_common_overlimit" for e in entries)
        log.extend(entries)
    response = {"result": {**counters, "log": log}}
    if over_limit:
        response["warnings"] = [{"warning": "Addresses overlimit for current period"}]
    return response


METHOD = Method(parse, render)
