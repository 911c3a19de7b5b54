"""The v3 single-contact calls (GET|PATCH|PUT|DELETE /contacts/v3/{identifier}/{value}, POST and GET /contacts/v3)
and the bulk delete (POST /contacts/v3/delete, GET /contacts/v3/delete/{deleteId})."""
from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlencode

import orjson

from core import errors as core_errors
from core import normalize, scalars
from core.commands import FindContact, LocateContact, SearchContacts, StartJob, UpsertAndRead
from core.contacts import ContactFilter
from core.errors import CoreError
from core.model import ContactChange, Lookup

from . import contact_v3, import_v3
from .contact_v3 import IDENTIFIER_NAME, KIND, STANDARD
from .errors import (ACTIVE_DELETES, NO_CONTACTS, TOO_MANY_DELETES, bad_request, contact_not_found,
                     id_already_exists, invalid_filter, invalid_id, too_many, v3)
from .wire import Keys, Reply, path, path_id, query

MERGE_OPTIONS = {"overwrite": "overwrite", "overwrite-if-not-empty": "if_not_empty",
                 "overwrite-if-empty": "if_empty"}


# -- the identifier in the path ------------------------------------------------------------------------
def identifier(params: dict) -> tuple[str, object, object]:
    """(identifier as named, core kind or ("field", name), value) from /{identifier}/{value}; 400 when unusable."""
    name, value = path(params, "identifier"), path(params, "value")
    standard = STANDARD.get(name.lower())
    if standard is None and not IDENTIFIER_NAME.fullmatch(name):
        raise invalid_id(value, name)
    if not 1 <= len(value) <= 256:
        raise invalid_id(value, standard or name)
    if standard is None:
        return name, ("field", name), value
    kind = KIND[standard]
    try:
        if kind == "email":
            normalize.email(value)
        elif kind == "phone":
            normalize.phone(value)
        elif path_id(value) is None:
            raise ValueError
    except (CoreError, ValueError):
        raise invalid_id(value, standard) from None
    return standard, kind, value


def not_found(error: CoreError, params: dict):
    if error.code == core_errors.CONTACT_NOT_FOUND:
        name, _, value = identifier(params)
        return contact_not_found(value, name)
    return None


# -- GET /contacts/v3/{identifier}/{value} -------------------------------------------------------------
def parse_get(params: dict):
    name, kind, value = identifier(params)
    if isinstance(kind, tuple):  # the holder a PATCH or DELETE by this identifier would find
        return LocateContact(**_located(kind, value), field_key=import_v3.FIELD_KEY)
    return FindContact(kind, value)


def get_not_found(error: CoreError, params: dict):
    """GET: a custom identifier no field has names no contact, as one no contact holds."""
    if error.code == core_errors.UNKNOWN_FIELD:
        error = CoreError(core_errors.CONTACT_NOT_FOUND, error.message)
    return not_found(error, params)


def render_get(view, params: dict, ctx: dict) -> dict:
    return contact_v3.render(view)


# -- PATCH, PUT, POST, DELETE ---------------------------------------------------------------------------
def _body(params: dict, required: bool) -> dict:
    body = params.get("body")
    if body is None and not required:
        return {}
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def _change(body: dict) -> ContactChange:
    """The body as one change; a single call refuses whole what would fail one contact of an import."""
    parsed = contact_v3.parse(body, None, need_identity=False)
    change = parsed.change
    if change.error is not None:
        raise bad_request(change.error.message)
    for _, text in change.warnings:
        raise bad_request(text, "consentRecords")
    return change


def _with_path_identity(change: ContactChange, name: str, kind, value) -> None:
    """A contact the path names but the body does not: created with the path's identifier too."""
    if isinstance(kind, tuple):
        if not any(k.lower() == name.lower() for k in change.fields):
            change.fields[name] = value
        if change.custom_match is None:
            change.custom_match = (name, value)
    elif kind in ("email", "phone") and kind not in change.identities:
        change.identities[kind] = value


def _located(kind, value) -> dict:
    """The UpsertAndRead arguments that find the contact the path names: a core Lookup."""
    if isinstance(kind, tuple):
        return {"lookups": (Lookup("field"),), "custom_match": (kind[1], value)}
    return {"lookups": (Lookup(kind, value),)}


def parse_patch(params: dict) -> UpsertAndRead:
    name, kind, value = identifier(params)
    merge = query(params, "merge-option", "overwrite")
    if str(merge).lower() not in MERGE_OPTIONS:
        raise bad_request(f"The merge-option '{merge}' is not one of overwrite, overwrite-if-not-empty, "
                          "overwrite-if-empty", "merge-option")
    change = _change(_body(params, required=False))
    _with_path_identity(change, name, kind, value)
    command = import_v3.command([change], MERGE_OPTIONS[str(merge).lower()], "dotdigital:patch")
    return UpsertAndRead(command, **_located(kind, value))


def parse_put(params: dict) -> UpsertAndRead:
    name, kind, value = identifier(params)
    body = _body(params, required=True)
    contact_v3.check_required(body, "body", need_match=False)
    change = _change(body)
    change.replace_fields = True  # a replace: the data fields it does not give are cleared
    if Keys(body).has("lists"):
        change.lists_mode = "replace"
    command = import_v3.command([change], "overwrite", "dotdigital:replace")
    return UpsertAndRead(command, **_located(kind, value), if_missing="fail", locate_deleted=False)


def parse_create(params: dict) -> UpsertAndRead:
    body = _body(params, required=True)
    contact_v3.check_required(body, "body", need_match=False)
    change = _change(body)
    if not ({"email", "phone"} & change.identities.keys()):
        raise bad_request("The contact needs an email or a mobileNumber identifier", "identifiers")
    command = import_v3.command([change], "overwrite", "dotdigital:create")
    command.mode = "create"
    command.match_fallback = True  # any identifier already held is a clash
    command.on_deleted = "recreate"
    return UpsertAndRead(command)


def parse_delete(params: dict) -> UpsertAndRead:
    name, kind, value = identifier(params)
    command = import_v3.command([ContactChange(delete=True)], "overwrite", "dotdigital:delete")
    return UpsertAndRead(command, **_located(kind, value), if_missing="fail", locate_deleted=False)


def render_written(answer, params: dict, ctx: dict) -> Reply:
    item = answer.batch.items[0]
    if item.outcome == "failed":
        raise _refusal(item, answer, ctx["command"].upsert.items[0])
    view = answer.contacts[item.contact_id]
    return Reply(contact_v3.render(view), 201 if item.outcome == "created" and not item.restored else 200)


def render_deleted(answer, params: dict, ctx: dict) -> dict:
    return {"contactId": answer.batch.items[0].contact_id}


CONFLICTS = {core_errors.EMAIL_CONFLICT: "email", core_errors.PHONE_CONFLICT: "phone",
             core_errors.FIELD_CONFLICT: "field", core_errors.ALREADY_EXISTS: None}


def _refusal(item, answer, change: ContactChange):
    """A single call's failed contact as the call's error: 409 for a clash, 400 for anything else."""
    code = item.error.code
    if code in CONFLICTS:
        kind = CONFLICTS[code] or _clash(answer.contacts.get(item.contact_id), change)
        if kind == "field" and change.custom_match:
            return id_already_exists(change.custom_match[1], change.custom_match[0])
        shown = "mobileNumber" if kind == "phone" else "email"
        return id_already_exists(change.identities.get(kind, ""), shown)
    if code == core_errors.INVALID_EMAIL:
        return invalid_id(change.identities.get("email", ""), "email")
    if code == core_errors.INVALID_PHONE:
        return invalid_id(change.identities.get("phone", ""), "mobileNumber")
    if code == core_errors.SUPPRESSED:
        return bad_request("The contact is globally suppressed")
    if code == core_errors.MISSING_IDENTITY:
        return bad_request("The contact needs an email or a mobileNumber identifier", "identifiers")
    if code == core_errors.UNKNOWN_LIST:
        return bad_request(item.error.message.replace("List not found", "These lists do not exist"), "lists")
    if code == core_errors.LIST_READ_ONLY:
        return bad_request("Address book cannot be written to via the API", "lists")
    return bad_request(item.error.message)


def _clash(view, change: ContactChange) -> str:
    """Which identifier of a contact to create another contact already holds."""
    if view is not None:
        if view.phone and change.identities.get("phone") and normalize.phone(change.identities["phone"]) == view.phone:
            if not (view.email and change.identities.get("email")
                    and normalize.email(change.identities["email"]) == view.email):
                return "phone"
    return "email" if change.identities.get("email") else "phone"


# -- GET /contacts/v3 --------------------------------------------------------------------------------
FILTER_TIME = re.compile(r"gte::(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?)Z")
MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000


def parse_list(params: dict) -> SearchContacts:
    flt = ContactFilter()
    created, modified = query(params, "~created"), query(params, "~modified")
    if created is not None and modified is not None:
        raise bad_request("Filter by ~created or by ~modified, not both")
    for raw, attribute in ((created, "created_from"), (modified, "updated_from")):
        if raw is not None:
            match = FILTER_TIME.fullmatch(raw)
            if match is None:
                raise invalid_filter(raw)
            setattr(flt, attribute, normalize.timestamp(match.group(1)))
    list_id, segment_id = query(params, "~listId"), query(params, "~segmentId")
    if list_id is not None and segment_id is not None:
        raise bad_request("Filter by ~listId or by ~segmentId, not both")
    for raw in (list_id, segment_id):
        if raw is not None:
            number = path_id(raw, scalars.COUNT32)
            if number is None:
                raise invalid_filter(raw)
            flt.list, flt.list_statuses, flt.channel = number, ("subscribed",), "email"
    flt.id_after = _after(query(params, "marker"))
    _includes(params)
    return SearchContacts(flt, offset=0, limit=_limit(params) + 1, with_details=True)


def _limit(params: dict) -> int:
    limit = path_id(query(params, "limit", str(DEFAULT_LIMIT)), (1, MAX_LIMIT))
    if limit is None:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    return limit


def _includes(params: dict) -> tuple:
    raw = query(params, "include")
    if not raw:
        return ()
    chosen = tuple(part.strip() for part in raw.split("|") if part.strip())
    unknown = [c for c in chosen if c not in contact_v3.INCLUDES]
    if unknown:
        raise bad_request(f"include may name {', '.join(contact_v3.INCLUDES)}, not {', '.join(unknown)}", "include")
    return chosen


def _data_fields(params: dict):
    raw = query(params, "data-fields")
    if not raw:
        return False
    if raw.strip().upper() == "[[ALL]]":
        return True
    return {part.strip() for part in raw.split("|") if part.strip()}


def _after(marker) -> int | None:
    """The contact id a marker continues after (markers are opaque to clients: base64 of "after:<id>")."""
    if not marker:
        return None
    try:
        text = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    after = path_id(text[6:], scalars.COUNT64) if text.startswith("after:") else None
    if after is None:
        raise bad_request("The marker is not one this API handed out", "marker")
    return after


def _marker(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def list_not_found(error: CoreError, params: dict):
    if error.code == core_errors.UNKNOWN_LIST:
        return invalid_filter(query(params, "~listId") or query(params, "~segmentId"))
    return None


def render_list(found, params: dict, ctx: dict) -> dict:
    limit = _limit(params)
    views = found.contacts[:limit]
    include, data_fields = _includes(params), _data_fields(params)
    kept = {k: v for k, v in params["query"].items() if k.lower() != "marker"}

    def link(marker: str | None) -> dict:
        args = dict(kept, **({"marker": marker} if marker else {}))
        target = {"link": f"{ctx['base_url']}/contacts/v3" + (f"?{urlencode(args)}" if args else "")}
        return {"marker": marker, **target} if marker else target

    # Keyset markers (the last id seen) keep pages stable while contacts are added or deleted; they
    # only go forward, so there is no `prev` (see the docs).
    links = {"self": link(query(params, "marker")), "first": link(None)}
    if len(found.contacts) > limit:
        links["next"] = link(_marker(views[-1].id))
    return {"_links": links, "_items": [contact_v3.render(v, include, data_fields) for v in views]}


# -- POST /contacts/v3/delete, GET /contacts/v3/delete/{deleteId} --------------------------------------
DELETE_KIND = "dotdigital.delete.v3"
MAX_DELETE = 5000
DELETE_STATUS = {"queued": "NotStarted", "running": "NotFinished", "finished": "Finished", "failed": "Failed"}


def parse_bulk_delete(params: dict) -> StartJob:
    body = params.get("body")
    if body is None or body == []:
        raise v3(NO_CONTACTS)
    if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
        raise bad_request("The request body must be an array of identifier objects")
    if len(body) > MAX_DELETE:
        raise bad_request(f"At most {MAX_DELETE} contacts can be deleted in one request")
    return StartJob(DELETE_KIND, {"contacts": body}, max_active=ACTIVE_DELETES)


def bulk_delete_refused(error: CoreError, params: dict):
    if error.code == core_errors.TOO_MANY_ACTIVE_JOBS:
        return too_many(TOO_MANY_DELETES, error.details.get("limit", ACTIVE_DELETES), "activeBulkDeletes")
    return None


def render_bulk_delete(job, params: dict, ctx: dict) -> Reply:
    return Reply({"deleteId": job.id}, 202)


class DeletePlan:
    """A stored bulk delete: each identifier object deletes the one contact it names."""

    ORDER = ("id", "email", "phone")

    def __init__(self, payload: dict, contacts: list | None = None):
        self.contacts = payload["contacts"] if contacts is None else contacts
        self.failures: list = []
        self.deleted = 0

    def change(self, item: dict) -> tuple[ContactChange, str]:
        change = ContactChange(delete=True)
        named = None
        for key, value in item.items():
            name = STANDARD.get(key.lower())
            if value is None or isinstance(value, (dict, list, bool)):
                continue
            if name is not None:
                change.identities[KIND[name]] = value
            elif change.custom_match is None:
                change.custom_match = (key, str(value))
                named = named or key
        kinds = [k for k in self.ORDER if k in change.identities]
        change.match = (kinds[0],) if kinds else ("field",)
        shown = {"id": "contactId", "email": "email", "phone": "mobileNumber"}.get(kinds[0]) if kinds else named
        if not kinds and change.custom_match is None:
            change.error = CoreError(core_errors.MISSING_IDENTITY, "No identifier given")
        return change, shown or "contactId"

    def chunks(self, size: int | None = None):
        size = size or import_v3.CHUNK
        for start in range(0, len(self.contacts), size):
            items = [self.change(i)[0] for i in self.contacts[start:start + size]]
            command = import_v3.command(items, "overwrite", "dotdigital:delete")
            command.unknown_fields, command.unique = "ignore", ()
            yield start, command

    def recorded(self, start: int, rows) -> None:
        """The contacts a chunk did not find (jobs.run_chunks)."""
        for row in rows:
            if row.outcome == "deleted" and row.contact_id:
                self.deleted += 1
                continue
            item = self.contacts[row.position]
            _, shown = self.change(item)
            self.failures.append({"identifiers": item, "failures": [{
                "failureCode": "contactNotFound", "description": f"Not found using the identifier '{shown}'"}]})

    def report(self, job_id: str) -> tuple[bytes, dict]:
        body = {"deleteId": job_id, "status": "Finished", "failures": self.failures}
        return orjson.dumps(body), {"deleted": self.deleted, "notFound": len(self.failures)}
