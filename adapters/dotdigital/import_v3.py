"""PUT /contacts/v3/import and GET /contacts/v3/import/{importId}: a bulk import as a job, its report by contact.

The request is checked whole when it arrives (202 or a 400 that writes nothing); the contacts are
kept with the job and applied by the worker in chunks (`Plan.chunks`). When the last chunk is in,
`Plan.report` turns the per-item outcomes the core recorded into Dotdigital's report, once, and the
worker stores it: polling a finished import only reads that stored answer.
"""
from __future__ import annotations

import orjson

from core import errors as core_errors
from core import normalize, scalars
from core.commands import StartJob
from core.errors import CoreError
from core.model import UpsertCommand

from . import contact_v3
from .contact_v3 import DUPLICATE, INVALID_EMAIL, failure
from .errors import ACTIVE_IMPORTS, bad_request
from .wire import Keys, Reply

KIND = "dotdigital.import.v3"
IMPORT_KINDS = (KIND, "dotdigital.import.v2")  # one cap of active imports for both APIs
CHUNK = 1000
MERGE_OPTIONS = {"overwrite": "overwrite", "overwriteifnotempty": "if_not_empty", "overwriteifempty": "if_empty"}
STATUS = {"queued": "NotFinished", "running": "NotFinished", "finished": "Finished", "failed": "Failed"}
# Channel statuses an explicit request may change: anything but a platform block (a suppression).
CHANGEABLE = frozenset({"new", "invited", "active", "inactive", "unsubscribed", "activation_requested"})


def parse_import(params: dict) -> StartJob:
    body = params.get("body")
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object with contacts")
    keys = Keys(body)
    merge = keys.get("mergeOption")
    merge = "overwrite" if merge is None else merge
    if not isinstance(merge, str) or merge.lower() not in MERGE_OPTIONS:
        raise bad_request(f"The mergeOption '{merge}' is not one of overwrite, overwriteIfNotEmpty, overwriteIfEmpty",
                          "mergeOption")
    contacts = keys.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        raise bad_request("The Contacts field is required", "contacts")
    for position, item in enumerate(contacts):
        contact_v3.check_required(item, f"contacts[{position}]", need_match=True)
    payload = {"mergeOption": MERGE_OPTIONS[merge.lower()], "contacts": contacts}
    return StartJob(KIND, payload, max_active=ACTIVE_IMPORTS, active_kinds=IMPORT_KINDS)


def render_import(job, params: dict, ctx: dict) -> Reply:
    return Reply({"importId": job.id}, 202)


FIELD_KEY = "name_ci"  # data fields are named in any case


def command(items: list, merge: str, source: str) -> UpsertCommand:
    """The canonical command every v3 write uses, single contacts included."""
    return UpsertCommand(
        items=items,
        match=("email", "phone"),
        match_fallback=False,
        unique=("email", "phone", "field"),
        field_key=FIELD_KEY,
        field_merge=merge,
        strict_field_types=True,
        unknown_fields="fail_item",
        invalid_lists="fail_item",
        on_suppressed="fail",
        on_deleted="restore",  # a contact found in the recycle bin is restored and updated
        status_changeable_from=CHANGEABLE,
        default_email_status="active",
        default_phone_status="inactive",  # noSubscription: SMS consent is never assumed
        source=source,
    )


class Plan:
    """A stored v3 import: its chunks for the worker, then its report."""

    def __init__(self, payload: dict):
        self.contacts = payload["contacts"]
        self.merge = payload["mergeOption"]
        self.duplicates = _duplicates(self.contacts)

    def parsed(self, position: int) -> contact_v3.Parsed:
        item = self.contacts[position]
        parsed = contact_v3.parse(item, Keys(item).get("matchIdentifier"), need_identity=False)
        repeated = self.duplicates.get(position)
        if repeated is not None and parsed.change.error is None:
            parsed.change.error = failure(DUPLICATE, f"Duplicate identifier detected for {repeated[0]} "
                                                     f"'{repeated[1]}'")
        return parsed

    def chunks(self, size: int | None = None):
        size = size or CHUNK
        for start in range(0, len(self.contacts), size):
            items = [self.parsed(p).change for p in range(start, min(start + size, len(self.contacts)))]
            yield start, command(items, self.merge, "dotdigital:import")

    def report(self, job_id: str, items: list) -> tuple[bytes, dict]:
        """The finished import's answer (bytes, as GET serves it) and its summary."""
        summary = {"newContacts": 0, "updatedContacts": 0, "globallySuppressed": 0, "invalidEntries": 0,
                   "duplicateIdentifiers": 0}
        created, updated, failures = [], [], []
        for row in items:
            item = self.contacts[row.position]
            identifiers = supplied_identifiers(item)
            # Only a failed contact, or one whose consent records may have been dropped, has more to say.
            parsed = self.parsed(row.position) if row.outcome == "failed" or Keys(item).has("consentRecords") \
                else None
            problems = []
            if row.outcome == "failed":
                code, text = item_failure(parsed, row, identifiers)
                problems.append({"failureCode": code, "description": text})
                if code == DUPLICATE:
                    summary["duplicateIdentifiers"] += 1
                elif code == "GloballySuppressed":
                    summary["globallySuppressed"] += 1
                else:
                    summary["invalidEntries"] += 1
            else:
                entry = {"contactId": row.contact_id, "identifiers": identifiers}
                if row.outcome == "created":
                    summary["newContacts"] += 1
                    created.append(entry)
                else:
                    summary["updatedContacts"] += 1
                    updated.append(entry)
                if parsed is not None:
                    problems += [{"failureCode": code, "description": text} for code, text in parsed.change.warnings]
            if problems:
                entry = {"contactId": row.contact_id} if row.contact_id else {}
                entry.update(matchIdentifier=parsed.match or str(Keys(item).get("matchIdentifier")),
                             identifiers=identifiers, failures=problems)
                failures.append(entry)
        body = {"importId": job_id, "status": "Finished", "summary": summary, "created": created, "updated": updated,
                "failures": failures}
        return orjson.dumps(body), summary


def supplied_identifiers(item: dict) -> dict:
    """The identifiers as the client sent them (contactId aside: the report gives it on its own)."""
    raw = Keys(item).get("identifiers") or {}
    return {k: v for k, v in raw.items() if v is not None and k.lower() != "contactid"}


def _supplied(identifiers: dict, name: str):
    return next((v for k, v in identifiers.items() if k.lower() == name.lower()), "")


CONFLICT_IDENTIFIER = {core_errors.EMAIL_CONFLICT: "email", core_errors.PHONE_CONFLICT: "mobileNumber"}
CORE_FAILURES = {
    core_errors.INVALID_EMAIL: (INVALID_EMAIL, "Invalid value for 'email'"),  # documented
    core_errors.INVALID_PHONE: ("InvalidPhoneNumber", "Invalid value for 'mobileNumber': it needs to be E.164 format"),
    core_errors.SUPPRESSED: ("GloballySuppressed", "The contact is globally suppressed"),
}


def item_failure(parsed: contact_v3.Parsed, row, identifiers: dict) -> tuple[str, str]:
    """(failureCode, description) of a failed contact: the adapter's own finding first, then the core's."""
    error = parsed.change.error
    if error is not None and error.details.get("failure"):
        return error.details["failure"], error.message
    code = row.error
    if code in CORE_FAILURES:
        return CORE_FAILURES[code]
    if code in CONFLICT_IDENTIFIER or code == core_errors.FIELD_CONFLICT:
        name = CONFLICT_IDENTIFIER.get(code) or next(iter(parsed.custom), "identifier")
        return DUPLICATE, f"Duplicate identifier detected for {name} '{_supplied(identifiers, name)}'"
    if code == core_errors.UNKNOWN_LIST:
        return "InvalidAddressBookIds", (row.message or "").replace("List not found", "These lists do not exist")
    if code == core_errors.MISSING_IDENTITY:
        if parsed.match == "contactId":
            return "InvalidContactId", "No contact has this contactId, and a new contact needs an email or a " \
                                       "mobileNumber identifier"
        return "NoValidIdentifiers", "The contact needs an email or a mobileNumber identifier"
    if code == core_errors.UNKNOWN_FIELD:
        return "InvalidContact", (row.message or "").replace("Unknown field", "No such data field")
    return "InvalidContact", row.message or "The contact could not be imported"


def _duplicates(contacts: list) -> dict:
    """{position: (identifier, value as sent)} for each contact whose match value an earlier contact already used."""
    seen, repeated = set(), {}
    for position, item in enumerate(contacts):
        keys = Keys(item)
        match, identifiers = keys.get("matchIdentifier"), keys.get("identifiers")
        if not isinstance(match, str) or not isinstance(identifiers, dict):
            continue
        name = contact_v3.STANDARD.get(match.lower(), match)
        raw = _supplied(identifiers, name)
        try:
            if name == "email":
                value = normalize.email(raw)
            elif name == "mobileNumber":
                value = normalize.phone(raw)
            elif name == "contactId":
                value = scalars.integer(raw, scalars.ID32)
            else:
                value = str(raw)
        except (CoreError, TypeError, ValueError):
            continue  # an unusable value fails on its own account
        if raw in ("", None):
            continue
        key = (name.lower(), value)
        if key in seen:
            repeated[position] = (name, raw)
        seen.add(key)
    return repeated
