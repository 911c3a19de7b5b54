"""PUT /contacts/v3/import and GET /contacts/v3/import/{importId}: a bulk import as a job, its report by contact.

The request is checked whole when it arrives (202 or a 400 that writes nothing), one contact at
a time as the body is read (`core.items.Items`); the body is kept with the job and the worker
decodes and applies its contacts in chunks (`Plan.chunks`), never all at once, reading the body
once. As each chunk is done, `Plan.recorded` turns the per-item outcomes the core recorded into
Dotdigital's report entries, from the contacts as that chunk read them; when the last chunk is
in, the worker stores the report (`Plan.report`): polling a finished import only reads it.
"""
from __future__ import annotations

import sys

import orjson

from core import errors as core_errors
from core import normalize, scalars
from core.commands import StartJob
from core.errors import CoreError
from core.items import Items
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
    if not isinstance(contacts, Items) or not contacts:
        raise bad_request("The Contacts field is required", "contacts")
    for position, item in enumerate(contacts):
        contact_v3.check_required(item, f"contacts[{position}]", need_match=True)
    # The job reads its contacts again from the body it keeps (the payload only names them).
    payload = {"mergeOption": MERGE_OPTIONS[merge.lower()], "contacts": contacts.ref()}
    return StartJob(KIND, payload, max_active=ACTIVE_IMPORTS, active_kinds=IMPORT_KINDS, input=contacts.source,
                    total=len(contacts))


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
    """A stored v3 import: its chunks for the worker, and its report as they are done.

    `contacts` (default: the payload's list) is read once, from the start, one contact at a time;
    whether a contact repeats an earlier one's identifier is found as they go by. Each contact of
    a chunk is kept with what it was read as until the chunk's outcomes come back (`recorded`),
    which turns them into the report's entries; then only the report's bytes are kept.
    """

    def __init__(self, payload: dict, contacts=None):
        self.contacts = payload["contacts"] if contacts is None else contacts
        self.merge = payload["mergeOption"]
        self.summary = {"newContacts": 0, "updatedContacts": 0, "globallySuppressed": 0, "invalidEntries": 0,
                        "duplicateIdentifiers": 0}
        self.lists = {"created": bytearray(), "updated": bytearray(), "failures": bytearray()}
        self._chunk: list = []  # (contact, Parsed) of the chunk last handed out, in order

    @staticmethod
    def _parsed(item, repeated) -> contact_v3.Parsed:
        parsed = contact_v3.parse(item, Keys(item).get("matchIdentifier"), need_identity=False)
        if repeated is not None and parsed.change.error is None:
            parsed.change.error = failure(DUPLICATE, f"Duplicate identifier detected for {repeated[0]} "
                                                     f"'{repeated[1]}'")
        return parsed

    def chunks(self, size: int | None = None):
        size = size or CHUNK
        seen: set = set()
        read: list = []
        for position, item in enumerate(self.contacts):
            read.append((item, self._parsed(item, _repeats(item, seen))))
            if len(read) == size:
                yield self._command(position + 1 - size, read)
                read = []
        if read:
            yield self._command(position + 1 - len(read), read)

    def _command(self, start: int, read: list):
        self._chunk = read
        return start, command([parsed.change for _, parsed in read], self.merge, "dotdigital:import")

    def recorded(self, start: int, rows) -> None:
        """The report's entries of the chunk at `start`, from the core's per-item rows (jobs.run_chunks).

        Each entry is encoded as it is made, so the report is held as bytes, never as objects.
        """
        summary, lists, chunk = self.summary, self.lists, self._chunk
        for row in rows:
            item, parsed = chunk[row.position - start]
            identifiers = supplied_identifiers(item)
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
                    _append(lists["created"], entry)
                else:
                    summary["updatedContacts"] += 1
                    _append(lists["updated"], entry)
                # Only a contact whose consent records may have been dropped has more to say.
                if parsed.change.warnings and Keys(item).has("consentRecords"):
                    problems += [{"failureCode": code, "description": text} for code, text in parsed.change.warnings]
            if problems:
                entry = {"contactId": row.contact_id} if row.contact_id else {}
                entry.update(matchIdentifier=parsed.match or str(Keys(item).get("matchIdentifier")),
                             identifiers=identifiers, failures=problems)
                _append(lists["failures"], entry)

    def report(self, job_id: str) -> tuple[bytes, dict]:
        """The finished import's answer (bytes, as GET serves it) and its summary; the plan lets go of its
        parts, so that only the answer is held while the worker stores it."""
        lists, self.lists = self.lists, None
        head = orjson.dumps({"importId": job_id, "status": "Finished", "summary": self.summary})
        # The same bytes orjson.dumps gives the whole answer: it writes no whitespace.
        created, updated, failures = (memoryview(lists[name])[1:] for name in ("created", "updated", "failures"))
        body = b"".join([head[:-1], b',"created":[', created, b'],"updated":[', updated, b'],"failures":[', failures,
                         b"]}"])
        return body, self.summary


def _append(out: bytearray, entry: dict) -> None:
    out += b","
    out += orjson.dumps(entry)


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
    if code == core_errors.LIST_READ_ONLY:  # the v3 failure code for lists; the v2 text of ERROR_ADDRESSBOOK_NOTWRITABLE
        return "InvalidAddressBookIds", "Address book cannot be written to via the API"
    if code == core_errors.MISSING_IDENTITY:
        if parsed.match == "contactId":
            return "InvalidContactId", "No contact has this contactId, and a new contact needs an email or a " \
                                       "mobileNumber identifier"
        return "NoValidIdentifiers", "The contact needs an email or a mobileNumber identifier"
    if code == core_errors.UNKNOWN_FIELD:
        return "InvalidContact", (row.message or "").replace("Unknown field", "No such data field")
    return "InvalidContact", row.message or "The contact could not be imported"


def _repeats(item, seen: set):
    """(identifier, value as sent) when an earlier contact (its key in `seen`) used this contact's match value."""
    if not isinstance(item, dict):
        return None
    keys = Keys(item)
    match, identifiers = keys.get("matchIdentifier"), keys.get("identifiers")
    if not isinstance(match, str) or not isinstance(identifiers, dict):
        return None
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
        return None  # an unusable value fails on its own account
    if raw in ("", None):
        return None
    key = (sys.intern(name.lower()), value)  # one string per identifier name, however many contacts
    repeated = (name, raw) if key in seen else None
    seen.add(key)
    return repeated
